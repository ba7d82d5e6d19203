"""The fit queue with real worker processes: a worker killed with SIGKILL mid-fit, workers racing for jobs, and a
batch of 20 queued quick fits drained by two workers."""

from __future__ import annotations

import json
import os
import signal
from collections import Counter

import pytest
from service_support import cli, finished, locked_tiny_spec, wait_for

from mmm_core import jobs
from mmm_core.ledger import verify_ledger
from mmm_core.ledger.fits import fit_record
from mmm_core.store import Store


@pytest.fixture
def tiny(tmp_path) -> dict:
    store = Store(tmp_path / "mmm.duckdb")
    return {"store": store, **locked_tiny_spec(store, tmp_path)}


def _submit(tiny: dict, n: int, **request) -> list[str]:
    return [
        jobs.submit(
            tiny["store"], jobs.FitRequest(spec_id=tiny["spec_id"], quick=True, draws=100, seed=i, **request)
        ).job_id
        for i in range(n)
    ]


def _rows(store: Store, sql: str, params: list | None = None) -> list[tuple]:
    with store.connect() as conn:
        return conn.execute(sql, params or []).fetchall()


def test_a_worker_killed_mid_fit_leaves_a_failed_rerunnable_job_and_a_consistent_store(tiny) -> None:
    store = tiny["store"]
    [job_id] = _submit(tiny, 1)
    worker = cli(store.path, "worker", "--once")
    running = wait_for(lambda: (j := jobs.get_job(store, job_id)).fit_id and j, what="the fit to start")
    assert running.state == "running" and running.pid == worker.pid
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()  # reaped by us: the pid is gone, not a zombie

    listed = {j.job_id: j for j in jobs.list_jobs(store).jobs}  # listing reaps lost claims
    lost = listed[job_id]
    assert lost.state == "failed" and lost.error["code"] == "worker_lost"
    dead_fit = fit_record(store, running.fit_id)
    assert dead_fit.status == "failed" and dead_fit.error["code"] == "worker_lost"

    again = jobs.rerun(store, job_id)
    done = finished(cli(store.path, "worker", "--once"))
    assert [j["job_id"] for j in done["jobs"]] == [again.job_id] and done["succeeded"] == 1
    fit = fit_record(store, jobs.get_job(store, again.job_id).fit_id)
    assert fit.status == "succeeded"
    # Consistent: the killed fit left no summary rows, one fit succeeded for the job chain, the ledger verifies.
    assert _rows(store, "SELECT count(*) FROM posterior_summary WHERE fit_id = ?", [dead_fit.id]) == [(0,)]
    assert _rows(store, "SELECT status, count(*) FROM fits GROUP BY status ORDER BY status") == [
        ("failed", 1),
        ("succeeded", 1),
    ]
    assert verify_ledger(store).ok


def _race(tiny: dict, n_jobs: int, timeout: float) -> list[dict]:
    store = tiny["store"]
    ids = _submit(tiny, n_jobs)
    workers = [cli(store.path, "worker", "--drain") for _ in range(2)]
    outputs = [w.communicate(timeout=timeout) for w in workers]
    failed = [(jobs.get_job(store, i).state, jobs.get_job(store, i).error) for i in ids]
    assert [w.returncode for w in workers] == [0, 0], (failed, [err[-2000:] for _, err in outputs])
    runs = [json.loads(out) for out, _ in outputs]
    ran = [j["job_id"] for r in runs for j in r["jobs"]]
    assert Counter(ran) == Counter(ids)  # every job run, none by both workers
    closed = [jobs.get_job(store, i) for i in ids]
    odd = [(j.job_id, j.state, j.attempts, j.error) for j in closed if j.state != "succeeded" or j.attempts != 1]
    assert odd == []
    fit_ids = [j.fit_id for j in closed]
    assert len(set(fit_ids)) == n_jobs
    assert _rows(store, "SELECT count(*) FROM fits WHERE status = 'succeeded'") == [(n_jobs,)]
    assert _rows(store, "SELECT count(*) FROM fits") == [(n_jobs,)]  # no job fitted twice
    assert verify_ledger(store).ok
    return runs


def test_two_workers_racing_never_run_the_same_job(tiny) -> None:
    _race(tiny, 3, timeout=300)


@pytest.mark.slow
def test_twenty_queued_quick_fits_all_complete(tiny) -> None:
    runs = _race(tiny, 20, timeout=900)
    assert sum(r["succeeded"] for r in runs) == 20
