"""`mmm-agent fit-many`: a batch of fits (specs × datasets, comparison members, out-of-sample folds) on Ray, else
on the local worker pool. The options are the fields of :class:`mmm_core.jobs.batch.BatchRequest` (the body of
``POST /fits/batch``)."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli.main import add_command, open_store
from agent.cli.render import table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "fit-many",
        "Fit many specs at once: on Ray (local runtime, or --ray-address), else on the local worker pool.",
        'mmm-agent fit-many --dataset brand_a_de --dataset brand_a_fr --rationale "default per market" --quick',
        _fit_many,
        _render,
    )
    p.add_argument("spec_ids", nargs="*", help="locked spec ids to fit")
    p.add_argument("--dataset", action="append", default=[], help="also fit this dataset's default spec (repeat)")
    p.add_argument("--rationale", help="why: needed with --dataset (its default spec is locked)")
    p.add_argument(
        "--comparison",
        dest="comparisons",
        metavar="SPEC_ID",
        action="append",
        default=[],
        help="a locked spec declaring a comparison: fit each member (the spec as written too) as its own fit",
    )
    p.add_argument(
        "--oos",
        dest="folds",
        metavar="FIT_ID",
        action="append",
        default=[],
        help="a succeeded fit: run its out-of-sample folds",
    )
    p.add_argument("--origins", type=int, default=1, help="rolling origins per --oos fit (1-3, default 1)")
    p.add_argument("--quick", action="store_true", help="MAP + Laplace: seconds per fit, uncertainty not calibrated")
    p.add_argument("--chains", type=int)
    p.add_argument("--draws", type=int)
    p.add_argument("--tune", "--warmup", dest="warmup", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--backend", choices=["auto", "ray", "local"], default="auto", help="auto: Ray when installed")
    p.add_argument("--ray-address", help="an existing Ray cluster (default $RAY_ADDRESS, else a local runtime)")
    p.add_argument("--workers", type=int, default=2, help="local pool size (default 2)")
    p.add_argument("--cpus-per-fit", type=float, default=1.0, help="CPUs Ray reserves per fit (default 1)")
    p.add_argument(
        "--batch", metavar="BATCH_ID", help="run this already-queued batch (how `POST /fits/batch` runs its batches)"
    )


def _fit_many(args: argparse.Namespace) -> dict[str, Any]:
    from agent.service.fleet import run_batch, run_record
    from mmm_core.jobs.batch import load_batch

    store = open_store(args)
    run = {"ray_address": args.ray_address, "cpus_per_fit": args.cpus_per_fit}
    if args.batch:
        return run_record(store, load_batch(store, args.batch), **run)
    return run_batch(store, _batch(args), **run)


def _batch(args: argparse.Namespace):
    """The command line as the batch record; a value out of range is a usage error naming the option."""
    from pydantic import ValidationError

    from mmm_core.errors import MMMError
    from mmm_core.jobs.batch import BatchRequest

    values = dict(
        specs=args.spec_ids,
        datasets=args.dataset,
        rationale=args.rationale,
        comparisons=args.comparisons,
        folds=args.folds,
        origins=args.origins,
        quick=args.quick,
        chains=args.chains,
        draws=args.draws,
        warmup=args.warmup,
        seed=args.seed,
        backend=args.backend,
        workers=args.workers,
    )
    try:
        return BatchRequest(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        option = "--" + str(first["loc"][0]).replace("_", "-")
        raise MMMError(
            f"{option}: {first['msg']}.", "`mmm-agent fit-many --help` lists the options.", code="bad_argument"
        ) from None


def _render(r: dict[str, Any]) -> str:
    where = r["ray_address"] or "the local worker pool"
    head = f"{r['succeeded']}/{r['n']} fits succeeded on {where} in {r['wall_s']:.1f} s ({r['fits_per_min']} per min)"
    rows = [[j["job_id"], j["spec_id"], j["state"], j["fit_id"], (j["error"] or {}).get("code")] for j in r["jobs"]]
    lines = [head, table(["job", "spec", "state", "fit", "error"], rows)]
    for v in r.get("oos") or []:
        if v.get("status") == "incomplete":
            lines.append(f"out-of-sample validation of {v['fit_id']}: incomplete (a fold failed)")
        else:
            kept = "stored with the fit" if v["stored"] else "not stored (quick fit: approximate)"
            lines.append(f"out-of-sample validation of {v['fit_id']}: {v['reason']} ({kept})")
    return "\n".join(lines + ([r["note"]] if r["note"] else []))
