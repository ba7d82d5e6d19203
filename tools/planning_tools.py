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
from mmm_core.store import Store
from tools.base import PLAN_MAX_CHARS, resolve_fit, run_tool


class OptimizeArgs(BaseModel):
    budget: float | None = Field(
        None,
        gt=0,
        description="Total budget to allocate over the window, in spend units; omitted: today's total over the "
        "window (the current spend level), for 'the same budget', 'rebalance the mix'.",
    )
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
    margin: float | None = Field(
        None, gt=0, description="Profit per unit of KPI when the user gives one (e.g. 0.4 = 40% gross margin)."
    )
    max_change: float | None = Field(
        0.3,
        gt=0,
        description="Trust region: each channel stays within ±this share of its current level (default 0.3). "
        "Only change it when the user explicitly asks for bigger moves; null lifts it.",
    )
    extrapolate: bool = Field(
        False,
        description="Allow spend levels outside each channel's observed weekly range (only when the user asks; "
        "results are flagged and their uncertainty widened).",
    )
    fit_id: str | None = Field(None, description="Fit id; omit for the session's current fit.")


class ScenarioArgs(BaseModel):
    moves: list[dict[str, Any]] = Field(
        description="Spend changes, e.g. [{'from': 'TV', 'to': 'Search', "
        "'share': 0.2}] or [{'channel': 'TV', 'change': -0.1}]. A money amount is an 'amount', never a share: "
        "'move 200k from TV to Search' is [{'from': 'TV', 'to': 'Search', 'amount': 200000}]; "
        "'cut TV by 50k' is [{'channel': 'TV', 'amount': -50000}]; a level is a 'level': 'what if TV were "
        "50k' / 'reduce TV to 50k' is [{'channel': 'TV', 'level': 50000}]."
    )
    periods: int = Field(13, ge=1, description="Window length in periods.")
    margin: float | None = Field(
        None, gt=0, description="Profit per unit of KPI when the user gives one (e.g. 0.4 = 40% gross margin)."
    )
    fit_id: str | None = Field(None, description="Fit id; omit for the session's current fit.")


class FitOnly(BaseModel):
    fit_id: str | None = Field(None, description="Fit id; omit for the session's current fit.")


_PLAN_KEYS = (
    "plan_id",
    "incremental",
    "allocation",
    "expected_kpi",
    "marginal_roi",
    "optimality_verified",
    "warnings",
    "horizon_periods",
    "budget",
    "approximate",
    "label",
)
_SUMMARY = ("mean", "lo", "hi")


