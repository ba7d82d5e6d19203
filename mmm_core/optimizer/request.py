"""What a budget plan is asked for: one frozen, validated record instead of sixteen loose parameters.

Validation happens when the record is built, so a bad request fails before any posterior work (building the
response of a posterior takes seconds) and every entry point (CLI, chat tool, Python) gets the same errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mmm_core.optimizer.core import OBJECTIVES, OptimizerError

Bounds = dict[str, tuple[float | None, float | None]]
GEO_SPLITS = ("recent", "optimize")


@dataclass(frozen=True)
class PlanRequest:
    """An optimisation request. ``budget`` is the total over ``periods`` future periods; bounds are channel totals
    over the horizon (``bounds``), % changes from the current level (``bounds_pct``) or pinned amounts
    (``fixed``); ``min/max_total_change`` limit the share of the budget moved away from the current pattern;
    ``objective`` is ``mean``, ``mean_sd`` (mean − ``risk_lambda``·sd) or ``cvar`` (worst ``cvar_q`` of draws);
    ``geo_split``, ``max_draws`` shape the posterior's response; ``n_starts``/``seed`` drive the solver;
    ``scenarios`` are user allocations scored next to the optimum."""

    budget: float
    periods: int = 13
    bounds: Bounds | None = None
    bounds_pct: Bounds | None = None
    fixed: dict[str, float] | None = None
    min_total_change: float | None = None
    max_total_change: float | None = None
    objective: str = "mean"
    risk_lambda: float = 1.0
    cvar_q: float = 0.1
    geo_split: str = "recent"
    n_starts: int = 5
    max_draws: int = 1000
    seed: int = 0
    scenarios: list[dict[str, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not np.isfinite(self.budget) or self.budget <= 0:
            raise OptimizerError(
                f"Budget {self.budget} must be a positive amount.",
                "Total spend over the horizon.",
                code="optimizer_bad_budget",
            )
        if int(self.periods) < 1:
            raise OptimizerError(
                "The horizon needs at least one period.", "e.g. periods=13.", code="optimizer_bad_periods"
            )
        if self.objective not in OBJECTIVES:
            raise OptimizerError(
                f"Unknown objective {self.objective!r}.",
                f"One of {', '.join(OBJECTIVES)}.",
                code="optimizer_bad_objective",
            )
        if self.geo_split not in GEO_SPLITS:
            raise OptimizerError(
                f"Unknown geo_split {self.geo_split!r}.", "recent or optimize.", code="optimizer_bad_geo_split"
            )
        if not 0.0 < self.cvar_q <= 1.0:
            raise OptimizerError(
                f"cvar_q={self.cvar_q} must be in (0, 1].",
                "e.g. 0.1 = the worst 10% of draws.",
                code="optimizer_bad_cvar_q",
            )
        for name in ("min_total_change", "max_total_change"):
            v = getattr(self, name)
            if v is not None and not 0.0 <= v <= 1.0:
                raise OptimizerError(
                    f"{name}={v} is not a share of the budget in [0, 1].",
                    "e.g. 0.2 = move at most 20% of the budget away from the current pattern.",
                    code="optimizer_bad_change",
                )


def share_bounds(
    budget: float,
    bounds: dict[str, list[float | None]] | None = None,
    max_share: dict[str, float] | None = None,
    min_share: dict[str, float] | None = None,
) -> Bounds | None:
    """Channel-total bounds from absolute ``[lo, hi]`` pairs and shares of ``budget`` (0–1): "at most 30% on
    Search" is ``max_share={"Search": 0.3}``. A share overrides the absolute bound on its side."""
    out = {ch: [lo, hi] for ch, (lo, hi) in (bounds or {}).items()}
    for ch, share in (max_share or {}).items():
        out.setdefault(ch, [None, None])[1] = _share(ch, share) * budget
    for ch, share in (min_share or {}).items():
        out.setdefault(ch, [None, None])[0] = _share(ch, share) * budget
    return {ch: (lo, hi) for ch, (lo, hi) in out.items()} or None


def held_at_current(channels: list[str] | None) -> Bounds | None:
    """``bounds_pct`` that keep ``channels`` at their current spend rate (0% change)."""
    return {ch: (0.0, 0.0) for ch in channels or []} or None


def _share(channel: str, share: float) -> float:
    if not 0.0 <= float(share) <= 1.0:
        raise OptimizerError(
            f"The share {share} for {channel} is not between 0 and 1.",
            "e.g. 0.3 = 30% of the budget.",
            code="optimizer_bad_share",
        )
    return float(share)
