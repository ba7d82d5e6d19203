"""Budget optimizer and scenarios over a posterior: "where should the next budget go, and why".

Public API::

    plan(post, PlanRequest(budget, periods=13, ...)) -> OptimizationResult   # .to_dict() is JSON-able
    optimize(post, budget, periods=13, ...) -> OptimizationResult            # the same, keyword form
    plan_response(response, request) / optimize_response(response, budget, ...)  # any Response (e.g. a truth)
    evaluate_allocation(post, {"TV": 50_000, ...}, periods=13) -> dict
    scenario(post, [{...}, {...}], periods=13) -> dict

Semantics (also in ``optimizer_response``): ``budget`` is the total spend over the ``periods`` future periods
after the data; a plan is flat per period within the horizon; the last ``l_max`` observed periods carry over
into it; the objective counts the media-driven KPI over the horizon. Bounds are on a channel's *total over the
horizon* (same units as the budget and the allocation): ``bounds={"TV": (lo, hi)}`` in spend units (None for
open), ``bounds_pct={"TV": (-30, 50)}`` as % change from the channel's current level (recent mean per period ×
periods). ``fixed={"TV": amount}`` pins a channel. ``max_total_change`` / ``min_total_change`` limit the share of
the budget moved away from the current pattern: ½·Σ|allocation − current pattern at this budget| / budget.
``geo_split="recent"`` keeps each channel's recent geo split; ``"optimize"`` lets geos move too (bounds still
apply to channel totals).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import jax
import numpy as np

from mmm_core.optimizer.core import OptimizerError, Problem, Solution, solve
from mmm_core.optimizer.explain import explain
from mmm_core.optimizer.request import Bounds, PlanRequest
from mmm_core.optimizer.response import Response, posterior_response, precise
from mmm_core.optimizer.scenarios import (
    compare,
    compare_allocations,
    current_level,
    current_pattern,
    evaluate,
    to_amounts,
)

__all__ = [
    "OptimizationResult",
    "OptimizerError",
    "PlanRequest",
    "evaluate_allocation",
    "optimize",
    "optimize_response",
    "plan",
    "plan_response",
    "scenario",
]


@dataclass
class OptimizationResult:
    """The recommended allocation with its evidence. ``to_dict()`` is the JSON contract."""

    allocation: dict[str, float]
    expected_kpi: dict[str, float]
    vs_current: dict[str, Any]
    binding: list[dict[str, Any]]
    marginal_roi: dict[str, dict[str, float]]
    optimality_verified: bool
    warnings: list[str]
    horizon_periods: int
    budget: float
    objective: dict[str, Any]
    approximate: bool
    label: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {
            k: getattr(self, k)
            for k in (
                "allocation",
                "expected_kpi",
                "vs_current",
                "binding",
                "marginal_roi",
                "optimality_verified",
                "warnings",
                "horizon_periods",
                "budget",
                "objective",
                "approximate",
                "label",
            )
        }
        return out | self.details


def optimize(post, budget: float, periods: int = 13, **options: Any) -> OptimizationResult:
    """Allocate ``budget`` (total over ``periods`` future periods): the keyword form of :func:`plan`
    (``options`` are the other fields of :class:`PlanRequest`)."""
    return plan(post, PlanRequest(budget, periods, **options))


def plan(post, request: PlanRequest) -> OptimizationResult:
    """The optimizer over a fitted posterior's response."""
    response = posterior_response(post, request.periods, request.geo_split, request.max_draws)
    return plan_response(response, request)


def optimize_response(response: Response, budget: float, **options: Any) -> OptimizationResult:
    """The keyword form of :func:`plan_response`; the horizon is the response's."""
    return plan_response(response, PlanRequest(budget, response.periods, **options))


def plan_response(response: Response, request: PlanRequest) -> OptimizationResult:
    """The optimizer over any :class:`Response` (a posterior's, or a known truth's)."""
    if request.periods != response.periods:
        raise OptimizerError(
            f"The request plans {request.periods} periods but the response covers {response.periods}.",
            "Build the response for the request's horizon.",
            code="optimizer_bad_periods",
        )
    budget = float(request.budget)
    lo, hi, is_fixed = resolve_bounds(response, budget, request.bounds, request.bounds_pct, request.fixed)
    problem = Problem(
        response,
        budget,
        lo,
        hi,
        is_fixed,
        current_pattern(response, budget),
        request.objective,
        float(request.risk_lambda),
        float(request.cvar_q),
        request.min_total_change,
        request.max_total_change,
    )
    search = solve(problem, n_starts=request.n_starts, seed=request.seed)  # float32: fast, finds the basin
    with jax.enable_x64(True):  # float64 polish and explanation: see optimizer_response.precise
        problem = replace(problem, response=precise(response))
        polished = solve(problem, initial=search.cells)
        polished.starts = search.starts + polished.starts
        polished.seconds += search.seconds
        best = polished if polished.objective_value >= search.objective_value else replace(polished, cells=search.cells)
        return _result(problem, best, request.scenarios)


