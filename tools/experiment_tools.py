"""Experiment tools: record a lift test the user reports in chat, and suggest which test to run next. Thin
adapters: validation, storage and every number live in ``mmm_core.data.experiments`` and
``mmm_core.answers.test_next``.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core.store import Store
from tools.base import resolve_dataset_id, resolve_fit, run_tool


class LiftTestArgs(BaseModel):
    channel: str = Field(description="Channel tested (exact name in the data).")
    geography: str = Field("all", description="Geography of the test cell, or 'all'.")
    start: str = Field(description="First period of the spend change, YYYY-MM-DD (a period start of the data).")
    end: str = Field(description="Last period of the spend change, YYYY-MM-DD (inclusive).")
    spend_change: float = Field(description="Total extra spend in the cell over the window; negative for a go-dark.")
    lift: float = Field(description="Measured incremental KPI over the window (carry-over included).")
    lift_se: float = Field(gt=0, description="Standard error of the measured lift.")
    type: Literal["lift", "geo holdout", "go-dark", "heavy-up"] = Field("lift", description="Kind of test.")
    source: str = Field("chat", description="Where the figures come from (agency, study).")
    dataset: str | None = Field(None, description="Dataset id or name; omit for the session's dataset.")


class SuggestArgs(BaseModel):
    weeks: int = Field(6, ge=1, description="Test length in periods (default 6).")
    fit_id: str | None = Field(None, description="Fit id; omit for the session's current fit.")


def _compact_suggestion(row: dict[str, Any]) -> dict[str, Any]:
    p = row["precision"]
    keep = ("lift_predicted", "lift_se", "roi_median", "roi_interval_before", "roi_width_before")
    keep += ("roi_expected_width_after",)
    return {
        "rank": row["rank"],
        "channel": row["channel"],
        "reason": row["reason"],
        "identifiability": row["identifiability"]["label"],
        "calibrated_by": row["calibrated_by"],
        "design": row["design"],
        "precision": {k: p[k] for k in keep} | {"expected_narrowing": p["expected_narrowing"]},
    }


def build(store: Store) -> list[BaseTool]:
    """The experiment tools bound to one store."""

    def record_lift_test(
        channel: str,
        start: str,
        end: str,
        spend_change: float,
        lift: float,
        lift_se: float,
        geography: str = "all",
        type: str = "lift",
        source: str = "chat",
        dataset: str | None = None,
        runtime: ToolRuntime = None,
    ) -> str:
        def work() -> dict:
            from mmm_core.data.experiments import add_experiment_record

            ds = resolve_dataset_id(store, dataset, runtime)
            record = {
                "Channel": channel,
                "Geography": geography,
                "Start": start,
                "End": end,
                "SpendChange": spend_change,
                "Lift": lift,
                "LiftSE": lift_se,
                "Type": type,
                "Source": source,
            }
            out = add_experiment_record(store, ds, record, "chat")
            added = out["added"] or out["already_present"]
            stored = [e for e in out["experiments"] if e["experiment_id"] in added]
            return {"dataset_id": out["dataset_id"], "added": out["added"], "experiment": stored[0]}

        return run_tool(work)

    def suggest_experiment(weeks: int = 6, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            # Imported on use: the preposterior loads JAX (~0.4 s) and every `ask` process would pay it at start.
            from mmm_core.answers.test_next import suggest_experiments

            out = suggest_experiments(store, resolve_fit(store, fit_id, runtime), weeks)
            return {k: v for k, v in out.items() if k != "suggestions"} | {
                "suggestions": [_compact_suggestion(r) for r in out["suggestions"]]
            }

        return run_tool(work)

    return [
        StructuredTool.from_function(
            record_lift_test,
            name="record_lift_test",
            args_schema=LiftTestArgs,
            description="Store a lift test the user reports (channel, cell, window, spend change, measured lift "
            "and its standard error) for the dataset. It calibrates a model only once a spec lists it: in a new "
            "spec, or by a disclosed amendment of a locked one.",
        ),
        StructuredTool.from_function(
            suggest_experiment,
            name="suggest_experiment",
            args_schema=SuggestArgs,
            description="Which lift test to run next: channels ranked by the expected narrowing of their ROI "
            "interval, each with a design (spend change, periods, geographies) and its expected precision.",
        ),
    ]
