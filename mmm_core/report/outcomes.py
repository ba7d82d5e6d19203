"""The results of a report on a fit with several outcomes (issue 22): per-outcome ROI and contribution beside the
weighted total, cross-effects and what each channel or promotion moves in each outcome, the residual correlation,
the controls, health and the same disclosure every report carries.

Numbers come from the answers the CLI gives (``results.roi`` with its ``outcomes{}``, ``answers.outcomes``'s
``cross_effects`` and ``outcome_effects``), so the report says what ``roi --json`` and ``cross-effects --json``
say. A cross-effect, a channel's or a promotion's effect whose interval spans 0 is marked "not distinguishable from
zero" by the one rule in ``answers.outcomes``; the wording of each case lives in ``prompts/report/prose/multi``.

Sections that need a single-KPI posterior (response curves, the optimizer) are reported absent with the reason the
posterior loader gives, so the report follows what the product can do rather than a sentence of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core import effects, ledger
from mmm_core.answers import results
from mmm_core.answers.outcomes import NOT_DISTINGUISHABLE, cross_effects, outcome_effects, require_multi, verdict
from mmm_core.answers.planning import stored_plans
from mmm_core.effects.intervals import summarize
from mmm_core.errors import FitRefusedError
from mmm_core.fit import artifacts
from mmm_core.fit.multi_effects import ARTIFACT, MultiEffects
from mmm_core.jsonable import to_jsonable
from mmm_core.report.controls import multi_controls_block
from mmm_core.report.data import (
    BREAKEVEN_ROI,
    CURVE_DRAWS,
    dataset_block,
    fit_block,
    health_block,
    ledger_block,
    optimizer_block,
    spec_block,
)
from mmm_core.store import Store

LAYOUT = "multi"  # ``res["layout"]``: the templates under prompts/report/*/multi take precedence


def is_multi(store: Store, fit_id: str) -> bool:
    """A fit of several outcomes: its artifact folder holds the per-outcome draws (as ``outcome_tables`` reads)."""
    return (artifacts.fit_dir(store, fit_id) / ARTIFACT).exists()


def collect_multi(store: Store, fit_id: str, allow_unhealthy: bool = False) -> dict[str, Any]:
    """Everything the report states about the multi-outcome fit ``fit_id``, as plain JSON-able data."""
    roi = results.roi(store, fit_id, allow_unhealthy=allow_unhealthy)  # refuses an unhealthy fit unless allowed
    locked = ledger.get_spec(store, roi["provenance"]["spec_id"])
    eff = require_multi(store, fit_id)
    level, method = roi["interval"]["level"], roi["interval"]["method"]
    cross = cross_effects(store, fit_id, allow_unhealthy=allow_unhealthy)
    lifts = _lifts(outcome_effects(store, fit_id, allow_unhealthy=allow_unhealthy))
    observed = _observed(store, locked)
    post, refusal = _posterior(store, fit_id)
    out: dict[str, Any] = {
        "layout": LAYOUT,
        "fit": fit_block(store, fit_id, roi),
        "provenance": roi["provenance"],
        "spec": spec_block(locked) | {"kpi": " + ".join(eff.outcomes), "outcomes": _outcome_spec(locked, eff)},
        "ledger": ledger_block(store, locked),
        "data": _data_block(store, locked, eff, observed),
        "health": _health(store, fit_id, eff),
        "outcomes": _outcomes_block(roi, eff, level, method),
        "cross_effects": _cross_block(cross),
        "lifts": lifts,
        "controls": multi_controls_block(locked, lifts),
        "absent": {"curves": refusal, "optimizer": refusal},
        "optimizer": _optimizer(store, fit_id),
        "thresholds": {"roi_breakeven": BREAKEVEN_ROI},
        "charts": {
            "fitted": _fitted_series(eff, observed),
            "curves": _curves(post, level, method) if post is not None else None,
        },
    }
    out["findings"] = _findings(out)
    return to_jsonable(out)


# --- blocks ----------------------------------------------------------------------------------------------------


def _outcome_spec(locked: ledger.LockedSpec, eff: MultiEffects) -> dict[str, Any]:
    block = locked.spec.outcomes
    return {
        "names": list(eff.outcomes),
        "weights": {n: float(w) for n, w in zip(eff.outcomes, eff.weights, strict=True)},
        "weights_declared": bool(block.weights),  # False: 1 each by default
        "share_adstock": block.share_adstock,
        "share_saturation": block.share_saturation,
        "share_seasonality": block.share_seasonality,
        "lkj_eta": float(block.residual_correlation.lkj_eta),
        "n_cross_effects": len(block.cross_effects),
    }


def _observed(store: Store, locked: ledger.LockedSpec) -> np.ndarray:
    """[T, G, K] each outcome as the fit read it (NaN where not observed): one home for how outcomes are read."""
    from mmm_core.fit.multi import multi_inputs  # lazy: the engine's data records import JAX

    return np.asarray(multi_inputs(store, locked.spec).data.kpi, np.float64)


def _data_block(store: Store, locked: ledger.LockedSpec, eff: MultiEffects, observed: np.ndarray) -> dict[str, Any]:
    return dataset_block(store, locked, eff.total) | {
        "kpi": " + ".join(eff.outcomes),  # the page's header names what was modelled
        "outcomes": list(eff.outcomes),
        "n_outcomes": len(eff.outcomes),
        "outcome_totals": {n: float(np.nansum(observed[..., k])) for k, n in enumerate(eff.outcomes)},
        "outcome_coverage": {n: float(np.mean(~np.isnan(observed[..., k]))) for k, n in enumerate(eff.outcomes)},
    }


def _health(store: Store, fit_id: str, eff: MultiEffects) -> dict[str, Any]:
    """The single report's health block plus each outcome's own checks (``r2[NAME]`` …) grouped by outcome."""
    h = health_block(store, fit_id)
    per = {n: [c for c in h["checks"] if c["name"].endswith(f"[{n}]")] for n in eff.outcomes}
    joint = [c for c in h["checks"] if not any(c in rows for rows in per.values())]
    fit_stats = (h["diagnostics"] or {}).get("outcomes") or {}
    return h | {"joint_checks": joint, "by_outcome": per, "fit_stats": fit_stats}


def _outcomes_block(roi: dict[str, Any], eff: MultiEffects, level: float, method: Any) -> dict[str, Any]:
    """Per outcome: its weight, the ``roi --json`` channel table and its media share; the weighted total."""
    by_outcome = {}
    for name, e in zip(eff.outcomes, eff.per_outcome, strict=True):
        table = roi["outcomes"][name]
        chans = table["channels"]
        best = max(chans, key=lambda ch: chans[ch]["roi"]["mean"] or 0.0)
        by_outcome[name] = {
            "weight": table["weight"],
            "channels": chans,
            "media_share": summarize(e.media_share, level, method),
            "media_contribution": summarize(e.media_total, level, method),
            "best": best,
        }
    total = roi["channels"]
    return {
        "names": list(eff.outcomes),
        "by_outcome": by_outcome,
        "total": {
            "channels": total,
            "media_share": roi["media_share"],
            "best": max(total, key=lambda ch: total[ch]["roi"]["mean"] or 0.0),
            "total_is": roi["total_is"],
        },
    }


def _magnitude(est: dict[str, Any]) -> dict[str, Any]:
    """A negative estimate as the size of what is taken (interval ends swap), for "took Z (lo–hi) from …"."""
    return {"mean": -est["mean"], "lo": -est["hi"], "hi": -est["lo"]}


def _direction(est: dict[str, Any]) -> str:
    """``takes`` / ``adds`` / ``unclear`` by the one rule of ``answers.outcomes`` (interval spanning 0)."""
    if verdict(est["lo"], est["hi"]) == NOT_DISTINGUISHABLE:
        return "unclear"
    return "takes" if est["hi"] < 0 else "adds"


def _cross_block(cross: dict[str, Any]) -> dict[str, Any]:
    effects = []
    for e in cross["effects"]:
        kappa = {k: e[k] for k in ("mean", "median", "sd", "lo", "hi")}
        direction = _direction(kappa)
        routed = e["routed"]
        effects.append(
            {k: e[k] for k in ("source", "target", "type", "lag", "modulator", "verdict")}
            | {
                "identifiability": e.get(
                    "identifiability"
                ),  # weakly identified when collinear (fit.multi_identifiability)
                "kappa": kappa,
                "routed": routed,
                "direction": direction,
                "size": _magnitude(routed) if direction == "takes" else routed,
            }
        )
    corr = [c | {"direction": _direction(c)} for c in cross["residual_correlation"]]
    return {
        "effects": effects,
        "n_unclear": sum(e["direction"] == "unclear" for e in effects),
        "residual_correlation": corr,
        "units": cross["units"],
        "not_distinguishable": NOT_DISTINGUISHABLE,
    }


def _lifts(drivers: dict[str, Any]) -> dict[str, Any]:
    """What each channel and control moves in each outcome (routed cross-effects included), with a direction and,
    for a loss, its size: "TV lifts premium by X and value by Y"; "the promotion took Z from single-pack"."""
    out = {}
    for name, d in drivers["drivers"].items():
        per = {}
        for outcome, row in d["outcomes"].items():
            est = row["contribution"]
            direction = _direction(est)
            per[outcome] = {
                "contribution": est,
                "direction": direction,
                "size": _magnitude(est) if direction == "takes" else est,
            } | ({"roi": row["roi"]} if "roi" in row else {})
        out[name] = {"kind": d["kind"], "lifts_most": d["lifts_most"], "outcomes": per}
    return {
        "drivers": out,
        "controls_counterfactual": drivers["controls_counterfactual"],
        "controls_not_shown": drivers["controls_not_shown"],
    }


def _posterior(store: Store, fit_id: str) -> tuple[Any, str | None]:
    """(the fit's posterior of the weighted total, None), or (None, why not) in the loader's own words: the
    curves and the optimizer read it, and the report says why they are absent when it is refused."""
    try:
        return results.load_posterior(store, fit_id, outcomes=True), None
    except FitRefusedError as exc:
        return None, exc.message


def _curves(post, level: float, method: Any) -> dict[str, Any]:
    """Each channel's response curve of the weighted total (cross-effects included), as the single report's."""
    return {
        ch: effects.response_curve(post, ch, level=level, method=method, max_draws=CURVE_DRAWS) for ch in post.channels
    }


def _optimizer(store: Store, fit_id: str) -> dict[str, Any] | None:
    """The newest stored plan as the single report shows it, with its objective and what each outcome gains."""
    block = optimizer_block(store, fit_id)
    if block is None:
        return None
    plan = stored_plans(store, fit_id, "optimize")[-1]
    objective = plan.get("objective") or {}
    return block | {"objective": objective.get("description"), "outcomes": plan.get("outcomes")}


def _fitted_series(eff: MultiEffects, observed: np.ndarray) -> dict[str, Any]:
    """Per outcome and period: observed total and the posterior-mean fitted total over the cells observed."""
    seen = ~np.isnan(observed)
    fitted = np.where(seen, np.asarray(eff.mu_mean, np.float64), 0.0).sum(axis=1)  # [T, K]
    obs = np.where(seen, observed, 0.0).sum(axis=1)
    any_seen = seen.any(axis=1)
    return {
        "periods": list(eff.total.periods),  # labels already (``fit.multi_effects``)
        "outcomes": {
            n: {
                "observed": [float(v) if ok else None for v, ok in zip(obs[:, k], any_seen[:, k])],
                "fitted": [float(v) if ok else None for v, ok in zip(fitted[:, k], any_seen[:, k])],
            }
            for k, n in enumerate(eff.outcomes)
        },
    }


# --- findings: the few facts the executive summary states ----------------------------------------------------


def _findings(r: dict[str, Any]) -> dict[str, Any]:
    total = r["outcomes"]["total"]["channels"]
    below = [ch for ch, c in total.items() if c["roi"]["hi"] is not None and c["roi"]["hi"] < BREAKEVEN_ROI]
    above = [ch for ch, c in total.items() if c["roi"]["lo"] is not None and c["roi"]["lo"] > BREAKEVEN_ROI]
    effects = r["cross_effects"]["effects"]
    return {
        "best_total": r["outcomes"]["total"]["best"],
        "best_by_outcome": {n: o["best"] for n, o in r["outcomes"]["by_outcome"].items()},
        "below_breakeven": below,
        "above_breakeven": above,
        "unclear": [ch for ch in total if ch not in below and ch not in above],
        "largest_spend": max(r["data"]["spend"], key=r["data"]["spend"].get),
        "clear_effects": [e for e in effects if e["direction"] != "unclear"],
        "unclear_effects": [e for e in effects if e["direction"] == "unclear"],
    }


__all__ = ["LAYOUT", "collect_multi", "is_multi"]
