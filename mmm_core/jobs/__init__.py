"""The durable fit queue (jobs in the store, claimed by worker processes) and the batch of many fits."""

from mmm_core.jobs.queue import (
    Worker,
    cancel,
    check,
    claim,
    fail,
    finish,
    get_job,
    heartbeat,
    list_jobs,
    reap_lost,
    rerun,
    submit,
)
from mmm_core.jobs.records import JOB_STATES, TERMINAL_STATES, FitRequest, Fold, Job, JobList

__all__ = [
    "JOB_STATES",
    "TERMINAL_STATES",
    "FitRequest",
    "Fold",
    "Job",
    "JobList",
    "Worker",
    "cancel",
    "check",
    "claim",
    "fail",
    "finish",
    "get_job",
    "heartbeat",
    "list_jobs",
    "reap_lost",
    "rerun",
    "submit",
]
