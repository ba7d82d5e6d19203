"""`long-term FIT_ID`: short-, long- and total ROI per channel and the long-term share (issue 21)."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli.main import add_answer_options, add_command, open_store
from agent.cli.render import interval, table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "long-term",
        "Short-term, long-term (brand) and total ROI per channel from the fit's Bayesian VAR.",
        "mmm-agent long-term fit_3f9a1c2b7d --json",
        _long_term,
        _render,
    )
    p.add_argument("fit_id")
    add_answer_options(p)


def _long_term(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.long_term import long_term_answer

    return long_term_answer(
        open_store(args), args.fit_id, interval=args.interval, method=args.method, allow_unhealthy=args.allow_unhealthy
    )


def _render(r: dict[str, Any]) -> str:
    iv, st = r["interval"], r["stability"]
    head = (
        f"Long-term effects (fit {r['fit_id']}; mean [{iv['level']:.0%} {iv['method'].replace('_', '-')} interval]; "
        f"{r['horizon']}-period horizon; ROI in {r['units']})"
    )
    rows, skipped = [], []
    for name, c in r["channels"].items():
        if not c.get("summarised"):
            skipped.append(f"{name}: {c['reason']}")
            continue
        keys = ("short_roi", "long_roi", "total_roi", "long_share")
        rows.append([name, *(interval(c[k]) for k in keys)])
    out = [head]
    if rows:
        out.append(table(["channel", "short-term ROI", "long-term ROI", "total ROI", "long-term share"], rows))
    out += skipped[:1]
    loose = [n for n, c in r["channels"].items() if c.get("summarised") and c["split"]["label"] != "identified"]
    if loose:
        out.append(f"Short/long split not pinned down by the data for {', '.join(loose)}: read those shares as ranges.")
    if any((c.get("split") or {}).get("bound") == "lower" for c in r["channels"].values()):
        out.append(
            "Read each long-term share as a lower bound: step 1 counts the first weeks of a brand response as "
            "short-term."
        )
    out.append(
        f"VAR stability: {st['explosive_draws']} of {st['draws']} draws explosive ({st['explosive_share']:.0%}), "
        "excluded from every summary."
    )
    if r.get("approximate"):
        out.append(f"Note: {r['label']}.")
    out.append(r["provenance"]["disclosure"])
    return "\n".join(out)
