"""Pinning a store open for a burst of operations (``Store.pinned``): operations join one DuckDB instance, the
instance closes when the last pin ends (also on error, also across threads), another process gets the store once
it does, and the agent pins each tool call except the fit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from agent.store_scope import StorePinMiddleware
from mmm_core import store_pin
from mmm_core.store import Store


def _count_events(store: Store) -> int:
    with store.connect() as conn:
        return conn.execute("SELECT count(*) FROM ledger_events").fetchone()[0]


def test_operations_inside_a_pin_share_one_instance_and_it_closes_after(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    with store.pinned():
        assert store_pin.pinned_paths() == [str(store.path)]
        with store.transaction() as conn:
            conn.execute("INSERT INTO ledger_events (created_at, kind) VALUES (now(), 'pinned')")
        # A connection with another configuration is refused while an instance of the file is open in this
        # process: the proof that the pin, not each operation, owns the instance.
        with pytest.raises(duckdb.ConnectionException):
            duckdb.connect(str(store.path), config={"threads": 1})
        assert _count_events(store) == 1
    assert store_pin.pinned_paths() == []
    duckdb.connect(str(store.path), config={"threads": 1}).close()  # no instance left open


def test_a_pin_ends_on_error_and_nested_pins_close_with_the_outermost(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    with pytest.raises(RuntimeError):
        with store.pinned():
            raise RuntimeError("boom")
    assert store_pin.pinned_paths() == []
    with store.pinned():
        with store.pinned():
            assert _count_events(store) == 0
        assert store_pin.pinned_paths() == [str(store.path)]
    assert store_pin.pinned_paths() == []


def test_pins_from_threads_are_counted_and_the_last_one_closes(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    inside, release = threading.Barrier(5), threading.Event()
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            with store.pinned():
                with store.transaction() as conn:
                    conn.execute("INSERT INTO ledger_events (created_at, kind) VALUES (now(), ?)", [f"t{i}"])
                inside.wait(timeout=30)
                release.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    inside.wait(timeout=30)
    assert store_pin.pinned_paths() == [str(store.path)]
    release.set()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert store_pin.pinned_paths() == []
    assert _count_events(store) == 4


def test_another_process_waits_for_the_pin_then_writes(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb", timeout=30)
    code = textwrap.dedent(f"""
        import time
        from mmm_core.store import Store
        print("trying", flush=True)
        start = time.monotonic()
        store = Store({str(store.path)!r}, timeout=30)  # its first operation (the migration check) waits
        with store.transaction() as conn:
            conn.execute("INSERT INTO ledger_events (created_at, kind) VALUES (now(), 'other_process')")
        print(f"{{time.monotonic() - start:.3f}}", flush=True)
    """)
    with store.pinned():
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "trying"
        time.sleep(1.0)  # the child is now retrying against this process's lock
        assert child.poll() is None, "the other process got the store while it was pinned"
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0, out
    assert float(out.strip()) > 0.5  # it met the pin's lock, retried, and wrote once the pin ended
    assert _count_events(store) == 1


def _request(name: str) -> SimpleNamespace:
    return SimpleNamespace(tool_call={"name": name, "args": {}, "id": "call_1"})


def test_the_agent_pins_each_tool_call_but_not_the_fit(tmp_path: Path) -> None:
    store = Store(tmp_path / "mmm.duckdb")
    middleware = StorePinMiddleware(store)
    seen: dict[str, list[str]] = {}

    def handler(request: SimpleNamespace) -> str:
        seen[request.tool_call["name"]] = store_pin.pinned_paths()
        return "done"

    assert middleware.wrap_tool_call(_request("roi"), handler) == "done"
    assert middleware.wrap_tool_call(_request("fit_model"), handler) == "done"
    assert seen == {"roi": [str(store.path)], "fit_model": []}
    assert store_pin.pinned_paths() == []


def _handlers() -> dict[str, object]:
    """Every registered command's handler by its name (sub-commands by their own name)."""
    import argparse

    from agent.cli.main import build_parser

    found: dict[str, object] = {}

    def walk(parser: argparse.ArgumentParser) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    if child.get_default("handler") is not None:
                        found.setdefault(name, child.get_default("handler"))
                    walk(child)

    walk(build_parser())
    return found


def test_the_cli_pins_answer_commands_and_never_fits_servers_or_chat() -> None:
    from agent.cli.main import PINNED_COMMANDS

    handlers = _handlers()
    assert PINNED_COMMANDS <= set(handlers), "a pinned command was renamed or removed"
    for name in PINNED_COMMANDS:
        assert hasattr(handlers[name], "__wrapped__"), name
    for name in ("fit", "fit-many", "demo", "serve", "worker", "ask", "chat", "ui", "compare-engines", "ingest"):
        assert name in handlers and not hasattr(handlers[name], "__wrapped__"), name


def test_a_pinned_command_runs_with_its_store_pinned(tmp_path: Path) -> None:
    import argparse

    from agent.cli.main import _pinned

    store = tmp_path / "mmm.duckdb"
    seen = _pinned(lambda args: {"pinned": store_pin.pinned_paths()})(argparse.Namespace(store=str(store)))
    assert seen == {"pinned": [str(store)]}
    assert store_pin.pinned_paths() == []
