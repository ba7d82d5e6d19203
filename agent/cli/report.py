"""`mmm-agent report FIT_ID --out FILE.html [--format html|md]`: the narrative report of a fit."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from agent.cli.main import add_command, add_force_option, checked_output, open_store


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "report",
        "Write the narrative report of a fit (self-contained HTML or Markdown).",
        "mmm-agent report fit_3f9a1c2b7d --out report.html",
        _report,
        _render,
    )
    p.add_argument("fit_id", help="id of a succeeded fit (see `mmm-agent ledger DATASET`)")
    p.add_argument("--out", required=True, help="output file (.html or .md)")
    add_force_option(p)
    p.add_argument(
        "--format",
        dest="fmt",
        choices=["html", "md"],
        help="html (default, charts inline) or md (tables only); default from the --out suffix",
    )
    p.add_argument(
        "--allow-unhealthy",
        action="store_true",
        help="write the report even if the fit failed its health review (it says so in a banner)",
    )
    p.add_argument(
        "--rewrite",
        action="store_true",
        help="let the configured chat model ($MMM_AGENT_MODEL) rewrite the prose; a rewrite is kept "
        "only if every number in it matches the results",
    )


def _format(args: argparse.Namespace) -> str:
    if args.fmt:
        return args.fmt
    return "md" if Path(args.out).suffix.lower() in (".md", ".markdown") else "html"


def _report(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.report import build_report
    from mmm_core.report.build import results_file

    out = checked_output(args, args.out)
    checked_output(args, str(results_file(out)))  # the results JSON written beside it obeys the same rule
    rewriter = None
    if args.rewrite:
        from agent.report_prose import llm_rewriter

        rewriter = llm_rewriter()
    return build_report(
        open_store(args),
        args.fit_id,
        out,
        fmt=_format(args),
        llm=rewriter,
        allow_unhealthy=args.allow_unhealthy,
    )


def _render(r: dict[str, Any]) -> str:
    lines = [
        f"Report written to {r['path']} ({r['format']}, {len(r['sections'])} sections)",
        f"  results: {r['results_path']}",
        f"  prose numbers checked against the results: {r['numbers_checked']}, "
        f"{'all grounded' if r['grounded'] else 'UNGROUNDED: ' + ', '.join(r['ungrounded'])}",
    ]
    rw = r.get("rewrite") or {}
    if rw.get("used"):
        lines.append(
            f"  rewrite accepted for: {', '.join(rw['accepted']) or 'none'}; "
            f"kept template prose for: {', '.join(rw['rejected']) or 'none'}"
        )
    if r.get("approximate"):
        lines.append(f"  {r.get('label')}")
    lines.append(f"  {r['provenance']['disclosure']}")
    return "\n".join(lines)
