"""Helpers of the queue, service and fleet tests: a tiny dataset (fast quick fits), a locked spec, CLI processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def tiny_mff(path: Path, weeks: int = 52, seed: int = 0) -> Path:
    """A national weekly MFF file: Sales driven by two channels and a price control (one year, so fits are quick)."""
    rng = np.random.default_rng(seed)
    tv = rng.gamma(4.0, 2_000.0, weeks)
    search = rng.gamma(6.0, 800.0, weeks)
    price = 10 + rng.normal(0, 0.3, weeks)
    sales = 40_000 + 1.2 * tv + 2.0 * search - 800 * (price - 10) + rng.normal(0, 600, weeks)
    start = dt.date(2023, 1, 2)
    lines = ["Period,Geography,Product,Campaign,Outlet,Creative,VariableName,VariableValue"]
    for i in range(weeks):
        day = (start + dt.timedelta(weeks=i)).isoformat()
        for name, series in (("Sales", sales), ("TV_Spend", tv), ("Search_Spend", search), ("Price", price)):
            lines.append(f"{day},,,,,,{name},{series[i]:.2f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def locked_tiny_spec(store, folder: Path, name: str = "tiny", seed: int = 0) -> dict:
    """Ingest a tiny dataset into ``store`` and lock its default spec; returns dataset and spec ids."""
    from mmm_core import ledger
    from mmm_core.data.ingest import ingest
    from mmm_core.spec import init_spec

    ds = ingest(store, tiny_mff(folder / f"{name}.csv", seed=seed), name=name)
    locked = ledger.lock(store, init_spec(store, ds.dataset_id, kpi="Sales"), "queue test: default spec")
    return {"dataset_id": ds.dataset_id, "spec_id": locked.spec_id}


def cli(store_path: Path, *args: str) -> subprocess.Popen:
    """``mmm-agent --store STORE ARGS --json`` as a child process (stdout: its one JSON object)."""
    return subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "--store", str(store_path), *args, "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def finished(proc: subprocess.Popen, timeout: float = 300) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out)


def wait_for(predicate, timeout: float = 120, every: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
