"""Many fits at once (`mmm-agent fit-many`): a batch of fit requests run on Ray, or on the local worker pool.

Every fit of the batch is first recorded in the queue (``jobs``, state 'queued'), so a batch that dies part-way
leaves each fit queued, failed or done — never lost. Then:

- **Ray** (``ray.init()`` on this machine, or the cluster at ``--ray-address`` / ``$RAY_ADDRESS``): the driver
  (this process) claims the batch's jobs, starts each fit in the ledger and ships its model inputs to a Ray task
  (mmm_core/jobs/remote.py); the task gates, samples and reviews in its own process, on any node, without the
  store; the driver registers each result as it returns. The store has one writer, and the nodes need no access
  to it. A spec declaring a model comparison (its members are fitted against the store) runs in the driver.
- **Local pool** (Ray not importable, or ``--backend local``): ``--workers`` queue worker processes drain the
  queue; the result says so.

The batch itself is one typed record (:class:`mmm_core.jobs.batch.BatchRequest`: fits, specs × datasets,
comparison members, out-of-sample folds), the same for `fit-many` and ``POST /fits/batch``; the API queues it and
runs it in a process of its own (:func:`start_batch_process`), read back per member with ``GET /fits/batch/ID``.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from mmm_core import jobs
from mmm_core.errors import MMMError
from mmm_core.jobs import batch as jobs_batch
from mmm_core.jobs import variants
from mmm_core.jobs.batch import BatchRecord, BatchRequest
from mmm_core.store import Store

RAY_ADDRESS_ENV = "RAY_ADDRESS"
POLL_S = 0.5
_RUNNERS: list[subprocess.Popen] = []  # batch runners started by this process (the API)


def ray_available() -> bool:
    return importlib.util.find_spec("ray") is not None


def queue_batch(store: Store, batch: BatchRequest) -> BatchRecord:
    """Choose the backend, expand the batch (refusing before anything is queued) and queue every fit."""
    use_ray, note = _backend(batch.backend)
    return jobs_batch.queue_batch(store, jobs_batch.expand(store, batch), "ray" if use_ray else "local", note, batch)


def run_batch(
    store: Store,
    batch: BatchRequest,
    *,
    ray_address: str | None = None,
    cpus_per_fit: float = 1.0,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Queue the batch and run it on its backend ('auto': Ray when importable, else the local pool)."""
    return run_record(store, queue_batch(store, batch), ray_address=ray_address, cpus_per_fit=cpus_per_fit, log=log)


