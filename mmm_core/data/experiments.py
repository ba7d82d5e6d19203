"""Experiments as evidence: the lift-test file format, its validation against a dataset, and its storage.

The CSV has one row per test; headers are matched like MFF's (case, spaces, ``_`` and ``-`` ignored)::

    Channel, Geography, Start, End, SpendChange, Lift, LiftSE [, MeasuredUntil, Type, Source, ...]

``Channel``: a channel of the dataset. ``Geography``: one of its geographies, or empty / 'All' for every one.
``Start``/``End``: the first and last period (inclusive) in which the test's spend changed; the engine spreads
``SpendChange`` (total extra spend in the test cell over the window, negative for a go-dark) evenly over those
periods and, within a multi-geography cell, over its geographies in proportion to their own spend on the channel.
``Lift``: measured incremental KPI; ``LiftSE`` its standard error (> 0). By default the lift counts the whole
response, carry-over included (the model counts every period the spend change reaches, up to ``l_max`` after
``End``); ``MeasuredUntil`` (optional, ≥ End) says the lift was measured only up to that period, and the model then
counts only those periods. ``Type``: lift | geo holdout | go-dark | heavy-up (default lift). ``Source``: free text.
Other columns are allowed and ignored. Every refusal names the file, row, column, value and the fix.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_core.data.frame import normalise_header
from mmm_core.data.queries import dataset_periods, describe, national_label, resolve_dataset
from mmm_core.errors import MFFValidationError
from mmm_core.store import Store

REQUIRED = ("Channel", "Geography", "Start", "End", "SpendChange", "Lift", "LiftSE")
OPTIONAL = ("MeasuredUntil", "Type", "Source")
TYPES = ("lift", "geo holdout", "go-dark", "heavy-up")
ALL_GEOS = "all"
_ALL_LABELS = {"", "all", "national", "total"}


@dataclass(frozen=True)
class Experiment:
    """One validated test, in the dataset's own names (channel, geography 'all' or a geography, ISO periods)."""

    channel: str
    geography: str
    start: str
    end: str
    spend_change: float
    lift: float
    lift_se: float
    measured_until: str | None = None
    type: str = "lift"
    source: str = ""

    def key(self) -> str:
        """Content id: the same test added twice is stored once."""
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return "exp_" + hashlib.sha256(text.encode()).hexdigest()[:10]


def _refuse(path: Path, row: int | None, column: str | None, value: Any, problem: str, fix: str) -> None:
    where = f"{path.name}" + (f", row {row}" if row is not None else "") + (f", column {column!r}" if column else "")
    shown = f" (value {value!r})" if value is not None else ""
    raise MFFValidationError(
        f"{where}: {problem}{shown}.",
        fix,
        code="invalid_experiment",
        file=str(path),
        row=row,
        column=column,
        value=value,
    )


def read_experiments(path: Path, context: dict[str, Any]) -> list[Experiment]:
    """Parse and validate ``path`` against a dataset's ``context`` (``experiment_context``)."""
    if not path.is_file():
        _refuse(path, None, None, None, "no such file", "Give the path of a CSV with one row per experiment.")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        _refuse(path, None, None, None, f"not a readable CSV ({exc})", "Save the file as comma-separated UTF-8.")
    by_key = {normalise_header(h): h for h in raw.columns}
    columns = {name: by_key.get(normalise_header(name)) for name in (*REQUIRED, *OPTIONAL)}
    missing = [name for name in REQUIRED if columns[name] is None]
    if missing:
        _refuse(path, None, None, None, f"missing column(s) {', '.join(missing)}", f"The header needs {REQUIRED}.")
    if raw.empty:
        _refuse(path, None, None, None, "no experiment rows", "Add one row per test below the header.")
    return _validate(path, raw, columns, context)


