"""Risk-aware candidate plans: the moves the posterior agrees on, found by optimising the *paired* gain.

Why not only shorten the path to the posterior-mean optimum: P(better) is (to first order) the same at every
step of one straight path — the gain of a step ``t`` is ``t·g`` per draw, so its sign, and the share of draws
that agree, does not depend on ``t``. When the optimum's direction relies on uncertain curves, every step of it
fails the rule (the default before this module kept the current mix in 88% of the benchmark's plans). A
different *direction* can pass: typically more money into the clearly starved, well-identified channel and
nothing moved between channels the draws disagree about.

So for a few risk aversions ``λ`` we maximise, inside the same bounds and trust region,

    E[gain] − λ · sd(gain),   gain_s = KPI_s(plan) − KPI_s(current mix)   (paired by posterior draw s),

whose value at the current mix is 0 in every draw, so "keep" is always feasible and a solution moves only as
far as the draws agree. These points (and ``FRACTIONS`` of the way to each) are candidates; the decision rule
(``decision.decide``) recommends the one with the largest expected gain among those that pass it.

Which λ: the rule asks P(better) ≥ p, which a normally distributed gain judged ``k`` times wider meets when
mean ≥ z_p · k · sd; the per-channel allowances (:mod:`mmm_core.optimizer.allowance`) put k between 1.25 and about
5, so ``LAMBDA_SCALES`` × z_p spans the risk aversions at which a move just passes (a less averse point can still
pass when the posterior is skewed or the move avoids the widened channels). The former three (0.8, 1.6, 2.4 × z_p,
for a single allowance of 2) are among them.

Simple moves (``simple_moves``) are candidates too: money from one channel to another (every ordered pair, as far
as the bounds allow, and ``FRACTIONS`` of that), and one channel up or down with the others absorbing it in
proportion to their room. They need no solve; they let the rule find a move that leaves alone the channels it
judges widest, which a mean − λ·sd point (one sd for the whole gain) does not aim for.

Measured on the decision-quality benchmark's tuning seeds (0–4; 7 generating processes × 2 budgets, full NUTS)
under the per-channel allowance: the path alone with the simple moves captured 44% of the true uplift reachable
within the trust region, with the former three λ 49%, with these six λ 51% (nine λ up to 6.5: 51%); none made a
plan worse than the current mix. Under the former single allowance 2 these candidates added almost nothing (38%
→ 39%): the allowance, not the candidate set, was the limit. The solves are a continuation (below), one local
solve per λ. When geos are optimised no risk-aware or simple candidates are made (``plans``).

Judged moves (``JUDGED_SCALES``, with a per-channel allowance only): the same continuation on mean − λ·sd of the
gain *as the rule judges it* — each channel's part of the paired gain weighted by its allowance
(``Problem.allowance``) — so the point aims at what passes rather than at the raw posterior's disagreement. Where
uplift was left on the table (tuning seeds 0–4, 70 plans, offline replay of the rule over every candidate, each
scored on the truth): not in the choice among passing candidates (the truly best of them would capture 52% of the
uplift reachable within the trust region, the largest expected gain captured 51%), not in the candidate set's
reach (its truly best member: 88%), but in which candidates pass: 11 plans with room were kept (issue_national 4,
logistic_bursty 3, national_logistic 2, national_small 2) and raw-sd points stop short of the channels the rule
trusts. With the judged moves (λ = 0.6, 0.8, 1.0 × z_p): 53% captured instead of 51% (national_logistic 45% →
52%, issue_national 16% → 21%, logistic_bursty 36% → 39%), 0 plans worse than the current mix, 48/48 moves with
P(better) ≥ 0.9 truly better; 13 plans changed, 2 of them slightly for the worse (by ≤ 0.05 points); adding
λ = 1.2 and 1.5 × z_p changed nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np

from mmm_core.optimizer.core import OptimizerError, Problem, solve

LAMBDA_SCALES = (0.4, 0.8, 1.2, 1.6, 2.0, 2.4)  # × z_p: 0.5, 1.0, 1.5, 2.1, 2.6, 3.1 at p = 0.9
# With the per-channel allowance inside the objective (the spread the rule judges), a normal gain just passes at
# λ = z_p; these scales bracket that from the bold side (the continuation runs from the mean optimum down).
JUDGED_SCALES = (0.6, 0.8, 1.0)
FRACTIONS = (0.25, 0.5, 0.75, 1.0)  # partial moves towards each point (a shorter move bends less on the curves)


@dataclass(frozen=True)
class Candidate:
    """A plan to score: ``cells`` amounts; ``risk_aversion`` λ (None unless a risk-aware point); ``step``: the
    share of the way from the current mix; ``kind``: path (to the mean optimum) | risk_aware | swap | shift."""

    cells: np.ndarray
    risk_aversion: float | None
    step: float
    kind: str = "path"


def risk_aversions(min_prob_better: float, scales: tuple[float, ...] = LAMBDA_SCALES) -> tuple[float, ...]:
    """The λ tried: ``scales`` × z_p (``LAMBDA_SCALES``: the risk aversions at which a normal gain judged 0.4–2.4
    times wider just passes the rule)."""
    z = float(NormalDist().inv_cdf(min_prob_better))
    return tuple(scale * z for scale in scales)


def risk_aware_candidates(
    problem: Problem,
    start_cells: np.ndarray,
    offset: np.ndarray,
    lambdas: tuple[float, ...],
    initial: np.ndarray,
    allowance: np.ndarray | None = None,
    offset_channels: np.ndarray | None = None,
) -> list[Candidate]:
    """Maximisers of mean − λ·sd of the paired gain over ``problem``'s constraints, for each λ of ``lambdas``
    (ascending), and the points ``FRACTIONS`` of the way to each from ``start_cells``. ``offset`` [S] is the
    current mix's KPI per draw (the pairing). The solves are a continuation: the first starts from ``initial``
    (the mean optimum, λ = 0), each next one from the previous solution — one local solve per λ instead of a
    multi-start (a third of the time; the solutions move continuously with λ). Duplicates are dropped."""
    out: list[Candidate] = []
    seen: list[np.ndarray] = []
    tol = 1e-6 * problem.budget
    if not abs(float(np.mean(offset))) > 0:  # no media KPI at the current mix: nothing to scale the gain by
        return out
    previous = np.asarray(initial, float)
    for lam in sorted(lambdas):
        paired = replace(
            problem,
            objective="mean_sd",
            risk_lambda=float(lam),
            offset=np.asarray(offset, float),
            allowance=allowance,
            offset_channels=offset_channels,
        )
        try:
            cells = solve(paired, initial=previous).cells
        except OptimizerError:  # the solve ended outside the constraints: the other candidates remain
            continue
        previous = cells
        if any(np.abs(cells - s).max() <= tol for s in seen):
            continue
        seen.append(cells)
        out += [Candidate(start_cells + t * (cells - start_cells), float(lam), t, "risk_aware") for t in FRACTIONS]
    return out


def simple_moves(problem: Problem, start: np.ndarray) -> list[Candidate]:
    """Swaps between every ordered pair of channels and single-channel shifts from ``start`` (channel totals; cells
    are channels), each as far as ``problem``'s bounds allow and ``FRACTIONS`` of that."""
    lo, hi = problem.lo, problem.hi
    tol = 1e-6 * problem.budget
    out: list[Candidate] = []
    n = len(start)
    for i in range(n):
        for j in range(n):
            room = min(start[i] - lo[i], hi[j] - start[j]) if i != j else 0.0
            if room > tol:
                step = np.zeros(n)
                step[i], step[j] = -room, room
                out += [Candidate(start + t * step, None, t, "swap") for t in FRACTIONS]
    for j in range(n):
        out += _shift(start, j, hi[j] - start[j], np.maximum(start - lo, 0.0), tol)  # j up, the others pay
        out += _shift(start, j, lo[j] - start[j], -np.maximum(hi - start, 0.0), tol)  # j down, the others take it
    return out


def _shift(start: np.ndarray, j: int, room_j: float, room_others: np.ndarray, tol: float) -> list[Candidate]:
    """Channel ``j`` moved by up to ``room_j`` (signed), the others by the opposite amount in proportion to their
    signed room ``room_others`` (down room as positive numbers when ``j`` goes up, up room as negative ones)."""
    others = room_others.copy()
    others[j] = 0.0
    amount = min(abs(room_j), abs(float(others.sum())))
    if amount <= tol:
        return []
    step = -amount * others / others.sum() * np.sign(room_j)
    step[j] = amount * np.sign(room_j)
    return [Candidate(start + t * step, None, t, "shift") for t in FRACTIONS]
