"""The tool list for one UI session: ``build_tools(store)`` with the chat setting "interval level" applied.

The ``roi`` and ``contributions`` tools read the interval level from the fit's spec; ``mmm_core.answers.results`` takes
an ``interval`` argument, so for a session whose user picked another level those two tools are replaced by
twins with the same name, schema and description that pass it on. The answer then states the level it used
(the templates read it from the result), so text and charts agree.
"""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool

from mmm_core.answers import results
from tools import build_tools
from tools.base import resolve_fit, run_tool
from tools.result_tools import _contrib_body, _roi_body

LEVELS = ("spec", "0.5", "0.8", "0.9", "0.95")


def session_tools(store: Any, level: float | None = None) -> list[BaseTool]:
    """All tools for ``store``; with ``level`` the interval-bearing ones report at that level."""
    tools = build_tools(store)
    if level is None:
        return tools
    twins = {"roi": _roi_tool, "contributions": _contributions_tool}
    return [twins[t.name](store, level, t) if t.name in twins else t for t in tools]


def _roi_tool(store: Any, level: float, original: BaseTool) -> BaseTool:
    def roi(channel: str | None = None, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(
            lambda: _roi_body(results.roi(store, resolve_fit(store, fit_id, runtime), interval=level), channel)
        )

    return StructuredTool.from_function(
        roi, name="roi", args_schema=original.args_schema, description=original.description
    )


def _contributions_tool(store: Any, level: float, original: BaseTool) -> BaseTool:
    def contributions(
        by: str = "channel", channel: str | None = None, fit_id: str | None = None, runtime: ToolRuntime = None
    ) -> str:
        return run_tool(
            lambda: _contrib_body(
                results.contributions(store, resolve_fit(store, fit_id, runtime), by=by, interval=level), channel
            )
        )

    return StructuredTool.from_function(
        contributions, name="contributions", args_schema=original.args_schema, description=original.description
    )


def parse_level(value: Any) -> float | None:
    """The chat setting's value as a level in (0, 1), or None for "the spec's level"."""
    try:
        level = float(value)
    except (TypeError, ValueError):
        return None
    return level if 0.0 < level < 1.0 else None
