"""Which period was highest or lowest ("what was our best month for sales?", "which week had the lowest revenue?",
"when did sales peak?", "which month did we spend the most on TV?"): the observed KPI, or spend, by week, month,
quarter or year, ranked, as one read-only SELECT over the sandbox's rows (``agent.models.series``). Asked without
this reader, "best month" was read as "best channel" and answered with the channels' ROI ranking, and "which month
did we spend the most" listed every week: different questions.

Months and quarters hold different numbers of periods in weekly data (4 or 5 weeks a month), so units are ranked by
their mean per period, with the total and the count beside it, and units the data cover only in part (the first and
last month of the series) are left out.
"""

from __future__ import annotations

import re
from typing import Any

from agent.models import series

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
# Questions about returns or channels by period are not about a measure's peak ("top channel last month").
_NOT_PEAK = re.compile(r"\b(roi|roas|return\w*|contribut\w*|efficien\w*|channel|channels|incremental\w*)\b")
_LOW_END = re.compile(r"\b(worst|lowest|weakest|slowest|quietest|least|fewest|bottom)\b")
_UNITS = ("week", "month", "quarter", "year")


def asks_peak(low: str, n_channels: int = 0) -> bool:
    """Whether ``low`` asks which period a measure was highest or lowest in: the KPI, or spend ("which month did
    we spend the most on TV?" — a channel named is only the spend's)."""
    spend = bool(series.SPEND_WORD.search(low))
    return bool(PEAK.search(low)) and not _NOT_PEAK.search(low) and (spend or not n_channels)


def peak_args(low: str, channels: list[str], metrics: list[str]) -> dict[str, Any]:
    """The unit, end and measure a peak question asks for (the router's arguments; windows are added by the
    scope)."""
    unit = next((u for u in _UNITS if re.search(rf"\b{u}s?\b", low)), "week")
    args = {"grain": unit, "order": "lowest" if _LOW_END.search(low) else "highest"}
    args |= series.measure_args(low, channels, metrics)
    return args | {"label": series.label(args)}


def peak_sql(args: dict[str, Any], frequency: str | None) -> str:
    """One SELECT ranking the units of ``args['grain']`` by the measure's mean per period (whole units only)."""
    unit = args["grain"]
    return (
        f"WITH {series.series_ctes(args)} "
        f"SELECT {series.unit_label(unit, frequency)} AS {unit}, avg(total) AS per_period, sum(total) AS total, "
        f"count(total) AS periods FROM (SELECT period, sum(total) AS total FROM series GROUP BY period) "
        f"GROUP BY 1 HAVING count(total) >= {series.whole(unit, frequency)} ORDER BY per_period "
        f"{'ASC' if args.get('order') == 'lowest' else 'DESC'} LIMIT 5"
    )
