"""Periods no calendar has ("February 30th 2022", "Q5 2022", "week 60 of 2022") are refused with why, never read
as the year around them (an answer about a different period than the one asked); real periods beside them still read."""

from __future__ import annotations

import pytest
from router_support import route_in_world

from agent.models.answers import render
from agent.models.when import parse_when

START, END = "2021-01-04", "2023-12-25"


@pytest.mark.parametrize(
    ("text", "phrase", "why"),
    [
        ("TV's ROI on February 30th 2022", "February 30th 2022", "February 2022 has 28 days"),
        ("sales on 31 June 2022", "31 June 2022", "June 2022 has 30 days"),
        ("what did radio do on the 31st of April, 2023?", "the 31st of April, 2023", "April 2023 has 30 days"),
        ("spend on feb 29 2023", "feb 29 2023", "February 2023 has 28 days"),
        ("sales on Feb 30", "Feb 30", "February has at most 29 days"),
        ("show me sales for 2022-02-30", "2022-02-30", "no reading"),
        ("sales on 31/31/2022", "31/31/2022", "no reading"),
        ("Search's contribution in Q0 2023", "Q0 2023", "four quarters"),
        ("radio spend in the 5th quarter of 2022", "the 5th quarter of 2022", "four quarters"),
        ("TV in 2022 Q7", "2022 Q7", "four quarters"),
        ("ROI in the fifth quarter", "the fifth quarter", "four quarters"),
        ("our ROI in month 13 of 2023", "month 13 of 2023", "twelve months"),
        ("sales in week 60 of 2022", "week 60 of 2022", "52 weeks"),
        ("TV spend in H3 2023", "H3 2023", "two halves"),
    ],
)
def test_a_period_no_calendar_has_is_named_with_why(text: str, phrase: str, why: str) -> None:
    w = parse_when(text, START, END)
    assert [p for p, _ in w.impossible] == [phrase]
    assert why in w.impossible[0][1]
    assert not w.windows and not w.outside  # its year is not read as the period


@pytest.mark.parametrize(
    "text",
    [
        "TV's ROI on February 28th 2022",
        "sales on 29 Feb 2024",
        "sales in March 31st 2022",
        "Q4 2022 vs 2023 Q1",
        "week 53 of 2022",
        "H2 2023",
        "top 3 of March 2023",
        "raise TV to 45k in March",
        "put 31k on Search in June",
        "the third month of 2023",
        "2023-02-28",
        "3/3/2022",
    ],
)
def test_real_periods_are_not_refused(text: str) -> None:
    assert parse_when(text, START, END).impossible == ()


@pytest.mark.parametrize(
    "q",
    [
        "what was TV's ROI on 31 June 2022?",
        "radio spend in the 5th quarter of 2022",
        "what was Search's contribution in Q0 2023",
        "how much did we sell in week 60 of 2022?",
        "what if we cut TV by 20% in Q5 2023?",
    ],
)
def test_the_analyst_refuses_a_period_that_does_not_exist(q: str) -> None:
    r = route_in_world(q)
    assert r.intent == "not_in_data" and r.args["kind"] == "no_such_period", r
    text = render("answers/not_in_data.j2", **r.args)
    assert "is not a period on the calendar" in text and "2021-01-04 to 2023-12-25" in text
    assert r.args["names"][0] in text  # quoted as the question wrote it


@pytest.mark.parametrize(
    ("q", "move"),
    [
        ("what would sales be if TV spend were zero?", {"channel": "TV", "change": -1.0}),
        ("sales if Radio spend were zero", {"channel": "Radio", "change": -1.0}),
        ("what would sales look like with no Print spend", {"channel": "Print", "change": -1.0}),
        ("what if there were no TV spend", {"channel": "TV", "change": -1.0}),
        ("what if we had no Social", {"channel": "Social", "change": -1.0}),
        ("what would revenue be if Search spend was 50k", {"channel": "Search", "level": 50000.0}),
    ],
)
def test_a_kpi_under_a_spend_level_is_a_what_if(q: str, move: dict) -> None:
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == [move], r


def test_a_kpi_under_negative_spend_is_refused_not_answered_with_spend() -> None:
    r = route_in_world("what would sales be if TV spend were negative?")
    assert r.intent == "impossible" and "cannot be negative" in r.args["reason"], r


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("which months had no radio spend?", "series_stats"),  # observed, not a what-if
        ("what would sales have been without TV?", "contribution"),  # looking back: what the data measured
    ],
)
def test_observed_and_looking_back_questions_keep_their_reading(q: str, intent: str) -> None:
    assert route_in_world(q).intent == intent


@pytest.mark.parametrize(
    ("q", "change"),
    [
        ("what if search shrank by 20%?", -0.2),  # it was simulated as +20%
        ("chop TV by 30%", -0.3),
        ("knock 10% off radio", -0.1),  # it got Radio's ROI
        ("shave 15% off print", -0.15),
    ],
)
def test_cuts_in_other_words_are_cuts(q: str, change: float) -> None:
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"][0]["change"] == pytest.approx(change), r


@pytest.mark.parametrize("q", ["shave 140% off social", "what if search shrank by 175%?"])
def test_cuts_of_more_than_everything_in_other_words_are_refused(q: str) -> None:
    r = route_in_world(q)
    assert r.intent == "impossible" and "at most all" in r.args["reason"], r


@pytest.mark.parametrize(
    ("q", "why"),
    [
        ("put 150% of the budget into search", "150% of the budget"),
        ("allocate 120% of our budget to TV", "120% of the budget"),
        ("what if TV took 110% of the total budget?", "110% of the budget"),
        ("plan a budget of -1 million", "budget cannot be negative"),
        ("what if we spent negative money on print?", "cannot be negative"),
    ],
)
def test_more_than_the_whole_budget_or_a_budget_below_zero_is_refused(q: str, why: str) -> None:
    r = route_in_world(q)
    assert r.intent == "impossible" and why in r.args["reason"], r


@pytest.mark.parametrize(
    "q", ["plan a budget 120% of last year's", "what if TV took 40% of the total budget?", "plan a budget of 1 million"]
)
def test_shares_up_to_the_whole_and_positive_budgets_stand(q: str) -> None:
    assert route_in_world(q).intent != "impossible"


def test_a_channels_budget_below_zero_names_the_channel() -> None:
    r = route_in_world("what if radio's budget were minus 20k?")
    assert r.intent == "impossible" and "Radio" in r.args["reason"], r
