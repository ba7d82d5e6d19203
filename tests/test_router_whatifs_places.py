"""Questions written as a user would ask them (session 11, second round), each answered as a different question
before: "what if print spend fell by 2 million?" simulated 2 million *more*, "what if search went to negative 10k a
week" simulated +10k, "reduce social by a hundred and twenty percent" answered with Social's ROI, "let's put minus
100k into radio" read "minus Radio" as leaving Radio out, "cut total budget by 10%" asked which change to make,
"what's the roi of tv in the midwest?" and "ROI of TV for product B" answered with the national TV ROI, "what time
period does the data cover?" and "what did the model find?" not understood."""

from __future__ import annotations

import pytest
from router_support import CHANNELS, route_in_world

from agent.models.entities import Catalog
from agent.models.router import route


@pytest.mark.parametrize(
    ("q", "move"),
    [
        ("what if print spend fell by 2 million?", {"channel": "Print", "amount": -2e6}),
        ("what if TV spend fell 10%", {"channel": "TV", "change": -0.1}),
        ("what if Search declined by 50k?", {"channel": "Search", "amount": -5e4}),
        ("cut tv by twenty percent", {"channel": "TV", "change": -0.2}),
    ],
)
def test_a_fall_is_a_cut_and_a_share_in_words_is_a_share(q, move) -> None:
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == [move], r


@pytest.mark.parametrize(
    ("q", "channel"),
    [
        ("reduce social by a hundred and twenty percent", "Social"),
        ("what if search went to negative 10k a week", "Search"),
        ("let's put minus 100k into radio", "Radio"),
    ],
)
def test_impossible_changes_in_words_are_refused_naming_the_channel(q, channel) -> None:
    r = route_in_world(q)
    assert r.intent == "impossible" and channel in r.args["reason"], r


def test_minus_before_a_channel_still_leaves_it_out() -> None:
    r = route_in_world("ROI of all media minus Radio")
    assert r.intent == "roi" and r.args.get("exclude") == ["Radio"], r


@pytest.mark.parametrize(
    ("q", "change"),
    [
        ("what would happen to sales if we cut total budget by 10%?", -0.1),
        ("what if we reduce overall spend by 10%", -0.1),
        ("what if we increase total media spend by 20%?", 0.2),
    ],
)
def test_a_change_of_the_total_budget_moves_every_channel_by_that_share(q, change) -> None:
    r = route_in_world(q)
    assert r.intent == "scenario", r
    assert sorted(m["channel"] for m in r.args["moves"]) == sorted(CHANNELS)
    assert all(m["change"] == pytest.approx(change) for m in r.args["moves"])


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("what's the best way to split the total budget?", "optimize"),
        ("what time period does the data cover?", "describe"),
        ("which period does the dataset cover?", "describe"),
        ("what did the model find?", "report"),
        ("what are the key takeaways?", "report"),
        ("at what spend level does TV stop being profitable?", "curve"),
        ("when does Search stop paying off?", "curve"),
    ],
)
def test_plans_data_range_findings_and_break_even(q, intent) -> None:
    assert route_in_world(q).intent == intent


@pytest.mark.parametrize(
    ("q", "channel", "n"),
    [
        ("which quarter had the best ROI for Search?", "Search", 12),
        ("when was TV's ROI highest?", "TV", 3),
        ("what period did TV have the highest ROI?", "TV", 3),
    ],
)
def test_which_period_had_the_best_roi_is_the_roi_over_each_period(q, channel, n) -> None:
    r = route_in_world(q)
    assert r.intent == "roi" and r.args["channel"] == channel and len(r.args["windows"]) == n, r


@pytest.mark.parametrize(
    ("q", "name"),
    [
        ("what's the roi of tv in the midwest?", "midwest"),
        ("how did radio do in the north?", "north"),
        ("ROI of TV for product B", "product B"),
        ("TV ROI in 2023 for Brand X", "Brand X"),
    ],
)
def test_places_and_products_the_data_lacks_are_refused_not_answered_nationally(q, name) -> None:
    r = route_in_world(q)
    assert r.intent == "not_in_data" and r.args["names"] == [name], r


def test_a_lowercase_place_the_data_has_is_that_geography() -> None:
    catalog = Catalog(channels=tuple(CHANNELS), geographies=("North", "South"), metrics=("Sales",),
                      start="2021-01-04", end="2023-12-25", frequency="W")  # fmt: skip
    r = route("how did radio do in the north?", list(CHANNELS), catalog=catalog)
    assert r.intent == "roi" and r.args.get("geos") == ["North"], r


def test_a_product_the_data_has_is_not_refused() -> None:
    catalog = Catalog(channels=tuple(CHANNELS), products=("B",), metrics=("Sales",),
                      start="2021-01-04", end="2023-12-25", frequency="W")  # fmt: skip
    assert route("ROI of TV for product B", list(CHANNELS), catalog=catalog).intent != "not_in_data"


