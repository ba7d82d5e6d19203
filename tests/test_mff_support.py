"""Small MFF files for ingest tests, and a snapshot of a store to prove a refused ingest changed nothing."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

from mmm_core.store import Store

HEADER = "Period,Geography,Product,Campaign,Outlet,Creative,VariableName,VariableValue"


def weeks(n: int, start: date = date(2024, 1, 1)) -> list[str]:
    """n Monday dates, ISO formatted."""
    return [(start + timedelta(weeks=i)).isoformat() for i in range(n)]


def mff_lines(n_weeks: int = 8, geos: tuple[str, ...] = ("North", "South")) -> list[str]:
    """A valid weekly MFF file as lines (header first): TV_Spend on outlet TV, Search_Spend, Sales, Price."""
    lines = [HEADER]
    for geo in geos:
        for i, period in enumerate(weeks(n_weeks)):
            lines += [
                f"{period},{geo},,,TV,,TV_Spend,{100 + i}",
                f"{period},{geo},,,,,Search_Spend,{50 + i * 0.5}",
                f"{period},{geo},,,,,Sales,{1000 + 7 * i}",
                f"{period},{geo},,,,,Price,9.99",
            ]
    return lines


def write_lines(path: Path, lines: list[str], newline_at_end: bool = True) -> Path:
    path.write_text("\n".join(lines) + ("\n" if newline_at_end else ""), encoding="utf-8")
    return path


def store_snapshot(store: Store) -> dict[str, object]:
    """Datasets and row counts, plus the bytes of the store file: equal before and after means untouched."""
    with store.connect() as conn:
        counts = {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("datasets", "mff_rows", "variables")
        }
        ids = sorted(r[0] for r in conn.execute("SELECT id FROM datasets").fetchall())
    return {"counts": counts, "ids": ids}


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