def _validate(
    path: Path, raw: pd.DataFrame, columns: dict[str, str | None], context: dict[str, Any], numbered: bool = True
) -> list[Experiment]:
    """Every row validated; ``numbered``: refusals name the file row (header = row 1), else no row (one record)."""
    rows = raw.to_dict("records")
    out = [_row(path, i + 2 if numbered else None, rec, columns, context) for i, rec in enumerate(rows)]
    seen: dict[str, int] = {}
    for i, exp in enumerate(out):
        if exp.key() in seen:
            _refuse(path, i + 2, None, None, f"duplicates row {seen[exp.key()]}", "Remove the repeated row.")
        seen[exp.key()] = i + 2
    return out


def _row(
    path: Path, row: int | None, rec: dict[str, str], cols: dict[str, str | None], ctx: dict[str, Any]
) -> Experiment:
    def cell(name: str) -> str:
        col = cols[name]
        return rec[col].strip() if col is not None else ""

    channel = _match(cell("Channel"), ctx["channels"])
    if channel is None:
        _refuse(path, row, cols["Channel"], cell("Channel"), "unknown channel", f"Use one of {ctx['channels']}.")
    geo_text = cell("Geography")
    geography = ALL_GEOS if geo_text.casefold() in _ALL_LABELS else _match(geo_text, ctx["geographies"])
    if geography is None:
        _refuse(
            path,
            row,
            cols["Geography"],
            geo_text,
            "unknown geography",
            f"Use one of {ctx['geographies']}, or leave it empty for all.",
        )
    start, end = (_period(path, row, cols[n], cell(n), ctx) for n in ("Start", "End"))
    if end < start:
        _refuse(path, row, cols["End"], cell("End"), f"End is before Start {start}", "Swap Start and End.")
    until = cell("MeasuredUntil")
    measured = _period(path, row, cols["MeasuredUntil"], until, ctx) if until else None
    if measured is not None and measured < end:
        _refuse(
            path, row, cols["MeasuredUntil"], until, f"before End {end}", "MeasuredUntil is End or later (or empty)."
        )
    spend, lift, se = (_number(path, row, cols[n], cell(n)) for n in ("SpendChange", "Lift", "LiftSE"))
    if spend == 0:
        _refuse(
            path,
            row,
            cols["SpendChange"],
            cell("SpendChange"),
            "no spend change",
            "A test changes spend: give the extra (or, negative, the withheld) spend.",
        )
    if se <= 0:
        _refuse(
            path,
            row,
            cols["LiftSE"],
            cell("LiftSE"),
            "the standard error must be positive",
            "Give the lift's standard error (half a 95% interval / 1.96).",
        )
    kind = cell("Type").casefold() or "lift"
    if kind not in TYPES:
        _refuse(
            path, row, cols["Type"], cell("Type"), "unknown test type", f"Use one of {list(TYPES)} or leave it empty."
        )
    return Experiment(channel, geography, start, end, spend, lift, se, measured, kind, cell("Source"))


def _match(text: str, names: list[str]) -> str | None:
    return next((n for n in names if normalise_header(n) == normalise_header(text)), None) if text else None


def _period(path: Path, row: int | None, column: str | None, text: str, ctx: dict[str, Any]) -> str:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        _refuse(path, row, column, text, "not a date", "Write periods as YYYY-MM-DD (a period start of the dataset).")
    periods = ctx["periods"]
    iso = day.isoformat()
    if iso not in periods:
        inside = periods[0] <= iso <= periods[-1]
        problem = "not a period start of the dataset" if inside else f"outside the data ({periods[0]} … {periods[-1]})"
        _refuse(path, row, column, text, problem, "Use a period of the dataset (`mmm-agent describe DATASET`).")
    return iso


def _number(path: Path, row: int | None, column: str | None, text: str) -> float:
    try:
        value = float(text.replace(",", "")) if text else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        _refuse(path, row, column, text, "not a number", "Write a plain number such as 50000 or -12000.5.")
    return value


def experiment_context(store: Store, dataset: str) -> dict[str, Any]:
    """What a file is checked against: the dataset's id, channels, real geographies and periods."""
    d = describe(store, dataset)
    national = national_label(d["geographies"])
    geos = [g for g in d["geographies"] if g != national and g.strip()]
    return {
        "dataset_id": d["dataset_id"],
        "channels": d["channels"],
        "geographies": geos,
        "periods": dataset_periods(store, d["dataset_id"]),
    }


