"""The DuckDB store: one database file (the system of record) and an artifact folder beside it.

Two processes share one store (the UI server and a CLI fit, say). DuckDB lets only one process hold a file open
for writing, so every operation opens a short-lived connection, does its work and closes it; a connection that
meets another process's lock is retried with back-off until ``timeout`` seconds have passed. Long work (sampling)
never holds a connection. A short burst of operations (one tool call) may pin the database open
(``Store.pinned``, see ``store_pin``): opening a DuckDB instance costs ~30 ms, joining an open one under 1 ms.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import duckdb

from mmm_core.errors import StoreBusyError, StoreError
from mmm_core.store_pin import pinned

DEFAULT_STORE = Path("mmm_store") / "mmm.duckdb"
STORE_ENV = "MMM_AGENT_STORE"
TIMEOUT_ENV = "MMM_AGENT_STORE_TIMEOUT"

# The hash a chain starts from (the "previous hash" of the first event).
GENESIS_HASH = "0" * 64


def _chain_existing_events(conn: duckdb.DuckDBPyConnection) -> None:
    """Migration 2, second half: chain the events an older store already holds, once (see ``chain_from_here``)."""
    chain_from_here(conn)


# Ordered schema migrations: version -> DDL statements (or a function of the connection, for work SQL cannot do).
# A version is applied once, inside one transaction, and recorded in ``schema_version``. Append new versions;
# never edit an applied one.
Migration = str | Callable[[duckdb.DuckDBPyConnection], None]
MIGRATIONS: dict[int, list[Migration]] = {
    1: [
        """CREATE TABLE datasets (
            id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, fingerprint VARCHAR NOT NULL, source VARCHAR,
            format VARCHAR, n_rows BIGINT, frequency VARCHAR, period_start DATE, period_end DATE,
            created_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE mff_rows (
            dataset_id VARCHAR NOT NULL, period DATE NOT NULL, geography VARCHAR NOT NULL, product VARCHAR NOT NULL,
            campaign VARCHAR NOT NULL, outlet VARCHAR NOT NULL, creative VARCHAR NOT NULL,
            variable_name VARCHAR NOT NULL, value DOUBLE NOT NULL)""",
        """CREATE TABLE variables (
            dataset_id VARCHAR NOT NULL, name VARCHAR NOT NULL, role VARCHAR NOT NULL, channel VARCHAR,
            coverage DOUBLE, n_obs BIGINT, geo_coverage DOUBLE, ragged BOOLEAN, total DOUBLE,
            PRIMARY KEY (dataset_id, name))""",
        """CREATE TABLE specs (
            id VARCHAR PRIMARY KEY, dataset_id VARCHAR NOT NULL, version INTEGER NOT NULL, parent_id VARCHAR,
            canonical_json VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, data_fingerprint VARCHAR NOT NULL,
            status VARCHAR NOT NULL, rationale VARCHAR, amendment_reason VARCHAR, post_hoc BOOLEAN NOT NULL,
            locked_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE fits (
            id VARCHAR PRIMARY KEY, spec_id VARCHAR NOT NULL, engine VARCHAR NOT NULL, mode VARCHAR NOT NULL,
            settings_json VARCHAR, status VARCHAR NOT NULL, progress DOUBLE, log VARCHAR, pid INTEGER,
            created_at TIMESTAMP NOT NULL, started_at TIMESTAMP, finished_at TIMESTAMP, heartbeat_at TIMESTAMP,
            elapsed_s DOUBLE, gate_json VARCHAR, diagnostics_json VARCHAR, health_json VARCHAR,
            artifact_path VARCHAR, error_json VARCHAR)""",
        "CREATE SEQUENCE ledger_event_seq START 1",
        """CREATE TABLE ledger_events (
            id BIGINT PRIMARY KEY DEFAULT nextval('ledger_event_seq'), created_at TIMESTAMP NOT NULL,
            dataset_id VARCHAR, spec_id VARCHAR, fit_id VARCHAR, kind VARCHAR NOT NULL, detail_json VARCHAR)""",
        """CREATE TABLE posterior_summary (
            fit_id VARCHAR NOT NULL, quantity VARCHAR NOT NULL, channel VARCHAR, geo VARCHAR, period DATE,
            mean DOUBLE, sd DOUBLE, lo DOUBLE, hi DOUBLE, interval DOUBLE, method VARCHAR)""",
    ],
    # The ledger becomes a hash chain: each event stores its predecessor's hash and its own; ``ledger_head`` holds
    # the newest link and the event count. Every append updates that one row, so two concurrent appends conflict
    # (one retries) instead of forking the chain.
    2: [
        "ALTER TABLE ledger_events ADD COLUMN prev_hash VARCHAR",
        "ALTER TABLE ledger_events ADD COLUMN hash VARCHAR",
        """CREATE TABLE ledger_head (
            id INTEGER PRIMARY KEY, event_id BIGINT NOT NULL, hash VARCHAR NOT NULL, n_events BIGINT NOT NULL)""",
        _chain_existing_events,
    ],
    # Media split by Outlet (issue 18): a model variable is the rows of VariableName ``source`` limited to Outlet
    # ``outlet`` (NULL = all its rows); ``metric`` is 'spend' or 'exposure'. Older rows: source NULL = name.
    3: [
        "ALTER TABLE variables ADD COLUMN source VARCHAR",
        "ALTER TABLE variables ADD COLUMN outlet VARCHAR",
        "ALTER TABLE variables ADD COLUMN metric VARCHAR",
    ],
    # SQL over the posterior (issue 17): thinned per-channel draws of each fit (≤ 1,000 per channel, with the
    # sampler's chain and draw ids), written with the fit's posterior_summary rows (mmm_core.fit.posterior_tables).
    4: [
        """CREATE TABLE posterior_draws (
            fit_id VARCHAR NOT NULL, channel VARCHAR NOT NULL, chain INTEGER NOT NULL, draw INTEGER NOT NULL,
            roi DOUBLE, mroi DOUBLE, contribution DOUBLE)""",
    ],
    # Experiments as evidence (issue 19): validated lift tests per dataset (mmm_core.data.experiments). ``id`` is
    # the content hash of the test, ``record_json`` its validated fields, ``file_fingerprint`` the SHA-256 of the
    # file it came from. A spec copies the tests it uses, so a locked spec never depends on this table changing.
    5: [
        """CREATE TABLE experiments (
            id VARCHAR NOT NULL, dataset_id VARCHAR NOT NULL, record_json VARCHAR NOT NULL,
            file_fingerprint VARCHAR NOT NULL, source_file VARCHAR, added_at TIMESTAMP NOT NULL,
            PRIMARY KEY (dataset_id, id))""",
    ],
    # The durable fit queue (issue 23, mmm_core.jobs): a job is recorded 'queued' before anything runs; a worker
    # claims it in one short transaction (state guard in the UPDATE), heartbeats while it fits and closes it
    # succeeded | failed | cancelled. ``payload_json`` is the fit request, ``fit_id`` the fit it ran, ``host``/
    # ``pid`` let a worker on this machine tell a dead claimant from a slow one, ``rerun_of`` links a re-run.
    6: [
        """CREATE TABLE jobs (
            id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, state VARCHAR NOT NULL, payload_json VARCHAR NOT NULL,
            spec_id VARCHAR, worker_id VARCHAR, host VARCHAR, pid INTEGER, attempts INTEGER NOT NULL DEFAULT 0,
            progress DOUBLE NOT NULL DEFAULT 0, log VARCHAR NOT NULL DEFAULT '', fit_id VARCHAR,
            error_json VARCHAR, cancel_requested BOOLEAN NOT NULL DEFAULT false, rerun_of VARCHAR,
            created_at TIMESTAMP NOT NULL, claimed_at TIMESTAMP, heartbeat_at TIMESTAMP, finished_at TIMESTAMP)""",
    ],
    # Several KPIs in one fit (issue 22, mmm_core.fit.multi): per-outcome summaries (ROI, contribution, mROI of each
    # channel; each control's contribution; the residual correlation of outcome pairs, ``channel`` = the other
    # outcome) and each cross-effect's kappa and routed volume. ``posterior_summary`` holds the weighted total.
    7: [
        """CREATE TABLE outcome_summary (
            fit_id VARCHAR NOT NULL, outcome VARCHAR NOT NULL, quantity VARCHAR NOT NULL, channel VARCHAR,
            mean DOUBLE, sd DOUBLE, lo DOUBLE, hi DOUBLE, interval DOUBLE, method VARCHAR)""",
        """CREATE TABLE cross_effect_summary (
            fit_id VARCHAR NOT NULL, source VARCHAR NOT NULL, target VARCHAR NOT NULL, type VARCHAR NOT NULL,
            lag INTEGER NOT NULL, modulator VARCHAR, quantity VARCHAR NOT NULL, mean DOUBLE, sd DOUBLE, lo DOUBLE,
            hi DOUBLE, interval DOUBLE, method VARCHAR)""",
    ],
}

# The last two: a thread of this process opening the file while another thread attaches it (DuckDB instance cache).
_LOCK_MARKERS = (
    "could not set lock",
    "conflicting lock",
    "lock on file",
    "database is locked",
    "unique file handle conflict",
    "is already attached",
)


def resolve_store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The store file: the explicit path, else ``$MMM_AGENT_STORE``, else ``./mmm_store/mmm.duckdb``."""
    if path:
        return Path(path)
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else DEFAULT_STORE


def new_id(prefix: str) -> str:
    """A short, readable, unique id such as ``ds_3f9a1c2b``."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def _is_lock_conflict(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(marker in text for marker in _LOCK_MARKERS)


class Store:
    """A handle on one store. Cheap to create; holds no open connection between operations (outside ``pinned``)."""

    _migrated: set[Path] = set()
    _migrate_lock = threading.Lock()

    def __init__(self, path: str | os.PathLike[str] | None = None, timeout: float | None = None) -> None:
        self.path = resolve_store_path(path).expanduser().absolute()
        self.timeout = float(os.environ.get(TIMEOUT_ENV, "60")) if timeout is None else timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.artifacts_dir.mkdir(parents=True, exist_ok=True)
        with Store._migrate_lock:
            if self.path not in Store._migrated:
                self.migrate()
                Store._migrated.add(self.path)

    @property
    def artifacts_dir(self) -> Path:
        """Folder beside the database file for posterior draws, reports and other large files."""
        return self.path.parent / "artifacts"

    def _open(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.timeout
        delay = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                if not _is_lock_conflict(exc):
                    raise StoreError(
                        f"Cannot open the store {self.path}: {exc}",
                        "Check that the path is a DuckDB file written by mmm-agent, or pass another --store.",
                    ) from exc
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"The store {self.path} stayed locked by another process for {self.timeout:.0f} s.",
                        f"Wait for the other mmm-agent process to finish, or raise ${TIMEOUT_ENV}.",
                    ) from exc
                time.sleep(delay + random.uniform(0, delay))
                delay = min(delay * 2, 0.5)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived connection; closed on exit. Use for reads and single-statement writes."""
        conn = self._open()
        try:
            yield conn
        finally:
            conn.close()

    def pinned(self) -> AbstractContextManager[None]:
        """A context in which this store's operations join one open DuckDB instance instead of each creating one.
        Other processes wait for it to end: wrap short bursts only (see ``store_pin``)."""
        return pinned(str(self.path), self._open)

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection inside ``BEGIN … COMMIT``; any exception rolls everything back and re-raises."""
        with self.connect() as conn:
            conn.execute("BEGIN TRANSACTION")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def run(self, work: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run ``work(conn)`` in one transaction and return its result.

        Two connections of this process that write the same row (two ledger appends both moving the chain head)
        conflict: DuckDB aborts the later one. Its transaction rolled back entirely, so ``work`` runs again on a
        fresh snapshot; ``work`` must therefore have no side effects outside the transaction."""
        deadline = time.monotonic() + self.timeout
        delay = 0.005
        while True:
            try:
                with self.transaction() as conn:
                    return work(conn)
            except duckdb.TransactionException as exc:
                if "conflict" not in str(exc).lower() or time.monotonic() >= deadline:
                    raise
                time.sleep(delay + random.uniform(0, delay))
                delay = min(delay * 2, 0.2)

    def schema_version(self) -> int:
        with self.connect() as conn:
            return _current_version(conn)

    def migrate(self) -> int:
        """Create or upgrade the schema; each missing version is applied in its own transaction."""
        with self.connect() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMP)"
            )
            applied = {row[0] for row in conn.execute("SELECT version FROM schema_version").fetchall()}
            for version in sorted(MIGRATIONS):
                if version in applied:
                    continue
                conn.execute("BEGIN TRANSACTION")
                try:
                    for statement in MIGRATIONS[version]:
                        statement(conn) if callable(statement) else conn.execute(statement)
                    conn.execute("INSERT INTO schema_version VALUES (?, now())", [version])
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            return _current_version(conn)


