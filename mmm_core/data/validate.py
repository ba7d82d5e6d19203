"""Interpreting and validating a raw MFF frame: periods, frequency and grid, values, keys, spend, KPI.

Each rule raises :class:`MFFValidationError` with its own ``code`` and a message that names the file, the line,
the column, the value and the fix. Nothing here touches the store.

Frequency codes (pandas-like): ``D`` daily, ``W`` weekly, ``M`` monthly, ``Q`` quarterly, ``Y`` yearly.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mmm_core.data.frame import RawFrame
from mmm_core.errors import MFFValidationError

KEY_COLUMNS = ["period", "geography", "product", "campaign", "outlet", "creative", "variable_name"]
FREQUENCY_WORDS = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly"}
_DATE_FORMATS = ("ISO8601", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d")
_GROUPED_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


@dataclass
class PeriodGrid:
    frequency: str  # D/W/M/Q/Y, or "" for a single period
    periods: pd.DatetimeIndex  # the full regular grid from first to last period


def parse_periods(raw: RawFrame) -> pd.Series:
    """Period column as midnight timestamps; dates are parsed once per distinct value for speed."""
    column = raw.frame["period"]
    if pd.api.types.is_datetime64_any_dtype(column):  # typed Parquet column
        parsed = pd.to_datetime(column)
        parsed = parsed.dt.tz_localize(None) if parsed.dt.tz is not None else parsed
        _refuse_missing_period(raw, parsed.isna())
    else:
        codes, uniques = pd.factorize(column.astype(str).str.strip())
        parsed = pd.Series(_parse_dates(pd.Index(uniques), raw).to_numpy()[codes], index=column.index)
    _refuse_at(
        raw,
        parsed != parsed.dt.normalize(),
        "unparseable_period",
        "has a time of day",
        "Give one date per period (YYYY-MM-DD), without a time.",
        column="Period",
        field="period",
    )
    return parsed


def parse_values(raw: RawFrame) -> pd.Series:
    """VariableValue as float64; refuses empty, non-numeric, NaN and infinite values."""
    column = raw.frame["value"]
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.astype("float64")
        _refuse_non_finite(raw, values, column.astype(str))
        return values
    text = column.astype(str).str.strip()
    _refuse_at(
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
    _refuse_at(
        raw,
        bad,
        "non_numeric",
        "is not a number",
        "Write numbers with a decimal point and no thousands separators or currency signs (e.g. 1234.5).",
        values_text=text,
    )
    _refuse_non_finite(raw, values, text)
    return values


def detect_grid(periods: pd.Series, raw: RawFrame) -> PeriodGrid:
    """The dataset's frequency and full period grid; refuses mixed or irregular spacing."""
    dates = pd.DatetimeIndex(np.sort(periods.unique()))
    if len(dates) == 1:
        return PeriodGrid("", dates)
    days = np.diff(dates.asi8) // (86_400 * 10**9 // _unit_per_ns(dates))
    step = math.gcd(*(int(d) for d in days))
    typical = int(pd.Series(days).mode().iat[0])
    if step == 7 or (step == 1 and typical == 1):  # a daily grid with gaps still has mostly 1-day steps
        return PeriodGrid("D" if step == 1 else "W", pd.date_range(dates[0], dates[-1], freq=f"{step}D"))
    monthly = _month_grid(dates)
    if monthly is not None:
        return monthly
    _refuse_spacing(dates, days, periods, raw)
    raise AssertionError("unreachable")


def refuse_gaps(grid: PeriodGrid, periods: pd.Series, raw: RawFrame) -> None:
    """Every period of the grid must appear in the file; name the first missing one."""
    present = pd.DatetimeIndex(periods.unique())
    missing = grid.periods.difference(present)
    if len(missing):
        before = grid.periods[grid.periods.get_loc(missing[0]) - 1]
        raise MFFValidationError(
            f"{_name(raw)}: the {FREQUENCY_WORDS[grid.frequency]} period grid has a gap: no row for period "
            f"{missing[0].date()} (after {before.date()}); {len(missing)} period(s) missing in all.",
            "Add rows for the missing period(s) (a zero where nothing was spent), or check the dates.",
            code="period_gap",
            file=raw.file,
            column=raw.column_label("Period"),
            value=str(missing[0].date()),
        )


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
        f"{_name(raw)}: duplicate rows for variable {variable!r} in period {pd.Timestamp(period).date()}"
        f"{' (' + dims + ')' if dims else ''}: lines {first} ({v1!r}) and {second} ({v2!r}).",
        "Keep one row per period, dimensions and variable; if both are real, sum them yourself before loading.",
        code="duplicate_key",
        file=raw.file,
        row=int(first),
        column=raw.column_label("VariableName", variable),
        value=variable,
    )


def refuse_empty_variable_names(raw: RawFrame) -> None:
    _refuse_at(
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
            f"{_name(raw)}: negative value {value:g} for media variable {variable!r} on line {line} "
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
            f"{_name(raw)}: every variable is media ({', '.join(sorted(variables)[:8])}"
            f"{', ...' if len(variables) > 8 else ''}); there is no KPI to model.",
            "Add the outcome (e.g. a Sales or Conversions variable with an empty Outlet).",
            code="no_kpi_candidate",
            file=raw.file,
            column=raw.column_label("VariableName"),
        )


