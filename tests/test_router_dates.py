"""Time phrases the router dropped or misread (issue 17): a month named relative to the data's end ("since last
March"), numbered weeks of a year, single days, and day-to-day ranges whose year is written once. A dropped or
wrong window answers a different question than the one asked, so each phrasing pins the exact window."""

from __future__ import annotations

from datetime import date

import pytest
from router_support import route_in_world

from agent.models.when import parse_when
from mmm_core.data.queries import resolve_windows, window_mask

START, END = "2021-01-04", "2023-12-25"  # the router world's weekly data (Mondays)
MONDAYS = [date.fromordinal(date(2021, 1, 4).toordinal() + 7 * i).isoformat() for i in range(156)]


def _windows(text: str, end: str = END) -> list[tuple[date, date]]:
    w = parse_when(text, START, end)
    return [(x.start, x.end) for x in w.windows]


SINCE_MARCH_2023 = [(date(2023, 3, 1), date(2023, 12, 25))]
WEEKS_1_13 = [(date(2023, 1, 1), date(2023, 4, 1))]
DAY = [(date(2023, 3, 3), date(2023, 3, 3))]
MARCH_3_TO_APRIL_10 = [(date(2022, 3, 3), date(2022, 4, 10))]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("how did Sales do since last March?", SINCE_MARCH_2023),
        ("Sales since last march", SINCE_MARCH_2023),
        ("what has TV contributed from last March onwards", SINCE_MARCH_2023),
        ("TV ROI after last March", SINCE_MARCH_2023),
        ("what did sales do last March?", [(date(2023, 3, 1), date(2023, 3, 31))]),
        ("sales in the previous June", [(date(2023, 6, 1), date(2023, 6, 30))]),
        # beside "this March", "last March" is the one a year before
        (
            "sales this March vs last March",
            [(date(2023, 3, 1), date(2023, 3, 31)), (date(2022, 3, 1), date(2022, 3, 31))],
        ),
        ("what were sales in weeks 1-13 of 2023?", WEEKS_1_13),
        ("sales for weeks 1 to 13 of 2023", WEEKS_1_13),
        ("sales across weeks 1 through 13, 2023", WEEKS_1_13),
        ("2023 weeks 1-13: how did sales go", WEEKS_1_13),
        ("sales in the first 13 weeks of 2023", WEEKS_1_13),
        ("sales in week 5 of 2023", [(date(2023, 1, 29), date(2023, 2, 4))]),
        ("TV spend in wk 5 2023", [(date(2023, 1, 29), date(2023, 2, 4))]),
        ("sales in weeks 10 to 20 of 2022", [(date(2022, 3, 5), date(2022, 5, 20))]),
        ("sales in weeks 10-20 in 2022", [(date(2022, 3, 5), date(2022, 5, 20))]),
        ("sales in week 53 of 2022", [(date(2022, 12, 31), date(2022, 12, 31))]),  # cut at 31 December
        ("what were sales on the 3rd of March 2023?", DAY),
        ("sales on March 3rd, 2023", DAY),
        ("sales on 3 March 2023", DAY),
        ("sales on 3rd March 2023", DAY),
        ("sales for March 3 2023", DAY),
        ("sales on 3/3/2023", DAY),
        ("sales on 2023-03-03", DAY),
        ("what was TV's contribution from March 3rd to April 10th 2022?", MARCH_3_TO_APRIL_10),
        ("TV contribution between 3 March and 10 April 2022", MARCH_3_TO_APRIL_10),
        ("TV contribution between March 3rd and April 10th, 2022", MARCH_3_TO_APRIL_10),
        ("TV contribution from the 3rd of March to the 10th of April 2022", MARCH_3_TO_APRIL_10),
        ("TV contribution 3 March to 10 April 2022", MARCH_3_TO_APRIL_10),
        ("TV contribution March 3rd - April 10th 2022", MARCH_3_TO_APRIL_10),
        ("TV contribution from 2022-03-03 to 2022-04-10", MARCH_3_TO_APRIL_10),
        ("TV contribution 2022-03-03 to 2022-04-10", MARCH_3_TO_APRIL_10),
        ("TV contribution from 13/3/2022 to 10/4/2022", [(date(2022, 3, 13), date(2022, 4, 10))]),  # day first
        ("TV contribution from 3/13/2022 to 4/10/2022", [(date(2022, 3, 13), date(2022, 4, 10))]),  # month first
        # two digits after a month are its day when the other end names a day, not the year 2013
        ("sales from March 13 to April 10 2022", [(date(2022, 3, 13), date(2022, 4, 10))]),
        # already right before this round: kept
        ("sales since the start of last year", [(date(2023, 1, 1), date(2023, 12, 25))]),
        ("sales year to date", [(date(2023, 1, 1), date(2023, 12, 25))]),
        ("YTD sales", [(date(2023, 1, 1), date(2023, 12, 25))]),
        ("sales in the last 6 months", [(date(2023, 7, 1), date(2023, 12, 25))]),
        ("sales over the past two quarters", [(date(2023, 7, 1), date(2023, 12, 25))]),
    ],
)
def test_window(text: str, expected: list[tuple[date, date]]) -> None:
    assert _windows(text) == expected


