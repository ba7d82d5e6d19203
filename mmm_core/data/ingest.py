"""Ingest: an MFF file (CSV or Parquet, long; or wide CSV) validated and stored as one dataset.

The Marketing Mix Format (MFF) long layout has one value per row, with the columns

    Period, Geography, Product, Campaign, Outlet, Creative, VariableName, VariableValue

Headers match regardless of case, spaces, underscores and hyphens ("variable name", "VARIABLENAME").
Period, VariableName and VariableValue are required; the five dimension columns may be absent, which means the
data is not broken down by that dimension (stored as ''), and their cells may be empty. Any other column is
refused. Wide CSV (``fmt="wide"``) is described in :mod:`mmm_core.data.wide`.

The order of work guarantees the store never holds half a dataset: read -> validate everything -> fingerprint
(:mod:`mmm_core.data.fingerprint`) ->
one transaction that writes ``datasets``, ``mff_rows`` and ``variables`` (or, when identical content is already
stored, writes nothing and returns that dataset).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
from pydantic import BaseModel

from mmm_core.data.channels import build_series, rollup_notes, series_column
from mmm_core.data.file_scan import check_file, max_file_bytes
from mmm_core.data.fingerprint import fingerprint_rows, layout_fingerprint
from mmm_core.data.frame import RawFrame
from mmm_core.data.national import national_geography
from mmm_core.data.periods import PeriodGrid, detect_grid, parse_periods, refuse_gaps
from mmm_core.data.read import read_csv_raw, read_parquet_raw
from mmm_core.data.roles import VariableInfo, infer_roles
from mmm_core.data.validate import (
    KEY_COLUMNS,
    parse_values,
    refuse_duplicates,
    refuse_empty_variable_names,
    refuse_negative_media,
    refuse_no_kpi,
)
from mmm_core.errors import MFFValidationError
from mmm_core.outputs import disk_full_error
from mmm_core.store import Store, new_id

STORED_COLUMNS = [*KEY_COLUMNS, "value"]
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


class ChannelSummary(BaseModel):
    """A media channel found in the data: its spend and exposure variables (model variable names)."""

    channel: str
    spend: list[str] = []
    exposure: list[str] = []


class IngestResult(BaseModel):
    """What an ingest stored (or found already stored).

    ``frequency`` is a pandas-like code: D daily, W weekly, M monthly, Q quarterly, Y yearly ('' for a single
    period). ``ragged`` lists variables present in only some geographies.
    """

    dataset_id: str
    name: str
    rows: int
    periods: int
    period_start: date
    period_end: date
    frequency: str
    geographies: list[str]
    variables: int
    fingerprint: str
    already_present: bool = False
    ragged: list[str] = []
    channels: list[ChannelSummary] = []
    national_geography: str | None = None  # a 'National'/'Total'/'' geography beside real geos
    rollups: list[str] = []  # every sum the model takes (split by Outlet, campaign/creative/product roll-ups)
    warnings: list[str] = []


@dataclass
class ValidData:
    """A file that passed every rule: typed rows in store layout, the period grid and the variables' roles."""

    frame: pd.DataFrame  # STORED_COLUMNS + line
    grid: PeriodGrid
    roles: list[VariableInfo]
    raw: RawFrame  # for messages that name the user's own headers
    warnings: list[str] = field(default_factory=list)
    rollups: list[str] = field(default_factory=list)


def ingest(
    store: Store,
    path: str | Path,
    name: str | None = None,
    fmt: Literal["mff", "wide"] = "mff",
    max_bytes: int | None = None,
) -> IngestResult:
    """Validate ``path`` and store it as a dataset in one transaction; refuse it with MFFValidationError.

    ``max_bytes`` (default ``$MMM_AGENT_MAX_FILE_BYTES`` or 2 GB) caps the file size. Re-ingesting content
    already stored (same fingerprint) writes nothing and returns that dataset with ``already_present=True``.
    """
    path = Path(path)
    if fmt not in ("mff", "wide"):
        raise MFFValidationError(f"Unknown format {fmt!r}.", "Use fmt='mff' or fmt='wide'.", code="unknown_format")
    check_file(path, max_file_bytes(max_bytes))
    data = validate(read_raw(path, fmt))
    with duckdb.connect() as scratch:
        scratch.register("incoming", data.frame)
        refuse_duplicates(scratch, "incoming", data.raw)
        fingerprint = fingerprint_rows(scratch, "incoming")
        known = [fingerprint, *_legacy_match(store, scratch, len(data.frame))]
    try:
        return _store_dataset(store, data, name or path.stem, known)
    except (OSError, duckdb.Error) as exc:  # one transaction: whatever failed, nothing of the dataset is stored
        full = disk_full_error(exc, f"storing {path.name}", store.path, "Nothing was stored; the store is as before.")
        if full is None:
            raise
        raise full from exc


