"""'Is my fit done?' reads the queue: the fit_status tool and the chat's answer report a queued fit's job — waiting,
running with its progress, failed with the reason, cancelled — and a finished job's fit."""

from __future__ import annotations

import json

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from service_support import locked_tiny_spec

from agent.graph import build_agent
from agent.grounding import ungrounded
from agent.session import Session
from mmm_core import jobs
from mmm_core.fit.job import run_fit
from mmm_core.store import Store
from tools import fit_tools


@pytest.fixture
def tiny(tmp_path) -> dict:
    store = Store(tmp_path / "mmm.duckdb")
    ids = locked_tiny_spec(store, tmp_path)
    fit = run_fit(store, ids["spec_id"], quick=True, draws=100, seed=0)
    tool = next(t for t in fit_tools.build(store) if t.name == "fit_status")
    return {"store": store, "fit_id": fit["fit_id"], "status": lambda **a: json.loads(tool.invoke(a)), **ids}


def _queue(tiny: dict) -> jobs.Job:
    return jobs.submit(tiny["store"], jobs.FitRequest(spec_id=tiny["spec_id"], quick=True))


def test_the_tool_reports_the_newest_job_in_each_state(tiny) -> None:
    store, status = tiny["store"], tiny["status"]
    assert status()["fit_id"] == tiny["fit_id"] and "job_id" not in status()  # no job: the fit
    job = _queue(tiny)
    out = status()
    assert (out["job_id"], out["status"], out["mode"]) == (job.job_id, "queued", "quick")
    worker = jobs.Worker.here()
    jobs.claim(store, worker, job_id=job.job_id)
    jobs.heartbeat(store, job.job_id, worker.worker_id, 0.4, "sampling: 40%")
    out = status()
    assert (out["status"], out["progress"], out["log"]) == ("running", 0.4, "sampling: 40%")
    error = {"code": "gate_blocked", "message": "The pre-fit gate stopped the fit.", "hint": "Fix the data."}
    jobs.fail(store, job.job_id, worker.worker_id, error)
    assert status()["status"] == "failed" and status()["job_error"] == error
    cancelled = jobs.cancel(store, _queue(tiny).job_id)
    assert status()["status"] == "cancelled" and status()["job_id"] == cancelled.job_id
    # named ids win over the newest job
    assert status(job_id=job.job_id)["status"] == "failed"
    assert status(fit_id=tiny["fit_id"])["status"] == "succeeded"
    assert status(job_id="job_nope")["error"]["code"] == "unknown_job"


def test_a_succeeded_job_reports_its_fit(tiny) -> None:
    store, status = tiny["store"], tiny["status"]
    job = _queue(tiny)
    worker = jobs.Worker.here()
    jobs.claim(store, worker, job_id=job.job_id)
    jobs.finish(store, job.job_id, worker.worker_id, tiny["fit_id"])
    out = status()
    assert (out["job_id"], out["fit_id"], out["status"]) == (job.job_id, tiny["fit_id"], "succeeded")
    assert out["diagnostics"] is not None


def test_the_chat_answers_is_my_fit_done_from_the_job_row(tiny) -> None:
    store = tiny["store"]
    job = _queue(tiny)
    session = Session(store, graph=build_agent(store, checkpointer=InMemorySaver()))
    rec = session.ask("is my fit done?")
    assert f"Fit job {job.job_id} (quick) is queued" in rec["answer"], rec["answer"]
    worker = jobs.Worker.here()
    jobs.claim(store, worker, job_id=job.job_id)
    jobs.fail(store, job.job_id, worker.worker_id, {"code": "worker_lost", "message": "The worker died.", "hint": ""})
    rec = session.ask("is my fit done?")
    assert "failed: `worker_lost`: The worker died." in rec["answer"], rec["answer"]
    assert ungrounded(rec["answer"], [str(m.content) for m in session.state()["messages"][-3:]]) == []
