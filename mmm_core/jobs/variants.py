"""The fits a batch runs besides a plain fit of a locked spec: one **member** of the spec's declared comparison
fitted alone, and one **fold** of a fit's out-of-sample validation. Each is registered as a fit of the locked
spec whose settings say what it is (``member`` and its overrides, or ``fold_of``/``origin``), so the answers
rebuild a member's own curves (``fit.comparison.spec_of_fit``) and the default-fit rule never lets a member or a
fold answer in place of the spec's own fit.

Why separate fits: a declared comparison runs its members one after another inside the parent's fit, and
``health --oos`` its origins one after another in one process; as batch requests they spread over Ray's nodes
like any other fit, and the fold scores are put together into the fit's validation once every fold is back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from mmm_core import ledger
from mmm_core.errors import LedgerError, NotFoundError
from mmm_core.fit import oos
from mmm_core.fit.comparison import member_spec, overrides_of, spec_of_fit
from mmm_core.fit.records import FitOutcome, FitSettings
from mmm_core.jobs.records import FitRequest, Fold
from mmm_core.ledger.fits import fit_record
from mmm_core.spec.comparison import BASE_MEMBER
from mmm_core.spec.schema import ModelSpec
from mmm_core.store import Store

FOLD_HEALTH_KEY = "oos_fold"  # where a fold fit keeps its scores (its health record)


@dataclass(frozen=True)
class FoldPlan:
    """Where a fold cuts the data: its origin, the shared horizon and the spec's own holdout (kept out too)."""

    origin: int
    horizon: int
    base_holdout: int

    def config(self, base):
        return oos.fold_config(base, self.origin, self.horizon)


def check(store: Store, request: FitRequest) -> None:
    """Refuse a member the spec does not declare, or a fold of a fit that is not a succeeded fit of the spec."""
    if request.member is not None:
        _member_of(ledger.get_spec(store, request.spec_id).spec, request.member)
    if request.fold is not None:
        _fold_source(store, request.spec_id, request.fold)


def start(store: Store, request: FitRequest) -> tuple[str, ModelSpec, FitSettings]:
    """Begin the member's or the fold's fit in the ledger: ``(fit_id, the model's spec, settings)``."""
    locked = ledger.get_spec(store, request.spec_id).spec  # tamper check first
    if request.member is not None:
        member = _member_of(locked, request.member)
        spec = locked.model_copy(update={"comparison": None}) if member is None else member_spec(locked, member)
        settings = FitSettings.resolve(spec, **request.run_fit_kwargs())
        link: dict[str, Any] = {"member": request.member, **(overrides_of(member) if member else {})}
    else:
        source = _fold_source(store, request.spec_id, request.fold)
        spec = spec_of_fit(locked, source.settings).model_copy(update={"comparison": None})
        s = source.settings
        settings = FitSettings.resolve(
            spec,
            quick=source.mode == "quick",
            engine=source.engine,
            chains=s.get("chains"),
            warmup=s.get("warmup") or None,
            draws=s.get("draws"),
            seed=s.get("seed"),
        )
        link = {"fold_of": source.id, "origin": request.fold.origin, "origins": request.fold.origins}
        link.update({k: s[k] for k in ("member", "saturation", "adstock") if k in s})
    fit_id = ledger.begin_fit(
        store, request.spec_id, engine=settings.engine, mode=settings.mode, settings={**settings.to_dict(), **link}
    )
    return fit_id, spec, settings


def fold_plan(request: FitRequest, data, config) -> FoldPlan | None:
    """The cut of a fold request on its model inputs (None for any other request)."""
    if request.fold is None:
        return None
    horizon = oos.horizon_for(len(data.periods), request.fold.origins, config.holdout)
    return FoldPlan(request.fold.origin, horizon, config.holdout)


def with_fold_scores(outcome: FitOutcome, data, plan: FoldPlan, seed: int | None) -> FitOutcome:
    """The fold's outcome with its out-of-sample scores in its health (computed where it was sampled)."""
    scores = oos.score_fold(outcome.result, data, plan.base_holdout, plan.origin, plan.horizon, seed)
    return replace(outcome, health={**outcome.health, FOLD_HEALTH_KEY: {"origin": plan.origin, **scores}})


def assemble_folds(store: Store, jobs: list) -> list[dict[str, Any]]:
    """Each validated fit whose folds all succeeded in this batch: its validation put together like
    ``health --oos`` (stored beside a NUTS fit, where ``health`` shows it; a quick fit's is returned only)."""
    by_fit: dict[str, list] = {}
    for job in jobs:
        if job.request.fold is not None:
            by_fit.setdefault(job.request.fold.fit_id, []).append(job)
    out = []
    for fit_id, folds in by_fit.items():
        if any(j.state != "succeeded" for j in folds):
            out.append({"fit_id": fit_id, "status": "incomplete", "failed": [j.job_id for j in folds]})
            continue
        origins = sorted((fit_record(store, j.fit_id).health[FOLD_HEALTH_KEY] for j in folds), key=_origin)
        result = {"fit_id": fit_id, "method": "rolling-origin holdout", "origins": origins}
        result.update(oos.summarize_origins(origins), fold_fits=[j.fit_id for j in folds])
        result["stored"] = fit_record(store, fit_id).mode == "nuts" and len(origins) == folds[0].request.fold.origins
        if result["stored"]:
            oos.save_out_of_sample(store, result)
        out.append(result)
    return out


def _origin(scores: dict[str, Any]) -> int:
    return scores["origin"]


def _member_of(spec: ModelSpec, name: str):
    """The declared member named ``name`` (None for the spec as written)."""
    if spec.comparison is None:
        raise LedgerError(
            f"Member {name!r} asked, but the spec declares no model comparison.",
            "Only a spec with a `comparison:` block has members; fit the spec itself instead.",
            code="no_comparison",
        )
    if name == BASE_MEMBER:
        return None
    for member in spec.comparison.members:
        if member.name == name:
            return member
    names = [BASE_MEMBER] + [m.name for m in spec.comparison.members]
    raise NotFoundError(
        f"The spec declares no comparison member {name!r}.", f"Its members: {', '.join(names)}.", code="unknown_member"
    )


def _fold_source(store: Store, spec_id: str, fold: Fold):
    fit = fit_record(store, fold.fit_id)  # NotFoundError for an unknown id
    if fit.status != "succeeded" or fit.engine != "numpyro" or fit.spec_id != spec_id:
        raise LedgerError(
            f"Fit {fold.fit_id} is not a succeeded numpyro fit of spec {spec_id} ({fit.engine}, {fit.status}, spec "
            f"{fit.spec_id}).",
            "Validate a succeeded fit of the default engine, and name its own spec.",
            code="oos_needs_fit",
        )
    if fit.settings.get("fold_of"):
        raise LedgerError(
            f"Fit {fold.fit_id} is itself an out-of-sample fold.", "Validate the fit it came from.", code="oos_fold"
        )
    return fit