def _current_version(conn: duckdb.DuckDBPyConnection) -> int:
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0


# --- the ledger's hash chain: the row format every append and every check shares ----------------------------------


def chain_hash(
    prev_hash: str | None,
    event_id: int,
    created_at: dt.datetime | None,
    kind: str,
    ids: tuple[str | None, str | None, str | None],
    detail_json: str | None,
) -> str:
    """SHA-256 of one event and its predecessor's hash. The fields are encoded as one compact JSON array, so two
    different events can never produce the same input (no ambiguity at field boundaries)."""
    when = created_at.isoformat(timespec="microseconds") if created_at is not None else None
    text = json.dumps([prev_hash, int(event_id), when, kind, list(ids), detail_json], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def insert_chained_event(
    conn: duckdb.DuckDBPyConnection,
    kind: str,
    detail_json: str,
    ids: tuple[str | None, str | None, str | None] = (None, None, None),
) -> tuple[int, str]:
    """Append one event (ids = dataset, spec, fit) linked to the chain head, inside the caller's transaction, and
    move the head; returns (event id, hash). A concurrent append on another connection makes the head UPDATE
    conflict, so the chain cannot fork (``Store.run`` retries)."""
    head, event_id = conn.execute(
        "SELECT (SELECT hash FROM ledger_head WHERE id = 1), nextval('ledger_event_seq')"
    ).fetchone()
    prev = head or GENESIS_HASH  # no head row: a new store (or one whose head was deleted: the link shows it)
    created = dt.datetime.now(dt.UTC).replace(tzinfo=None)  # naive UTC, as every ledger time
    digest = chain_hash(prev, event_id, created, kind, ids, detail_json)
    conn.execute(
        "INSERT INTO ledger_events (id, created_at, dataset_id, spec_id, fit_id, kind, detail_json, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [event_id, created, *ids, kind, detail_json, prev, digest],
    )
    moved = conn.execute(
        "UPDATE ledger_head SET event_id = ?, hash = ?, n_events = n_events + 1 WHERE id = 1", [event_id, digest]
    ).fetchone()[0]
    if not moved:
        conn.execute("INSERT INTO ledger_head VALUES (1, ?, ?, 1)", [event_id, digest])
    return event_id, digest


def chain_from_here(conn: duckdb.DuckDBPyConnection) -> None:
    """Chain the events of a store written before the ledger was a hash chain, in id order, and say so in the
    ledger (a ``chain_started`` event). Runs once, inside migration 2: those events are vouched for only from
    the upgrade on, which the ``chain_started`` event records."""
    rows = conn.execute(
        "SELECT id, created_at, kind, dataset_id, spec_id, fit_id, detail_json FROM ledger_events ORDER BY id"
    ).fetchall()
    prev, links = GENESIS_HASH, []
    for event_id, created, kind, dataset_id, spec_id, fit_id, detail in rows:
        digest = chain_hash(prev, event_id, created, kind, (dataset_id, spec_id, fit_id), detail)
        links.append((event_id, prev, digest))
        prev = digest
    if links:
        _write_links(conn, links)
        conn.execute("INSERT INTO ledger_head VALUES (1, ?, ?, ?)", [links[-1][0], prev, len(links)])
        detail = {"events_chained": len(links), "first_event": links[0][0], "last_event": links[-1][0]}
        insert_chained_event(conn, "chain_started", json.dumps(detail, sort_keys=True))
    else:
        conn.execute("INSERT INTO ledger_head VALUES (1, 0, ?, 0)", [GENESIS_HASH])


def _write_links(conn: duckdb.DuckDBPyConnection, links: list[tuple[int, str, str]]) -> None:
    """One UPDATE joined to a registered frame: row-by-row UPDATEs take ~0.7 ms each (7 s for 10,000 events)."""
    import pandas as pd  # lazy: only an upgrade of an older store needs it

    conn.register("_chain_links", pd.DataFrame(links, columns=["id", "prev_hash", "hash"]))
    try:
        conn.execute(
            "UPDATE ledger_events SET prev_hash = l.prev_hash, hash = l.hash FROM _chain_links l "
            "WHERE ledger_events.id = l.id"
        )
    finally:
        conn.unregister("_chain_links")