@pytest.mark.parametrize("q", ["not TV, what's the best channel?", "not counting TV, which is best"])
def test_a_channel_waved_off_at_the_start_is_left_out(q) -> None:
    r = route_in_world(q)
    assert r.intent == "rank" and r.args.get("exclude") == ["TV"], r


def test_not_sure_is_not_an_exclusion() -> None:
    r = route_in_world("not sure, what's TV's ROI?")
    assert r.intent == "roi" and r.args == {"channel": "TV"}, r


@pytest.mark.parametrize(
    ("q", "move", "periods"),
    [
        ("tv +10k/wk what happens", {"channel": "TV", "amount": 1e4}, 1),
        ("Search -5k", {"channel": "Search", "amount": -5e3}, 13),
    ],
)
def test_signed_amounts_are_what_ifs_with_their_sign(q, move, periods) -> None:
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == [move] and r.args["periods"] == periods, r


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("r hat?", "health"),
        ("model ok?", "health"),
        ("any p-hacking?", "disclosure"),
        ("best channel for the money", "rank"),
        ("which is the best channel for the money?", "rank"),
    ],
)
def test_terse_questions(q, intent) -> None:
    assert route_in_world(q).intent == intent


def test_a_plan_that_keeps_a_channel_where_it_is_holds_it_fixed() -> None:
    r = route_in_world("optimise spend but keep Radio at current levels")
    assert r.intent == "optimize" and r.args.get("fixed") == ["Radio"], r


def test_a_plan_over_months_is_that_many_months_not_a_rate() -> None:
    r = route_in_world("maximise sales with 2 million over 6 months")
    assert r.intent == "optimize" and r.args["budget"] == 2e6 and r.args["periods"] == 26, r


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("when did we lock the spec?", "ledger"),
        ("lock the spec", "lock"),
        ("is the TV estimate driven by the prior?", "uncertainty"),
        ("which estimates are prior-dominated?", "uncertainty"),
        ("explain the model to me like I'm a CMO", "report"),
        ("design a lift test for Radio", "suggest_test"),
        ("how big a test do we need for Social?", "suggest_test"),
    ],
)
def test_questions_about_the_analysis_are_not_requests_or_data(q, intent) -> None:
    assert route_in_world(q).intent == intent


@pytest.mark.parametrize(
    ("q", "name"),
    [
        ("what's the ROI of our sales team?", "sales team"),
        ("what is the ROI of word of mouth?", "word of mouth"),
        ("how much revenue came from our app?", "our app"),
        ("what's our cost of goods sold?", "cost of goods"),
        ("what's our NPS?", "nps"),
    ],
)
def test_business_figures_outside_media_data_are_refused_not_answered_with_the_media_tables(q, name) -> None:
    r = route_in_world(q)
    assert r.intent == "not_in_data" and r.args["names"] == [name], r


@pytest.mark.parametrize("q", ["what's the elasticity of price?", "how sensitive are sales to price?"])
def test_a_controls_elasticity_is_its_effect(q) -> None:
    assert route_in_world(q).intent == "controls"


def test_an_all_media_return_with_a_channel_left_out_is_the_table_without_it() -> None:
    r = route_in_world("what's the return on all channels not counting Search?")
    assert r.intent == "roi" and r.args.get("exclude") == ["Search"], r


@pytest.mark.parametrize(
    ("q", "intent", "args"),
    [
        ("excluding TV, how much did media contribute?", "contribution", {"by": "channel", "exclude": ["TV"]}),
        ("show me all channels but Search", "roi", {"exclude": ["Search"]}),
        ("is there any channel we shouldn't cut?", "rank", {"order": "best"}),
    ],
)
def test_a_channel_left_out_is_never_the_one_answered_about(q, intent, args) -> None:
    r = route_in_world(q)
    assert r.intent == intent and r.args == args, r


@pytest.mark.parametrize(
    ("q", "spared"), [("pause all media except Search", "Search"), ("stop everything but TV", "TV")]
)
def test_an_all_media_change_in_the_imperative_spares_the_channel_named(q, spared) -> None:
    r = route_in_world(q)
    assert r.intent == "scenario" and spared not in {m["channel"] for m in r.args["moves"]}, r
    assert len(r.args["moves"]) == len(CHANNELS) - 1


def test_comparing_two_channels_contributions_is_their_contributions() -> None:
    r = route_in_world("compare the contribution of Social and Print in 2022")
    assert r.intent == "contribution" and r.args["windows"][0]["label"] == "2022", r


