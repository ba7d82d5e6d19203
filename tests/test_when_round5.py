"""Time phrases added in the fifth tuning round (issue 17): the final quarter, parts of a year (early/mid/late),
the first or last N months or weeks of a year, a quarter or half of 'last year', and windows open to the past
('before 2023', 'up to June 2022') — each starts at the data's first period and is named in its label."""

from __future__ import annotations

from datetime import date

import pytest

from agent.models.when import parse_when

START, END = "2021-01-04", "2023-12-25"


@pytest.mark.parametrize(
    "text, start, end, label",
    [
        ("TV in the final quarter of 2022", date(2022, 10, 1), date(2022, 12, 31), "Q4 2022"),
        ("TV in early 2023", date(2023, 1, 1), date(2023, 4, 30), "early 2023 (Jan–Apr 2023)"),
        ("TV in mid 2022", date(2022, 5, 1), date(2022, 8, 31), "mid 2022 (May–Aug 2022)"),
        ("TV at the end of 2021", date(2021, 9, 1), date(2021, 12, 31), "the end of 2021 (Sep–Dec 2021)"),
        ("TV in the first 3 months of 2023", date(2023, 1, 1), date(2023, 3, 31), "the first 3 months of 2023"),
        ("TV in the last 8 weeks of 2022", date(2022, 11, 6), date(2022, 12, 31), "the last 8 weeks of 2022"),
        ("TV in the first half of last year", date(2023, 1, 1), date(2023, 6, 30), "H1 2023"),
        ("TV in Q3 of last year", date(2023, 7, 1), date(2023, 9, 30), "Q3 2023"),
        ("TV before 2023", date(2021, 1, 4), date(2022, 12, 31), "before 2023"),
        ("TV up to June 2022", date(2021, 1, 4), date(2022, 6, 30), "up to June 2022"),
        ("TV year to date", date(2023, 1, 1), date(2023, 12, 25), "year to date, 2023"),
    ],
)
def test_window(text: str, start: date, end: date, label: str) -> None:
    w = parse_when(text, START, END)
    assert [(x.start, x.end, x.label) for x in w.windows] == [(start, end, label)], w


def test_a_window_before_the_data_is_outside_it() -> None:
    w = parse_when("TV before 2019", START, END)
    assert not w.windows and [x.label for x in w.outside] == ["before 2019"]


def test_since_the_start_of_a_year_is_not_its_early_part() -> None:
    w = parse_when("TV since the start of 2023", START, END)
    assert [(x.start, x.end) for x in w.windows] == [(date(2023, 1, 1), date(2023, 12, 31))]
