"""The tool list for one UI session: ``build_tools(store)`` with fits queued (``agent.ui.jobs``) and the chat
setting "interval level" applied.

The ``roi`` and ``contributions`` tools read the interval level from the fit's spec; ``mmm_core.answers.results``
takes an ``interval`` argument, so for a session whose user picked another level those two tools are built again
with that level (``tools.result_tools.roi_tool`` / ``contributions_tool``: the same code, schema and
description). The answer then states the level it used (the templates read it from the result), so text and
charts agree.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool

from agent.ui.jobs import queued_fit_tool
from tools import build_tools
from tools.result_tools import contributions_tool, roi_tool

LEVELS = ("spec", "0.5", "0.8", "0.9", "0.95")


def session_tools(store: Any, level: float | None = None) -> list[BaseTool]:
    """All tools for ``store``, with ``fit_model`` queueing the fit (``agent.ui.jobs``); with ``level`` the
    interval-bearing ones report at that level."""
    twins = {"fit_model": queued_fit_tool}
    if level is not None:
        twins |= {"roi": lambda s: roi_tool(s, level), "contributions": lambda s: contributions_tool(s, level)}
    return [twins[t.name](store) if t.name in twins else t for t in build_tools(store)]


def parse_level(value: Any) -> float | None:
    """The chat setting's value as a level in (0, 1), or None for "the spec's level"."""
    try:
        level = float(value)
    except (TypeError, ValueError):
        return None
    return level if 0.0 < level < 1.0 else None
