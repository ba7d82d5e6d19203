"""Low-level ledger pieces shared by ``ledger`` and ``ledger_fits``: the locked-spec record, the tamper check,
and the append-only event log (a hash chain, see ``ledger.hashchain``). Only INSERTs touch ``specs`` and
``ledger_events``; nothing here updates or deletes them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mmm_core.data.fingerprint import dataset_rows_fingerprint
from mmm_core.errors import LedgerError, NotFoundError, TamperError
from mmm_core.jsonable import to_jsonable
from mmm_core.ledger.hashchain import check_intact
from mmm_core.spec.canonical import sha256_text
from mmm_core.spec.schema import ModelSpec
from mmm_core.store import Store, insert_chained_event

SPEC_COLUMNS = (
    "id",
    "dataset_id",
    "version",
    "parent_id",
    "canonical_json",
    "sha256",
    "data_fingerprint",
    "status",
    "rationale",
    "amendment_reason",
    "post_hoc",
    "locked_at",
)
LOCK_EVENT_KINDS = ("lock", "amend")


@dataclass(frozen=True)
class LockedSpec:
    """A spec as stored in the ledger (immutable). ``reused`` is true when ``lock`` found the identical spec
    already locked and returned it instead of writing a duplicate."""

    spec_id: str
    dataset_id: str
    version: int
    parent_id: str | None
    sha256: str
    data_fingerprint: str
    rationale: str | None
    amendment_reason: str | None
    post_hoc: bool
    locked_at: dt.datetime
    spec: ModelSpec = field(repr=False)
    reused: bool = False

    def to_dict(self, with_spec: bool = False) -> dict[str, Any]:
        out = {
            "spec_id": self.spec_id,
            "dataset_id": self.dataset_id,
            "version": self.version,
            "parent_id": self.parent_id,
            "sha256": self.sha256,
            "data_fingerprint": self.data_fingerprint,
            "rationale": self.rationale,
            "amendment_reason": self.amendment_reason,
            "post_hoc": self.post_hoc,
            "locked_at": self.locked_at.isoformat() if self.locked_at else None,
        }
        if with_spec:
            out["spec"] = self.spec.model_dump(mode="json")
        return out


def utcnow() -> dt.datetime:
    """Naive UTC timestamp (DuckDB TIMESTAMP has no zone; every ledger time is UTC)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def to_json(value: Any) -> str:
    """JSON for detail columns; numpy scalars and arrays become plain numbers and lists."""
    return json.dumps(to_jsonable(value), sort_keys=True)


def append_event(
    conn: Any,
    kind: str,
    detail: dict[str, Any],
    *,
    dataset_id: str | None = None,
    spec_id: str | None = None,
    fit_id: str | None = None,
) -> int:
    """Append one ledger event on an open connection (inside the caller's transaction) and return its id.

    The event is linked to the chain head; a concurrent append elsewhere in this process makes the caller's
    transaction conflict, so callers write through ``store.run`` (which runs the transaction again)."""
    event_id, _ = insert_chained_event(conn, kind, to_json(detail), (dataset_id, spec_id, fit_id))
    return event_id


def log_event(store: Store, kind: str, detail: dict[str, Any], **ids: str | None) -> int:
    return store.run(lambda conn: append_event(conn, kind, detail, **ids))


def spec_exists(store: Store, spec_id: str) -> bool:
    with store.connect() as conn:
        return conn.execute("SELECT count(*) FROM specs WHERE id = ?", [spec_id]).fetchone()[0] > 0


def get_spec(store: Store, spec_id: str) -> LockedSpec:
    """A locked spec, after the tamper checks: the ledger's hash chain is intact (else ``TamperError`` naming the
    first broken link), the spec's canonical JSON hashes to its sha256, and its row matches what the lock/amend
    event recorded (hash, data fingerprint, post_hoc, reason, rationale, parent, version). A spec mismatch raises
    ``TamperError`` (and is logged)."""
    with store.transaction() as conn:
        check_intact(conn, store.path)
        cur = conn.execute(f"SELECT {', '.join(SPEC_COLUMNS)} FROM specs WHERE id = ?", [spec_id])
        row = cur.fetchone()
        recorded = conn.execute(
            "SELECT detail_json FROM ledger_events WHERE spec_id = ? AND kind IN ('lock', 'amend') ORDER BY id LIMIT 1",
            [spec_id],
        ).fetchone()
    if row is None:
        raise NotFoundError(
            f"No locked spec with id {spec_id!r}.",
            "List the dataset's specs with `mmm-agent ledger DATASET`.",
            code="spec_not_found",
        )
    data = dict(zip(SPEC_COLUMNS, row, strict=True))
    problem = _tamper_problem(data, json.loads(recorded[0]) if recorded else None)
    if problem:
        log_event(store, "tamper_detected", {"problem": problem}, dataset_id=data["dataset_id"], spec_id=spec_id)
        raise TamperError(
            f"Spec {spec_id} has been altered outside mmm-agent: {problem}. Nothing computed from it can be trusted.",
            "Do not use this spec. Lock the intended spec again from its YAML file (a new id) and refit.",
        )
    return _locked_from_row(data)


