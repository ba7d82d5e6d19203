"""Tools that answer from a stored fit: ROI, comparisons, contributions, health, response curves — plus the
planning, mediation and report tools of :mod:`tools.planning_tools`.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core.answers import results
from mmm_core.answers.results import resolve_channel
from mmm_core.store import Store
from tools import planning_tools
from tools.base import resolve_fit, run_tool

_STATS = ("mean", "lo", "hi")


class FitArg(BaseModel):
    fit_id: str | None = Field(None, description="Fit id (fit_…); omit for the session's current fit.")


class RoiArgs(FitArg):
    channel: str | None = Field(None, description="One channel (exact name); omit for every channel.")


class CompareArgs(FitArg):
    a: str = Field(description="First channel (exact name).")
    b: str = Field(description="Second channel (exact name).")


class ContribArgs(FitArg):
    by: Literal["channel", "period", "geo"] = Field("channel", description="Breakdown of the contributions.")
    channel: str | None = Field(None, description="Only this channel's rows (exact name); omit for all.")


class CurveArgs(FitArg):
    channel: str = Field(description="Channel (exact name).")


def _brief(stats: Any) -> Any:
    """{mean, lo, hi} of a stats dict: the model never needs sd/median to phrase an answer."""
    if isinstance(stats, dict) and "mean" in stats:
        return {k: stats.get(k) for k in _STATS}
    return stats


def _roi_body(out: dict[str, Any], channel: str | None) -> dict[str, Any]:
    channels = out["channels"]
    if channel:
        name = resolve_channel(channel, list(channels))
        channels = {name: channels[name]}
    return {
        "fit_id": out["fit_id"],
        "interval": out.get("interval"),
        "channels": {n: {k: _brief(v) for k, v in c.items()} for n, c in channels.items()},
        "approximate": out.get("approximate"),
        "label": out.get("label"),
        "provenance": out["provenance"],
    }


def _contrib_body(out: dict[str, Any], channel: str | None) -> dict[str, Any]:
    rows = out.get("rows", [])
    if channel:
        rows = [r for r in rows if str(r.get("channel", "")).casefold() == channel.casefold()]
    return {**{k: v for k, v in out.items() if k != "rows"}, "rows": rows}


def build(store: Store) -> list[BaseTool]:
    """The result tools bound to one store."""

    def roi(channel: str | None = None, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: _roi_body(results.roi(store, resolve_fit(store, fit_id, runtime)), channel))

    def compare_channels(a: str, b: str, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            out = results.compare(store, resolve_fit(store, fit_id, runtime), a, b)
            return {k: (_brief(v) if k in ("roi_a", "roi_b") else v) for k, v in out.items()}

        return run_tool(work)

    def contributions(
        by: str = "channel", channel: str | None = None, fit_id: str | None = None, runtime: ToolRuntime = None
    ) -> str:
        return run_tool(
            lambda: _contrib_body(results.contributions(store, resolve_fit(store, fit_id, runtime), by=by), channel)
        )

    def model_health(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            out = results.health(store, resolve_fit(store, fit_id, runtime))
            checks = [
                {k: c.get(k) for k in ("name", "status", "value", "threshold", "reason")} for c in out.get("checks", [])
            ]
            gate = out.get("gate") or {}
            return {
                "fit_id": out["fit_id"],
                "status": out.get("status"),
                "overall": out.get("overall"),
                "summary": out.get("summary"),
                "checks": checks,
                "diagnostics": out.get("diagnostics"),
                "gate": {"summary": gate.get("summary")} if isinstance(gate, dict) else None,
                "provenance": out["provenance"],
            }

        return run_tool(work)

    def response_curve(channel: str, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: results.response_curve(store, resolve_fit(store, fit_id, runtime), channel))

    tools: list[BaseTool] = [
        StructuredTool.from_function(
            roi,
            name="roi",
            args_schema=RoiArgs,
            description=(
                "ROI (KPI per unit spend), marginal ROI, contribution and spend per channel with credible "
                "intervals and provenance. Use it for 'ROI of X' and for ranking channels (best/worst). Each "
                "channel carries its identifiability label (identified, weakly identified: <cause>, "
                "prior-dominated) and the fix: say it beside that channel's ROI, and never call a channel "
                "that is not identified best or worst without saying so."
            ),
        ),
        StructuredTool.from_function(
            compare_channels,
            name="compare_channels",
            args_schema=CompareArgs,
            description=("Probability that channel a's ROI exceeds channel b's, with both ROIs and intervals."),
        ),
        StructuredTool.from_function(
            contributions,
            name="contributions",
            args_schema=ContribArgs,
            description=("Modelled contribution to the KPI by channel, period or geography, with intervals."),
        ),
        StructuredTool.from_function(
            model_health,
            name="model_health",
            args_schema=FitArg,
            description=(
                "Did the fit converge and is it trustworthy: R-hat, ESS, divergences, fit quality and each health "
                "check with its verdict."
            ),
        ),
        StructuredTool.from_function(
            response_curve,
            name="response_curve",
            args_schema=CurveArgs,
            description=(
                "Contribution of one channel as its spend is scaled from 0× to 2× of observed (diminishing returns)."
            ),
        ),
    ]
    return tools + planning_tools.build(store)
