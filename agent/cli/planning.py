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
    p.add_argument("--objective", choices=["mean", "mean_sd", "cvar"], default=None, help="default: the library's")
    p.add_argument("--margin", type=float, help="profit per unit of KPI (e.g. 0.4 = 40%% gross margin); default 1")
    p.add_argument(
        "--max-change",
        default="0.3",
        help="trust region: each channel within ± this share of its current level (default 0.3; 'none' lifts it)",
    )
    p.add_argument("--extrapolate", action="store_true", help="allow spend outside each channel's observed range")
    p.add_argument("--min-prob", type=float, default=0.9, help="decision rule: minimum P(better) (default 0.9)")
    p.add_argument(
        "--min-gain", type=float, default=0.005, help="decision rule: minimum gain, share of media KPI (0.005)"
    )
    p.add_argument("--no-rule", action="store_true", help="return the plain optimum (no decision rule)")
    p.add_argument("--incremental", action="store_true", help="the budget comes on top of current spend")
    p.add_argument(
        "--total-roi",
        action="store_true",
        help="optimise on total ROI: short-term plus the long-term (brand) effect of the fit's long_term model",
    )
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
    p.add_argument("--margin", type=float, help="profit per unit of KPI (e.g. 0.4 = 40%% gross margin); default 1")
    p.add_argument("--allow-unhealthy", action="store_true")


