"""Time in questions: dateparser windows relative to the data's last period, applied to spend/KPI (truth: the raw
rows summed with pandas) and to ROI/contribution from the posterior over the window (truth: the stored draws
summed over the window's periods here, independently of the code under test)."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scope_support import geo_fit, geo_store, raw_spend

from agent.models.entities import Catalog
from agent.models.router import route
from agent.models.when import parse_when
from mmm_core.answers import results
from mmm_core.errors import NotFoundError
from tools.data_tools import build as data_tools
from tools.result_tools import build as result_tools

START, END = "2022-01-03", "2024-12-30"  # weekly data, Mondays


def _w(text: str) -> list[tuple[str, str, str]]:
    return [(w.start.isoformat(), w.end.isoformat(), w.label) for w in parse_when(text, START, END).windows]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("How much did we spend on TV in 2023?", [("2023-01-01", "2023-12-31", "2023")]),
        ("spend in Q3 2023", [("2023-07-01", "2023-09-30", "Q3 2023")]),
        ("spend in the third quarter of 2023", [("2023-07-01", "2023-09-30", "Q3 2023")]),
        ("spend in H1 2023", [("2023-01-01", "2023-06-30", "H1 2023")]),
        ("how did search do in the last quarter of 2022", [("2022-10-01", "2022-12-31", "Q4 2022")]),
        ("sales in March 2023", [("2023-03-01", "2023-03-31", "March 2023")]),
        # Relative to the DATA's last period (2024-12-30), not to today:
        ("TV spend last quarter", [("2024-10-01", "2024-12-30", "last quarter, Q4 2024")]),
        ("Search ROI since March", [("2024-03-01", "2024-12-30", "since March 2024")]),
        ("contribution in the last 8 weeks", [("2024-11-11", "2024-12-30", "the last 8 weeks")]),
        ("spend in 2023 vs 2024", [("2023-01-01", "2023-12-31", "2023"), ("2024-01-01", "2024-12-31", "2024")]),
        ("spend from January 2023 to June 2023", [("2023-01-01", "2023-06-30", "January 2023 to June 2023")]),
        (
            "FY2024 spend; our fiscal year starts in April",
            [("2023-04-01", "2024-03-31", "FY2024, Apr 2023–Mar 2024")],
        ),
        ("what may happen if we cut TV", []),  # "may" the verb is not May
        ("spend by month", []),
    ],
)
def test_windows(text: str, expected: list) -> None:
    assert _w(text) == expected


def test_out_of_range_and_grain() -> None:
    when = parse_when("ROI in 2019", START, END)
    assert when.windows == () and [w.label for w in when.outside] == ["2019"]
    assert parse_when("spend by month", START, END).grain == "month"
    assert parse_when("quarterly sales", START, END).grain == "quarter"
    assert parse_when("last quarter", "2021-01-04", "2022-06-27").windows[0].start == date(2022, 4, 1)


@pytest.fixture(scope="module")
def data():
    store, ds, raw = geo_store()
    tools = {t.name: t for t in data_tools(store)}
    from mmm_core.data.queries import describe

    return store, ds, raw, tools, Catalog.from_describe(describe(store, ds))


def _routed(text: str, cat: Catalog):
    return route(text, list(cat.channels), catalog=cat)


def test_tv_spend_in_2023_is_the_2023_figure(data) -> None:
    store, ds, raw, tools, cat = data
    r = _routed("How much did we spend on TV in 2023?", cat)
    assert r.intent == "spend_by" and r.args["channels"] == ["TV"]
    out = json.loads(tools["spend_by"].invoke({**r.args, "dataset": ds}))
    truth = raw_spend(raw, "TV", "2023-01-01", "2023-12-31")
    whole = raw_spend(raw, "TV", "2000-01-01", "2100-01-01")
    assert out["total"] == pytest.approx(truth, rel=1e-5) and truth < 0.7 * whole  # not the all-years total
    assert out["windows"][0] | {} == {
        "label": "2023",
        "start": "2023-01-01",
        "end": "2023-12-31",
        "first": "2023-01-02",
        "last": "2023-12-25",
        "n_periods": 52,
    }


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("TV spend in H1 2023", "2023-01-01", "2023-06-30"),
        ("TV spend last quarter", "2023-10-01", "2023-12-31"),
        ("TV spend in the last 8 weeks", "2023-11-06", "2023-12-31"),
        ("TV spend since March", "2023-03-01", "2023-12-31"),
        ("TV spend in fy22", "2022-01-01", "2022-12-31"),
    ],
)
def test_windowed_spend_matches_raw_sums(data, text: str, start: str, end: str) -> None:
    store, ds, raw, tools, cat = data
    r = _routed(text, cat)
    out = json.loads(tools["spend_by"].invoke({**r.args, "dataset": ds}))
    assert out["total"] == pytest.approx(raw_spend(raw, "TV", start, end), rel=1e-5), (text, r.args)


def test_comparison_of_two_years_and_geo_filter(data) -> None:
    store, ds, raw, tools, cat = data
    r = _routed("spend in 2022 vs 2023 in North", cat)
    out = json.loads(tools["spend_by"].invoke({**r.args, "dataset": ds}))
    media = raw[raw["VariableName"].str.endswith("_Spend") & (raw["Geography"] == "North")]
    for year in ("2022", "2023"):
        truth = media[media["Period"].str.startswith(year)]["VariableValue"].sum()
        assert out["window_totals"][year] == pytest.approx(truth, rel=1e-5)


def test_spend_by_month_aggregates_to_months(data) -> None:
    store, ds, raw, tools, cat = data
    r = _routed("spend by month", cat)
    assert r.args["grain"] == "month"
    out = json.loads(tools["spend_by"].invoke({**r.args, "dataset": ds}))
    media = raw[raw["VariableName"].str.endswith("_Spend")].assign(month=lambda f: f["Period"].str[:7])
    truth = media.groupby("month")["VariableValue"].sum()
    assert out["n_rows"] == 36 == len(truth)
    rows = {x["period"]: x["total"] for x in out["rows"] if isinstance(x, dict)}
    for month, total in rows.items():
        assert total == pytest.approx(truth[month], rel=1e-5)


def test_period_outside_the_data_is_refused_with_the_range(data) -> None:
    store, ds, raw, tools, cat = data
    r = _routed("How much did we spend on TV in 2019?", cat)
    assert r.intent == "not_in_data" and r.args["names"] == ["2019"]
    assert (r.args["data_start"], r.args["data_end"]) == ("2021-01-04", "2023-12-25")
    bad = [{"start": "2030-01-01", "end": "2030-12-31", "label": "2030"}]
    out = json.loads(tools["spend_by"].invoke({"windows": bad, "dataset": ds}))
    assert out["error"]["code"] == "period_out_of_range" and "2021-01-04 to 2023-12-25" in out["error"]["hint"]


@pytest.fixture(scope="module")
def fitted():
    return geo_fit()


def _window_truth(fitted, channel: str, start: str, end: str) -> tuple[np.ndarray, float]:
    """Contribution draws of ``channel`` summed over the window's periods, and its raw spend there."""
    eff = results.effect_draws(fitted.store, fitted.fit_id)
    periods = pd.to_datetime(pd.Series(eff.periods))
    mask = ((periods >= start) & (periods <= end)).to_numpy()
    c = eff.channels.index(channel)
    return eff.contribution_period[:, mask, c].astype(float).sum(axis=1), raw_spend(fitted.raw, channel, start, end)


