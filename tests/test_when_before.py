"""A window named relative to the one before it ("last quarter vs the previous quarter", "Q3 2023 compared with the
quarter before") is the unit before that window — never the same period twice, never dropped."""

from __future__ import annotations

import pytest
from router_support import route_in_world

from agent.models.when import parse_when

START, END = "2021-01-04", "2023-12-25"


@pytest.mark.parametrize(
    ("text", "second"),
    [
        ("TV revenue last quarter vs the previous quarter", ("2023-07-01", "2023-09-30")),
        ("TV last quarter vs the quarter before", ("2023-07-01", "2023-09-30")),
        ("Q3 2023 compared with the quarter before", ("2023-04-01", "2023-06-30")),
        ("March 2023 and the month before it", ("2023-02-01", "2023-02-28")),
        ("2023 against the prior year", ("2022-01-01", "2022-12-31")),
        ("last year vs the one before", ("2022-01-01", "2022-12-31")),
        ("this quarter vs the previous one", ("2023-07-01", "2023-09-30")),
        ("H1 2022 compared to the preceding half", ("2021-07-01", "2021-12-31")),
        ("week 10 of 2023 vs the week before", ("2023-02-26", "2023-03-04")),
    ],
)
def test_the_window_before_is_the_unit_before_the_one_named(text: str, second: tuple[str, str]) -> None:
    w = parse_when(text, START, END)
    assert len(w.windows) == 2, w
    assert (w.windows[1].start.isoformat(), w.windows[1].end.isoformat()) == second
    assert (w.windows[0].start, w.windows[0].end) != (w.windows[1].start, w.windows[1].end)


def test_the_previous_quarter_alone_is_still_the_latest_one() -> None:
    [w] = parse_when("TV's ROI in the previous quarter", START, END).windows
    assert (w.start.isoformat(), w.label) == ("2023-10-01", "previous quarter, Q4 2023")


def test_a_contribution_against_the_quarter_before_compares_two_quarters() -> None:
    r = route_in_world("TV incremental revenue last quarter vs the quarter before")
    assert r.intent == "contribution", r
    assert [w["start"] for w in r.args["windows"]] == ["2023-10-01", "2023-07-01"]


@pytest.mark.parametrize(
    "text",
    [
        "how did search perform in Q2 compared to Q3 2022?",
        "was Q1 better than Q2 2022",
        "Q1 vs Q2 2022",
        "compare spend on TV in H1 and H2 2022",
    ],
)
def test_two_quarters_share_the_year_written_after_the_second(text: str) -> None:
    assert {w.start.year for w in parse_when(text, START, END).windows} == {2022}
