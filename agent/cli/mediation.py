"""`mediation FIT_ID`: direct, indirect (per mediator) and total effect per channel, share mediated, ROI split."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli.main import add_answer_options, add_command, open_store
from agent.cli.render import interval, table


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "mediation",
        "Direct / indirect / total effect per channel through mediators.",
        "mmm-agent mediation fit_3f9a1c2b7d --json",
        _mediation,
        _render,
    )
    p.add_argument("fit_id")
    add_answer_options(p)


def _mediation(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.answers.mediation import mediation

    return mediation(
        open_store(args), args.fit_id, interval=args.interval, method=args.method, allow_unhealthy=args.allow_unhealthy
    )


def _render(r: dict[str, Any]) -> str:
    iv = r["interval"]
    head = (
        f"Mediation by channel (fit {r['fit_id']}; mean [{iv['level']:.0%} {iv['method'].replace('_', '-')} "
        f"interval]; effects in {r['units']})"
    )
    rows = [
        [
            name,
            interval(c["direct"], 0),
            interval(c["indirect"], 0),
            interval(c["total"], 0),
            interval(c["share_mediated"]),
            interval(c["roi"]["direct"]),
            interval(c["roi"]["indirect"]),
            (c.get("split") or {}).get("label", ""),
        ]
        for name, c in r["channels"].items()
    ]
    cols = ["channel", "direct", "indirect", "total", "share mediated", "ROI direct", "ROI indirect", "split"]
    out = [head, table(cols, rows)]
    unclear = [name for name, c in r["channels"].items() if (c.get("split") or {}).get("fix")]
    if unclear:
        fix = r["channels"][unclear[0]]["split"]["fix"]
        out.append(f"Split not pinned down by the data for {', '.join(unclear)}: read their shares as ranges; {fix}.")
    out.append(
        "Mediators: "
        + "; ".join(f"{m['name']} ({m['type']}, fed by {', '.join(m['channels'])})" for m in r["mediators"])
    )
    if r.get("approximate"):
        out.append(f"Note: {r['label']}.")
    out.append(r["provenance"]["disclosure"])
    return "\n".join(out)
