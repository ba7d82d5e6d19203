"""Optimizer, scenario, mediation and report tools — registered only when ``mmm_core`` provides the function.

The core functions land in later issues; until they exist these tools are absent (and help does not advertise
them), so no model can call a capability that is not there.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core.store import Store
from tools.base import resolve_fit, run_tool

# Store-level functions ``f(store, fit_id, ...)`` (not the posterior-level ones in mmm_core.optimizer.plans).
_HOMES = ("mmm_core.answers.results", "mmm_core.answers.mediation", "mmm_core.report.build")


def core_function(name: str) -> Callable[..., Any] | None:
    """``name`` from the first mmm_core module that defines it, else None."""
    for module in _HOMES:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        fn = getattr(mod, name, None)
        if callable(fn):
            return fn
    return None


class OptimizeArgs(BaseModel):
    budget: float = Field(gt=0, description="Total budget to allocate over the window, in spend units.")
    periods: int = Field(13, ge=1, description="Window length in periods (13 weeks = a quarter).")
    bounds: dict[str, list[float]] = Field(
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


def _bounds(args: dict[str, Any]) -> dict[str, list[float | None]]:
    """Shares of the stated budget become absolute bounds (the user's own numbers, re-expressed)."""
    out = {k: list(v) for k, v in (args.get("bounds") or {}).items()}
    for ch, share in (args.get("max_share") or {}).items():
        out.setdefault(ch, [None, None])[1] = share * args["budget"]
    for ch, share in (args.get("min_share") or {}).items():
        out.setdefault(ch, [None, None])[0] = share * args["budget"]
    return out


def _posterior(store: Store, fit_id: str):
    """The fit's posterior, refused when its health review failed (decisions need a healthy fit)."""
    from mmm_core.answers import results
    from mmm_core.errors import FitRefusedError

    review = results.health(store, fit_id)
    if review.get("overall") == "fail":
        raise FitRefusedError(
            f"Fit {fit_id} failed its health review; it is not fit for budget decisions.",
            "Ask 'did the model converge?' for the failed checks, then re-fit.",
            code="fit_unhealthy",
        )
    return results.load_posterior(store, fit_id), review["provenance"]


def _moves_to_allocation(levels: dict[str, float], moves: list[dict[str, Any]]) -> dict[str, float]:
    """The user's moves ("20% of TV to Search") applied to the current levels the optimizer reports."""
    alloc = dict(levels)
    for mv in moves:
        if "from" in mv:
            amount = alloc[mv["from"]] * float(mv.get("share", 1.0))
            alloc[mv["from"]] -= amount
            alloc[mv["to"]] += amount
        else:
            alloc[mv["channel"]] = max(0.0, alloc[mv["channel"]] * (1.0 + float(mv.get("change", 0.0))))
    return alloc


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


def build(store: Store) -> list[BaseTool]:
    """Optimizer and scenario tools when ``mmm_core.optimizer.plans`` exists; mediation/report when they exist."""
    tools: list[BaseTool] = []
    try:
        from mmm_core import optimizer
    except ImportError:
        optimizer = None
    if optimizer is not None and hasattr(optimizer, "optimize"):

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
                from mmm_core.answers.planning import optimize

                args = {"budget": budget, "bounds": bounds, "max_share": max_share, "min_share": min_share}
                # Stored beside the fit (for the report) and logged in the ledger by mmm_core.answers.planning.
                out = optimize(
                    store,
                    fit,
                    budget,
                    periods=periods,
                    bounds={k: tuple(v) for k, v in _bounds(args).items()} or None,
                    bounds_pct={ch: (0.0, 0.0) for ch in (fixed or [])} or None,
                    incremental=incremental,
                )
                prov = out["provenance"]
                keep = (
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
                return {"fit_id": fit, **{k: out.get(k) for k in keep}, "provenance": prov}

            return run_tool(work)

        tools.append(
            StructuredTool.from_function(
                optimize_budget,
                name="optimize_budget",
                args_schema=OptimizeArgs,
                description=("Best allocation of a budget over a future window under bounds; shows which bounds bind."),
            )
        )
    if optimizer is not None and hasattr(optimizer, "scenario"):

        def run_scenario(moves: list, periods: int = 13, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
            def work() -> dict:
                from mmm_core.optimizer.response import posterior_response
                from mmm_core.optimizer.scenarios import current_level

                fit = resolve_fit(store, fit_id, runtime)
                post, prov = _posterior(store, fit)
                resp = posterior_response(post, periods, "recent", 1000)
                levels = dict(zip(resp.channels, map(float, current_level(resp))))
                alloc = _moves_to_allocation(levels, moves)
                out = optimizer.scenario(post, [alloc], periods=periods, names=["scenario"])
                sc = out["scenarios"][0]
                return {
                    "fit_id": fit,
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
                    "provenance": prov,
                }

            return run_tool(work)

        tools.append(
            StructuredTool.from_function(
                run_scenario,
                name="scenario",
                args_schema=ScenarioArgs,
                description="What-if: expected KPI change of moving spend.",
            )
        )
    mediation, report = core_function("mediation"), core_function("report")
    if mediation:

        def run_mediation(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
            return run_tool(lambda: _compact_mediation(mediation(store, resolve_fit(store, fit_id, runtime))))

        tools.append(
            StructuredTool.from_function(
                run_mediation,
                name="mediation",
                args_schema=FitOnly,
                description="Direct, indirect and total effect per channel.",
            )
        )
    if report:

        def make_report(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
            def work() -> dict:
                fit = resolve_fit(store, fit_id, runtime)
                return report(store, fit, store.artifacts_dir / f"report_{fit}.html")

            return run_tool(work)

        tools.append(
            StructuredTool.from_function(
                make_report, name="report", args_schema=FitOnly, description="Write the narrative HTML report of a fit."
            )
        )
    return tools