def run_record(
    store: Store,
    record: BatchRecord,
    *,
    ray_address: str | None = None,
    cpus_per_fit: float = 1.0,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run a queued batch to the end: every job closed, the folds' validations put together."""
    say = log or (lambda line: print(line, file=sys.stderr, flush=True))
    ids, workers = record.job_ids, record.request.workers
    where = "Ray" if record.backend == "ray" else f"{workers} local worker(s)"
    say(f"batch {record.batch_id}: {len(ids)} fit(s) on {where}")
    started = time.perf_counter()
    if record.backend == "ray":
        address, tasks = _on_ray(store, ids, ray_address or os.environ.get(RAY_ADDRESS_ENV), cpus_per_fit)
    else:
        address, tasks = None, _on_local_pool(store, workers)
    closed = _wait_closed(store, ids)
    wall = time.perf_counter() - started
    if record.note:
        say(record.note)
    out = _summary(closed, tasks, wall, record.backend, address, record.note)
    return {"batch_id": record.batch_id, **out, "oos": variants.assemble_folds(store, closed)}


def start_batch_process(store_path: Any, batch_id: str) -> subprocess.Popen:
    """Run a queued batch in a process of its own (how ``POST /fits/batch`` runs one: the request returns at
    once); its log goes beside the batch record."""
    _RUNNERS[:] = [p for p in _RUNNERS if p.poll() is None]  # reap the runners that ended (no zombies)
    log = jobs_batch.batch_path(Store(store_path), batch_id).with_suffix(".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "agent.cli", "--store", str(store_path), "fit-many", "--batch", batch_id]
    with log.open("ab") as err:
        # A session of its own: stopping the server (Ctrl-C to its process group) leaves a batch running to its end.
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    _RUNNERS.append(proc)
    return proc


def _backend(backend: str) -> tuple[bool, str | None]:
    """(run on Ray?, the note saying why not when Ray was wanted but is missing)."""
    if backend == "ray" and not ray_available():
        raise MMMError("Ray is not installed.", "pip install ray, or use --backend local.", code="ray_missing")
    use_ray = backend == "ray" or (backend == "auto" and ray_available())
    note = None if use_ray or backend == "local" else "Ray is not installed: the batch ran on the local worker pool."
    return use_ray, note


def fit_task(shipped):  # -> mmm_core.jobs.remote.Computed
    """One Ray task: gate, sample and review shipped model inputs in this process (no store needed)."""
    from mmm_core.engine.setup import setup  # lazy: runs in the Ray worker, before JAX starts there
    from mmm_core.jobs.remote import compute

    setup()
    return compute(shipped)


def _on_ray(store: Store, ids: list[str], address: str | None, cpus_per_fit: float) -> tuple[str, list[dict]]:
    import ray  # lazy: optional dependency, only for a Ray batch

    from mmm_core.jobs import remote  # lazy: the fit layer, only for a Ray batch

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        # max_calls=1: each fit gets a fresh worker process, so no JAX state (traces, device buffers, memory
        # growth) carries from one fit into the next; the on-disk compile cache is still shared, so a fresh
        # process costs its imports (~2-4 s), not a recompile.
        task = ray.remote(num_cpus=cpus_per_fit, max_calls=1)(fit_task)
        driver = jobs.Worker.here()  # the batch's jobs are claimed by the driver: the one writer of their results
        pending, tasks, local = {}, [], []
        for job_id in ids:
            job = jobs.claim(store, driver, job_id=job_id)
            if job is None:  # another worker took it: waited for like any other
                tasks.append({"job_id": job_id, "ran_on": "another worker"})
            elif remote.needs_store(store, job.request):
                local.append(job)
            else:
                _ship(store, job, driver, task, pending, tasks)
        _settle_all(store, driver, pending, ray)
        tasks += [_run_here(store, job, driver) for job in local]
        where = address or f"local Ray runtime on {socket.gethostname()}"
    finally:
        if started_here:
            ray.shutdown()
    return where, tasks


def _ship(store: Store, job: jobs.Job, driver: jobs.Worker, task, pending: dict, tasks: list[dict]) -> None:
    from mmm_core.jobs import remote  # lazy: as in _on_ray

    try:
        shipped = remote.prepare(store, job, driver)
    except Exception:  # refused (ledger) or unreadable inputs: the job is closed failed with the reason
        tasks.append({"job_id": job.job_id, "ran_on": "nowhere: refused by the driver"})
        return
    pending[task.remote(shipped)] = (job, shipped)
    tasks.append({"job_id": job.job_id, "ran_on": "ray"})


def _settle_all(store: Store, driver: jobs.Worker, pending: dict, ray) -> None:
    """Register each result as it arrives (the driver writes; tasks never touch the store)."""
    from mmm_core.jobs import remote  # lazy: as in _on_ray

    while pending:
        [ready], _ = ray.wait(list(pending), num_returns=1)
        job, shipped = pending.pop(ready)
        try:
            computed = ray.get(ready)
        except Exception as exc:  # the task's process died (out of memory, node lost)
            computed = remote.Computed(None, None, {"code": "task_lost", "message": str(exc)[:500], "hint": "Re-run."})
        remote.settle(store, job, driver, shipped, computed)


def _run_here(store: Store, job: jobs.Job, driver: jobs.Worker) -> dict[str, Any]:
    """A spec declaring a model comparison fits its members against the store: the driver runs it itself."""
    from mmm_core.jobs.execute import run_job  # lazy: as in _on_ray

    run_job(store, job, driver)
    return {"job_id": job.job_id, "ran_on": "the driver (declared comparison)"}


def _on_local_pool(store: Store, workers: int) -> list[dict]:
    if workers < 1:
        raise MMMError(f"--workers {workers}: the local pool needs at least one.", "Use --workers 2.", "bad_argument")
    argv = [sys.executable, "-m", "agent.cli", "--store", str(store.path), "worker", "--drain"]
    procs = [subprocess.Popen(argv, stdout=subprocess.DEVNULL) for _ in range(workers)]
    for proc in procs:
        proc.wait()
    return [{"pid": p.pid, "exit_code": p.returncode} for p in procs]


def _wait_closed(store: Store, ids: list[str]) -> list[jobs.Job]:
    """Every job of the batch once closed (a job another worker took is waited for, not run again)."""
    while True:
        closed = [jobs.get_job(store, i) for i in ids]
        if all(j.terminal for j in closed):
            return closed
        jobs.reap_lost(store)
        time.sleep(POLL_S)


def _summary(
    closed: list[jobs.Job], tasks: list[dict], wall: float, backend: str, address: str | None, note: str | None
) -> dict[str, Any]:
    states = [j.state for j in closed]
    return {
        "backend": backend,
        "ray_address": address,
        "note": note,
        "n": len(closed),
        "succeeded": states.count("succeeded"),
        "failed": states.count("failed") + states.count("cancelled"),
        "wall_s": round(wall, 3),
        "fits_per_min": round(60 * len(closed) / wall, 2) if wall > 0 else None,
        "jobs": [
            {"job_id": j.job_id, "spec_id": j.spec_id, "state": j.state, "fit_id": j.fit_id, "error": j.error}
            for j in closed
        ],
        "tasks": tasks,
    }
