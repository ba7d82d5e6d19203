"""Optimizer checks on the synthetic *truth* (S = 1): brute force, tiny-unit regression, bounds, shadow prices."""

from __future__ import annotations

import json
from dataclasses import replace

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from mmm_core.optimizer import OptimizerError, optimize_response
from mmm_core.optimizer.truth import _truth_fn as truth_response_fn
from mmm_core.optimizer.truth import truth_response
from mmm_core.synth import generate

PERIODS = 13
# The plain argmax on a known truth (S = 1): no trust region, no observed-range cap, no decision rule. These tests
# check the solver against the global optimum; the decision-safe defaults are tested in test_optimizer_decision.py.
OPEN = {"trust_region": None, "extrapolate": True, "decision_rule": False}


@pytest.fixture(scope="module")
def truth():
    return truth_response(generate("national_small", 0).world, PERIODS)


@pytest.fixture(scope="module")
def budget(truth):
    return float(truth.recent_level.sum() * PERIODS)


def _grid_best(resp, budget: float, step: float = 0.01) -> float:
    """Brute force over the simplex of 4 channels on a 1% grid (176,851 plans)."""
    n = int(round(1 / step))
    pts = (
        np.array(
            [(a, b, c, n - a - b - c) for a in range(n + 1) for b in range(n + 1 - a) for c in range(n + 1 - a - b)],
            float,
        )
        * step
        * budget
    )
    f = jax.jit(jax.vmap(lambda x: resp.fn(x, resp.args, resp.static)[0][0]))
    return float(np.max(np.asarray(f(jnp.asarray(pts, jnp.float32)))))


def test_matches_brute_force_on_truth(truth, budget):
    res = optimize_response(truth, budget, **OPEN)
    best = _grid_best(truth, budget)
    assert res.expected_kpi["mean"] >= best * (1 - 0.005)
    assert abs(res.expected_kpi["mean"] - best) / best < 0.005
    assert res.optimality_verified
    assert sum(res.allocation.values()) == pytest.approx(budget, rel=1e-9)
    assert res.vs_current["delta"]["mean"] > 0 and res.vs_current["prob_better"] == 1.0


def test_tiny_units_do_not_give_the_equal_split(truth, budget):
    """KPI ~1e-7 and a budget of 1e9: a naive objective would have gradients ~1e-16 and stop at the start."""
    reference = optimize_response(truth, budget, **OPEN).allocation
    tiny = replace(
        truth,
        args=truth.args | {"coef": truth.args["coef"] * 1e-12, "recent": truth.args["recent"] * (1e9 / budget)},
        recent_level=truth.recent_level * (1e9 / budget),
    )
    # Saturation K in spend units must scale with spend for the same problem: rescale it too.
    tiny = replace(tiny, args=tiny.args | {"k": truth.args["k"] * (1e9 / budget)})
    res = optimize_response(tiny, 1e9, **OPEN)
    assert res.expected_kpi["mean"] < 1e-5
    shares = np.array([res.allocation[c] / 1e9 for c in truth.channels])
    expected = np.array([reference[c] / budget for c in truth.channels])
    assert not np.allclose(shares, 0.25, atol=0.02)  # moved away from the equal split
    np.testing.assert_allclose(shares, expected, atol=0.01)
    assert res.optimality_verified


def test_bounds_exact_and_shadow_price_signs(truth, budget):
    cap = 0.5 * budget * 0.55  # Search wants ~65% of the budget at the optimum: cap it
    floor = 0.2 * budget  # Local wants ~11% even with Search capped: force more
    res = optimize_response(truth, budget, bounds={"Search": (None, cap), "Local": (floor, None)}, **OPEN)
    assert res.allocation["Search"] == cap  # exactly on the bound
    assert res.allocation["Local"] == floor
    assert sum(res.allocation.values()) == pytest.approx(budget, rel=1e-9)
    kinds = {(b["constraint"], b["channel"]): b for b in res.binding}
    assert ("upper", "Search") in kinds and ("lower", "Local") in kinds and ("budget", None) in kinds
    assert kinds[("upper", "Search")]["shadow_price"]["mean"] > 0  # relaxing the cap gains KPI
    assert kinds[("lower", "Local")]["shadow_price"]["mean"] > 0  # lowering the floor gains KPI
    assert kinds[("budget", None)]["shadow_price"]["mean"] > 0
    assert res.optimality_verified
    # The budget's shadow price is the KPI of one more unit: check it by finite difference.
    more = optimize_response(truth, budget * 1.01, bounds={"Search": (None, cap), "Local": (floor, None)}, **OPEN)
    fd = (more.expected_kpi["mean"] - res.expected_kpi["mean"]) / (0.01 * budget)
    assert fd == pytest.approx(kinds[("budget", None)]["shadow_price"]["mean"], rel=0.05)


