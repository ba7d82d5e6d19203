"""The control-selection tool: "which controls matter?" — a thin adapter over :mod:`mmm_core.answers.controls`
(every rule, the verdicts included, lives there)."""

from __future__ import annotations

from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core.answers.controls import controls
from mmm_core.store import Store
from tools.base import resolve_fit, run_tool

_KEEP = ("class", "selected", "shrinkage", "inclusion_probability", "verdict")


class ControlsArgs(BaseModel):
    fit_id: str | None = Field(None, description="Fit id (fit_…); omit for the session's current fit.")


def _short(est: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if est is None else {k: est[k] for k in ("mean", "lo", "hi")}


def _compact(out: dict[str, Any]) -> dict[str, Any]:
    """Per control its class, effect (mean and interval), shrinkage or inclusion and verdict: fits the output cap
    with the 20+ candidate controls real datasets carry."""
    rows = {
        name: {
            **{k: c[k] for k in _KEEP if k in c},
            "effect": _short(c["effect"]),
            **({"outcomes": {o: _short(e) for o, e in c["outcomes"].items()}} if "outcomes" in c else {}),
        }
        for name, c in out["controls"].items()
    }
    return {
        "fit_id": out["fit_id"],
        "controls": rows,
        "selection": out["selection"],
        **({"outcomes": out["outcomes"]} if "outcomes" in out else {}),
        "units": out["units"],
        "interval": out["interval"],
        "approximate": out.get("approximate"),
        "label": out.get("label"),
        "provenance": out["provenance"],
    }


def build(store: Store) -> list[BaseTool]:
    """The control tool bound to one store."""

    def control_selection(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: _compact(controls(store, resolve_fit(store, fit_id, runtime))))

    return [
        StructuredTool.from_function(
            control_selection,
            name="control_selection",
            args_schema=ControlsArgs,
            description="Which controls matter: per control its causal class (precision / confounder / core / "
            "mediator), its effect (share of mean KPI per sd, with interval), the horseshoe shrinkage or the "
            "inclusion probability when the spec selects among precision controls, and a verdict (kept / shrunk "
            "to ~0 / always in).",
        )
    ]
