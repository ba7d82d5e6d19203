"""A batch of fits as one typed record: what `mmm-agent fit-many` is asked and what ``POST /fits/batch`` takes.

Its sources (any mix, at least one fit in all):

- ``fits``: fit requests as they are (``mmm-agent fit --submit`` each);
- ``specs`` × settings: locked specs, and ``datasets``: each dataset's default spec, locked with ``rationale``;
- ``comparisons``: locked specs declaring a model comparison — every member, the spec as written included, as a
  fit of its own;
- ``folds``: succeeded fits whose out-of-sample validation (``health --oos``, ``origins`` rolling origins) runs
  as one fit per origin; the scores are put together when every fold is back.

:func:`expand` turns the record into fit requests (refusing, before anything is queued, what cannot run), and a
:class:`BatchRecord` beside the store keeps which jobs a batch queued and where it ran, so its status is read
back per member from the job rows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mmm_core.errors import MMMError, NotFoundError
from mmm_core.jobs import queue
from mmm_core.jobs.records import FitRequest, Fold, Job
from mmm_core.outputs import write_atomic
from mmm_core.store import Store, new_id

MAX_FITS = 1000
Backend = Literal["auto", "ray", "local"]


class BatchRequest(BaseModel):
    """The fits of a batch and how to run them."""

    model_config = ConfigDict(extra="forbid")

    fits: list[FitRequest] = Field(default_factory=list, max_length=MAX_FITS, description="fit requests as they are")
    specs: list[str] = Field(default_factory=list, description="locked spec ids, each fitted with the settings")
    datasets: list[str] = Field(default_factory=list, description="each dataset's default spec (locked here)")
    rationale: str | None = Field(None, description="why: needed with datasets (their default specs are locked)")
    comparisons: list[str] = Field(
        default_factory=list, description="locked specs declaring a comparison: each member fitted as its own fit"
    )
    folds: list[str] = Field(default_factory=list, description="succeeded fit ids: their out-of-sample folds")
    origins: int = Field(1, ge=1, le=3, description="rolling origins per validated fit (folds)")
    quick: bool = Field(False, description="settings of the specs, datasets and comparisons: MAP + Laplace")
    engine: Literal["numpyro", "pymc-marketing"] = "numpyro"
    chains: int | None = Field(None, ge=1, le=64)
    warmup: int | None = Field(None, ge=1, le=100_000)
    draws: int | None = Field(None, ge=1, le=100_000)
    seed: int | None = None
    backend: Backend = Field("auto", description="auto: Ray when installed, else the local worker pool")
    workers: int = Field(2, ge=1, le=64, description="local pool size")

    def settings(self) -> dict[str, Any]:
        return self.model_dump(include={"quick", "engine", "chains", "warmup", "draws", "seed"})


def expand(store: Store, batch: BatchRequest) -> list[FitRequest]:
    """The batch's fit requests, in source order; refuses (queuing nothing) an empty batch, a missing rationale,
    an unknown spec or fit, a spec without a comparison, more than ``MAX_FITS`` fits."""
    from mmm_core import ledger  # lazy: the ledger's spec reads, only when a batch is expanded

    requests = list(batch.fits) + [FitRequest(spec_id=s, **batch.settings()) for s in batch.specs]
    requests += [FitRequest(spec_id=s, **batch.settings()) for s in _dataset_specs(store, batch)]
    for spec_id in batch.comparisons:
        comparison = ledger.get_spec(store, spec_id).spec.comparison
        if comparison is None:
            raise MMMError(
                f"Spec {spec_id} declares no model comparison.",
                "Name specs with a `comparison:` block under comparisons (or fit this one under specs).",
                code="no_comparison",
            )
        names = ["spec"] + [m.name for m in comparison.members]
        requests += [FitRequest(spec_id=spec_id, member=n, **batch.settings()) for n in names]
    for fit_id in batch.folds:
        spec_id = ledger.get_fit(store, fit_id)["spec_id"]
        requests += [
            FitRequest(spec_id=spec_id, fold=Fold(fit_id=fit_id, origin=j, origins=batch.origins))
            for j in range(1, batch.origins + 1)
        ]
    if not requests:
        raise MMMError("No fits to run.", "Name fits, specs, datasets, comparisons or folds.", code="empty_batch")
    if len(requests) > MAX_FITS:
        raise MMMError(f"{len(requests)} fits in one batch.", f"Split it: at most {MAX_FITS}.", code="batch_too_big")
    for r in requests:  # every refusal before the first job is queued: a batch runs whole or not at all
        queue.check(store, r)
    return requests


def _dataset_specs(store: Store, batch: BatchRequest) -> list[str]:
    if not batch.datasets:
        return []
    if not (batch.rationale or "").strip():
        raise MMMError(
            "Fitting the default spec of a dataset locks it, and a lock needs a rationale.",
            'Add --rationale "why these models", or lock the specs yourself and pass their ids.',
            code="rationale_required",
        )
    from mmm_core import ledger  # lazy: as in expand
    from mmm_core.spec import init_spec  # lazy: the spec layer only when specs are drafted here

    # Locking the same default spec again reuses the locked one.
    return [ledger.lock(store, init_spec(store, ds), batch.rationale).spec_id for ds in batch.datasets]


class BatchRecord(BaseModel):
    """What a batch queued and where it runs, kept beside the store (``batches/BATCH_ID.json``)."""

    batch_id: str
    created_at: dt.datetime
    backend: Literal["ray", "local"]
    note: str | None = None
    job_ids: list[str]
    request: BatchRequest

    def status(self, store: Store) -> dict[str, Any]:
        """The batch now: each member's job (state, progress, fit, error) and the count of every state."""
        members = [queue.get_job(store, j) for j in self.job_ids]
        counts = {s: sum(m.state == s for m in members) for s in ("queued", "running", "succeeded", "failed")}
        counts["cancelled"] = sum(m.state == "cancelled" for m in members)
        return {
            "batch_id": self.batch_id,
            "backend": self.backend,
            "note": self.note,
            "done": all(m.terminal for m in members),
            "counts": counts,
            "members": [_member(m) for m in members],
        }