def _result(problem: Problem, sol: Solution, scenarios: list[dict[str, float]]) -> OptimizationResult:
    r = problem.response
    amounts = r.to_channels(sol.cells)
    best = evaluate(r, amounts, "optimum", cells=sol.cells)
    pattern = evaluate(r, problem.reference, "current_pattern_same_budget")
    level = evaluate(r, current_level(r), "current_level")
    why = explain(problem, sol.cells)
    warnings = list(best.warnings)
    if r.approximate:
        warnings.append(f"posterior is {r.label}: intervals and prob_better are indicative only.")
    if not why["optimality_verified"]:
        warnings.append(
            "optimality not verified: marginal returns of channels inside their bounds differ by "
            f"{why['optimality']['max_relative_spread']:.1%} (tolerance "
            f"{why['optimality']['tolerance']:.0%}); treat the allocation as a direction, not a point."
        )
    user = [evaluate(r, to_amounts(r, a)[0], f"scenario_{i + 1}").to_dict(r, pattern) for i, a in enumerate(scenarios)]
    details = {
        "allocation_per_period": {ch: float(v / r.periods) for ch, v in zip(r.channels, amounts)},
        "vs_current_level": compare(best, level, r),
        "current": {"pattern_same_budget": pattern.to_dict(r), "level": level.to_dict(r)},
        "scenarios": user,
        "marginal_objective": why["marginal_objective"],
        "optimality": why["optimality"],
        "solver": {
            "method": "SLSQP",
            "starts": sol.starts,
            "best_start": sol.best_start,
            "seconds": round(sol.seconds, 4),
            "draws": r.n_draws,
        },
        "notes": _notes(r),
    }
    if r.n_cells > len(r.channels):
        details["allocation_by_geo"] = {name: float(v) for name, v in zip(r.cells, sol.cells)}
    if r.baseline is not None:
        details["expected_total_kpi"] = best.to_dict(r)["expected_total_kpi"]
    return OptimizationResult(
        allocation={ch: float(v) for ch, v in zip(r.channels, amounts)},
        expected_kpi=best.to_dict(r)["expected_kpi"],
        vs_current=compare(best, pattern, r),
        binding=why["binding"],
        marginal_roi=why["marginal_roi"],
        optimality_verified=why["optimality_verified"],
        warnings=warnings,
        horizon_periods=r.periods,
        budget=problem.budget,
        objective={
            "kind": problem.objective,
            "risk_lambda": problem.risk_lambda,
            "cvar_q": problem.cvar_q,
            "value": sol.objective_value,
        },
        approximate=r.approximate,
        label=r.label,
        details=details,
    )


def _notes(r: Response) -> list[str]:
    return [
        f"Spend is flat per period over the {r.periods}-period horizon; recent spend carries over into it "
        "(adstock); KPI counted over the horizon only (the plan's effect after it is not).",
        "expected_kpi is the media-driven KPI over the horizon (90% interval over posterior draws).",
        *r.notes,
    ]


def evaluate_allocation(
    post, allocation: dict[str, float], periods: int = 13, geo_split: str = "recent", max_draws: int = 1000
) -> dict[str, Any]:
    """Expected horizon KPI (with interval) and per-channel contributions of one allocation, vs the current level."""
    r = posterior_response(post, periods, geo_split, max_draws)
    amounts, notes = to_amounts(r, allocation)
    out = evaluate(r, amounts, "allocation").to_dict(r, evaluate(r, current_level(r), "current_level"))
    return out | {
        "horizon_periods": periods,
        "approximate": r.approximate,
        "label": r.label,
        "notes": notes + _notes(r),
    }


def scenario(
    post,
    allocations: list[dict[str, float]],
    periods: int = 13,
    names: list[str] | None = None,
    geo_split: str = "recent",
    max_draws: int = 1000,
) -> dict[str, Any]:
    """Compare user allocations (each vs the current level, paired by draw); names the best."""
    return compare_allocations(posterior_response(post, periods, geo_split, max_draws), allocations, names)


def resolve_bounds(
    r: Response, budget: float, bounds: Bounds | None, bounds_pct: Bounds | None, fixed: dict[str, float] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Channel-total bounds [C] (lo, hi) and the fixed mask; refuses unknown channels and infeasible sets."""
    c = len(r.channels)
    lo, hi, is_fixed = np.zeros(c), np.full(c, budget), np.zeros(c, bool)
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
                is_fixed[i] = True
                continue
            a, b = value
            if source == "bounds_pct":
                a = None if a is None else level[i] * (1.0 + a / 100.0)
                b = None if b is None else level[i] * (1.0 + b / 100.0)
            lo[i] = max(lo[i], 0.0 if a is None else float(a))
            hi[i] = min(hi[i], budget if b is None else float(b))
    _check_bounds(r, budget, lo, hi)
    return lo, hi, is_fixed | (hi - lo <= 1e-12 * budget)


def _check_bounds(r: Response, budget: float, lo: np.ndarray, hi: np.ndarray) -> None:
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
