"""Plain-text rendering helpers shared by CLI commands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def fmt_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A left-aligned text table."""
    cells = [[fmt_cell(c) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    line = lambda items: "  ".join(s.ljust(w) for s, w in zip(items, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def interval(est: dict[str, Any] | None, digits: int = 2) -> str:
    """``mean [lo, hi]`` for an estimate dict."""
    if not est:
        return ""
    return f"{est['mean']:.{digits}f} [{est['lo']:.{digits}f}, {est['hi']:.{digits}f}]"


def label_text(idf: dict[str, Any] | None) -> str:
    """An identifiability label, with the data cause of a prior-dominated channel (the label alone does not name
    it); ``not assessed`` when the fit stored none."""
    if not idf:
        return "not assessed"
    causes = idf.get("causes") or []
    return f"{idf['label']} ({', '.join(causes)})" if idf.get("status") == "prior" and causes else idf["label"]
