"""Issue 17, third round: the phrasing families of the second tuning set (``tests/questions/templates_more.py``),
without the graph (fast). Each case is one family the router reads by a general rule, not one sentence: rankings
asked without a superlative next to the subject, payback as return against cost, money to plan in a what-if's
words, percentages before the verb or with their sign, how precise one channel's estimate is, and a control
named with a change (only an amendment changes the model). End to end they run in the question corpus."""

from __future__ import annotations

import pytest
from router_support import CHANNELS as KNOWN
from router_support import route_in_world as _route

from agent.models.amounts import parse_moves
from agent.models.impossible import impossible_move


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("which channel is dragging us down?", "worst"),
        ("which channel is the biggest drag on performance?", "worst"),  # the cue, not the superlative before it
        ("which channel is the weak link?", "worst"),
        ("which channel would you cut first?", "worst"),
        ("where are we getting the least for our money?", "worst"),
        ("which channel underdelivers?", "worst"),
        ("which channel gives the least bang for the buck?", "worst"),
        ("what is our number one channel?", "best"),
        ("where is our money working hardest?", "best"),
        ("which channel is carrying the business?", "best"),
        ("what channel delivers the greatest ROI", "best"),
        ("what is our highest-returning medium?", "best"),
        ("which channel outperforms the others?", "best"),
    ],
)
def test_rankings_without_a_superlative_next_to_the_subject(text: str, order: str) -> None:
    r = _route(text)
    assert (r.intent, r.args.get("order")) == ("rank", order)


@pytest.mark.parametrize(
    "text",
    [
        "which channels are worth less than they cost?",
        "which channels return under a dollar per dollar spent?",
        "what channels aren't making their money back?",
        "do all our channels pay for themselves?",
        "which channels don't justify their spend?",
        "where are we burning money?",
        "list channels with ROI < 1",
        "which channels give back less than they take?",
        "where do we not get our money back?",
    ],
)
def test_payback_is_return_set_against_cost(text: str) -> None:
    assert _route(text).intent == "payback"


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("how would you spread 900k across the media channels?", 9e5),
        ("what if we only had 1 million, how would you split it?", 1e6),  # a what-if's words, no move: a plan
        ("where would an additional 500k do the most good?", 5e5),
        ("how much should each channel get out of a 2m budget?", 2e6),
        ("how to best use 700k in media next quarter", 7e5),
        ("help me plan a $1M campaign across channels", 1e6),  # not the help page
        ("give me the opitmal spend per channel for $3M", 3e6),
    ],
)
def test_money_to_plan_is_a_budget_plan(text: str, budget: float) -> None:
    r = _route(text)
    assert (r.intent, r.args.get("budget")) == ("optimize", budget)


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("what's the impact of cutting Social by 10 percent?", {"channel": "Social", "change": -0.1}),
        ("what do we lose if TV ads is cut 20 percent?", {"channel": "TV", "change": -0.2}),
        ("if the Print budget rose by 5%, how much more would we sell?", {"channel": "Print", "change": 0.05}),
        ("how would sales respond to a 20% cut in Search?", {"channel": "Search", "change": -0.2}),
        ("predict sales if Search goes up by a quarter", {"channel": "Search", "change": 0.25}),
        ("Radio -20%: impact on sales?", {"channel": "Radio", "change": -0.2}),  # the sign is the direction
        ("how would sales change if we bootsed paid search by 40%?", {"channel": "Search", "change": 0.4}),
    ],
)
def test_percentage_what_ifs_in_other_word_orders(text: str, move: dict) -> None:
    r = _route(text)
    assert (r.intent, r.args.get("moves")) == ("scenario", [move])


@pytest.mark.parametrize(
    "text",
    [
        "how reliable is the TV ROI estimate?",  # one channel's reliability, not the model's health
        "can we trust the Radio estimate?",
        "what's the margin of error on Print?",
        "what's the confidence interval on Search's ROI",
        "how noisy is the Social estimate?",
        "should I take the TV ROI with a grain of salt?",
        "how wide is the interval for Radio?",
        "how much do we raelly know about Search's return?",
    ],
)
def test_how_precise_one_channels_estimate_is(text: str) -> None:
    r = _route(text)
    assert r.intent == "uncertainty" and len(r.channels) == 1


def test_trust_without_a_channel_stays_the_models_health() -> None:
    assert _route("can I trust this model?").intent == "health"
    assert _route("how reliable are these numbers").intent == "health"


@pytest.mark.parametrize(
    "text",
    [
        "rework the spec without price",
        "let's take Holiday out",
        "what if we took Price out of the model?",
        "drop the Promo variable",
        "build the model again but leave out Price",
        "I don't want Holiday in the model",
        "kill the price control",
        "swap Price out of the spec",
    ],
)
def test_a_control_named_with_a_change_is_an_amendment(text: str) -> None:
    assert _route(text).intent == "amend"


def test_a_control_named_without_a_change_is_not_an_amendment() -> None:
    assert _route("which controls matter?").intent == "controls"
    assert _route("what is the effect of Price?").intent != "amend"


def test_negative_spend_is_refused_naming_the_channel() -> None:
    text = "what if we set search spend to minus 5k?"
    reason = impossible_move(text, parse_moves(text, KNOWN), KNOWN)
    assert reason and "Search" in reason and "cannot be negative" in reason
    assert _route(text).intent == "impossible"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("which channels pay back?", "payback"),  # the payback question asked the positive way round
        ("how many channels break even?", "payback"),
        ("which channels have an ROI above 1?", "payback"),
        ("which channels are profitable?", "payback"),
        ("which channel is the most profitable?", "rank"),  # a superlative is a ranking
        ("which channel pays back the most?", "rank"),
        ("does TV pay back?", "payback"),  # one channel: its own ROI against break-even
        ("refit the model with no Price", "amend"),  # never a refit of the unchanged spec
        ("stop controlling for Holiday", "amend"),
        ("I think Price shouldn't be in the model", "amend"),
        ("how much should I believe the Social ROI?", "uncertainty"),
        ("what channel returns the least?", "rank"),
    ],
)
def test_other_ways_round(text: str, intent: str) -> None:
    assert _route(text).intent == intent
