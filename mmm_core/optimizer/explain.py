"""Why the optimum is the optimum: marginal ROI, the optimality check, binding constraints, extrapolation.

- **Marginal ROI** of a channel = extra horizon KPI per extra unit of horizon spend on it (spread flat over the
  horizon, in its current geo split), per draw, from JAX forward-mode derivatives at the plan.
- **Optimality** (KKT for "maximise a concave-ish objective subject to a budget and bounds"): every cell not at
  a bound has the same marginal objective λ; a cell at its upper bound has a marginal objective ≥ λ, one at its
  lower bound ≤ λ. We report the largest relative spread among interior cells and call the optimum verified
  when it is ≤ ``TOLERANCE`` and the bound cells have the right sign.
- **Shadow prices** (KPI gained per extra unit of a constraint): the budget's is λ (the common marginal
  objective of interior cells); an upper bound's is ``m_c − λ``; a lower bound's ``λ − m_c``; a fixed channel's
  ``m_c − λ`` (per unit more of it). With a binding limit on the total change, interior cells split into those
  increased (common value λ_up) and those cut (λ_down): λ = (λ_up + λ_down)/2 and the limit's price is
  ``λ_up − λ_down`` per extra unit of spend allowed to move.
- **Extrapolation**: a per-period level outside the observed per-period spend range of a cell rests on the
  curve where no data pinned it. Rule: at relative distance ``r`` outside the range (above: level/max − 1;
  below: 1 − level/min), the spread across draws of that channel's horizon contribution is multiplied by
  ``1 + min(r, 2)`` (so at most ×3) before intervals and probabilities are computed, and a warning names it.
  When every draw of the channel's contribution is positive (media effects are) the widening is lognormal and keeps
  the mean: the log-scale spread grows until the standard deviation is ``factor`` times the original (for a
  lognormal, σ'² = log(1 + factor²·(exp(σ²) − 1))), then the draws are rescaled to the original mean. The interval
  grows more upwards than downwards and never crosses zero (which an additive widening of a right-skewed, positive
  quantity would do), and the expected contribution is unchanged: an unpinned curve is more uncertain, not better.
  (Scaling the log-scale spread itself by the factor around the median raised the mean up to fivefold — an
  extrapolated plan read as far more profitable, with a marginal ROI that said the opposite.) Contributions that
  can be ≤ 0 (a multiplicative model's interactions, a channel with no spend) are widened additively around their
  mean. A channel's contribution made of parts (one per outcome of a weighted objective) is widened as its weighted
  total and the parts follow (``widen_parts``), so the widened parts add up to the widened total draw by draw.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mmm_core.optimizer.core import Problem, objective_gradient, total_and_jacobian
from mmm_core.optimizer.response import Response

TOLERANCE = 0.02  # max relative spread of interior marginal objectives for "optimality verified"
INTERVAL = 0.9  # central interval reported everywhere (5%–95% over draws)
MAX_INFLATION = 3.0


def summary(draws: np.ndarray) -> dict[str, float]:
    """Mean and central ``INTERVAL`` of draws (with S = 1 all three coincide)."""
    d = np.asarray(draws, float)
    q = (1.0 - INTERVAL) / 2.0
    return {"mean": float(d.mean()), "lo": float(np.quantile(d, q)), "hi": float(np.quantile(d, 1.0 - q))}


def marginal_roi_draws(response: Response, cells: np.ndarray) -> np.ndarray:
    """d(horizon KPI)/d(channel total) per draw, [S, C], with each channel's cells moving in their split."""
    jac = np.asarray(
        total_and_jacobian(response.fn, response.static, jnp.asarray(cells, response.dtype), response.args)[1], float
    )
    totals = response.to_channels(cells)
    # Within a channel, an extra unit follows the channel's current split across its cells (recent if empty).
    share = np.where(
        totals[response.cell_channel] > 0,
        cells / np.maximum(totals[response.cell_channel], 1e-300),
        response.cell_share,
    )
    out = np.zeros((jac.shape[0], len(response.channels)))
    np.add.at(out.T, response.cell_channel, (jac * share[None]).T)
    return out


