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
    ``scenarios`` are user allocations scored next to the optimum.

    Decision safety (see :mod:`mmm_core.optimizer.decision` and :mod:`mmm_core.optimizer.trust`):
    ``trust_region`` (0.3) keeps each channel within ±30% of its current level at this budget, a side the
    user bounds explicitly excepted (None = off); ``extrapolate`` (False) keeps each channel inside its observed
    per-period spend range unless asked; ``decision_rule`` (True) recommends a move only when
    P(better than the current mix) ≥ ``min_prob_better`` (0.9) and the expected gain ≥ ``min_gain`` (0.005 =
    0.5% of the current mix's media-driven KPI), else the largest partial move that meets both, else the
    current mix; ``spread_factor`` (None = automatic: each channel's own allowance for model error by what the data
    pin of its curve, :mod:`mmm_core.optimizer.allowance`, or 3 for a quick fit; a number = one allowance for every
    channel, 1 = trust the posterior as it is) widens the differences the rule judges; ``risk_aware`` (True) adds
    to the rule's candidates the moves that maximise mean − λ·sd of the gain over the current mix, paired by draw,
    and simple swaps and shifts (:mod:`mmm_core.optimizer.frontier`; False = only the path to the optimum);
    ``margin`` is the profit per unit of KPI (a revenue KPI's gross margin; None = 1, the KPI is money at face
    value), used for the returns net of spend.

    ``total_roi`` (False) optimises on total ROI: the short-term response plus each dollar's long-term effect from
    the fit's long-term model (:mod:`mmm_core.optimizer.long_term`); the plan's notes and ``objective.basis`` say
    so."""

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
    trust_region: float | None = 0.3
    extrapolate: bool = False
    decision_rule: bool = True
    min_prob_better: float = 0.9
    min_gain: float = 0.005
    margin: float | None = None
    spread_factor: float | None = None
    risk_aware: bool = True
    total_roi: bool = False

    def __post_init__(self) -> None:
        self._check_safety()
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

    def _check_safety(self) -> None:
        if self.trust_region is not None and not 0.0 < self.trust_region:
            raise OptimizerError(
                f"trust_region={self.trust_region} must be a positive share (or None for no trust region).",
                "e.g. 0.3 = each channel within ±30% of its current level.",
                code="optimizer_bad_trust_region",
            )
        if not 0.5 <= self.min_prob_better < 1.0:
            raise OptimizerError(
                f"min_prob_better={self.min_prob_better} must be in [0.5, 1).",
                "e.g. 0.9 = recommend a move only when it beats the current mix with 90% probability.",
                code="optimizer_bad_rule",
            )
        if not 0.0 <= self.min_gain < 1.0:
            raise OptimizerError(
                f"min_gain={self.min_gain} must be a share in [0, 1).",
                "e.g. 0.005 = the gain must be at least 0.5% of the media-driven KPI.",
                code="optimizer_bad_rule",
            )
        if self.spread_factor is not None and not (np.isfinite(self.spread_factor) and self.spread_factor >= 1.0):
            raise OptimizerError(
                f"spread_factor={self.spread_factor} must be at least 1.",
                "e.g. 1.5 = the rule judges the posterior's differences as 1.5 times more spread out.",
                code="optimizer_bad_rule",
            )
        if self.margin is not None and not (np.isfinite(self.margin) and self.margin > 0):
            raise OptimizerError(
                f"margin={self.margin} must be a positive profit per unit of KPI.",
                "e.g. 0.4 = 40% gross margin on a revenue KPI.",
                code="optimizer_bad_margin",
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
