"""Routes over fits: submit to the queue, job status, progress as server-sent events, cancel and re-run; the
answers of a fit (roi, compare, contributions, mediation, optimize, scenario, report) and one chat turn."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from agent.service.bridge import options, run_command
from agent.service.models import AskRequest, OptimizeRequest, ReportRequest, ScenarioRequest, pairs
from agent.service.routes_data import store_path
from mmm_core import jobs
from mmm_core.jobs.batch import BatchRequest
from mmm_core.store import Store

router = APIRouter()
EVENT_POLL_S = 0.5


def _store(request: Request) -> Store:
    return Store(store_path(request))


@router.post("/fits", response_model=jobs.Job, status_code=202, tags=["fits"])
def submit_fit(request: Request, body: jobs.FitRequest) -> jobs.Job:
    """`mmm-agent fit SPEC_ID --submit`: the fit is recorded as a queued job before anything runs; a worker
    (`serve` starts one) claims it. Poll ``/jobs/{job_id}`` or stream ``/jobs/{job_id}/events``."""
    return jobs.submit(_store(request), body)


@router.post("/fits/batch", status_code=202, tags=["fits"])
def submit_batch(request: Request, body: BatchRequest) -> dict[str, Any]:
    """`mmm-agent fit-many`: the batch (fits, specs × datasets, comparison members, out-of-sample folds) is
    queued whole — or nothing, when any of it cannot run — and run in a process of its own: on Ray when installed
    (a local runtime, or ``$RAY_ADDRESS``), else on the local worker pool (``note`` says so). Follow it with
    ``GET /fits/batch/{batch_id}`` (status per member) or each member's ``/jobs/{job_id}/events``."""
    from agent.service import fleet  # lazy: the fit layer, only when a batch is asked for

    store = _store(request)
    record = fleet.queue_batch(store, body)
    fleet.start_batch_process(store.path, record.batch_id)
    return record.status(store)


@router.get("/fits/batch/{batch_id}", tags=["fits"])
def batch_status(request: Request, batch_id: str) -> dict[str, Any]:
    """A batch now: where it runs, each member's job (state, progress, fit, error) and the count of each state."""
    from mmm_core.jobs.batch import load_batch  # lazy: as in submit_batch

    store = _store(request)
    return load_batch(store, batch_id).status(store)


@router.get("/jobs", response_model=jobs.JobList, tags=["fits"])
def list_jobs(request: Request, state: str | None = None, limit: int = Query(50, ge=1, le=1000)) -> jobs.JobList:
    return jobs.list_jobs(_store(request), state=state, limit=limit)


@router.get("/jobs/{job_id}", response_model=jobs.Job, tags=["fits"])
def show_job(request: Request, job_id: str) -> jobs.Job:
    return jobs.get_job(_store(request), job_id)


@router.post("/jobs/{job_id}/cancel", response_model=jobs.Job, tags=["fits"])
def cancel_job(request: Request, job_id: str) -> jobs.Job:
    return jobs.cancel(_store(request), job_id)


@router.post("/jobs/{job_id}/rerun", response_model=jobs.Job, status_code=202, tags=["fits"])
def rerun_job(request: Request, job_id: str) -> jobs.Job:
    return jobs.rerun(_store(request), job_id)


@router.get("/jobs/{job_id}/events", tags=["fits"])
async def job_events(request: Request, job_id: str) -> StreamingResponse:
    """Server-sent events from the job row: a ``progress`` event whenever state, progress or log change, then
    one ``end`` event with the closed job."""
    store = _store(request)
    first = await run_in_threadpool(jobs.get_job, store, job_id)  # 404 before the stream starts

    async def stream() -> AsyncIterator[str]:
        job, last = first, None
        while True:
            seen = (job.state, job.progress, job.log, job.fit_id)
            if seen != last:
                last = seen
                yield _event("progress", job)
            if job.terminal:
                yield _event("end", job)
                return
            if await request.is_disconnected():
                return
            await asyncio.sleep(EVENT_POLL_S)
            job = await run_in_threadpool(jobs.get_job, store, job_id)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _event(kind: str, job: jobs.Job) -> str:
    data = {k: v for k, v in job.to_dict().items() if k in ("job_id", "state", "progress", "fit_id", "error")}
    data["line"] = job.log.strip().splitlines()[-1] if job.log.strip() else ""
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n"


