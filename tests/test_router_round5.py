"""Router rules added in the fifth tuning round (issue 17): the spec shown, plans that keep today's total, money
lost ranked from the worst, payback and health wordings, asks outside the data (guarantees, margins, creatives,
clicks), 'X aside' as an exclusion, the region at the end asked for. Route-level pins (fast); the corpus measures
the answers."""

from __future__ import annotations

import pytest
from router_support import route_in_world as _route

from mmm_core.answers.geo_leaders import geo_leaders


@pytest.mark.parametrize(
    "text",
    ["show me the spec", "what's in the model?", "which controls does the model use?", "display the current spec"],
)
def test_the_spec_itself_is_shown(text: str) -> None:
    assert _route(text).intent == "show_spec", text


def test_the_specs_as_a_collection_stay_the_ledger() -> None:
    assert _route("show me the specs").intent == "ledger"
    assert _route("what have we already tried?").intent == "ledger"


def test_a_plan_that_cannot_spend_more_keeps_todays_total() -> None:
    r = _route("we can't spend more - how should we redistribute?")
    assert r.intent == "optimize" and "budget" not in r.args, r


def test_money_lost_ranked_is_the_worst_end_and_unranked_is_payback() -> None:
    r = _route("where are we wasting the most money?")
    assert r.intent == "rank" and r.args["order"] == "worst", r
    assert _route("which channels make a loss?").intent == "payback"
    assert _route("are there channels that don't return their spend?").intent == "payback"


@pytest.mark.parametrize("text", ["how well does the model explain sales?", "did the sampler behave?"])
def test_health_wordings(text: str) -> None:
    assert _route(text).intent == "health", text


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("guarantee me that TV will double sales", "guarantee"),
        ("what's the gross margin on our products?", "gross margin"),
        ("how much profit did we make last year?", "how much profit"),
        ("which creative worked best?", "creative"),
        ("what was the click-through rate on search?", "click-through rate"),
    ],
)
def test_asks_outside_the_data_are_refused(text: str, phrase: str) -> None:
    r = _route(text)
    assert r.intent == "not_in_data" and r.args["names"] == [phrase], r
    assert r.args["kind"] == ("guarantee" if phrase == "guarantee" else "scope")


def test_the_margin_of_error_is_about_the_estimate() -> None:
    assert _route("what's the margin of error on TV?").intent == "uncertainty"


def test_a_channel_set_aside_is_left_out() -> None:
    r = _route("leaving radio aside, what are the ROIs?")
    assert r.intent == "roi" and not r.channels and r.args["exclude"] == ["Radio"], r


def test_comparing_regions_on_national_data_is_refused_as_national() -> None:
    r = _route("compare regions")
    assert r.intent == "not_in_data" and r.args["kind"] == "geography", r


def test_carrying_over_longer_is_an_amendment() -> None:
    assert _route("change the spec so Radio carries over longer").intent == "amend"


def _cell(mean: float, lo: float, hi: float) -> dict:
    return {"roi": {"mean": mean, "lo": lo, "hi": hi}}


def test_the_region_at_the_end_asked_for_and_whether_the_order_is_sure() -> None:
    by_geo = {
        "North": {"TV": _cell(1.0, 0.8, 1.2), "Search": _cell(2.0, 1.0, 3.0)},
        "South": {"TV": _cell(2.0, 1.5, 2.5), "Search": _cell(2.5, 1.5, 3.5)},
    }
    best = {x.channel: x for x in geo_leaders(by_geo, "best")}
    assert best["TV"].geo == "South" and not best["TV"].overlap  # 1.5–2.5 clears 0.8–1.2
    assert best["Search"].geo == "South" and best["Search"].overlap
    worst = {x.channel: x for x in geo_leaders(by_geo, "worst")}
    assert worst["TV"].geo == "North" and worst["TV"].order == "worst"
    assert geo_leaders(by_geo, None) == [] and geo_leaders({"North": by_geo["North"]}, "best") == []


def _roi_cell(roi: float, contribution: float) -> dict:
    return {
        "roi": {"mean": roi, "lo": roi * 0.8, "hi": roi * 1.2},
        "contribution": {"mean": contribution} | {"lo": contribution * 0.8, "hi": contribution * 1.2},
        "spend": 100_000.0,
    }


