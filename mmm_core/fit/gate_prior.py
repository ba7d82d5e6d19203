"""Pre-fit gate, prior-predictive part: do the priors imply a plausible KPI, and do the media move under them?

Draws come from :func:`mmm_core.fit.prior_check.prior_predictive`: ``kpi [S, T, G]`` in the KPI's units,
``media_contribution`` and ``media_features [S, T, G, C]``. Thresholds are listed in :mod:`mmm_core.fit.gate`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from mmm_core.fit.checks import Check, magnitude, passed


def time_std(x: np.ndarray) -> np.ndarray:
    """Std over time per geo (and per channel): ``x [T, G, ...]`` → ``[G, ...]``."""
    return np.nanstd(x, axis=0)


def usable_channels(spend: np.ndarray) -> np.ndarray:
    """Channels that vary over time somewhere; degenerate ones are reported by ``check_channel_spend``."""
    return time_std(spend).max(axis=0) > 1e-9 * np.maximum(np.abs(spend).mean(axis=(0, 1)), 1e-300)


def _draw_means(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per-draw mean of ``x [S, T, G]`` over observed cells → ``[S]``."""
    m = mask[None].astype(float)
    return (np.nan_to_num(x) * m).sum(axis=(1, 2)) / max(float(m.sum()), 1.0)


def check_prior_kpi_range(pp_kpi: np.ndarray, kpi: np.ndarray, kpi_mask: np.ndarray) -> Check:
    """The priors should put the KPI's level within an order of magnitude of what was observed: the central
    90 % of prior-predictive mean KPI must overlap 0.1× … 10× the observed mean. A prior that misses by more
    makes the sampler spend warm-up crossing orders of magnitude and shapes the answer with an impossible belief."""
    thr = "warn when the central 90 % of prior mean KPI misses 0.1× … 10× the observed mean"
    ref = float(np.mean(kpi[kpi_mask]))
    if not ref > 0:
        return passed("prior_kpi_range", None, thr, "Not applicable: the observed KPI mean is not positive.")
    lo, hi = np.quantile(_draw_means(pp_kpi, kpi_mask), [0.05, 0.95])
    details = {"prior_mean_kpi_q05": float(lo), "prior_mean_kpi_q95": float(hi), "observed_mean_kpi": ref}
    if hi < 0.1 * ref or lo > 10 * ref:
        return Check(
            "prior_kpi_range",
            "warn",
            float(np.median([lo, hi]) / ref),
            thr,
            f"The priors imply a mean "
            f"KPI of {lo:.3g} … {hi:.3g} against an observed {ref:.3g}: off by orders of magnitude. Put "
            "the intercept and effect priors on the KPI's scale (or let the engine scale the KPI).",
            details,
        )
    return passed(
        "prior_kpi_range", float((lo + hi) / 2 / ref), thr, "The priors imply a plausible KPI level.", **details
    )


def check_prior_negative_kpi(pp_kpi: np.ndarray, kpi: np.ndarray, kpi_mask: np.ndarray) -> Check:
    """For a KPI that is never negative, some prior mass below zero is harmless (Gaussian noise near zero), but
    more than 20 % means the priors believe in negative sales."""
    thr = "warn when > 20 % of prior-predictive KPI is negative and the observed KPI never is"
    share = float(np.mean(pp_kpi[:, kpi_mask] < 0))
    if np.min(kpi[kpi_mask]) < 0 or share <= 0.2:
        return passed("prior_negative_kpi", share, thr, f"{share:.0%} of prior-predictive KPI is negative.")
    return Check(
        "prior_negative_kpi",
        "warn",
        share,
        thr,
        f"{share:.0%} of prior-predictive KPI values are "
        "negative although the KPI never is: narrow the intercept, trend and control priors, or use a "
        "multiplicative (log) likelihood.",
    )


def check_prior_media_share(pp_kpi: np.ndarray, contribution: np.ndarray, kpi_mask: np.ndarray) -> Check:
    """Prior median of total media contribution / total KPI. Media typically drive a few to ~40 % of sales; a
    prior centred above 90 % leaves no room for a baseline (negative baselines follow), one below 0.1 % says
    media cannot matter, so the data would have to fight the prior to find any effect."""
    thr = "warn when the prior median media share is > 90 % or < 0.1 %"
    media = (np.nan_to_num(contribution).sum(axis=-1) * kpi_mask[None]).sum(axis=(1, 2))
    total = (np.nan_to_num(pp_kpi) * kpi_mask[None]).sum(axis=(1, 2))
    share = float(np.median(np.where(total > 0, media / np.where(total > 0, total, 1.0), np.nan)))
    if not math.isfinite(share):
        return Check(
            "prior_media_share",
            "warn",
            None,
            thr,
            "The prior-predictive KPI total is never positive; media shares are undefined. Check the intercept prior.",
        )
    if share > 0.9 or share < 0.001:
        side = "leaves no room for a baseline" if share > 0.9 else "says media cannot matter"
        return Check(
            "prior_media_share",
            "warn",
            share,
            thr,
            f"The priors put media's share of the KPI at {share:.2g}, "
            f"which {side}. Re-centre the effect priors (e.g. an expected media share of 10–40 %).",
        )
    return passed("prior_media_share", share, thr, f"The priors put media at about {share:.0%} of the KPI.")


