"""Questions written as a user would ask them (session 11), each answered as a different question before: "raise TV
to 2000 a week" refused as a question about the year 2000, "Q4 vs the rest of the year" set Q4 against the whole
year, "what's the ROI by quarter?" and "how has TV's ROI changed over time?" answered with one all-period table,
and "show awareness by week" (a mediator, not the KPI) not understood."""

from __future__ import annotations

import pytest
from router_support import route_in_world


@pytest.mark.parametrize(
    ("q", "move", "periods"),
    [
        ("raise TV to 2000 a week", {"channel": "TV", "level": 2000.0}, 1),
        ("what if we set Search to 1500 per week?", {"channel": "Search", "level": 1500.0}, 1),
        ("what if we spend 2000 pounds more on TV a week", {"channel": "TV", "amount": 2000.0}, 1),
    ],
)
def test_a_four_digit_amount_with_a_rate_or_currency_is_money_not_a_year(q, move, periods) -> None:
    r = route_in_world(q)
    assert r.intent == "scenario" and r.args["moves"] == [move] and r.args["periods"] == periods, r


def test_a_currency_word_after_a_four_digit_number_makes_it_money() -> None:
    r = route_in_world("what if we spend 2000 dollars more on TV")
    assert r.intent == "scenario" and r.args["moves"] == [{"channel": "TV", "amount": 2000.0}], r


@pytest.mark.parametrize("q", ["spend in 2023 per week", "TV spend in 2023 weekly"])
def test_a_year_after_a_time_word_stays_a_year_before_a_rate(q) -> None:
    r = route_in_world(q)
    assert r.intent == "spend_by" and [w["label"] for w in r.args["windows"]] == ["2023"], r


@pytest.mark.parametrize(
    ("q", "windows"),
    [
        (
            "how did Q4 compare with the rest of the year in 2023?",
            [("2023-10-01", "2023-12-31"), ("2023-01-01", "2023-09-30")],
        ),
        ("sales in Q1 2023 vs the rest of 2023", [("2023-01-01", "2023-03-31"), ("2023-04-01", "2023-12-31")]),
        (
            "Q2 2022 vs the rest of the year",
            [("2022-04-01", "2022-06-30"), ("2022-01-01", "2022-03-31"), ("2022-07-01", "2022-12-31")],
        ),
    ],
)
def test_the_rest_of_the_year_is_the_year_without_the_period_set_against_it(q, windows) -> None:
    r = route_in_world(q)
    assert [(w["start"], w["end"]) for w in r.args["windows"]] == windows, r
    assert all("rest of" in w["label"] for w in r.args["windows"][1:])


@pytest.mark.parametrize(
    ("q", "channel", "labels"),
    [
        ("how has TV's ROI changed over time?", "TV", ["2021", "2022", "2023"]),
        ("ROI trend for Search", "Search", ["2021", "2022", "2023"]),
        ("TV ROI by quarter in 2023", "TV", ["Q1 2023", "Q2 2023", "Q3 2023", "Q4 2023"]),
    ],
)
def test_roi_over_time_is_the_roi_over_each_unit_of_the_data(q, channel, labels) -> None:
    r = route_in_world(q)
    assert r.intent == "roi" and r.args.get("channel") == channel, r
    assert [w["label"] for w in r.args["windows"]] == labels


def test_roi_by_quarter_covers_every_quarter_of_the_data() -> None:
    r = route_in_world("what's the ROI by quarter?")
    windows = r.args["windows"]
    assert r.intent == "roi" and len(windows) == 12 and "channel" not in r.args
    assert (windows[0]["start"], windows[-1]["end"]) == ("2021-01-01", "2023-12-31")


@pytest.mark.parametrize("q", ["what is TV's ROI?", "ROI in 2023"])
def test_roi_without_a_unit_of_time_is_unchanged(q) -> None:
    r = route_in_world(q)
    assert r.intent == "roi" and len(r.args.get("windows") or []) <= 1


@pytest.mark.parametrize("q", ["show awareness by week", "awareness in 2023", "what was awareness last month"])
def test_a_mediator_named_alone_is_that_series_observed(q) -> None:
    r = route_in_world(q)
    assert r.intent == "kpi_by" and r.args["kpi"] == "Awareness", r


