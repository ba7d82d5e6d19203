"""`mmm-agent demo`: the main path on the bundled synthetic data, offline, step by step."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agent.cli.main import add_command
from agent.cli.render import interval, table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "demo",
        "Run the whole path on bundled synthetic data, offline.",
        "mmm-agent demo --workdir /tmp/mmm-demo --quick",
        _demo,
        _render_demo,
    )
    p.add_argument("--workdir", default="mmm_demo", help="folder for the data file, draft spec and store")
    p.add_argument("--quick", action="store_true", help="quick approximate fit instead of full NUTS")


def _say(message: str) -> None:
    print(f"• {message}", file=sys.stderr, flush=True)


def _demo(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core import ledger
    from mmm_core.answers.results import roi
    from mmm_core.data.ingest import ingest
    from mmm_core.data.queries import describe
    from mmm_core.fit.job import run_fit
    from mmm_core.outputs import check_output_path
    from mmm_core.report import build_report
    from mmm_core.spec import init_spec, save_draft
    from mmm_core.store import Store
    from mmm_core.synth import write

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    store = Store(getattr(args, "store", None) or work / "mmm_store" / "mmm.duckdb")
    # the demo rewrites its own workdir files on every run (force), but never the store or anything beside it
    files = {
        name: check_output_path(work / name, store.path, force=True)
        for name in ("demo_national.csv", "demo_national_truth.json", "spec_draft.yaml", "report.html")
    }
    csv, truth_path = write("national_small", 0, files["demo_national.csv"], files["demo_national_truth.json"])
    _say(f"synth: wrote {csv} (104 weeks, 4 channels) and its ground truth")
    loaded = ingest(store, csv, name="demo_national")
    _say(
        f"ingest: dataset {loaded.dataset_id} ({loaded.rows} rows)"
        + (" — already in the store" if loaded.already_present else "")
    )
    described = describe(store, loaded.dataset_id)
    _say("describe: " + ", ".join(f"{v['name']}={v['role']}" for v in described["variables"]))
    spec = init_spec(store, loaded.dataset_id)
    draft = save_draft(spec, files["spec_draft.yaml"])
    locked = ledger.lock(store, spec, "Demo: the default spec drafted from the data, locked before any fit.")
    _say(f"spec: drafted {draft}, locked as {locked.spec_id} v{locked.version} (sha256 {locked.sha256[:12]}…)")
    _say("fit: " + ("quick approximation" if args.quick else "NUTS, 2 chains × 1000 warm-up + 1000 draws"))
    fit = run_fit(store, locked.spec_id, quick=args.quick, progress=_progress_line)
    table_ = roi(store, fit["fit_id"], allow_unhealthy=True)
    truth = json.loads(Path(truth_path).read_text())
    report = build_report(store, fit["fit_id"], files["report.html"], allow_unhealthy=True)
    _say(f"report: {report['path']} (self-contained HTML; prose grounded: {report['grounded']})")
    return {
        "dataset_id": loaded.dataset_id,
        "spec_id": locked.spec_id,
        "fit_id": fit["fit_id"],
        "report": report["path"],
        "store": str(store.path),
        "fit": {k: fit[k] for k in ("status", "approximate", "label", "elapsed_s", "diagnostics", "health")},
        "roi": table_,
        "true_roi": {c: truth["channels"][c]["roi"] for c in table_["channels"] if c in truth.get("channels", {})},
        "not_built": [],  # kept for the stable JSON shape: every step of the main path is built
    }


def _progress_line(fraction: float, message: str) -> None:
    print(f"\r  [{fraction:6.1%}] {message[:70]:<70}", end="" if fraction < 1 else "\n", file=sys.stderr, flush=True)


def _render_demo(r: dict[str, Any]) -> str:
    fit = r["fit"]
    iv = r["roi"]["interval"]
    rows = [
        [name, interval(c["roi"]), r["true_roi"].get(name), interval(c["mroi"])]
        for name, c in r["roi"]["channels"].items()
    ]
    health = fit.get("health") or {}
    lines = [
        f"Fit {r['fit_id']}: {fit['status']} in {fit['elapsed_s']:.1f} s"
        + (f" — {fit['label']}" if fit.get("approximate") else ""),
        f"Health: {health.get('overall')} — {health.get('summary', '')}",
        "",
        f"ROI with {iv['level']:.0%} {iv['method'].replace('_', '-')} intervals, next to the synthetic truth:",
        table(["channel", "ROI (estimate)", "true ROI", "marginal ROI"], rows),
        "",
        r["roi"]["provenance"]["disclosure"],
        f"Report: {r['report']}",
        "Mediation: load data/demo_mediated.csv (monthly Awareness survey) and ask `mmm-agent mediation FIT_ID`.",
        f"Store: {r['store']}  (try: mmm-agent --store {r['store']} ledger demo_national)",
    ]
    return "\n".join(lines)
