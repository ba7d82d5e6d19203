"""Statistics of one observed series ("what's our average weekly spend on TV?", "median weekly sales in 2023",
"how volatile is our TV spend?", "how many weeks did we run TV?", "did we ever not spend on Social?") and its
correlation with the KPI ("is TV spend correlated with sales?"), each one read-only SELECT over the sandbox's rows
(``agent.models.series``). Asked without this reader, such questions got the full weekly table or the channel's
total: numbers that do not answer them.

Per unit of time: "per month" sums each whole month first (a month of weekly data holds 4 or 5 weeks; months the
data cover only in part are left out). A correlation is over the data's own periods and is said to be what it is:
not the channel's effect.
"""

from __future__ import annotations

import re
from typing import Any

from agent.models import series

_AVERAGE = re.compile(
    r"\b(average|avg|mean|typical(ly)?|median|usual(ly)?|normally|standard deviation|"
    r"volatil\w*|variab\w*|fluctuat\w*|consisten\w*|stable|steady)\b"
)
_ACTIVITY = re.compile(
    r"\bhow many (weeks|months|days|periods)\b.{0,40}\b(run|ran|spen[dt]|active|on air|live|advertis\w*|use[ds]?)\b|"
    r"\b(ever|never) (not )?(spen[dt]|run|ran|advertis\w*|paus\w*|turn\w* off|go dark|went dark)\b|"
    r"\b(weeks|months|days|periods) (with|of) (no|zero|nil) (spend|media|activity)\b|"
    r"\b(always on|dark (weeks|periods|months)|how often did we (spend|run|advertis\w*))\b"
)
# "which weeks had zero TV spend?", "when was Radio dark?": the periods themselves, listed.
_DARK = re.compile(
    r"\b(which|what) (weeks|months|periods|days|quarters)\b.{0,30}\b(no|zero|nil|without|any)\b.{0,20}\b("
    r"spend\w*|spent|advertising|media|activity|on air)\b|"
    r"\bwhen (was|were|did|is)\b.{0,20}\b(dark|off air|switched off|paused)\b|"
    r"\bwhen did we (not|never) (spend|advertise|run)\b"
)
_CORRELATION = re.compile(r"\b(correlat\w*|co-?move\w*|move together)\b")
# About the model's estimates, not the observed series: their own readers answer them.
_ESTIMATE = re.compile(
    r"\b(roi|roas|return\w*|contribut\w*|driven|drive[sn]?|effect\w*|impact\w*|incremental\w*|lift|uplift|"
    r"marginal|saturat\w*|adstock|half-?life|elasticit\w*|cpa|cost per|estimat\w*|results?|model|fit|"
    r"coefficients?|posterior|predictions?|forecasts?)\b"
)
# "which channel is most consistent?" asks for a channel, not a series' statistic.
_WHICH_CHANNEL = re.compile(r"\b(which|what) (channel|media|medium)s?\b")
_UNIT = re.compile(r"\b(?:per|a|each|every|by) (week|month|quarter|year)\b|\b(week|month|quarter|year)ly\b")


def asks_stats(low: str) -> str | None:
    """Which statistic ``low`` asks of an observed series: "summary", "activity" or "correlation" (None if none)."""
    if _CORRELATION.search(low):
        return "correlation"
    if _DARK.search(low):
        return "dark"
    if _ESTIMATE.search(low) or _WHICH_CHANNEL.search(low):
        return None
    if _ACTIVITY.search(low):
        return "activity"
    return "summary" if _AVERAGE.search(low) else None


def stats_args(low: str, kind: str, channels: list[str], metrics: list[str], kpis: list[str]) -> dict[str, Any]:
    """The router's arguments: what is measured, per which unit, and which statistic (windows come from the
    scope). A correlation is of each channel's spend (all media's when none is named) with the KPI."""
    if kind == "correlation":
        args = {"measure": "spend", "names": list(channels) or [series.ALL_MEDIA]}
        return args | {"stat": kind, "kpi": (metrics or kpis)[0], "label": series.label(args)}
    m = _UNIT.search(low)
    unit = next(g for g in m.groups() if g) if m else None
    if kind == "dark" and (d := _DARK.search(low)) and d.group(2):  # "which months had no Radio spend?"
        unit = d.group(2).rstrip("s")
    if kind in ("activity", "dark"):
        args = {"measure": "spend", "names": list(channels) or [series.ALL_MEDIA]}
    else:
        args = series.measure_args(low, channels, metrics or kpis)
    return args | {"stat": kind, "unit": unit, "label": series.label(args)}


def stats_unit(args: dict[str, Any], frequency: str | None) -> str:
    """The unit a statistic is over: the one asked for, else the data's own period (a week for daily data)."""
    unit = args.get("unit") or series.period_word(frequency)
    return unit if unit in ("week", "month", "quarter", "year") else "week"


def stats_sql(args: dict[str, Any], frequency: str | None) -> str:
    """One SELECT: per series named, the statistic asked for (see the module doc)."""
    if args["stat"] == "correlation":
        kpi = {"measure": "metric", "names": [args["kpi"]]} | {k: args[k] for k in ("windows", "geos") if k in args}
        return (
            f"WITH {series.series_ctes(args)}, {series.series_ctes(kpi, 'kpi')} "
            "SELECT s.name, corr(s.total, k.total) AS correlation, count(k.total) AS periods FROM series s "
            "JOIN kpi k ON k.period = s.period GROUP BY s.name, s.pos ORDER BY s.pos"
        )
    unit = stats_unit(args, frequency)
    units = (
        f"units AS (SELECT name, pos, {series.unit_label(unit, frequency)} AS unit, sum(total) AS total, "
        f"min(period) AS first, max(period) AS last FROM series GROUP BY ALL "
        f"HAVING count(total) >= {series.whole(unit, frequency)})"
    )
    if args["stat"] == "dark":  # each unit with no spend, with how many there are of how many
        return (
            f"WITH {series.series_ctes(args)}, {units} SELECT name, unit, count(*) FILTER (WHERE total = 0) OVER "
            "(PARTITION BY name) AS dark, count(*) OVER (PARTITION BY name) AS units FROM units QUALIFY total = 0 "
            "ORDER BY pos, unit"
        )
    return (
        f"WITH {series.series_ctes(args)}, {units} "
        "SELECT name, count(total) AS units, avg(total) AS mean, median(total) AS median, min(total) AS low, "
        "arg_min(unit, total) AS low_unit, max(total) AS high, arg_max(unit, total) AS high_unit, "
        "stddev_samp(total) AS sd, sum(total) AS total, count(*) FILTER (WHERE total = 0) AS zero_units, "
        "strftime(min(first), '%Y-%m-%d') AS first, strftime(max(last), '%Y-%m-%d') AS last "
        "FROM units GROUP BY name, pos ORDER BY pos"
    )
