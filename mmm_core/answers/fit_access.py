"""A stored fit as answers reach it: refused unless it succeeded (and, for a decision, unless its health review
passed), its effect draws cached per process, and the frame every answer shares — fit id, interval, the approximate
label and the provenance of the locked spec it came from."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from mmm_core import ledger
from mmm_core.effects.tables import load_effect_draws
from mmm_core.errors import FitRefusedError
from mmm_core.fit import artifacts
from mmm_core.ledger.fits import FitRecord, fit_record
from mmm_core.spec.experiments import experiments_used
from mmm_core.store import Store


def succeeded_fit(store: Store, fit_id: str) -> FitRecord:
    """The fit's record, refused unless it succeeded: only a finished fit can answer questions."""
    fit = fit_record(store, fit_id)
    if fit.status != "succeeded":
        raise FitRefusedError(
            f"Fit {fit_id} is {fit.status}; only a succeeded fit can answer questions.",
            "Check it with `mmm-agent health FIT_ID` or run the fit again.",
            code="fit_not_ready",
        )
    return fit


def require_healthy(store: Store, fit: FitRecord, allow_unhealthy: bool) -> None:
    """The one health rule before a decision: a fit whose review failed is refused (and the refusal logged in the
    ledger) unless the caller explicitly allows it. Every decision answer — ROI, comparisons, contributions,
    response curves, mediation, plans, scenarios, the report, and the chat tools over them — passes here."""
    if not fit.unhealthy or allow_unhealthy:
        return
    failed = ", ".join(fit.failed_checks)
    ledger.record_refusal(
        store, fit.dataset_id, fit.spec_id, fit.id, "decision answer", f"health review failed: {failed}"
    )
    raise FitRefusedError(
        f"Fit {fit.id} failed its health review ({failed}); its numbers are not fit for decisions.",
        "Inspect `mmm-agent health FIT_ID`; re-fit with more draws, or pass --allow-unhealthy to see them anyway.",
        code="fit_unhealthy",
    )


def decision_fit(store: Store, fit_id: str, allow_unhealthy: bool = False) -> FitRecord:
    """A succeeded fit that may back a decision (see :func:`require_healthy`)."""
    fit = succeeded_fit(store, fit_id)
    require_healthy(store, fit, allow_unhealthy)
    return fit


@lru_cache(maxsize=8)
def _effect_draws(folder: str):
    return load_effect_draws(Path(folder) / artifacts.EFFECTS)


def effect_draws(store: Store, fit_id: str):
    """The stored effect draws of a fit (cached per process: answering must be fast)."""
    return _effect_draws(str(artifacts.fit_dir(store, fit_id)))


def _frame(store: Store, fit: FitRecord, interval: float | None, method: str | None) -> dict[str, Any]:
    meta = artifacts.load_meta(artifacts.fit_dir(store, fit.id))
    default = meta["settings"]["interval"]
    return {
        "fit_id": fit.id,
        "spec_id": fit.spec_id,
        "approximate": bool(meta.get("approximate")),
        "label": meta.get("label"),
        "level": float(interval or default["level"]),
        "method": method or default["method"],
    }


def _finish(store: Store, frame: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    out = {
        "fit_id": frame["fit_id"],
        **body,
        "approximate": frame["approximate"],
        "label": frame["label"],
        "provenance": provenance(store, frame["spec_id"]),
    }
    return out


def provenance(store: Store, spec_id: str) -> dict[str, Any]:
    """The ledger's provenance, plus ``experiments`` (the lift tests the locked spec used) on a calibrated fit."""
    return {**ledger.provenance(store, spec_id), **experiments_used(ledger.chain(store, spec_id)[-1].spec)}
