"""The fit queue's state machine in one process: submit, exclusive claims, closing once, cancel, re-run, reaping
a dead worker's claim, and a claimed job fitted by ``run_job`` (succeeded, and cancelled before it samples)."""

from __future__ import annotations

import json

import pytest
from service_support import locked_tiny_spec

from mmm_core import jobs
from mmm_core.errors import LedgerError, NotFoundError
from mmm_core.jobs.execute import run_job
from mmm_core.ledger.fits import fit_record
from mmm_core.store import Store


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("queue")
    store = Store(folder / "mmm.duckdb")
    return {"store": store, **locked_tiny_spec(store, folder)}


def _worker(pid: int = 999_999_999) -> jobs.Worker:
    return jobs.Worker(f"w_test_{pid}", "this-host-only-in-tests", pid)


def test_submit_refuses_an_unknown_spec_and_queues_nothing(store) -> None:
    with pytest.raises(NotFoundError) as err:
        jobs.submit(store, jobs.FitRequest(spec_id="spec_nope", quick=True))
    assert err.value.code == "unknown_spec" and "spec lock" in err.value.hint
    assert jobs.list_jobs(store).jobs == []


def test_request_refuses_unknown_fields_and_bad_values() -> None:
    with pytest.raises(ValueError, match="extra"):
        jobs.FitRequest.model_validate({"spec_id": "s", "quikc": True})
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        jobs.FitRequest(spec_id="s", draws=0)


def test_a_job_is_claimed_once_and_closed_once(tiny) -> None:
    store = tiny["store"]
    job = jobs.submit(store, jobs.FitRequest(spec_id=tiny["spec_id"], quick=True))
    assert job.state == "queued" and job.attempts == 0 and job.worker_id is None
    a, b = _worker(1), _worker(2)
    got = jobs.claim(store, a)
    assert got is not None and got.job_id == job.job_id and got.state == "running" and got.attempts == 1
    assert jobs.claim(store, b) is None  # nothing else queued: b cannot take a's job
    with pytest.raises(LedgerError) as err:
        jobs.finish(store, job.job_id, b.worker_id, "fit_x")  # only the holder closes it
    assert err.value.code == "job_not_held"
    done = jobs.fail(store, job.job_id, a.worker_id, {"code": "x", "message": "m", "hint": "h"})
    assert done.state == "failed" and done.error["code"] == "x" and done.finished_at is not None
    with pytest.raises(LedgerError):
        jobs.finish(store, job.job_id, a.worker_id, "fit_x")  # closed once: a late success cannot overwrite it
    assert jobs.get_job(store, job.job_id).state == "failed"


def test_cancel_and_rerun(tiny) -> None:
    store = tiny["store"]
    job = jobs.submit(store, jobs.FitRequest(spec_id=tiny["spec_id"], quick=True, seed=3))
    with pytest.raises(LedgerError) as err:
        jobs.rerun(store, job.job_id)
    assert err.value.code == "job_not_rerunnable"
    cancelled = jobs.cancel(store, job.job_id)
    assert cancelled.state == "cancelled" and cancelled.cancel_requested
    with pytest.raises(LedgerError) as err:
        jobs.cancel(store, job.job_id)
    assert err.value.code == "job_finished" and "rerun" in err.value.hint
    again = jobs.rerun(store, job.job_id)
    assert again.state == "queued" and again.rerun_of == job.job_id and again.request == job.request
    jobs.cancel(store, again.job_id)
    with pytest.raises(NotFoundError):
        jobs.get_job(store, "job_nope")
    with pytest.raises(LedgerError, match="Unknown job state"):
        jobs.list_jobs(store, state="done")


