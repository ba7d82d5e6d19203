"""Several outcomes (issue 22): `cross-effects FIT_ID` (each cross-effect's kappa and routed volume with intervals,
the residual correlation) and `outcome-effects FIT_ID [NAME]` (what each channel or control moves in each outcome);
`roi --json` carries the per-outcome tables (``outcomes``) beside the total, rendered by ``outcome_roi_lines``."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli.main import add_answer_options, add_command, open_store
from agent.cli.render import interval, label_text, table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "cross-effects",
        "Cross-effects between outcomes (cannibalisation, halo, spillover) with intervals, and residual correlation.",
        "mmm-agent cross-effects fit_3f9a1c2b7d --json",
        _cross,
        _render_cross,
    )
    p.add_argument("fit_id")
    add_answer_options(p)

    p = add_command(
        sub,
        common,
        "outcome-effects",
        "What each channel or control moves in each outcome (cross-effects included) and which it lifts most.",
        "mmm-agent outcome-effects fit_3f9a1c2b7d TV",
        _effects,
        _render_effects,
    )
    p.add_argument("fit_id")
    p.add_argument("name", nargs="?", help="one channel or control (default: all)")
    add_answer_options(p)


def _cross(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.outcomes import cross_effects

    return cross_effects(
        open_store(args), args.fit_id, interval=args.interval, method=args.method, allow_unhealthy=args.allow_unhealthy
    )


def _effects(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.outcomes import outcome_effects

    return outcome_effects(
        open_store(args),
        args.fit_id,
        args.name,
        interval=args.interval,
        method=args.method,
        allow_unhealthy=args.allow_unhealthy,
    )


def _head(what: str, r: dict[str, Any]) -> str:
    iv = r["interval"]
    return f"{what} (fit {r['fit_id']}; mean [{iv['level']:.0%} {iv['method'].replace('_', '-')} interval])"


def _render_cross(r: dict[str, Any]) -> str:
    out = [_head("Cross-effects between outcomes", r)]
    if r["effects"]:
        rows = [
            [
                f"{e['source']} → {e['target']}",
                _kind(e),
                interval(e),
                interval(e["routed"], 0),
                e["verdict"],
            ]
            for e in r["effects"]
        ]
        out.append(table(["effect", "type", "kappa", "routed (target units)", "verdict"], rows))
        out.append(f"Units — {r['units']}.")
        out += [
            f"{e['source']} → {e['target']}: {e['identifiability']['label']}"
            + (f" — to pin it down: {e['identifiability']['fix']}" if e["identifiability"].get("fix") else "")
            + "."
            for e in r["effects"]
            if e.get("identifiability", {}).get("status") not in (None, "identified")
        ]
    else:
        out.append("No cross-effects are declared in this spec (outcomes.cross_effects).")
    corr = ", ".join(f"{c['a']} ~ {c['b']} {interval(c)}" for c in r["residual_correlation"])
    out.append(f"Residual correlation: {corr}.")
    if r.get("approximate"):
        out.append(f"Note: {r['label']}.")
    out.append(r["provenance"]["disclosure"])
    return "\n".join(out)


def _kind(e: dict[str, Any]) -> str:
    lag = f", lag {e['lag']}" if e["lag"] else ""
    return e["type"] + lag + (f", when {e['modulator']}" if e["modulator"] else "")


def _render_effects(r: dict[str, Any]) -> str:
    names = r["outcomes"]
    rows = [
        [name, d["kind"], *(interval(d["outcomes"][n]["contribution"], 0) for n in names), d["lifts_most"]]
        for name, d in r["drivers"].items()
    ]
    out = [_head("Contribution to each outcome, cross-effects included", r)]
    out.append(table(["driver", "kind", *names, "lifts most"], rows))
    out.append(f"Controls: {r['controls_counterfactual']}.")
    out += [f"{name}: not shown — {why}." for name, why in r["controls_not_shown"].items()]
    if r.get("approximate"):
        out.append(f"Note: {r['label']}.")
    out.append(r["provenance"]["disclosure"])
    return "\n".join(out)


def outcome_roi_lines(r: dict[str, Any]) -> list[str]:
    """The per-outcome ROI tables of `roi` (empty for a fit with one outcome)."""
    if not r.get("outcomes"):
        return []
    out = [f"Per outcome ({r['total_is']}):"]
    for name, o in r["outcomes"].items():
        rows = [
            [ch, interval(c["contribution"], 0), interval(c["roi"]), label_text(c.get("identifiability"))]
            for ch, c in o["channels"].items()
        ]
        out += [f"{name} (weight {o['weight']:g})", table(["channel", "contribution", "ROI", "identifiability"], rows)]
    return out
