"""Store: schema migration, transactions, and two processes sharing one file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from mmm_core.errors import StoreBusyError
from mmm_core.store import MIGRATIONS, Store, resolve_store_path


def test_schema_created_and_versioned(tmp_path: Path) -> None:
    store = Store(tmp_path / "s" / "mmm.duckdb")
    assert store.schema_version() == max(MIGRATIONS)
    assert store.artifacts_dir.is_dir()
    with store.connect() as conn:
        tables = {r[0] for r in conn.execute("SHOW TABLES").fetchall()}
    assert {"datasets", "mff_rows", "variables", "specs", "fits", "ledger_events", "posterior_summary"} <= tables


def test_migrate_is_idempotent(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    assert store.migrate() == store.migrate() == max(MIGRATIONS)
    with store.connect() as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == len(MIGRATIONS)


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    with pytest.raises(RuntimeError):
        with store.transaction() as conn:
            conn.execute("INSERT INTO ledger_events (created_at, kind) VALUES (now(), 'x')")
            raise RuntimeError("boom")
    with store.connect() as conn:
        assert conn.execute("SELECT count(*) FROM ledger_events").fetchone()[0] == 0


def test_store_path_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MMM_AGENT_STORE", raising=False)
    assert resolve_store_path(None) == Path("mmm_store") / "mmm.duckdb"
    monkeypatch.setenv("MMM_AGENT_STORE", str(tmp_path / "env.duckdb"))
    assert resolve_store_path(None) == tmp_path / "env.duckdb"
    assert resolve_store_path(tmp_path / "x.duckdb") == tmp_path / "x.duckdb"


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that keeps the store open for writing for ``seconds``."""
    code = textwrap.dedent(f"""
        import time, duckdb
        conn = duckdb.connect({str(path)!r})
        conn.execute("INSERT INTO ledger_events (created_at, kind) VALUES (now(), 'other_process')")
        print("locked", flush=True)
        time.sleep({seconds})
        conn.close()
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_second_process_waits_for_the_lock_then_writes(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb", timeout=30)
    holder = _hold_lock(store.path, 1.5)
    start = time.monotonic()
    with store.transaction() as conn:
        conn.execute("INSERT INTO ledger_events (created_at, kind) VALUES (now(), 'this_process')")
    waited = time.monotonic() - start
    holder.wait(timeout=30)
    assert waited > 0.5  # it really met the other process's lock and retried
    with store.connect() as conn:
        kinds = sorted(r[0] for r in conn.execute("SELECT kind FROM ledger_events").fetchall())
    assert kinds == ["other_process", "this_process"]


def test_busy_store_times_out_with_a_clear_error(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb", timeout=0.3)
    holder = _hold_lock(store.path, 3)
    try:
        with pytest.raises(StoreBusyError) as err:
            with store.connect():
                pass
        assert "locked by another process" in err.value.message
        assert "MMM_AGENT_STORE_TIMEOUT" in err.value.hint
    finally:
        holder.kill()
        holder.wait()
