"""Optimizer, scenario, mediation and report tools: typed arguments → the same ``mmm_core`` function the CLI
calls → compact JSON. The plans are stored and logged by :mod:`mmm_core.answers.planning` (as for the CLI), and
every rule (shares into bounds, moves into an allocation, the health check) lives there, not here.
"""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core.answers.mediation import mediation
from mmm_core.answers.planning import optimize, scenario
from mmm_core.optimizer.request import held_at_current, share_bounds
from mmm_core.report.build import build_report
from mmm_core.store import Store
from tools.base import resolve_fit, run_tool


class OptimizeArgs(BaseModel):
    budget: float = Field(gt=0, description="Total budget to allocate over the window, in spend units.")
    periods: int = Field(13, ge=1, description="Window length in periods (13 weeks = a quarter).")
    bounds: dict[str, list[float | None]] = Field(
        default_factory=dict, description="Per channel [min, max] spend over the window; null for no limit on a side."
    )
    max_share: dict[str, float] = Field(
        default_factory=dict, description="Per channel maximum share of the budget (0–1), e.g. {'Search': 0.3}."
    )
    min_share: dict[str, float] = Field(default_factory=dict, description="Per channel minimum share (0–1).")
    fixed: list[str] = Field(default_factory=list, description="Channels kept at their current spend rate.")
    incremental: bool = Field(
        False,
        description="True when the budget comes on top of current spend ('the next "
        "$1M', 'an extra 500k'): every channel keeps its current level and the plan shows "
        "where the extra money goes.",
    )
    fit_id: str | None = Field(None, description="Fit id; omit for the session's current fit.")


class ScenarioArgs(BaseModel):
    moves: list[dict[str, Any]] = Field(
        description="Spend changes, e.g. [{'from': 'TV', 'to': 'Search', "
        "'share': 0.2}] or [{'channel': 'TV', 'change': -0.1}]."
    )
    periods: int = Field(13, ge=1, description="Window length in periods.")
    fit_id: str | None = Field(None, description="Fit id; omit for the session's current fit.")


class FitOnly(BaseModel):
    fit_id: str | None = Field(None, description="Fit id; omit for the session's current fit.")


_PLAN_KEYS = (
    "plan_id",
    "incremental",
    "allocation",
    "expected_kpi",
    "vs_current",
    "binding",
    "marginal_roi",
    "optimality_verified",
    "warnings",
    "horizon_periods",
    "budget",
    "approximate",
    "label",
)


def _est(e: dict | None) -> dict | None:
    return None if e is None else {k: e.get(k) for k in ("mean", "median", "lo", "hi")}


def _compact_mediation(out: dict[str, Any]) -> dict[str, Any]:
    """The mediation answer without per-mediator detail and spreads, so it fits the tool-output cap."""
    channels = {
        ch: {
            "spend": c.get("spend"),
            "feeds": c.get("feeds"),
            "total": _est(c["total"]),
            "direct": _est(c["direct"]),
            "indirect": _est(c["indirect"]),
            "share_mediated": _est(c["share_mediated"]),
            "roi": {k: _est(v) for k, v in (c.get("roi") or {}).items()},
        }
        for ch, c in out["channels"].items()
    }
    return {
        "fit_id": out["fit_id"],
        "mediators": [m["name"] if isinstance(m, dict) else m for m in out["mediators"]],
        "channels": channels,
        "interval": out["interval"],
        "approximate": out.get("approximate"),
        "label": out.get("label"),
        "provenance": out["provenance"],
    }


def _compact_scenario(out: dict[str, Any], moves: list[dict[str, Any]]) -> dict[str, Any]:
    sc = out["scenarios"][0]
    return {
        "plan_id": out["plan_id"],
        "fit_id": out["fit_id"],
        "moves": moves,
        "horizon_periods": out["horizon_periods"],
        "current_allocation": out["current"]["allocation"],
        "allocation": sc["allocation"],
        "expected_kpi": sc["expected_kpi"],
        "current_expected_kpi": out["current"]["expected_kpi"],
        "vs_current": sc.get("vs_current"),
        "notes": out.get("notes"),
        "approximate": out.get("approximate"),
        "label": out.get("label"),
        "provenance": out["provenance"],
    }


def build(store: Store) -> list[BaseTool]:
    """The planning, mediation and report tools bound to one store."""

    def optimize_budget(
        budget: float,
        periods: int = 13,
        bounds: dict | None = None,
        max_share: dict | None = None,
        min_share: dict | None = None,
        fixed: list | None = None,
        incremental: bool = False,
        fit_id: str | None = None,
        runtime: ToolRuntime = None,
    ) -> str:
        def work() -> dict:
            fit = resolve_fit(store, fit_id, runtime)
            out = optimize(
                store,
                fit,
                budget,
                periods=periods,
                bounds=share_bounds(budget, bounds, max_share, min_share),
                bounds_pct=held_at_current(fixed),
                incremental=incremental,
            )
            return {"fit_id": fit, **{k: out.get(k) for k in _PLAN_KEYS}, "provenance": out["provenance"]}

        return run_tool(work)

    def run_scenario(moves: list, periods: int = 13, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            fit = resolve_fit(store, fit_id, runtime)
            out = scenario(store, fit, periods=periods, names=["scenario"], moves=moves)
            return _compact_scenario(out, moves)

        return run_tool(work)

    def run_mediation(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: _compact_mediation(mediation(store, resolve_fit(store, fit_id, runtime))))

    def make_report(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            fit = resolve_fit(store, fit_id, runtime)
            return build_report(store, fit, store.artifacts_dir / f"report_{fit}.html")

        return run_tool(work)

    return [
        StructuredTool.from_function(
            optimize_budget,
            name="optimize_budget",
            args_schema=OptimizeArgs,
            description="Best allocation of a budget over a future window under bounds; shows which bounds bind.",
        ),
        StructuredTool.from_function(
            run_scenario,
            name="scenario",
            args_schema=ScenarioArgs,
            description="What-if: expected KPI change of moving spend.",
        ),
        StructuredTool.from_function(
            run_mediation,
            name="mediation",
            args_schema=FitOnly,
            description="Direct, indirect and total effect per channel.",
        ),
        StructuredTool.from_function(
            make_report, name="report", args_schema=FitOnly, description="Write the narrative HTML report of a fit."
        ),
    ]
