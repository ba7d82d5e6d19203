"""Fits started from the chat UI run on the durable fit queue, not in the UI process.

The session's ``fit_model`` tool (same name, arguments and guards as the CLI's, so approval and the locked-spec
check apply unchanged) records a queued job (``mmm_core.jobs.submit``, as `fit --submit` does) and returns at
once: the agent turn ends and the chat keeps answering while the fit runs. A `mmm-agent worker` process started
by this app (one per app, restarted if it died, stopped with the app) claims and fits the job. A background task
of the session polls the job row, rewrites one progress message (state, percentage, elapsed, the fit's last phase
line) and, when the job ends, posts the fit's summary (the answer, charts and buttons a synchronous fit gave) or
its error.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import chainlit as cl
from langchain_core.tools import BaseTool, StructuredTool

from agent.models.answers import compose
from agent.ui import charts as ui_charts
from agent.ui import setup as ui_setup
from agent.ui.progress import clock, progress_text
from agent.ui.safe_text import neutralise
from mmm_core.errors import MMMError
from mmm_core.jobs import FitRequest, Job, cancel, get_job, submit
from mmm_core.store import Store
from tools.base import run_tool
from tools.fit_tools import FitArgs, fit_result

POLL_SECONDS = 1.0
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
CANCEL_ACTION = "cancel_fit"
_WORKER: dict[str, subprocess.Popen] = {}  # store path -> this app's worker process
_FOLLOWING: set[asyncio.Task] = set()  # keeps the background watchers referenced until they end

Say = Callable[..., Awaitable[None]]


def ensure_worker(store: Store) -> int:
    """The pid of this app's worker on ``store``, starting one if there is none or it exited.

    Called from the event loop's (main) thread only: the worker is told to stop when the thread that started it
    ends, so a UI server that is killed (no ``atexit``) leaves no worker polling the store behind."""
    from agent.service.worker import start_worker_process  # lazy: subprocess start only when a fit is queued

    key = str(store.path)
    proc = _WORKER.get(key)
    if proc is None or proc.poll() is not None:
        proc = _WORKER[key] = start_worker_process(store.path, preexec_fn=_stop_with_parent())
    return proc.pid


def _stop_with_parent() -> Callable[[], None] | None:
    """Linux: the child gets SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere ``atexit``
    alone stops the worker. ``prctl`` is looked up here, in the parent: the child calls it and nothing else."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def die_with_parent() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return die_with_parent


@atexit.register
def stop_workers() -> None:
    """SIGTERM the app's workers (a job being fitted closes failed and re-runnable, never left running)."""
    for proc in list(_WORKER.values()):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    _WORKER.clear()


def queued_fit_tool(store: Store) -> BaseTool:
    """``fit_model`` for a UI session: queue the fit and return the job id (the fit runs in a worker process)."""

    def fit_model(spec_id: str, quick: bool = False) -> str:
        def work() -> dict:
            job = submit(store, FitRequest(spec_id=spec_id, quick=quick))  # the watcher starts the worker
            return {"job_id": job.job_id, "status": "queued", "spec_id": spec_id, "quick": quick}

        return run_tool(work)

    return StructuredTool.from_function(
        fit_model,
        name="fit_model",
        args_schema=FitArgs,
        description=(
            "Fit a locked spec (needs the user's approval). quick=True is approximate. Queues the fit and returns "
            "its job id; the chat shows its progress and its fit_id, diagnostics and health verdict when done."
        ),
    )


def job_text(job: Job, elapsed: float) -> str:
    """The progress message for a job: waiting, fitting (percentage, phase), or how it ended."""
    if job.state == "queued":
        return f"Fit queued as job {job.job_id} · waiting for a worker · elapsed {clock(elapsed)}"
    if job.state == "running":
        return f"{progress_text(job.progress, elapsed, job.log)} · job {job.job_id}"
    took = (job.finished_at - job.created_at).total_seconds() if job.finished_at else elapsed
    if job.state == "succeeded":
        return f"Fit succeeded — 100% in {took:.1f} s · job {job.job_id} · {job.fit_id}"
    return f"Fit {job.state} after {took:.1f} s · job {job.job_id}"


