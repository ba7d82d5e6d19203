"""What was tried on a dataset, in order: every locked spec version with its rationale or amendment reason and
``post_hoc`` flag, every fit with its status, the raw ledger event log, and one sentence disclosing the count.

``mmm-agent ledger DATASET`` prints it; the report and the agent's ledger tool read it.
"""

from __future__ import annotations

import json
from typing import Any

from mmm_core.data.queries import resolve_dataset
from mmm_core.ledger.fits import reap_stale_fits
from mmm_core.ledger.hashchain import ensure_intact
from mmm_core.ledger.specs import plural
from mmm_core.ledger.store import LockedSpec, get_spec
from mmm_core.spec.canonical import diff_specs, format_diff
from mmm_core.store import Store


def ledger_report(store: Store, dataset: str) -> dict[str, Any]:
    """Everything tried on a dataset, in order: spec versions with rationale/reason and post_hoc, fits with
    status, the raw event log, a disclosure sentence and the ledger's anchor (chain head hash). A broken hash
    chain raises ``TamperError`` naming the first broken link."""
    anchor = ensure_intact(store)  # a dataset with no spec still shows events: the chain is checked first, always
    reap_stale_fits(store)
    ds = resolve_dataset(store, dataset)
    specs = _dataset_specs(store, ds["id"])
    fits = _dataset_fits(store, ds["id"])
    events = _dataset_events(store, ds["id"])
    by_id = {s.spec_id: s for s in specs}
    for f in fits:
        f["spec_version"] = by_id[f["spec_id"]].version if f["spec_id"] in by_id else None
    return {
        "dataset_id": ds["id"],
        "name": ds["name"],
        "fingerprint": ds["fingerprint"],
        "specs": [_report_row(s, by_id.get(s.parent_id or "")) for s in specs],
        "fits": fits,
        "events": events,
        "disclosure": _dataset_disclosure(specs, fits),
        "anchor": anchor,  # the chain head this report was checked against (write it down: see `mmm-agent verify`)
    }


def _dataset_specs(store: Store, dataset_id: str) -> list[LockedSpec]:
    with store.connect() as conn:
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM specs WHERE dataset_id = ? ORDER BY locked_at, version", [dataset_id]
            ).fetchall()
        ]
    return [get_spec(store, i) for i in ids]  # the tamper check runs on every spec shown


def _report_row(spec: LockedSpec, parent: LockedSpec | None) -> dict[str, Any]:
    row = spec.to_dict()
    row["changes"] = format_diff(diff_specs(parent.spec, spec.spec)) if parent else []
    return row


def _dataset_fits(store: Store, dataset_id: str) -> list[dict[str, Any]]:
    with store.connect() as conn:
        cur = conn.execute(
            "SELECT f.id AS fit_id, f.spec_id, f.engine, f.mode, f.status, f.progress, f.started_at, "
            "f.finished_at, f.elapsed_s, f.error_json FROM fits f JOIN specs s ON s.id = f.spec_id "
            "WHERE s.dataset_id = ? ORDER BY f.created_at",
            [dataset_id],
        )
        columns = [d[0] for d in cur.description]
        return [_plain_row(dict(zip(columns, r, strict=True))) for r in cur.fetchall()]


def _dataset_events(store: Store, dataset_id: str) -> list[dict[str, Any]]:
    with store.connect() as conn:
        cur = conn.execute(
            "SELECT id AS event_id, created_at, kind, spec_id, fit_id, detail_json FROM ledger_events "
            "WHERE dataset_id = ? ORDER BY id",
            [dataset_id],
        )
        columns = [d[0] for d in cur.description]
        rows = [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
    for r in rows:
        r["detail"] = json.loads(r.pop("detail_json") or "{}")
    return [_plain_row(r) for r in rows]


def _plain_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def _dataset_disclosure(specs: list[LockedSpec], fits: list[dict[str, Any]]) -> str:
    if not specs:
        return "No spec has been locked on this dataset yet."
    late = sum(s.post_hoc for s in specs)
    by_status = {st: sum(f["status"] == st for f in fits) for st in ("succeeded", "failed", "running")}
    fit_part = ", ".join(f"{n} {st}" for st, n in by_status.items() if n) or "none run yet"
    latest = specs[-1]
    return (
        f"{plural(len(specs), 'spec')} locked on this dataset ({late} after results had been seen); "
        f"{plural(len(fits), 'fit')} ({fit_part}); the latest is spec v{latest.version} "
        f"{latest.spec_id} (sha256 {latest.sha256[:8]}…)."
    )
