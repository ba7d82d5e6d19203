"""One allocation problem as the solver takes it (budget, bounds, objective, the current mix for paired gains) and
the solution it returns."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mmm_core.optimizer.response import Response


@dataclass(frozen=True)
class Problem:
    """One allocation problem in cell amounts (totals over the horizon, spend units).

    ``lo``/``hi`` [C] channel totals; ``fixed`` [C] bool (lo == hi for those); ``reference`` [C] the current
    pattern at this budget (for the total-change limits, shares of the budget moved: ½·Σ|a − ref| / budget).
    """

    response: Response
    budget: float
    lo: np.ndarray
    hi: np.ndarray
    fixed: np.ndarray
    reference: np.ndarray
    objective: str = "mean"
    risk_lambda: float = 1.0
    cvar_q: float = 0.1
    min_total_change: float | None = None
    max_total_change: float | None = None
    bound_source: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # per side: user/trust_region/...
    # Per-draw KPI of the current mix [S]: when set, the objective is the risk measure of the *paired gain*
    # (total − offset, draw by draw), whose spread is the disagreement of the draws about the move itself.
    offset: np.ndarray | None = None
    # Per-channel allowance [C] with the current mix per draw and channel [S, C] (paired objectives only):
    # ``mean_sd`` takes the sd of the gain with each channel's part weighted by its allowance, the spread the
    # decision rule judges (the mean is unchanged: the rule widens around the centre).
    allowance: np.ndarray | None = None
    offset_channels: np.ndarray | None = None

    @property
    def cvar_count(self) -> int:
        return max(1, math.ceil(self.cvar_q * self.response.n_draws))


@dataclass
class Solution:
    cells: np.ndarray  # [J] amounts
    objective_value: float  # in KPI units
    starts: list[dict]
    best_start: str
    seconds: float
