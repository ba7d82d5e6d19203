"""The durable fit queue: jobs in the store's ``jobs`` table, ``queued → running → succeeded | failed | cancelled``.

DuckDB lets one process at a time hold the store file, and every :class:`~mmm_core.store.Store` operation opens
and closes it (retrying on the lock), so any number of worker processes share the queue: each state change is one
short transaction whose UPDATE names the state it leaves (``WHERE state = 'queued'``), so of two claimants only
one changes the row, and a job closes only from 'running' by the worker that holds it. Workers hold no connection
while they fit. A worker that dies leaves its job 'running' with a dead pid (or, from another host, a silent
heartbeat): :func:`reap_lost` marks it failed with code ``worker_lost`` (its fit too), and :func:`rerun` queues
it again as a new job linked by ``rerun_of`` — a job is never lost, and never closed twice.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mmm_core.errors import LedgerError, NotFoundError
from mmm_core.jobs.records import JOB_STATES, FitRequest, Job, JobList
from mmm_core.ledger.fits import fail_fit, pid_alive
from mmm_core.ledger.store import spec_exists, utcnow
from mmm_core.store import Store, new_id

STALE_ENV = "MMM_AGENT_JOB_STALE_S"
# A worker heartbeats at each progress report of its fit (phases; NUTS reports while it samples); a claimant on
# another host silent this long is taken for dead. On this host the pid decides (a live pid is never reaped: a
# slow fit must not be run twice).
DEFAULT_STALE_S = 900.0
_LOG_KEEP_CHARS = 20_000
_COLUMNS = (
    "id, kind, state, payload_json, spec_id, worker_id, host, pid, attempts, progress, log, fit_id, error_json, "
    "cancel_requested, rerun_of, created_at, claimed_at, heartbeat_at, finished_at"
)


@dataclass(frozen=True)
class Worker:
    """Who claims a job: a unique id, and the host and pid that let the reaper tell whether it is alive."""

    worker_id: str
    host: str
    pid: int

    @classmethod
    def here(cls) -> Worker:
        host, pid = socket.gethostname(), os.getpid()
        return cls(f"w_{pid}_{new_id('x')[2:]}", host, pid)


def submit(store: Store, request: FitRequest, rerun_of: str | None = None) -> Job:
    """Record a fit job 'queued' and return it. Refuses what :func:`check` refuses (nothing is queued)."""
    check(store, request)
    job_id = new_id("job")
    store.run(
        lambda conn: conn.execute(
            "INSERT INTO jobs (id, kind, state, payload_json, spec_id, rerun_of, created_at) "
            "VALUES (?, 'fit', 'queued', ?, ?, ?, ?)",
            [job_id, request.model_dump_json(), request.spec_id, rerun_of, utcnow()],
        )
    )
    return get_job(store, job_id)


def check(store: Store, request: FitRequest) -> None:
    """Refuse a request that cannot run: an id naming no locked spec; a member the spec does not declare, a fold
    of a fit that is not a succeeded fit of the spec."""
    if not spec_exists(store, request.spec_id):
        raise NotFoundError(
            f"No locked spec with id {request.spec_id!r}.",
            "Lock a spec first (`mmm-agent spec lock FILE.yaml --rationale ...`); `mmm-agent ledger DATASET` lists "
            "the locked ones.",
            code="unknown_spec",
        )
    if not request.plain:
        from mmm_core.jobs import variants  # lazy: the fit layer, only for a batch's member or fold

        variants.check(store, request)


def claim(store: Store, worker: Worker, job_id: str | None = None) -> Job | None:
    """Take the oldest queued job (or the job ``job_id``, if still queued) for ``worker`` (state 'running');
    None when there is none to take."""
    reap_lost(store)
    now = utcnow()
    which = "?" if job_id else "(SELECT id FROM jobs WHERE state = 'queued' ORDER BY created_at, id LIMIT 1)"

    def take(conn: Any) -> str | None:
        row = conn.execute(
            "UPDATE jobs SET state = 'running', worker_id = ?, host = ?, pid = ?, attempts = attempts + 1, "
            f"claimed_at = ?, heartbeat_at = ? WHERE state = 'queued' AND id = {which} RETURNING id",
            [worker.worker_id, worker.host, worker.pid, now, now] + ([job_id] if job_id else []),
        ).fetchone()
        return row[0] if row else None

    job_id = store.run(take)
    return None if job_id is None else get_job(store, job_id)


def heartbeat(
    store: Store,
    job_id: str,
    worker_id: str,
    progress: float | None = None,
    line: str | None = None,
    fit_id: str | None = None,
) -> bool:
    """Refresh the claim (and record progress, a log line, the fit id); return whether a cancel was asked.

    Raises ``LedgerError`` (``job_not_held``) when the job is no longer running under ``worker_id``."""
    text = "" if line is None else line.rstrip("\n") + "\n"

    def beat(conn: Any) -> tuple | None:
        return conn.execute(
            "UPDATE jobs SET heartbeat_at = ?, progress = coalesce(?, progress), fit_id = coalesce(?, fit_id), "
            "log = right(log || ?, ?) WHERE id = ? AND state = 'running' AND worker_id = ? RETURNING cancel_requested",
            [utcnow(), progress, fit_id, text, _LOG_KEEP_CHARS, job_id, worker_id],
        ).fetchone()

    row = store.run(beat)
    if row is None:
        _not_held(store, job_id, worker_id)
    return bool(row[0])


def finish(store: Store, job_id: str, worker_id: str, fit_id: str) -> Job:
    """Close a running job as succeeded with the fit it registered."""
    return _close(store, job_id, worker_id, "succeeded", fit_id=fit_id, progress=1.0)


def fail(store: Store, job_id: str, worker_id: str, error: dict[str, Any], cancelled: bool = False) -> Job:
    """Close a running job as failed (or cancelled, when the cancel was asked) with ``{code, message, hint}``."""
    return _close(store, job_id, worker_id, "cancelled" if cancelled else "failed", error_json=json.dumps(error))


def _close(store: Store, job_id: str, worker_id: str, state: str, **columns: Any) -> Job:
    columns.update(state=state, finished_at=utcnow())
    sets = ", ".join(f"{k} = ?" for k in columns)

    def close(conn: Any) -> int:
        sql = f"UPDATE jobs SET {sets} WHERE id = ? AND state = 'running' AND worker_id = ? RETURNING id"
        return len(conn.execute(sql, [*columns.values(), job_id, worker_id]).fetchall())

    if not store.run(close):
        _not_held(store, job_id, worker_id)
    return get_job(store, job_id)


def cancel(store: Store, job_id: str) -> Job:
    """Cancel a queued job now; ask a running job's worker to stop (it does at its next heartbeat)."""

    def ask(conn: Any) -> str | None:
        row = conn.execute(
            "UPDATE jobs SET state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END, "
            "finished_at = CASE WHEN state = 'queued' THEN ? ELSE finished_at END, cancel_requested = true "
            "WHERE id = ? AND state IN ('queued', 'running') RETURNING state",
            [utcnow(), job_id],
        ).fetchone()
        return row[0] if row else None

    if store.run(ask) is None:
        job = get_job(store, job_id)  # NotFoundError for an unknown id
        raise LedgerError(
            f"Job {job_id} is already {job.state}; only a queued or running job can be cancelled.",
            f"`mmm-agent jobs rerun {job_id}` queues it again." if job.state != "succeeded" else "",
            code="job_finished",
        )
    return get_job(store, job_id)


