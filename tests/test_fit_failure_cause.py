"""Issue 18 item 5: a failed fit keeps its own cause in the fit row and the ledger, and the CLI prints it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from test_exposure_spec import lines
from test_mff_support import write_lines

import mmm_core.fit.job as job
from agent.cli.main import main
from mmm_core import ledger
from mmm_core.data.ingest import ingest
from mmm_core.spec.draft import init_spec
from mmm_core.store import Store


def test_failed_fit_records_and_prints_the_real_error(tmp_path: Path, monkeypatch, capsys) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    ingest(store, write_lines(tmp_path / "tv.csv", lines()))
    locked = ledger.lock(store, init_spec(store, "tv"), "Issue 18: failure cause test.")

    def broken(*args, **kwargs):
        raise RuntimeError("sampler exploded at step 3")

    monkeypatch.setattr(job, "_fit", broken)
    code = main(["--store", str(store.path), "fit", locked.spec_id, "--quick", "--json"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code != 0 and out["error"]["message"] == "RuntimeError: sampler exploded at step 3"
    with store.connect() as conn:
        status, error = conn.execute("SELECT status, error_json FROM fits").fetchone()
        event = conn.execute("SELECT detail_json FROM ledger_events WHERE kind = 'fit_fail'").fetchone()
    assert status == "failed" and json.loads(error)["message"] == "RuntimeError: sampler exploded at step 3"
    assert "abandoned" not in error
    assert json.loads(event[0])["error"]["message"] == "RuntimeError: sampler exploded at step 3"


def test_missing_optional_engine_is_refused_with_the_install_command(tmp_path: Path, monkeypatch, capsys) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    ingest(store, write_lines(tmp_path / "tv.csv", lines()))
    locked = ledger.lock(store, init_spec(store, "tv"), "Optional engine missing.")
    monkeypatch.setitem(sys.modules, "pymc_marketing", None)  # what Python does for a module it cannot import
    code = main(["--store", str(store.path), "fit", locked.spec_id, "--engine", "pymc-marketing", "--json"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code != 0 and out["error"]["code"] == "engine_not_installed"
    assert "mmm-agent[pymc]" in out["error"]["hint"] and "bug" not in out["error"]["hint"]
    with store.connect() as conn:
        status, error = conn.execute("SELECT status, error_json FROM fits").fetchone()
    assert status == "failed" and "pymc_marketing" in json.loads(error)["message"]