@pytest.mark.parametrize(
    ("q", "moves"),
    [
        (
            "what if we move a tenth of the TV budget to radio and a tenth to print?",
            [{"from": "TV", "to": "Radio", "share": 0.1}, {"from": "TV", "to": "Print", "share": 0.1}],
        ),
        (
            "shift 100k from TV to Search and 50k to Social",
            [{"from": "TV", "to": "Search", "amount": 1e5}, {"from": "TV", "to": "Social", "amount": 5e4}],
        ),
        (
            "move 10% from TV and Radio to Search",
            [{"from": "TV", "to": "Search", "share": 0.1}, {"from": "Radio", "to": "Search", "share": 0.1}],
        ),
        (
            "move 50k from TV to Search and 20k from Radio to Print",
            [{"from": "TV", "to": "Search", "amount": 5e4}, {"from": "Radio", "to": "Print", "amount": 2e4}],
        ),
    ],
)
def test_several_moves_in_one_what_if_are_all_simulated(q, moves) -> None:
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == moves, r


@pytest.mark.parametrize(
    ("q", "intent", "args"),
    [
        ("how many dollars of sales does each dollar of TV produce?", "roi", {"channel": "TV"}),
        ("what is the revenue multiplier on social?", "roi", {"channel": "Social"}),
        ("where are we hitting diminishing returns?", "headroom", {}),
        ("what's the optimal weekly spend for Radio?", "curve", {"channel": "Radio"}),
    ],
)
def test_returns_by_other_names(q, intent, args) -> None:
    r = route_in_world(q)
    assert r.intent == intent and r.args == args, r


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("has the model been validated?", "health"),
        ("how accurate are the predictions?", "health"),
        ("how stable are the estimates?", "health"),
        ("are the results reproducible?", "health"),
        ("how many times did we refit?", "ledger"),
        ("what was the first spec?", "ledger"),
        ("were results peeked at before locking?", "disclosure"),
    ],
)
def test_trust_and_history_questions(q, intent) -> None:
    assert route_in_world(q).intent == intent


def test_the_channel_that_wastes_the_most_is_the_worst() -> None:
    r = route_in_world("which channel wastes the most money?")
    assert r.intent == "rank" and r.args["order"] == "worst", r


@pytest.mark.parametrize(
    ("q", "moves"),
    [
        ("cut TV by 20% and Search by 10%", [{"channel": "TV", "change": -0.2}, {"channel": "Search", "change": -0.1}]),
        (
            "what if TV's budget were doubled and Search's halved?",
            [{"channel": "TV", "change": 1.0}, {"channel": "Search", "change": -0.5}],
        ),
        (
            "increase TV by 10% and cut Radio by 5%",
            [{"channel": "TV", "change": 0.1}, {"channel": "Radio", "change": -0.05}],
        ),
        ("pause TV and Radio", [{"channel": "TV", "change": -1.0}, {"channel": "Radio", "change": -1.0}]),
        ("cut TV and Search by 10%", [{"channel": "TV", "change": -0.1}, {"channel": "Search", "change": -0.1}]),
        (
            "move all of Search and all of Social into TV",
            [{"from": "Search", "to": "TV", "share": 1.0}, {"from": "Social", "to": "TV", "share": 1.0}],
        ),
        ("what if Radio spend went from 30k to zero?", [{"channel": "Radio", "level": 0.0}]),
        ("cut TV by 30k and give it to Search", [{"from": "TV", "to": "Search", "amount": 3e4}]),
    ],
)
def test_each_channel_gets_the_change_asked_for_it(q, moves) -> None:
    """These were simulated as moves from one channel to the other ("double TV and halve Search" moved all of TV
    into Search) or dropped the second channel ("pause TV and Radio" paused TV alone)."""
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == moves, r


def test_all_the_budget_on_one_channel_moves_every_other_channel_there() -> None:
    r = route_in_world("what if we spent our entire budget on TV?")
    assert r.intent == "scenario" and {m["to"] for m in r.args["moves"]} == {"TV"}, r
    assert {m["from"] for m in r.args["moves"]} == set(CHANNELS) - {"TV"}


def test_spend_below_zero_is_refused() -> None:
    r = route_in_world("reduce social spend below zero")
    assert r.intent == "impossible" and "Social" in r.args["reason"], r


@pytest.mark.parametrize(
    ("q", "args"),
    [
        ("if we increase the budget by 200k, where does it go?", {"periods": 13, "budget_delta": 2e5}),
        ("how would you invest an extra 20%?", {"periods": 13, "budget_change": 0.2}),
        ("we have 2m for H1 2024, how do we split it?", {"budget": 2e6, "periods": 26}),
    ],
)
def test_plans_read_the_money_and_the_horizon_asked(q, args) -> None:
    """'increase the budget by 200k' planned a total of 200k; 'an extra 20%' added today's whole budget again;
    'H1' planned 13 weeks."""
    r = route_in_world(q)
    assert r.intent == "optimize" and r.args == args, r