def test_the_kpi_named_alone_needs_no_kpi_argument() -> None:
    r = route_in_world("sales by week")
    assert r.intent == "kpi_by" and "kpi" not in r.args


@pytest.mark.parametrize(
    ("q", "channel", "labels"),
    [
        ("how much did social drive each year?", "Social", ["2021", "2022", "2023"]),
        ("what did tv contribute per month in 2023?", "TV", [f"{m} 2023" for m in ("January", "February")]),
    ],
)
def test_contribution_per_unit_of_time_is_the_contribution_over_each_unit(q, channel, labels) -> None:
    r = route_in_world(q)
    assert r.intent == "contribution" and r.args["channel"] == channel, r
    assert [w["label"] for w in r.args["windows"]][: len(labels)] == labels


def test_a_control_named_inside_a_period_names_the_period() -> None:
    r = route_in_world("contribution by channel for the holiday season 2022")
    assert r.intent == "contribution" and r.args["windows"][0]["start"] == "2022-11-01", r
    assert route_in_world("how much does Holiday affect sales?").intent == "controls"


@pytest.mark.parametrize(
    ("q", "labels"),
    [
        ("how much did TV spend grow in 2023?", ["2022", "2023"]),
        ("did search spend go up or down in 2023?", ["2022", "2023"]),
        ("what was the growth in sales last year?", ["2022", "last year, 2023"]),
        ("did TV contribution go up in Q2 2023?", ["Q1 2023", "Q2 2023"]),
    ],
)
def test_growth_over_one_period_is_against_the_period_before(q, labels) -> None:
    r = route_in_world(q)
    assert [w["label"] for w in r.args["windows"]] == labels, r


@pytest.mark.parametrize("q", ["how did sales grow in 2021?", "what were sales in 2023?"])
def test_no_period_before_the_data_and_no_growth_asked_keep_one_window(q) -> None:
    assert len(route_in_world(q).args["windows"]) == 1


@pytest.mark.parametrize("q", ["what's the trend in sales?", "are sales growing?"])
def test_a_trend_with_no_period_is_the_kpi_by_year(q) -> None:
    r = route_in_world(q)
    assert r.intent == "kpi_by" and r.args.get("grain") == "year", r


@pytest.mark.parametrize(
    ("q", "labels"),
    [
        ("what was print's ROI in 2021 compared to now?", ["2021", "this year, 2023"]),
        ("sales now vs 2021", ["this year, 2023", "2021"]),
    ],
)
def test_now_set_against_a_period_is_the_latest_year(q, labels) -> None:
    assert [w["label"] for w in route_in_world(q).args["windows"]] == labels


@pytest.mark.parametrize("q", ["has TV become less efficient?", "is TV getting less effective?"])
def test_a_change_in_return_is_the_return_over_each_year(q) -> None:
    r = route_in_world(q)
    assert r.intent == "roi" and [w["label"] for w in r.args["windows"]] == ["2021", "2022", "2023"], r


@pytest.mark.parametrize(
    ("q", "start", "end"),
    [
        ("how much did tv drive in the 4 weeks before Christmas 2022?", "2022-11-27", "2022-12-24"),
        ("sales the week before Black Friday 2023", "2023-11-17", "2023-11-23"),  # Black Friday 2023: 24 Nov
        ("TV spend in the two weeks before thanksgiving 2022", "2022-11-10", "2022-11-23"),  # Thanksgiving: 24 Nov
    ],
)
def test_weeks_before_a_dated_event_end_the_day_before_it(q, start, end) -> None:
    w = route_in_world(q).args["windows"]
    assert [(x["start"], x["end"]) for x in w] == [(start, end)]


@pytest.mark.parametrize(
    ("q", "windows"),
    [
        ("what was TV's contribution in 2022 and 2023 combined?", [("2022-01-01", "2023-12-31")]),
        ("TV ROI 2022 and 2023", [("2022-01-01", "2022-12-31"), ("2023-01-01", "2023-12-31")]),
        ("contribution in the holiday weeks of 2023", [("2023-11-01", "2023-12-31")]),
    ],
)
def test_years_combined_are_one_span_and_holiday_weeks_the_season(q, windows) -> None:
    r = route_in_world(q)
    assert r.intent != "controls" and [(x["start"], x["end"]) for x in r.args["windows"]] == windows, r