def test_roi_over_a_window_comes_from_the_posterior_over_it(fitted) -> None:
    tools = {t.name: t for t in result_tools(fitted.store)}
    window = [{"start": "2023-01-01", "end": "2023-12-31", "label": "2023"}]
    out = json.loads(tools["roi"].invoke({"channel": "TV", "windows": window, "fit_id": fitted.fit_id}))
    tv = out["channels"]["TV"]
    draws, spend = _window_truth(fitted, "TV", "2023-01-01", "2023-12-31")
    assert tv["spend"] == pytest.approx(spend, rel=1e-5)
    assert tv["contribution"]["mean"] == pytest.approx(draws.mean(), rel=1e-4)
    assert tv["roi"]["mean"] == pytest.approx((draws / spend).mean(), rel=1e-4)
    assert tv["roi"]["lo"] < tv["roi"]["mean"] < tv["roi"]["hi"]
    assert out["windows"][0]["first"] == "2023-01-02" and "mroi" not in tv


def test_contribution_and_compare_over_a_window(fitted) -> None:
    window = [{"start": "2023-10-01", "end": "2023-12-31", "label": "Q4 2023"}]
    out = results.contributions(fitted.store, fitted.fit_id, windows=window)
    search = next(r for r in out["rows"] if r["channel"] == "Search")
    draws, _ = _window_truth(fitted, "Search", "2023-10-01", "2023-12-31")
    assert search["mean"] == pytest.approx(draws.mean(), rel=1e-4) and search["window"] == "Q4 2023"
    cmp = results.compare(fitted.store, fitted.fit_id, "TV", "Search", windows=window)
    tv, tv_spend = _window_truth(fitted, "TV", "2023-10-01", "2023-12-31")
    s, s_spend = _window_truth(fitted, "Search", "2023-10-01", "2023-12-31")
    assert cmp["prob"] == pytest.approx(np.mean(tv / tv_spend > s / s_spend), abs=1e-9)


