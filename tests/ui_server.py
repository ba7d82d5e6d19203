"""`mmm-agent ui` as a subprocess on a free port, with a temporary store and app root (the browser and UI-security
tests share it)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"mmm-agent ui exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def ui_server(tmp: Path, timeout: float = 60.0, **extra_env: str) -> Iterator[dict]:
    """`mmm-agent ui` on a free port with a store and app root under ``tmp``; stopped on exit."""
    env = {
        **os.environ,
        "MMM_AGENT_STORE": str(tmp / "store" / "mmm.duckdb"),
        "CHAINLIT_APP_ROOT": str(tmp / "app"),
        "MMM_AGENT_MODEL": "offline",
    }
    for key in ("MMM_AGENT_PASSWORD", "CHAINLIT_AUTH_SECRET"):
        env.pop(key, None)
    env.update(extra_env)
    port = free_port()
    log = open(tmp / "server.log", "w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "mmm-agent"), "ui", "--port", str(port)],
        cwd=tmp,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(url, proc, timeout)
        # `mmm-agent ui` execs chainlit: same pid
        yield {"url": url, "store": tmp / "store", "pid": proc.pid, "log": tmp / "server.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def explained_timeouts(page, server_log: Path) -> Iterator[None]:
    """A browser wait that times out says what the page last showed and what the server logged, so a failure on CI
    can be diagnosed from its output alone."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        yield
    except PlaywrightTimeout as exc:
        shown = page.locator("body").inner_text()[-1500:]
        logged = server_log.read_text(errors="replace")[-3000:] if server_log.exists() else "(no server log)"
        raise AssertionError(f"{exc}\n--- page (end) ---\n{shown}\n--- server log (end) ---\n{logged}") from exc
