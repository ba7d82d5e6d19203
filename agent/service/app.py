"""The REST API (`mmm-agent serve`): the CLI contract over HTTP, token-guarded, with fits run by the queue.

    app = create_app(Path("mmm_store/mmm.duckdb"), token="...")   # uvicorn.run(app, host="127.0.0.1")

Every route but ``/health`` and ``/openapi.json`` needs ``Authorization: Bearer $MMM_AGENT_API_TOKEN``. The
interactive docs pages are off: they load their scripts from a CDN, and the service works offline.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI

from agent.service import routes_data, routes_fits
from agent.service.guards import Guard, install_error_handlers

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def create_app(store_path: Path, token: str, max_bytes: int = DEFAULT_MAX_BYTES) -> FastAPI:
    """The API over the store at ``store_path``; ``token`` must be non-empty."""
    if not token:
        raise ValueError("an API token is required")
    app = FastAPI(
        title="mmm-agent",
        summary="Bayesian MMM with a forking-paths ledger: the CLI contract over HTTP.",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=_one_store_thread,
    )
    app.state.store_path = Path(store_path).expanduser().absolute()
    install_error_handlers(app)
    app.include_router(routes_data.router)
    app.include_router(routes_fits.router)

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(Guard, token=token, max_bytes=max_bytes)
    return app


@asynccontextmanager
async def _one_store_thread(app: FastAPI) -> AsyncIterator[None]:
    """Routes run one at a time in the thread pool: DuckDB's per-process state does not survive two threads of one
    process opening the store together (see mmm_core/jobs/execute.py), and the store takes one writer anyway."""
    anyio.to_thread.current_default_thread_limiter().total_tokens = 1
    yield
