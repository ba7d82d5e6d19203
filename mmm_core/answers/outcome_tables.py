"""Per-outcome tables of a fit with several outcomes (issue 22), read by ``results.roi`` (which the answers about
outcomes, ``answers.outcomes``, import in turn: this module keeps the two apart).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core.answers.identifiability import add_identifiability
from mmm_core.effects.draws import EffectDraws
from mmm_core.effects.tables import compare, contribution_rows, roi_table
from mmm_core.fit import artifacts
from mmm_core.fit.multi_effects import ARTIFACT, MultiEffects, load_multi_effects
from mmm_core.ledger.fits import fit_record
from mmm_core.store import Store


def multi_effects(store: Store, fit_id: str, total: EffectDraws) -> MultiEffects | None:
    """The fit's per-outcome draws (``total``: its stored effect draws), or None for a single-outcome fit."""
    folder = artifacts.fit_dir(store, fit_id)
    if not (folder / ARTIFACT).exists():
        return None
    return load_multi_effects(folder, total)


def outcomes_block(store: Store, fit_id: str, total: EffectDraws, level: float, method: Any) -> dict[str, Any]:
    """``{outcomes: {KPI: {weight, channels{...}}}, total_is}`` beside ``roi``'s total ``channels`` (the weighted
    sum over outcomes, cross-effects included); ``{}`` for a fit with one outcome. Each channel row carries its
    ``identifiability`` label on that outcome, as the total's rows do (``not assessed`` for a fit stored before
    per-outcome labels existed)."""
    eff = multi_effects(store, fit_id, total)
    if eff is None:
        return {}
    stored = outcome_labels(fit_record(store, fit_id).health)
    outcomes = {}
    for name, w, e in zip(eff.outcomes, eff.weights, eff.per_outcome, strict=True):
        channels = roi_table(e, level, method)["channels"]
        add_identifiability(channels, {"identifiability": stored.get(name)}, None)
        outcomes[name] = {"weight": float(w), "channels": channels}
    return {"outcomes": outcomes, "total_is": _total_is(eff)}


def outcome_contributions(store: Store, fit_id: str, total: EffectDraws, by: str, level: float, method: Any):
    """``{outcomes: {KPI: {weight, rows}}, total_is}`` beside ``contributions``' rows (the weighted total), each
    outcome's rows as the total's (``by`` channel, period or geo); ``{}`` for a fit with one outcome."""
    eff = multi_effects(store, fit_id, total)
    if eff is None:
        return {}
    outcomes = {
        name: {"weight": float(w), "rows": contribution_rows(e, by, level, method)}
        for name, w, e in zip(eff.outcomes, eff.weights, eff.per_outcome, strict=True)
    }
    return {"outcomes": outcomes, "total_is": _total_is(eff)}


def outcome_comparisons(store: Store, fit_id: str, total: EffectDraws, a: str, b: str, level: float, method: Any):
    """``{outcomes: {KPI: {prob, roi_a, roi_b}}, total_is}`` beside ``compare``'s answer on the weighted total
    (a channel can lead on the total and trail on one outcome); ``{}`` for a fit with one outcome."""
    eff = multi_effects(store, fit_id, total)
    if eff is None:
        return {}
    outcomes = {}
    for name, e in zip(eff.outcomes, eff.per_outcome, strict=True):
        c = compare(e, a, b, level=level, method=method)
        outcomes[name] = {k: c[k] for k in ("prob", "roi_a", "roi_b")}
    return {"outcomes": outcomes, "total_is": _total_is(eff)}


def outcome_shares(store: Store, fit_id: str, total: EffectDraws, brief: Any) -> dict[str, Any]:
    """``{outcomes: {KPI: {weight, media_share, media_total, kpi_total}}, kpi_is}`` beside ``media_share``'s total
    (the weighted sum over outcomes); ``{}`` for a fit with one outcome. ``brief``: the caller's draws → summary."""
    eff = multi_effects(store, fit_id, total)
    if eff is None:
        return {}
    outcomes = {
        name: {
            "weight": float(w),
            "media_share": brief(np.asarray(e.media_share, np.float64)),
            "media_total": brief(np.asarray(e.media_total, np.float64)),
            "kpi_total": brief(np.asarray(e.fitted_total, np.float64)),
        }
        for name, w, e in zip(eff.outcomes, eff.weights, eff.per_outcome, strict=True)
    }
    return {"outcomes": outcomes, "kpi_is": _weighted_sum(eff) + " (cross-effects included)"}


def total_label(store: Store, fit_id: str, total: EffectDraws) -> dict[str, Any]:
    """``{kpi_is}`` naming the weighted total for answers that show only the total (ROI per window or geography);
    ``{}`` for a fit with one outcome."""
    eff = multi_effects(store, fit_id, total)
    return {"kpi_is": _weighted_sum(eff) + " (cross-effects included)"} if eff is not None else {}


def outcome_labels(health: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Outcome → channel → stored identifiability label (``fit.multi_identifiability``); ``{}`` before they
    existed."""
    return (health or {}).get("outcome_identifiability") or {}


def _total_is(eff: MultiEffects) -> str:
    return f"channels are {_weighted_sum(eff)} (cross-effects included)"


def _weighted_sum(eff: MultiEffects) -> str:
    terms = " + ".join(f"{w:g} × {n}" if w != 1 else n for n, w in zip(eff.outcomes, eff.weights, strict=True))
    return f"the weighted total {terms}"


__all__ = [
    "multi_effects",
    "outcome_comparisons",
    "outcome_contributions",
    "outcome_labels",
    "outcome_shares",
    "outcomes_block",
    "total_label",
]
