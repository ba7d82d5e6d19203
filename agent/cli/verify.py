"""`mmm-agent verify [DATASET]`: check the ledger's hash chain, every spec and fit against its events, and the
stored data against its fingerprints. Exits non-zero when anything is wrong; the anchor it prints is the value to
compare with one written down earlier (printed at lock time and in reports)."""

from __future__ import annotations

import argparse
from typing import Any

from agent.cli.main import add_command, open_store

EXIT_TAMPERED = 3  # distinct from a user error (2): the command worked, the store did not pass


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "verify",
        "Verify the ledger: its hash chain, specs and fits against their events, and the data fingerprints.",
        "mmm-agent verify demo --json",
        _verify,
        _render,
    )
    p.add_argument("dataset", nargs="?", help="dataset id or name (default: every dataset; the chain is always whole)")


def _verify(args: argparse.Namespace) -> dict[str, Any]:
    from mmm_core.ledger import verify_ledger

    report = verify_ledger(open_store(args), args.dataset).to_dict()
    if not report["ok"]:
        args.exit_code = EXIT_TAMPERED
    return report


def _render(r: dict[str, Any]) -> str:
    lines = [
        f"Ledger {'OK' if r['ok'] else 'BROKEN'}: {r['events_checked']} events checked; anchor {r['anchor']}",
    ]
    for d in r["datasets"]:
        state = "data intact" if d["ok"] else f"DATA ALTERED (rows hash to {d['recomputed'][:12]}…)"
        lines.append(
            f"  {d['name']} ({d['dataset_id']}): {d['n_specs']} specs, {d['n_fits']} fits, "
            f"fingerprint {d['fingerprint'][:12]}… {state}"
        )
    if r["problems"]:
        first = r["problems"][0]
        label = "First broken link" if "event_id" in first else "First problem"  # chain links carry an event id
        lines += ["", f"{label}: {first['message']}", f"  expected: {first['expected']}"]
        lines.append(f"  found:    {first['found']}")
        if len(r["problems"]) > 1:
            lines += ["", f"All {len(r['problems'])} problems:"] + [f"  - {p['message']}" for p in r["problems"]]
    else:
        lines.append("Write the anchor down (or compare it with the one printed at lock time or in a report).")
    return "\n".join(lines)
