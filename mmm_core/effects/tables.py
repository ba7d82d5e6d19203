"""Effects of a fitted MMM: contributions, ROI, mROI, P(ROI_A > ROI_B), response and adstock curves.

Pure functions over a posterior (no store, no provenance: the caller adds ``provenance``). The expensive part,
counterfactual prediction, runs once per fit (:func:`compute_effects` → :class:`EffectDraws`, storable with
:func:`save_effect_draws`); every summary below is then a cheap reduction of those draws. Every estimate is
``{mean, median, sd, lo, hi}`` and every result states its ``interval: {level, method}`` — there is no
function here that returns a bare ROI number.

Public API::

    eff = compute_effects(post)                        # EffectDraws
    roi_table(eff, level=0.9, method="equal_tailed")   # {channels: {NAME: {spend, contribution, roi, mroi}}, ...}
    compare(eff, "Search", "Social")                   # {prob, roi_a, roi_b, diff, ...}
    contribution_rows(eff, by="period")                # [{period, channel, mean, median, sd, lo, hi}, ...]
    best_worst(eff)                                    # highest / lowest median ROI with P(best), P(worst)
    response_curve(post, "Search")                     # contribution and ROI at 0..2 × observed spend
    adstock_curve(post, "Search")                      # carry-over weights by lag
    summary_rows(eff, fit_id=...)                      # tuples for DuckDB `posterior_summary`
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core.effects.curves import adstock_curve, response_curve
from mmm_core.effects.draws import EffectDraws, compute_effects, is_separable, load_effect_draws, save_effect_draws
from mmm_core.effects.intervals import (
    DEFAULT_LEVEL,
    DEFAULT_METHOD,
    EffectsError,
    Method,
    interval_info,
    stats,
    summarize,
)
from mmm_core.jsonable import to_jsonable

__all__ = [
    "EffectDraws",
    "EffectsError",
    "compute_effects",
    "is_separable",
    "save_effect_draws",
    "load_effect_draws",
    "summarize",
    "roi_table",
    "compare",
    "best_worst",
    "contribution_rows",
    "response_curve",
    "adstock_curve",
    "summary_rows",
    "SUMMARY_COLUMNS",
    "CONTRIBUTION_BY",
]

BASELINE = "baseline"  # the channel label of baseline rows in decompositions
MEDIA = "all_media"  # the channel label of total-media rows
CONTRIBUTION_BY = ("channel", "period", "geo", "channel_period", "channel_geo")
SUMMARY_COLUMNS = ("fit_id", "quantity", "channel", "geo", "period", "mean", "sd", "lo", "hi", "interval", "method")


def _header(eff: EffectDraws, level: float, method: Method) -> dict[str, Any]:
    """Fields every result carries: the interval's definition and whether the posterior is approximate."""
    return {
        "interval": interval_info(level, method),
        "approximate": eff.approximate,
        "label": eff.label,
        "n_draws": eff.n_draws,
        "computation": eff.computation,
    }


def roi_table(eff: EffectDraws, level: float = DEFAULT_LEVEL, method: Method = DEFAULT_METHOD) -> dict[str, Any]:
    """Per channel: total ``spend``, ``contribution`` (KPI units), its ``share`` of the model's KPI, ``roi``
    (contribution / spend) and ``mroi`` (KPI per extra unit of spend at +1%); plus the joint ``media_share``."""
    s = {
        name: stats(x, level, method)
        for name, x in (
            ("contribution", eff.contribution_total),
            ("share", eff.channel_share),
            ("roi", eff.roi),
            ("mroi", eff.mroi),
        )
    }
    channels = {
        ch: {"spend": float(eff.spend_total[i]), **{q: to_jsonable({k: v[i] for k, v in s[q].items()}) for q in s}}
        for i, ch in enumerate(eff.channels)
    }
    return {
        "channels": channels,
        "media_share": summarize(eff.media_share, level, method),
        **_header(eff, level, method),
    }


