"""Periods of an MFF file: the dates (one format for the whole file; an ambiguous day/month order is refused),
the dataset's frequency and its full regular grid, and the periods missing from it.

Frequency codes (pandas-like): ``D`` daily, ``W`` weekly, ``M`` monthly, ``Q`` quarterly, ``Y`` yearly. Every
refusal names the file, the line and the value, like the other rules in :mod:`mmm_core.data.validate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_core.data.frame import RawFrame
from mmm_core.data.validate import file_name, raise_at, refuse_at
from mmm_core.errors import MFFValidationError

FREQUENCY_WORDS = {"D": "daily", "W": "weekly", "M": "monthly", "Q": "quarterly", "Y": "yearly"}
_DATE_FORMATS = ("ISO8601", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y%m%d")


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
    refuse_at(
        raw,
        parsed != parsed.dt.normalize(),
        "unparseable_period",
        "has a time of day",
        "Give one date per period (YYYY-MM-DD), without a time.",
        column="Period",
        field="period",
    )
    return parsed


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
            f"{file_name(raw)}: the {FREQUENCY_WORDS[grid.frequency]} period grid has a gap: no row for period "
            f"{missing[0].date()} (after {before.date()}); {len(missing)} period(s) missing in all.",
            "Add rows for the missing period(s) (a zero where nothing was spent), or check the dates.",
            code="period_gap",
            file=raw.file,
            column=raw.column_label("Period"),
            value=str(missing[0].date()),
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
        raise_at(
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
    raise_at(
        raw,
        "unparseable_period",
        "Period",
        raw.frame["period"].astype(str).str.strip() == bad,
        "is not a date",
        "Write periods as dates, e.g. 2024-01-01 (YYYY-MM-DD), one per row.",
    )
    raise AssertionError("unreachable")


def _refuse_missing_period(raw: RawFrame, missing: pd.Series) -> None:
    refuse_at(
        raw,
        missing,
        "unparseable_period",
        "is empty",
        "Give every row a period (YYYY-MM-DD).",
        column="Period",
        field="period",
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
    raise_at(raw, code, "Period", (periods == period).to_numpy(), what, hint, field="period")
