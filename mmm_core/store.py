"""The DuckDB store: one database file (the system of record) and an artifact folder beside it.

Two processes share one store (the UI server and a CLI fit, say). DuckDB lets only one process hold a file open
for writing, so every operation opens a short-lived connection, does its work and closes it; a connection that
meets another process's lock is retried with back-off until ``timeout`` seconds have passed. Long work (sampling)
never holds a connection.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from mmm_core.errors import StoreBusyError, StoreError

DEFAULT_STORE = Path("mmm_store") / "mmm.duckdb"
STORE_ENV = "MMM_AGENT_STORE"
TIMEOUT_ENV = "MMM_AGENT_STORE_TIMEOUT"

# Ordered schema migrations: version -> DDL statements. A version is applied once, inside one transaction, and
# recorded in ``schema_version``. Append new versions; never edit an applied one.
MIGRATIONS: dict[int, list[str]] = {
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
}

_LOCK_MARKERS = ("could not set lock", "conflicting lock", "lock on file", "database is locked")


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
    """A handle on one store. Cheap to create; holds no open connection between operations."""

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

    def run(self, work: Callable[[duckdb.DuckDBPyConnection], object]) -> object:
        """Run ``work(conn)`` in one transaction and return its result."""
        with self.transaction() as conn:
            return work(conn)

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
                        conn.execute(statement)
                    conn.execute("INSERT INTO schema_version VALUES (?, now())", [version])
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            return _current_version(conn)


def _current_version(conn: duckdb.DuckDBPyConnection) -> int:
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0]) if row else 0
