"""Budget allocation over posterior response curves: problems, solver, explanations, scenarios."""

from mmm_core.optimizer.plans import (  # the public API of this package
    Bounds,
    OptimizationResult,
    OptimizerError,
    PlanRequest,
    evaluate_allocation,
    optimize,
    optimize_response,
    plan,
    plan_response,
    resolve_bounds,
    scenario,
)

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
