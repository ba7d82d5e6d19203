"""Plans on a weighted sum of outcomes: what each outcome gains or loses, with intervals.

A multi-outcome response (``optimizer.multi_response``) optimises ``Σ_k weight_k · KPI_k``; everything downstream
(decision rule, money, shadow prices) reads that total. This module adds what a user of several KPIs asks next —
"what does the plan do to each product?" — from the same draws: each outcome's media-driven KPI over the horizon
(its own units, cross-effects included), the plan's paired change against the reference with its interval and
P(up), and the change weighted as the objective counts it. Where a plan extrapolates, each channel's widening is
decided on its weighted total and its part on every outcome follows it (``explain.widen_parts``), so the
outcomes' weighted values and changes sum to the objective's draw by draw, with or without extrapolation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from mmm_core.optimizer.explain import extrapolation, summary, widen_parts
from mmm_core.optimizer.response import Response


@dataclass(frozen=True, eq=False)
class OutcomeView:
    """The outcomes behind a weighted response: names, weights, ``fn(amounts, args, static)`` → [S, C, K] (each
    channel's horizon KPI on each outcome, own units; same ``args``/``static`` as the response) and the objective
    record (``kind``, ``weights``, ``description``)."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    fn: Callable
    objective: dict[str, Any]

    def parts(self, r: Response, cells: np.ndarray) -> np.ndarray:
        """[S, C, K] at cell amounts ``cells`` (float64 NumPy)."""
        return np.asarray(_parts(self.fn, r.static, jnp.asarray(cells, r.dtype), r.args), float)

    def totals(self, r: Response, cells: np.ndarray) -> np.ndarray:
        """[S, K] each outcome's horizon media KPI, widened for extrapolation as the total is: Σ_k weight_k ·
        totals[:, k] is the objective's widened total."""
        factor, _ = extrapolation(r, cells)
        return widen_parts(self.parts(r, cells), np.asarray(self.weights, float), factor).sum(axis=1)


def _parts_impl(fn, static, amounts, args):
    return fn(amounts, args, static)


_parts = jax.jit(_parts_impl, static_argnums=(0, 1))
SAME = 1e-7  # relative: a change below float32's resolution of the outcome's KPI is no change


def objective_record(r: Response) -> dict[str, Any]:
    """The objective's description for the result's ``objective`` field (empty for a single-KPI response)."""
    view = r.outcomes
    if view is None:
        return {}
    return {"outcomes": dict(view.objective["weights"]), "description": view.objective["description"]}


def outcome_changes(
    r: Response,
    plan: Any,  # scenarios.Evaluation (scenarios imports this module)
    reference: Any,
    plan_cells: np.ndarray | None = None,
) -> dict[str, Any] | None:
    """Per outcome: weight, expected horizon KPI of ``plan`` and its paired change vs ``reference`` (delta with
    interval, P(up), the weighted change the objective counts); None for a single-KPI response."""
    view = r.outcomes
    if view is None:
        return None
    new = view.totals(r, r.to_cells(plan.amounts) if plan_cells is None else plan_cells)
    old = view.totals(r, r.to_cells(reference.amounts))
    out = {}
    for k, (name, w) in enumerate(zip(view.names, view.weights, strict=True)):
        delta = new[:, k] - old[:, k]
        # The same plan scored twice differs by float rounding (~1e-10 relative): that is no change, not a coin flip.
        delta = np.where(np.abs(delta) <= SAME * np.abs(old[:, k]), 0.0, delta)
        out[name] = {
            "weight": w,
            "expected_kpi": summary(new[:, k]),
            "vs_current": {
                "reference": reference.name,
                "delta": summary(delta),
                "prob_up": float(np.mean(delta > 0)),
                "weighted_delta": summary(w * delta),
            },
        }
    return out


__all__ = ["OutcomeView", "objective_record", "outcome_changes"]