def test_fixed_and_pct_bounds_and_total_change(truth, budget):
    res = optimize_response(
        truth, budget, fixed={"Email": 5000.0}, bounds_pct={"Social": (-20, 20)}, max_total_change=0.1, **OPEN
    )
    assert res.allocation["Email"] == 5000.0
    level = truth.recent_level[truth.channels.index("Social")] * PERIODS
    assert level * 0.8 - 1e-6 <= res.allocation["Social"] <= level * 1.2 + 1e-6
    assert sum(res.allocation.values()) == pytest.approx(budget, rel=1e-9)
    cur = {
        c: truth.recent_level[i] * PERIODS * budget / (truth.recent_level.sum() * PERIODS)
        for i, c in enumerate(truth.channels)
    }
    moved = 0.5 * sum(abs(res.allocation[c] - cur[c]) for c in truth.channels) / budget
    assert moved <= 0.1 + 1e-4
    assert any(b["constraint"] == "fixed" for b in res.binding)


def test_extrapolation_warning_and_widening(truth, budget):
    res = optimize_response(truth, budget * 3, **OPEN)  # far above anything observed
    assert any(w.startswith("extrapolation:") for w in res.warnings)
    factors = [v["extrapolation_factor"] for v in res.details["current"]["level"]["per_channel"].values()]
    assert factors == [1.0] * 4  # the current level is inside the observed range
    opt_factors = res.details["notes"]  # notes explain the planning semantics
    assert opt_factors


def test_result_is_json_and_errors_are_typed(truth, budget):
    d = optimize_response(truth, budget, scenarios=[{"Search": budget}], **OPEN).to_dict()
    text = json.dumps(d)
    for key in (
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
        "scenarios",
    ):
        assert key in d, key
    assert "NaN" not in text
    with pytest.raises(OptimizerError) as e:
        optimize_response(truth, budget, bounds={"Nope": (0, 1)}, **OPEN)
    assert e.value.code == "optimizer_unknown_channel"
    with pytest.raises(OptimizerError) as e:
        optimize_response(truth, budget, bounds={c: (0, budget / 10) for c in truth.channels}, **OPEN)
    assert e.value.code == "optimizer_infeasible"


@pytest.mark.parametrize("sigma", [0.2, 0.4, 0.8])
def test_widening_keeps_positive_contributions_positive(sigma: float) -> None:
    """A right-skewed, positive channel contribution widened ×3 keeps its mean (an unpinned curve is more
    uncertain, not more profitable), triples its standard deviation, grows its interval (more upwards than
    downwards) and never crosses zero; the additive rule would push its lower tail below 0. Tolerance: 4,000
    lognormal draws estimate the sd of the widened draws (σ' ≤ 1) within ~15%."""
    from mmm_core.optimizer.explain import widen

    rng = np.random.default_rng(0)
    per = np.column_stack([rng.lognormal(np.log(100.0), sigma, 4000), np.full(4000, 50.0)])
    total = per.sum(axis=1)
    out = widen(total, per, np.array([3.0, 1.0])) - 50.0
    assert out.min() > 0
    assert out.mean() == pytest.approx(per[:, 0].mean(), rel=1e-9)
    log_var = np.log(per[:, 0]).var()  # the lognormal's σ² → σ'² with sd × 3 (exact by construction)
    assert np.log(out).var() == pytest.approx(np.log1p(9.0 * np.expm1(log_var)), rel=1e-9)
    if sigma <= 0.4:  # a sample sd of a heavier tail (σ' ≈ 1.5 at σ = 0.8) is too noisy to check directly
        assert out.std() == pytest.approx(3.0 * per[:, 0].std(), rel=0.15)
    lo0, hi0 = np.quantile(per[:, 0], [0.05, 0.95])
    lo, hi = np.quantile(out, [0.05, 0.95])
    assert lo < lo0 and hi > hi0 and (hi - hi0) > (lo0 - lo)
    additive = per[:, 0] + 2.0 * (per[:, 0] - per[:, 0].mean())
    assert additive.min() < 0 or sigma < 0.4  # what the additive rule does to a skewed channel
    assert np.allclose(widen(total, per, np.ones(2)), total, rtol=1e-12)  # factor 1 changes nothing
    signed = np.column_stack([rng.normal(0.0, 1.0, 4000), per[:, 1]])  # can be <= 0: additive around the mean
    got = widen(signed.sum(axis=1), signed, np.array([2.0, 1.0])) - 50.0
    assert np.allclose(got, signed[:, 0] + (signed[:, 0] - signed[:, 0].mean()))


