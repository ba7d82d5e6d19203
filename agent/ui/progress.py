"""Live fit progress: while the graph runs ``fit_model`` in a worker thread, a background task polls the fit's
ledger row (``progress`` 0–1 and its log, written by ``mmm_core.fit.job.run_fit``) and rewrites one chat message
with the percentage, the elapsed time and an estimate of the time remaining.

Polling the ledger (rather than a callback) works whichever tool ran the fit and needs no change to the tools;
the fit tool does not know the UI exists.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from mmm_core import ledger

POLL_SECONDS = 1.0


def running_fit(store: Any, spec_id: str) -> str | None:
    """The id of the newest fit of ``spec_id`` still running (None before it is registered)."""
    with store.connect() as conn:
        row = conn.execute(
            "SELECT id FROM fits WHERE spec_id = ? AND status = 'running' ORDER BY created_at DESC LIMIT 1", [spec_id]
        ).fetchone()
    return row[0] if row else None


def _clock(seconds: float) -> str:
    seconds = max(int(round(seconds)), 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


def progress_text(fraction: float | None, elapsed: float, log: str | None = None) -> str:
    """'Fitting… 45% · elapsed 0:12 · about 0:15 remaining · <last log line>'. The remaining time is the
    elapsed time scaled by the fraction still to do — shown only once there is enough progress to scale."""
    frac = min(max(float(fraction or 0.0), 0.0), 1.0)
    parts = [f"Fitting… {frac:.0%}", f"elapsed {_clock(elapsed)}"]
    if 0.05 <= frac < 1.0:
        parts.append(f"about {_clock(elapsed * (1.0 - frac) / frac)} remaining")
    elif frac < 1.0:
        parts.append("estimating the time remaining")
    last = (log or "").strip().splitlines()[-1:] or [""]
    if last[0]:
        parts.append(last[0][:140])
    return " · ".join(parts)


def snapshot(store: Any, fit_id: str | None) -> tuple[float | None, str | None, str | None]:
    """(progress, log, status) of a fit, or Nones before the fit exists."""
    if not fit_id:
        return None, None, None
    fit = ledger.get_fit(store, fit_id)
    return fit.get("progress"), fit.get("log"), fit.get("status")


async def watch(store: Any, spec_id: str, show: Callable[[str], Awaitable[None]], poll: float = POLL_SECONDS) -> None:
    """Call ``show(text)`` about every ``poll`` seconds until cancelled (the UI cancels it when the tool ends)."""
    start, fit_id = time.monotonic(), None
    while True:
        try:
            fit_id = fit_id or await asyncio.to_thread(running_fit, store, spec_id)
            progress, log, _ = await asyncio.to_thread(snapshot, store, fit_id)
        except Exception as exc:  # a busy store must not kill the watcher; say it and try again
            progress, log = None, f"(progress unavailable: {type(exc).__name__})"
        await show(progress_text(progress, time.monotonic() - start, log))
        await asyncio.sleep(poll)
