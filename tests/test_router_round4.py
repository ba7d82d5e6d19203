"""Router rules added in the fourth tuning round (issue 17): plans at today's total, amendments of carry-over and
terms, out-of-scope asks, forecasts past the data, comparisons worded with a comparative, ratios to spend and
the media share with media as the doer. Route-level pins (fast); the corpus measures the answers."""

from __future__ import annotations

import pytest
from router_support import CHANNELS
from router_support import route_in_world as _route

from agent.models.entities import Catalog
from agent.models.router import route


@pytest.mark.parametrize(
    "text",
    [
        "can we get more out of the same budget?",
        "rebalance the mix",
        "is our current mix optimal?",
        "where should the money go next quarter?",
        "how can we improve the mix without spending more?",
    ],
)
def test_a_plan_at_todays_total_names_no_amount(text: str) -> None:
    r = _route(text)
    assert r.intent == "optimize" and "budget" not in r.args and r.note == "current budget", (text, r)


def test_extra_money_of_no_size_is_asked_for_and_past_budget_is_spend() -> None:
    assert _route("where should extra money go?").intent == "clarify_budget"
    assert _route("optimize").args == {"periods": 13}  # today's total
    assert _route("we're planning Q3; how should we allocate?").intent == "optimize"
    r = _route("TV budget for 2023")
    assert r.intent == "spend_by" and r.args["channels"] == ["TV"] and r.args["windows"][0]["label"] == "2023"
    assert _route("how would you reallocate 1.5m between channels?").args["budget"] == 1.5e6


@pytest.mark.parametrize(
    "text",
    ["let TV carry over longer", "add a trend", "I want Price out", "Promo shouldn't be a control", "no price control"],
)
def test_changes_to_the_model_are_amendments(text: str) -> None:
    assert _route(text).intent == "amend", text


@pytest.mark.parametrize(
    "text, intent",
    [
        ("does TV carry over longer than Radio?", "adstock"),  # a question about the model, not a change
        ("is there a trend in sales?", "kpi_by"),
        ("amend the spec to drop Weather because the weather feed stopped", "amend"),  # a reason, not a question
    ],
)
def test_questions_about_the_model_are_not_amendments_and_actions_are_not_out_of_scope(text: str, intent: str) -> None:
    assert _route(text).intent == intent, (text, _route(text))


@pytest.mark.parametrize(
    "text, word",
    [
        ("how much is our competitor spending on TV?", "competitor"),
        ("predict the stock price", "stock price"),
        ("what's the ROI of a channel we never ran?", "a channel we never ran"),
    ],
)
def test_out_of_scope_asks_are_refused_naming_what_is_outside(text: str, word: str) -> None:
    r = _route(text)
    assert r.intent == "not_in_data" and r.args["kind"] == "scope" and r.args["names"] == [word], r
    assert r.args["have"]["channels"] == CHANNELS


def test_a_data_variable_is_not_out_of_scope() -> None:
    cat = Catalog(channels=("TV",), controls=("Weather",), start="2021-01-04", end="2023-12-25")
    assert route("how much does the weather drive sales?", ["TV"], ["Weather"], catalog=cat).intent != "not_in_data"


@pytest.mark.parametrize(
    "text, label",
    [("what will sales be next year?", "next year"), ("what if we had spent 20% more on TV in 2019?", "2019")],
)
def test_forecasts_past_the_data_and_what_ifs_before_it_are_refused(text: str, label: str) -> None:
    r = _route(text)
    assert r.intent == "not_in_data" and r.args["kind"] == "period" and r.args["names"] == [label], r


@pytest.mark.parametrize(
    "text, a, b",
    [
        ("does radio do a better job than TV?", "Radio", "TV"),
        ("is Search a better investment than print?", "Search", "Print"),
        ("which pays back more, Search or television?", "Search", "TV"),
        ("What's the difference in ROI between TV and Radio?", "TV", "Radio"),
        ("are we getting more from print than from social?", "Print", "Social"),
    ],
)
def test_two_channels_set_against_each_other_are_compared(text: str, a: str, b: str) -> None:
    r = _route(text)
    assert r.intent == "compare" and r.args == {"a": a, "b": b}, (text, r)


@pytest.mark.parametrize(
    "text, intent",
    [
        ("how much revenue do we get per dollar of tv?", "roi"),
        ("is our Radio investment paying back?", "payback"),  # its ROI against break-even
        ("is print money well spent?", "roi"),
        ("what fraction of sales do our ads generate?", "media_share"),
        ("how much revenue is incremental?", "media_share"),
        ("how much of sales is organic?", "media_share"),
        ("incremental sales by channel", "contribution"),
    ],
)
def test_ratios_to_spend_are_roi_and_media_as_a_whole_is_the_media_share(text: str, intent: str) -> None:
    assert _route(text).intent == intent, (text, _route(text))


def test_a_channel_moved_into_itself_and_cuts_past_all_spend_are_impossible() -> None:
    assert _route("shift TV into TV").intent == "impossible"
    assert _route("cut all channels by 150%").intent == "impossible"
    assert _route("what if TV spend were negative?").intent == "impossible"


def test_organic_search_and_unknown_brands_beside_known_ones_are_not_in_data() -> None:
    for text, word in [("Is SEO working?", "SEO"), ("which is better: Radio or Mailchimp?", "Mailchimp")]:
        r = _route(text)
        assert r.intent == "not_in_data" and word in r.args["names"], (text, r)
