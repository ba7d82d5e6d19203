"""Keep a store's DuckDB instance open through a short burst of operations (one tool call, say).

Why: creating a DuckDB database instance costs ~25-30 ms on this machine whatever the file holds (an empty or an
in-memory database costs the same), and every store operation opens and closes one. A chat answer opened the
store ~13 times: profiled over 40 corpus questions, 512 opens took 15.1 s of 36 s. While one connection to a path
stays open, ``duckdb.connect(path)`` in the same process joins that instance instead of creating one (0.6 ms).

A pin keeps such a connection open while any pin on the path is active, counted process-wide (the agent's tool
node runs parallel tool calls in threads). The cost is the reason the store otherwise holds nothing open: another
process that wants the store waits until the last pin ends (its open is retried with back-off up to the store's
timeout). So pin short bursts only — never around a fit, a polling loop or a wait for the user.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb


@dataclass
class _Pin:
    lock: threading.Lock
    conn: duckdb.DuckDBPyConnection | None = None
    count: int = 0


_registry_lock = threading.Lock()
_pins: dict[str, _Pin] = {}
# A forked child must neither use nor close its parent's instance (closing would checkpoint the parent's file from
# a copy of its memory); its references are kept here so they are never collected. No code here forks today.
_orphans: list[_Pin] = []


def _pin_for(path: str) -> _Pin:
    with _registry_lock:
        return _pins.setdefault(path, _Pin(threading.Lock()))


@contextmanager
def pinned(path: str, open_instance: Callable[[], duckdb.DuckDBPyConnection]) -> Iterator[None]:
    """Hold ``path``'s instance open until the last pin on it exits. ``open_instance`` opens a connection (with the
    store's lock-conflict retries); it runs under the path's lock only, so other paths' pins never wait on it."""
    pin = _pin_for(path)
    with pin.lock:
        if pin.conn is None:
            pin.conn = open_instance()
        pin.count += 1
    try:
        yield
    finally:
        with pin.lock:
            pin.count -= 1
            if pin.count == 0 and pin.conn is not None:
                conn, pin.conn = pin.conn, None  # forgotten even if close raises: the next pin opens afresh
                conn.close()


def pinned_paths() -> list[str]:
    """Paths whose instance a pin holds open now (for tests and diagnostics)."""
    with _registry_lock:
        return sorted(path for path, pin in _pins.items() if pin.conn is not None)


def _forget_in_child() -> None:
    global _registry_lock
    _orphans.extend(_pins.values())
    _pins.clear()
    _registry_lock = threading.Lock()  # a parent thread may have held it at the fork


os.register_at_fork(after_in_child=_forget_in_child)