def rerun(store: Store, job_id: str) -> Job:
    """Queue a failed or cancelled job again, as a new job linked by ``rerun_of``."""
    job = get_job(store, job_id)
    if job.state not in ("failed", "cancelled"):
        hint = (
            f"Its fit is {job.fit_id}; submit a new fit to fit again."
            if job.state == "succeeded"
            else "Wait for it to finish, or cancel it first."
        )
        raise LedgerError(
            f"Job {job_id} is {job.state}; only a failed or cancelled job can be re-run.",
            hint,
            code="job_not_rerunnable",
        )
    return submit(store, job.request, rerun_of=job_id)


def get_job(store: Store, job_id: str) -> Job:
    with store.connect() as conn:
        cur = conn.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", [job_id])
        row = cur.fetchone()
        names = [d[0] for d in cur.description]
    if row is None:
        raise NotFoundError(f"No job with id {job_id!r}.", "`mmm-agent jobs list` shows the jobs.", code="unknown_job")
    return Job.from_row(dict(zip(names, row)))


def list_jobs(store: Store, state: str | None = None, limit: int = 50) -> JobList:
    """The newest ``limit`` jobs (of ``state`` when given) and the count of every state; lost claims reaped."""
    if state is not None and state not in JOB_STATES:
        raise LedgerError(f"Unknown job state {state!r}.", f"Use one of {', '.join(JOB_STATES)}.", code="bad_state")
    reap_lost(store)
    where = "" if state is None else "WHERE state = ?"
    with store.connect() as conn:
        cur = conn.execute(
            f"SELECT {_COLUMNS} FROM jobs {where} ORDER BY created_at DESC, id DESC LIMIT ?",
            ([state] if state else []) + [int(limit)],
        )
        names = [d[0] for d in cur.description]
        rows = [Job.from_row(dict(zip(names, r))) for r in cur.fetchall()]
        counts = dict(conn.execute("SELECT state, count(*) FROM jobs GROUP BY state").fetchall())
    return JobList(jobs=rows, counts={s: int(counts.get(s, 0)) for s in JOB_STATES})


