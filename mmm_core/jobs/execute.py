"""Run one claimed fit job: the synchronous fit (``run_fit``) with its progress written to the job row (each
report is the claim's heartbeat), and a cancel honoured at the next progress report. The job closes once."""

from __future__ import annotations

from mmm_core.fit.job import run_fit
from mmm_core.jobs import queue
from mmm_core.jobs.failures import JobCancelled, error_dict
from mmm_core.jobs.records import Job
from mmm_core.store import Store


class _Claim:
    """The job held by this process and what its fit has reported so far.

    The heartbeat rides on the fit's progress reports, in the fitting thread. An earlier version beat from a
    second thread; with it, a fit's bulk insert failed once in 20 ("pandas_scan does not exist": DuckDB's
    per-process state raced by the other thread's open/close), and in another run two workers each took one job
    as theirs. So a worker process touches the store from one thread only. On this host a claim's liveness is
    its pid, not its heartbeat."""

    def __init__(self, store: Store, job: Job, worker: queue.Worker) -> None:
        self.store, self.job, self.worker = store, job, worker
        self.fit_id: str | None = None

    def progress(self, fraction: float, message: str) -> None:
        self.fit_id = self.fit_id or _fit_of(self.store, self.job, self.worker)
        fraction = round(float(fraction), 4)
        asked = queue.heartbeat(self.store, self.job.job_id, self.worker.worker_id, fraction, message, self.fit_id)
        if asked and fraction < 1:  # at 1 the fit is registered: too late to cancel it
            raise JobCancelled(
                f"Job {self.job.job_id} was cancelled while fitting.", "`mmm-agent jobs rerun` queues it again."
            )


def run_job(store: Store, job: Job, worker: queue.Worker) -> Job:
    """Fit the job's request and close the job: succeeded with its fit id, cancelled, or failed with the error."""
    claim = _Claim(store, job, worker)
    if not job.request.plain:  # a comparison member or an out-of-sample fold: no run_fit for it
        from mmm_core.jobs.remote import run_split  # lazy: the split fit path (fit inputs), only for a member or a fold

        return run_split(store, job, worker, claim.progress)
    try:
        summary = run_fit(store, job.request.spec_id, **job.request.run_fit_kwargs(), progress=claim.progress)
    except JobCancelled as exc:
        return _close_failed(store, job, worker, claim, exc, cancelled=True)
    except Exception as exc:  # every failure closes the job; the fit row already says failed
        return _close_failed(store, job, worker, claim, exc, cancelled=False)
    return queue.finish(store, job.job_id, worker.worker_id, summary["fit_id"])


def _close_failed(store: Store, job: Job, worker: queue.Worker, claim: _Claim, exc: Exception, cancelled: bool) -> Job:
    fit_id = claim.fit_id or _fit_of(store, job, worker)
    if fit_id:
        queue.heartbeat(store, job.job_id, worker.worker_id, fit_id=fit_id)
    return queue.fail(store, job.job_id, worker.worker_id, error_dict(exc), cancelled=cancelled)


def _fit_of(store: Store, job: Job, worker: queue.Worker) -> str | None:
    """The fit this job's ``run_fit`` registered: this process's newest fit of the spec since the claim (a worker
    runs one job at a time, so there is no other)."""
    with store.connect() as conn:
        row = conn.execute(
            "SELECT id FROM fits WHERE spec_id = ? AND pid = ? AND created_at >= ? ORDER BY created_at DESC LIMIT 1",
            [job.request.spec_id, worker.pid, job.claimed_at],
        ).fetchone()
    return row[0] if row else None
