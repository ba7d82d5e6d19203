"""The trust region: by default a plan stays where the data can vouch for the curves.

Why: a posterior's response curve is pinned by data only near the spend levels the channel actually ran; far
from them the curve is the prior's shape, and an argmax there is a guess (issue 15: a plan moving 68% of TV to
Search at 23% above Search's highest week lost 5% of media KPI on the truth). Meridian limits moves to ±30% of
historical spend by default for the same reason.

Rule (each side of each channel, unless the user bounded that side explicitly — an explicit bound is the user
widening or narrowing on purpose and always wins):

- **trust region**: within ±``share`` (default 30%) of the channel's *current level at this budget* (its recent
  spend rate rescaled to the budget: the current mix; for a budget equal to recent spend, its recent level);
- **observed range** (unless ``extrapolate``): the flat per-period level within the channel's observed
  per-period spend range (a channel never above its highest week, never below its lowest), widened to include
  its current level at this budget (the current mix is always allowed: at a larger budget an always-on
  channel may already be above its highest week, and staying there is not a move).

When the budget cannot be spent within the observed ranges at all, the
observed caps are dropped (extrapolation is then unavoidable and flagged with widened uncertainty); when the
user's own bounds force a bigger move than the other channels' ±30% absorbs, their blocking side (floors or
caps) is dropped, and the whole trust region only when that is not enough. Each fallback is said in ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from mmm_core.optimizer.response import Response
from mmm_core.optimizer.scenarios import current_pattern

USER, TRUST, OBSERVED, NONE = "user", "trust_region", "observed_range", "none"


@dataclass(frozen=True)
class Box:
    """Channel-total bounds [C] with the source of each side (``user``/``trust_region``/``observed_range``)."""

    lo: np.ndarray
    hi: np.ndarray
    source_lo: tuple[str, ...]
    source_hi: tuple[str, ...]
    share: float | None
    extrapolate: bool
    notes: list[str] = field(default_factory=list)

    def to_dict(self, r: Response) -> dict:
        return {
            "share": self.share,
            "within_observed_range": not self.extrapolate,
            "bounds": {
                ch: {"lo": float(a), "hi": float(b), "lo_source": sa, "hi_source": sb}
                for ch, a, b, sa, sb in zip(r.channels, self.lo, self.hi, self.source_lo, self.source_hi)
            },
            "notes": list(self.notes),
        }


def channel_range(r: Response) -> np.ndarray:
    """Observed per-period spend range [C, 2] of each channel (geo cells: the sum of their ranges, looser)."""
    out = np.zeros((len(r.channels), 2))
    np.add.at(out, r.cell_channel, r.cell_range)
    return out


def trust_box(
    r: Response,
    budget: float,
    lo: np.ndarray,
    hi: np.ndarray,
    fixed: np.ndarray,
    user_lo: np.ndarray,
    user_hi: np.ndarray,
    share: float | None,
    extrapolate: bool,
) -> Box:
    """The user's bounds (``lo``/``hi``, ``user_lo``/``user_hi`` mark the sides they set) tightened by the trust
    region and the observed range on every other side; see the module docstring for the fallbacks."""
    notes: list[str] = []
    open_lo, open_hi = ~(user_lo | fixed), ~(user_hi | fixed)
    if share is None and extrapolate:
        return _box(lo, hi, user_lo | fixed, user_hi | fixed, np.full(len(lo), NONE), share, extrapolate, notes)
    centre = current_pattern(r, budget)
    t_lo, t_hi, s_lo, s_hi = _limits(r, centre, budget, share, extrapolate)
    new_lo = np.where(open_lo, np.maximum(lo, t_lo), lo)
    new_hi = np.where(open_hi, np.minimum(hi, t_hi), hi)
    clash = new_lo > new_hi  # a user bound on the other side leaves no room: the user's side wins
    new_lo = np.where(clash & open_lo, np.minimum(new_hi, lo), new_lo)
    new_hi = np.where(clash & open_hi, np.maximum(new_lo, hi), new_hi)
    if not _feasible(new_lo, new_hi, budget):
        if not extrapolate:
            notes.append(
                "The budget cannot be spent with every channel inside its observed per-period range; the "
                "range caps are dropped (the plan extrapolates, with widened uncertainty)."
            )
            wider = trust_box(r, budget, lo, hi, fixed, user_lo, user_hi, share, True)
            return replace(wider, notes=notes + wider.notes)
        # The user's bounds force a bigger move than ±share absorbs: give up the side that blocks it only.
        side = "lower" if new_lo.sum() > budget else "upper"
        keep_lo, keep_hi = (lo, new_hi) if side == "lower" else (new_lo, hi)
        if _feasible(keep_lo, keep_hi, budget):
            notes.append(
                f"Your bounds need a bigger move than ±{100 * (share or 0):.0f}% of the other channels' levels: "
                f"their trust-region {side} limits are dropped."
            )
            src_lo = np.where(open_lo, np.where(keep_lo > lo, s_lo, NONE), USER)
            src_hi = np.where(open_hi, np.where(keep_hi < hi, s_hi, NONE), USER)
            return Box(keep_lo, keep_hi, tuple(src_lo), tuple(src_hi), share, extrapolate, notes)
        notes.append(f"Your bounds leave no room for the ±{100 * (share or 0):.0f}% trust region; it is not applied.")
        return _box(lo, hi, user_lo | fixed, user_hi | fixed, np.full(len(lo), NONE), None, extrapolate, notes)
    src_lo = np.where(open_lo, np.where(new_lo > lo, s_lo, NONE), USER)
    src_hi = np.where(open_hi, np.where(new_hi < hi, s_hi, NONE), USER)
    return Box(new_lo, new_hi, tuple(src_lo), tuple(src_hi), share, extrapolate, notes)


def _limits(r: Response, centre: np.ndarray, budget: float, share, extrapolate: bool):
    n = len(centre)
    t_lo, t_hi = np.zeros(n), np.full(n, float(budget))
    s_lo, s_hi = np.full(n, NONE, object), np.full(n, NONE, object)
    if share is not None:
        t_lo, t_hi = np.maximum(centre * (1.0 - share), 0.0), centre * (1.0 + share)
        s_lo[:], s_hi[:] = TRUST, TRUST
    if extrapolate:
        return t_lo, t_hi, s_lo, s_hi
    # The observed range never forbids the status quo: a channel whose current level at this budget is already
    # beyond it may stay there (the current mix is always allowed), just not go further.
    obs = channel_range(r) * r.periods
    obs = np.stack([np.minimum(obs[:, 0], centre), np.maximum(obs[:, 1], centre)], axis=1)
    s_lo = np.where(obs[:, 0] > t_lo, OBSERVED, s_lo)
    s_hi = np.where(obs[:, 1] < t_hi, OBSERVED, s_hi)
    return np.maximum(t_lo, obs[:, 0]), np.minimum(t_hi, obs[:, 1]), s_lo, s_hi


def _feasible(lo: np.ndarray, hi: np.ndarray, budget: float) -> bool:
    tol = 1e-12 * budget
    return bool(np.all(lo <= hi + tol) and lo.sum() <= budget + tol and hi.sum() >= budget - tol)


def _box(lo, hi, user_lo, user_hi, none, share, extrapolate, notes) -> Box:
    return Box(
        lo,
        hi,
        tuple(np.where(user_lo, USER, none)),
        tuple(np.where(user_hi, USER, none)),
        share,
        extrapolate,
        notes,
    )
