"""The allocation solver: SLSQP over budget shares on a well-scaled objective, from several starts.

Why it cannot return the degenerate equal split of the peers: the variables are *shares of the free budget*
(order one whatever the currency) and the objective is divided by its value at the current pattern (order one
whatever the KPI's units), so gradients are order one too and SLSQP's step and tolerance tests mean the
same thing for a KPI in units of 1e-6 as for one in millions. Several starts (current pattern, equal split,
Dirichlet draws) guard against local optima from S-shaped curves; the best feasible end point wins.

Objectives over the per-draw horizon KPI ``k_s``: ``mean`` E[k]; ``mean_sd`` E[k] - lambda * sd(k);
``cvar`` the mean of the worst ``q`` share of draws (expected KPI in the bad cases; smoothed, ``smooth_cvar``).
With ``Problem.offset`` (the current mix's KPI per draw) they apply to the paired gain ``k_s - offset_s`` instead:
its spread is the draws' disagreement about the move, not the uncertainty of the KPI level (used by ``frontier``).
With ``Problem.allowance`` (and the current mix per channel, ``offset_channels``), ``mean_sd``'s spread is that of
the gain the decision rule judges: each channel's part of the paired gain weighted by its allowance for model error
(``allowance.widen_by_channel``), so a risk-aware point avoids exactly the channels the rule judges widest.
"""

from __future__ import annotations

import time
from dataclasses import replace

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import minimize

from mmm_core.errors import MMMError
from mmm_core.optimizer.feasible import allowed as allowed  # re-exported: plans imports it from the solver
from mmm_core.optimizer.feasible import project as project  # re-exported, as allowed
from mmm_core.optimizer.feasible import repair, slsqp_constraints, snap_to_bounds, start_shares
from mmm_core.optimizer.problem import Problem, Solution  # re-exported: frontier, plans and explain import them here
from mmm_core.optimizer.response import national_view

OBJECTIVES = ("mean", "mean_sd", "cvar")


class OptimizerError(MMMError):
    """A budget question the optimizer cannot answer as asked (infeasible bounds, unknown channel...)."""

    code = "optimizer_invalid"


def risk(total: jnp.ndarray, kind: str, lam: float, m: int, spread: jnp.ndarray | None = None) -> jnp.ndarray:
    """The objective (to maximise) of per-draw totals [S]; ``spread`` [S]: the quantity whose sd ``mean_sd``
    penalises (default: the totals themselves)."""
    if kind == "mean":
        return total.mean()
    if kind == "mean_sd":
        return total.mean() - lam * (total if spread is None else spread).std()
    return smooth_cvar(total, m / total.shape[0])


# Width of the smoothing of ``smooth_cvar``, a share of the draws' sd: a few of 500 near-normal draws around the
# quantile.
CVAR_SMOOTHING = 0.05


def smooth_cvar(total: jnp.ndarray, q: float) -> jnp.ndarray:
    """The mean of the worst ``q`` share of draws, smoothed: Rockafellar–Uryasev's max_t t − E[(t − k)+] / q with
    the kink (·)+ replaced by τ·softplus(·/τ), τ = ``CVAR_SMOOTHING`` × the draws' sd.

    Why smoothed: the plain tail mean is piecewise linear in the draws — its gradient jumps whenever two draws swap
    order across the quantile — so SLSQP stalls near a kink and the optimality check (equal marginal objective
    across interior channels) cannot verify a true optimum (its gradients there are arbitrary subgradients). The
    smoothed value differs from the tail mean by O(τ); as τ → 0 it is the tail mean. The inner maximiser t solves
    E[sigmoid((t − k)/τ)] = q (bisection on the draws held fixed); by the envelope theorem the gradient needs no
    derivative of t."""
    x = jax.lax.stop_gradient(total)
    # τ moves with the plan and the objective depends on it, so its gradient flows (only t's is not needed).
    tau = CVAR_SMOOTHING * jnp.std(total) + 1e-9 * (jnp.abs(jnp.mean(x)) + 1e-30)
    t_scale = jax.lax.stop_gradient(tau)

    def halve(_, bounds):
        lo, hi = bounds
        mid = 0.5 * (lo + hi)
        below = jnp.mean(jax.nn.sigmoid((mid - x) / t_scale)) < q
        return jnp.where(below, mid, lo), jnp.where(below, hi, mid)

    lo, hi = jax.lax.fori_loop(0, 60, halve, (jnp.min(x) - 40.0 * t_scale, jnp.max(x) + 40.0 * t_scale))
    t = jax.lax.stop_gradient(0.5 * (lo + hi))
    return t - tau * jnp.mean(jax.nn.softplus((t - total) / tau)) / q


