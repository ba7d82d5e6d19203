"""Start `mmm-agent ui` from the runtime venv, fetch its page, stop it; fail on any traceback in its log.

Run by `make demo-runtime` with the runtime venv's Python, in the demo's folder (its store has a fit). It catches
what only a wheel install without the dev extras shows: a shadowed import when Chainlit starts the app, or a
library the chat history needs that only a dev tool happened to bring in (greenlet came with playwright).
Standard library only, so it runs in any venv.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout_s: float = 90.0) -> bytes:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"mmm-agent ui exited with {proc.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.read()
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"mmm-agent ui did not answer {url} within {timeout_s:.0f} s")


def main() -> None:
    store = Path(sys.argv[1] if len(sys.argv) > 1 else "mmm_store/mmm.duckdb").resolve()
    port = free_port()
    store.parent.mkdir(parents=True, exist_ok=True)
    log = store.parent / "ui_smoke.log"
    cli = Path(sys.executable).parent / "mmm-agent"
    env = {k: v for k, v in os.environ.items() if k != "CHAINLIT_APP_ROOT"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(cli), "--store", str(store), "ui", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, env=env
        )
        try:
            page = wait_for(f"http://127.0.0.1:{port}/", proc)
            settings = wait_for(f"http://127.0.0.1:{port}/project/settings?language=en-US", proc)
            time.sleep(2)  # let startup hooks (chat-history tables, data layer) finish and log
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
    text = log.read_text()
    if b"<title>mmm-agent</title>" not in page or b"mmm-agent" not in settings:
        raise SystemExit(f"unexpected UI page or settings:\n{text}")
    if "Traceback" in text or "ERROR" in text:
        raise SystemExit(f"the UI logged an error:\n{text}")
    print(f"ui smoke: served the page and settings on port {port}, no errors logged")


if __name__ == "__main__":
    main()