def _parse_dates(uniques: pd.Index, raw: RawFrame) -> pd.DatetimeIndex:
    """Try each accepted date format on the distinct values; refuse ambiguous day/month orders."""
    best: pd.DatetimeIndex | None = None
    fits: dict[str, pd.DatetimeIndex] = {}
    for fmt in _DATE_FORMATS:
        parsed = pd.DatetimeIndex(pd.to_datetime(uniques, format=fmt, errors="coerce"))
        if not parsed.isna().any():
            fits[fmt] = parsed
        if best is None or parsed.isna().sum() < best.isna().sum():
            best = parsed
    if "%d/%m/%Y" in fits and "%m/%d/%Y" in fits and not fits["%d/%m/%Y"].equals(fits["%m/%d/%Y"]):
        sample = uniques[fits["%d/%m/%Y"] != fits["%m/%d/%Y"]][0]
        _raise_at(
            raw,
            "ambiguous_period",
            "Period",
            raw.frame["period"].astype(str).str.strip() == sample,
            "could be day/month or month/day",
            "Write dates as YYYY-MM-DD.",
        )
    if fits:
        return next(iter(fits.values()))
    bad = uniques[best.isna()][0] if best is not None else uniques[0]
    _raise_at(
        raw,
        "unparseable_period",
        "Period",
        raw.frame["period"].astype(str).str.strip() == bad,
        "is not a date",
        "Write periods as dates, e.g. 2024-01-01 (YYYY-MM-DD), one per row.",
    )
    raise AssertionError("unreachable")


def _refuse_missing_period(raw: RawFrame, missing: pd.Series) -> None:
    _refuse_at(
        raw,
        missing,
        "unparseable_period",
        "is empty",
        "Give every row a period (YYYY-MM-DD).",
        column="Period",
        field="period",
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
    _refuse_at(
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
        _refuse_at(
            raw,
            dotted.to_numpy(),
            "ambiguous_decimal",
            "could be a decimal (1.234) or a thousands-grouped integer (1234) in a ';'-delimited file",
            "Write numbers without thousands separators (1234 or 1,234 as a decimal comma).",
            values_text=text,
        )


def _refuse_non_finite(raw: RawFrame, values: pd.Series, text: pd.Series) -> None:
    _refuse_at(
        raw,
        ~np.isfinite(values.to_numpy()),
        "non_finite",
        "is not a finite number",
        "Replace NaN/inf with the real value, or delete the row if it was not observed.",
        values_text=text,
    )


def _refuse_at(
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
    mask = np.asarray(bad, dtype=bool)
    if mask.any():
        _raise_at(raw, code, column, mask, what, hint, values_text, field)


def _raise_at(
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
        f"{_name(raw)}: {where} {line}, column {label}: value {str(value)!r} {what}{about}{more}.",
        hint,
        code=code,
        file=raw.file,
        row=line,
        column=label,
        value=str(value),
    )


def _unit_per_ns(dates: pd.DatetimeIndex) -> int:
    """asi8 is in the index's own unit (pandas 3 may use s/ms/us/ns); returns ns per unit."""
    return {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[np.datetime_data(dates.dtype)[0]]


def _all_same_weekday(dates: pd.DatetimeIndex) -> bool:
    return dates.dayofweek.nunique() == 1


def _month_grid(dates: pd.DatetimeIndex) -> PeriodGrid | None:
    """Monthly, quarterly or yearly data: one fixed day of the month (or always the month's end)."""
    month_end = bool(dates.is_month_end.all())
    if not month_end and dates.day.nunique() != 1:
        return None
    ordinals = dates.year * 12 + dates.month
    step = math.gcd(*(int(d) for d in np.diff(ordinals)))
    code = {1: "M", 3: "Q", 12: "Y"}.get(step)
    if code is None:
        return None
    offsets = pd.DateOffset(months=step)
    grid = [dates[0] + offsets * i for i in range((ordinals[-1] - ordinals[0]) // step + 1)]
    if month_end:
        grid = [d + pd.offsets.MonthEnd(0) for d in grid]
    return PeriodGrid(code, pd.DatetimeIndex(grid))


def _refuse_spacing(dates: pd.DatetimeIndex, days: np.ndarray, periods: pd.Series, raw: RawFrame) -> None:
    """Explain why the periods form no grid: mixed granularities/anchors, or irregular intervals."""
    typical = int(pd.Series(days).mode().iat[0])
    if typical % 7 == 0 and not _all_same_weekday(dates):
        anchor = dates.dayofweek.value_counts().idxmax()
        odd = dates[dates.dayofweek != anchor][0]
        _raise_period(
            raw,
            periods,
            odd,
            "mixed_frequency",
            f"is a {odd.day_name()} while the other periods are weekly {pd.Timestamp(dates[0]).day_name()}s"
            if dates[0].dayofweek == anchor
            else "is not on the weekly grid of the other periods",
            "Align every variable to the same weekly periods (e.g. give a monthly survey the date of "
            "the week it falls in).",
        )
    if 28 <= typical <= 31 or (typical % 7 and typical > 7):
        odd = dates[dates.day != dates.day.value_counts().idxmax()][0]
        _raise_period(
            raw,
            periods,
            odd,
            "mixed_frequency",
            "breaks the monthly pattern of the other periods",
            "Use one period per month, always on the same day (e.g. the 1st).",
        )
    bad = int(np.argmax(days % typical != 0)) if (days % typical).any() else int(np.argmax(days != typical))
    _raise_period(
        raw,
        periods,
        dates[bad + 1],
        "irregular_frequency",
        f"follows {dates[bad].date()} after {days[bad]} day(s), while periods are usually {typical} day(s) apart",
        "Use regularly spaced periods (daily, weekly, monthly, quarterly or yearly).",
    )


def _raise_period(raw: RawFrame, periods: pd.Series, period: pd.Timestamp, code: str, what: str, hint: str) -> None:
    _raise_at(raw, code, "Period", (periods == period).to_numpy(), what, hint, field="period")


def _name(raw: RawFrame) -> str:
    return Path(raw.file).name
