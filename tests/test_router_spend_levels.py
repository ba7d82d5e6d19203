"""Whether a channel deserves more or less money, and what-ifs on every channel at once. Each was answered as a
different question: "should we spend less on TV?" with TV's observed spend, "what if we paused all media?" with
a request to name the channels, "what if we cut Radio entirely?" likewise."""

from __future__ import annotations

import pytest
from router_support import CHANNELS, route_in_world


@pytest.mark.parametrize(
    ("q", "channel"),
    [
        ("should we spend less on TV?", "TV"),
        ("how much should we spend on TV?", "TV"),
        ("what's the break-even spend for Radio?", "Radio"),
        ("should we invest more in Search?", "Search"),
        ("is spending more on Social worth it?", "Social"),
        ("Should I put any more into Print?", "Print"),
    ],
)
def test_more_or_less_for_one_channel_is_its_curve_at_todays_spend(q, channel):
    r = route_in_world(q)
    assert r.intent == "curve" and r.args.get("channel") == channel, r


def test_more_or_less_between_channels_is_their_roi_table():
    r = route_in_world("should we spend more on TV or Radio?")
    assert r.intent == "roi" and set(r.channels) == {"TV", "Radio"}, r


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("how much did we spend on TV?", "spend_by"),  # observed spend stays observed spend
        ("what if we spend 10% less on TV?", "scenario"),  # a what-if stays a what-if
    ],
)
def test_observed_spend_and_what_ifs_keep_their_meaning(q, intent):
    assert route_in_world(q).intent == intent


@pytest.mark.parametrize(
    ("q", "change"),
    [
        ("what if we paused all media?", -1.0),
        ("what would happen to sales if we stopped advertising altogether?", -1.0),
        ("what happens to sales if we stop all advertising?", -1.0),
        ("what if we went dark on every channel?", -1.0),
        ("what if we stop spending on everything?", -1.0),
        ("what if we cut all spend by 10%?", -0.1),
        ("what if we increase all channels by 20%?", 0.2),
    ],
)
def test_a_what_if_on_every_channel_moves_every_channel(q, change):
    r = route_in_world(q)
    assert r.intent == "scenario", r
    assert r.args["moves"] == [{"channel": ch, "change": pytest.approx(change)} for ch in CHANNELS], r


@pytest.mark.parametrize("q", ["what if we cut Radio entirely?", "what if we cut Radio to zero?"])
def test_cutting_one_channel_entirely_switches_it_off(q):
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == [{"channel": "Radio", "change": -1.0}], r


@pytest.mark.parametrize(
    ("q", "move"),
    [
        ("move 1/3 of TV to Search", {"from": "TV", "to": "Search", "share": pytest.approx(1 / 3)}),
        ("move 2/5 of the TV budget into Search", {"from": "TV", "to": "Search", "share": pytest.approx(0.4)}),
        ("what if we cut 1/4 of Radio?", {"channel": "Radio", "change": pytest.approx(-0.25)}),
    ],
)
def test_a_fraction_is_a_share_not_an_amount(q, move):
    """ "1/3 of TV" once moved an amount of 1 (the digits read as money)."""
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == [move], r


@pytest.mark.parametrize(
    "q",
    [
        "how much does Price affect sales?",
        "what is the effect of Price on sales?",
        "how much did Promo contribute?",
        "did the promo work?",
        "does Price matter?",
    ],
)
def test_a_question_about_one_controls_effect_is_the_controls_answer(q):
    """Once sales over time or the channels' contributions — which never name the control, so the question check
    withheld the answer; now each control's effect with its interval."""
    assert route_in_world(q).intent == "controls"


@pytest.mark.parametrize(
    ("q", "intent"),
    [("drop the Price control", "amend"), ("what's TV's contribution?", "contribution")],
)
def test_changing_a_control_and_channel_questions_keep_their_intent(q, intent):
    assert route_in_world(q).intent == intent


def test_how_sure_one_channel_beats_another_is_the_comparison():
    r = route_in_world("how confident are you that Search beats Social?")
    assert r.intent == "compare" and r.args == {"a": "Search", "b": "Social"}, r


@pytest.mark.parametrize(
    ("q", "delta"),
    [
        ("where should we cut 200k?", -200_000.0),
        ("if we had to cut the budget by 300k, what goes first?", -300_000.0),
        ("we need to save 150k, where?", -150_000.0),
        ("how would you plan with 250k less budget?", -250_000.0),
    ],
)
def test_a_cut_of_the_total_by_an_amount_plans_todays_spend_less_it(q, delta):
    """ "Where should we cut 200k?" once planned a budget of 200k in total."""
    r = route_in_world(q)
    assert r.intent == "optimize" and r.args.get("budget_delta") == delta and "budget" not in r.args, r


@pytest.mark.parametrize(("q", "budget"), [("where should 200k go?", 200_000.0), ("spend 1M across channels", 1e6)])
def test_an_amount_to_plan_is_still_the_budget(q, budget):
    r = route_in_world(q)
    assert r.intent == "optimize" and r.args.get("budget") == budget and "budget_delta" not in r.args, r