def _sig(value: Any) -> Any:
    """Floats to 6 significant digits, recursively: the answer prints at most 2 decimals of them, and the tool
    output must fit its cap with the decision, money and binding records."""
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {k: _sig(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sig(v) for v in value]
    return value


def _iv(e: dict | None) -> dict | None:
    return None if e is None else {k: e.get(k) for k in _SUMMARY}


def _compact_plan(out: dict[str, Any]) -> dict[str, Any]:
    """The plan as the agent needs it: the decision first (what to do and why), then the money, the binding
    constraints with their source and shadow price, and the allocation against the current mix."""
    dec, money = out["decision"], out["money"]
    why = dec.get("why") or {}
    current = out["current"]["pattern_same_budget"]["allocation"]
    return _sig(
        {k: out.get(k) for k in _PLAN_KEYS}
        | {
            "marginal_roi": {ch: v["mean"] for ch, v in out["marginal_roi"].items()},  # at the optimum
            "current_allocation": current,
            "decision": {
                "status": dec["status"],
                "step": dec["step"],
                "start_is_current": dec["start_is_current"],
                "prob_better": dec["prob_better"],
                "gain": _iv(dec["gain"]),
                "gain_share": dec["gain_share"],
                "rule": dec["rule"],
                "optimum": {k: dec["optimum"][k] for k in ("prob_better", "gain_share")}
                | {"gain": _iv(dec["optimum"]["gain"])},
                "uncertain_channels": [
                    {k: c[k] for k in ("channel", "change", "evidence")} for c in why.get("uncertain_channels", [])
                ],
                "gain_too_small": why.get("gain_too_small"),
            },
            "binding": [
                {k: b.get(k) for k in ("constraint", "channel", "source")} | {"shadow_price": _iv(b["shadow_price"])}
                for b in out["binding"]
            ],
            "money": _compact_money(money),
            "trust_region": {k: out["trust_region"][k] for k in ("share", "within_observed_range", "notes")},
        }
        | _outcomes(out, out.get("outcomes"))
    )


def _outcomes(out: dict[str, Any], per: dict[str, Any] | None) -> dict[str, Any]:
    """A fit with several outcomes: the objective in words and each outcome's paired change (nothing for one KPI)."""
    if not per:
        return {}
    return {
        "objective_outcomes": (out.get("objective") or {}).get("description"),
        "outcomes": {
            name: {"weight": o["weight"], "delta": _iv(o["vs_current"]["delta"]), "prob_up": o["vs_current"]["prob_up"]}
            for name, o in per.items()
        },
    }


def _compact_money(m: dict[str, Any]) -> dict[str, Any]:
    level = m["vs_current_level"]
    best = m["profit_max_budget"]
    return {
        "margin": m["margin"],
        "break_even_roi": m["break_even_roi"],
        "media_roi": _iv(m["media_roi"]),
        "moved": m["moved"],
        "kpi_per_unit_moved": _iv(m.get("kpi_per_unit_moved")),
        "vs_current_level": {
            "reference_spend": level["reference_spend"],
            "spend_change": level["spend_change"],
            "kpi_change": _iv(level["kpi_change"]),
            "profit_change": _iv(level["profit_change"]),
            "prob_profit_up": level["prob_profit_up"],
            "kpi_per_unit_spend_change": _iv(level.get("kpi_per_unit_spend_change")),
        },
        "budget_marginal_roi": _iv(m["budget_marginal_roi"]),
        "below_break_even": m["below_break_even"],
        "profit_max_budget": {k: best[k] for k in ("budget", "extrapolated", "at_scan_edge")}
        | {"expected_profit": best["expected_profit"]["mean"]},
    }


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
    return _sig(
        {
            "plan_id": out["plan_id"],
            "fit_id": out["fit_id"],
            "moves": moves,
            "horizon_periods": out["horizon_periods"],
            "current_allocation": out["current"]["allocation"],
            "allocation": sc["allocation"],
            "expected_kpi": sc["expected_kpi"],
            "current_expected_kpi": out["current"]["expected_kpi"],
            "vs_current": {k: sc["vs_current"][k] for k in ("delta", "prob_better")},
            "money": {k: v for k, v in sc["money"].items() if k != "reference"},
            "extrapolation": {
                ch: c["extrapolation_factor"] for ch, c in sc["per_channel"].items() if c["extrapolation_factor"] > 1.0
            },
            "warnings": sc.get("warnings"),
            "notes": out.get("notes"),
            "approximate": out.get("approximate"),
            "label": out.get("label"),
            "provenance": out["provenance"],
        }
        | _outcomes(out, sc.get("outcomes"))
    )


def _current_total(store: Store, fit_id: str, periods: int) -> float:
    """Today's spend over ``periods`` (the optimiser's own current levels): the budget of a rebalance."""
    from mmm_core.answers.results import load_posterior  # lazy: loads the posterior, as the optimiser does
    from mmm_core.optimizer.scenarios import current_levels  # lazy: JAX, as in optimize_budget

    return float(sum(current_levels(load_posterior(store, fit_id, outcomes=True), periods).values()))


def build(store: Store) -> list[BaseTool]:
    """The planning, mediation and report tools bound to one store."""

    def optimize_budget(
        budget: float | None = None,
        periods: int = 13,
        bounds: dict | None = None,
        max_share: dict | None = None,
        min_share: dict | None = None,
        fixed: list | None = None,
        incremental: bool = False,
        margin: float | None = None,
        max_change: float | None = 0.3,
        extrapolate: bool = False,
        fit_id: str | None = None,
        runtime: ToolRuntime = None,
    ) -> str:
        def work() -> dict:
            # Imported on use: the optimizer loads JAX (~0.4 s) and every `ask` process would pay it at start.
            from mmm_core.answers.planning import optimize
            from mmm_core.optimizer.request import held_at_current, share_bounds

            fit = resolve_fit(store, fit_id, runtime)
            total = budget if budget is not None else _current_total(store, fit, periods)
            out = optimize(
                store,
                fit,
                total,
                periods=periods,
                bounds=share_bounds(total, bounds, max_share, min_share),
                bounds_pct=held_at_current(fixed),
                incremental=incremental,
                margin=margin,
                trust_region=max_change,
                extrapolate=extrapolate,
            )
            return {"fit_id": fit, **_compact_plan(out), "provenance": out["provenance"]}

        return run_tool(work, PLAN_MAX_CHARS)

    def run_scenario(
        moves: list,
        periods: int = 13,
        margin: float | None = None,
        fit_id: str | None = None,
        runtime: ToolRuntime = None,
    ) -> str:
        def work() -> dict:
            from mmm_core.answers.planning import scenario  # on use: JAX, as in optimize_budget

            fit = resolve_fit(store, fit_id, runtime)
            out = scenario(store, fit, periods=periods, names=["scenario"], moves=moves, margin=margin)
            return _compact_scenario(out, moves)

        return run_tool(work, PLAN_MAX_CHARS)

    def run_mediation(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: _compact_mediation(mediation(store, resolve_fit(store, fit_id, runtime))))

    def make_report(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            from mmm_core.report.build import build_report  # on use: the report loads Plotly and the optimizer

            fit = resolve_fit(store, fit_id, runtime)
            return build_report(store, fit, store.artifacts_dir / f"report_{fit}.html")

        return run_tool(work)

    return [
        StructuredTool.from_function(
            optimize_budget,
            name="optimize_budget",
            args_schema=OptimizeArgs,
            description="Budget recommendation over a future window: moves only when the posterior supports it "
            "(else keeps the current mix and says why), within ±30% of current levels by default; shows which "
            "bounds bind and the money returned net of spend.",
        ),
        StructuredTool.from_function(
            run_scenario,
            name="scenario",
            args_schema=ScenarioArgs,
            description="What-if: expected KPI change of moving or cutting spend, P(better), and the profit "
            "change net of the spend saved or added.",
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