def _flat_fraction(features: np.ndarray, kpi_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per channel: the share of prior draws in which the transformed series is flat over time in every geo,
    and the mean feature level ``[C]``. Flat = temporal std below 1e-3 × max(1, |feature|max): saturation
    output lies in [0, 1], so that is 0.1 % of the whole response range — no coefficient prior can make a
    variation that small explain a KPI that moves by percent."""
    m = kpi_mask[None, :, :, None].astype(float)
    n = np.maximum(m.sum(axis=1, keepdims=True), 1.0)
    f = np.nan_to_num(features)
    mean = (f * m).sum(axis=1, keepdims=True) / n
    sd = np.sqrt((((f - mean) ** 2) * m).sum(axis=1) / n[:, 0])  # [S, G, C]
    tol = 1e-3 * np.maximum(1.0, np.abs(f).max(axis=(1, 2)))  # [S, C]
    flat = (sd.max(axis=1) < tol).mean(axis=0)
    return flat, mean[:, 0].mean(axis=(0, 1))


def check_media_flat(
    features: np.ndarray, spend: np.ndarray, kpi_mask: np.ndarray, channel_names: Sequence[str]
) -> Check:
    """The seed-004 failure: transformed media that are constant over time under the prior (saturated at 1, or
    stuck at 0) cannot explain any movement in the KPI, so the fit can only ever predict the intercept. Blocking
    when a channel is flat in most (> 50 %) prior draws; a warning above 10 %."""
    name, thr = "media_flat_under_prior", "fail when flat in > 50 % of prior draws; warn > 10 %"
    usable = usable_channels(spend)
    frac, level = _flat_fraction(features, kpi_mask)
    frac = np.where(usable, frac, 0.0)
    details = {"flat_fraction": dict(zip(channel_names, frac))}
    flat = [c for c in range(len(channel_names)) if frac[c] > 0.5]
    if not flat:
        some = [channel_names[c] for c in range(len(channel_names)) if frac[c] > 0.1]
        if some:
            return Check(
                name,
                "warn",
                float(frac.max()),
                thr,
                f"Under the prior, {', '.join(some)} are often flat "
                "over time (saturated or stuck at zero); narrow the saturation half-point prior around "
                "the observed spend range.",
                details,
            )
        return passed(name, float(frac.max()), thr, "Transformed media vary over time under the prior.", **details)
    spend_med = float(np.median(spend[..., flat][spend[..., flat] > 0]))
    saturated = [channel_names[c] for c in flat if level[c] > 0.5]
    stuck = [channel_names[c] for c in flat if level[c] <= 0.5]
    every = len(flat) == int(usable.sum())
    who = (
        "every channel is"
        if every
        else f"{', '.join(channel_names[c] for c in flat)} " + ("is" if len(flat) == 1 else "are")
    )
    if saturated:
        how = (
            f"{who} saturated from the first dollar"
            if every or not stuck
            else (f"{', '.join(saturated)} saturate from the first dollar and {', '.join(stuck)} stay at zero")
        )
        cause = f"with spend in raw units (~{magnitude(spend_med)}) and a saturation prior on unit scale, {how}"
    else:
        cause = f"with spend at ~{magnitude(spend_med)} and a saturation prior far above it, {who} stuck at zero"
    outcome = (
        "so the fit can only explain sales with the intercept (the 'seed-004' failure)"
        if every
        else f"so {'its effect' if len(flat) == 1 else 'their effects'} cannot be estimated and will be "
        "confounded with the intercept"
    )
    reason = (
        f"{cause[0].upper()}{cause[1:]}: the transformed series is flat, {outcome}. Fix: let the engine "
        "scale spend by its mean (default) or set the saturation half-point prior in spend units."
    )
    return Check(
        name,
        "fail",
        float(frac.max()),
        thr,
        reason,
        {**details, "channels": [channel_names[c] for c in flat], "all_channels": every},
    )


def prior_checks(
    pp: Mapping[str, np.ndarray], spend: np.ndarray, kpi: np.ndarray, mask: np.ndarray, names: list[str]
) -> list[Check]:
    out: list[Check] = []
    pp_kpi = np.asarray(pp["kpi"], float) if "kpi" in pp else None
    if pp_kpi is not None and mask.any():
        out += [check_prior_kpi_range(pp_kpi, kpi, mask), check_prior_negative_kpi(pp_kpi, kpi, mask)]
        if "media_contribution" in pp:
            out.append(check_prior_media_share(pp_kpi, np.asarray(pp["media_contribution"], float), mask))
    if "media_features" in pp:
        out.append(check_media_flat(np.asarray(pp["media_features"], float), spend, mask, names))
    return out