@router.get("/fits/{fit_id}", tags=["fits"])
def fit_status(request: Request, fit_id: str) -> dict[str, Any]:
    """Status, diagnostics, health and gate of a fit (the JSON of `mmm-agent fit`)."""
    from mmm_core.fit.job import fit_summary  # lazy: the fit layer (numpy, pandas) only when a fit is asked for

    return fit_summary(_store(request), fit_id)


@router.get("/fits/{fit_id}/roi", tags=["answers"])
def roi(
    request: Request,
    fit_id: str,
    interval: float | None = Query(None, gt=0, lt=1),
    method: Literal["equal_tailed", "hdi"] | None = None,
    allow_unhealthy: bool = False,
    show_prior: bool = False,
) -> dict[str, Any]:
    argv = ["roi", fit_id, *options(interval=interval, method=method, allow_unhealthy=allow_unhealthy)]
    return run_command(store_path(request), argv + options(show_prior=show_prior))


@router.get("/fits/{fit_id}/compare", tags=["answers"])
def compare(request: Request, fit_id: str, a: str, b: str, allow_unhealthy: bool = False) -> dict[str, Any]:
    """P(ROI_A > ROI_B)."""
    argv = ["compare", *options(allow_unhealthy=allow_unhealthy), fit_id, "--", a, b]
    return run_command(store_path(request), argv)


@router.get("/fits/{fit_id}/contributions", tags=["answers"])
def contributions(
    request: Request, fit_id: str, by: Literal["channel", "period", "geo"] = "channel", allow_unhealthy: bool = False
) -> dict[str, Any]:
    argv = ["contributions", fit_id, *options(by=by, allow_unhealthy=allow_unhealthy)]
    return run_command(store_path(request), argv)


@router.get("/fits/{fit_id}/mediation", tags=["answers"])
def mediation(
    request: Request,
    fit_id: str,
    interval: float | None = Query(None, gt=0, lt=1),
    method: Literal["equal_tailed", "hdi"] | None = None,
    allow_unhealthy: bool = False,
) -> dict[str, Any]:
    argv = ["mediation", fit_id, *options(interval=interval, method=method, allow_unhealthy=allow_unhealthy)]
    return run_command(store_path(request), argv)


@router.post("/fits/{fit_id}/optimize", tags=["answers"])
def optimize(request: Request, fit_id: str, body: OptimizeRequest) -> dict[str, Any]:
    values = body.model_dump(exclude={"bound", "bound_pct", "fixed"})
    extra = {"bound": pairs(body.bound), "bound_pct": pairs(body.bound_pct), "fixed": pairs(body.fixed)}
    return run_command(store_path(request), ["optimize", fit_id, *options(**values, **extra)])


@router.post("/fits/{fit_id}/scenario", tags=["answers"])
def scenario(request: Request, fit_id: str, body: ScenarioRequest) -> dict[str, Any]:
    values = {"allocation": pairs(body.allocation), **body.model_dump(exclude={"allocation"})}
    return run_command(store_path(request), ["scenario", fit_id, *options(**values)])


@router.post("/fits/{fit_id}/report", tags=["answers"])
def report(request: Request, fit_id: str, body: ReportRequest) -> dict[str, Any]:
    """`mmm-agent report FIT_ID`: the report's JSON with its text in ``content`` (the file is not kept)."""
    with tempfile.TemporaryDirectory(prefix="mmm-api-report-") as folder:
        out = Path(folder) / f"report.{body.format}"
        argv = ["report", fit_id, "--out", str(out), "--format", body.format]
        result = run_command(store_path(request), argv + options(allow_unhealthy=body.allow_unhealthy))
        content = out.read_text(encoding="utf-8")
    return {**{k: v for k, v in result.items() if k not in ("path", "results_path")}, "content": content}


@router.post("/ask", tags=["chat"])
def ask(request: Request, body: AskRequest) -> dict[str, Any]:
    """`mmm-agent ask TEXT`: one chat turn; send the returned ``session`` back to continue the conversation."""
    argv = ["ask", *options(session=body.session, fit=body.fit, approve=body.approve), "--", body.text]
    return run_command(store_path(request), argv)
