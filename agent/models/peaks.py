"""Which period was highest or lowest ("what was our best month for sales?", "which week had the lowest revenue?",
"when did sales peak?"): the observed KPI by week, month, quarter or year, ranked, as one read-only SELECT over the
dataset's ``wide`` view. Asked without this reader, "best month" was read as "best channel" and answered with the
channels' ROI ranking: a different question.

Months and quarters hold different numbers of periods in weekly data (4 or 5 weeks a month), so units are ranked by
their mean per period, with the total and the count beside it, and units the data cover only in part (the first and
last month of the series) are left out.
"""

from __future__ import annotations

import re
from typing import Any

# A superlative over a unit of time, or a peak: "best month", "lowest-selling week", "which quarter had the most
# sales", "when did revenue peak". A word between the two may qualify the unit ("best sales month"), never
# place it in time ("top channel last month").
PEAK = re.compile(
    r"\b(best|worst|highest|lowest|top|biggest|strongest|weakest|slowest|busiest|quietest|record|peak)\b[- ]"
    r"((?!(last|this|next|past|previous|prior|coming|of|the|a|in|for|channel|channels|media|roi)\b)[\w-]+ )?"
    r"(week|month|quarter|year|period)s?\b|"
    r"\bwhen (did|do|does|was|were) (our |the )?[\w ]{0,20}?\b(peak|highest|lowest|at (its|their) (highest|lowest|"
    r"peak|best|worst))\b|"
    r"\b(which|what) (week|month|quarter|year|period)s?\b.{0,40}\b(most|highest|lowest|least|best|worst|peak\w*|"
    r"biggest|top|fewest)\b"
)
# Questions about money or returns by period are not about the observed KPI's peak.
_NOT_KPI = re.compile(
    r"\b(spend\w*|spent|budget|invest\w*|roi|roas|return\w*|contribut\w*|efficien\w*|channel|channels|media)\b"
)
_LOW_END = re.compile(r"\b(worst|lowest|weakest|slowest|quietest|least|fewest|bottom)\b")
_UNITS = ("week", "month", "quarter", "year")
# The fewest periods of each frequency that make a whole unit (a month of weekly data has 4 or 5 weeks).
_WHOLE = {
    "W": {"week": 1, "month": 4, "quarter": 12, "year": 52},
    "D": {"week": 7, "month": 28, "quarter": 89, "year": 365},
    "M": {"week": 1, "month": 1, "quarter": 3, "year": 12},
}
_LABEL = {
    "week": "strftime(period, '%Y-%m-%d')",
    "month": "strftime(period, '%Y-%m')",
    "quarter": "strftime(period, '%Y') || '-Q' || quarter(period)",
    "year": "strftime(period, '%Y')",
}


def asks_peak(low: str) -> bool:
    """Whether ``low`` asks which period the KPI was highest or lowest in."""
    return bool(PEAK.search(low)) and not _NOT_KPI.search(low)


def peak_args(low: str, kpi: str) -> dict[str, Any]:
    """The unit, end and KPI a peak question asks for (the router's arguments; windows are added by the scope)."""
    unit = next((u for u in _UNITS if re.search(rf"\b{u}s?\b", low)), "week")
    return {"grain": unit, "order": "lowest" if _LOW_END.search(low) else "highest", "kpi": kpi}


def peak_sql(args: dict[str, Any], frequency: str | None) -> str:
    """One SELECT ranking the units of ``args['grain']`` by the KPI's mean per period (whole units only)."""
    unit = args["grain"]
    freq = (frequency or "W")[:1].upper()
    whole = _WHOLE.get(freq, _WHOLE["W"])[unit]
    # a week of weekly data is its period (its own start day); of daily data, the calendar week holding the day
    label = "strftime(date_trunc('week', period), '%Y-%m-%d')" if unit == "week" and freq == "D" else _LABEL[unit]
    column = '"' + str(args["kpi"]).replace('"', '""') + '"'
    where = []
    if args.get("windows"):
        w = args["windows"][0]
        where.append(f"period BETWEEN DATE '{_iso(w['start'])}' AND DATE '{_iso(w['end'])}'")
    if args.get("geos"):  # the dataset's own geography names, as SQL string literals
        where.append("geography IN (" + ", ".join("'" + str(g).replace("'", "''") + "'" for g in args["geos"]) + ")")
    where = (" WHERE " + " AND ".join(where)) if where else ""
    direction = "ASC" if args.get("order") == "lowest" else "DESC"
    return (
        f"SELECT {label} AS {unit}, avg(total) AS per_period, sum(total) AS total, count(*) AS periods "
        f"FROM (SELECT period, sum({column}) AS total FROM wide{where} GROUP BY period) "
        f"GROUP BY 1 HAVING count(*) >= {whole} ORDER BY per_period {direction} LIMIT 5"
    )


def _iso(value: Any) -> str:
    """A window bound as an ISO date (the scope's windows are ISO strings; anything else is refused)."""
    text = str(value)[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"not an ISO date: {value!r}")
    return text


def period_word(frequency: str | None) -> str:
    """What one period of the data is called in an answer ("per week")."""
    return {"W": "week", "D": "day", "M": "month"}.get((frequency or "")[:1].upper(), "period")
