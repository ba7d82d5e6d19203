"""Statistics and peaks of an observed series — "what's our average weekly spend on TV?", "how many weeks did we
run TV?", "is TV spend correlated with sales?", "which month did we spend the most on TV?" — were answered with the
full weekly table or the channel's total. Now one SELECT each over a real store's sandbox, checked against pandas
on data with dark weeks left out of the file (no row = no spend) and a channel split across two outlets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from router_support import route_in_world

from agent.models.peaks import peak_sql
from agent.models.series_stats import stats_sql
from mmm_core.data.sql_sandbox import query
from mmm_core.store import Store

START = dt.date(2023, 1, 16)  # January holds 3 weeks: a part month, never a whole unit
WEEKS = [START + dt.timedelta(weeks=i) for i in range(40)]


@pytest.fixture()
def world(tmp_path: Path) -> tuple[Store, pd.DataFrame]:
    """Weekly Revenue in two geographies; TV spend with every third week dark (no row at all); Search spend split
    across two outlets (one channel, two variables)."""
    rng = np.random.default_rng(11)
    rows = []
    for i, w in enumerate(WEEKS):
        for g in ("North", "South"):
            rows.append((w, g, "", "Revenue", float(rng.uniform(50, 150))))
            if i % 3:
                rows.append((w, g, "", "TV_Spend", float(rng.uniform(10, 30))))
            rows += [(w, g, o, "Search_Spend", float(rng.uniform(1, 5))) for o in ("Google", "Bing")]
    frame = pd.DataFrame(rows, columns=["period", "geo", "outlet", "variable", "value"])
    store = Store(tmp_path / "mmm.duckdb")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO datasets VALUES ('ds_1', 'demo', 'fp', 'x', 'mff', ?, 'W', ?, ?, now())",
            [len(rows), WEEKS[0], WEEKS[-1]],
        )
        conn.executemany(
            "INSERT INTO mff_rows VALUES ('ds_1', ?, ?, '', '', ?, '', ?, ?)",
            [(r.period, r.geo, r.outlet, r.variable, r.value) for r in frame.itertuples()],
        )
        variables = [
            ("Revenue", "kpi", None, "Revenue", None, None),
            ("TV_Spend", "media", "TV", "TV_Spend", None, "spend"),
            ("Search_Spend Google", "media", "Search", "Search_Spend", "Google", "spend"),
            ("Search_Spend Bing", "media", "Search", "Search_Spend", "Bing", "spend"),
        ]
        conn.executemany(
            "INSERT INTO variables (dataset_id, name, role, channel, coverage, n_obs, geo_coverage, ragged, total, "
            "source, outlet, metric) VALUES ('ds_1', ?, ?, ?, 1, 80, 1, false, 0, ?, ?, ?)",
            variables,
        )
    return store, frame


def _weekly(frame: pd.DataFrame, variable: str, geos: tuple[str, ...] = ("North", "South")) -> pd.Series:
    """The national (or the geographies') weekly series, every week present: a dark week is 0."""
    kept = frame[(frame.variable == variable) & frame.geo.isin(geos)]
    return kept.groupby("period")["value"].sum().reindex(WEEKS, fill_value=0.0)


def test_weekly_statistics_of_spend_count_dark_weeks_as_zero(world) -> None:
    store, frame = world
    args = {"measure": "spend", "names": ["TV", "Search"], "stat": "summary", "unit": "week"}
    rows = query(store, "ds_1", stats_sql(args, "W"))["rows"]
    assert [r[0] for r in rows] == ["TV", "Search"]  # in the order asked
    for row, variable in zip(rows, ["TV_Spend", "Search_Spend"], strict=True):
        s = _weekly(frame, variable)
        name, units, mean, median, low, _, high, _, sd, total, zero, first, last = row
        assert units == 40 and (first, last) == (WEEKS[0].isoformat(), WEEKS[-1].isoformat())
        assert (mean, median, low, high, sd, total) == pytest.approx(
            (s.mean(), s.median(), s.min(), s.max(), s.std(), s.sum())
        )
        assert zero == int((s == 0).sum())
    assert rows[0][10] == 14 and rows[1][10] == 0  # every third of 40 weeks dark; Search (both outlets) never


def test_monthly_statistics_sum_whole_months_only(world) -> None:
    store, frame = world
    args = {"measure": "metric", "names": ["Revenue"], "stat": "summary", "unit": "month"}
    row = query(store, "ds_1", stats_sql(args, "W"))["rows"][0]
    weekly = _weekly(frame, "Revenue")
    months = weekly.groupby([p.strftime("%Y-%m") for p in weekly.index]).agg(["sum", "count"])
    months = months[months["count"] >= 4]["sum"]  # January (3 weeks) and the last part month are left out
    assert row[1] == len(months) and "2023-01" not in months.index
    assert (row[2], row[3], row[4], row[6], row[9]) == pytest.approx(
        (months.mean(), months.median(), months.min(), months.max(), months.sum())
    )
    assert row[5] == months.idxmin() and row[7] == months.idxmax()


def test_a_window_and_a_geography_limit_the_series(world) -> None:
    store, frame = world
    window = {"start": "2023-04-01", "end": "2023-06-30", "label": "Q2 2023"}
    args = {"measure": "spend", "names": ["TV"], "stat": "summary", "unit": "week", "windows": [window]}
    row = query(store, "ds_1", stats_sql(args | {"geos": ["North"]}, "W"))["rows"][0]
    s = _weekly(frame, "TV_Spend", ("North",))
    s = s[(s.index >= dt.date(2023, 4, 1)) & (s.index <= dt.date(2023, 6, 30))]
    assert row[1] == len(s) and row[2] == pytest.approx(s.mean()) and row[10] == int((s == 0).sum())


def test_correlation_with_the_kpi_is_over_the_same_weeks(world) -> None:
    store, frame = world
    args = {"measure": "spend", "names": ["TV"], "stat": "correlation", "kpi": "Revenue"}
    name, corr, periods = query(store, "ds_1", stats_sql(args, "W"))["rows"][0]
    want = np.corrcoef(_weekly(frame, "TV_Spend"), _weekly(frame, "Revenue"))[0, 1]
    assert name == "TV" and periods == 40 and corr == pytest.approx(want)


def test_spend_peaks_rank_months_by_spend_per_week(world) -> None:
    store, frame = world
    args = {"grain": "month", "order": "highest", "measure": "spend", "names": ["TV"]}
    rows = query(store, "ds_1", peak_sql(args, "W"))["rows"]
    weekly = _weekly(frame, "TV_Spend")
    months = weekly.groupby([p.strftime("%Y-%m") for p in weekly.index]).agg(["mean", "count"])
    months = months[months["count"] >= 4].sort_values("mean", ascending=False).head(5)
    assert [r[0] for r in rows] == list(months.index)
    assert [r[1] for r in rows] == pytest.approx(list(months["mean"]))


@pytest.mark.parametrize(
    ("q", "stat", "measure", "names", "unit"),
    [
        ("what's our average weekly spend on TV?", "summary", "spend", ["TV"], "week"),
        ("how much do we spend on Social per month on average?", "summary", "spend", ["Social"], "month"),
        ("what is the median weekly spend on Search?", "summary", "spend", ["Search"], "week"),
        ("how volatile is our TV spend?", "summary", "spend", ["TV"], "week"),
        ("average weekly sales in 2023?", "summary", "metric", ["Sales"], "week"),
        ("what's the typical monthly spend on Search and Radio?", "summary", "spend", ["Search", "Radio"], "month"),
        ("how many weeks did we run TV?", "activity", "spend", ["TV"], "week"),
        ("did we ever not spend on Social?", "activity", "spend", ["Social"], "week"),
        ("is TV spend correlated with sales?", "correlation", "spend", ["TV"], "week"),
    ],
)
def test_statistics_questions_route_to_the_series_asked(q, stat, measure, names, unit) -> None:
    r = route_in_world(q)
    assert r.intent == "series_stats", r
    assert (r.args["stat"], r.args["measure"], r.args["names"], r.args["unit"]) == (stat, measure, names, unit)


def test_a_year_in_a_statistics_question_is_its_window() -> None:
    r = route_in_world("average weekly sales in 2023?")
    assert r.args["windows"][0]["label"] == "2023" and "DATE '2023-01-01'" in r.args["sql"]


@pytest.mark.parametrize(
    ("q", "intent"),
    [
        ("what's the average ROI of TV?", "roi"),
        ("which channel is most consistent?", "rank"),
        ("what's TV's average contribution per week?", "contribution"),
    ],
)
def test_estimates_and_channel_rankings_are_not_series_statistics(q, intent) -> None:
    assert route_in_world(q).intent == intent


@pytest.mark.parametrize(
    ("q", "measure", "names", "grain", "order"),
    [
        ("which month did we spend the most on TV?", "spend", ["TV"], "month", "highest"),
        ("when was our media spend highest?", "spend", ["all media"], "week", "highest"),
        ("in which quarter did we spend the least on Search?", "spend", ["Search"], "quarter", "lowest"),
        ("what was our biggest spending week?", "spend", ["all media"], "week", "highest"),
    ],
)
def test_spend_peaks_route_to_the_spend_series(q, measure, names, grain, order) -> None:
    r = route_in_world(q)
    assert r.intent == "peak_period", r
    assert (r.args["measure"], r.args["names"], r.args["grain"], r.args["order"]) == (measure, names, grain, order)


def test_dark_weeks_are_listed_with_their_count(world) -> None:
    store, frame = world
    args = {"measure": "spend", "names": ["TV", "Search"], "stat": "dark", "unit": "week"}
    rows = query(store, "ds_1", stats_sql(args, "W"))["rows"]
    s = _weekly(frame, "TV_Spend")
    dark = [p.isoformat() for p, v in s.items() if v == 0]
    assert [r[1] for r in rows] == dark and all(r[0] == "TV" for r in rows)  # Search is never dark
    assert {(r[2], r[3]) for r in rows} == {(len(dark), 40)}


@pytest.mark.parametrize(
    ("q", "unit"), [("which weeks had zero tv spend?", "week"), ("which months had no radio spend?", "month")]
)
def test_which_periods_had_no_spend_lists_them(q, unit) -> None:
    r = route_in_world(q)
    assert r.intent == "series_stats" and r.args["stat"] == "dark" and r.args["unit"] == unit, r
