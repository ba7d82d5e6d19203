"""`experiments add DATASET FILE` / `experiments list DATASET`: lift tests stored per dataset; `experiments suggest
FIT_ID`: which test to run next (issue 19)."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli.main import add_command, open_store
from agent.cli.render import table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "experiments",
        "Lift tests (experiments) stored per dataset: add a validated CSV, or list them.",
        "mmm-agent experiments add demo tests.csv --json   |   mmm-agent experiments list demo   |   "
        "mmm-agent experiments suggest FIT_ID --weeks 6",
        _list,
        _render_list,
    )
    actions = p.add_subparsers(dest="experiments_action", metavar="ACTION")
    add = actions.add_parser(
        "add",
        parents=[common],
        help="validate a CSV of lift tests (Channel, Geography, Start, End, SpendChange, Lift, LiftSE) and store it",
        description="Columns: Channel, Geography (empty = all), Start, End (inclusive periods of the spend change), "
        "SpendChange (total extra spend in the cell, negative for a go-dark), Lift (measured incremental KPI), "
        "LiftSE; optional MeasuredUntil, Type (lift | geo holdout | go-dark | heavy-up), Source.",
    )
    add.add_argument("dataset", help="dataset id or name")
    add.add_argument("file", help="CSV of lift tests, one row per test")
    add.set_defaults(handler=_add, render=_render_add)
    listing = actions.add_parser("list", parents=[common], help="the lift tests stored for a dataset")
    listing.add_argument("dataset", help="dataset id or name")
    listing.set_defaults(handler=_list, render=_render_list)
    suggest = actions.add_parser(
        "suggest",
        parents=[common],
        help="rank the channels by how much a lift test would narrow their ROI interval, with a design for each",
        description="For each channel: a test design (go-dark, geo holdout or heavy-up; spend change in money, "
        "periods, geographies), its expected standard error from the fit's KPI noise, and the ROI interval now and "
        "expected after the test (a preposterior on the fit's draws; no refit).",
    )
    suggest.add_argument("fit_id", help="fit id (`mmm-agent fits`)")
    suggest.add_argument("--weeks", type=int, default=6, help="test length in periods (default 6)")
    suggest.add_argument("--allow-unhealthy", action="store_true", help="answer even if the health review failed")
    suggest.add_argument(
        "--plan-value",
        action="store_true",
        help="also: how often each test would change the optimizer's recommended plan, and the KPI it would add "
        "(about a minute of optimizer runs)",
    )
    suggest.set_defaults(handler=_suggest, render=_render_suggest)


def _add(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.data.experiments import add_experiments

    return add_experiments(open_store(args), args.dataset, args.file)


def _suggest(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.test_next import suggest_experiments

    return suggest_experiments(
        open_store(args), args.fit_id, args.weeks, allow_unhealthy=args.allow_unhealthy, plan_value=args.plan_value
    )


def _list(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.data.experiments import list_experiments
    from mmm_core.data.queries import resolve_dataset

    dataset = getattr(args, "dataset", None)
    if dataset is None:
        from mmm_core.errors import MMMError

        raise MMMError(
            "No action given for `experiments`.",
            "Use `mmm-agent experiments add DATASET FILE` or `mmm-agent experiments list DATASET`.",
            code="usage",
        )
    store = open_store(args)
    return {"dataset_id": resolve_dataset(store, dataset)["id"], "experiments": list_experiments(store, dataset)}


def _rows(experiments: list[dict[str, Any]]) -> str:
    rows = [
        [
            e["experiment_id"],
            e["channel"],
            e["geography"],
            f"{e['start']} … {e['end']}",
            f"{e['spend_change']:,.0f}",
            f"{e['lift']:,.0f} ± {e['lift_se']:,.0f}",
            e["type"],
        ]
        for e in experiments
    ]
    return table(["experiment", "channel", "geography", "window", "spend change", "lift ± se", "type"], rows)


def _render_add(r: dict[str, Any]) -> str:
    head = f"Added {len(r['added'])} experiment(s) to {r['dataset_id']} from {r['file']}"
    if r["already_present"]:
        head += f" ({len(r['already_present'])} already stored)"
    note = "`mmm-agent spec init` puts every stored experiment into the draft's experiments: list."
    return "\n".join([head, _rows(r["experiments"]), note])


def _render_list(r: dict[str, Any]) -> str:
    if not r["experiments"]:
        return f"No experiments stored for {r['dataset_id']}. Add some: `mmm-agent experiments add DATASET FILE`."
    return "\n".join([f"Experiments of {r['dataset_id']}:", _rows(r["experiments"])])


def _render_suggest(r: dict[str, Any]) -> str:
    rows = []
    for s in r["suggestions"]:
        d, p = s["design"], s["precision"]
        lo, hi = p["roi_interval_before"]
        rows.append(
            [
                str(s["rank"]),
                s["channel"],
                f"{d['type']} {d['spend_change']:+,.0f} × {d['periods']} periods, {', '.join(d['geographies'])}",
                f"± {p['lift_se']:,.0f}",
                f"{lo:.2f} … {hi:.2f} (width {p['roi_width_before']:.2f}) → {p['roi_expected_width_after']:.2f}",
                f"{p['expected_narrowing']:.0%}",
            ]
        )
    head = (
        f"Which lift test next (fit {r['fit_id']}; {r['label']}):"
        if r["approximate"]
        else (f"Which lift test next (fit {r['fit_id']}):")
    )
    reasons = [f"{s['rank']}. {s['channel']}: {s['reason']}" + _plan_text(s) for s in r["suggestions"]]
    table_ = table(["#", "channel", "design", "lift SE", "90% ROI interval → expected width", "narrowing"], rows)
    return "\n".join([head, table_, *reasons, r["method"]])


def _plan_text(s: dict[str, Any]) -> str:
    v = s.get("plan_value")
    if v is None:
        return ""
    return (
        f" The test would change the recommended plan in {v['p_change']:.0%} of {v['sims']} simulated outcomes; "
        f"expected KPI gain from the better plan {v['evsi']:,.0f}."
    )
