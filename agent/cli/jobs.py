"""Queue commands: `worker [--once|--drain]`, `jobs list|show|cancel|rerun`, and `fit --submit` (mmm_core.jobs)."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli.main import add_command, open_store
from agent.cli.render import table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "worker",
        "Run queued fits (one at a time) until stopped; start several for several at once.",
        "mmm-agent worker --drain",
        _worker,
        _render_worker,
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="run at most one job, then exit")
    mode.add_argument("--drain", action="store_true", help="exit when the queue is empty")

    jobs = sub.add_parser(
        "jobs",
        help="List, inspect, cancel and re-run queued fits.",
        parents=[common],
        description="List, inspect, cancel and re-run queued fits (`mmm-agent fit SPEC_ID --submit` queues one).",
        epilog="Example:\n  mmm-agent jobs list --state failed",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    jobs_sub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    p = add_command(jobs_sub, common, "list", "Newest jobs first.", "mmm-agent jobs list", _list, _render_list)
    p.add_argument("--state", help="only jobs in this state (queued, running, succeeded, failed, cancelled)")
    p.add_argument("--limit", type=int, default=50)
    for name, text, handler in (
        ("show", "One job: state, progress, log, fit, error.", _show),
        ("cancel", "Cancel a queued job, or ask a running job's worker to stop.", _cancel),
        ("rerun", "Queue a failed or cancelled job again (a new job linked to it).", _rerun),
    ):
        p = add_command(jobs_sub, common, name, text, f"mmm-agent jobs {name} job_3f9a1c2b7d", handler, render_job)
        p.add_argument("job_id")


def submit_fit(args: argparse.Namespace) -> dict[str, Any]:
    """`mmm-agent fit SPEC_ID --submit`: the fit request queued; returns the job."""
    from mmm_core.jobs import FitRequest, submit

    request = FitRequest(
        spec_id=args.spec_id,
        quick=args.quick,
        engine=args.engine,
        chains=args.chains,
        warmup=args.warmup,
        draws=args.draws,
        seed=args.seed,
    )
    return submit(open_store(args), request).to_dict()


def _worker(args: argparse.Namespace) -> dict[str, Any]:
    from agent.service.worker import run_worker

    return run_worker(open_store(args), once=args.once, drain=args.drain).to_dict()


def _render_worker(r: dict[str, Any]) -> str:
    rows = [[j["job_id"], j["state"], j["fit_id"]] for j in r["jobs"]]
    head = f"Worker {r['worker_id']}: {r['n_jobs']} job(s), {r['succeeded']} succeeded."
    return head + ("\n" + table(["job", "state", "fit"], rows) if rows else "")


def _list(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.jobs import list_jobs

    return list_jobs(open_store(args), state=args.state, limit=args.limit).model_dump(mode="json")


def _render_list(r: dict[str, Any]) -> str:
    rows = [
        [j["job_id"], j["state"], j["spec_id"], "quick" if j["request"]["quick"] else "nuts", f"{j['progress']:.0%}"]
        + [j["fit_id"], (j["error"] or {}).get("code")]
        for j in r["jobs"]
    ]
    counts = ", ".join(f"{n} {s}" for s, n in r["counts"].items() if n)
    return table(["job", "state", "spec", "mode", "progress", "fit", "error"], rows) + f"\n{counts or 'no jobs'}"


def _show(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.jobs import get_job

    return get_job(open_store(args), args.job_id).to_dict()


def _cancel(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.jobs import cancel

    return cancel(open_store(args), args.job_id).to_dict()


def _rerun(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.jobs import rerun

    return rerun(open_store(args), args.job_id).to_dict()


def render_job(r: dict[str, Any]) -> str:
    lines = [f"Job {r['job_id']} {r['state']} ({r['progress']:.0%}): fit of spec {r['spec_id']}"]
    if r["state"] == "queued":
        lines.append("  waiting for a worker (`mmm-agent worker`; `mmm-agent serve` starts one)")
    if r["cancel_requested"] and r["state"] == "running":
        lines.append("  cancel asked: the worker stops at its next progress report")
    if r["fit_id"]:
        lines.append(f"  fit {r['fit_id']}")
    if r["rerun_of"]:
        lines.append(f"  re-run of {r['rerun_of']}")
    if r["error"]:
        lines.append(f"  error [{r['error'].get('code')}]: {r['error'].get('message')}")
    if r["log"]:
        lines.append("  log: " + r["log"].strip().splitlines()[-1])
    return "\n".join(lines)