def _tamper_problem(row: dict[str, Any], recorded: dict[str, Any] | None) -> str | None:
    if sha256_text(row["canonical_json"]) != row["sha256"]:
        return "its stored JSON no longer hashes to its sha256"
    if recorded is None:
        return "its lock event is missing from the ledger"
    if recorded.get("sha256") != row["sha256"] or recorded.get("data_fingerprint") != row["data_fingerprint"]:
        return "its sha256 or data fingerprint differs from the one recorded when it was locked"
    if row["status"] != "locked":
        return f"its status is {row['status']!r}, not 'locked'"
    mismatches = spec_event_mismatches(row, recorded)
    if mismatches:
        field_name, expected, found = mismatches[0]
        return f"its {field_name} is {found!r} but {expected!r} was recorded when it was locked"
    return None


# Spec columns and the lock/amend event detail key that recorded them. Events written before the chain existed
# lack some keys (an amendment's rationale, locked_at); a missing key is not compared.
_RECORDED = (
    ("sha256", "sha256"),
    ("data_fingerprint", "data_fingerprint"),
    ("post_hoc", "post_hoc"),
    ("version", "version"),
    ("parent_id", "parent_id"),
    ("amendment_reason", "reason"),
    ("rationale", "rationale"),
    ("locked_at", "locked_at"),
)


def spec_event_mismatches(row: dict[str, Any], recorded: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(column, recorded, stored) for each spec column that differs from its lock/amend event."""
    out = []
    for column, key in _RECORDED:
        if key not in recorded and key not in ("parent_id", "reason"):
            continue
        expected = recorded.get(key)
        found = row[column]
        if column == "locked_at" and found is not None:
            found = found.isoformat()
        if column == "post_hoc":
            found = bool(found)
        if expected != found:
            out.append((column, expected, found))
    return out


def _locked_from_row(data: dict[str, Any]) -> LockedSpec:
    try:
        spec = ModelSpec.model_validate_json(data["canonical_json"])
    except ValueError as exc:
        raise LedgerError(
            f"Spec {data['id']} cannot be read by this version of mmm-agent: {exc}",
            "Use the mmm-agent version that locked it.",
            code="spec_unreadable",
        ) from None
    if spec.dataset_id != data["dataset_id"]:
        raise TamperError(
            f"Spec {data['id']} names dataset {spec.dataset_id} but is filed under {data['dataset_id']}.",
            "Do not use this spec; lock it again.",
        )
    return LockedSpec(
        spec_id=data["id"],
        dataset_id=data["dataset_id"],
        version=int(data["version"]),
        parent_id=data["parent_id"],
        sha256=data["sha256"],
        data_fingerprint=data["data_fingerprint"],
        rationale=data["rationale"],
        amendment_reason=data["amendment_reason"],
        post_hoc=bool(data["post_hoc"]),
        locked_at=data["locked_at"],
        spec=spec,
    )


def dataset_fingerprint(store: Store, dataset_id: str) -> str | None:
    """The dataset's fingerprint as recorded at ingest (its ``datasets`` row), or None when the dataset is gone."""
    with store.connect() as conn:
        row = conn.execute("SELECT fingerprint FROM datasets WHERE id = ?", [dataset_id]).fetchone()
    return row[0] if row else None


def recompute_fingerprint(store: Store, dataset_id: str) -> str:
    """The fingerprint of the rows stored now for the dataset, computed as ingest computed it (from ``mff_rows``,
    not from the ``datasets`` row, which an edit of the rows would leave unchanged)."""
    with store.connect() as conn:
        return rows_fingerprint(conn, dataset_id)


def rows_fingerprint(conn: Any, dataset_id: str) -> str:
    # In the scheme the dataset was recorded with (canonical, or layout for stores from before it): see
    # mmm_core.data.fingerprint.
    return dataset_rows_fingerprint(conn, dataset_id)


def artifact_digests(folder: str | os.PathLike[str]) -> dict[str, str]:
    """SHA-256 of each file a fit wrote into its artifact folder (empty when there is no such folder). Files
    added later (plans, reports) are not part of the fit and are not listed."""
    path = Path(folder)
    if not path.is_dir():
        return {}
    return {f.name: _file_sha(f) for f in sorted(path.iterdir()) if f.is_file()}


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def content_sha(text: str) -> str:
    """SHA-256 of a text (a stored JSON column), as hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
