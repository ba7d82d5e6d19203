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
apply to channel totals). A multi-outcome posterior plans on the weighted sum of its outcomes, cross-effects
included (``optimizer.multi_response``); its results also carry ``objective.description`` and ``outcomes{KPI: ...}``
(``optimizer.outcomes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import jax
import numpy as np

from mmm_core.optimizer.allowance import channel_allowance
from mmm_core.optimizer.bounds import check_bounds, resolve_bounds, user_bounds
from mmm_core.optimizer.core import OptimizerError, Problem, Solution, allowed, project, solve, solve_geo
from mmm_core.optimizer.decision import APPROXIMATE_SPREAD, SPREAD, Rule, decide
from mmm_core.optimizer.explain import explain, marginal_roi_draws
from mmm_core.optimizer.frontier import (
    JUDGED_SCALES,
    Candidate,
    risk_aversions,
    risk_aware_candidates,
    simple_moves,
)
from mmm_core.optimizer.long_term import BASIS as LONG_TERM_BASIS
from mmm_core.optimizer.long_term import LongTermROI, with_long_term
from mmm_core.optimizer.money import plan_money
from mmm_core.optimizer.multi_response import response_of
from mmm_core.optimizer.outcomes import objective_record, outcome_changes
from mmm_core.optimizer.request import Bounds, PlanRequest
from mmm_core.optimizer.response import Response, precise
from mmm_core.optimizer.scenarios import (
    compare,
    compare_allocations,
    current_level,
    current_pattern,
    evaluate,
    to_amounts,
)
from mmm_core.optimizer.trust import Box, trust_box

__all__ = [
    "Bounds",
    "OptimizationResult",
    "OptimizerError",
    "PlanRequest",
    "evaluate_allocation",
    "optimize",
    "optimize_response",
    "plan",
    "plan_response",
    "resolve_bounds",
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


def plan(post, request: PlanRequest, long_term: LongTermROI | None = None) -> OptimizationResult:
    """The optimizer over a fitted posterior's response; with ``request.total_roi``, over the response plus the
    fit's long-term ROI (``long_term``, see :mod:`mmm_core.optimizer.long_term`)."""
    if request.total_roi and long_term is None:  # before the posterior work: a bad request costs nothing
        raise OptimizerError(
            "Optimising on total ROI needs the fit's long-term ROI draws.",
            "Pass long_term=stored_long_term_roi(store, fit_id), or plan on the short-term response.",
            code="optimizer_no_long_term",
        )
    response = response_of(post, request.periods, request.geo_split, request.max_draws)
    if not request.total_roi:
        return plan_response(response, request)
    result = plan_response(with_long_term(response, long_term, request.seed), request)
    result.objective["basis"] = LONG_TERM_BASIS
    return result


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
    lo, hi, is_fixed, user_lo, user_hi = user_bounds(
        response, budget, request.bounds, request.bounds_pct, request.fixed
    )
    check_bounds(response, budget, lo, hi)  # the user's own bounds first: their error names their numbers
    box = trust_box(response, budget, lo, hi, is_fixed, user_lo, user_hi, request.trust_region, request.extrapolate)
    check_bounds(response, budget, box.lo, box.hi)
    problem = Problem(
        response,
        budget,
        box.lo,
        box.hi,
        is_fixed | (box.hi - box.lo <= 1e-12 * budget),
        current_pattern(response, budget),
        request.objective,
        float(request.risk_lambda),
        float(request.cvar_q),
        request.min_total_change,
        request.max_total_change,
        (box.source_lo, box.source_hi),
    )
    search = solve_geo(problem, n_starts=request.n_starts, seed=request.seed)  # float32: fast, finds the basin
    extra = _risk_aware(problem, request, search.cells)  # float32 too: candidates, each re-scored in float64
    with jax.enable_x64(True):  # float64 polish and explanation: see optimizer_response.precise
        problem = replace(problem, response=precise(response))
        polished = solve(problem, initial=search.cells)
        polished.starts = search.starts + polished.starts
        polished.seconds += search.seconds
        best = polished if polished.objective_value >= search.objective_value else replace(polished, cells=search.cells)
        return _result(problem, best, request, box, extra)


def _risk_aware(problem: Problem, request: PlanRequest, optimum: np.ndarray) -> list[Candidate]:
    """The risk-aware and simple-move candidates of :mod:`~mmm_core.optimizer.frontier` (none without the rule;
    none with one draw: a known truth has no disagreement between draws, so they coincide with the optimum; none
    when geos are optimised: the paired objective over geo × channel cells took minutes instead of seconds, 262 s
    warm at 64 cells, so that case keeps the path candidates only)."""
    r = problem.response
    if not (request.decision_rule and request.risk_aware) or r.n_draws < 2 or r.n_cells > len(r.channels):
        return []
    start_channels = project(problem.reference, problem.lo, problem.hi, problem.budget)
    start = r.to_cells(start_channels)
    offset, offset_channels = r.evaluate(r.to_cells(problem.reference))
    lambdas = risk_aversions(request.min_prob_better)
    out = risk_aware_candidates(problem, start, offset, lambdas, optimum) + simple_moves(problem, start_channels)
    allowance = _rule(request, r).allowance
    if allowance is not None:  # the moves the rule itself would judge best (frontier.JUDGED_SCALES)
        judged = risk_aversions(request.min_prob_better, JUDGED_SCALES)
        out += risk_aware_candidates(problem, start, offset, judged, optimum, np.asarray(allowance), offset_channels)
    return out


def _rule(request: PlanRequest, r: Response) -> Rule:
    """The request's rule; its allowance for model error: the user's ``spread_factor`` for every channel, else
    the approximate posterior's wider single one, else each channel's own (:mod:`~mmm_core.optimizer.allowance`;
    a response without the evidence, e.g. a hand-built one, gets the single ``SPREAD``)."""
    base = (request.decision_rule, request.min_prob_better, request.min_gain)
    if request.spread_factor or r.approximate:
        return Rule(*base, request.spread_factor or APPROXIMATE_SPREAD, request.risk_aware)
    allowance = channel_allowance(r.data_causes, r.spend_cv)
    if allowance is None:
        return Rule(*base, SPREAD, request.risk_aware)
    return Rule(*base, 1.0, request.risk_aware, tuple(float(k) for k in allowance))


def _result(
    problem: Problem, sol: Solution, request: PlanRequest, box: Box, extra: list[Candidate]
) -> OptimizationResult:
    r = problem.response
    pattern = evaluate(r, problem.reference, "current_pattern_same_budget")
    level = evaluate(r, current_level(r), "current_level")
    why = explain(problem, sol.cells)
    rule = _rule(request, r)
    start = project(problem.reference, problem.lo, problem.hi, problem.budget)  # = the current mix when allowed
    decision = decide(r, rule, pattern, r.to_cells(start), sol.cells, partial(allowed, problem), extra)
    best, cells = decision.plan, decision.cells
    money = plan_money(r, best, cells, pattern, level, _budget_mroi(r, cells), request.margin)
    warnings = list(best.warnings) + list(box.notes) + money.pop("warnings")
    if r.approximate:
        warnings.append(f"posterior is {r.label}: intervals and prob_better are indicative only.")
    if not why["optimality_verified"]:
        warnings.append(
            "optimality not verified: marginal returns of channels inside their bounds differ by "
            f"{why['optimality']['max_relative_spread']:.1%} (tolerance "
            f"{why['optimality']['tolerance']:.0%}); treat the allocation as a direction, not a point."
        )
    user = [
        evaluate(r, to_amounts(r, a)[0], f"scenario_{i + 1}").to_dict(r, pattern)
        for i, a in enumerate(request.scenarios)
    ]
    optimum = r.to_channels(sol.cells)
    details = {
        "decision": decision.record | {"optimum_allocation": _named(r, optimum)},
        "money": money,
        "trust_region": box.to_dict(r),
        "allocation_per_period": {ch: float(v / r.periods) for ch, v in zip(r.channels, best.amounts)},
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
        details["allocation_by_geo"] = {name: float(v) for name, v in zip(r.cells, cells)}
    if r.baseline is not None:
        details["expected_total_kpi"] = best.to_dict(r)["expected_total_kpi"]
    if r.outcomes is not None:  # a weighted sum of outcomes: what the plan does to each
        details["outcomes"] = outcome_changes(r, best, pattern, cells)
    return OptimizationResult(
        allocation=_named(r, best.amounts),
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
            **objective_record(r),
        },
        approximate=r.approximate,
        label=r.label,
        details=details,
    )


def _named(r: Response, values: np.ndarray) -> dict[str, float]:
    return {ch: float(v) for ch, v in zip(r.channels, values)}


def _budget_mroi(r: Response, cells: np.ndarray) -> np.ndarray:
    """KPI per extra unit of budget spent in the plan's own mix (per draw): Σ_c mROI_c · share_c."""
    amounts = r.to_channels(cells)
    return marginal_roi_draws(r, cells) @ (amounts / max(amounts.sum(), 1e-300))


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
    r = response_of(post, periods, geo_split, max_draws)
    amounts, notes = to_amounts(r, allocation)
    plan, current = evaluate(r, amounts, "allocation"), evaluate(r, current_level(r), "current_level")
    out = plan.to_dict(r, current)
    if r.outcomes is not None:  # a weighted sum of outcomes: what the allocation does to each
        out |= {"outcomes": outcome_changes(r, plan, current), "objective": objective_record(r)}
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
    margin: float | None = None,
) -> dict[str, Any]:
    """Compare user allocations (each vs the current level, paired by draw, with the money view); names the best."""
    return compare_allocations(response_of(post, periods, geo_split, max_draws), allocations, names, margin)
