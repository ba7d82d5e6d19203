"""Posterior summaries: every estimate is ``{mean, median, sd, lo, hi}`` with a stated interval.

Two interval methods, both computed along the draw axis (axis 0) and vectorised over any trailing axes:

- ``equal_tailed``: the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles. Invariant to monotone
  transforms (the interval of 1/ROI is 1/the interval of ROI), so it is the default.
- ``hdi``: the narrowest interval holding ``level`` of the draws (sorted-window search, as ArviZ does).
  Better for skewed quantities near a bound (a small ROI), but not transform-invariant.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from mmm_core.errors import MMMError
from mmm_core.jsonable import to_jsonable

Method = Literal["equal_tailed", "hdi"]
METHODS = ("equal_tailed", "hdi")
DEFAULT_LEVEL = 0.9
DEFAULT_METHOD: Method = "equal_tailed"


class EffectsError(MMMError):
    """A question about effects that cannot be answered as asked (unknown channel, bad level, ...)."""

    code = "effects"


def check_interval(level: float, method: str) -> None:
    """Refuse an interval we would otherwise have to guess at."""
    if not 0.0 < float(level) < 1.0:
        raise EffectsError(f"Interval level {level} is not between 0 and 1.", hint="e.g. 0.9 for a 90% interval.")
    if method not in METHODS:
        raise EffectsError(f"Unknown interval method {method!r}.", hint="Use 'equal_tailed' or 'hdi'.")


def hdi_bounds(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Narrowest ``level`` interval along axis 0 of ``draws`` [S, ...]; NaN where any draw is NaN."""
    x = np.sort(np.asarray(draws, dtype=np.float64), axis=0)  # NaN sort last: caught below
    n = x.shape[0]
    k = int(np.floor(level * n))  # draws spanned by a window (ArviZ's convention)
    if n < 2 or k < 1 or k >= n:
        return x.min(axis=0), x.max(axis=0)
    widths = x[k:] - x[: n - k]  # [n-k, ...]: width of every window of k+1 consecutive sorted draws
    start = np.nanargmin(np.where(np.isnan(widths), np.inf, widths), axis=0)[None]
    lo = np.take_along_axis(x, start, axis=0)[0]
    hi = np.take_along_axis(x, start + k, axis=0)[0]
    bad = np.isnan(x).any(axis=0)
    return np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)


def stats(draws: np.ndarray, level: float = DEFAULT_LEVEL, method: Method = DEFAULT_METHOD) -> dict[str, np.ndarray]:
    """``{mean, median, sd, lo, hi}`` as arrays of shape ``draws.shape[1:]`` (NaN in, NaN out)."""
    check_interval(level, method)
    x = np.asarray(draws, dtype=np.float64)
    if x.ndim == 0 or x.shape[0] == 0:
        raise EffectsError("No draws to summarise.", hint="Pass an array with a leading draw axis.")
    if method == "hdi":
        lo, hi = hdi_bounds(x, level)
    else:
        lo, hi = np.quantile(x, [(1.0 - level) / 2.0, (1.0 + level) / 2.0], axis=0)
    sd = x.std(axis=0, ddof=1) if x.shape[0] > 1 else np.zeros(x.shape[1:])
    return {"mean": x.mean(axis=0), "median": np.median(x, axis=0), "sd": sd, "lo": lo, "hi": hi}


def summarize(draws: np.ndarray, level: float = DEFAULT_LEVEL, method: Method = DEFAULT_METHOD) -> dict[str, Any]:
    """The estimate of a quantity from its draws [S, ...]: ``{mean, median, sd, lo, hi}``, JSON-able.

    For draws of shape [S] every value is a float; for [S, ...] each is a nested list of shape [...].
    NaN (e.g. the ROI of a geo without spend) becomes None.

    The bounds are floating-point quantiles ((1 - 0.9) / 2 is 0.04999..., so the 5th value comes out as
    4.999999999999999): compare them with a tolerance, never exactly.

    >>> est = summarize(np.arange(101.0), level=0.9)
    >>> est["mean"], round(est["lo"], 9), round(est["hi"], 9)
    (50.0, 5.0, 95.0)
    """
    return to_jsonable(stats(draws, level, method))


def interval_info(level: float, method: Method) -> dict[str, Any]:
    """The ``interval`` field every result carries, so no interval is shown without its definition."""
    check_interval(level, method)
    return {"level": float(level), "method": method}
