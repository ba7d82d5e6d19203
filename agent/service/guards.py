"""What every request meets before a route: the token, the body size limit, and errors in the CLI's shape.

Errors are the CLI contract's object, ``{"error": {"code", "message", "hint"}}``, with an HTTP status chosen by
the error's kind: unknown ids 404, ledger refusals 409, bad input 422, a busy store 503, other refusals 400.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mmm_core.errors import (
    FitRefusedError,
    LedgerError,
    MFFValidationError,
    MMMError,
    NotFoundError,
    QueryLimitError,
    QueryRefusedError,
    SpecLockedError,
    SpecValidationError,
    StoreBusyError,
)

TOKEN_ENV = "MMM_AGENT_API_TOKEN"
PUBLIC_PATHS = ("/health", "/openapi.json")
TOO_LARGE_HINT = "Send a smaller file, or start `mmm-agent serve` with a larger --max-upload-mb."


class RequestRefused(MMMError):
    """A request the command line would refuse as a usage error (an option's value it cannot read)."""

    code = "bad_request"


_STATUS: tuple[tuple[type[MMMError], int], ...] = (
    (NotFoundError, 404),
    (RequestRefused, 422),
    (StoreBusyError, 503),
    (FitRefusedError, 409),
    (LedgerError, 409),
    (SpecLockedError, 409),
    (MFFValidationError, 422),
    (SpecValidationError, 422),
    (QueryRefusedError, 422),
    (QueryLimitError, 422),
)


def error_body(code: str, message: str, hint: str = "") -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "hint": hint}}


def status_of(exc: MMMError) -> int:
    return next((status for kind, status in _STATUS if isinstance(exc, kind)), 400)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MMMError)
    async def mmm_error(request: Request, exc: MMMError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.hint), status_code=status_of(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        hint = "See /openapi.json for the request's fields."
        return JSONResponse(error_body("bad_request", f"Invalid request: {problems}", hint), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 413:
            return JSONResponse(error_body("too_large", str(exc.detail), TOO_LARGE_HINT), 413)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail), "See /openapi.json for the API."), exc.status_code)


class Guard:
    """ASGI middleware: refuse requests without the bearer token (401) and bodies over ``max_bytes`` (413).

    The size is checked on the declared Content-Length and again while the body streams in, so a chunked upload
    cannot slip past the limit."""

    def __init__(self, app: ASGIApp, token: str, max_bytes: int) -> None:
        self.app, self.token, self.max_bytes = app, token.encode(), max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
        if scope["path"] not in PUBLIC_PATHS and not self._authorised(headers.get("authorization", b"")):
            body = error_body(
                "unauthorized", "Missing or wrong API token.", f"Send 'Authorization: Bearer <${TOKEN_ENV}>'."
            )
            return await JSONResponse(body, 401, headers={"WWW-Authenticate": "Bearer"})(scope, receive, send)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._too_large(scope, receive, send)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:  # raised inside the route: the error handler answers 413
                raise StarletteHTTPException(413, _too_large_text(self.max_bytes))
            return message

        await self.app(scope, counted, send)

    def _authorised(self, header: bytes) -> bool:
        scheme, _, given = header.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(given.strip(), self.token)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await JSONResponse(error_body("too_large", _too_large_text(self.max_bytes), TOO_LARGE_HINT), 413)(
            scope, receive, send
        )


def _too_large_text(limit: int) -> str:
    return f"The request body is over the limit of {limit:,} bytes."
