"""`controls FIT_ID`: each control's class, effect and — under selection — shrinkage or inclusion, with a verdict."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli.main import add_answer_options, add_command, open_store
from agent.cli.render import table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "controls",
        "Which controls matter: class, effect, shrinkage or inclusion probability, and a verdict per control.",
        "mmm-agent controls fit_3f9a1c2b7d --json",
        _controls,
        _render,
    )
    p.add_argument("fit_id")
    add_answer_options(p)


def _controls(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.controls import controls

    return controls(
        open_store(args), args.fit_id, interval=args.interval, method=args.method, allow_unhealthy=args.allow_unhealthy
    )


def _pct(est: dict[str, Any]) -> str:
    return f"{est['mean']:+.1%} [{est['lo']:+.1%}, {est['hi']:+.1%}]"


def _effect(row: dict[str, Any]) -> str:
    """One effect, or (several outcomes) each outcome's own: one number would mix outcomes."""
    if row.get("effect") is not None:
        return _pct(row["effect"])
    return "; ".join(f"{k}: {_pct(e)}" for k, e in row.get("outcomes", {}).items()) or "-"


def _measure(row: dict[str, Any]) -> str:
    if "shrinkage" in row:
        return f"kappa {row['shrinkage']:.2f}"
    if "inclusion_probability" in row:
        return f"P(in) {row['inclusion_probability']:.2f}"
    return ""


def _render(r: dict[str, Any]) -> str:
    iv = r["interval"]
    kpi = "each outcome" if r.get("outcomes") else "KPI"
    head = (
        f"Controls of fit {r['fit_id']} (effect of +1 sd of the control, % of mean {kpi}; mean "
        f"[{iv['level']:.0%} {iv['method'].replace('_', '-')} interval])"
    )
    rows = [[name, c["class"] or "-", _effect(c), _measure(c), c["verdict"]] for name, c in r["controls"].items()]
    out = [head, table(["control", "class", "effect", "shrinkage / inclusion", "verdict"], rows)]
    sel = r["selection"]
    if sel:
        guess = f" (prior guess {sel['expected_nonzero']:g})" if sel.get("expected_nonzero") else ""
        kept = f"kept {', '.join(sel['kept']) or 'none'}" if sel["judged"] else "no verdicts on an approximate fit"
        out.append(
            f"Selection: {sel['method']} over {len(sel['controls'])} precision controls; {kept}; effective number "
            f"non-zero {sel['effective_nonzero']:.1f}{guess}; {sel['keep_rule']}."
        )
    else:
        out.append("No control selection in this spec: every control is in the model with its plain prior.")
    if r.get("approximate"):
        out.append(f"Note: {r['label']}.")
    out.append(r["provenance"]["disclosure"])
    return "\n".join(out)
