"""The long-term step of a fit job (specs with a ``long_term`` block): after step 1 is sampled and reviewed, fit
the VAR-X of step 2, add its health checks to the review, and hand its draws to registration (``long_term.npz``
beside the fit's other artifacts, written in the same all-or-nothing staging folder).

Health checks (each a reason a marketer can act on):

- ``long_term_stability``: the share of explosive VAR draws. 0 % passes; up to half warns (they are excluded from
  every summary and counted); more than half fails and nothing is summarised as an ROI.
- ``long_term_plausibility``: per channel, a long-term ROI credibly above zero (its 5 % quantile > 0) and more than
  20x the short-term ROI fails — the magnitude the system this learns from presented as a finding (short ROI $0,
  long ROI $1,195 per $1). 20x is the brief's bound: brand effects in published long-term studies run at 1-3x the
  short-term effect, so 20x is an order of magnitude past the literature, not a close call. An impulse response
  of base sales still at half its peak at the end of the horizon also fails: the long-term ROI would then be an
  artifact of where the horizon stops.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from mmm_core.data.queries import panel
from mmm_core.effects.long_term import LongTermDraws, compute_long_term, save_long_term
from mmm_core.fit.checks import Check, summarise, worst
from mmm_core.fit.records import FitOutcome

ARTIFACT = "long_term.npz"
IMPUTATIONS = 16  # step-1 draws the VAR is fitted on (engine.bvar: why multiple imputation, and its cost)
FULL_SAMPLER = {"chains": 2, "warmup": 500, "draws": 250}
QUICK_SAMPLER = {"chains": 1, "warmup": 150, "draws": 100}  # a quick (approximate) fit gets a short VAR run too
QUICK_IMPUTATIONS = 4
LONG_TO_SHORT_MAX = 20.0
STILL_AT_PEAK = 0.5  # |IRF at the horizon's end| / |peak| above this: the response has not decayed
STABLE_WARN = 0.0
STABLE_FAIL = 0.5


def var_settings(block: Any, seed: int, quick: bool):
    """The engine's VAR settings from the spec's ``long_term`` block (the spec owns every default)."""
    from mmm_core.engine.bvar import MinnesotaPrior, VARSettings  # lazy: JAX; only fits with a long_term block

    p = block.prior
    prior = MinnesotaPrior(p.own_lag_mean, p.overall_tightness, p.cross_tightness, p.lag_decay, p.exogenous_sd)
    sampler = QUICK_SAMPLER if quick else FULL_SAMPLER
    return VARSettings(block.lags, prior, difference=block.stationarity == "difference", seed=seed, **sampler)


def metric_series(store, spec, periods) -> np.ndarray:
    """[T,M] the brand metrics, national (mean over geographies with a value), on the fit's periods (NaN where
    unobserved)."""
    names = spec.long_term.metric_names
    grid = panel(store, spec.dataset_id, names)
    with np.errstate(all="ignore"):
        values = np.nanmean(grid.values, axis=1) if grid.values.shape[1] > 1 else grid.values[:, 0]
    rows = pd.DatetimeIndex(grid.periods).get_indexer(pd.DatetimeIndex(pd.to_datetime(np.asarray(periods))))
    out = np.full((len(rows), len(names)), np.nan)
    out[rows >= 0] = values[rows[rows >= 0]]
    return out


def stability_check(d: LongTermDraws) -> Check:
    share = d.explosive_share
    status = "pass" if share <= STABLE_WARN else ("warn" if share <= STABLE_FAIL else "fail")
    reason = (
        "Every VAR draw is stable (shocks die out)."
        if status == "pass"
        else f"{int((~d.stable).sum())} of {d.stable.size} VAR draws ({share:.1%}) are explosive and excluded from "
        "every long-term summary."
        + (
            " That is most of them: no long-term ROI is reported. Use fewer lags, 'detrend' or 'difference' "
            "stationarity, or tighter priors (long_term.prior)."
            if status == "fail"
            else ""
        )
    )
    details = {"explosive_draws": int((~d.stable).sum()), "draws": int(d.stable.size), **d.diagnostics}
    return Check(
        "long_term_stability", status, share, f"explosive share 0 pass, ≤ {STABLE_FAIL:.0%} warn", reason, details
    )


def plausibility_check(d: LongTermDraws) -> Check:
    """Fail on a long-term ROI credibly > 20x the short-term one, or a base-sales response that has not decayed."""
    keep = d.stable
    if not keep.any():
        return Check("long_term_plausibility", "fail", None, "", "No stable VAR draw to judge.", {})
    problems, doubts, ratios = [], [], {}
    for c, name in enumerate(d.channels):
        long, short = d.long_roi[keep, c], d.short_roi[keep, c]
        ratio = float(np.median(long) / max(abs(float(np.median(short))), 1e-12))
        ratios[name] = ratio
        if np.quantile(long, 0.95) < 0:
            # Advertising that credibly *erodes* base sales through brand metrics is not a brand effect anyone
            # measures; on our truths it came from the VAR absorbing a trend the channel's spend shares.
            doubts.append(f"{name}: long-term ROI {np.median(long):.3g} is credibly below zero (not a plausible brand")
            doubts[-1] += " effect; most likely a trend or confounder shared with its spend — treat it as unmeasured)"
        if np.quantile(long, 0.05) > 0 and ratio > LONG_TO_SHORT_MAX:
            problems.append(
                f"{name}: long-term ROI {np.median(long):.3g} is {ratio:.0f}x its short-term ROI "
                f"{np.median(short):.3g} (limit {LONG_TO_SHORT_MAX:.0f}x)"
            )
        irf = np.abs(d.irf[keep, :, 0, c].mean(axis=0))
        if irf.max() > 0 and irf[-1] / irf.max() > STILL_AT_PEAK and np.quantile(long, 0.05) > 0:
            problems.append(
                f"{name}: the base-sales response is still at {irf[-1] / irf.max():.0%} of its peak after "
                f"{d.horizon} periods (it does not decay; the ROI depends on where the horizon stops)"
            )
    if problems:
        reason = "Implausible long-term effects: " + "; ".join(problems + doubts) + ". Check the VAR's stationarity "
        reason += "setting and priors, or treat the long-term split as unmeasured."
        return Check("long_term_plausibility", "fail", max(ratios.values()), _threshold(), reason, {"ratio": ratios})
    if doubts:
        reason = "Doubtful long-term effects: " + "; ".join(doubts) + "."
        return Check("long_term_plausibility", "warn", max(ratios.values()), _threshold(), reason, {"ratio": ratios})
    reason = "Long-term ROIs are within 20x the short-term ones and every response decays within the horizon."
    return Check("long_term_plausibility", "pass", max(ratios.values()), _threshold(), reason, {"ratio": ratios})


def _threshold() -> str:
    return f"long/short ROI ≤ {LONG_TO_SHORT_MAX:.0f}x; IRF at horizon < {STILL_AT_PEAK:.0%} of peak"


def with_checks(health: dict[str, Any], checks: list[Check]) -> dict[str, Any]:
    """The stored health dict with ``checks`` appended; overall status and summary recomputed."""
    rows = list(health.get("checks", [])) + [c.to_dict() for c in checks]
    as_checks = [Check(r["name"], r["status"], r["value"], r["threshold"], r["reason"]) for r in rows]
    subject = "Health review (approximate fit)" if health.get("approximate") else "Health review"
    return {
        **health,
        "checks": rows,
        "overall": worst([r["status"] for r in rows]),
        "summary": summarise(as_checks, subject),
    }


def attach_long_term(store, spec, data, outcome: FitOutcome, report, timer) -> FitOutcome:
    """Step 2 on a sampled step 1: the VAR, its checks in the health review, its draws as an artifact."""
    from mmm_core.engine.posterior import Posterior  # lazy: JAX, as in fit.job

    block, settings = spec.long_term, outcome.settings
    report(0.92, "long-term model: Bayesian VAR over base sales and brand metrics")
    with timer.phase("long_term"):
        post = Posterior.from_fit(outcome.result, data)
        draws = compute_long_term(
            post,
            np.asarray(outcome.effects.roi),
            metric_series(store, spec, data.periods),
            tuple(block.metric_names),
            var_settings(block, settings.seed, settings.quick),
            block.horizon,
            block.stationarity,
            QUICK_IMPUTATIONS if settings.quick else IMPUTATIONS,
        )
    health = with_checks(outcome.health, [stability_check(draws), plausibility_check(draws)])
    extra = dict(getattr(outcome, "extra_artifacts", {}) or {}) | {ARTIFACT: save_long_term(draws)}
    return replace(outcome, health=health, extra_artifacts=extra)
