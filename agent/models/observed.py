"""The router's hooks for questions about an observed series rather than the model's estimates: which period was
highest or lowest (``agent.models.peaks``) and a series' statistics (``agent.models.series_stats``). Each is read
from the question's words (``intent_of``), given its measure (``args_of``), and turned into one SELECT once the
scope has set its window and geographies (``finish``)."""

from __future__ import annotations

from typing import Any

from agent.models import peaks, series, series_stats

INTENTS = ("peak_period", "series_stats")
# Intents a question about a series lands in by its words ("best", "sales", "most", "spend", "average").
_FROM = {"rank", "kpi_by", "unknown", "contribution", "roi", "compare", "media_share", "spend_by"}


def intent_of(low: str, intent: str, n_channels: int) -> str:
    """``peak_period`` for "what was our best month for sales?" (a month, never the best channel),
    ``series_stats`` for "what's our average weekly spend on TV?" (a statistic, not every week's row), else
    ``intent``."""
    if intent not in _FROM:
        return intent
    if peaks.asks_peak(low, n_channels):
        return "peak_period"
    return "series_stats" if series_stats.asks_stats(low) else intent


def args_of(intent: str, low: str, channels: list[str], named: list[str], metrics: list[str]) -> dict[str, Any]:
    """The measure and unit asked for: spend of ``channels`` (all media when none), else the metric ``named``,
    else the dataset's first KPI candidate (``metrics``)."""
    if intent == "peak_period":
        return peaks.peak_args(low, channels, named or metrics)
    kind = series_stats.asks_stats(low) or "summary"
    return series_stats.stats_args(low, kind, channels, named, metrics)


def finish(r: Any, frequency: str | None) -> None:
    """The SELECT, over the window and geographies the scope set, and the name of one period for the answer."""
    r.args["per"] = series.period_word(frequency)
    if r.intent == "peak_period":
        r.args["sql"] = peaks.peak_sql(r.args, frequency)
    else:
        r.args["unit"] = series_stats.stats_unit(r.args, frequency)
        r.args["sql"] = series_stats.stats_sql(r.args, frequency)
