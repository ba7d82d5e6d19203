"""Interpreting and validating a raw MFF frame: values, keys, spend, KPI (periods: :mod:`mmm_core.data.periods`).

Each rule raises :class:`MFFValidationError` with its own ``code`` and a message that names the file, the line,
the column, the value and the fix (:func:`refuse_at`, :func:`raise_at`, shared with the period rules). Nothing
here touches the store.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mmm_core.data.frame import RawFrame
from mmm_core.errors import MFFValidationError

KEY_COLUMNS = ["period", "geography", "product", "campaign", "outlet", "creative", "variable_name"]
_GROUPED_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def parse_values(raw: RawFrame) -> pd.Series:
    """VariableValue as float64; refuses empty, non-numeric, NaN and infinite values."""
    column = raw.frame["value"]
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.astype("float64")
        _refuse_non_finite(raw, values, column.astype(str))
        return values
    text = column.astype(str).str.strip()
    refuse_at(
        raw,
        text == "",
        "missing_value",
        "is empty",
        "Fill in the value, or delete the row if the variable was not observed in that period.",
    )
    if raw.decimal_comma and text.str.contains(",", regex=False).any():
        text = _decimal_comma_to_point(raw, text)
    elif raw.decimal_comma:
        _refuse_thousands_dots(raw, text)
    values = _to_float(text)
    bad = values.isna() & ~text.str.lower().isin(["nan", "-nan", "+nan"])
    refuse_at(
        raw,
        bad,
        "non_numeric",
        "is not a number",
        "Write numbers with a decimal point and no thousands separators or currency signs (e.g. 1234.5).",
        values_text=text,
    )
    _refuse_non_finite(raw, values, text)
    return values


def refuse_duplicates(conn: duckdb.DuckDBPyConnection, table: str, raw: RawFrame) -> None:
    """Two rows with the same period x dimensions x variable are an error, never summed."""
    keys = ", ".join(KEY_COLUMNS)
    row = conn.execute(
        f"SELECT {keys}, min(line), arg_min(value, line), max(line), arg_max(value, line) FROM {table} "
        f"GROUP BY {keys} HAVING count(*) > 1 ORDER BY min(line) LIMIT 1"
    ).fetchone()
    if row is None:
        return
    period, geo, product, campaign, outlet, creative, variable, first, v1, second, v2 = row
    dims = ", ".join(
        f"{k}={v!r}"
        for k, v in zip(
            ("Geography", "Product", "Campaign", "Outlet", "Creative"), (geo, product, campaign, outlet, creative)
        )
        if v
    )
    raise MFFValidationError(
        f"{file_name(raw)}: duplicate rows for variable {variable!r} in period {pd.Timestamp(period).date()}"
        f"{' (' + dims + ')' if dims else ''}: lines {first} ({v1!r}) and {second} ({v2!r}).",
        "Keep one row per period, dimensions and variable; if both are real, sum them yourself before loading.",
        code="duplicate_key",
        file=raw.file,
        row=int(first),
        column=raw.column_label("VariableName", variable),
        value=variable,
    )


def refuse_empty_variable_names(raw: RawFrame) -> None:
    refuse_at(
        raw,
        (raw.frame["variable_name"] == "").to_numpy(),
        "missing_variable_name",
        "is empty",
        "Give every row a VariableName.",
        column="VariableName",
        field="variable_name",
    )


def refuse_negative_media(frame: pd.DataFrame, media: set[str], raw: RawFrame) -> None:
    bad = (frame["value"] < 0) & frame["variable_name"].isin(media)
    if bad.any():
        at = int(np.argmax(bad.to_numpy()))
        variable, value, line = frame["variable_name"].iat[at], float(frame["value"].iat[at]), frame["line"].iat[at]
        raise MFFValidationError(
            f"{file_name(raw)}: negative value {value:g} for media variable {variable!r} on line {line} "
            f"(column {raw.column_label('VariableValue', variable)}).",
            "Spend and media volumes cannot be negative; correct the value (refunds belong in a control).",
            code="negative_spend",
            file=raw.file,
            row=int(line),
            column=raw.column_label("VariableValue", variable),
            value=float(value),
        )


def refuse_no_kpi(variables: list[str], media: set[str], raw: RawFrame) -> None:
    if set(variables) <= media:
        raise MFFValidationError(
            f"{file_name(raw)}: every variable is media ({', '.join(sorted(variables)[:8])}"
            f"{', ...' if len(variables) > 8 else ''}); there is no KPI to model.",
            "Add the outcome (e.g. a Sales or Conversions variable with an empty Outlet).",
            code="no_kpi_candidate",
            file=raw.file,
            column=raw.column_label("VariableName"),
        )


def _to_float(text: pd.Series) -> pd.Series:
    """Fast path: Arrow's cast; only when it fails do we pay for the per-value coercion that finds the culprit."""
    try:
        return pd.Series(
            pc.cast(pa.array(text, pa.string()), pa.float64()).to_numpy(zero_copy_only=False), index=text.index
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(text, errors="coerce").astype("float64")


def _decimal_comma_to_point(raw: RawFrame, text: pd.Series) -> pd.Series:
    """';'-files with decimal commas: '1.234,5' -> 1234.5; a lone '1.5' among them is ambiguous and refused."""
    dotted = text.str.contains(".", regex=False)
    grouped = text.str.match(_GROUPED_THOUSANDS.pattern)
    refuse_at(
        raw,
        dotted & ~grouped,
        "ambiguous_decimal",
        "mixes a decimal point into a file that uses decimal commas",
        "Use one decimal separator throughout (1234,5 or 1234.5), without thousands separators.",
    )
    raw.warnings.append("Read decimal commas in a ';'-delimited file (1234,5 = 1234.5).")
    return text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)