def test_a_dead_workers_job_is_reaped_failed_and_rerunnable(tiny) -> None:
    store = tiny["store"]
    job = jobs.submit(store, jobs.FitRequest(spec_id=tiny["spec_id"], quick=True))
    dead = jobs.Worker("w_dead", __import__("socket").gethostname(), 999_999_999)  # no such pid on this host
    assert jobs.claim(store, dead).job_id == job.job_id
    assert job.job_id in jobs.reap_lost(store)
    lost = jobs.get_job(store, job.job_id)
    assert lost.state == "failed" and lost.error["code"] == "worker_lost" and "999999999" in lost.error["message"]
    with pytest.raises(LedgerError):
        jobs.heartbeat(store, job.job_id, dead.worker_id, 0.5, "late")  # the dead claim cannot write any more
    assert jobs.rerun(store, job.job_id).state == "queued"
    jobs.cancel(store, jobs.list_jobs(store, state="queued").jobs[0].job_id)


def test_another_hosts_claim_is_reaped_only_when_its_heartbeat_is_stale(tiny) -> None:
    store = tiny["store"]
    job = jobs.submit(store, jobs.FitRequest(spec_id=tiny["spec_id"], quick=True))
    remote = _worker(4242)
    jobs.claim(store, remote)
    assert jobs.reap_lost(store, stale_after_s=60) == []  # heard from just now
    assert jobs.reap_lost(store, stale_after_s=0) == [job.job_id]


def test_run_job_fits_and_records_the_fit(tiny) -> None:
    store = tiny["store"]
    job = jobs.submit(store, jobs.FitRequest(spec_id=tiny["spec_id"], quick=True, draws=100, seed=1))
    me = jobs.Worker.here()
    done = run_job(store, jobs.claim(store, me), me)
    assert done.state == "succeeded" and done.progress == 1.0 and done.job_id == job.job_id
    fit = fit_record(store, done.fit_id)
    assert fit.status == "succeeded" and fit.spec_id == tiny["spec_id"] and fit.settings["draws"] == 100
    assert "pre-fit gate" in done.log


def test_a_cancel_asked_before_sampling_stops_the_fit(tiny) -> None:
    store = tiny["store"]
    jobs.submit(store, jobs.FitRequest(spec_id=tiny["spec_id"], quick=True))
    me = jobs.Worker.here()
    job = jobs.claim(store, me)
    assert jobs.cancel(store, job.job_id).state == "running"  # running: the worker is asked, not overruled
    done = run_job(store, job, me)
    assert done.state == "cancelled" and done.error["code"] == "cancelled"
    fit = fit_record(store, done.fit_id)
    assert fit.status == "failed" and fit.error["code"] == "cancelled"


def test_the_cli_submits_lists_shows_cancels_and_reruns(tiny, capsys) -> None:
    from agent.cli.main import main

    store = str(tiny["store"].path)

    def run(*argv: str) -> tuple[int, dict]:
        code = main(["--store", store, *argv, "--json"])
        return code, json.loads(capsys.readouterr().out)

    code, job = run("fit", tiny["spec_id"], "--quick", "--draws", "50", "--submit")
    assert code == 0 and job["state"] == "queued" and job["request"]["draws"] == 50
    code, listed = run("jobs", "list", "--state", "queued")
    assert job["job_id"] in [j["job_id"] for j in listed["jobs"]] and listed["counts"]["queued"] >= 1
    assert run("jobs", "show", job["job_id"])[1]["spec_id"] == tiny["spec_id"]
    assert run("jobs", "cancel", job["job_id"])[1]["state"] == "cancelled"
    code, refused = run("jobs", "cancel", job["job_id"])
    assert code == 2 and refused["error"]["code"] == "job_finished"
    code, again = run("jobs", "rerun", job["job_id"])
    assert code == 0 and again["rerun_of"] == job["job_id"]
    run("jobs", "cancel", again["job_id"])
    code, missing = run("fit", "spec_nope", "--submit")
    assert code == 2 and missing["error"]["code"] == "unknown_spec"
    code, empty = run("worker", "--once", "--drain")
    assert code == 2 and empty["error"]["code"] == "usage"  # one mode at a time
