"""The allocation solver's feasible set: shares of the free budget within each channel's bounds and the
total-change limits — the projection onto it, the starting points inside it, SLSQP's constraints, and the repair
and snapping of an end point onto it (SLSQP ends within its tolerance, not on the dot)."""

from __future__ import annotations

import numpy as np

from mmm_core.optimizer.problem import Problem


def project(v: np.ndarray, lo: np.ndarray, hi: np.ndarray, total: float = 1.0) -> np.ndarray:
    """Euclidean projection of ``v`` onto {lo <= y <= hi, sum(y) = total} (bisection on a common shift)."""
    a, b = float(np.min(lo - v)) - 1.0, float(np.max(hi - v)) + 1.0
    for _ in range(200):
        tau = 0.5 * (a + b)
        if np.clip(v + tau, lo, hi).sum() < total:
            a = tau
        else:
            b = tau
    y = np.clip(v + 0.5 * (a + b), lo, hi)
    free = (y > lo) & (y < hi)
    if free.any():  # put the last rounding residue on a channel strictly inside its bounds
        y[np.flatnonzero(free)[0]] += total - y.sum()
    return np.clip(y, lo, hi)


def allowed(problem: Problem, cells: np.ndarray, tol: float = 1e-6) -> bool:
    """Whether cell amounts meet the channel bounds and the total-change limits (``tol``: share of the budget)."""
    totals = problem.response.to_channels(cells)
    slack = tol * problem.budget
    if np.any(totals < problem.lo - slack) or np.any(totals > problem.hi + slack):
        return False
    moved = 0.5 * float(np.abs(totals - problem.reference).sum()) / problem.budget
    if problem.max_total_change is not None and moved > problem.max_total_change + tol:
        return False
    return not (problem.min_total_change is not None and moved < problem.min_total_change - tol)


def start_shares(
    problem: Problem, free: np.ndarray, lo: np.ndarray, hi: np.ndarray, n_starts: int, seed: int
) -> list[tuple[str, np.ndarray]]:
    """Channel-level starting shares of the free budget, projected into the feasible box."""
    n = int(free.sum())
    ref = problem.reference[free]
    candidates = [
        ("current", ref / ref.sum() if ref.sum() > 0 else np.full(n, 1.0 / n)),
        ("equal", np.full(n, 1.0 / n)),
    ]
    rng = np.random.default_rng(seed)
    candidates += [(f"dirichlet{i}", rng.dirichlet(np.ones(n))) for i in range(max(0, n_starts - 2))]
    return [(name, project(v, lo, hi)) for name, v in candidates[: max(n_starts, 1)]]


def slsqp_constraints(problem: Problem, free_cells: np.ndarray, base: np.ndarray, b_free: float) -> list[dict]:
    """Sum-to-one, channel totals within bounds (when geos are cells), and the total-change limits."""
    r = problem.response
    cons = [{"type": "eq", "fun": lambda z: z.sum() - 1.0, "jac": lambda z: np.ones_like(z)}]
    member = (r.cell_channel[free_cells][None, :] == np.arange(len(r.channels))[:, None]).astype(float)  # [C, F]
    if r.n_cells > len(r.channels):
        rows = [c for c in range(len(r.channels)) if member[c].any() and not problem.fixed[c]]
        a = member[rows] * b_free
        lo_c, hi_c = problem.lo[rows], problem.hi[rows]
        cons.append(
            {
                "type": "ineq",
                "fun": lambda z: np.concatenate([a @ z - lo_c, hi_c - a @ z]),
                "jac": lambda z: np.concatenate([a, -a]),
            }
        )
    base_ch = r.to_channels(base)
    eps = 1e-6 * problem.budget

    def moved(z):  # share of the budget moved, smoothed |.| so SLSQP gets a gradient everywhere
        d = base_ch + member @ (z * b_free) - problem.reference
        s = np.sqrt(d * d + eps * eps)
        return 0.5 * s.sum() / problem.budget, 0.5 * ((d / s) @ member) * b_free / problem.budget

    if problem.max_total_change is not None:
        cons.append(
            {"type": "ineq", "fun": lambda z: problem.max_total_change - moved(z)[0], "jac": lambda z: -moved(z)[1]}
        )
    if problem.min_total_change is not None:
        cons.append(
            {"type": "ineq", "fun": lambda z: moved(z)[0] - problem.min_total_change, "jac": lambda z: moved(z)[1]}
        )
    return cons


def snap_to_bounds(z, lo, hi, geo_cells, fun, cons, tol: float = 1e-3):
    """Put cells within ``tol`` (share of the free budget) of a bound on it when that is no worse.

    Why: near zero spend an S-shaped curve is flat, so SLSQP can stop a hair inside the bound; the KKT check
    and the binding-constraint report need the cell *on* the bound.
    """
    near_lo, near_hi = (z - lo < tol) & (z > lo), (hi - z < tol) & (z < hi)
    if not (near_lo.any() or near_hi.any()):
        return z
    snapped = np.where(near_lo, lo, np.where(near_hi, hi, z))
    keep = near_lo | near_hi
    lo2, hi2 = np.where(keep, snapped, lo), np.where(keep, snapped, hi)
    try:
        cand = repair(snapped, lo2, hi2, geo_cells)
    except (ValueError, FloatingPointError):
        return z
    ok = all(
        float(np.min(c["fun"](cand))) >= -1e-9 if c["type"] == "ineq" else abs(float(c["fun"](cand))) <= 1e-9
        for c in cons
    )
    return cand if ok and fun(cand)[0] <= fun(z)[0] + 1e-12 else z


def repair(z: np.ndarray, lo: np.ndarray, hi: np.ndarray, geo_cells: bool) -> np.ndarray:
    """Make bounds and the budget hold exactly (SLSQP ends within its tolerance, not on the dot)."""
    if geo_cells:
        z = np.clip(z, lo, hi)
        return z / z.sum()
    return project(np.asarray(z, float), lo, hi)