def test_a_channels_share_over_a_window_is_of_the_kpi_observed_there(fitted) -> None:
    """ "TV's share of sales in 2023": the contribution over the window against the KPI observed over it, draw by
    draw (a constant denominator, so the interval is the contribution's, scaled)."""
    window = [{"start": "2023-01-01", "end": "2023-12-31", "label": "2023"}]
    out = results.contributions(fitted.store, fitted.fit_id, windows=window)
    tv = next(r for r in out["rows"] if r["channel"] == "TV")
    raw = fitted.raw
    kpi = raw[(raw["VariableName"] == "Sales") & (raw["Period"] >= "2023-01-01") & (raw["Period"] <= "2023-12-31")]
    observed = float(kpi["VariableValue"].sum())
    assert tv["kpi_total"] == pytest.approx(observed, rel=1e-9) and tv["share_of"] == "observed"
    for k in ("mean", "lo", "hi"):
        assert tv["share"][k] == pytest.approx(tv[k] / observed, rel=1e-9)
    base = next(r for r in out["rows"] if r["channel"] == "baseline")
    assert base["share"]["mean"] == pytest.approx(base["mean"] / observed, rel=1e-9)


def test_roi_at_a_margin_judges_each_channel_against_one_over_it(fitted) -> None:
    out = results.roi(fitted.store, fitted.fit_id, margin=0.5)
    eff = results.effect_draws(fitted.store, fitted.fit_id)
    assert out["break_even"] == pytest.approx(2.0)
    for j, name in enumerate(eff.channels):
        assert out["channels"][name]["prob_profitable"] == pytest.approx(np.mean(eff.roi[:, j] > 2.0))


def test_roi_per_geography_and_refusals(fitted) -> None:
    out = results.roi(fitted.store, fitted.fit_id, geos=["North", "South"])
    eff = results.effect_draws(fitted.store, fitted.fit_id)
    g = eff.geos.index("South")
    c = eff.channels.index("Search")
    south = out["by_geo"]["South"]["Search"]
    assert south["spend"] == pytest.approx(raw_spend(fitted.raw, "Search", "2000", "2100", ["South"]), rel=1e-5)
    assert south["roi"]["mean"] == pytest.approx(np.mean(eff.contribution_geo[:, g, c] / eff.spend_geo[g, c]), rel=1e-4)
    with pytest.raises(Exception, match="Geographies in this fit"):
        results.roi(fitted.store, fitted.fit_id, geos=["Texas"])
    with pytest.raises(NotFoundError, match="2021-01-04 to 2023-12-25"):
        results.roi(fitted.store, fitted.fit_id, windows=[{"start": "2019-01-01", "end": "2019-12-31"}])


def test_windowed_breakdowns_stay_inside_the_window(fitted) -> None:
    window = [{"start": "2023-10-01", "end": "2023-12-31", "label": "Q4 2023"}]
    out = results.contributions(fitted.store, fitted.fit_id, by="period", windows=window)
    periods = {r["period"] for r in out["rows"]}
    assert min(periods) == "2023-10-02" and max(periods) == "2023-12-25" and len(periods) == 13
    with pytest.raises(Exception, match="not stored"):
        results.contributions(fitted.store, fitted.fit_id, by="geo", windows=window)


def test_rankings_over_two_periods_or_geographies_are_tables(data) -> None:
    *_, cat = data
    for text in ("best channel in 2022 vs 2023", "which channel is best in North vs South"):
        r = _routed(text, cat)
        assert r.intent == "roi" and (len(r.args.get("windows", [])) == 2 or r.args.get("geos") == ["North", "South"])
