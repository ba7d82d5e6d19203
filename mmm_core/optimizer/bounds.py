"""The user's bounds on channel totals: absolute, % of the current level, or fixed; checked for feasibility."""

from __future__ import annotations

import numpy as np

from mmm_core.optimizer.core import OptimizerError
from mmm_core.optimizer.request import Bounds
from mmm_core.optimizer.response import Response
from mmm_core.optimizer.scenarios import current_level


def user_bounds(
    r: Response, budget: float, bounds: Bounds | None, bounds_pct: Bounds | None, fixed: dict[str, float] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Channel-total bounds [C] (lo, hi), the fixed mask and which sides the user set (lo, hi masks): the trust
    region (``optimizer.trust``) leaves a side the user set alone."""
    c = len(r.channels)
    lo, hi, is_fixed = np.zeros(c), np.full(c, budget), np.zeros(c, bool)
    user_lo, user_hi = np.zeros(c, bool), np.zeros(c, bool)
    level = current_level(r)
    for source, spec in (("bounds", bounds or {}), ("bounds_pct", bounds_pct or {}), ("fixed", fixed or {})):
        for ch, value in spec.items():
            if ch not in r.channels:
                raise OptimizerError(
                    f"{source} names unknown channel {ch!r}.",
                    f"Channels are: {', '.join(r.channels)}.",
                    code="optimizer_unknown_channel",
                )
            i = r.channels.index(ch)
            if source == "fixed":
                lo[i] = hi[i] = float(value)
                is_fixed[i] = user_lo[i] = user_hi[i] = True
                continue
            a, b = value
            if source == "bounds_pct":
                a = None if a is None else level[i] * (1.0 + a / 100.0)
                b = None if b is None else level[i] * (1.0 + b / 100.0)
            lo[i] = max(lo[i], 0.0 if a is None else float(a))
            hi[i] = min(hi[i], budget if b is None else float(b))
            user_lo[i] |= a is not None
            user_hi[i] |= b is not None
    return lo, hi, is_fixed, user_lo, user_hi


def resolve_bounds(
    r: Response, budget: float, bounds: Bounds | None, bounds_pct: Bounds | None, fixed: dict[str, float] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Channel-total bounds [C] (lo, hi) and the fixed mask; refuses unknown channels and infeasible sets."""
    lo, hi, is_fixed, _, _ = user_bounds(r, budget, bounds, bounds_pct, fixed)
    check_bounds(r, budget, lo, hi)
    return lo, hi, is_fixed | (hi - lo <= 1e-12 * budget)


def check_bounds(r: Response, budget: float, lo: np.ndarray, hi: np.ndarray) -> None:
    bad = [ch for ch, a, b in zip(r.channels, lo, hi) if a > b + 1e-12 * budget or a < 0]
    if bad:
        raise OptimizerError(
            f"Bounds of {bad} are empty or negative (lower above upper).",
            "Check the lower and upper amounts (totals over the horizon).",
            code="optimizer_bad_bounds",
        )
    if lo.sum() > budget * (1 + 1e-12) or hi.sum() < budget * (1 - 1e-12):
        raise OptimizerError(
            f"No allocation fits: lower bounds sum to {lo.sum():,.2f} and upper bounds to "
            f"{hi.sum():,.2f}, but the budget is {budget:,.2f}.",
            "Loosen the bounds or change the budget.",
            code="optimizer_infeasible",
        )
