"""How a fit job ends badly: the cancel a worker honours at its next progress report, and the ``{code, message,
hint}`` record of any failure (shared by the whole-fit path, execute.py, and the split one, remote.py)."""

from __future__ import annotations

from typing import Any

from mmm_core.errors import MMMError


class JobCancelled(MMMError):
    code = "cancelled"


def error_dict(exc: BaseException) -> dict[str, Any]:
    """``{code, message, hint}`` of a failure (plus an MMMError's structured detail, e.g. the gate report)."""
    if isinstance(exc, MMMError):
        return {**exc.to_dict(), **(exc.detail or {})}
    return {"code": "internal", "message": f"{type(exc).__name__}: {exc}", "hint": "Please report this bug."}
