"""`mmm-agent serve [--port P] [--host H] [--workers N]`: the REST API (agent/service/app.py) on uvicorn, with
queue workers started beside it (one by default) and stopped with it."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from agent.cli.main import add_command, open_store
from agent.cli.ui import LOCAL_HOSTS
from mmm_core.errors import MMMError

STOP_WAIT_S = 30


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "serve",
        "Start the REST API (token auth) with a queue worker; OpenAPI at /openapi.json.",
        "MMM_AGENT_API_TOKEN=secret mmm-agent serve --port 8080",
        _serve,
    )
    p.epilog += (
        "\n\nEnvironment:\n  MMM_AGENT_API_TOKEN  required: clients send 'Authorization: Bearer <token>'\n"
        "  MMM_AGENT_STORE      store file (or --store)"
    )
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1; anything else exposes the API)")
    p.add_argument("--workers", type=int, default=1, help="queue workers to start beside the API (default 1; 0: none)")
    p.add_argument("--max-upload-mb", type=float, default=50.0, help="request body limit in MB (default 50)")


def _serve(args: argparse.Namespace) -> dict[str, Any]:
    from agent.service.guards import TOKEN_ENV  # lazy: FastAPI only for `serve`

    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        raise MMMError(
            f"${TOKEN_ENV} is not set: the API refuses to run without a token.",
            f"export {TOKEN_ENV}=$(python -c 'import secrets; print(secrets.token_urlsafe(32))') and send it as "
            "'Authorization: Bearer <token>'.",
            code="no_api_token",
        )
    if args.workers < 0:
        raise MMMError(f"--workers {args.workers} is negative.", "Use 0 (no worker) or more.", code="bad_argument")
    import uvicorn  # lazy: as above

    from agent.service.app import create_app

    store = open_store(args)  # creates and migrates the store before workers and requests race for it
    app = create_app(store.path, token, max_bytes=int(args.max_upload_mb * 1024 * 1024))
    if args.host not in LOCAL_HOSTS:
        print(f"warning: binding to {args.host} exposes the API beyond this machine", file=sys.stderr)
    workers = [_start_worker(store.path) for _ in range(args.workers)]
    print(
        f"mmm-agent API on http://{args.host}:{args.port} (store {store.path}, {len(workers)} worker(s))",
        file=sys.stderr,
        flush=True,
    )
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        for worker in workers:
            _stop(worker)
    return {"host": args.host, "port": args.port, "workers": [w.pid for w in workers]}


def _start_worker(store_path) -> subprocess.Popen:
    from agent.service.worker import start_worker_process  # lazy: as above

    return start_worker_process(store_path)


def _stop(worker: subprocess.Popen) -> None:
    """SIGTERM: the worker closes a job it was fitting as failed (re-runnable), then exits."""
    worker.terminate()
    try:
        worker.wait(timeout=STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
