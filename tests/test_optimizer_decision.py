"""Decision-safe defaults: the trust region, the decision rule's mechanics, the money view, and how they reach the
answers (tool output → template → grounding). On the synthetic truth (S = 1, so P(better) is 0 or 1 and every
figure is exact) and on the session's quick demo fit; the fitted near-optimal / under-funded worlds are in
``test_decision_quality.py``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mmm_core.optimizer import PlanRequest, optimize_response, plan_response
from mmm_core.optimizer.core import OptimizerError
from mmm_core.optimizer.scenarios import compare_allocations
from mmm_core.optimizer.trust import channel_range
from mmm_core.optimizer.truth import truth_response
from mmm_core.synth import generate

PERIODS = 13


@pytest.fixture(scope="module")
def truth():
    return truth_response(generate("national_small", 0).world, PERIODS)


@pytest.fixture(scope="module")
def budget(truth):
    return float(truth.recent_level.sum() * PERIODS)


def _box_ok(res, truth, budget, share=0.3):
    current = truth.recent_level * PERIODS * budget / (truth.recent_level.sum() * PERIODS)
    rng = channel_range(truth) * PERIODS
    for c, ch in enumerate(truth.channels):
        a = res.allocation[ch]
        assert current[c] * (1 - share) - 1e-6 <= a <= current[c] * (1 + share) + 1e-6, ch
        assert rng[c, 0] - 1e-6 <= a <= rng[c, 1] + 1e-6, ch


def test_trust_region_holds_by_default_and_binding_bounds_carry_their_price(truth, budget) -> None:
    res = optimize_response(truth, budget)
    assert sum(res.allocation.values()) == pytest.approx(budget, rel=1e-9)
    _box_ok(res, truth, budget)
    assert not any(w.startswith("extrapolation:") for w in res.warnings)
    tr = [b for b in res.binding if b.get("source") in ("trust_region", "observed_range")]
    assert tr, res.binding  # the unconstrained optimum (Local at 0, Search ~65%) lies outside: trust bounds bind
    for b in tr:  # a binding bound of a maximisation has a non-negative price
        assert b["shadow_price"]["mean"] >= -1e-9
    # Local (true ROI 0.3) would be cut to zero: its -30% floor binds with a clear price, checked by finite
    # difference (lowering the floor by 1% of Local's level frees that much budget for the others).
    local = [b for b in tr if b["channel"] == "Local"]
    assert local and local[0]["constraint"] == "lower" and local[0]["shadow_price"]["mean"] > 0.1
    floor = local[0]["bound"]
    lower = optimize_response(truth, budget, bounds={"Local": (0.99 * floor, None)})
    fd = (lower.expected_kpi["mean"] - res.expected_kpi["mean"]) / (0.01 * floor)
    assert fd == pytest.approx(local[0]["shadow_price"]["mean"], rel=0.05)
    assert res.optimality_verified
    # On the truth the rule is exact (P = 1) and the gain is material: the optimum within the box is recommended.
    assert res.details["decision"]["status"] == "optimum" and res.vs_current["prob_better"] == 1.0
    # The box costs KPI against the unconstrained argmax, never the other way round.
    wide = optimize_response(truth, budget, trust_region=None, extrapolate=True)
    assert wide.expected_kpi["mean"] >= res.expected_kpi["mean"] - 1e-6 * abs(res.expected_kpi["mean"])


def test_explicit_bounds_widen_the_trust_region_on_their_side_only(truth, budget) -> None:
    level = truth.recent_level[0] * PERIODS
    # The user asks for at least +50% on Search: above the +30% side and above Search's highest observed week.
    res = optimize_response(truth, budget, bounds={"Search": (1.5 * level, None)})
    assert res.allocation["Search"] >= 1.5 * level * (1 - 1e-9)  # the user's floor wins over the +30% side
    src = res.details["trust_region"]["bounds"]["Search"]
    assert src["lo_source"] == "user" and src["hi_source"] != "trust_region"
    assert any(w.startswith("extrapolation: Search") for w in res.warnings)  # flagged, uncertainty widened
    others = {ch: res.details["trust_region"]["bounds"][ch] for ch in truth.channels if ch != "Search"}
    assert all(b["hi_source"] in ("trust_region", "observed_range") for b in others.values())
    fixed = optimize_response(truth, budget, fixed={"Email": 5000.0})
    assert fixed.allocation["Email"] == 5000.0 and any(b["constraint"] == "fixed" for b in fixed.binding)


def test_keep_is_a_first_class_answer_when_the_gain_is_not_material(truth, budget) -> None:
    res = optimize_response(truth, budget, min_gain=0.5)  # a 50% materiality threshold: nothing qualifies
    dec = res.details["decision"]
    current = truth.recent_level * PERIODS
    assert dec["status"] == "keep" and dec["step"] == 0.0
    np.testing.assert_allclose([res.allocation[c] for c in truth.channels], current, rtol=1e-9)
    assert dec["why"]["gain_too_small"] and dec["why"]["uncertain_channels"]
    assert all(c["evidence"] for c in dec["why"]["uncertain_channels"])
    assert dec["optimum"]["gain"]["mean"] > 0  # the optimum is still reported, with its gain
    assert "Keep the current mix" in dec["summary"]


def test_rule_off_is_the_previous_argmax(truth, budget) -> None:
    old = optimize_response(truth, budget, trust_region=None, extrapolate=True, decision_rule=False)
    assert old.details["decision"]["status"] == "optimum" and not old.details["decision"]["rule"]["enabled"]
    assert old.allocation["Search"] > 1.3 * truth.recent_level[0] * PERIODS  # unconstrained: far outside the box


def test_user_bounds_that_exclude_the_current_mix_start_the_path_inside_them(truth, budget) -> None:
    level = truth.recent_level * PERIODS
    cap = 0.5 * level[0]
    res = optimize_response(truth, budget, bounds={"Search": (None, cap)}, min_gain=0.9)  # forces "keep"
    assert res.allocation["Search"] <= cap * (1 + 1e-9)
    assert not res.details["decision"]["start_is_current"]


def test_bad_rule_parameters_are_refused() -> None:
    for kwargs in ({"min_prob_better": 1.0}, {"min_gain": -0.1}, {"trust_region": 0.0}, {"margin": 0.0}):
        with pytest.raises(OptimizerError):
            PlanRequest(1000.0, **kwargs)


def test_money_cut_that_saves_more_than_it_loses_is_a_profit_gain(truth) -> None:
    """Local's true ROI is 0.3: cutting it 20% loses ~0.3 KPI per unit saved, so profit rises with certainty
    while P(more KPI) is 0 — both are reported."""
    level = dict(zip(truth.channels, truth.recent_level * PERIODS))
    out = compare_allocations(truth, [{"Local": 0.8 * level["Local"]}])
    sc = out["scenarios"][0]
    money = sc["money"]
    assert sc["vs_current"]["prob_better"] == 0.0
    assert money["spend_change"] == pytest.approx(-0.2 * level["Local"])
    assert money["prob_profit_up"] == 1.0 and money["profit_change"]["mean"] > 0
    assert money["profit_change"]["mean"] == pytest.approx(money["kpi_change"]["mean"] - money["spend_change"])
    assert "saves more" in money["verdict"]
    # With a margin of 0.1 per KPI unit the same cut still pays; Search (ROI 2.5) cut at margin 1 does not.
    search = compare_allocations(truth, [{"Search": 0.8 * level["Search"]}])["scenarios"][0]["money"]
    assert search["prob_profit_up"] == 0.0 and "loses more" in search["verdict"]


def test_money_break_even_and_profit_maximising_budget(truth, budget) -> None:
    big = optimize_response(truth, 3 * budget, extrapolate=True).details["money"]
    assert big["below_break_even"] and big["budget_marginal_roi"]["mean"] < 1.0
    best = big["profit_max_budget"]
    assert best["budget"] < 3 * budget and best["expected_profit"]["mean"] >= best["expected_profit_at_budget"]["mean"]
    assert big["vs_current_level"]["spend_change"] == pytest.approx(2 * budget)
    small = optimize_response(truth, 0.3 * budget).details["money"]
    assert not small["below_break_even"]  # the first units of Search/Email return more than they cost
    half = optimize_response(truth, budget, margin=0.5).details["money"]
    assert half["break_even_roi"] == 2.0
    mix = half["vs_current_mix"]
    assert mix["spend_change"] == pytest.approx(0.0, abs=1e-6 * budget)
    assert half["kpi_per_unit_moved"]["mean"] > 0 and half["moved"] > 0


def test_geo_split_optimize_keeps_the_trust_region_on_channel_totals() -> None:
    w = generate("geo_medium", 0).world
    r = truth_response(w, PERIODS, "optimize")
    budget = float(r.recent_level.sum() * PERIODS)
    res = plan_response(r, PlanRequest(budget, PERIODS, geo_split="optimize", n_starts=2))
    by_geo = res.details["allocation_by_geo"]
    assert sum(by_geo.values()) == pytest.approx(budget, rel=1e-6)
    current = r.recent_level * PERIODS
    for c, ch in enumerate(r.channels):
        assert sum(v for k, v in by_geo.items() if k.endswith("/" + ch)) == pytest.approx(res.allocation[ch], rel=1e-6)
        assert current[c] * 0.7 - 1e-6 * budget <= res.allocation[ch] <= current[c] * 1.3 + 1e-6 * budget
    json.dumps(res.to_dict())


def test_answers_are_grounded_in_the_tool_output(demo_fit: dict) -> None:
    """Every number the optimize / scenario templates print comes from the tool's own output."""
    from agent.models.answers import compose
    from mmm_core.answers.planning import optimize, scenario
    from mmm_core.grounding import check
    from tools.planning_tools import _compact_plan, _compact_scenario

    store, fit_id = demo_fit["store"], demo_fit["fit_id"]
    cases = [
        optimize(store, fit_id, 150_000, periods=13),
        optimize(store, fit_id, 150_000, periods=13, min_gain=0.9),  # keep
        optimize(store, fit_id, 50_000, periods=13, incremental=True, margin=0.5),
        optimize(store, fit_id, 450_000, periods=13, extrapolate=True),
    ]
    statuses = set()
    for out in cases:
        tool = {"fit_id": fit_id, **_compact_plan(out), "provenance": out["provenance"]}
        text = compose("optimize_budget", json.loads(json.dumps(tool)), {"kpi": "sales"}, [])
        ok, bad = check(text, [json.dumps(tool)])
        assert ok, (bad, text)
        assert "Recommendation:" in text and "Money:" in text
        statuses.add(tool["decision"]["status"])
    assert "keep" in statuses
    moves = [{"channel": "Search", "change": -0.2}]
    sc = scenario(store, fit_id, periods=13, names=["scenario"], moves=moves)
    tool = _compact_scenario(sc, moves)
    text = compose("scenario", json.loads(json.dumps(tool)), {"kpi": "sales"}, [])
    ok, bad = check(text, [json.dumps(tool)])
    assert ok, (bad, text)
    assert "P(profit up)" in text and "P(more sales)" in text
