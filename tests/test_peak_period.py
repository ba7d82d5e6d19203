"""Which period was highest or lowest: "what was our best month for sales?" was answered with the channels' ROI
ranking (a different question). Now the observed KPI by unit of time, ranked by its mean per period (a month of
weekly data holds 4 or 5 weeks), whole units only, computed by the SQL sandbox over a real store and checked
against pandas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from router_support import route_in_world

from agent.models.peaks import peak_sql
from mmm_core.data.sql_sandbox import query
from mmm_core.store import Store

START = dt.date(2023, 1, 16)  # January holds 3 weeks of data: a part of the month, never ranked


@pytest.fixture()
def weekly(tmp_path: Path) -> tuple[Store, pd.DataFrame]:
    rng = np.random.default_rng(7)
    weeks = [START + dt.timedelta(weeks=i) for i in range(40)]
    frame = pd.DataFrame(
        [(w, g, float(rng.uniform(50, 150))) for w in weeks for g in ("North", "South")],
        columns=["period", "geo", "sales"],
    )
    store = Store(tmp_path / "mmm.duckdb")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO datasets VALUES ('ds_1', 'demo', 'fp', 'x', 'mff', 80, 'W', ?, ?, now())",
            [weeks[0], weeks[-1]],
        )
        for row in frame.itertuples():
            conn.execute(
                "INSERT INTO mff_rows VALUES ('ds_1', ?, ?, '', '', '', '', 'Revenue', ?)",
                [row.period, row.geo, row.sales],
            )
        conn.execute(
            "INSERT INTO variables (dataset_id, name, role, channel, coverage, n_obs, geo_coverage, ragged, total) "
            "VALUES ('ds_1', 'Revenue', 'kpi', NULL, 1, 80, 1, false, 0)"
        )
    return store, frame


def _expected(frame: pd.DataFrame, unit_of, whole: int, lowest: bool) -> list[tuple[str, float, float, int]]:
    weekly = frame.groupby("period")["sales"].sum()  # the geographies summed: the national KPI
    units = weekly.groupby([unit_of(p) for p in weekly.index]).agg(["mean", "sum", "count"])
    units = units[units["count"] >= whole].sort_values("mean", ascending=lowest).head(5)
    return [(k, r["mean"], r["sum"], int(r["count"])) for k, r in units.iterrows()]


@pytest.mark.parametrize("lowest", [False, True])
def test_months_are_ranked_by_their_mean_per_week_over_whole_months(weekly, lowest) -> None:
    store, frame = weekly
    args = {"grain": "month", "order": "lowest" if lowest else "highest", "measure": "metric", "names": ["Revenue"]}
    got = query(store, "ds_1", peak_sql(args, "W"))["rows"]
    want = _expected(frame, lambda p: p.strftime("%Y-%m"), 4, lowest)
    assert [r[0] for r in got] == [w[0] for w in want] and "2023-01" not in [r[0] for r in got]
    for row, exp in zip(got, want, strict=True):
        assert row[1:3] == pytest.approx(exp[1:3]) and row[3] == exp[3]


def test_a_window_limits_the_units_ranked(weekly) -> None:
    store, frame = weekly
    window = {"start": "2023-04-01", "end": "2023-06-30", "label": "Q2 2023"}
    args = {"grain": "week", "order": "highest", "measure": "metric", "names": ["Revenue"], "windows": [window]}
    got = query(store, "ds_1", peak_sql(args, "W"))["rows"]
    inside = frame[(frame.period >= dt.date(2023, 4, 1)) & (frame.period <= dt.date(2023, 6, 30))]
    want = _expected(inside, lambda p: p.isoformat(), 1, False)
    assert [r[0] for r in got] == [w[0] for w in want]


@pytest.mark.parametrize(
    ("q", "grain", "order"),
    [
        ("what was our best month for sales?", "month", "highest"),
        ("which week had the lowest revenue?", "week", "lowest"),
        ("when did sales peak?", "week", "highest"),
        ("what was our best sales month in 2023?", "month", "highest"),
        ("which quarter had the most sales?", "quarter", "highest"),
    ],
)
def test_a_superlative_over_a_unit_of_time_asks_for_that_period(q, grain, order) -> None:
    r = route_in_world(q)
    assert r.intent == "peak_period" and r.args["grain"] == grain and r.args["order"] == order, r
    assert r.args["measure"] == "metric" and r.args["names"] == ["Sales"] and "'Sales'" in r.args["sql"]


@pytest.mark.parametrize(
    "q", ["top channel last month", "best performing channel this year", "which channel was best in Q3 2022?"]
)
def test_the_best_channel_over_a_period_is_still_a_channel_ranking(q) -> None:
    assert route_in_world(q).intent == "rank"


def test_a_peak_before_the_data_is_refused_with_its_range() -> None:
    r = route_in_world("best month in 2019")
    assert r.intent == "not_in_data" and r.args["names"] == ["2019"]


def test_a_geography_limits_the_kpi_ranked(weekly) -> None:
    store, frame = weekly
    args = {"grain": "month", "order": "highest", "measure": "metric", "names": ["Revenue"], "geos": ["North"]}
    got = query(store, "ds_1", peak_sql(args, "W"))["rows"]
    want = _expected(frame[frame.geo == "North"], lambda p: p.strftime("%Y-%m"), 4, False)
    assert [r[0] for r in got] == [w[0] for w in want]
    assert got[0][2] == pytest.approx(want[0][2])