def _optimize(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.planning import optimize

    bounds = {ch: _range(v, amount) for ch, v in _pairs(args.bound, "bound").items()} or None
    pct = {ch: _range(v, float) for ch, v in _pairs(args.bound_pct, "bound").items()} or None
    fixed = {ch: amount(v) for ch, v in _pairs(args.fixed, "fixed amount").items()} or None
    objective = {"objective": args.objective} if args.objective else {}
    return optimize(
        open_store(args),
        args.fit_id,
        amount(args.budget),
        periods=args.periods,
        bounds=bounds,
        bounds_pct=pct,
        fixed=fixed,
        allow_unhealthy=args.allow_unhealthy,
        incremental=args.incremental,
        margin=args.margin,
        trust_region=_share_or_none(args.max_change),
        extrapolate=args.extrapolate,
        decision_rule=not args.no_rule,
        min_prob_better=args.min_prob,
        min_gain=args.min_gain,
        total_roi=args.total_roi,
        **objective,
    )


def _share_or_none(text: str) -> float | None:
    if text.strip().lower() in ("none", "off", "no"):
        return None
    try:
        return float(text)
    except ValueError:
        raise MMMError(
            f"Cannot read --max-change {text!r}.", "A share such as 0.3, or 'none'.", code="bad_argument"
        ) from None


def _render_optimize(r: dict[str, Any]) -> str:
    vs = r.get("vs_current") or {}
    per = vs.get("per_channel") or {}
    dec = r.get("decision") or {}
    rows = [
        [ch, amt, per.get(ch, {}).get("amount"), interval(r["marginal_roi"].get(ch))]
        for ch, amt in r["allocation"].items()
    ]
    lines = [
        f"Plan {r['plan_id']}: budget {fmt_cell(r['budget'])} over {r['horizon_periods']} periods "
        f"(objective {_objective(r['objective'])})",
        f"Decision: {dec.get('summary', 'n/a')}",
        *_why(dec),
        table(["channel", "recommended", "change vs current mix", "marginal ROI at optimum"], rows),
        f"Expected media KPI: {interval(r['expected_kpi'], 0)}",
    ]
    if vs.get("prob_better") is not None and dec.get("status") != "keep":
        lines.append(f"Gain vs the current mix: {interval(vs['delta'], 0)}; P(better) = {vs['prob_better']:.2f}")
    lines += _outcome_lines(r.get("outcomes"), "the current mix")
    lines += _money_lines(r.get("money") or {})
    lines.append(
        "Optimality verified (equal marginal ROI across unconstrained channels)."
        if r.get("optimality_verified")
        else "Optimality NOT verified — see optimality details (--json)."
    )
    for b in r.get("binding", []):
        source = f" [{b['source']}]" if b.get("source") not in (None, "none") else ""
        lines.append(
            f"Binding: {b['constraint']} {b.get('channel') or ''}{source} — shadow price "
            f"{interval(b.get('shadow_price'))} KPI per extra unit"
        )
    lines += [f"Warning: {w}" for w in r.get("warnings", [])]
    if r.get("approximate"):
        lines.append(f"Note: {r['label']}.")
    lines.append(r["provenance"]["disclosure"])
    return "\n".join(lines)


def _why(dec: dict[str, Any]) -> list[str]:
    why = dec.get("why") or {}
    return [f"  evidence: {e}" for e in why.get("evidence", [])]


def _money_lines(m: dict[str, Any]) -> list[str]:
    """The plan's returns; against today's level, the spend change is what the plan adds or cuts."""
    if not m:
        return []
    lines = [
        f"Money (margin {m['margin']:.2f}, break-even ROI {m['break_even_roi']:.2f}): media ROI "
        f"{interval(m['media_roi'])}; marginal ROI of the budget {interval(m['budget_marginal_roi'])}"
    ]
    if m.get("kpi_per_unit_moved"):
        lines.append(f"  {fmt_cell(m['moved'])} moved returns {interval(m['kpi_per_unit_moved'])} KPI per unit moved")
    level = m.get("vs_current_level") or {}
    if level.get("kpi_per_unit_spend_change"):
        change = level["spend_change"]
        lines.append(
            f"  vs today's spend of {fmt_cell(level['reference_spend'])} at today's mix ({'+' if change > 0 else '−'}"
            f"{fmt_cell(abs(change))} spend): KPI change {interval(level['kpi_change'], 0)}, profit change "
            f"{interval(level['profit_change'], 0)}, P(profit up) = {level['prob_profit_up']:.2f}"
        )
    if m.get("below_break_even"):
        lines.append(
            f"  the last units lose money; expected profit peaks at a budget of about "
            f"{fmt_cell(m['profit_max_budget']['budget'])} at this mix"
        )
    return lines


def _objective(obj: Any) -> str:
    kind = obj.get("kind") if isinstance(obj, dict) else obj
    text = {"mean": "expected KPI", "mean_sd": "mean − λ·sd", "cvar": "CVaR"}.get(kind, str(kind))
    if isinstance(obj, dict) and obj.get("basis") == "total_roi":  # issue 21: never read as a short-term plan
        text += " on TOTAL ROI: short-term + long-term (brand) effect"
    if isinstance(obj, dict) and obj.get("description"):  # several outcomes: the KPI is their weighted sum
        text += f"; KPI = {obj['description']}"
    return text


def _outcome_lines(outcomes: dict[str, Any] | None, reference: str) -> list[str]:
    """Per outcome of a weighted objective: its expected media KPI and the paired change vs ``reference``."""
    lines = []
    for name, o in (outcomes or {}).items():
        vs = o["vs_current"]
        same = vs["delta"]["lo"] == vs["delta"]["hi"] == 0  # the plan is the reference (a kept mix)
        change = "unchanged" if same else f"{interval(vs['delta'], 0)}, P(up) = {vs['prob_up']:.2f}"
        lines.append(
            f"  {name} (weight {o['weight']:g}): expected {interval(o['expected_kpi'], 0)}; vs {reference} {change}"
        )
    return ["Per outcome (own units, cross-effects included):", *lines] if lines else []


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
        margin=args.margin,
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
        lines.append(f"Change vs current: {interval(vs['delta'], 0)}; P(more KPI) = {vs.get('prob_better', 0):.2f}")
    if (r.get("objective") or {}).get("description"):
        lines.append(f"KPI = {r['objective']['description']}")
    lines += _outcome_lines(sc.get("outcomes"), "the current level")
    money = sc.get("money") or {}
    if money.get("verdict"):
        lines.append(
            f"Money: spend change {fmt_cell(money['spend_change'])}, profit change net of spend "
            f"{interval(money['profit_change'], 0)}, P(profit up) = {money['prob_profit_up']:.2f}: {money['verdict']}"
        )
    lines += [f"Warning: {w}" for w in sc.get("warnings", [])]
    lines += [f"Note: {n}" for n in r.get("notes", [])]
    lines.append(r["provenance"]["disclosure"])
    return "\n".join(lines)