def add_experiments(store: Store, dataset: str, path: str | Path) -> dict[str, Any]:
    """Validate a file and store its tests for the dataset (one transaction: all rows or none)."""
    path = Path(path)
    ctx = experiment_context(store, dataset)
    experiments = read_experiments(path, ctx)
    return _store(store, ctx, experiments, hashlib.sha256(path.read_bytes()).hexdigest(), str(path))


def add_experiment_record(store: Store, dataset: str, record: dict[str, Any], source: str) -> dict[str, Any]:
    """One test given as values (the chat's "we ran a lift test on …"), validated exactly like a file row: keys are
    the file's column names (``Channel``, ``Geography``, ``Start``, ``End``, ``SpendChange``, ``Lift``, ``LiftSE``,
    optional ``MeasuredUntil``, ``Type``, ``Source``); ``source`` names where it came from in refusals and in the
    stored ``file`` field. A calendar window is read as the periods starting inside it. Its fingerprint is that of
    the row's canonical JSON."""
    ctx = experiment_context(store, dataset)
    row = {name: "" if record.get(name) is None else str(record[name]) for name in (*REQUIRED, *OPTIONAL)}
    row["Start"], row["End"] = _periods_within(row["Start"], row["End"], ctx["periods"])
    raw = pd.DataFrame([row], dtype=str)
    (experiment,) = _validate(Path(source), raw, {name: name for name in row}, ctx, numbered=False)
    text = json.dumps(row, sort_keys=True, separators=(",", ":"))
    return _store(store, ctx, [experiment], hashlib.sha256(text.encode()).hexdigest(), source)


def _periods_within(start: str, end: str, periods: list[str]) -> tuple[str, str]:
    """A calendar window said in words ("in March 2023": 2023-03-01 … 2023-03-31) as the first and last period
    starting inside it; dates that are already periods, or windows holding none, are left for validation."""
    inside = [p for p in periods if start <= p <= end]
    if not inside:
        return start, end
    return (start if start in periods else inside[0]), (end if end in periods else inside[-1])


def _store(store: Store, ctx: dict[str, Any], experiments: list[Experiment], fingerprint: str, origin: str):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def work(conn) -> list[str]:
        added = []
        for exp in experiments:
            exists = conn.execute(
                "SELECT 1 FROM experiments WHERE dataset_id = ? AND id = ?", [ctx["dataset_id"], exp.key()]
            ).fetchone()
            if exists:
                continue
            conn.execute(
                "INSERT INTO experiments VALUES (?, ?, ?, ?, ?, ?)",
                [exp.key(), ctx["dataset_id"], json.dumps(asdict(exp), sort_keys=True), fingerprint, origin, now],
            )
            added.append(exp.key())
        return added

    added = store.run(work)
    return {
        "dataset_id": ctx["dataset_id"],
        "file": origin,
        "file_fingerprint": fingerprint,
        "added": added,
        "already_present": [e.key() for e in experiments if e.key() not in added],
        "experiments": list_experiments(store, ctx["dataset_id"]),
    }


def list_experiments(store: Store, dataset: str) -> list[dict[str, Any]]:
    """Every experiment stored for a dataset, oldest first, each with its id and the file fingerprint."""
    ds_id = resolve_dataset(store, dataset)["id"]
    with store.connect() as conn:
        rows = conn.execute(
            "SELECT id, record_json, file_fingerprint, added_at FROM experiments WHERE dataset_id = ? "
            "ORDER BY added_at, id",
            [ds_id],
        ).fetchall()
    return [
        {"experiment_id": i, **json.loads(rec), "file_fingerprint": fp, "added_at": added.isoformat(timespec="seconds")}
        for i, rec, fp, added in rows
    ]


__all__ = [
    "ALL_GEOS",
    "Experiment",
    "add_experiment_record",
    "add_experiments",
    "experiment_context",
    "list_experiments",
    "read_experiments",
]