def reap_lost(
    store: Store, stale_after_s: float | None = None, alive: Callable[[int], bool] | None = None
) -> list[str]:
    """Mark running jobs whose worker is gone failed (``worker_lost``; re-runnable), with their fits; return ids.

    Gone: on this host, its pid is not alive; on another host, no heartbeat for ``stale_after_s``."""
    limit = float(os.environ.get(STALE_ENV, DEFAULT_STALE_S)) if stale_after_s is None else stale_after_s
    alive = alive or pid_alive
    here, now = socket.gethostname(), utcnow()
    with store.connect() as conn:
        rows = conn.execute(
            "SELECT id, worker_id, host, pid, heartbeat_at, fit_id FROM jobs WHERE state = 'running'"
        ).fetchall()
    lost = []
    for job_id, worker_id, host, pid, beat, fit_id in rows:
        silent = (now - beat).total_seconds() if beat else float("inf")
        if (host == here and pid is not None and alive(int(pid))) or (host != here and silent <= limit):
            continue
        why = (
            f"worker process {pid} on {host} is no longer running"
            if host == here
            else f"no heartbeat for {silent:.0f} s"
        )
        error = {"code": "worker_lost", "message": f"The job was abandoned: {why}.", "hint": "`mmm-agent jobs rerun`."}
        try:
            _close(store, job_id, worker_id, "failed", error_json=json.dumps(error))
        except LedgerError:
            continue  # its worker closed it in the meantime
        lost.append(job_id)
        if fit_id:
            _fail_fit_quietly(store, fit_id, error)
    return lost


def _fail_fit_quietly(store: Store, fit_id: str, error: dict[str, Any]) -> None:
    try:
        fail_fit(store, fit_id, error)
    except LedgerError:
        pass  # already closed (its worker registered or failed it before dying)


def _not_held(store: Store, job_id: str, worker_id: str):
    job = get_job(store, job_id)
    raise LedgerError(
        f"Job {job_id} is {job.state} (worker {job.worker_id}), not running under {worker_id}; it cannot change.",
        "It was reaped as lost or cancelled; `mmm-agent jobs show` has its state.",
        code="job_not_held",
    )
