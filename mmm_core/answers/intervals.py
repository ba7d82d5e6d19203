"""When two credible intervals overlap — the one rule every answer uses before it calls an order certain."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def intervals_overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether the intervals ``a`` and ``b`` (each with ``lo`` and ``hi``) share a value, ends included: then the
    data cannot tell which of the two is larger, and an answer must not rank them as if it could."""
    return bool(a["lo"] <= b["hi"] and b["lo"] <= a["hi"])
