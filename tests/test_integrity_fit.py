"""A fit that cannot write its artifacts ends failed with the real error; killed fits leave no staging folders.

Issue 14, item 6: disk full while writing artifacts used to leave the fit ``running`` until reaped as stale, and
a process killed mid-write left ``.tmp-fit_*`` folders behind for ever.
"""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.cli.main import main
from mmm_core import ledger
from mmm_core.data.ingest import ingest
from mmm_core.fit import artifacts
from mmm_core.ledger.fits import get_fit
from mmm_core.spec import init_spec
from mmm_core.store import Store

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # reaped: the pid names no process now
    return child.pid


@pytest.fixture
def locked(tmp_path: Path) -> dict:
    store = Store(tmp_path / "store" / "mmm.duckdb")
    ds = ingest(store, DEMO, name="demo")
    spec = ledger.lock(store, init_spec(store, ds.dataset_id), "integrity test: default spec")
    return {"store": store, "spec_id": spec.spec_id}


def _full_disk(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device", "posterior.nc")


def test_disk_full_while_writing_artifacts_fails_the_fit_with_its_real_error(locked, monkeypatch, capsys) -> None:
    store = locked["store"]
    fits = artifacts.fit_dir(store, "x").parent
    fits.mkdir(parents=True, exist_ok=True)
    stale = fits / f".tmp-fit_killed-{_dead_pid()}"
    stale.mkdir()
    (stale / "samples.npz").write_bytes(b"half")
    monkeypatch.setattr(artifacts, "save_idata", _full_disk)

    code = main(["--store", str(store.path), "fit", locked["spec_id"], "--quick", "--seed", "0", "--json"])
    error = json.loads(capsys.readouterr().out)["error"]
    assert code == 2 and error["code"] == "disk_full", error  # a user-facing error, not "internal bug"
    assert "No space left on device" in error["message"] and "df -h" in error["hint"]

    with store.connect() as conn:
        (fit_id, status, stored) = conn.execute("SELECT id, status, error_json FROM fits").fetchone()
        n_summary = conn.execute("SELECT count(*) FROM posterior_summary").fetchone()[0]
    assert status == "failed" and json.loads(stored)["code"] == "disk_full"
    assert get_fit(store, fit_id)["finished_at"] is not None
    assert n_summary == 0
    assert not artifacts.fit_dir(store, fit_id).exists()
    assert [p.name for p in fits.iterdir()] == [], "staging folders (this fit's and the killed one's) remain"


def test_staging_removes_folders_of_dead_processes_and_keeps_live_ones(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    fits = artifacts.fit_dir(store, "x").parent
    fits.mkdir(parents=True)
    dead = fits / f".tmp-fit_a-{_dead_pid()}"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = fits / f".tmp-fit_b-{sleeper.pid}"
        for folder in (dead, live):
            folder.mkdir()
        with artifacts.staging(store, "fit_c") as folder:
            (folder / "meta.json").write_text("{}")
            assert not dead.exists() and live.exists()
        assert sorted(p.name for p in fits.iterdir()) == sorted(["fit_c", live.name])
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_failure_inside_staging_leaves_neither_folder(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    with pytest.raises(OSError), artifacts.staging(store, "fit_d") as folder:
        (folder / "samples.npz").write_bytes(b"x")
        _full_disk()
    assert list(artifacts.fit_dir(store, "x").parent.iterdir()) == []


def test_a_new_fit_removes_staging_left_by_a_killed_fit_even_before_it_writes(locked, monkeypatch) -> None:
    store = locked["store"]
    fits = artifacts.fit_dir(store, "x").parent
    fits.mkdir(parents=True, exist_ok=True)
    stale = fits / f".tmp-fit_killed-{_dead_pid()}"
    stale.mkdir()

    def gate_fails(*_args, **_kwargs):
        raise RuntimeError("stop before sampling")

    monkeypatch.setattr("mmm_core.fit.job._fit", gate_fails)
    from mmm_core.fit.job import run_fit

    with pytest.raises(RuntimeError):
        run_fit(store, locked["spec_id"], quick=True)
    assert not stale.exists()
