"""The ledger's hash chain, checked: every event's hash covers its predecessor's hash and its own content, and
``ledger_head`` names the newest link and the event count.

``ensure_intact`` is the one gate every ledger read goes through (``get_spec``, hence ``chain``/``provenance``/
``begin_fit``/``finish_fit``, and ``ledger_report``). It is incremental: a process remembers the newest link it
verified and a digest of every event up to it (DuckDB's vectorised 64-bit row hash, XOR-ed: a change detector, not
a proof — ~7 ms for 10,000 events), and on the next call re-hashes only the events appended since; any change in
the verified part sends it back to a full walk. A fresh process (every CLI command) walks the whole chain once.
``mmm-agent verify`` walks it in full, always (``ledger.verify``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from mmm_core.errors import TamperError
from mmm_core.store import GENESIS_HASH, Store, chain_hash

_EVENT_COLUMNS = "id, created_at, kind, dataset_id, spec_id, fit_id, detail_json, prev_hash, hash"
BROKEN_HINT = (
    "The ledger was edited outside mmm-agent; nothing read from it can be trusted. Run `mmm-agent verify --json` "
    "for every problem, compare its anchor with the one printed at lock time or in a report, and restore the "
    "store from a copy you trust."
)


@dataclass(frozen=True)
class Problem:
    """One finding of a check: what kind, where (an event, spec, fit or dataset id), expected vs found."""

    kind: str
    where: str  # "event_id", "spec_id", "fit_id" or "dataset_id"
    ref: Any
    expected: Any
    found: Any
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            self.where: self.ref,
            "expected": self.expected,
            "found": self.found,
            "message": self.message,
        }


@dataclass(frozen=True)
class Link:
    """A verified position in the chain: the newest event checked, its hash, and how many events lead to it."""

    event_id: int
    hash: str
    n_events: int


@dataclass(frozen=True)
class ChainCheck:
    """The outcome of walking (part of) the chain: problems in chain order, the last link, events checked."""

    problems: list[Problem]
    last: Link
    events_checked: int
    anchor: str


def walk(rows: list[tuple], start: Link, limit: int = 1) -> tuple[list[Problem], Link]:
    """Check events (rows in id order) from ``start``; stop after ``limit`` problems. Ids may skip numbers (a
    rolled-back append still used its sequence value); order and links are what count."""
    problems: list[Problem] = []
    prev_id, prev_hash, n = start.event_id, start.hash, start.n_events
    for event_id, created, kind, dataset_id, spec_id, fit_id, detail, stored_prev, stored in rows:
        content = chain_hash(stored_prev, event_id, created, kind, (dataset_id, spec_id, fit_id), detail)
        if stored is None:
            problems.append(
                _problem("unchained_event", event_id, "a hash", None, f"event #{event_id} ({kind}) has no hash")
            )
        elif stored_prev != prev_hash:
            where = f"after event #{prev_id}" if prev_id else "at the start of the ledger"
            problems.append(
                _problem(
                    "link_broken",
                    event_id,
                    prev_hash,
                    stored_prev,
                    f"event #{event_id} ({kind}) does not follow the event {where}: an event between them was "
                    "deleted, or the one before it was altered",
                )
            )
        elif content != stored:
            problems.append(
                _problem(
                    "event_altered",
                    event_id,
                    stored,
                    content,
                    f"event #{event_id} ({kind}) was altered: its content no longer hashes to its stored hash",
                )
            )
        prev_id, prev_hash, n = event_id, stored or content, n + 1
        if len(problems) >= limit:
            break
    return problems, Link(prev_id, prev_hash, n)


def head_problems(head: tuple | None, last: Link, count: int) -> list[Problem]:
    """The head row must name the last event, its hash and the number of events (a deleted tail shows here)."""
    if head is None:
        return [_problem("head_missing", None, "the chain head", None, "the ledger's chain head row is missing")]
    head_id, head_hash, head_n = head
    if head_hash != last.hash or head_id != last.event_id:
        return [
            _problem(
                "head_mismatch",
                last.event_id or None,
                head_hash,
                last.hash,
                f"the ledger's head names event #{head_id} but its last event is #{last.event_id}: "
                "events at the end were deleted or altered",
            )
        ]
    if head_n != count:
        return [
            _problem(
                "count_mismatch",
                None,
                head_n,
                count,
                f"the ledger should hold {head_n} events but holds {count}: events were deleted or inserted",
            )
        ]
    return []


def check_chain(conn: Any, limit: int = 20) -> ChainCheck:
    """Walk the whole chain on ``conn`` (inside a transaction for one consistent snapshot)."""
    head = conn.execute("SELECT event_id, hash, n_events FROM ledger_head WHERE id = 1").fetchone()
    rows = conn.execute(f"SELECT {_EVENT_COLUMNS} FROM ledger_events ORDER BY id").fetchall()
    problems, last = walk(rows, Link(0, GENESIS_HASH, 0), limit)
    if not problems:
        problems = head_problems(head, last, len(rows))
    return ChainCheck(problems, last, len(rows), head[1] if head else GENESIS_HASH)


# --- the per-process gate -----------------------------------------------------------------------------------------

_verified: dict[Path, tuple[Link, int]] = {}  # store -> (newest verified link, digest of the events up to it)
_verified_lock = threading.Lock()
_DIGEST_SQL = (
    "SELECT coalesce(bit_xor(hash(id, created_at, kind, dataset_id, spec_id, fit_id, detail_json, prev_hash, hash)),"
    " 0) FROM ledger_events WHERE id > ? AND id <= ?"
)


def _digest(conn: Any, after: int, upto: int) -> int:
    """XOR of the row hashes of events ``after < id <= upto`` (XOR, so a prefix's digest extends cheaply)."""
    return int(conn.execute(_DIGEST_SQL, [after, upto]).fetchone()[0])


def ensure_intact(store: Store) -> str:
    """Refuse a broken chain (``TamperError`` naming the first broken link); return the anchor (head hash)."""
    with store.transaction() as conn:
        return check_intact(conn, store.path)


def check_intact(conn: Any, path: Path) -> str:
    """``ensure_intact`` on a connection the caller holds inside a transaction (one snapshot for the chain and
    whatever the caller reads next; it also spares opening the file again)."""
    try:
        check, digest = _incremental(conn, _verified.get(path))
    except duckdb.Error as exc:  # a dropped table or column: the ledger cannot even be read
        raise schema_error(exc) from exc
    if check.problems:
        with _verified_lock:
            _verified.pop(path, None)
        first = check.problems[0]
        raise TamperError(
            f"The ledger's hash chain is broken: {first.message} (expected {_short(first.expected)}, "
            f"found {_short(first.found)}).",
            BROKEN_HINT,
            code="ledger_broken",
        ).with_detail({"problem": first.to_dict()})
    with _verified_lock:
        _verified[path] = (check.last, digest)
    return check.anchor


def _incremental(conn: Any, cached: tuple[Link, int] | None) -> tuple[ChainCheck, int]:
    """Check only what was appended since the cached link, if the part verified before is unchanged."""
    if cached is None or _digest(conn, 0, cached[0].event_id) != cached[1]:
        check = check_chain(conn, limit=1)
        return check, _digest(conn, 0, check.last.event_id)
    known = cached[0]
    head = conn.execute("SELECT event_id, hash, n_events FROM ledger_head WHERE id = 1").fetchone()
    rows = conn.execute(
        f"SELECT {_EVENT_COLUMNS} FROM ledger_events WHERE id > ? ORDER BY id", [known.event_id]
    ).fetchall()
    problems, last = walk(rows, known)
    if not problems:
        problems = head_problems(head, last, known.n_events + len(rows))
    digest = cached[1] ^ _digest(conn, known.event_id, last.event_id)
    return ChainCheck(problems, last, len(rows), head[1] if head else GENESIS_HASH), digest


def schema_error(exc: Exception) -> TamperError:
    """The refusal when the ledger's tables themselves were altered (dropped, renamed, a column removed)."""
    return TamperError(
        f"The ledger's tables were altered outside mmm-agent and cannot be read: {exc}",
        BROKEN_HINT,
        code="ledger_broken",
    )


def anchor(store: Store) -> str:
    """The chain head hash after checking the chain: the value to write down (printed at lock time, in reports)."""
    return ensure_intact(store)


def forget(store: Store) -> None:
    """Drop this process's memory of verified links for ``store`` (the next check walks the whole chain)."""
    with _verified_lock:
        _verified.pop(store.path, None)


def _problem(kind: str, event_id: int | None, expected: Any, found: Any, message: str) -> Problem:
    return Problem(kind, "event_id", event_id, expected, found, message)


def _short(value: Any) -> str:
    text = str(value)
    return text[:16] + "…" if len(text) > 20 else text
