"""`mmm-agent fit-many`: a batch of fits (specs × datasets) on Ray, else on the local worker pool."""

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
    p.add_argument("--quick", action="store_true", help="MAP + Laplace: seconds per fit, uncertainty not calibrated")
    p.add_argument("--chains", type=int)
    p.add_argument("--draws", type=int)
    p.add_argument("--tune", "--warmup", dest="warmup", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--backend", choices=["auto", "ray", "local"], default="auto", help="auto: Ray when installed")
    p.add_argument("--ray-address", help="an existing Ray cluster (default $RAY_ADDRESS, else a local runtime)")
    p.add_argument("--workers", type=int, default=2, help="local pool size (default 2)")
    p.add_argument("--cpus-per-fit", type=float, default=1.0, help="CPUs Ray reserves per fit (default 1)")


def _fit_many(args: argparse.Namespace) -> dict[str, Any]:
    from agent.service.fleet import batch_requests, run_batch

    store = open_store(args)
    settings = {"quick": args.quick, "chains": args.chains, "draws": args.draws, "warmup": args.warmup}
    requests = batch_requests(store, args.spec_ids, args.dataset, args.rationale, seed=args.seed, **settings)
    return run_batch(
        store,
        requests,
        backend=args.backend,
        ray_address=args.ray_address,
        workers=args.workers,
        cpus_per_fit=args.cpus_per_fit,
    )


def _render(r: dict[str, Any]) -> str:
    where = r["ray_address"] or "the local worker pool"
    head = f"{r['succeeded']}/{r['n']} fits succeeded on {where} in {r['wall_s']:.1f} s ({r['fits_per_min']} per min)"
    rows = [[j["job_id"], j["spec_id"], j["state"], j["fit_id"], (j["error"] or {}).get("code")] for j in r["jobs"]]
    lines = [head, table(["job", "spec", "state", "fit", "error"], rows)]
    return "\n".join(lines + ([r["note"]] if r["note"] else []))
