"""Answers about a fit with several outcomes (issue 22): ROI per outcome, cross-effects with intervals, what a
channel or a control (e.g. a promotion) moves in each outcome, and the residual correlation.

Every number comes from the fit's stored draws (``fit.multi_effects``): per-outcome effect draws in each outcome's
KPI units; the weighted total (Σ weight × outcome) is the fit's ordinary effect draws, which ``results.roi``
reports as ``channels``. A cross-effect whose interval spans 0 is said to be "not distinguishable from zero":
when the same channels drive both outcomes, kappa through media is collinear with the target's own media effects,
and only a modulator (a promotion on the source) or a source-only control pins it. Each effect carries its
``identifiability`` label (``fit.multi_identifiability``: weakly identified when nothing but the shared media moves
it, with the reason), and each channel row of ``roi``'s per-outcome tables its label on that outcome.

Public API::

    outcomes_block(store, fit_id, total, level, method)   # (outcome_tables; results.roi adds it)
    cross_effects(store, fit_id)                     # {effects[{source, target, type, mean, lo, hi, ...}], ...}
    outcome_effects(store, fit_id, channel=None)     # per channel or control: what it moves in each outcome
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core import ledger
from mmm_core.answers import results
from mmm_core.answers.identifiability import NOT_ASSESSED
from mmm_core.answers.outcome_tables import multi_effects
from mmm_core.effects.intervals import interval_info, summarize
from mmm_core.errors import MMMError
from mmm_core.fit.multi_effects import MultiEffects
from mmm_core.names import Wording, resolve_name
from mmm_core.store import Store

NOT_DISTINGUISHABLE = "not distinguishable from zero"
CONTROL_COUNTERFACTUAL = (
    "a control's contribution is against the control at 0 (for a promotion flag: the promotion not run), "
    "including what it moves through cross-effects it drives or switches on"
)
ZERO_OUT_OF_RANGE = "0 lies outside its observed values, so 'without it' is not a what-if the data support"


def require_multi(store: Store, fit_id: str) -> MultiEffects:
    """The per-outcome draws, refused with a clear message for a fit with one outcome."""
    eff = multi_effects(store, fit_id, results.effect_draws(store, fit_id))
    if eff is None:
        spec = ledger.get_spec(store, results.succeeded_fit(store, fit_id).spec_id).spec
        raise MMMError(
            f"Fit {fit_id} has one outcome ({spec.kpi}): there are no cross-effects or per-outcome results.",
            "Lock a spec with an outcomes block (`mmm-agent spec init DATASET --kpi A,B`) and fit it.",
            code="single_outcome",
        )
    return eff


def cross_effects(
    store: Store,
    fit_id: str,
    interval: float | None = None,
    method: str | None = None,
    allow_unhealthy: bool = False,
) -> dict[str, Any]:
    """Each cross-effect's kappa (target units per source unit) and routed volume (target units over the data),
    with intervals and a verdict; the residual correlation of each pair of outcomes."""
    fit = results.decision_fit(store, fit_id, allow_unhealthy)
    eff = require_multi(store, fit_id)
    frame = results._frame(store, fit, interval, method)
    level, how = frame["level"], frame["method"]
    block = ledger.get_spec(store, fit.spec_id).spec.outcomes
    labels = (fit.health or {}).get("cross_identifiability") or []
    effects = []
    for i, e in enumerate(block.cross_effects):
        kappa = summarize(eff.kappa[:, i], level, how)
        effects.append(
            {
                "source": e.source,
                "target": e.target,
                "type": e.type,
                "lag": e.lag,
                "modulator": e.modulator,
                **{k: kappa[k] for k in ("mean", "median", "sd", "lo", "hi")},
                "routed": summarize(eff.routed[:, i], level, how),
                "verdict": verdict(kappa["lo"], kappa["hi"]),
                "identifiability": labels[i] if i < len(labels) else dict(NOT_ASSESSED),
            }
        )
    body = {
        "outcomes": list(eff.outcomes),
        "effects": effects,
        "residual_correlation": _correlations(eff, level, how),
        "units": "kappa: target units per source unit; routed: target units over the whole data",
        "interval": interval_info(level, how),
    }
    return results._finish(store, frame, body)


def verdict(lo: float, hi: float) -> str:
    """The one rule for an interval's sign: spanning 0 is "not distinguishable from zero" (the report applies it to
    contributions and correlations too)."""
    if lo <= 0 <= hi:
        return NOT_DISTINGUISHABLE
    return "negative (takes from the target)" if hi < 0 else "positive (adds to the target)"


def _correlations(eff: MultiEffects, level: float, method: Any) -> list[dict[str, Any]]:
    out = []
    for a in range(len(eff.outcomes)):
        for b in range(a + 1, len(eff.outcomes)):
            est = summarize(eff.resid_corr[:, a, b], level, method)
            out.append({"a": eff.outcomes[a], "b": eff.outcomes[b], **{k: est[k] for k in ("mean", "lo", "hi")}})
    return out


def outcome_effects(
    store: Store,
    fit_id: str,
    name: str | None = None,
    interval: float | None = None,
    method: str | None = None,
    allow_unhealthy: bool = False,
) -> dict[str, Any]:
    """What each channel and control moves in each outcome (contribution incl. routed cross-effects, KPI units of
    the outcome; channels also ROI), ranked per driver by the outcome it lifts most; ``name`` limits the answer to
    one channel or control."""
    fit = results.decision_fit(store, fit_id, allow_unhealthy)
    eff = require_multi(store, fit_id)
    frame = results._frame(store, fit, interval, method)
    level, how = frame["level"], frame["method"]
    channels, controls = list(eff.total.channels), list(eff.control_names)
    wanted = resolve_name(name, channels + controls, DRIVER_NOT_FOUND) if name else None
    drivers: dict[str, Any] = {}
    for c, ch in enumerate(channels):
        if wanted in (None, ch):
            drivers[ch] = _driver(eff, "channel", [e.contribution_total[:, c] for e in eff.per_outcome], level, how)
            for k, e in enumerate(eff.per_outcome):
                drivers[ch]["outcomes"][eff.outcomes[k]]["roi"] = summarize(e.roi[:, c], level, how)
    not_shown = []
    for j, ctrl in enumerate(controls):
        if wanted in (None, ctrl) and not eff.control_zero_in_range[j]:
            not_shown.append(ctrl)
        elif wanted in (None, ctrl):
            draws = [eff.control_total[:, j, k] for k in range(len(eff.outcomes))]
            drivers[ctrl] = _driver(eff, "control", draws, level, how)
    body = {
        "outcomes": list(eff.outcomes),
        "drivers": drivers,
        "controls_counterfactual": CONTROL_COUNTERFACTUAL,
        "controls_not_shown": {c: ZERO_OUT_OF_RANGE for c in not_shown},
        "interval": interval_info(level, how),
    }
    return results._finish(store, frame, body)


def _driver(eff: MultiEffects, kind: str, draws: list[np.ndarray], level: float, how: Any) -> dict[str, Any]:
    per = {n: {"contribution": summarize(d, level, how)} for n, d in zip(eff.outcomes, draws, strict=True)}
    means = {n: float(np.mean(d)) for n, d in zip(eff.outcomes, draws, strict=True)}
    return {"kind": kind, "outcomes": per, "lifts_most": max(means, key=means.get)}


DRIVER_NOT_FOUND = Wording(
    MMMError, "{name!r} is not a channel or control of this fit.", "Channels and controls: {known}.", "unknown_channel"
)


__all__ = [
    "CONTROL_COUNTERFACTUAL",
    "NOT_DISTINGUISHABLE",
    "ZERO_OUT_OF_RANGE",
    "cross_effects",
    "outcome_effects",
    "require_multi",
    "verdict",
]
