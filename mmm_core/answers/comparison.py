"""The pre-registered model comparison of a fit, as an answer: the combined ROI (the members' posteriors mixed
by their stacking weights), each member's ROI and weight, and the disclosure that the set was declared with the
spec, locked before any result.

The weights and member fit ids are stored with the parent fit (``health.comparison``, written by
:mod:`mmm_core.fit.comparison`); the ROI draws are each member's own stored effect draws, so the combined ROI
is rebuilt at whatever interval the caller asks for.

Public API::

    comparison_block(store, fit, level, method)   # None when the spec declared no comparison
    declared_comparisons(store, ledger_report)     # {spec_id: disclosure} for `mmm-agent ledger`
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core import ledger
from mmm_core.effects.intervals import interval_info, summarize
from mmm_core.effects.tables import load_effect_draws
from mmm_core.fit import artifacts
from mmm_core.fit.comparison import mix
from mmm_core.ledger.fits import FitRecord
from mmm_core.spec.comparison import BASE_MEMBER, Comparison
from mmm_core.store import Store

RULE_TEXT = {
    "stacking_loo": "stacking weights from PSIS-LOO of the KPI",
    "pseudo_bma_loo": "pseudo-BMA weights from PSIS-LOO of the KPI",
}
TIE_SE = 2.0  # an ELPD difference within two of its standard errors: the data do not tell the members apart


def _roi_draws(store: Store, fit_id: str) -> tuple[tuple[str, ...], np.ndarray]:
    draws = load_effect_draws(artifacts.fit_dir(store, fit_id) / artifacts.EFFECTS)
    return draws.channels, np.asarray(draws.roi, np.float64)


def _member_label(name: str, overrides: dict[str, str]) -> str:
    if name == BASE_MEMBER:
        return "the spec as written"
    return f"{name} (" + ", ".join(f"{k} {v}" for k, v in overrides.items()) + ")"


def declaration_text(comparison: Comparison, spec_id: str, version: int, locked_at: str | None) -> str:
    """One sentence: what was declared, with which spec, when, and how it is combined."""
    members = ", ".join(
        [_member_label(BASE_MEMBER, {})] + [_member_label(m.name, _overrides(m)) for m in comparison.members]
    )
    when = f" locked {locked_at[:16].replace('T', ' ')}" if locked_at else ""
    return (
        f"Model comparison declared in spec v{version} {spec_id}{when}, before any result: {members}; "
        f"combined by {RULE_TEXT[comparison.rule]}."
    )


def _overrides(member) -> dict[str, str]:
    return {k: v for k, v in (("saturation", member.saturation), ("adstock", member.adstock)) if v is not None}


def comparison_block(store: Store, fit: FitRecord, level: float, method: str) -> dict[str, Any] | None:
    """``{declared, rule, status, members[{name, fit_id, overrides, weight, elpd_loo, se, healthy, roi{CH}}],
    combined{roi{CH}}, disclosure, interval}`` for a fit whose spec declared a comparison, else None."""
    record = (fit.health or {}).get("comparison")
    if not record:
        return None
    locked = ledger.get_spec(store, fit.spec_id)
    declared = declaration_text(locked.spec.comparison, locked.spec_id, locked.version, _iso(locked.locked_at))
    if record.get("status") != "done":
        return {"declared": declared, "rule": record["rule"], "status": record["status"], "reason": record["reason"]}
    members = record["members"]
    draws = [_roi_draws(store, m["fit_id"]) for m in members]
    channels = draws[0][0]
    weights = [m["weight"] for m in members]
    combined = mix([d for _, d in draws], weights)

    def per_channel(x: np.ndarray) -> dict[str, Any]:
        return {ch: summarize(x[:, c], level, method) for c, ch in enumerate(channels)}

    shares = ", ".join(f"{m['name']} {m['weight']:.2f}" for m in members) + "." + tie_note(members)
    return {
        "declared": declared,
        "rule": record["rule"],
        "status": "done",
        "members": [
            {k: m.get(k) for k in ("name", "fit_id", "overrides", "weight", "elpd_loo", "se", "elpd_diff", "dse")}
            | {k: m[k] for k in ("pareto_k_high", "healthy")}
            | {"roi": per_channel(d)}
            for m, (_, d) in zip(members, draws, strict=True)
        ],
        "combined": {"roi": per_channel(combined)},
        "disclosure": f"{declared} Weights: {shares} The combined ROI mixes the members' posteriors by weight, "
        "so it carries the uncertainty about the curve family that any one member's interval leaves out.",
        "interval": interval_info(level, method),
    }


def tie_note(members: list[dict[str, Any]]) -> str:
    """A sentence when some members predict as well as the best (ELPD difference within TIE_SE of its s.e.): the
    weights then reflect the rule, not evidence, and the members' own ROI show how much the choice matters."""
    best = max(members, key=lambda m: m["elpd_loo"])
    tied = [m["name"] for m in members if m is not best and -m.get("elpd_diff", -np.inf) <= TIE_SE * m.get("dse", 0)]
    if not tied:
        return ""
    return (
        f" The data do not tell {', '.join(tied)} apart from {best['name']} (ELPD difference within two standard "
        "errors): the weights between them reflect the rule, not evidence — compare the members' ROI."
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if hasattr(value, "isoformat") else value


def declared_comparisons(store: Store, report: dict[str, Any]) -> dict[str, str]:
    """For `ledger DATASET`: spec id → the sentence stating its declared comparison (specs without one are
    left out). Read from each locked spec itself, so it shows what was fixed at lock time."""
    out = {}
    for row in report.get("specs", []):
        locked = ledger.get_spec(store, row["spec_id"])
        if locked.spec.comparison is not None:
            out[row["spec_id"]] = declaration_text(
                locked.spec.comparison, locked.spec_id, locked.version, _iso(locked.locked_at)
            )
    return out


__all__ = ["comparison_block", "declaration_text", "declared_comparisons", "tie_note"]
