"""A period left out ("excluding 2021") is the rest of the data or of the window beside it — or, with a hole in the
middle, refused; a part of a year asked "of each year" is that part in every year. Never the period left out, never
only the latest year."""

from __future__ import annotations

import pytest
from router_support import route_in_world

from agent.models.when import parse_when

START, END = "2021-01-04", "2023-12-25"


def _spans(text: str) -> list[tuple[str, str]]:
    return [(w.start.isoformat(), w.end.isoformat()) for w in parse_when(text, START, END).windows]


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("what's TV's ROI excluding 2021?", [("2022-01-01", "2023-12-25")]),
        ("TV ROI without 2023", [("2021-01-04", "2022-12-31")]),
        ("Search spend, not counting 2021", [("2022-01-01", "2023-12-25")]),
        ("TV ROI in 2023 excluding December", [("2023-01-01", "2023-11-30")]),
        ("what did TV return in 2022, without December?", [("2022-01-01", "2022-11-30")]),
        ("TV ROI in 2022 excluding Q4", [("2022-01-01", "2022-09-30")]),
        ("ROI of TV in the first quarter of each year", [(f"{y}-01-01", f"{y}-03-31") for y in (2021, 2022, 2023)]),
        ("sales in December every year", [(f"{y}-12-01", f"{y}-12-31") for y in (2021, 2022, 2023)]),
        ("everything except TV in 2023", [("2023-01-01", "2023-12-31")]),  # a channel left out, not the year
        ("sales since 2022", [("2022-01-01", "2023-12-25")]),
        ("which channel drove the most sales last summer?", [("2023-06-01", "2023-08-31")]),
        ("TV ROI last winter", [("2022-12-01", "2023-02-28")]),  # the latest whole winter
        ("how much we spent on socail last yr", [("2023-01-01", "2023-12-25")]),  # units written short
        ("prev qtr sales", [("2023-10-01", "2023-12-25")]),
        ("how much revenue came from TV over the holidays in 2022?", [("2022-11-01", "2022-12-31")]),
        ("TV's contribution during Black Friday week 2022", [("2022-11-21", "2022-11-27")]),  # Mon-Sun around it
        ("sales in the week of Thanksgiving 2023", [("2023-11-20", "2023-11-26")]),
        ("how much did social bring in from mid-2022 to mid-2023?", [("2022-07-01", "2023-06-30")]),
        ("Search spend over the past 3 mths", [("2023-10-01", "2023-12-25")]),
    ],
)
def test_windows_built_from_the_ones_named(text: str, spans: list[tuple[str, str]]) -> None:
    assert _spans(text) == spans


@pytest.mark.parametrize(
    "text", ["apart from 2022, how did TV do?", "TV ROI in 2022 excluding March", "TV's ROI except for Q2 2022"]
)
def test_a_period_left_out_of_the_middle_is_a_gap(text: str) -> None:
    w = parse_when(text, START, END)
    assert w.gaps and not w.windows


def test_the_analyst_refuses_a_gap_and_answers_the_rest_with_its_window() -> None:
    r = route_in_world("apart from 2022, how did TV do?")
    assert r.intent == "not_in_data" and r.args["kind"] == "gaps", r
    r = route_in_world("what's TV's ROI excluding 2021?")
    assert r.intent == "roi" and r.args["windows"][0]["label"] == "the data without 2021", r


def test_the_channel_that_drove_the_most_sales_is_the_contribution_ranking_over_the_season_asked() -> None:
    r = route_in_world("which channel drove the most sales last summer?")
    assert r.intent == "contribution" and r.args["windows"][0]["start"] == "2023-06-01", r
    assert route_in_world("which channel drove the most sales per dollar?").intent == "rank"


@pytest.mark.parametrize(
    ("label", "reads"),
    [
        ("since June 2023", "Social spend since June 2023 ("),
        ("the data without 2021", "Social spend over the data without 2021 ("),
        ("the last 8 weeks", "Social spend in the last 8 weeks ("),
    ],
)
def test_a_spend_answer_reads_its_window_label_as_a_phrase(label: str, reads: str) -> None:
    from agent.models.answers import render

    w = {"label": label, "first": "2023-06-05", "last": "2023-12-25"}
    r = {"windows": [w], "measure": "spend", "channels": ["Social"], "by": "channel"}
    rows = [{"channel": "Social", "total": 122589.0, "share": 0.12}]
    assert render("answers/spend_by.j2", r=r, shown=rows, kpi_word="Sales", args={}, channel=None).startswith(reads)


@pytest.mark.parametrize(("q", "channel"), [("TVs contribution in 2022", "TV"), ("Radios ROI", "Radio")])
def test_a_channel_written_with_an_s_and_no_apostrophe_is_that_channel(q: str, channel: str) -> None:
    assert route_in_world(q).channels == [channel]  # "TVs is not in the data" was the answer
