"""The result shape shared by the pre-fit gate and the post-fit health review.

A ``Check`` is one named test with a status, the number it measured, the threshold it was held to and a reason
in plain words (what it means and what to do). Reports serialise with ``to_dict()`` for the CLI, the agent and the
HTML report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from mmm_core.jsonable import to_jsonable

Status = Literal["pass", "warn", "fail"]
_RANK: dict[str, int] = {"pass": 0, "warn": 1, "fail": 2}


def passed(name: str, value: float | None, threshold: str, reason: str, **details: Any) -> Check:
    """A passing check (the common case, written once)."""
    return Check(name, "pass", value, threshold, reason, details)


def magnitude(x: float) -> str:
    """A magnitude as people write it: 9e4, 1e6, 3e-5."""
    m, e = f"{x:.0e}".split("e")
    return f"{m}e{int(e)}"


# --------------------------------------------------------------------------------------------- result shape
@dataclass(frozen=True)
class Check:
    """One named test. ``name`` is a stable code (e.g. ``media_flat_under_prior``); ``reason`` is for humans."""

    name: str
    status: Status
    value: float | None
    threshold: str
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["value"] = _json_float(self.value)
        d["details"] = to_jsonable(self.details)
        return d


def worst(statuses: Sequence[str]) -> Status:
    """The most severe of ``statuses`` (``pass`` when empty)."""
    return max(statuses, key=_RANK.__getitem__, default="pass")  # type: ignore[return-value]


def summarise(checks: Sequence[Check], subject: str) -> str:
    """One line: counts by status, then the names of the failed and warned checks."""
    fails = [c.name for c in checks if c.status == "fail"]
    warns = [c.name for c in checks if c.status == "warn"]
    n_pass = len(checks) - len(fails) - len(warns)
    head = f"{subject}: {n_pass} passed, {len(warns)} warning(s), {len(fails)} failed"
    tail = (f"; failed: {', '.join(fails)}" if fails else "") + (f"; warnings: {', '.join(warns)}" if warns else "")
    return head + tail + "."


@dataclass(frozen=True)
class HealthReport:
    checks: list[Check]
    overall: Status
    summary: str
    approximate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "summary": self.summary,
            "approximate": self.approximate,
            "checks": [c.to_dict() for c in self.checks],
        }

    def check(self, name: str) -> Check:
        """The check called ``name`` (KeyError when absent)."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)


def _json_float(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def by_threshold(value: float, pass_if: bool, warn_if: bool) -> Status:
    """Status from two precomputed conditions; NaN values fail (a diagnostic that cannot be computed is a problem)."""
    if not math.isfinite(value):
        return "fail"
    return "pass" if pass_if else ("warn" if warn_if else "fail")
