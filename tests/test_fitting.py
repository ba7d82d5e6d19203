"""The fit job end to end on a real store: gatekeeping, determinism, reload, gate blocks, killed fits, CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from agent.cli.main import main
from mmm_core import ledger
from mmm_core.answers.results import compare, contributions, effect_draws, health, load_posterior, roi
from mmm_core.data.ingest import ingest
from mmm_core.errors import FitRefusedError, GateError
from mmm_core.fit.job import latest_fit, run_fit
from mmm_core.spec import init_spec, save_draft
from mmm_core.store import Store

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> dict:
    store = Store(tmp_path_factory.mktemp("fit") / "mmm.duckdb")
    ds = ingest(store, DEMO, name="demo")
    spec = init_spec(store, ds.dataset_id)
    locked = ledger.lock(store, spec, "test: default spec")
    fit = run_fit(store, locked.spec_id, quick=True, seed=1)
    # Read now: other tests of this module add fits to the same store, in any order (pytest-randomly).
    latest = {"any": latest_fit(store), "demo": latest_fit(store, "demo")}
    return {
        "store": store,
        "dataset_id": ds.dataset_id,
        "spec": spec,
        "spec_id": locked.spec_id,
        "fit": fit,
        "latest": latest,
    }


def test_quick_fit_succeeds_and_is_labelled(fitted: dict) -> None:
    fit = fitted["fit"]
    assert fit["status"] == "succeeded" and fit["approximate"] is True
    assert fit["label"] == "approximate — uncertainty not calibrated"
    assert fit["provenance"]["spec_id"] == fitted["spec_id"]
    assert fit["gate"]["blocking"] is False
    assert {"r2", "mape"} <= set(fit["diagnostics"])
    assert fitted["latest"] == {"any": fit["fit_id"], "demo": fit["fit_id"]}  # right after the fit


def test_roi_answer_carries_intervals_and_provenance(fitted: dict) -> None:
    table = roi(fitted["store"], fitted["fit"]["fit_id"])
    assert set(table["channels"]) == {"Search", "Social", "Local", "Email"}
    for row in table["channels"].values():
        for key in ("contribution", "roi", "mroi"):
            est = row[key]
            assert est["lo"] <= est["mean"] <= est["hi"]
    assert table["interval"]["level"] == 0.9 and table["approximate"] is True
    assert "locked spec v1" in table["provenance"]["disclosure"]
    wider = roi(fitted["store"], fitted["fit"]["fit_id"], interval=0.99)
    for ch, row in table["channels"].items():
        assert wider["channels"][ch]["roi"]["lo"] <= row["roi"]["lo"]
        assert wider["channels"][ch]["roi"]["hi"] >= row["roi"]["hi"]


def test_compare_and_contributions(fitted: dict) -> None:
    store, fit_id = fitted["store"], fitted["fit"]["fit_id"]
    ab, ba = compare(store, fit_id, "email", "LOCAL"), compare(store, fit_id, "Local", "Email")
    assert ab["channel_a"] == "Email" and ab["prob"] + ba["prob"] == pytest.approx(1.0)
    by_period = contributions(store, fit_id, by="period")
    channels = {"Search", "Social", "Local", "Email"}  # per-channel series, then total media and baseline
    assert {r["channel"] for r in by_period["rows"]} == channels | {"all_media", "baseline"}
    with pytest.raises(Exception, match="Known channels"):
        compare(store, fit_id, "Radio", "Email")


def test_summaries_are_stored_as_queryable_rows(fitted: dict) -> None:
    with fitted["store"].connect() as conn:
        rows = conn.execute(
            "SELECT quantity, count(*) FROM posterior_summary WHERE fit_id = ? GROUP BY 1", [fitted["fit"]["fit_id"]]
        ).fetchall()
    counts = dict(rows)
    assert counts["roi"] == 4 and counts["contribution_period"] == 4 * 104 and counts["baseline_period"] == 104


def test_artifacts_describe_the_fit(fitted: dict) -> None:
    from mmm_core.fit import artifacts
    from mmm_core.spec import spec_sha256

    folder = artifacts.fit_dir(fitted["store"], fitted["fit"]["fit_id"])
    meta = artifacts.load_meta(folder)
    locked = ledger.get_spec(fitted["store"], fitted["spec_id"])
    assert meta["spec_sha256"] == locked.sha256 == spec_sha256(locked.spec)
    assert meta["data_fingerprint"] == locked.data_fingerprint
    assert (folder / artifacts.POSTERIOR_NC).is_file() and (folder / artifacts.SAMPLES).is_file()
    assert not list(folder.parent.glob(".tmp-*"))


def test_reload_reproduces_every_number(fitted: dict) -> None:
    from mmm_core.effects import compute_effects, roi_table

    store, fit_id = fitted["store"], fitted["fit"]["fit_id"]
    recomputed = roi_table(compute_effects(load_posterior(store, fit_id)), 0.9, "equal_tailed")
    stored = roi_table(effect_draws(store, fit_id), 0.9, "equal_tailed")
    for ch, row in stored["channels"].items():
        for key in ("roi", "mroi", "contribution"):
            assert recomputed["channels"][ch][key]["mean"] == pytest.approx(row[key]["mean"], rel=1e-5)


def test_same_spec_data_and_seed_give_the_same_numbers(fitted: dict) -> None:
    again = run_fit(fitted["store"], fitted["spec_id"], quick=True, seed=1)
    a = roi(fitted["store"], fitted["fit"]["fit_id"])["channels"]
    b = roi(fitted["store"], again["fit_id"])["channels"]
    assert a == b


def test_unlocked_spec_is_refused_and_logged(fitted: dict, tmp_path: Path) -> None:
    draft = save_draft(fitted["spec"], tmp_path / "draft.yaml")
    with pytest.raises(FitRefusedError):
        run_fit(fitted["store"], str(draft), quick=True)
    events = ledger.ledger_report(fitted["store"], fitted["dataset_id"])["events"]
    assert any(e["kind"] == "fit_refused" for e in events)


def test_unhealthy_fit_is_refused_for_decisions_unless_overridden(fitted: dict) -> None:
    store = fitted["store"]
    fit = run_fit(store, fitted["spec_id"], quick=True, seed=3)
    # Simulate a failed health review (the row is a fit record, not a locked spec).
    with store.transaction() as conn:
        conn.execute(
            "UPDATE fits SET health_json = ? WHERE id = ?",
            [json.dumps({"overall": "fail", "checks": [{"name": "r2", "status": "fail"}]}), fit["fit_id"]],
        )
    with pytest.raises(FitRefusedError, match="failed its health review"):
        roi(store, fit["fit_id"])
    assert roi(store, fit["fit_id"], allow_unhealthy=True)["channels"]
    assert health(store, fit["fit_id"])["overall"] == "fail"


def _duplicate_channel_file(path: Path) -> Path:
    frame = pd.read_csv(DEMO, keep_default_na=False)
    twin = frame[frame["VariableName"] == "Search_Spend"].copy()
    twin["VariableName"], twin["Outlet"] = "SearchCopy_Spend", "SearchCopy"
    pd.concat([frame, twin]).to_csv(path, index=False)
    return path


def test_gate_blocks_duplicate_channels_and_records_why(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    ds = ingest(store, _duplicate_channel_file(tmp_path / "dup.csv"))
    locked = ledger.lock(store, init_spec(store, ds.dataset_id), "test: duplicate channels")
    with pytest.raises(GateError) as err:
        run_fit(store, locked.spec_id, quick=True)
    assert "duplicate_channels" in err.value.hint
    fit_id = ledger.ledger_report(store, ds.dataset_id)["fits"][0]["fit_id"]
    report = health(store, fit_id)
    assert report["status"] == "failed"
    assert any(c["name"] == "duplicate_channels" and c["status"] == "fail" for c in report["gate"]["checks"])
    assert not (store.artifacts_dir / "fits" / fit_id).exists()


def test_killed_fit_is_marked_failed_and_can_be_rerun(fitted: dict, tmp_path: Path) -> None:
    store = fitted["store"]
    code = (
        "import sys; from mmm_core.store import Store; from mmm_core.fit.job import run_fit; "
        f"run_fit(Store({str(store.path)!r}), {fitted['spec_id']!r}, draws=20000, warmup=20000)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ))
    fit_id = _wait_for_running_fit(store, timeout=120)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert ledger.get_fit(store, fit_id)["status"] == "running"  # nobody closed it ...
    assert fit_id in ledger.reap_stale_fits(store)  # ... until the reaper sees the dead pid
    assert ledger.get_fit(store, fit_id)["status"] == "failed"
    assert not (store.artifacts_dir / "fits" / fit_id).exists()
    assert run_fit(store, fitted["spec_id"], quick=True)["status"] == "succeeded"


def _wait_for_running_fit(store: Store, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.connect() as conn:
            row = conn.execute("SELECT id FROM fits WHERE status = 'running' AND progress > 0.05").fetchone()
        if row:
            return row[0]
        time.sleep(0.2)
    raise AssertionError("the background fit never started sampling")


def test_cli_fit_and_answers_print_one_json_object(fitted: dict, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(fitted["store"].path)
    assert main(["--store", store, "fit", fitted["spec_id"], "--quick", "--seed", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "succeeded" and out["approximate"] is True
    fit_id = out["fit_id"]
    for argv in (
        ["roi", fit_id],
        ["compare", fit_id, "Email", "Search"],
        ["contributions", fit_id, "--by", "geo"],
        ["health", fit_id],
    ):
        assert main(["--store", store, *argv, "--json"]) == 0
        payload = json.loads(capsys.readouterr().out)
        assert payload["provenance"]["spec_id"] == fitted["spec_id"]
    assert main(["--store", store, "roi", "fit_nope", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "fit_not_found"


def test_fit_progress_reaches_stderr(fitted: dict, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", str(fitted["store"].path), "fit", fitted["spec_id"], "--quick"]) == 0
    err = capsys.readouterr().err
    assert "pre-fit gate" in err and "100.0%" in err