async def watch_job(
    store: Store, job_id: str, show: Callable[[str], Awaitable[None]], poll: float = POLL_SECONDS
) -> Job:
    """Call ``show(text)`` as the job row changes (and the clock ticks) until the job ends; return the closed job.

    While the job is open the app's worker is kept alive: a restarted worker's claim reaps a job its dead
    predecessor held (failed ``worker_lost``), so the watcher always sees an end."""
    start, job, last = time.monotonic(), None, None
    while job is None or not job.terminal:
        try:
            job = await asyncio.to_thread(get_job, store, job_id)
        except Exception as exc:  # a busy store must not kill the watcher; say it and try again
            text = f"Fit job {job_id}: progress unavailable ({type(exc).__name__}); retrying"
        else:
            text = job_text(job, time.monotonic() - start)
            if not job.terminal:
                ensure_worker(store)
        if text != last:
            await show(text)
            last = text
        if job is None or not job.terminal:
            await asyncio.sleep(poll)
    return job


@dataclass
class Outcome:
    """What the chat shows when a job ends: the answer text, the tool-shaped data (charts, buttons, state)."""

    text: str
    data: dict[str, Any] = field(default_factory=dict)


def outcome(store: Store, job: Job) -> Outcome:
    """A succeeded job's fit summary as ``fit_model`` gives it synchronously; a failed or cancelled job's error."""
    if job.state == "succeeded" and job.fit_id:
        from mmm_core.fit.job import fit_summary  # lazy: reads the fit's results only once it is done

        data = fit_result(fit_summary(store, job.fit_id), job.request.spec_id)
        return Outcome(compose("fit_model", data, {}, []), data)
    error = job.error or {"code": job.state, "message": f"The job ended {job.state}.", "hint": ""}
    text = (
        f"Fit job {job.job_id} {job.state}: `{error.get('code')}`: {error.get('message')}\n\n"
        f"Hint: {error.get('hint') or f'`mmm-agent jobs rerun {job.job_id}` queues it again.'}"
    )
    return Outcome(text, {"error": error, "job_id": job.job_id, "status": job.state})


def follow(store: Store, job_id: str, say: Say) -> asyncio.Task:
    """Watch ``job_id`` in the background of the current chat session (the turn that queued it has ended)."""
    task = asyncio.create_task(_follow(store, job_id, say))
    _FOLLOWING.add(task)
    task.add_done_callback(_FOLLOWING.discard)
    return task


def cancel_text(store: Store, job_id: str) -> str:
    """Cancel a job from the chat (the fit message's button); the watcher reports how it ended."""
    try:
        job = cancel(store, job_id)
    except MMMError as exc:
        return f"`{exc.code}`: {exc.message}" + (f"\n\nHint: {exc.hint}" if exc.hint else "")
    if job.state == "cancelled":
        return f"Job {job_id} cancelled before a worker started it."
    return f"Cancel asked for job {job_id}: its worker stops the fit at its next progress report."


async def _follow(store: Store, job_id: str, say: Say) -> None:
    stop = cl.Action(name=CANCEL_ACTION, payload={"job_id": job_id}, label="Cancel fit")
    msg = cl.Message(content=f"Fit queued as job {job_id}", actions=[stop])
    await msg.send()

    async def show(text: str) -> None:
        msg.content = neutralise(text)
        await msg.update()

    job = await watch_job(store, job_id, show)
    await msg.remove_actions()
    done = await asyncio.to_thread(outcome, store, job)
    if job.state == "succeeded":
        # Later turns answer from this fit, as they did after a synchronous fit in the turn.
        pending = cl.user_session.get("pending") or {}
        cl.user_session.set("pending", {**pending, "fit_id": job.fit_id, "spec_id": job.request.spec_id})
    figures = await asyncio.to_thread(ui_charts.figures_for, "fit_model", done.data, store)
    buttons = ui_setup.after_tool_buttons("fit_model", done.data, cl.user_session.get("channels"))
    await say(done.text, buttons, [cl.Plotly(name=n, figure=f, display="inline") for n, f in figures])
