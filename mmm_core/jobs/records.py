"""What the fit queue stores and hands out: the fit request (one definition for the CLI's ``--submit``, the REST
API's request body and the Ray batch) and the job as read back from the ``jobs`` table."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

JOB_STATES = ("queued", "running", "succeeded", "failed", "cancelled")
TERMINAL_STATES = ("succeeded", "failed", "cancelled")
JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]


class Fold(BaseModel):
    """One rolling origin of a fit's out-of-sample validation (``health --oos``) as a fit of its own: the fit's
    model refitted without the last ``origin`` x horizon periods, scored on the horizon after the cut."""

    model_config = ConfigDict(extra="forbid")

    fit_id: str = Field(min_length=1, description="the succeeded fit being validated")
    origin: int = Field(ge=1, le=3, description="which origin: 1 cuts one horizon, 2 two, ...")
    origins: int = Field(ge=1, le=3, description="origins of the whole validation (they share the horizon)")

    @model_validator(mode="after")
    def _origin_in_range(self) -> Fold:
        if self.origin > self.origins:
            raise ValueError(f"origin {self.origin} of {self.origins}: an origin is 1 to origins")
        return self


class FitRequest(BaseModel):
    """One fit to run: the arguments of ``mmm-agent fit`` (``run_fit``) as data — or, for a batch, one member of
    a spec's declared comparison fitted alone (``member``), or one out-of-sample fold of a fit (``fold``)."""

    model_config = ConfigDict(extra="forbid")

    spec_id: str = Field(min_length=1, description="id of a locked spec")
    quick: bool = Field(False, description="MAP + Laplace: seconds, uncertainty not calibrated")
    engine: Literal["numpyro", "pymc-marketing"] = "numpyro"
    chains: int | None = Field(None, ge=1, le=64)
    warmup: int | None = Field(None, ge=1, le=100_000)
    draws: int | None = Field(None, ge=1, le=100_000)
    seed: int | None = None
    member: str | None = Field(
        None, description="fit only this member of the spec's declared comparison ('spec': the spec as written)"
    )
    fold: Fold | None = Field(None, description="fit one out-of-sample fold of a fit (its spec, its settings)")

    @model_validator(mode="after")
    def _one_variant(self) -> FitRequest:
        if self.member is not None and self.fold is not None:
            raise ValueError("a request is a comparison member or an out-of-sample fold, not both")
        return self

    @property
    def plain(self) -> bool:
        """A fit of the spec as locked (``run_fit``), not a member or a fold."""
        return self.member is None and self.fold is None

    def run_fit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``mmm_core.fit.job.run_fit`` after the store and the spec id."""
        return self.model_dump(exclude={"spec_id", "member", "fold"})


class Job(BaseModel):
    """A row of the ``jobs`` table, decoded: the JSON shape of ``jobs show`` and ``GET /jobs/{id}``."""

    job_id: str
    kind: str
    state: JobState
    spec_id: str | None
    request: FitRequest
    worker_id: str | None
    host: str | None
    pid: int | None
    attempts: int
    progress: float
    log: str
    fit_id: str | None
    error: dict[str, Any] | None
    cancel_requested: bool
    rerun_of: str | None
    created_at: dt.datetime
    claimed_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    finished_at: dt.datetime | None

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Job:
        return cls(
            job_id=row["id"],
            kind=row["kind"],
            state=row["state"],
            spec_id=row["spec_id"],
            request=FitRequest.model_validate_json(row["payload_json"]),
            worker_id=row["worker_id"],
            host=row["host"],
            pid=row["pid"],
            attempts=row["attempts"],
            progress=row["progress"],
            log=row["log"],
            fit_id=row["fit_id"],
            error=json.loads(row["error_json"]) if row["error_json"] else None,
            cancel_requested=row["cancel_requested"],
            rerun_of=row["rerun_of"],
            created_at=row["created_at"],
            claimed_at=row["claimed_at"],
            heartbeat_at=row["heartbeat_at"],
            finished_at=row["finished_at"],
        )

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class JobList(BaseModel):
    """``jobs list`` / ``GET /jobs``: newest first."""

    jobs: list[Job]
    counts: dict[str, int]