def test_geo_search_with_the_national_start_matches_the_multi_start() -> None:
    """``solve_geo`` (the multi-start at float32's tolerance plus the national optimum as a start) reaches the
    full-tolerance multi-start's optimum over the cells. (The evaluations it saves are a posterior's: a truth in
    float32 converges either way; bench/optimizer.py measures them.)"""
    from mmm_core.optimizer.core import Problem, solve, solve_geo
    from mmm_core.optimizer.scenarios import current_pattern

    r = truth_response(generate("geo_medium", 0).world, PERIODS, "optimize")
    assert r.n_cells > len(r.channels)
    budget = float(r.recent_level.sum() * PERIODS)
    n_c = len(r.channels)
    problem = Problem(r, budget, np.zeros(n_c), np.full(n_c, budget), np.zeros(n_c, bool), current_pattern(r, budget))
    multi, warm = solve(problem, n_starts=2), solve_geo(problem, n_starts=2)
    assert warm.objective_value >= multi.objective_value * (1 - 1e-4)
    assert r.to_channels(warm.cells) == pytest.approx(r.to_channels(multi.cells), abs=0.01 * budget)
    cell_starts = [s["start"] for s in warm.starts if not s["start"].startswith("national/")]
    assert cell_starts[0] == "national optimum" and len(cell_starts) <= 3  # then the cold starts, until two agree


def test_judged_spread_objective_reduces_to_the_plain_one_with_unit_allowance(truth, budget) -> None:
    """The allowance-weighted paired ``mean_sd`` (``Problem.allowance``) is the plain paired one when every
    allowance is 1, and a larger allowance on a channel lowers the objective wherever that channel's part varies."""
    from mmm_core.optimizer.core import Problem, objective_gradient
    from mmm_core.optimizer.scenarios import current_pattern

    rng = np.random.default_rng(0)
    draws = jnp.asarray(np.exp(rng.normal(0.0, 0.3, 50)), jnp.float32)  # 50 draws of one common multiplier
    r = replace(truth, fn=_scaled_truth, args={"truth": truth.args, "draw": draws}, n_draws=50)
    ref = current_pattern(r, budget)
    off, off_ch = r.evaluate(r.to_cells(ref))
    plan = ref * np.linspace(0.8, 1.2, len(ref))
    plan *= budget / plan.sum()
    n_c = len(ref)
    box = (np.zeros(n_c), np.full(n_c, budget), np.zeros(n_c, bool))
    base = Problem(r, budget, *box, ref, objective="mean_sd", risk_lambda=1.0, offset=off)
    plain = objective_gradient(base, plan)[0]
    unit = objective_gradient(replace(base, allowance=np.ones(len(ref)), offset_channels=off_ch), plan)[0]
    wide = objective_gradient(replace(base, allowance=np.full(len(ref), 3.0), offset_channels=off_ch), plan)[0]
    assert unit == pytest.approx(plain, rel=1e-5)
    assert wide < plain


def _scaled_truth(amounts, args, static):
    """A truth's response times one multiplier per draw: a posterior whose draws disagree about the scale."""
    total, per = truth_response_fn(amounts, args["truth"], static)
    return total * args["draw"], per * args["draw"][:, None]
