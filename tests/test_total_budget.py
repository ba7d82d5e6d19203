"""Questions about the size of the whole budget ("what is the ideal total budget?") and money on top of today's
written without digits ("an extra million"). Both were answered as different questions: the first with the
observed spend by channel, the second as a plan of today's total with the million dropped."""

from __future__ import annotations

import json
import re

import pytest
from router_support import route_in_world

from agent.models.rules_plan import margin_given

TOTAL = [
    "what is the ideal total budget?",
    "how much should we spend in total?",
    "what budget maximises profit?",
    "what's the profit-maximizing budget?",
    "are we spending too much overall?",
    "should we spend more in total?",
    "are we under-investing in media?",
    "should we increase our total budget?",
    "what would be the optimal overall marketing spend?",
]
NOT_TOTAL = {  # observed spend, a split or one channel: not the size of the whole budget
    "how much did we spend in total?": "spend_by",
    "what's the best budget split?": "optimize",
    "how much should we spend on TV?": None,
}


@pytest.mark.parametrize("q", TOTAL)
def test_the_size_of_the_budget_is_a_plan_led_by_its_best_budget(q):
    r = route_in_world(q)
    assert r.intent == "optimize" and r.args.get("ask") == "total_budget", r
    assert "budget" not in r.args  # planned at today's total; the answer scans budgets around it


@pytest.mark.parametrize(("q", "intent"), NOT_TOTAL.items())
def test_other_budget_questions_are_not_read_as_the_total(q, intent):
    r = route_in_world(q)
    assert r.args.get("ask") != "total_budget", r
    assert intent is None or r.intent == intent, r


@pytest.mark.parametrize(
    ("q", "margin"),
    [
        ("with a 30% margin, how much should we spend?", 0.3),
        ("at a 40% gross margin, where should the money go?", 0.4),
        ("our margin is 25%, what is the ideal total budget?", 0.25),
        ("margin of 0.35 - what budget maximises profit?", 0.35),
        ("what is the ideal total budget?", None),
    ],
)
def test_a_margin_given_is_the_plans_input(q, margin):
    assert margin_given(q.lower()) == margin
    r = route_in_world(q)
    assert r.intent == "optimize" and r.args.get("margin") == margin, r


def test_asking_for_our_margin_is_still_outside_the_data():
    assert route_in_world("what is our gross margin?").intent == "not_in_data"


@pytest.mark.parametrize(
    ("q", "budget"),
    [
        ("where should an extra million go?", 1e6),
        ("where should another million go?", 1e6),
        ("where should the next million dollars go?", 1e6),
        ("I have a million more to spend, where should it go?", 1e6),
        ("how would you spend an additional hundred thousand?", 1e5),
        ("we got $500k extra, where should it go?", 5e5),
        ("where should 2 million on top of current spend go?", 2e6),
    ],
)
def test_money_on_top_of_todays_in_words_is_incremental(q, budget):
    r = route_in_world(q)
    assert r.intent == "optimize" and r.args.get("budget") == budget and r.args.get("incremental") is True, r


@pytest.mark.parametrize("q", ["optimize for the next 13 weeks", "where should the money go over the next six months?"])
def test_a_horizon_is_not_extra_money(q):
    r = route_in_world(q)
    assert r.intent == "optimize" and "incremental" not in r.args and "budget" not in r.args, r


def test_the_answer_states_the_profit_maximising_budget(demo_fit, capsys):
    """Through the real graph, tool and grounding: the answer leads with the budget that maximises expected profit
    at the margin given, computed by the optimiser (the same figure `optimize --json` gives)."""
    from agent.cli.main import main
    from tools import build_tools

    store = str(demo_fit["store"].path)
    q = "at a 40% margin, what is the ideal total budget?"
    code = main(["--store", store, "ask", q, "--fit", demo_fit["fit_id"]])
    text = capsys.readouterr().out
    assert code == 0 and "On the total budget: at your margin of 0.40" in text, text
    best = re.search(r"highest at a budget of about ([\d,.]+)", text)
    assert best, text
    tool = {t.name: t for t in build_tools(demo_fit["store"])}["optimize_budget"]
    plan = json.loads(tool.invoke({"margin": 0.4, "fit_id": demo_fit["fit_id"]}))
    assert plan["money"]["margin"] == 0.4, plan["money"]
    stated = float(best.group(1).replace(",", ""))
    assert stated == pytest.approx(plan["money"]["profit_max_budget"]["budget"], rel=1e-3)
    assert "break-even 2.50" in text  # 1 / 0.4: the margin given, not the default 1


def test_an_ambiguous_date_is_asked_about_through_the_graph(demo_fit, capsys):
    """The clarifying question passes grounding and the question check (its numbers are the user's)."""
    from agent.cli.main import main

    q = "what were sales on 3/4/2022?"
    code = main(["--store", str(demo_fit["store"].path), "--json", "ask", q, "--fit", demo_fit["fit_id"]])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["grounded"] is True, out
    assert 'Which date do you mean by "3/4/2022": 3 April 2022 or 4 March 2022?' in out["answer"], out


def test_a_cut_by_an_amount_plans_todays_spend_less_it(demo_fit, capsys):
    """Through the graph: today's spend is read first, then the plan at that total less the amount."""
    from agent.cli.main import main

    q = "where should we cut 20k?"
    code = main(["--store", str(demo_fit["store"].path), "--json", "ask", q, "--fit", demo_fit["fit_id"]])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["grounded"] is True, out
    m = re.search(r"over the last 13 periods \(([\d,]+)\) minus 20,000 as asked: ([\d,]+) over", out["answer"])
    assert m, out["answer"]
    base, planned = (float(g.replace(",", "")) for g in m.groups())
    assert planned == pytest.approx(base - 20_000, abs=1.0)
