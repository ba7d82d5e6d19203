"""Tools that fit a locked spec, report on a fit's progress (its queue job's state first: queued, running with
progress, failed with the reason, cancelled), and explain a fit's structure (carry-over, the
media share of the KPI) from its stored draws.

Only one fit runs at a time in a process (``FIT_LOCK``): the tool node runs parallel tool calls in threads, and
two samplers at once would fight over the same cores and the same artifact folder.
"""

from __future__ import annotations

import threading

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core import jobs
from mmm_core.answers import explain
from mmm_core.errors import FitRefusedError
from mmm_core.fit.job import fit_summary, latest_fit, run_fit
from mmm_core.ledger.fits import fit_record
from mmm_core.store import Store
from tools.base import resolve_fit, run_tool, state_of

FIT_LOCK = threading.Lock()


class FitArgs(BaseModel):
    spec_id: str = Field(description="The LOCKED spec to fit (spec_…). Drafts cannot be fitted: lock first.")
    quick: bool = Field(
        False,
        description="True for a fast approximate fit (MAP + Laplace; uncertainty not "
        "calibrated), False for the full NUTS posterior.",
    )


class FitIdArgs(BaseModel):
    fit_id: str | None = Field(None, description="A fit id (fit_…); omit for the session's current fit.")


class FitStatusArgs(FitIdArgs):
    job_id: str | None = Field(None, description="A queued fit's job id (job_…); omit for the newest fit or job.")


class CarryoverArgs(FitIdArgs):
    channel: str | None = Field(None, description="One channel (exact name); omit for every channel.")


def build(store: Store) -> list[BaseTool]:
    """The fit tools bound to one store."""

    def fit_model(spec_id: str, quick: bool = False, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            if not FIT_LOCK.acquire(blocking=False):
                raise FitRefusedError(
                    "Another fit is running in this session's process.",
                    "Wait for it to finish (ask for the fit status), then try again.",
                    code="fit_busy",
                )
            try:
                out = run_fit(store, spec_id, quick=quick)
            finally:
                FIT_LOCK.release()
            return fit_result(out, spec_id)

        return run_tool(work)

    def fit_status(fit_id: str | None = None, job_id: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            fit = fit_id or state_of(runtime).get("fit_id") or latest_fit(store)
            job = jobs.get_job(store, job_id) if job_id else None if fit_id else _newer_job(store, fit)
            if job is not None and (job.state != "succeeded" or not job.fit_id):
                return job_status(job)
            out = fit_summary(store, resolve_fit(store, job.fit_id if job else fit, runtime))
            return {k: out.get(k) for k in _STATUS_KEYS} | ({"job_id": job.job_id} if job else {})

        return run_tool(work)

    def carryover(channel: str | None = None, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: explain.carryover(store, resolve_fit(store, fit_id, runtime), channel))

    def media_share(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: explain.media_share(store, resolve_fit(store, fit_id, runtime)))

    return [
        StructuredTool.from_function(
            carryover,
            name="carryover",
            args_schema=CarryoverArgs,
            description=(
                "Adstock (carry-over) per channel: the spec's shape and maximum lag, the prior half-life and this "
                "fit's posterior half-life with its interval. Use it for 'what is adstock' and 'how long do effects "
                "last'."
            ),
        ),
        StructuredTool.from_function(
            media_share,
            name="media_share",
            args_schema=FitIdArgs,
            description="Share of the modelled KPI explained by media (and by the baseline), with intervals.",
        ),
        StructuredTool.from_function(
            fit_model,
            name="fit_model",
            args_schema=FitArgs,
            description=(
                "Fit a locked spec (needs the user's approval). quick=True is approximate. Returns the fit_id, "
                "diagnostics and the health verdict."
            ),
        ),
        StructuredTool.from_function(
            fit_status,
            name="fit_status",
            args_schema=FitStatusArgs,
            description=(
                "Is the fit done? The queued fit's job (queued, running with progress, failed with the reason, "
                "cancelled) or the finished fit's status with its diagnostics."
            ),
        ),
    ]


_STATUS_KEYS = (
    "fit_id",
    "spec_id",
    "status",
    "progress",
    "log",
    "mode",
    "approximate",
    "label",
    "elapsed_s",
    "diagnostics",
    "provenance",
)


def job_status(job: jobs.Job) -> dict:
    """A fit's job that has not produced a succeeded fit: its state, progress, last log line, error."""
    lines = job.log.strip().splitlines()
    return {
        "job_id": job.job_id,
        "spec_id": job.spec_id,
        "status": job.state,
        "mode": "quick" if job.request.quick else "nuts",
        "progress": job.progress,
        "log": lines[-1] if lines else "",
        "fit_id": job.fit_id,
        "job_error": job.error,  # not "error": that key marks the tool itself failing
        "cancel_requested": job.cancel_requested,
    }


def _newer_job(store: Store, fit_id: str | None) -> jobs.Job | None:
    """The newest fit job, when it was queued after ``fit_id`` started (or there is no fit): that is the fit a
    user waiting on the queue asks about."""
    newest = jobs.list_jobs(store, limit=1).jobs
    if not newest:
        return None
    started = fit_record(store, fit_id).started_at if fit_id else None
    return newest[0] if started is None or newest[0].created_at >= started else None


def fit_result(out: dict, spec_id: str) -> dict:
    """What ``fit_model`` returns for a finished fit (``fit_summary``); the UI shows the same for a queued fit."""
    return {k: out.get(k) for k in ("fit_id", "status", "approximate", "label", "diagnostics", "elapsed_s")} | {
        "health": _health_brief(out.get("health")),
        "spec_id": spec_id,
        "provenance": out.get("provenance"),
    }


def _health_brief(health: dict | None) -> dict | None:
    if not health:
        return None
    return {
        "overall": health.get("overall"),
        "summary": health.get("summary"),
        "failed": [c.get("name") for c in health.get("checks", []) if c.get("status") == "fail"],
    }