def queue_batch(store: Store, requests: list[FitRequest], backend: str, note: str | None, batch: BatchRequest):
    """Record every fit 'queued' (before anything runs) and the batch beside the store; returns the record."""
    ids = [queue.submit(store, r).job_id for r in requests]
    record = BatchRecord(
        batch_id=new_id("batch"),
        created_at=dt.datetime.now(dt.UTC),
        backend=backend,
        note=note,
        job_ids=ids,
        request=batch,
    )
    write_atomic(batch_path(store, record.batch_id), record.model_dump_json(indent=1))
    return record


def load_batch(store: Store, batch_id: str) -> BatchRecord:
    path = batch_path(store, batch_id)
    if not batch_id.startswith("batch_") or not path.exists():
        raise NotFoundError(
            f"No batch with id {batch_id!r}.",
            "The id is the batch_id `POST /fits/batch` returned.",
            code="unknown_batch",
        )
    return BatchRecord.model_validate(json.loads(path.read_text(encoding="utf-8")))


def batch_path(store: Store, batch_id: str) -> Path:
    """Where a batch's record is kept (its runner's log beside it, ``.log``)."""
    return store.artifacts_dir / "batches" / f"{batch_id.replace('/', '_')}.json"


def _member(job: Job) -> dict[str, Any]:
    r = job.request
    what = (
        f"member {r.member}"
        if r.member
        else f"fold {r.fold.origin}/{r.fold.origins} of {r.fold.fit_id}"
        if r.fold
        else "fit"
    )
    return {
        "job_id": job.job_id,
        "spec_id": job.spec_id,
        "what": what,
        "state": job.state,
        "progress": job.progress,
        "fit_id": job.fit_id,
        "error": job.error,
    }
