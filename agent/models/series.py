"""One observed measure per period, as SQL over the sandbox's long rows (``mff``) and variable roles
(``variables``): a channel's spend (or all media's), or a KPI or mediator. Shared by the peak reader ("which month
did we spend the most on TV?") and the statistics reader ("what's our average weekly spend on TV?").

Spend is summed over every spend variable of the channel (an MFF may split one channel by outlet); a period with
no spend row is a period with no spend (sparse MFF files leave dark weeks out), so it counts as 0. A KPI or
mediator missing in a period stays missing (NULL): it was not observed, not zero.
"""

from __future__ import annotations

import re
from typing import Any

# Words that make a question about money rather than the KPI.
SPEND_WORD = re.compile(r"\b(spend\w*|spent|budget\w*|invest\w*|cost|costs|outlay|paid|pay)\b")
ALL_MEDIA = "all media"
_LABEL = {
    "week": "strftime(period, '%Y-%m-%d')",
    "month": "strftime(period, '%Y-%m')",
    "quarter": "strftime(period, '%Y') || '-Q' || quarter(period)",
    "year": "strftime(period, '%Y')",
}
# The fewest periods of each frequency that make a whole unit (a month of weekly data has 4 or 5 weeks).
_WHOLE = {
    "W": {"week": 1, "month": 4, "quarter": 12, "year": 52},
    "D": {"week": 7, "month": 28, "quarter": 89, "year": 365},
    "M": {"week": 1, "month": 1, "quarter": 3, "year": 12},
}


def measure_args(low: str, channels: list[str], metrics: list[str]) -> dict[str, Any]:
    """What is measured: the spend of the channels named (of all media when none is), or the metric named (else
    the dataset's first KPI candidate)."""
    if SPEND_WORD.search(low) or (channels and not metrics):
        return {"measure": "spend", "names": list(channels) or [ALL_MEDIA]}
    return {"measure": "metric", "names": [metrics[0]] if metrics else []}


def label(args: dict[str, Any]) -> str:
    """How the answer names the measure: "TV spend", "media spend", "Sales"."""
    if args.get("measure") == "spend":
        names = [n for n in args.get("names") or () if n != ALL_MEDIA]
        return (" + ".join(names) + " spend") if names else "media spend"
    return " + ".join(args.get("names") or ())


def unit_label(unit: str, frequency: str | None) -> str:
    """SQL naming the ``unit`` a period belongs to; a week of daily data is the calendar week holding the day."""
    if unit == "week" and (frequency or "W")[:1].upper() == "D":
        return "strftime(date_trunc('week', period), '%Y-%m-%d')"
    return _LABEL[unit]


def whole(unit: str, frequency: str | None) -> int:
    """How many of the data's periods make a whole ``unit``."""
    return _WHOLE.get((frequency or "W")[:1].upper(), _WHOLE["W"])[unit]


def series_ctes(args: dict[str, Any], name: str = "series") -> str:
    """``WITH`` relations ending in ``name``(period, name, total): every period of the data (inside the window and
    geographies asked) for each series named, so that a dark week is a row of 0 spend, not a missing row."""
    names = list(args.get("names") or ())
    values = ", ".join(f"({_literal(n)}, {i})" for i, n in enumerate(names))
    spend = args.get("measure") == "spend"
    if not spend:
        which, group = f"v.name IN ({', '.join(_literal(n) for n in names)})", "v.name"
    elif names == [ALL_MEDIA]:
        which, group = "v.role = 'media' AND v.metric = 'spend'", _literal(ALL_MEDIA)
    else:
        chans = ", ".join(_literal(n) for n in names)
        which, group = f"v.role = 'media' AND v.metric = 'spend' AND v.channel IN ({chans})", "v.channel"
    filters = _filters(args, "r.")
    return (
        f"{name}_periods AS (SELECT DISTINCT period FROM mff r{_where(filters)}), "
        f"{name}_names(name, pos) AS (VALUES {values}), "
        f"{name}_values AS (SELECT r.period, {group} AS name, sum(r.value) AS total FROM mff r JOIN variables v "
        f"ON r.variable_name = v.source AND (v.outlet IS NULL OR r.outlet = v.outlet) "
        f"WHERE {' AND '.join([which, *filters])} GROUP BY ALL), "
        f"{name} AS (SELECT p.period, n.name, n.pos, {'coalesce(x.total, 0)' if spend else 'x.total'} AS total "
        f"FROM {name}_periods p CROSS JOIN {name}_names n "
        f"LEFT JOIN {name}_values x ON x.period = p.period AND x.name = n.name)"
    )


def _filters(args: dict[str, Any], prefix: str) -> list[str]:
    out = []
    if args.get("windows"):
        w = args["windows"][0]
        out.append(f"{prefix}period BETWEEN DATE '{_iso(w['start'])}' AND DATE '{_iso(w['end'])}'")
    if args.get("geos"):  # the dataset's own geography names, as SQL string literals
        out.append(f"{prefix}geography IN (" + ", ".join(_literal(g) for g in args["geos"]) + ")")
    return out


def _where(filters: list[str]) -> str:
    return (" WHERE " + " AND ".join(filters)) if filters else ""


def _literal(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _iso(value: Any) -> str:
    """A window bound as an ISO date (the scope's windows are ISO strings; anything else is refused)."""
    text = str(value)[:10]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"not an ISO date: {value!r}")
    return text


def period_word(frequency: str | None) -> str:
    """What one period of the data is called in an answer ("per week")."""
    return {"W": "week", "D": "day", "M": "month"}.get((frequency or "")[:1].upper(), "period")
