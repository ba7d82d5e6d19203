"""A fit split at the store's edge, for a batch on Ray: the driver (the one process writing the store) starts
the fit and reads its model inputs, a task in another process — on this machine or another node, with no access
to the store — samples and reviews them, and the driver registers what comes back.

    shipped = prepare(store, job)           # driver: ledger checks, fit 'running', inputs read
    outcome = compute(shipped)              # anywhere: gate, sampling, review (no store)
    settle(store, job, worker, shipped, outcome)   # driver: artifacts, tables, fit 'succeeded', job closed

A comparison member or an out-of-sample fold (mmm_core/jobs/variants.py) always takes this split, on Ray or in
a queue worker (:func:`run_split`): only a plain fit has ``run_fit`` to take it whole.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from mmm_core.engine.timing import PhaseTimer
from mmm_core.errors import LedgerError
from mmm_core.fit.inputs import model_config, model_data
from mmm_core.fit.job import register_outcome, sample_and_review, start_fit
from mmm_core.fit.records import FitOutcome, FitSettings
from mmm_core.jobs import queue, variants
from mmm_core.jobs.failures import JobCancelled, error_dict
from mmm_core.jobs.records import FitRequest, Job
from mmm_core.ledger.fits import fail_fit
from mmm_core.ledger.store import get_spec
from mmm_core.store import Store


@dataclass(frozen=True)
class ShippedFit:
    """What a task needs: the fit's id, its model inputs and settings (picklable; ~10 kB for a national model)."""

    fit_id: str
    data: Any
    config: Any
    settings: FitSettings
    started: float  # wall clock (time.time) when the driver started the fit
    fold: variants.FoldPlan | None = None  # an out-of-sample fold: scored where it is sampled


@dataclass(frozen=True)
class Computed:
    """What a task returns: the outcome with its phase timings, or the error that stopped it."""

    outcome: FitOutcome | None
    timer: PhaseTimer | None
    error: dict[str, Any] | None


def needs_store(store: Store, request: FitRequest) -> bool:
    """A plain fit of a spec declaring a model comparison fits its members against the store, and one with several
    outcomes is run by ``fit.multi`` through ``run_fit``: neither is shippable."""
    spec = get_spec(store, request.spec_id).spec if request.plain else None
    return spec is not None and (spec.comparison is not None or spec.outcomes is not None)


def prepare(store: Store, job: Job, worker: queue.Worker, note: str = "inputs shipped to a task") -> ShippedFit:
    """Start the claimed job's fit (refusals close the job failed and re-raise) and read its inputs."""
    request = job.request
    try:
        if request.plain:
            fit_id, spec, settings = start_fit(store, request.spec_id, **request.run_fit_kwargs())
        else:
            fit_id, spec, settings = variants.start(store, request)
    except Exception as exc:
        queue.fail(store, job.job_id, worker.worker_id, error_dict(exc))
        raise
    try:
        data = model_data(store, spec)
        config = model_config(spec, data)
        fold = variants.fold_plan(request, data, config)
        config = fold.config(config) if fold else config
        shipped = ShippedFit(fit_id, data, config, settings, time.time(), fold)
        queue.heartbeat(store, job.job_id, worker.worker_id, 0.05, note, fit_id=fit_id)
    except Exception as exc:
        _fail(store, job, worker, fit_id, error_dict(exc))
        raise
    return shipped


def compute(shipped: ShippedFit, report=None) -> Computed:
    """Gate, sampling and review of shipped inputs (a fold is scored too); an error is returned, not raised (the
    driver records it) — except a cancel asked through ``report``, which its caller handles."""
    timer = PhaseTimer()
    try:
        outcome = sample_and_review(shipped.data, shipped.config, shipped.settings, report or _quiet, timer)
        if shipped.fold is not None:
            outcome = variants.with_fold_scores(outcome, shipped.data, shipped.fold, shipped.settings.seed)
    except JobCancelled:
        raise
    except Exception as exc:
        return Computed(None, None, error_dict(exc))
    # The phases travel; JAX's compile counters are this process's, meaningless in the driver: left out.
    return Computed(outcome, PhaseTimer(phases=timer.phases), None)


def settle(store: Store, job: Job, worker: queue.Worker, shipped: ShippedFit, computed: Computed) -> Job:
    """Register a computed outcome (or record its error) and close the job."""
    if computed.error is not None:
        return _fail(store, job, worker, shipped.fit_id, computed.error)
    try:
        register_outcome(store, shipped.fit_id, computed.outcome, time.time() - shipped.started, computed.timer)
    except Exception as exc:  # registration failed the fit itself; the job follows
        return queue.fail(store, job.job_id, worker.worker_id, error_dict(exc))
    queue.heartbeat(store, job.job_id, worker.worker_id, 1.0, "registered by the batch driver")
    return queue.finish(store, job.job_id, worker.worker_id, shipped.fit_id)


def run_split(store: Store, job: Job, worker: queue.Worker, report) -> Job:
    """A member or fold job in this process (a queue worker): prepare, compute with progress, settle. A cancel
    asked while it samples closes the job cancelled and its fit failed."""
    try:
        shipped = prepare(store, job, worker, note="inputs read")
    except Exception:  # refused or unreadable: prepare closed the job failed with the reason
        return queue.get_job(store, job.job_id)
    try:
        computed = compute(shipped, report)
    except JobCancelled as exc:
        fail_fit(store, shipped.fit_id, error_dict(exc))
        return queue.fail(store, job.job_id, worker.worker_id, error_dict(exc), cancelled=True)
    return settle(store, job, worker, shipped, computed)


def _quiet(fraction: float, message: str) -> None:
    """A Ray task reports to nobody: the driver records the job's progress at dispatch and at registration."""


def _fail(store: Store, job: Job, worker: queue.Worker, fit_id: str, error: dict[str, Any]) -> Job:
    try:
        fail_fit(store, fit_id, error)
    except LedgerError:
        pass  # already closed
    return queue.fail(store, job.job_id, worker.worker_id, error)