def test_last_march_counts_the_march_holding_the_data_end() -> None:
    """Like "last quarter": on data ending in March 2024, "last March" is March 2024 (the data's latest)."""
    assert _windows("sales since last March", end="2024-03-25") == [(date(2024, 3, 1), date(2024, 3, 25))]
    assert _windows("sales last March", end="2024-02-26") == [(date(2023, 3, 1), date(2023, 3, 31))]


def test_this_may_is_the_verb() -> None:
    assert _windows("this may change TV's ROI") == []
    assert _windows("sales last May") == [(date(2023, 5, 1), date(2023, 5, 31))]


def test_a_week_number_needs_a_year() -> None:
    """ "week 3" alone is too often a plan's week to be a filter; the number is not read as a date either."""
    assert _windows("what if I spend more on TV in week 3") == []


def test_an_ambiguous_numeric_day_is_not_guessed() -> None:
    """3/4/2022 is 3 April or 4 March; 10/4/2022 is 10 April or 4 October: no day window is made up for either."""
    assert all(s != e for s, e in _windows("sales on 3/4/2022"))
    assert date(2022, 3, 3) not in [s for s, _ in _windows("TV contribution from 3/3/2022 to 10/4/2022")]
    assert _windows("sales on 4/4/2022") == [(date(2022, 4, 4), date(2022, 4, 4))]  # the same either way


@pytest.mark.parametrize(
    "text, windows",
    [
        ("how did Sales do since last March?", [("2023-03-01", "2023-12-25", "since March 2023")]),
        (
            "what were sales in weeks 1-13 of 2023?",
            [("2023-01-01", "2023-04-01", "weeks 1–13 of 2023 (1 Jan–1 Apr 2023)")],
        ),
        ("what were sales on the 3rd of March 2023?", [("2023-03-03", "2023-03-03", "2023-03-03")]),
        (
            "what was TV's contribution from March 3rd to April 10th 2022?",
            [("2022-03-03", "2022-04-10", "2022-03-03 to 2022-04-10")],
        ),
    ],
)
def test_route_applies_one_window(text: str, windows: list[tuple[str, str, str]]) -> None:
    r = route_in_world(text)
    assert [(w["start"], w["end"], w["label"]) for w in r.args.get("windows", [])] == windows, r


def test_a_day_selects_the_weekly_period_holding_it() -> None:
    """3 March 2023 is a Friday: the week starting Monday 27 February holds it (not refused as outside)."""
    assert not parse_when("sales on the 3rd of March 2023", START, END).outside
    (w,) = resolve_windows(MONDAYS, [{"start": "2023-03-03", "end": "2023-03-03", "label": "3 March 2023"}])
    assert (w.first, w.last, w.n_periods) == ("2023-02-27", "2023-02-27", 1)


def test_numbered_weeks_select_that_many_weekly_periods() -> None:
    assert window_mask(MONDAYS, "2023-01-01", "2023-04-01").sum() == 13
    assert window_mask(MONDAYS, "2023-01-29", "2023-02-04").sum() == 1


@pytest.mark.parametrize(
    ("q", "phrase", "readings"),
    [
        ("what were sales on 3/4/2022?", "3/4/2022", ["3 April 2022", "4 March 2022"]),
        (
            "TV ROI from 3/4/2022 to 5/6/2022",
            "3/4/2022 to 5/6/2022",
            ["3 April 2022 to 5 June 2022", "4 March 2022 to 6 May 2022"],
        ),
        ("sales on 3/3/2022 and 4/5/2022", "4/5/2022", ["4 May 2022", "5 April 2022"]),
    ],
)
def test_an_ambiguous_numeric_date_is_asked_about(q, phrase, readings) -> None:
    """Read as neither order, the date once became its whole year ("3/4/2022" → 2022): a different question. Now
    the analyst asks which day is meant, naming both readings."""
    r = route_in_world(q)
    assert r.intent == "clarify_date" and r.args == {"date": phrase, "readings": readings}, r


@pytest.mark.parametrize(
    "q", ["TV ROI from 13/3/2022 to 10/4/2022", "what were sales on 13/3/2022?", "sales on 3/3/2022", "sales in 2022"]
)
def test_a_date_with_one_reading_is_not_asked_about(q) -> None:
    assert route_in_world(q).intent != "clarify_date"


@pytest.mark.parametrize(
    ("q", "window"),
    [
        ("in 2022, what did TV contribute in March?", ("2022-03-01", "2022-03-31")),
        ("how much of 2023's sales came from Radio in December?", ("2023-12-01", "2023-12-31")),
        ("what share of 2022 sales did Search drive in June?", ("2022-06-01", "2022-06-30")),
    ],
)
def test_a_month_beside_one_year_is_that_years_month(q, window) -> None:
    """Once the latest such month and the whole year, compared: a different question."""
    r = route_in_world(q)
    assert [(w["start"], w["end"]) for w in r.args["windows"]] == [window], r


def test_a_month_compared_with_a_year_stays_two_windows() -> None:
    r = route_in_world("how did sales in March compare with 2022?")
    assert len(r.args["windows"]) == 2, r


@pytest.mark.parametrize("q", ["what did Search drive during the 2022 holidays?", "Search over the holidays 2022"])
def test_the_holidays_of_a_year_are_its_season(q) -> None:
    r = route_in_world(q)
    assert [(w["start"], w["end"]) for w in r.args["windows"]] == [("2022-11-01", "2022-12-31")], r
