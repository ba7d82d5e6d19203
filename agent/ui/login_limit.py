"""A rate limit on the UI's password login: 5 failures a minute per user name and per client address.

One shared password guards the UI (``$MMM_AGENT_PASSWORD``); without a limit a script can try thousands a second.
After ``max_failures`` failed logins inside ``window_s`` the user name (checked in the auth callback) or the client
address (checked by :func:`install`, an HTTP middleware around Chainlit's ``/login``) is refused with HTTP 429 and
a message saying when to try again, even with the right password, until the oldest failure leaves the window.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

MAX_FAILURES = 5
WINDOW_S = 60.0


class LoginLimiter:
    """Failed logins per key in a sliding window (thread-safe: the callback and the middleware share it)."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_s: float = WINDOW_S, clock=time.monotonic) -> None:
        self.max_failures, self.window_s, self._clock = max_failures, window_s, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds until ``key`` may try again (0.0: it may now)."""
        with self._lock:
            recent = self._recent(key)
            if len(recent) < self.max_failures:
                return 0.0
            return max(0.0, recent[0] + self.window_s - self._clock())

    def failed(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(self._clock())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= self._clock() - self.window_s:
            times.popleft()
        return times


def refusal(seconds: float, who: str) -> str:
    return f"Too many failed logins for this {who}: try again in {max(1, round(seconds))} s."


LIMITER = LoginLimiter()


def install(app: Any, limiter: LoginLimiter = LIMITER, path: str = "/login") -> None:
    """Count failed ``POST {path}`` answers (401/403) per client address and per user name, and answer a blocked
    one with 429 and the wait. (Chainlit swallows exceptions from the auth callback, so the refusal with its
    message has to happen here, around the route.)"""
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response

    async def limit(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.method != "POST" or not request.url.path.endswith(path):
            return await call_next(request)
        keys = {"address": f"addr:{request.client.host if request.client else '?'}"}
        user = await _user_name(request)
        if user:
            keys["user name"] = f"user:{user}"
        for who, key in keys.items():
            wait = limiter.retry_after(key)
            if wait > 0:
                return JSONResponse({"detail": refusal(wait, who)}, status_code=429)
        response = await call_next(request)
        for key in keys.values():
            if response.status_code in (401, 403):
                limiter.failed(key)
            elif response.status_code < 400:
                limiter.succeeded(key)
        return response

    app.middleware("http")(limit)


async def _user_name(request: Any) -> str:
    """The form's user name, normalised as the auth callback does (Starlette replays the body to the route)."""
    if "application/x-www-form-urlencoded" not in request.headers.get("content-type", ""):
        return ""  # multipart logins are limited per address only
    form = parse_qs((await request.body())[:4096].decode("utf-8", errors="replace"))
    return (form.get("username") or [""])[0].strip().casefold()