def _refuse_thousands_dots(raw: RawFrame, text: pd.Series) -> None:
    """A ';'-file without commas whose only dotted values look like '1.234' may mean 1234: refuse, don't guess."""
    dotted = text.str.contains(".", regex=False)
    if dotted.any() and text[dotted].str.match(r"^[+-]?\d{1,3}(\.\d{3})+$").all():
        refuse_at(
            raw,
            dotted.to_numpy(),
            "ambiguous_decimal",
            "could be a decimal (1.234) or a thousands-grouped integer (1234) in a ';'-delimited file",
            "Write numbers without thousands separators (1234 or 1,234 as a decimal comma).",
            values_text=text,
        )


# No spend, KPI or control reaches a quintillion per period (in any currency), so a value beyond it is an export
# error; the limit also keeps every sum over a dataset finite and the engine's 32-bit scales (max 3.4e38) exact
# enough, where 1.7e308 used to overflow to inf inside the fit.
MAX_ABS_VALUE = 1e18


def _refuse_non_finite(raw: RawFrame, values: pd.Series, text: pd.Series) -> None:
    numbers = values.to_numpy()
    refuse_at(
        raw,
        ~np.isfinite(numbers),
        "non_finite",
        "is not a finite number",
        "Replace NaN/inf with the real value, or delete the row if it was not observed.",
        values_text=text,
    )
    refuse_at(
        raw,
        np.abs(numbers) > MAX_ABS_VALUE,
        "value_out_of_range",
        f"is beyond ±{MAX_ABS_VALUE:.0e}, larger than any real spend or KPI (sums of it overflow)",
        "Check the export: a misplaced exponent or a wrong column. Rescale the variable (e.g. thousands) if the "
        "magnitude is real.",
        values_text=text,
    )


def refuse_at(
    raw: RawFrame,
    bad: pd.Series | np.ndarray,
    code: str,
    what: str,
    hint: str,
    *,
    values_text: pd.Series | None = None,
    column: str = "VariableValue",
    field: str = "value",
) -> None:
    """Refuse the file when any row is ``bad``: :func:`raise_at` on the first such row."""
    mask = np.asarray(bad, dtype=bool)
    if mask.any():
        raise_at(raw, code, column, mask, what, hint, values_text, field)


def raise_at(
    raw: RawFrame,
    code: str,
    column: str,
    mask: pd.Series | np.ndarray,
    what: str,
    hint: str,
    values_text: pd.Series | None = None,
    field: str | None = None,
) -> None:
    """Raise for the first row under ``mask``, naming its line, column and value."""
    at = int(np.argmax(np.asarray(mask, dtype=bool)))
    frame = raw.frame
    field = field or ("period" if column == "Period" else "value")
    value = (values_text if values_text is not None else frame[field]).iat[at]
    line, variable = int(frame["line"].iat[at]), str(frame["variable_name"].iat[at])
    label = raw.column_label(column, variable)
    count = int(np.asarray(mask, dtype=bool).sum())
    more = f" ({count - 1} more row(s) like it)" if count > 1 else ""
    where = "row" if raw.file.endswith((".parquet", ".pq")) else "line"
    about = f" (variable {variable!r})" if variable else ""
    raise MFFValidationError(
        f"{file_name(raw)}: {where} {line}, column {label}: value {str(value)!r} {what}{about}{more}.",
        hint,
        code=code,
        file=raw.file,
        row=line,
        column=label,
        value=str(value),
    )


def file_name(raw: RawFrame) -> str:
    """The file's name without its folder, as error messages show it."""
    return Path(raw.file).name
