"""A lift test added after a fit (issue 19): the amendment is disclosed as post hoc, the calibrated fit says which
tests it used, its health review carries the consistency check, and the report shows each channel's ROI before
and after calibration with each test's verdict.

One module fixture makes the two quick fits (before and after the test, 200 draws each) that every test here reads:
the fits are the expensive part, so they are made once (moved here from test_experiments.py, assertions kept).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mmm_core import ledger
from mmm_core.data.experiments import add_experiments
from mmm_core.spec import init_spec

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"
TEST_ROW = "Search,,2022-02-28,2022-03-21,20000,30000,6000,lift,,\n"
HEADER = "channel ,GEOGRAPHY,start,End,Spend_Change,lift,Lift SE,Type,Source,Notes\n"


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory) -> dict:
    from mmm_core.data.ingest import ingest
    from mmm_core.fit.job import run_fit
    from mmm_core.store import Store

    tmp = tmp_path_factory.mktemp("post_hoc")
    store = Store(tmp / "mmm.duckdb")
    ds = ingest(store, DEMO, name="demo").dataset_id
    first = ledger.lock(store, init_spec(store, ds), "before any test")
    plain = run_fit(store, first.spec_id, quick=True, seed=0, draws=200)
    path = tmp / "tests.csv"
    path.write_text(HEADER + TEST_ROW, encoding="utf-8")
    add_experiments(store, ds, path)
    spec = init_spec(store, ds)
    amended = ledger.amend(store, first.spec_id, spec, "calibrate Search on the lift test")
    fit = run_fit(store, amended.spec_id, quick=True, seed=0, draws=200)
    return {"store": store, "dataset_id": ds, "first": first, "plain": plain, "spec": spec, "amended": amended,
            "fit": fit}  # fmt: skip


def test_post_hoc_experiment_is_disclosed_and_the_calibrated_fit_says_so(calibrated) -> None:
    """A test added after a fit and amended into the spec is a post-hoc amendment; the calibrated fit's ROI answer
    keeps its contract and lists the test in ``provenance``; its health review carries the consistency check."""
    from mmm_core.answers.results import health, roi

    store, spec, amended = calibrated["store"], calibrated["spec"], calibrated["amended"]
    before = roi(store, calibrated["plain"]["fit_id"], allow_unhealthy=True)
    assert "experiments" not in before["provenance"]
    assert [e.channel for e in spec.experiments] == ["Search"]
    assert amended.post_hoc  # a fit of the parent existed: the ledger discloses it
    assert ledger.chain(store, amended.spec_id)[-1].spec.experiments == spec.experiments
    after = roi(store, calibrated["fit"]["fit_id"], allow_unhealthy=True)
    assert set(after) == set(before) and set(after["channels"]) == set(before["channels"])
    assert (
        f"calibrated by lift test {spec.experiments[0].experiment_id}"
        in (after["channels"]["Search"]["identifiability"]["label"])
    )  # the label says the channel is calibrated wherever it shows (ROI answers, report, suggestions)
    (used,) = after["provenance"]["experiments"]
    assert (used["experiment_id"], used["channel"], used["lift"]) == (
        spec.experiments[0].experiment_id,
        "Search",
        30000,
    )
    checks = {c["name"]: c for c in health(store, calibrated["fit"]["fit_id"])["checks"]}
    row = checks["experiment_consistency"]["details"]["experiments"][0]
    assert row["measured_lift"] == 30000 and row["calibrated"]["predicted"] > 0 and row["data_alone"] is not None


def test_report_shows_roi_before_and_after_calibration_and_each_tests_verdict(calibrated, tmp_path) -> None:
    import json

    from mmm_core.report.build import build_report
    from mmm_core.report.experiments import experiments_block

    store, fit_id = calibrated["store"], calibrated["fit"]["fit_id"]
    out = build_report(store, fit_id, tmp_path / "report.md", fmt="md", allow_unhealthy=True)
    assert "experiments" in out["sections"] and out["grounded"], out["ungrounded"]
    text = (tmp_path / "report.md").read_text()
    exp_id = calibrated["spec"].experiments[0].experiment_id
    assert "ROI before and after calibration" in text and exp_id in text
    assert calibrated["plain"]["fit_id"] in text and "differs from this spec only by the tests" in text
    block = json.loads(Path(out["results_path"]).read_text())["experiments"]
    assert block["before_source"] == {
        "kind": "linked_fit",
        "fit_id": calibrated["plain"]["fit_id"],
        "spec_id": calibrated["first"].spec_id,
        "spec_version": 1,
        "other_changes": [],
    }
    search = block["channels"]["Search"]
    assert search["tests"] == [exp_id] and search["before"]["lo"] < search["before"]["hi"]
    (test,) = block["tests"]
    assert test["verdict"] in ("consistent", "flagged") and test["data_alone"] is not None
    html = build_report(store, fit_id, tmp_path / "report.html", allow_unhealthy=True)
    assert html["grounded"] and exp_id in (tmp_path / "report.html").read_text()
    assert experiments_block(store, "unused", calibrated["first"], {}, 0.9, "equal_tailed") is None  # no tests


def test_without_an_uncalibrated_fit_before_is_a_quick_fit_without_the_tests(calibrated, monkeypatch) -> None:
    from mmm_core.answers.results import roi
    from mmm_core.report import experiments as report_experiments

    store, fit_id = calibrated["store"], calibrated["fit"]["fit_id"]
    monkeypatch.setattr(report_experiments, "_linked_fit", lambda store, locked: None)
    locked = ledger.get_spec(store, calibrated["amended"].spec_id)
    table = roi(store, fit_id, allow_unhealthy=True)
    block = report_experiments.experiments_block(store, fit_id, locked, table, 0.9, "equal_tailed")
    assert block["before_source"]["kind"] == "quick_without_tests" and block["before_source"]["fit_id"] is None
    assert all(c["before"]["lo"] <= c["before"]["hi"] for c in block["channels"].values())