def _total_and_jacobian_impl(fn, static, amounts, args):
    """Per-draw totals [S] and d total / d amounts [S, J] by forward mode, non-finite entries set to 0.

    Why not reverse mode on the objective: a saturation curve evaluated at an adstocked spend of ~1e-30 (a
    lag weight that underflowed) has a 0·inf derivative, NaN in one draw would poison the whole gradient.
    Forward mode keeps it in its own [draw, cell] entry, whose true value is ~0, so we zero it there.
    """

    def f(a):
        total = fn(a, args, static)[0]
        return total, total

    jac, total = jax.jacfwd(f, has_aux=True)(amounts)
    return total, jnp.where(jnp.isfinite(jac), jac, 0.0)


total_and_jacobian = jax.jit(_total_and_jacobian_impl, static_argnums=(0, 1))


def _scaled_impl(fn, static, kind, m, z, base, embed, b_free, ref, lam, offset, offset_ch, weight, args):
    # Reverse mode: one backward pass whatever the number of cells (the response's spend floor keeps every
    # derivative finite; the guard below is a backstop, the explanation re-derives per draw by forward mode).
    # ``offset`` [S] / ``offset_ch`` [S, C] the current mix (zeros: no pairing); ``weight`` [C] the allowance − 1
    # (zeros: the plain spread), so the penalised spread is that of gain + Σ_c (k_c − 1) · part_c.
    def f(z):
        total, per = fn(base + embed @ (z * b_free), args, static)
        gain = total - offset
        return -risk(gain, kind, lam, m, gain + (per - offset_ch) @ weight) / ref

    v, g = jax.value_and_grad(f)(z)
    return v, jnp.where(jnp.isfinite(g), g, 0.0)


_scaled_value_and_grad = jax.jit(_scaled_impl, static_argnums=(0, 1, 2, 3))


def objective_gradient(problem: Problem, cells: np.ndarray) -> tuple[float, np.ndarray]:
    """Objective (KPI units) and its gradient per cell (KPI per unit of spend) at ``cells``."""
    r = problem.response
    j = r.n_cells
    v, g = _scaled_value_and_grad(
        r.fn,
        r.static,
        problem.objective,
        problem.cvar_count,
        jnp.asarray(cells, r.dtype),
        jnp.zeros(j, r.dtype),
        jnp.eye(j, dtype=r.dtype),
        1.0,
        -1.0,
        problem.risk_lambda,
        *_pairing(problem),
        r.args,
    )
    return float(v), np.asarray(g, float)


def _pairing(problem: Problem) -> tuple[jnp.ndarray, jnp.ndarray, jnp.ndarray]:
    """The current mix per draw [S] and per draw and channel [S, C] (zeros unpaired) and the allowance − 1 [C]
    (zeros without an allowance)."""
    r = problem.response
    n_s, n_c = r.n_draws, len(r.channels)
    offset = np.zeros(n_s) if problem.offset is None else problem.offset
    weighted = problem.allowance is not None and problem.offset_channels is not None
    offset_ch = problem.offset_channels if weighted else np.zeros((n_s, n_c))
    weight = np.asarray(problem.allowance, float) - 1.0 if weighted else np.zeros(n_c)
    return tuple(jnp.asarray(a, r.dtype) for a in (offset, offset_ch, weight))