def test_an_outcome_named_leads_the_answer_of_a_fit_with_several() -> None:
    """'TV's ROI on Sales_B' on a fit of two outcomes: Sales_B's own figures come first, the weighted total after;
    without an outcome named the answer opens with the total as before. Every number is grounded."""
    import json

    from agent.models.answers import compose
    from mmm_core.grounding import check

    result = {
        "channels": {"TV": _roi_cell(1.5, 150_000.0)},
        "outcomes": {
            "Sales_A": {"channels": {"TV": _roi_cell(0.9, 90_000.0)}},
            "Sales_B": {"channels": {"TV": _roi_cell(0.6, 60_000.0)}},
        },
        "total_is": "the weighted sum Sales_A × 1 + Sales_B × 1",
        "interval": {"level": 0.9, "method": "hdi"},
    }
    named = compose("roi", result, {"intent": "roi", "outcomes_named": ["Sales_B"]}, ["TV"])
    assert named.startswith("On Sales_B, the outcome asked about") and "- TV: ROI 0.60" in named.splitlines()[1]
    assert check(named, [json.dumps(result)])[0]
    plain = compose("roi", result, {"intent": "roi"}, ["TV"])
    assert not plain.startswith("On ") and "TV returned 1.50" in plain
    # a name that is no outcome of the fit (a single-KPI fit's metric) changes nothing
    assert compose("roi", result, {"intent": "roi", "outcomes_named": ["Awareness"]}, ["TV"]) == plain


@pytest.mark.parametrize(
    "text, intent",
    [
        ("can you promise that search will pay back?", "not_in_data"),
        ("will TV definitely increase sales?", "not_in_data"),
        ("how many store visits did TV drive?", "not_in_data"),
        ("what is the cost per click on search?", "not_in_data"),
        ("is TV definitely better than radio?", "compare"),  # how likely: the posterior answers it
        ("what if TV spend were -50k?", "impossible"),
        ("TV -20%", "scenario"),
        ("is the model well calibrated?", "health"),
        ("has the locked spec been amended?", "disclosure"),
        ("we have an extra 500k, what should we do with it?", "optimize"),
        ("can you make sure TV pays back next year?", "not_in_data"),
        ("which keywords drive the most sales?", "not_in_data"),
        ("what was the reach of the TV campaign?", "not_in_data"),
        ("does TV reach saturation?", "curve"),  # a verb, not the media measure
        ("what's the ROI of TV by product line?", "not_in_data"),  # the data holds no products
        ("increase search by -150%", "impossible"),
        ("what's the R-squared?", "health"),
        ("show the log of specs and fits", "ledger"),
        ("which channels are net positive?", "payback"),
        ("which channels are worth what we pay for them?", "payback"),
        ("shift twice the radio budget into TV", "impossible"),
        ("how did covid affect our sales?", "not_in_data"),
        ("what's the best time of day to air TV ads?", "not_in_data"),
        ("what has print delivered in 2022 so far?", "contribution"),
        ("how much did social add from June 2022 onwards?", "contribution"),
        ("how much did we add to TV's budget?", "spend_by"),
        ("where should we move budget to?", "optimize"),
        ("plan next quarter's media with the same money", "optimize"),
    ],
)
def test_round_five_second_batch(text: str, intent: str) -> None:
    assert _route(text).intent == intent, (text, _route(text))


def test_what_a_channel_added_over_a_period_and_year_to_date() -> None:
    r = _route("what did TV add in the third quarter of 2022?")
    assert r.intent == "contribution" and r.args["channel"] == "TV" and r.args["windows"][0]["label"] == "Q3 2022"
    r = _route("how much has television contributed year to date?")
    assert r.args["windows"] == [{"start": "2023-01-01", "end": "2023-12-25", "label": "year to date, 2023"}]


def test_without_a_channel_excludes_it_unless_the_sentence_imagines_it_gone() -> None:
    r = _route("ROI without social please")
    assert r.intent == "roi" and r.args["exclude"] == ["Social"], r
    for text in ("how much would we lose without TV?", "what would sales be without TV?"):
        r = _route(text)
        assert r.intent == "contribution" and r.args["channel"] == "TV", (text, r)


@pytest.mark.parametrize(
    "text", ["which channel brings in the least per dollar?", "if you had to drop one channel, which one?"]
)
def test_the_worst_end_asked_without_a_ranking_word_before_channel(text: str) -> None:
    r = _route(text)
    assert r.intent == "rank" and r.args["order"] == "worst", (text, r)


def test_a_signed_percentage_is_quoted_as_signed() -> None:
    r = _route("increase search by -150%")
    assert r.args["reason"].startswith("a change of -150% cannot be applied to Search"), r


def test_two_channels_no_rule_claimed_get_the_table() -> None:
    r = _route("how are print and social doing?")
    assert r.intent == "roi" and r.args == {} and r.channels == ["Print", "Social"], r
