"""Tools that fit a locked spec, report on a fit's progress, and explain a fit's structure (carry-over, the
media share of the KPI) from its stored draws.

Only one fit runs at a time in a process (``FIT_LOCK``): the tool node runs parallel tool calls in threads, and
two samplers at once would fight over the same cores and the same artifact folder.
"""

from __future__ import annotations

import threading

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core.answers import explain
from mmm_core.errors import FitRefusedError
from mmm_core.fit.job import fit_summary, run_fit
from mmm_core.store import Store
from tools.base import resolve_fit, run_tool, state_of

FIT_LOCK = threading.Lock()


class FitArgs(BaseModel):
    spec_id: str = Field(description="The LOCKED spec to fit (spec_…). Drafts cannot be fitted: lock first.")
    quick: bool = Field(
        False,
        description="True for a fast approximate fit (MAP + Laplace; uncertainty not "
        "calibrated), False for the full NUTS posterior.",
    )


class FitIdArgs(BaseModel):
    fit_id: str | None = Field(None, description="A fit id (fit_…); omit for the session's current fit.")


class CarryoverArgs(FitIdArgs):
    channel: str | None = Field(None, description="One channel (exact name); omit for every channel.")


def build(store: Store) -> list[BaseTool]:
    """The fit tools bound to one store."""

    def fit_model(spec_id: str, quick: bool = False, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            if not FIT_LOCK.acquire(blocking=False):
                raise FitRefusedError(
                    "Another fit is running in this session's process.",
                    "Wait for it to finish (ask for the fit status), then try again.",
                    code="fit_busy",
                )
            try:
                out = run_fit(store, spec_id, quick=quick)
            finally:
                FIT_LOCK.release()
            return fit_result(out, spec_id)

        return run_tool(work)

    def fit_status(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            out = fit_summary(store, resolve_fit(store, fit_id or state_of(runtime).get("fit_id"), runtime))
            return {
                k: out.get(k)
                for k in (
                    "fit_id",
                    "spec_id",
                    "status",
                    "progress",
                    "log",
                    "mode",
                    "approximate",
                    "label",
                    "elapsed_s",
                    "diagnostics",
                    "provenance",
                )
            }

        return run_tool(work)

    def carryover(channel: str | None = None, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: explain.carryover(store, resolve_fit(store, fit_id, runtime), channel))

    def media_share(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: explain.media_share(store, resolve_fit(store, fit_id, runtime)))

    return [
        StructuredTool.from_function(
            carryover,
            name="carryover",
            args_schema=CarryoverArgs,
            description=(
                "Adstock (carry-over) per channel: the spec's shape and maximum lag, the prior half-life and this "
                "fit's posterior half-life with its interval. Use it for 'what is adstock' and 'how long do effects "
                "last'."
            ),
        ),
        StructuredTool.from_function(
            media_share,
            name="media_share",
            args_schema=FitIdArgs,
            description="Share of the modelled KPI explained by media (and by the baseline), with intervals.",
        ),
        StructuredTool.from_function(
            fit_model,
            name="fit_model",
            args_schema=FitArgs,
            description=(
                "Fit a locked spec (needs the user's approval). quick=True is approximate. Returns the fit_id, "
                "diagnostics and the health verdict."
            ),
        ),
        StructuredTool.from_function(
            fit_status,
            name="fit_status",
            args_schema=FitIdArgs,
            description=("Status and progress of a fit (running, succeeded, failed) with its diagnostics."),
        ),
    ]


def fit_result(out: dict, spec_id: str) -> dict:
    """What ``fit_model`` returns for a finished fit (``fit_summary``); the UI shows the same for a queued fit."""
    return {k: out.get(k) for k in ("fit_id", "status", "approximate", "label", "diagnostics", "elapsed_s")} | {
        "health": _health_brief(out.get("health")),
        "spec_id": spec_id,
        "provenance": out.get("provenance"),
    }


def _health_brief(health: dict | None) -> dict | None:
    if not health:
        return None
    return {
        "overall": health.get("overall"),
        "summary": health.get("summary"),
        "failed": [c.get("name") for c in health.get("checks", []) if c.get("status") == "fail"],
    }