def _status(problem: Problem, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per channel: at lower bound, at upper bound, fixed (tolerance 1e-6 of the budget)."""
    totals = problem.response.to_channels(cells)
    tol = 1e-6 * problem.budget
    fixed = problem.fixed
    lower = ~fixed & (totals <= problem.lo + tol)
    upper = ~fixed & ~lower & (totals >= problem.hi - tol)
    return lower, upper, fixed


def _moved(problem: Problem, totals: np.ndarray) -> float:
    return 0.5 * float(np.abs(totals - problem.reference).sum()) / problem.budget


def explain(problem: Problem, cells: np.ndarray) -> dict:
    """Marginal ROI per channel, the optimality verdict and binding constraints at the plan ``cells``."""
    r = problem.response
    mroi = marginal_roi_draws(r, cells)  # [S, C] of the expected KPI
    _, g_cells = objective_gradient(problem, cells)
    g = _channel_gradient(r, cells, g_cells)  # marginal *objective* per channel (= mean mROI for "mean")
    lower, upper, fixed = _status(problem, cells)
    interior = ~(lower | upper | fixed)
    totals = r.to_channels(cells)
    change = _change_limit(problem, totals)
    lam, lam_draws, spread, groups = _lagrange(g, mroi, interior, totals - problem.reference, change)
    sign_ok = bool(np.all(g[upper] >= lam - TOLERANCE * abs(lam)) and np.all(g[lower] <= lam + TOLERANCE * abs(lam)))
    binding = [
        {"constraint": "budget", "channel": None, "bound": float(problem.budget), "shadow_price": summary(lam_draws)}
    ]
    for c, ch in enumerate(r.channels):
        kind = "upper" if upper[c] else "lower" if lower[c] else "fixed" if fixed[c] else None
        if kind is None:
            continue
        sign = -1.0 if kind == "lower" else 1.0
        binding.append(
            {
                "constraint": kind,
                "channel": ch,
                "source": _source(problem, c, kind),
                "bound": float(problem.lo[c] if kind == "lower" else problem.hi[c]),
                "shadow_price": summary(sign * (mroi[:, c] - lam_draws)) | {"objective": float(sign * (g[c] - lam))},
            }
        )
    if change is not None:
        binding.append(
            {
                "constraint": change,
                "channel": None,
                "bound": _change_value(problem, change),
                "shadow_price": summary(groups) | {"objective": float(np.mean(groups))},
            }
        )
    return {
        "marginal_roi": {ch: summary(mroi[:, c]) for c, ch in enumerate(r.channels)},
        "marginal_objective": dict(zip(r.channels, map(float, g))),
        "optimality_verified": bool(spread <= TOLERANCE and sign_ok),
        "optimality": {
            "max_relative_spread": float(spread),
            "tolerance": TOLERANCE,
            "bound_signs_ok": sign_ok,
            "interior_channels": [ch for c, ch in enumerate(r.channels) if interior[c]],
            "lambda": float(lam),
        },
        "binding": binding,
    }


def _source(problem: Problem, c: int, kind: str) -> str:
    """Who set a binding bound: the user, the trust region or the observed spend range."""
    if kind == "fixed" or problem.bound_source is None:
        return "user"
    return problem.bound_source[0 if kind == "lower" else 1][c]


def _channel_gradient(r: Response, cells: np.ndarray, g_cells: np.ndarray) -> np.ndarray:
    totals = r.to_channels(cells)
    share = np.where(totals[r.cell_channel] > 0, cells / np.maximum(totals[r.cell_channel], 1e-300), r.cell_share)
    return np.bincount(r.cell_channel, weights=g_cells * share, minlength=len(r.channels))


def _change_value(problem: Problem, kind: str) -> float:
    return float(
        (problem.max_total_change if kind == "max_total_change" else problem.min_total_change) * problem.budget
    )


def _change_limit(problem: Problem, totals: np.ndarray) -> str | None:
    """Which total-change limit binds at ``totals``, if any."""
    moved = _moved(problem, totals)
    for kind, limit in (("max_total_change", problem.max_total_change), ("min_total_change", problem.min_total_change)):
        if limit is not None and abs(moved - limit) <= 1e-4:
            return kind
    return None


def _lagrange(g, mroi, interior, delta, change):
    """λ (budget shadow price), its per-draw version, the interior spread, and the change limit's price draws."""
    if change is None:
        groups_idx = [interior]
    else:  # interior cells split by the direction they moved; the kink (unchanged) cells are not interior
        moved = np.abs(delta) > 1e-9 * max(1.0, float(np.abs(delta).max()))
        groups_idx = [interior & moved & (delta > 0), interior & moved & (delta < 0)]
    means, draws, spread = [], [], 0.0
    for idx in groups_idx:
        if idx.sum() == 0:
            continue
        vals = g[idx]
        means.append(float(vals.mean()))
        draws.append(mroi[:, idx].mean(axis=1))
        spread = max(spread, float((vals.max() - vals.min()) / max(abs(vals.mean()), 1e-300)))
    if not means:  # every channel at a bound: λ lies between the bound channels; take the best lower-bound one
        lam = float(g.max())
        return lam, mroi[:, int(np.argmax(g))], 0.0, np.zeros(mroi.shape[0])
    lam, lam_draws = float(np.mean(means)), np.mean(draws, axis=0)
    price = np.zeros(mroi.shape[0])
    if change is not None and len(draws) == 2:
        price = (draws[0] - draws[1]) * (1.0 if change == "max_total_change" else -1.0)
    return lam, lam_draws, spread, price


def extrapolation(r: Response, cells: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Per-channel spread inflation factors [C] and the warnings that explain them."""
    level = np.asarray(cells, float) / r.periods
    lo, hi = r.cell_range[:, 0], r.cell_range[:, 1]
    above = np.where(level > hi, level / np.maximum(hi, 1e-300) - 1.0, 0.0)
    below = np.where((level < lo) & (lo > 0), 1.0 - level / np.maximum(lo, 1e-300), 0.0)
    dist = np.maximum(above, below)
    factor = np.ones(len(r.channels))
    np.maximum.at(factor, r.cell_channel, 1.0 + np.minimum(dist, MAX_INFLATION - 1.0))
    warnings = []
    for j, name in enumerate(r.cells):
        if dist[j] > 1e-9:
            side = "above the highest" if above[j] > 0 else "below the lowest"
            warnings.append(
                f"extrapolation: {name} at {level[j]:,.2f} per period is {dist[j]:.0%} {side} observed level "
                f"({lo[j]:,.2f}–{hi[j]:,.2f}); the model's curve there is not pinned by data, so the spread of "
                f"{r.channels[r.cell_channel[j]]}'s contribution is widened ×{factor[r.cell_channel[j]]:.2f}."
            )
    return factor, warnings


def widen(total: np.ndarray, per_channel: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Per-draw totals with each channel's spread across draws scaled by ``factor`` (see module doc)."""
    per_channel = np.asarray(per_channel, float)
    return total + (widen_parts(per_channel[..., None], np.ones(1), factor)[..., 0] - per_channel).sum(axis=1)


def widen_parts(parts: np.ndarray, weights: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """[S, C, K] ``parts`` of each channel's contribution (own units; the channel's total is ``parts @ weights``)
    with the channel's spread scaled by ``factor`` [C]. The rule is decided on the channel's total: on the log scale
    every part is multiplied by the total's widened/unwidened ratio draw by draw (a channel's effect on each outcome
    scales with it: cross-effects are proportional to their source); the additive widening is linear, so each part
    is widened around its own mean. Either way ``widen_parts(...) @ weights`` is the widened total."""
    parts = np.asarray(parts, float)
    per = parts @ np.asarray(weights, float)
    scale = np.asarray(factor, float)[None]
    positive = (per > 0).all(axis=0)
    safe = np.where(positive[None], per, 1.0)
    log_c = np.log(safe)
    centre = log_c.mean(axis=0, keepdims=True)
    var = log_c.var(axis=0, keepdims=True)
    wider = np.sqrt(np.log1p(scale**2 * np.expm1(var)))  # σ' with sd × factor (lognormal), see module doc
    stretch = np.divide(wider, np.sqrt(var), out=np.ones_like(var), where=var > 0)
    grown = np.exp(centre + stretch * (log_c - centre))
    ratio = grown * (safe.mean(axis=0, keepdims=True) / grown.mean(axis=0, keepdims=True)) / safe
    additive = parts + (parts - parts.mean(axis=0, keepdims=True)) * (scale - 1.0)[..., None]
    return np.where(positive[None, :, None], parts * ratio[..., None], additive)
