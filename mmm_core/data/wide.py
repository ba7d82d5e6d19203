"""Wide CSV (one column per variable) converted to MFF rows.

Layout: a date column (named like date/period/week/month, else the first column if its values parse as dates),
an optional geography column (geo/geography/region/market/dma/state), and one numeric column per variable.
Product, Campaign, Outlet and Creative are empty in the converted rows, so media are recognised by a spend/cost
suffix in any case and with any separator (``TV Spend``, ``tv-spend``, ``TV_COST``; :mod:`mmm_core.data.channels`),
and ``TV_GRPs``/``TV Impressions`` beside ``TV Spend`` become TV's exposure metric. An empty cell means "not
observed" and produces no row (a monthly survey in weekly data leaves most of its cells empty).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_core.data.frame import RawFrame, normalise_header
from mmm_core.errors import MFFValidationError

DATE_HEADERS = {
    "date",
    "period",
    "week",
    "weekstart",
    "weekstarting",
    "weekending",
    "weekof",
    "month",
    "day",
    "ds",
    "time",
    "quarter",
    "year",
}
GEO_HEADERS = {"geo", "geography", "region", "market", "dma", "state"}


def wide_to_long(
    frame: pd.DataFrame, lines: np.ndarray, file: str, decimal_comma: bool, warnings: list[str]
) -> RawFrame:
    """Melt a wide table into the raw MFF frame, keeping each cell's file line."""
    columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    frame = frame.set_axis(columns, axis=1)
    _refuse_duplicate_headers(columns, file)
    date_col = _date_column(frame, file)
    geo_col = next((c for c in columns if normalise_header(c) in GEO_HEADERS and c != date_col), None)
    variables = [c for c in columns if c not in (date_col, geo_col)]
    if not variables:
        raise MFFValidationError(
            f"{file}: no variable columns besides '{date_col}'.",
            "Add one column per variable (e.g. Sales, TV_Spend).",
            code="missing_column",
            file=file,
            row=1,
        )
    n = len(frame)
    values = pd.concat([frame[v].astype(str) for v in variables], ignore_index=True)
    long = pd.DataFrame(
        {
            "period": np.tile(frame[date_col].astype(str).to_numpy(), len(variables)),
            "geography": np.tile(frame[geo_col].astype(str).str.strip().to_numpy(), len(variables)) if geo_col else "",
            "product": "",
            "campaign": "",
            "outlet": "",
            "creative": "",
            "variable_name": np.repeat(np.array(variables, dtype=object), n),
            "value": values.to_numpy(),
            "line": np.tile(lines, len(variables)),
        }
    )
    observed = long["value"].str.strip() != ""
    headers = {"Period": date_col, **({"Geography": geo_col} if geo_col else {})}
    return RawFrame(long[observed].reset_index(drop=True), file, "wide", headers, decimal_comma, warnings)


def _refuse_duplicate_headers(columns: list[str], file: str) -> None:
    seen: dict[str, str] = {}
    for position, column in enumerate(columns, start=1):
        if not column:
            raise MFFValidationError(
                f"{file}: column {position} has an empty header on line 1.",
                "Name every column.",
                code="missing_column",
                file=file,
                row=1,
            )
        key = column.lower()
        if key in seen:
            raise MFFValidationError(
                f"{file}: columns '{seen[key]}' and '{column}' have the same name.",
                "Rename or merge one of them.",
                code="duplicate_column",
                file=file,
                row=1,
                column=column,
            )
        seen[key] = column


def _date_column(frame: pd.DataFrame, file: str) -> str:
    for column in frame.columns:
        if normalise_header(column) in DATE_HEADERS:
            return column
    first = frame.columns[0]
    sample = frame[first].astype(str).head(20)
    if pd.to_datetime(sample, errors="coerce", format="ISO8601").notna().all():
        return first
    raise MFFValidationError(
        f"{file}: no date column (looked for a header like date/period/week/month, and the first column "
        f"'{first}' does not hold dates).",
        "Name the date column 'Date' or put the dates (YYYY-MM-DD) in the first column.",
        code="missing_column",
        file=file,
        row=1,
        column=first,
    )
