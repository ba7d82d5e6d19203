"""Tools over a fit with several outcomes (issue 22): cross-effects ("does the multipack promo cannibalise
single-pack?") and what a channel or control moves in each outcome ("which outcome does TV lift most?") — thin
adapters over :mod:`mmm_core.answers.outcomes` (every rule, the verdicts included, lives there)."""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core.answers.outcomes import cross_effects, outcome_effects
from mmm_core.store import Store
from tools.base import resolve_fit, run_tool

_EST = ("mean", "lo", "hi")


class CrossArgs(BaseModel):
    fit_id: str | None = Field(None, description="Fit id (fit_…); omit for the session's current fit.")


class OutcomeEffectsArgs(BaseModel):
    channel: str | None = Field(None, description="One channel or control (e.g. 'TV', 'Promo_Multi'); omit for all.")
    fit_id: str | None = Field(None, description="Fit id (fit_…); omit for the session's current fit.")


def _est(d: dict[str, Any]) -> dict[str, Any]:
    return {k: d[k] for k in _EST}


def _compact_drivers(out: dict[str, Any]) -> dict[str, Any]:
    """Per driver and outcome the contribution (and ROI for channels) as mean and interval: fits the output cap."""
    drivers = {
        name: {
            "kind": d["kind"],
            "lifts_most": d["lifts_most"],
            "outcomes": {o: {k: _est(v) for k, v in per.items()} for o, per in d["outcomes"].items()},
        }
        for name, d in out["drivers"].items()
    }
    keep = ("fit_id", "outcomes", "controls_counterfactual", "controls_not_shown", "interval", "approximate", "label")
    return {**{k: out.get(k) for k in keep}, "drivers": drivers, "provenance": out["provenance"]}


def build(store: Store) -> list[BaseTool]:
    """The outcome tools bound to one store."""

    def cross_effects_tool(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: cross_effects(store, resolve_fit(store, fit_id, runtime)))

    def outcome_effects_tool(channel: str | None = None, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: _compact_drivers(outcome_effects(store, resolve_fit(store, fit_id, runtime), channel)))

    return [
        StructuredTool.from_function(
            cross_effects_tool,
            name="cross_effects",
            args_schema=CrossArgs,
            description="Cross-effects between the outcomes of a several-KPI fit (cannibalisation, halo, "
            "spillover): kappa (target units per source unit) and the volume routed, each with an interval and a "
            "verdict ('not distinguishable from zero' when the interval spans 0), and the residual correlation. "
            "A one-KPI fit answers that it has one outcome.",
        ),
        StructuredTool.from_function(
            outcome_effects_tool,
            name="outcome_effects",
            args_schema=OutcomeEffectsArgs,
            description="What each channel or control moves in each outcome of a several-KPI fit (contribution with "
            "interval, cross-effects included; channels also ROI per outcome) and which outcome it lifts most.",
        ),
    ]
