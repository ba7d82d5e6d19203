"""Data commands: ingest, datasets, describe, query, synth."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from agent.cli.main import add_command, add_force_option, checked_output, open_store
from agent.cli.render import table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "ingest",
        "Load and validate an MFF (CSV/Parquet) or wide CSV file.",
        "mmm-agent ingest data/demo_national.csv --name demo --json",
        _ingest,
        _render_ingest,
    )
    p.add_argument("file", help="MFF long CSV/Parquet, or a wide CSV with --format wide")
    p.add_argument("--name", help="dataset name (default: the file name without extension)")
    p.add_argument("--format", dest="fmt", choices=["mff", "wide"], default="mff", help="input layout")
    p.add_argument("--max-bytes", type=int, help="refuse files larger than this (default 2 GB)")

    add_command(
        sub,
        common,
        "datasets",
        "List the datasets in the store.",
        "mmm-agent datasets --json",
        _datasets,
        _render_datasets,
    )

    p = add_command(
        sub,
        common,
        "describe",
        "Periods, geographies and variables with inferred roles.",
        "mmm-agent describe demo",
        _describe,
        _render_describe,
    )
    p.add_argument("dataset", help="dataset id or name")

    p = add_command(
        sub,
        common,
        "query",
        "Read-only SQL over a dataset's views (mff, variables, wide) and a fit's posterior "
        "(roi_draws, contribution_draws, posterior_summary; several outcomes: outcome_summary, cross_effect_summary).",
        "mmm-agent query demo \"SELECT avg((roi > 1)::INT) FROM roi_draws WHERE channel = 'Search'\"",
        _query,
        _render_query,
    )
    p.add_argument("dataset", help="dataset id or name")
    p.add_argument("sql", help="one SELECT statement")
    p.add_argument(
        "--fit",
        default=None,
        help="fit whose posterior the posterior views show (default: the dataset's newest pre-registered full fit)",
    )
    p.add_argument("--max-rows", type=int, default=1000, help="row limit (default 1000)")
    p.add_argument("--timeout", type=float, default=10.0, help="time limit in seconds (default 10)")

    p = add_command(
        sub,
        common,
        "synth",
        "Write a synthetic MFF dataset with its ground truth.",
        "mmm-agent synth national_small --seed 0 --out sales.csv --truth truth.json",
        _synth,
        None,
    )
    p.add_argument(
        "preset",
        # Spelled out: importing mmm_core.synth here costs every command ~1 s (tests pin it to synth.PRESETS).
        help="national_small | national_logistic | geo_medium | mediated | mediated_single | mediated_survey"
        " | enterprise | brand | brand_survey | brand_none | sparse_controls | confounded_control | two_products"
        " | two_products_null | two_products_geo",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="output CSV (or .parquet)")
    p.add_argument("--truth", help="ground-truth JSON path")
    add_force_option(p)


def _ingest(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.data.ingest import ingest

    result = ingest(open_store(args), Path(args.file), name=args.name, fmt=args.fmt, max_bytes=args.max_bytes)
    return result.model_dump(mode="json")


def _render_ingest(r: dict[str, Any]) -> str:
    head = "Already in the store (identical content)" if r.get("already_present") else "Ingested"
    nat = r.get("national_geography")
    geos = len(r["geographies"]) - (nat is not None)
    lines = [
        f"{head}: dataset {r['name']} ({r['dataset_id']})",
        f"  {r['rows']} rows, {r['periods']} periods ({r.get('period_start')} … {r.get('period_end')}, "
        f"{r.get('frequency')}), {geos} geographies{f' + national rows ({nat!r})' if nat is not None else ''}, "
        f"{r['variables']} variables",
        f"  fingerprint {r['fingerprint']}",
    ]
    for c in r.get("channels", []):  # what the model will see as channels, with their metrics
        exposure = f"; exposure {', '.join(c['exposure'])}" if c["exposure"] else ""
        lines.append(f"  channel {c['channel']}: spend {', '.join(c['spend']) or 'none'}{exposure}")
    if r.get("ragged"):
        lines.append(f"  ragged (present in some geographies only): {', '.join(r['ragged'])}")
    rollups = r.get("rollups", [])
    lines += [f"  roll-up: {w}" for w in rollups]
    lines += [f"  warning: {w}" for w in r.get("warnings", []) if w not in rollups]
    return "\n".join(lines)


# The store's column names → the names `ingest --json` and `describe --json` use for the same fields.
DATASET_FIELDS = {"id": "dataset_id", "n_rows": "rows"}


def _datasets(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.data.queries import list_datasets

    rows = list_datasets(open_store(args))
    return {"datasets": [{DATASET_FIELDS.get(k, k): v for k, v in d.items()} for d in rows]}


def _render_datasets(r: dict[str, Any]) -> str:
    if not r["datasets"]:
        return "No datasets yet. Load one with `mmm-agent ingest FILE` or run `mmm-agent demo`."
    return table(
        ["id", "name", "rows", "frequency", "from", "to"],
        [
            [d["dataset_id"], d["name"], d["rows"], d["frequency"], d["period_start"], d["period_end"]]
            for d in r["datasets"]
        ],
    )


def _describe(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.data.queries import describe

    return describe(open_store(args), args.dataset)


def _render_describe(d: dict[str, Any]) -> str:
    p = d["periods"]
    geos = d["geographies"]
    head = [
        f"Dataset {d['name']} ({d['dataset_id']}): {d['rows']} rows",
        f"  periods: {p['count']} ({p['start']} … {p['end']}), frequency {d['frequency']}",
        f"  geographies: {len(geos)} ({', '.join(g or '(national)' for g in geos[:8])}{' …' if len(geos) > 8 else ''})",
        f"  fingerprint: {d['fingerprint']}",
        "",
    ]
    rows = [
        [
            v["name"],
            v["role"],
            v.get("channel") or "",
            f"{(v.get('coverage') or 0):.0%}",
            "yes" if v.get("ragged") else "",
        ]
        for v in d["variables"]
    ]
    return "\n".join(head) + table(["variable", "role", "channel", "coverage", "ragged"], rows)


def _query(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.data.sql_sandbox import names_posterior, query

    store = open_store(args)
    choice = None
    if names_posterior(args.sql):  # only then is a fit chosen (and its draws back-filled if it predates them)
        from mmm_core.fit.posterior_tables import posterior_fit

        choice = posterior_fit(store, args.dataset, args.fit)
    out = query(
        store,
        args.dataset,
        args.sql,
        max_rows=args.max_rows,
        timeout_s=args.timeout,
        fit_id=choice.fit_id if choice else None,
    )
    return {**out, "fit": choice.to_dict()} if choice else out


def _render_query(r: dict[str, Any]) -> str:
    out = table(r["columns"], r["rows"])
    if r["truncated"]:
        out += f"\n(first {r['row_limit']} rows shown; raise --max-rows for more)"
    fit = r.get("fit")
    if fit:
        out += f"\n(posterior of {fit['description']}" + (f"; {fit['reason']}" if fit.get("reason") else "") + ")"
    if r.get("note"):
        out += f"\n{r['note']}"
    return out


def _synth(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.outputs import OutputRefusedError
    from mmm_core.synth import write

    out, truth = checked_output(args, args.out), checked_output(args, args.truth)
    if truth is not None and truth == out:
        raise OutputRefusedError(
            f"Refused: --out and --truth name the same file ({out}).", "Give the ground truth its own file."
        )
    path, truth_path = write(args.preset, args.seed, out, truth)
    return {
        "path": str(path),
        "truth_path": str(truth_path) if truth_path else None,
        "preset": args.preset,
        "seed": args.seed,
    }
