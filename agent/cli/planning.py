"""Budget commands: optimize and scenario."""

from __future__ import annotations

import argparse
import re
from typing import Any

from agent.cli.main import add_command, open_store
from agent.cli.render import fmt_cell, interval, table
from mmm_core.errors import MMMError

_SUFFIX = {"k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9}


def amount(text: str) -> float:
    """'2M', '500k', '$1,250,000', '1.5e6' → a number of spend units."""
    m = re.fullmatch(r"\s*\$?\s*([0-9][0-9,]*\.?[0-9]*(?:e[+-]?\d+)?)\s*(k|m|mm|b|bn)?\s*", text, re.IGNORECASE)
    if not m:
        raise MMMError(
            f"Cannot read the amount {text!r}.", "Write it like 2000000, 2M, 500k or $1,250,000.", code="bad_amount"
        )
    return float(m.group(1).replace(",", "")) * _SUFFIX.get((m.group(2) or "").lower(), 1.0)


def _pairs(items: list[str] | None, what: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        if "=" not in item:
            raise MMMError(
                f"Cannot read {what} {item!r}.", "Write it as CHANNEL=VALUE, e.g. Search=100k.", code="bad_argument"
            )
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def _range(text: str, parse) -> tuple[float | None, float | None]:
    lo, _, hi = text.partition(":")
    return (parse(lo) if lo.strip() else None, parse(hi) if hi.strip() else None)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "optimize",
        "Best allocation of a budget over the next N periods.",
        "mmm-agent optimize fit_3f9a1c2b7d --budget 2M --bound Search=100k: --fixed Email=50k --periods 13",
        _optimize,
        _render_optimize,
    )
    p.add_argument("fit_id")
    p.add_argument("--budget", required=True, help="total over the horizon, e.g. 2M or 500k")
    p.add_argument("--periods", type=int, default=13, help="planning horizon in periods (default 13)")
    p.add_argument("--bound", action="append", metavar="CH=LO:HI", help="channel total over the horizon")
    p.add_argument("--bound-pct", action="append", metavar="CH=LO:HI", help="%% change from the recent level")
    p.add_argument("--fixed", action="append", metavar="CH=AMOUNT", help="channel total fixed at AMOUNT")
    p.add_argument("--objective", choices=["mean", "mean_sd", "cvar"], default="mean")
    p.add_argument("--allow-unhealthy", action="store_true")

    p = add_command(
        sub,
        common,
        "scenario",
        "Expected KPI of an allocation against the current spend level.",
        "mmm-agent scenario fit_3f9a1c2b7d --allocation Search=300k --allocation Social=150k",
        _scenario,
        _render_scenario,
    )
    p.add_argument("fit_id")
    p.add_argument(
        "--allocation",
        action="append",
        required=True,
        metavar="CH=AMOUNT",
        help="total over the horizon per channel (channels left out keep their current level)",
    )
    p.add_argument("--periods", type=int, default=13)
    p.add_argument("--allow-unhealthy", action="store_true")


def _optimize(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.planning import optimize

    bounds = {ch: _range(v, amount) for ch, v in _pairs(args.bound, "bound").items()} or None
    pct = {ch: _range(v, float) for ch, v in _pairs(args.bound_pct, "bound").items()} or None
    fixed = {ch: amount(v) for ch, v in _pairs(args.fixed, "fixed amount").items()} or None
    return optimize(
        open_store(args),
        args.fit_id,
        amount(args.budget),
        periods=args.periods,
        bounds=bounds,
        bounds_pct=pct,
        fixed=fixed,
        objective=args.objective,
        allow_unhealthy=args.allow_unhealthy,
    )


def _render_optimize(r: dict[str, Any]) -> str:
    vs = r.get("vs_current") or {}
    per = vs.get("per_channel") or {}
    rows = [
        [ch, amt, per.get(ch, {}).get("amount"), interval(r["marginal_roi"].get(ch))]
        for ch, amt in r["allocation"].items()
    ]
    lines = [
        f"Plan {r['plan_id']}: budget {fmt_cell(r['budget'])} over {r['horizon_periods']} periods "
        f"(objective {_objective(r['objective'])})",
        table(["channel", "allocation", "change vs current", "marginal ROI at optimum"], rows),
        f"Expected media KPI: {interval(r['expected_kpi'], 0)}",
    ]
    if vs.get("prob_better") is not None:
        lines.append(f"P(plan beats the current pattern) = {vs['prob_better']:.2f}")
    lines.append(
        "Optimality verified (equal marginal ROI across unconstrained channels)."
        if r.get("optimality_verified")
        else "Optimality NOT verified — see optimality details (--json)."
    )
    for b in r.get("binding", []):
        lines.append(
            f"Binding: {b['constraint']} {b.get('channel') or ''} — shadow price "
            f"{interval(b.get('shadow_price'))} KPI per extra unit"
        )
    lines += [f"Warning: {w}" for w in r.get("warnings", [])]
    if r.get("approximate"):
        lines.append(f"Note: {r['label']}.")
    lines.append(r["provenance"]["disclosure"])
    return "\n".join(lines)


def _objective(obj: Any) -> str:
    kind = obj.get("kind") if isinstance(obj, dict) else obj
    return {"mean": "expected KPI", "mean_sd": "mean − λ·sd", "cvar": "CVaR"}.get(kind, str(kind))


def _scenario(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.planning import scenario

    alloc = {ch: amount(v) for ch, v in _pairs(args.allocation, "allocation").items()}
    return scenario(
        open_store(args),
        args.fit_id,
        [alloc],
        periods=args.periods,
        names=["scenario"],
        allow_unhealthy=args.allow_unhealthy,
    )


def _render_scenario(r: dict[str, Any]) -> str:
    sc = r["scenarios"][0]
    vs = sc.get("vs_current") or {}
    lines = [
        f"Scenario over {r['horizon_periods']} periods: "
        + ", ".join(f"{ch} {fmt_cell(v)}" for ch, v in sc["allocation"].items()),
        f"Expected media KPI: {interval(sc['expected_kpi'], 0)}  (current level: "
        f"{interval(r['current']['expected_kpi'], 0)})",
    ]
    if vs.get("delta"):
        lines.append(f"Change vs current: {interval(vs['delta'], 0)}; P(better) = {vs.get('prob_better', 0):.2f}")
    lines += [f"Note: {n}" for n in r.get("notes", [])]
    lines.append(r["provenance"]["disclosure"])
    return "\n".join(lines)
