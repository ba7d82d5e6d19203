"""Effects over part of the data: a calendar window of periods, or one geography — from the same posterior draws.

A channel's contribution in a window is the sum of its per-period contribution draws over the window's periods
(``contribution_period`` [S,T,C]); its ROI there is that sum divided by the spend of the same periods, draw by
draw, so the interval is the posterior's. The contribution of a period includes the carry-over (adstock) of spend
from earlier periods: that is what the model attributes to those weeks. Per geography, contributions and spend
are summed over all periods (``contribution_geo`` [S,G,C]); a window *and* a geography together are not stored
(that would need the [S,T,G,C] array, which is never kept) and are refused with that reason.

Marginal ROI is defined at the whole data's spend level only, so windowed and per-geo tables leave it out.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from mmm_core.effects.draws import EffectDraws, _ratio
from mmm_core.effects.intervals import DEFAULT_LEVEL, DEFAULT_METHOD, EffectsError, Method, interval_info, stats
from mmm_core.jsonable import to_jsonable

BASELINE = "baseline"


def _table(
    contribution: np.ndarray, spend: np.ndarray, channels: tuple[str, ...], level: float, method: Method
) -> dict[str, dict[str, Any]]:
    """Per channel ``{spend, contribution, roi}`` from contribution draws [S,C] and spend [C]."""
    s = {
        "contribution": stats(contribution, level, method),
        "roi": stats(_ratio(contribution, spend[None]), level, method),
    }
    return {
        ch: {"spend": float(spend[i]), **{q: to_jsonable({k: v[i] for k, v in s[q].items()}) for q in s}}
        for i, ch in enumerate(channels)
    }


def _header(eff: EffectDraws, level: float, method: Method) -> dict[str, Any]:
    return {"interval": interval_info(level, method), "approximate": eff.approximate, "n_draws": eff.n_draws}


def window_roi_table(
    eff: EffectDraws,
    mask: np.ndarray,
    spend: np.ndarray,
    level: float = DEFAULT_LEVEL,
    method: Method = DEFAULT_METHOD,
) -> dict[str, Any]:
    """ROI and contribution per channel over the periods in ``mask`` [T] (bool); ``spend`` [C]: each channel's
    spend over those periods (user units)."""
    mask = _check_mask(eff, mask)
    contribution = eff.contribution_period[:, mask, :].sum(axis=1, dtype=np.float64)
    return {"channels": _table(contribution, np.asarray(spend, np.float64), eff.channels, level, method),
            **_header(eff, level, method)}  # fmt: skip


def window_contribution_rows(
    eff: EffectDraws, mask: np.ndarray, level: float = DEFAULT_LEVEL, method: Method = DEFAULT_METHOD
) -> list[dict[str, Any]]:
    """Contribution per channel and the baseline over the periods in ``mask``, with intervals."""
    mask = _check_mask(eff, mask)
    media = eff.contribution_period[:, mask, :].sum(axis=1, dtype=np.float64)
    base = eff.baseline[:, mask, :].sum(axis=(1, 2), dtype=np.float64)[:, None]
    s = stats(np.concatenate([media, base], axis=1), level, method)
    labels = [*eff.channels, BASELINE]
    return [{"channel": c, **to_jsonable({k: v[j] for k, v in s.items()})} for j, c in enumerate(labels)]


def geo_index(eff: EffectDraws, geo: str) -> int:
    """Position of geography ``geo`` (case-insensitive); unknown names are refused with the list."""
    folded = {g.casefold(): i for i, g in enumerate(eff.geos)}
    if geo.casefold() not in folded:
        raise EffectsError(
            f"No geography called {geo!r} in this fit.",
            hint=f"Geographies in this fit: {', '.join(eff.geos)}."
            if len(eff.geos) > 1
            else "This fit is national: it has no per-geography effects.",
            code="geo_not_found",
        )
    return folded[geo.casefold()]


def geo_roi_table(
    eff: EffectDraws, geo: str, level: float = DEFAULT_LEVEL, method: Method = DEFAULT_METHOD
) -> dict[str, Any]:
    """ROI and contribution per channel in one geography, summed over all periods."""
    g = geo_index(eff, geo)
    contribution = np.asarray(eff.contribution_geo[:, g, :], np.float64)
    return {"channels": _table(contribution, np.asarray(eff.spend_geo[g], np.float64), eff.channels, level, method),
            **_header(eff, level, method)}  # fmt: skip


def windowed(eff: EffectDraws, mask: np.ndarray, spend: np.ndarray) -> EffectDraws:
    """``eff`` with its totals replaced by the window's (contribution over the periods in ``mask``, ``spend``
    [C] over them), so every total-based table (ROI, comparisons) reads the window. Marginal ROI and shares stay
    whole-data quantities: use this for ROI and comparisons only."""
    mask = _check_mask(eff, mask)
    total = eff.contribution_period[:, mask, :].sum(axis=1, dtype=np.float64)
    return dataclasses.replace(eff, contribution_total=total, spend_total=np.asarray(spend, np.float64))


def _check_mask(eff: EffectDraws, mask: np.ndarray) -> np.ndarray:
    mask = np.asarray(mask, bool)
    if mask.shape != (len(eff.periods),) or not mask.any():
        raise EffectsError(
            "The window selects no period of this fit.",
            hint=f"The fit covers {eff.periods[0]} to {eff.periods[-1]}.",
            code="period_out_of_range",
        )
    return mask


__all__ = ["geo_index", "geo_roi_table", "window_contribution_rows", "window_roi_table", "windowed"]