def read_raw(path: Path, fmt: str) -> RawFrame:
    """The file's rows as strings (CSV) or typed columns (Parquet), with their line numbers."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return read_parquet_raw(path, fmt)
    return read_csv_raw(path, fmt)


def validate(raw: RawFrame) -> ValidData:
    """Apply every MFF rule; returns typed rows ready to store or raises MFFValidationError."""
    frame = raw.frame
    refuse_empty_variable_names(raw)
    periods = parse_periods(raw)
    values = parse_values(raw)
    grid = detect_grid(periods, raw)
    refuse_gaps(grid, periods, raw)
    typed = frame.assign(period=periods, value=values)[[*STORED_COLUMNS, "line"]]
    series = build_series(typed)
    media = {s.source for s in series if s.channel is not None}
    refuse_negative_media(typed, media, raw)
    roles = infer_roles(typed, n_periods=len(grid.periods), series=series)
    refuse_no_kpi([v.name for v in roles], media, raw)
    raw.frame = typed  # later messages (duplicates) read lines and names from the typed frame
    with_series = typed.assign(series=series_column(typed, series))
    rollups = [*rollup_notes(with_series, series), *_national_notes(with_series, roles)]
    return ValidData(typed, grid, roles, raw, [*raw.warnings, *_role_warnings(roles, grid), *rollups], rollups)


def _legacy_match(store: Store, scratch: duckdb.DuckDBPyConnection, n_rows: int) -> list[str]:
    """The incoming rows' layout fingerprint when a dataset ingested before the canonical scheme could hold them
    (same row count), so re-ingesting its file is still recognised; otherwise nothing (one hash saved)."""
    with store.connect() as conn:
        candidates = conn.execute("SELECT count(*) FROM datasets WHERE n_rows = ?", [n_rows]).fetchone()[0]
    return [layout_fingerprint(scratch, "incoming")] if candidates else []


def _store_dataset(store: Store, data: ValidData, name: str, known: list[str]) -> IngestResult:
    """One transaction: find identical content, else write dataset, rows and variables together.

    ``known`` is the canonical fingerprint, then the layout one when a pre-canonical dataset may match; an existing
    dataset keeps the fingerprint it was recorded with (specs locked on it recorded that value).
    """
    fingerprint = known[0]
    with store.transaction() as conn:
        existing = conn.execute(
            f"SELECT id, name, fingerprint FROM datasets WHERE fingerprint IN ({', '.join('?' * len(known))})"
            " ORDER BY created_at LIMIT 1",
            known,
        ).fetchone()
        if existing:
            return _result(data, existing[0], existing[1], existing[2], already_present=True)
        dataset_id = new_id("ds")
        _insert_dataset(conn, dataset_id, name, fingerprint, data)
        _insert_rows(conn, dataset_id, data.frame)
        _insert_variables(conn, dataset_id, data.roles)
    return _result(data, dataset_id, name, fingerprint, already_present=False)


def _insert_dataset(
    conn: duckdb.DuckDBPyConnection, dataset_id: str, name: str, fingerprint: str, data: ValidData
) -> None:
    conn.execute(
        "INSERT INTO datasets (id, name, fingerprint, source, format, n_rows, frequency, period_start, period_end,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
        [
            dataset_id,
            name,
            fingerprint,
            str(Path(data.raw.file).absolute()),
            data.raw.fmt,
            len(data.frame),
            data.grid.frequency,
            data.grid.periods[0].date(),
            data.grid.periods[-1].date(),
        ],
    )


def _insert_rows(conn: duckdb.DuckDBPyConnection, dataset_id: str, frame: pd.DataFrame) -> None:
    """Bulk insert from the registered frame (DuckDB scans it columnar; no per-row round trips)."""
    conn.register("incoming_rows", frame)
    try:
        conn.execute(
            "INSERT INTO mff_rows SELECT ?, CAST(period AS DATE), geography, product, campaign, outlet, creative,"
            " variable_name, value FROM incoming_rows",
            [dataset_id],
        )
    finally:
        conn.unregister("incoming_rows")


def _insert_variables(conn: duckdb.DuckDBPyConnection, dataset_id: str, roles: list[VariableInfo]) -> None:
    conn.executemany(
        "INSERT INTO variables (dataset_id, name, role, channel, coverage, n_obs, geo_coverage, ragged, total,"
        " source, outlet, metric) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                *(dataset_id, v.name, v.role, v.channel, v.coverage, v.n_obs, v.geo_coverage, v.ragged, v.total),
                *(v.source or v.name, v.outlet, v.metric),
            ]
            for v in roles
        ],
    )


def _result(data: ValidData, dataset_id: str, name: str, fingerprint: str, *, already_present: bool) -> IngestResult:
    geographies = sorted(data.frame["geography"].unique().tolist())
    warnings = list(data.warnings)
    if already_present:
        warnings.append(f"Identical content is already stored as dataset {dataset_id} ({name}); nothing written.")
    return IngestResult(
        dataset_id=dataset_id,
        name=name,
        rows=len(data.frame),
        periods=len(data.grid.periods),
        period_start=data.grid.periods[0].date(),
        period_end=data.grid.periods[-1].date(),
        frequency=data.grid.frequency,
        geographies=geographies,
        variables=len(data.roles),
        fingerprint=fingerprint,
        already_present=already_present,
        ragged=[v.name for v in data.roles if v.ragged],
        channels=channel_summary(data.roles),
        national_geography=national_geography(geographies),
        rollups=data.rollups,
        warnings=warnings,
    )


def channel_summary(roles: list[VariableInfo]) -> list[ChannelSummary]:
    """Media channels with their spend and exposure variables, by channel name."""
    found: dict[str, ChannelSummary] = {}
    for v in roles:
        if v.channel is None or v.role not in ("media", "exposure"):
            continue
        entry = found.setdefault(v.channel, ChannelSummary(channel=v.channel))
        (entry.exposure if v.metric == "exposure" else entry.spend).append(v.name)
    return sorted(found.values(), key=lambda c: c.channel)


def _national_notes(frame: pd.DataFrame, roles: list[VariableInfo]) -> list[str]:
    """How rows on a national Geography beside real geos will enter a geo model (the default, stated)."""
    nat = national_geography(sorted(frame["geography"].unique().tolist()))
    if nat is None:
        return []
    on_nat = set(frame.loc[frame["geography"] == nat, "series"])
    on_geo = set(frame.loc[frame["geography"] != nat, "series"])
    media = sorted(v.name for v in roles if v.role == "media" and v.name in on_nat)
    notes = []
    if media:
        notes.append(
            f"Media rows on Geography {nat!r} beside {frame['geography'].nunique() - 1} geographies "
            f"({', '.join(media)}): a geo model splits them across the geos by KPI share (default; spec "
            "geo.national_media: kpi_share | equal | a variable such as Population | regressor, one national series "
            "with one coefficient for all geos) — never dropped or double counted."
        )
    both = sorted(v.name for v in roles if v.role != "media" and v.name in on_nat and v.name in on_geo)
    if both:
        notes.append(
            f"{', '.join(both)}: rows on {nat!r} and on the geos (a national total beside regional values?); "
            "a geo model refuses them — remove one of the two."
        )
    return notes


def _role_warnings(roles: list[VariableInfo], grid: PeriodGrid) -> list[str]:
    """Things the user should know but that do not block the ingest."""
    notes = []
    kpis = [v.name for v in roles if v.role == "kpi_candidate"]
    if kpis:
        notes.append(f"Several variables look like the KPI ({', '.join(kpis)}); choose one with --kpi.")
    elif not any(v.role == "kpi" for v in roles):
        notes.append("No variable is named like a KPI (Sales, Revenue, Conversions, ...); choose one with --kpi.")
    ragged = [v.name for v in roles if v.ragged]
    if ragged:
        notes.append(
            f"Present in only some geographies: {', '.join(ragged[:10])}{', ...' if len(ragged) > 10 else ''}."
        )
    if not any(v.role == "media" for v in roles):
        notes.append(
            "No media variable found. Media are rows with an Outlet, or variables named '<channel> Spend' / "
            "'<channel>_Cost' (any case, separator ' ', '_' or '-'); or declare them with "
            "`spec init DATASET --media A,B`."
        )
    if not grid.frequency:
        notes.append("Only one period: too short to model.")
    return notes
