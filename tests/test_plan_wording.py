"""How a budget plan's answer names its KPI and its money (issue 22, a new user on a multi-outcome fit): the KPI
word of a fit with several outcomes is their weighted total (the one rule of ``prompts/answers/_kpi.j2``, shared
with the ROI and contribution answers), every sentence reads with a name, "the KPI" or that total, and the line
against today's spend says today's spend and what the plan adds or cuts — it printed the extra 100,000 as if it
were today's spend ("Against today's spend (100,000)" beside "on top of the current spend of 301,784")."""

from __future__ import annotations

import json
import re

import pytest

from agent.models.answers import compose, render
from mmm_core.grounding import check

BROKEN = ("media-driven the ", "the the ", "returns 2.07 the KPI", "today's spend (")


def _iv(mean: float) -> dict:
    return {"mean": mean, "lo": 0.8 * mean, "hi": 1.2 * mean}


def _plan(outcomes: dict | None, spend_change: float = 100_000.0) -> dict:
    """A compact plan record (``tools.planning_tools._compact_plan``) of an incremental plan: 301,784 today."""
    return {
        "budget": 301_784.0 + spend_change,
        "horizon_periods": 13,
        "allocation": {"TV": 401_784.0},
        "current_allocation": {"TV": 401_784.0},
        "marginal_roi": {"TV": 1.2},
        "expected_kpi": _iv(830_890.0),
        "decision": {"status": "keep", "rule": {"min_prob_better": 0.9, "min_gain": 4_154.0, "min_gain_share": 0.005}}
        | {"optimum": {"gain": _iv(9_951.0), "prob_better": 0.58}},
        "money": {
            "margin": 1.0,
            "break_even_roi": 1.0,
            "media_roi": _iv(2.07),
            "budget_marginal_roi": _iv(1.17),
            "vs_current_level": {
                "reference_spend": 301_784.0,
                "spend_change": spend_change,
                "kpi_change": _iv(1.3035 * spend_change),
                "profit_change": _iv(0.3035 * spend_change),
                "prob_profit_up": 0.94,
                "kpi_per_unit_spend_change": _iv(1.3035),
            },
        },
        "binding": [{"constraint": "total", "channel": None, "shadow_price": _iv(1.21)}],
    } | ({"objective_outcomes": "weighted sum of outcomes A × 1 + B × 1", "outcomes": outcomes} if outcomes else {})


def _clean(text: str) -> None:
    for bad in BROKEN:
        assert bad not in text, (bad, text)


def test_a_multi_outcome_plan_names_the_weighted_total_everywhere() -> None:
    change = {"weight": 1.0, "delta": {"mean": 0.0, "lo": 0.0, "hi": 0.0}, "prob_up": 0.0}
    text = compose("optimize_budget", _plan({"A": change, "B": change}), {"intent": "optimize"}, [])
    _clean(text)
    assert check(text, [json.dumps(_plan({"A": change, "B": change}))])[0]  # every number is the tool's
    total = "the weighted total of A + B"
    assert f"(0.5% of {total} driven by media)" in text
    assert "The weighted total of A + B driven by media over the window, expected: 830,890" in text
    assert f"returns 2.07 in {total} per unit spent" in text and f"return in {total} per extra unit" in text
    assert "Against today's spend of 301,784 at today's mix, this plan adds 100,000: " in text
    assert f"{total} changes by 130,350" in text


@pytest.mark.parametrize("kpi", [None, "Sales"])
def test_a_single_kpi_plan_reads_with_a_name_or_without(kpi: str | None) -> None:
    text = compose("optimize_budget", _plan(None, spend_change=-50_000.0), {"intent": "optimize", "kpi": kpi}, [])
    _clean(text)
    word = kpi or "the KPI"
    assert f"{word[0].upper()}{word[1:]} driven by media over the window, expected: 830,890" in text
    assert "Against today's spend of 301,784 at today's mix, this plan changes it by -50,000: " in text
    assert f"{word} changes by -65,175" in text and "1.30 per unit cut" in text


def test_the_kpi_rule_has_one_home() -> None:
    """The ROI, contribution and plan answers name a multi-outcome KPI through the same macro."""
    from pathlib import Path

    answers = Path(__file__).resolve().parents[1] / "prompts" / "answers"
    for name in ("roi.j2", "contributions.j2", "optimize.j2"):
        source = (answers / name).read_text()
        assert "import kpi_name" in source and "the weighted total of" not in source, name
    out = render("answers/_kpi.j2")  # a macro file renders to nothing on its own
    assert out == ""


def test_next_money_on_a_single_kpi_fit_is_added_to_todays_spend(demo_fit: dict) -> None:
    """End to end on the demo fit: 'where should the next 50k go?' — today's spend is the incremental record's
    current total, the plan adds 50,000, and the KPI change is the plan's against today's spend and mix (every
    number grounded in the tool output)."""
    from tools import build_tools

    tools = {t.name: t for t in build_tools(demo_fit["store"])}
    out = json.loads(
        tools["optimize_budget"].invoke({"fit_id": demo_fit["fit_id"], "budget": 50_000, "incremental": True})
    )
    text = compose("optimize_budget", out, {"intent": "optimize"}, [])
    _clean(text)
    today = out["incremental"]["current_total"]
    level = out["money"]["vs_current_level"]
    assert level["spend_change"] == pytest.approx(50_000, rel=1e-6)
    assert level["reference_spend"] == pytest.approx(today, rel=1e-5) and check(text, [json.dumps(out)])[0]
    line = next(x for x in text.splitlines() if x.startswith("Against today's spend"))
    assert line.startswith(f"Against today's spend of {today:,.0f} at today's mix, this plan adds 50,000: ")
    assert f"changes by {level['kpi_change']['mean']:,.0f}" in line
    assert re.search(r"\d per unit added", line)


@pytest.mark.parametrize(("outcomes", "kpi"), [({"A": {}, "B": {}}, None), (None, "sales"), (None, None)])
def test_a_scenario_names_its_kpi_like_a_plan(outcomes, kpi) -> None:
    """The scenario answer uses the same KPI rule: "P(more the KPI)" / "media-driven the weighted total" read
    wrong on a multi-outcome fit and on a fit without a KPI name."""
    r = {
        "horizon_periods": 13,
        "allocation": {"TV": 90.0},
        "current_allocation": {"TV": 100.0},
        "expected_kpi": _iv(1_000.0),
        "current_expected_kpi": {"mean": 1_050.0},
        "vs_current": {"delta": _iv(-50.0), "prob_better": 0.1},
    } | ({"outcomes": outcomes} if outcomes else {})
    text = compose("scenario", r, {"intent": "scenario"} | ({"kpi": kpi} if kpi else {}), [])
    _clean(text)
    assert "P(more the " not in text
    if outcomes:
        assert "the weighted total of A + B driven by media" in text and "P(more of the weighted total" in text
    if kpi:
        assert "P(more sales)" in text