def compare(
    eff: EffectDraws, a: str, b: str, level: float = DEFAULT_LEVEL, method: Method = DEFAULT_METHOD
) -> dict[str, Any]:
    """P(ROI_a > ROI_b) over the joint posterior (the draws keep the correlation between channels).

    Ties count half (``prob = P(a > b) + P(a = b) / 2``), so ``compare(a, b)["prob"] + compare(b, a)["prob"]``
    is exactly 1 even for an approximate posterior that puts draws on a bound.
    """
    ia, ib = eff.channel_index(a), eff.channel_index(b)
    if ia == ib:
        raise EffectsError("Compare needs two different channels.", hint=f"Got {a!r} twice.")
    roi = eff.roi
    ra, rb = roi[:, ia], roi[:, ib]
    prob = float(np.mean(ra > rb) + 0.5 * np.mean(ra == rb))
    return {
        "a": a,
        "b": b,
        "prob": prob,
        "roi_a": summarize(ra, level, method),
        "roi_b": summarize(rb, level, method),
        "diff": summarize(ra - rb, level, method),
        **_header(eff, level, method),
    }


def best_worst(
    eff: EffectDraws,
    level: float = DEFAULT_LEVEL,
    method: Method = DEFAULT_METHOD,
    labels: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Channels with the highest and lowest median ROI, and each channel's probability of being best / worst
    (share of draws in which its ROI is the highest / lowest) — a ranking with its uncertainty.

    ``labels``: the fit's identifiability labels by channel; a best or worst channel that is not ``identified``
    then carries its ``identifiability`` and a ``caveat`` to print beside the claim (a prior-dominated channel is
    never called best or worst bare)."""
    roi = eff.roi
    median = np.median(roi, axis=0)
    n_c = roi.shape[1]
    p_best = np.bincount(np.argmax(roi, axis=1), minlength=n_c) / roi.shape[0]
    p_worst = np.bincount(np.argmin(roi, axis=1), minlength=n_c) / roi.shape[0]
    best, worst = int(np.argmax(median)), int(np.argmin(median))

    def entry(i: int, p: np.ndarray) -> dict[str, Any]:
        out = {"channel": eff.channels[i], "prob": float(p[i]), "roi": summarize(roi[:, i], level, method)}
        if labels is not None:
            lab = labels.get(eff.channels[i])
            out.update(identifiability=lab, caveat=ranking_caveat(lab))
        return out

    return {
        "best": entry(best, p_best),
        "worst": entry(worst, p_worst),
        "p_best": dict(zip(eff.channels, map(float, p_best))),
        "p_worst": dict(zip(eff.channels, map(float, p_worst))),
        **_header(eff, level, method),
    }


def ranking_caveat(label: dict[str, Any] | None) -> str | None:
    """Words to put beside a channel called best or worst when its ROI is not identified (None when it is)."""
    status = (label or {}).get("status")
    if status == "identified":
        return None
    if status == "prior":
        return "its ROI is prior-dominated (the data barely moved it), so this ranking is largely the prior's"
    if status == "weak":
        return f"its ROI is {label['label']}, so this ranking is uncertain for that reason"
    return "its identifiability was not assessed for this fit"


def _rows(draws: np.ndarray, labels: list[dict[str, Any]], level: float, method: Method) -> list[dict[str, Any]]:
    """One row per column of ``draws`` [S, N]: its labels plus the estimate (summarised in one pass)."""
    s = stats(draws.reshape(draws.shape[0], -1), level, method)
    return [{**lab, **to_jsonable({k: v[j] for k, v in s.items()})} for j, lab in enumerate(labels)]


def _decomposition(eff: EffectDraws, by: str) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Draws [S, N] and row labels of one decomposition (media rows, then baseline rows where defined)."""
    ch, geos, periods = eff.channels, eff.geos, eff.periods
    s = eff.n_draws
    if by == "channel":
        base = eff.baseline.sum(axis=(1, 2), dtype=np.float64)[:, None]
        return (
            np.concatenate([eff.contribution_total, base], axis=1),
            [{"channel": c} for c in ch] + [{"channel": BASELINE}],
        )
    if by == "period":  # each channel's series, then total media and baseline, per period (summed over geos)
        return _series(eff.contribution_period, eff.baseline.sum(axis=2, dtype=np.float64), "period", periods, ch)
    if by == "geo":  # each channel, then total media and baseline, per geo (summed over periods)
        return _series(eff.contribution_geo, eff.baseline.sum(axis=1, dtype=np.float64), "geo", geos, ch)
    if by == "channel_period":  # row-major [T, C]: all channels of one period together
        return eff.contribution_period.reshape(s, -1), [{"period": p, "channel": c} for p in periods for c in ch]
    if by == "channel_geo":
        return eff.contribution_geo.reshape(s, -1), [{"geo": g, "channel": c} for g in geos for c in ch]
    raise EffectsError(f"Unknown decomposition {by!r}.", hint=f"Use one of {', '.join(CONTRIBUTION_BY)}.")


def _series(
    per_channel: np.ndarray, base: np.ndarray, key: str, cells: tuple[str, ...], channels: tuple[str, ...]
) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Draws and labels of a per-``key`` decomposition: channel × cell rows ([S, N, C], cell-major), then the
    cell's total media (the sum of the channels' contributions, per draw) and its baseline."""
    s = per_channel.shape[0]
    media = per_channel.sum(axis=2, dtype=np.float64)
    draws = np.concatenate([per_channel.reshape(s, -1).astype(np.float64), media, base], axis=1)
    labels = [{key: x, "channel": c} for x in cells for c in channels]
    labels += [{key: x, "channel": MEDIA} for x in cells] + [{key: x, "channel": BASELINE} for x in cells]
    return draws, labels


def contribution_rows(
    eff: EffectDraws, by: str = "channel", level: float = DEFAULT_LEVEL, method: Method = DEFAULT_METHOD
) -> list[dict[str, Any]]:
    """Contributions (KPI units) with intervals, one row per ``by`` cell.

    ``channel``: each channel's total + a ``baseline`` row; ``period`` / ``geo``: each channel per period / geo
    (periods summed over geos, geos summed over periods), then total media (channel ``all_media``) and
    ``baseline`` per period / geo; ``channel_period`` / ``channel_geo``: each channel per period / geo only.
    Rows: ``{channel, period?, geo?, mean, median, sd, lo, hi}``.
    """
    draws, labels = _decomposition(eff, by)
    return _rows(draws, labels, level, method)


def summary_rows(
    eff: EffectDraws, level: float = DEFAULT_LEVEL, method: Method = DEFAULT_METHOD, fit_id: str | None = None
) -> list[tuple]:
    """Rows for ``posterior_summary`` in :data:`SUMMARY_COLUMNS` order; ``None`` for geo/period/channel where
    the quantity is not broken down that way (and for undefined values, e.g. the ROI of a geo without spend).

    Quantities: ``roi``, ``mroi``, ``contribution`` per channel; ``contribution_period`` per channel × period
    and ``baseline_period`` per period (summed over geos); ``contribution_geo`` and ``roi_geo`` per channel ×
    geo (summed over periods). Periods are ISO date strings.
    """
    interval_info(level, method)
    s, ch, geos, periods = eff.n_draws, eff.channels, eff.geos, eff.periods
    blocks = [
        ("roi", eff.roi, [(c, None, None) for c in ch]),
        ("mroi", eff.mroi, [(c, None, None) for c in ch]),
        ("contribution", eff.contribution_total, [(c, None, None) for c in ch]),
        ("contribution_period", eff.contribution_period.reshape(s, -1), [(c, None, p) for p in periods for c in ch]),
        ("baseline_period", eff.baseline.sum(axis=2, dtype=np.float64), [(None, None, p) for p in periods]),
        ("contribution_geo", eff.contribution_geo.reshape(s, -1), [(c, g, None) for g in geos for c in ch]),
        ("roi_geo", eff.roi_geo.reshape(s, -1), [(c, g, None) for g in geos for c in ch]),
    ]
    out: list[tuple] = []
    for quantity, draws, keys in blocks:
        st = to_jsonable(stats(draws, level, method))
        for j, (c, g, p) in enumerate(keys):
            out.append(
                (fit_id, quantity, c, g, p, st["mean"][j], st["sd"][j], st["lo"][j], st["hi"][j], float(level), method)
            )
    return out