def solve(
    problem: Problem,
    n_starts: int = 5,
    seed: int = 0,
    maxiter: int = 300,
    initial: np.ndarray | None = None,
    ftol: float = 1e-10,
    warm: np.ndarray | None = None,
    agree: float | None = None,
) -> Solution:
    """Maximise the objective over cell amounts summing to the budget within the bounds.

    ``initial`` (cell amounts): start from there only (the float64 polish of a float32 multi-start search).
    """
    t0 = time.perf_counter()
    r = problem.response
    fixed_cells = problem.fixed[r.cell_channel]
    base = np.where(fixed_cells, r.to_cells(problem.lo), 0.0)  # fixed channels: lo == hi
    b_free = problem.budget - base.sum()
    free_cells = np.flatnonzero(~fixed_cells)
    if free_cells.size == 0 or b_free <= 1e-12 * problem.budget:
        value, _ = objective_gradient(problem, base)
        return Solution(base, -value, [], "fixed", time.perf_counter() - t0)
    free_ch = ~problem.fixed
    lo_s, hi_s = problem.lo[free_ch] / b_free, problem.hi[free_ch] / b_free
    # Cell bounds: a channel's own bounds when cells are channels; [0, channel upper] for geo cells.
    geo_cells = r.n_cells > len(r.channels)
    ch_index = np.cumsum(free_ch) - 1
    cell_ch = r.cell_channel[free_cells]
    cell_lo = np.zeros(free_cells.size) if geo_cells else lo_s[ch_index[cell_ch]]
    cell_hi = hi_s[ch_index[cell_ch]]
    embed = np.zeros((r.n_cells, free_cells.size))
    embed[free_cells, np.arange(free_cells.size)] = 1.0
    cons = slsqp_constraints(problem, free_cells, base, b_free)
    if problem.offset is not None:  # a paired gain is 0 at the current mix: scale by the current mix's KPI
        scale = abs(float(np.mean(problem.offset)))
    else:
        ref_value, _ = objective_gradient(problem, r.to_cells(problem.reference))
        scale = abs(ref_value) if abs(ref_value) > 0 else abs(objective_gradient(problem, r.to_cells(problem.hi))[0])
    if not scale > 0:
        raise OptimizerError(
            "The model attributes no KPI to media at any allocation, so there is nothing to optimise.",
            "Check the fit's media contributions before optimising.",
            code="optimizer_flat_response",
        )
    args = tuple(jnp.asarray(a, r.dtype) for a in (base, embed)) + (float(b_free), float(scale))
    pairing = _pairing(problem)

    def fun(z):
        v, g = _scaled_value_and_grad(
            r.fn,
            r.static,
            problem.objective,
            problem.cvar_count,
            jnp.asarray(z, r.dtype),
            *args,
            problem.risk_lambda,
            *pairing,
            r.args,
        )
        return float(v), np.asarray(g, float)

    runs, best = [], None
    starts = start_shares(problem, free_ch, lo_s, hi_s, n_starts, seed) if initial is None else [("polish", None)]
    if warm is not None and initial is None:  # cell amounts to start from first (``solve_geo``)
        starts = [(WARM, None), *starts]
    for name, share in starts:
        if share is None:
            z0 = np.asarray(warm if initial is None else initial, float)[free_cells] / b_free
        else:
            z0 = share[ch_index[cell_ch]] * r.cell_share[free_cells] if geo_cells else share
        res = minimize(
            fun,
            z0,
            jac=True,
            method="SLSQP",
            bounds=list(zip(cell_lo, cell_hi)),
            constraints=cons,
            options={"maxiter": maxiter, "ftol": ftol},
        )
        z = snap_to_bounds(repair(res.x, cell_lo, cell_hi, geo_cells), cell_lo, cell_hi, geo_cells, fun, cons)
        violation = max(
            [0.0]
            + [
                float(np.max(-np.atleast_1d(c["fun"](z))))
                if c["type"] == "ineq"
                else float(np.max(np.abs(c["fun"](z))))
                for c in cons
            ]
        )
        value = fun(z)[0]
        runs.append(
            {
                "start": name,
                "objective": -value * scale,
                "iterations": int(res.nit),
                "evaluations": int(res.nfev),
                "status": res.message,
                "feasible": violation <= 1e-6,
            }
        )
        if violation <= 1e-6 and (best is None or value < best[1]):
            best = (name, value, z)
        if agree is not None and _agreed(runs, agree):  # two starts at the same optimum: the rest would be too
            break
    if best is None:
        raise OptimizerError(
            "No start reached an allocation that satisfies every constraint.",
            "Loosen the total-change limits or the bounds.",
            code="optimizer_infeasible",
        )
    cells = base + embed @ (best[2] * b_free)
    return Solution(cells, -best[1] * scale, runs, best[0], time.perf_counter() - t0)


GEO_SEARCH_FTOL = 1e-7
GEO_AGREE = 1e-6  # relative: two cold cell starts whose objectives differ by less have found the same optimum
WARM = "national optimum"


def _agreed(runs: list[dict], tol: float) -> bool:
    """Whether two feasible cold starts (the warm one not counted) reached the best objective so far within
    ``tol`` (relative)."""
    values = sorted((r["objective"] for r in runs if r["feasible"] and r["start"] != WARM), reverse=True)
    return len(values) >= 2 and values[0] - values[1] <= tol * abs(values[0])


def solve_geo(problem: Problem, n_starts: int = 5, seed: int = 0) -> Solution:
    """The geo × channel problem: the multi-start over the cells at float32's tolerance, with the optimum over
    channel totals at the recent geo split (C variables, cheap) as an extra first start.

    Why: the multi-start at ``ftol`` 1e-10 cost 13,434 evaluations of the 64-cell objective on
    bench/optimizer.py's geo_medium posterior (5 starts, each stopped at the 300-iteration limit, all at the same
    optimum): the search runs in float32, where a relative change of 1e-10 is below resolution (the float64
    polish after it, in ``plans``, does the fine convergence). At ``GEO_SEARCH_FTOL`` two of five starts still
    ran to the limit (6,126 evaluations in all), so the starts stop once two cold starts agree (``GEO_AGREE``):
    the current pattern and the equal split did, at 2e-7 of each other. The national optimum is one more start,
    not a replacement, and is not counted for agreement: on a truth with open bounds it and the current pattern
    both ended 0.1% below the best start (a channel dropped in one geo: geo moves are not second-order there)."""
    r = problem.response
    if r.n_cells == len(r.channels):
        return solve(problem, n_starts, seed)
    t0 = time.perf_counter()
    national = solve(replace(problem, response=national_view(r)), n_starts, seed)
    cells = solve(problem, n_starts, seed, ftol=GEO_SEARCH_FTOL, warm=r.to_cells(national.cells), agree=GEO_AGREE)
    starts = [s | {"start": f"national/{s['start']}"} for s in national.starts] + cells.starts
    return Solution(cells.cells, cells.objective_value, starts, cells.best_start, time.perf_counter() - t0)
