"""The queue worker (`mmm-agent worker`): claim a job, fit it, close it, repeat.

One job at a time per process (a fit already uses every chain the machine gives it); run several workers for
several jobs at once. The worker holds no store connection while it fits, so the CLI, the API and other workers
keep using the store. SIGTERM or Ctrl-C stops the worker: a job it was fitting is closed failed with code
``interrupted`` (re-runnable), never left running.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mmm_core.jobs import Worker, claim, fail
from mmm_core.jobs.execute import run_job
from mmm_core.store import Store

POLL_S = 0.5


@dataclass
class WorkerRun:
    """What one worker did: its id and the jobs it closed, in order."""

    worker_id: str
    pid: int
    jobs: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        states = [j["state"] for j in self.jobs]
        return {
            "worker_id": self.worker_id,
            "pid": self.pid,
            "jobs": self.jobs,
            "n_jobs": len(self.jobs),
            "succeeded": states.count("succeeded"),
        }


def run_worker(
    store: Store,
    *,
    once: bool = False,
    drain: bool = False,
    poll_s: float = POLL_S,
    log: Callable[[str], None] | None = None,
) -> WorkerRun:
    """Work the queue: ``once`` runs at most one job; ``drain`` stops when the queue is empty; else forever."""
    say = log or (lambda line: print(line, file=sys.stderr, flush=True))
    worker = Worker.here()
    run = WorkerRun(worker.worker_id, worker.pid)
    _stop_on_sigterm()
    say(f"worker {worker.worker_id} on store {store.path}")
    while True:
        job = claim(store, worker)
        if job is None:
            if once or drain:
                return run
            time.sleep(poll_s)
            continue
        say(f"claimed {job.job_id} (spec {job.request.spec_id}{', quick' if job.request.quick else ''})")
        try:
            done = run_job(store, job, worker)
        except KeyboardInterrupt:
            error = {"code": "interrupted", "message": "The worker was stopped.", "hint": "`mmm-agent jobs rerun`."}
            done = fail(store, job.job_id, worker.worker_id, error)
            run.jobs.append({"job_id": done.job_id, "state": done.state, "fit_id": done.fit_id})
            say(f"{done.job_id} {done.state}: worker stopped")
            return run
        run.jobs.append({"job_id": done.job_id, "state": done.state, "fit_id": done.fit_id})
        say(f"{done.job_id} {done.state}" + (f" -> {done.fit_id}" if done.fit_id else ""))
        if once:
            return run


def start_worker_process(store_path: Any, **popen: Any) -> subprocess.Popen:
    """A `mmm-agent worker` process on the store (how `serve` and the chat UI start theirs); ``popen``: extra
    ``subprocess.Popen`` arguments."""
    return subprocess.Popen([sys.executable, "-m", "agent.cli", "--store", str(store_path), "worker"], **popen)


def _stop_on_sigterm() -> None:
    """SIGTERM (``serve`` stopping its worker, ``kill PID``) takes the same path as Ctrl-C."""

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
