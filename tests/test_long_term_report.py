"""The long-term report section, its charts and the `long_term` tool (issue 21).

Fast tests run on a hand-made long-term answer (the shape of ``answers.long_term.long_term_answer``); the slow test
runs the whole path on the bundled brand demo: quick fit with a long_term block, report, tool, total-ROI plan."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agent.models.answers import compose
from mmm_core.report.build import check_prose
from mmm_core.report.long_term import irf_chart, long_term_charts, section_data, split_chart
from mmm_core.report.render import render_prose
from mmm_core.spec.long_term import LongTerm
from tools import long_term_tools

BLOCK = LongTerm(brand_metrics=[{"name": "Awareness"}, {"name": "Consideration"}])
INTERVAL = {"level": 0.9, "method": "equal_tailed"}
STABILITY = {"explosive_share": 0.0, "explosive_draws": 0, "draws": 400}


def _est(mean: float, lo: float, hi: float) -> dict:
    return {"mean": mean, "median": mean, "sd": (hi - lo) / 3.3, "lo": lo, "hi": hi}


def _answer(summarised: bool = True) -> dict:
    rows = {  # short, long, total, share
        "TV": ((1.1, 0.9, 1.5), (1.0, 0.4, 1.6), (2.1, 1.6, 2.8), (0.45, 0.25, 0.6)),
        "Search": ((1.3, 0.2, 3.8), (-8.1, -18.0, -0.5), (-6.5, -16.6, 1.5), (1.2, -0.6, 3.0)),
        "Radio": ((1.0, 0.4, 1.9), (-0.2, -2.2, 2.2), (0.8, -1.1, 2.7), (0.2, -5.4, 8.3)),
    }
    reason = "80% of the VAR draws are explosive (a shock would grow without bound), so no long-term ROI is summarised"
    channels = {
        name: {"summarised": True, "split": {"label": "identified", "readable": True, "bound": "lower"}}
        | {k: _est(*v) for k, v in zip(("short_roi", "long_roi", "total_roi", "long_share"), r)}
        if summarised
        else {"summarised": False, "reason": reason}
        for name, r in rows.items()
    }
    return {
        "fit_id": "fit_1",
        "channels": channels,
        "horizon": 24,
        "interval": INTERVAL,
        "stability": STABILITY if summarised else STABILITY | {"explosive_share": 0.8, "explosive_draws": 320},
        "units": "KPI per unit of spend",
        "approximate": False,
        "label": "",
        "provenance": {"spec_id": "spec_1", "disclosure": "Results come from locked spec v1."},
    }


def _res(summarised: bool = True) -> dict:
    irf = {"periods": list(range(24)), "channels": {"TV": {k: [0.1] * 24 for k in ("mean", "lo", "hi")}}}
    return {
        "data": {"kpi": "Sales"},
        "long_term": section_data(_answer(summarised), BLOCK),
        "charts": {"long_term_irf": irf if summarised else None},
    }


def test_section_reads_each_channel_as_the_intervals_allow():
    lt = section_data(_answer(), BLOCK)
    assert lt["unmeasured"] == ["Radio"]  # long-term interval includes 0
    assert lt["negative"] == ["Search"]  # credibly below 0: flagged, never a finding
    assert lt["share_undefined"] == ["Search", "Radio"]  # total ROI not credibly positive
    assert lt["channels"]["TV"]["share_defined"] and (lt["lags"], lt["horizon"]) == (2, 24)


def test_prose_is_grounded_and_says_what_the_numbers_allow():
    res = _res()
    text = render_prose("long_term", res)
    assert check_prose({"long_term": text}, res)[1] == []  # every number in the prose is in the results
    assert "VAR(2)" in text and "Awareness and Consideration" in text and "24 periods" in text
    assert "long-term share 45% (25%–60%)" in text  # TV: total ROI credibly positive
    assert "Read each long-term share as a lower bound" in text  # the two-step design reads the share low
    assert "Search: the long-term ROI is credibly below zero" in text and "not as a finding" in text
    assert "For Radio the long-term interval includes zero" in text
    assert "share 120%" not in text  # no share of a total that may be negative


def test_explosive_model_states_why_and_draws_nothing():
    res = _res(summarised=False)
    text = render_prose("long_term", res)
    assert "No long-term ROI is reported: 80% of the VAR draws are explosive" in text
    assert "320 of 400 draws are explosive (80%)" in text
    assert check_prose({"long_term": text}, res)[1] == []
    assert split_chart(res) is None and irf_chart(res) is None and long_term_charts(res) == {}


def test_charts_stack_short_and_long_and_band_the_irf():
    res = _res()
    split = split_chart(res)
    assert [t.name for t in split.data] == ["short-term", "long-term (brand)"] and split.layout.barmode == "stack"
    assert list(split.data[1].y) == [1.0, -8.1, -0.2]
    irf = irf_chart(res)
    assert [t.name for t in irf.data if t.showlegend is not False] == ["TV"] and len(irf.data) == 3  # band + mean
    assert set(long_term_charts(res)) == {"long_term_split", "long_term_irf"}
    assert long_term_charts({"data": {"kpi": "Sales"}, "charts": {}}) == {}  # a fit without a long-term model


def test_tool_adapter_keeps_mean_and_interval_and_one_channel():
    out = long_term_tools._compact(_answer(), "tv")
    assert list(out["channels"]) == ["TV"]
    assert out["channels"]["TV"]["long_roi"] == {"mean": 1.0, "lo": 0.4, "hi": 1.6}
    assert set(out["channels"]["TV"]) == {
        "summarised",
        "short_roi",
        "long_roi",
        "total_roi",
        "long_share",
        "split",
        "split_readable",
        "split_bound",
    }
    assert out["channels"]["TV"]["summarised"] is True  # the chat's template reads it (it once went missing)
    assert out["horizon"] == 24 and out["provenance"]["spec_id"] == "spec_1"
    explosive = long_term_tools._compact(_answer(summarised=False), None)
    assert explosive["channels"]["TV"] == {"summarised": False, "reason": _answer(False)["channels"]["TV"]["reason"]}


def test_tool_is_registered_and_errors_are_data(store):
    from tools import build_tools

    tools = {t.name: t for t in build_tools(store)}
    assert "long_term" in tools and "brand-building" in tools["long_term"].description
    err = json.loads(tools["long_term"].invoke({}))
    assert err["error"]["code"] == "no_fit"


@pytest.mark.slow
def test_brand_demo_end_to_end(tmp_path):
    """Ingest the brand demo, draft the long_term block, quick fit, then report, tool and a total-ROI plan."""
    from mmm_core import ledger
    from mmm_core.answers.planning import optimize
    from mmm_core.data.ingest import ingest
    from mmm_core.fit.job import run_fit
    from mmm_core.report.build import build_report
    from mmm_core.spec import init_spec
    from mmm_core.store import Store
    from tools import build_tools

    store = Store(tmp_path / "mmm.duckdb")
    ds = ingest(store, Path(__file__).resolve().parents[1] / "data" / "demo_brand.csv", name="brand")
    spec = init_spec(store, ds.dataset_id, kpi="Sales", brand_metrics=["Awareness", "Consideration"])
    fit = run_fit(store, ledger.lock(store, spec, "brand demo").spec_id, quick=True, seed=0)["fit_id"]

    out = build_report(store, fit, tmp_path / "r.html", allow_unhealthy=True)
    assert "long_term" in out["sections"] and out["grounded"], out["ungrounded"]
    page = (tmp_path / "r.html").read_text()
    assert 'id="chart-long_term_irf"' in page and 'id="chart-long_term_split"' in page
    results = json.loads(Path(out["results_path"]).read_text())
    assert len(results["charts"]["long_term_irf"]["channels"]["TV"]["mean"]) == 24

    tool = {t.name: t for t in build_tools(store)}["long_term"]
    answer = json.loads(tool.invoke({"channel": "TV", "fit_id": fit}))
    assert "error" not in answer, answer
    tv = answer["channels"]["TV"]
    keys = {"summarised", "short_roi", "long_roi", "total_roi", "long_share", "split", "split_readable", "split_bound"}
    assert set(tv) == keys and tv["split_bound"] == "lower"  # the two-step design reads the long share low
    assert tv["summarised"] is True and isinstance(tv["split"], str) and isinstance(tv["split_readable"], bool)

    levels = results["roi"]["channels"]
    budget = 13 * sum(c["spend"] for c in levels.values()) / results["data"]["periods"]["count"]
    plan = optimize(store, fit, budget, 13, total_roi=True, allow_unhealthy=True)
    assert plan["objective"]["basis"] == "total_roi"
    assert any("total ROI (flagged)" in n for n in plan["notes"])


@pytest.mark.parametrize(
    ("label", "width", "as_share"),
    [("identified", 0.1, True), ("weakly identified", 0.45, True), ("not identified by the data", 0.9, False)],
)
def test_chat_states_the_long_share_only_when_the_split_is_readable(label, width, as_share):
    """The chat template reads the rule's boolean, not the label's wording ("weakly identified" has no "not")."""
    from mmm_core.answers.mediation import SPLIT_IDENTIFIED, SPLIT_WEAK, split_identification

    half = width / 0.9 / 2  # a uniform spread's central 90% is 0.9 of its range
    share = np.linspace(0.5 - half, 0.5 + half, 1001)
    split = split_identification(share, True)
    assert split["label"] == label and split["readable"] is as_share
    assert (width <= SPLIT_WEAK) is as_share and (label == "identified") is (width <= SPLIT_IDENTIFIED)
    answer = _answer()
    answer["channels"]["TV"]["split"] = split | {"bound": "lower"}  # as the long-term answer sets it
    row = long_term_tools._compact(answer, "TV")["channels"]["TV"]
    text = compose("long_term", {**answer, "channels": {"TV": row}}, {}, ["long_term"])
    assert ("the long-term part is 45% of the total" in text) is as_share, text
    assert ("of the total (25%–60%), a lower bound." in text) is as_share, text  # the answer's bound, stated
    assert ("read it as a range, not a share" in text) is (not as_share), text
