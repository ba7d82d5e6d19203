"""The long-term tool: "what is TV's long-term effect?", "how much of Search's value is brand-building?" — a thin
adapter over :mod:`mmm_core.answers.long_term` (every number and rule, the refusal of an unhealthy or explosive
long-term model included, lives there)."""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core.answers.long_term import long_term_answer
from mmm_core.answers.results import resolve_channel
from mmm_core.store import Store
from tools.base import resolve_fit, run_tool

_MEASURES = ("short_roi", "long_roi", "total_roi", "long_share")
_STATS = ("mean", "lo", "hi")


class LongTermArgs(BaseModel):
    channel: str | None = Field(None, description="One channel (exact name); omit for every channel.")
    fit_id: str | None = Field(None, description="Fit id (fit_…); omit for the session's current fit.")


def _channel_row(entry: dict[str, Any]) -> dict[str, Any]:
    """{mean, lo, hi} of each measure, or the reason nothing is summarised (an explosive VAR)."""
    if not entry.get("summarised", True):
        return {"summarised": False, "reason": entry.get("reason")}
    measures = {m: {k: entry[m].get(k) for k in _STATS} for m in _MEASURES if isinstance(entry.get(m), dict)}
    split = entry.get("split") or {}
    return {
        "summarised": True,
        **measures,
        "split": split.get("label"),
        "split_readable": bool(split.get("readable")),
        "split_bound": split.get("bound"),
    }


def _compact(out: dict[str, Any], channel: str | None) -> dict[str, Any]:
    channels = out["channels"]
    if channel:
        name = resolve_channel(channel, list(channels))
        channels = {name: channels[name]}
    return {
        "fit_id": out.get("fit_id"),
        "channels": {name: _channel_row(entry) for name, entry in channels.items()},
        "horizon": out["horizon"],
        "units": out.get("units"),
        "interval": out["interval"],
        "stability": {k: out["stability"].get(k) for k in ("explosive_share", "explosive_draws", "draws")},
        "approximate": out.get("approximate"),
        "label": out.get("label"),
        "provenance": out["provenance"],
    }


def build(store: Store) -> list[BaseTool]:
    """The long-term tool bound to one store."""

    def long_term(channel: str | None = None, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: _compact(long_term_answer(store, resolve_fit(store, fit_id, runtime)), channel))

    return [
        StructuredTool.from_function(
            long_term,
            name="long_term",
            args_schema=LongTermArgs,
            description="Long-term (brand-building) effects from the fit's brand-metrics VAR: per channel the "
            "short-term, long-term and total ROI (KPI per unit of spend; long-term = base-sales response cumulated "
            "over the horizon) and the long-term share of the total, each with its credible interval, plus the "
            "VAR's stability. Use it for 'what is TV's long-term effect?', 'how much of Search's value is "
            "brand-building?', 'total ROI including brand effects'. Say the interval: a long-term ROI whose "
            "interval includes 0 is not a measured effect.",
        )
    ]


__all__ = ["build"]
