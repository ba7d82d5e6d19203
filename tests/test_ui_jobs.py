"""UI fits go through the durable queue (agent/ui/jobs.py): the session's ``fit_model`` queues a job, a worker
process started by the app fits it, the watcher turns the job row into progress text and the fit summary; a
cancelled or failed job is shown with its error. (The browser test in test_ui_browser.py drives it end to end.)"""

from __future__ import annotations

import asyncio
import json
import os
import re

import pytest
from service_support import locked_tiny_spec

from agent.models.answers import compose
from agent.ui import jobs as ui_jobs
from agent.ui.tools import session_tools
from mmm_core import jobs
from mmm_core.ledger.fits import fit_record
from mmm_core.store import Store


@pytest.fixture
def tiny(tmp_path) -> dict:
    store = Store(tmp_path / "mmm.duckdb")
    return {"store": store, **locked_tiny_spec(store, tmp_path)}


def _watch(store: Store, job_id: str, poll: float = 0.2) -> tuple[jobs.Job, list[str]]:
    shown: list[str] = []

    async def show(text: str) -> None:
        shown.append(text)

    return asyncio.run(ui_jobs.watch_job(store, job_id, show, poll=poll)), shown


def test_the_ui_fit_tool_queues_a_job_that_the_apps_worker_process_completes(tiny) -> None:
    store = tiny["store"]
    tool = {t.name: t for t in session_tools(store)}["fit_model"]
    try:
        out = json.loads(tool.invoke({"spec_id": tiny["spec_id"], "quick": True}))
        assert out["status"] == "queued" and out["job_id"].startswith("job_")
        worker_pid = ui_jobs.ensure_worker(store)  # as the watcher does; asking again reuses it
        assert ui_jobs.ensure_worker(store) == worker_pid != os.getpid()
        job, shown = _watch(store, out["job_id"])
    finally:
        ui_jobs.stop_workers()
    # queued (the worker is still starting) → running with progress → succeeded, all read from the job row
    assert shown[0].startswith(f"Fit queued as job {job.job_id}")
    assert any(re.match(r"Fitting… \d+% · elapsed", s) for s in shown)
    assert shown[-1].startswith("Fit succeeded — 100%") and job.fit_id in shown[-1]
    assert job.state == "succeeded" and job.attempts == 1 and job.pid == worker_pid
    assert job.created_at <= job.claimed_at <= job.finished_at
    assert fit_record(store, job.fit_id).status == "succeeded"
    done = ui_jobs.outcome(store, job)
    assert done.data["fit_id"] == job.fit_id and done.data["spec_id"] == tiny["spec_id"]
    assert done.text.startswith(f"Fit {job.fit_id} finished in") and "Health review" in done.text


def test_a_queued_fit_is_answered_as_queued_and_cancelled_from_the_chat_with_its_error(tiny, monkeypatch) -> None:
    monkeypatch.setattr(ui_jobs, "ensure_worker", lambda store: 0)  # no worker: the job stays queued
    store = tiny["store"]
    out = json.loads({t.name: t for t in session_tools(store)}["fit_model"].invoke({"spec_id": tiny["spec_id"]}))
    text = compose("fit_model", out, {}, [])
    assert text.startswith(f"Fit of {tiny['spec_id']} queued as job {out['job_id']}") and "None" not in text
    assert ui_jobs.cancel_text(store, out["job_id"]) == f"Job {out['job_id']} cancelled before a worker started it."
    assert ui_jobs.cancel_text(store, out["job_id"]).startswith("`job_finished`: Job")  # twice: a clear refusal
    job, shown = _watch(store, out["job_id"], poll=0.05)
    assert job.state == "cancelled" and shown == [f"Fit cancelled after {shown[0].split('after ')[1]}"]
    done = ui_jobs.outcome(store, job)
    assert done.text.startswith(f"Fit job {job.job_id} cancelled: `cancelled`") and "jobs rerun" in done.text
    assert "error" in done.data  # so no follow-up buttons and no charts


def test_an_unknown_spec_is_refused_by_the_ui_fit_tool_and_nothing_is_queued(tiny) -> None:
    out = json.loads({t.name: t for t in session_tools(tiny["store"])}["fit_model"].invoke({"spec_id": "spec_nope"}))
    assert out["error"]["code"] == "unknown_spec"
    assert jobs.list_jobs(tiny["store"]).jobs == []


def test_the_watcher_shows_a_running_jobs_percentage_and_phase_and_its_failure(tiny, monkeypatch) -> None:
    monkeypatch.setattr(ui_jobs, "ensure_worker", lambda store: 0)
    store = tiny["store"]
    job = jobs.submit(store, jobs.FitRequest(spec_id=tiny["spec_id"], quick=True))
    holder = jobs.Worker("w_test", jobs.Worker.here().host, os.getpid())  # a live pid: never reaped
    jobs.claim(store, holder, job.job_id)
    jobs.heartbeat(store, job.job_id, holder.worker_id, 0.4, "sampling")
    assert ui_jobs.cancel_text(store, job.job_id).startswith(f"Cancel asked for job {job.job_id}")
    assert jobs.get_job(store, job.job_id).cancel_requested  # the worker stops at its next report
    shown: list[str] = []

    async def show(text: str) -> None:
        shown.append(text)
        if "40%" in text:  # the worker gives up: the watcher must report the end
            jobs.fail(store, job.job_id, holder.worker_id, {"code": "boom", "message": "it broke", "hint": "retry"})

    closed = asyncio.run(ui_jobs.watch_job(store, job.job_id, show, poll=0.05))
    assert "sampling" in shown[0] and "about" in shown[0] and f"job {job.job_id}" in shown[0]
    assert closed.state == "failed" and shown[-1].startswith("Fit failed after")
    assert ui_jobs.outcome(store, closed).text.endswith("`boom`: it broke\n\nHint: retry")
