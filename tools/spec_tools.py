"""Tools for drafting, editing, locking and amending model specs, and for reading the ledger.

Drafts are free to change and live as YAML files in ``<store dir>/drafts/`` (referred to by ``draft_…`` ids).
A locked spec is immutable: the only door to a change is ``amend_spec`` with a mandatory reason, which the
ledger records and every later answer discloses.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core import ledger
from mmm_core import spec as specs
from mmm_core.data.queries import describe
from mmm_core.errors import MMMError, NotFoundError
from mmm_core.ledger.shopping import amend_checked
from mmm_core.spec.edits import apply_changes, load_store_draft, save_store_draft, spec_choices
from mmm_core.spec.edits import edit_spec as apply_edits
from mmm_core.store import Store
from tools.base import resolve_dataset_id, run_tool, state_of


class Changes(BaseModel):
    """Edits a guided setup makes; omitted fields stay as they are."""

    kpi: str | None = Field(None, description="KPI variable to explain, e.g. 'Sales'.")
    channels: list[str] | None = Field(
        None, description="Keep exactly these media channels (names from describe_dataset)."
    )
    controls: list[str] | None = Field(None, description="Use exactly these control variables ([] for none).")
    seasonality_order: int | None = Field(None, ge=0, le=10, description="Fourier order; 0 turns it off.")
    geo_pooling: Literal["none", "partial", "full"] | None = Field(None, description="Geo pooling.")
    holdout_periods: int | None = Field(
        None, ge=0, description="Final periods held out for validation (fewer than half; a quarter is usual)."
    )
    carryover: dict[str, dict[str, float]] | None = Field(
        None,
        description="Per channel adstock settings, e.g. {'TV': {'max_lag': 12}} (how many periods the effect is "
        "counted) or {'TV': {'half_life': 3}} (the prior's median half-life in periods).",
    )


class DraftArgs(BaseModel):
    dataset: str | None = Field(None, description="Dataset id or name; omit for the session's dataset.")
    kpi: str | None = Field(None, description="KPI variable; omit to let the draft pick the single candidate.")
    media: list[str] | None = Field(
        None, description="Media variables the user names (declares them media; the draft uses exactly these)."
    )
    controls: list[str] | None = Field(
        None, description="Control variables the user names (declares them controls; the draft uses exactly these)."
    )


class EditArgs(Changes):
    draft_id: str = Field(description="The draft to edit (draft_…). Locked specs (spec_…) cannot be edited.")


class ShowArgs(BaseModel):
    spec_or_draft_id: str | None = Field(None, description="A draft_… or spec_… id; omit for the session's.")


class LockArgs(BaseModel):
    draft_id: str = Field(description="The draft to lock (draft_…).")
    rationale: str = Field(min_length=3, description="Why this model, in the user's words (stored forever).")


class AmendArgs(Changes):
    spec_id: str = Field(description="The locked spec to amend (spec_…); must be the latest of its chain.")
    remove: list[str] | None = Field(
        None, description="Channels or controls to take out, by name (the others stay). Prefer this to full lists."
    )
    add_controls: list[str] | None = Field(None, description="Control variables to add (the others stay).")
    reason: str = Field(
        min_length=3,
        description="Mandatory reason for the change; disclosed in every later "
        "answer. A reason naming a desired result (e.g. 'so TV looks better') is refused.",
    )


class LedgerArgs(BaseModel):
    dataset: str | None = Field(None, description="Dataset id or name; omit for the session's dataset.")


def latest_locked_spec(store: Store, dataset_id: str) -> str:
    """The newest locked spec of the dataset that has not been amended (the one an amendment starts from)."""
    rows = ledger.ledger_report(store, dataset_id)["specs"]
    parents = {s.get("parent_id") for s in rows}
    leaves = [s["spec_id"] for s in rows if s["spec_id"] not in parents]
    if not leaves:
        raise NotFoundError(
            "No locked spec for this dataset yet, so there is nothing to amend or show.",
            'Say "set up a model" to draft one, then lock it.',
            code="no_spec",
        )
    return leaves[-1]


def amended_spec(store: Store, spec_id: str, changes: dict[str, Any]) -> tuple[ledger.LockedSpec, specs.ModelSpec]:
    """The parent from the ledger and the spec with exactly the requested changes (validated against the data)."""
    parent = ledger.get_spec(store, spec_id)
    fields = {k: v for k, v in changes.items() if k in AmendArgs.model_fields and k not in ("spec_id", "reason")}
    args = AmendArgs(spec_id=spec_id, reason="preview", **fields).model_dump(exclude={"spec_id", "reason"})
    new = apply_changes(parent.spec, **args)
    specs.validate_against(new, describe(store, new.dataset_id))
    return parent, new


def preview_amendment(store: Store, args: dict[str, Any]) -> list[str]:
    """The diff an ``amend_spec`` call would make, for the approval prompt (an error says what is wrong)."""
    try:
        parent, new = amended_spec(store, str(args.get("spec_id") or ""), args)
    except MMMError as exc:
        return [f"cannot amend: {exc.message}"]
    return specs.format_diff(specs.diff_specs(parent.spec, new)) or ["no change"]


def build(store: Store) -> list[BaseTool]:
    """The spec and ledger tools bound to one store."""

    def draft_spec(
        dataset: str | None = None,
        kpi: str | None = None,
        media: list[str] | None = None,
        controls: list[str] | None = None,
        runtime: ToolRuntime = None,
    ) -> str:
        def work() -> dict:
            ds = resolve_dataset_id(store, dataset, runtime)
            spec, notes = specs.init_spec_with_notes(store, ds, kpi, media, controls)
            d = describe(store, ds)
            return {
                "draft_id": save_store_draft(store, spec),
                "status": "draft",
                **spec_choices(spec),
                "notes": notes,
                "available": {
                    "kpi_candidates": d["kpi_candidates"],
                    "channels": d["channels"],
                    "controls": d["controls"],
                    "geographies": len(d["geographies"]),
                    "periods": d["periods"]["count"],
                },
            }

        return run_tool(work)

    def edit_spec(draft_id: str, runtime: ToolRuntime = None, **changes: Any) -> str:
        def work() -> dict:
            spec = apply_edits(load_store_draft(store, draft_id), **Changes(**changes).model_dump())
            specs.validate_against(spec, describe(store, spec.dataset_id))
            return {
                "draft_id": save_store_draft(store, spec, draft_id),
                "status": "draft",
                **spec_choices(spec),
                "changed": sorted(k for k, v in changes.items() if v is not None),
            }

        return run_tool(work)

    def show_spec(spec_or_draft_id: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            state = state_of(runtime)
            ident = spec_or_draft_id or state.get("spec_id") or state.get("draft_id")
            # A new session knows no spec yet: the dataset's latest locked spec is "the spec" (never an empty one).
            ident = ident or latest_locked_spec(store, resolve_dataset_id(store, None, runtime))
            if ident.startswith("draft_"):
                return {"draft_id": ident, "status": "draft", **spec_choices(load_store_draft(store, ident))}
            locked = ledger.get_spec(store, ident)
            return {
                "spec_id": ident,
                "status": "locked",
                "version": locked.version,
                **spec_choices(locked.spec),
                "provenance": ledger.provenance(store, ident),
            }

        return run_tool(work)

    def lock_spec(draft_id: str, rationale: str, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            locked = ledger.lock(store, load_store_draft(store, draft_id), rationale)
            return {
                "spec_id": locked.spec_id,
                "status": "locked",
                "version": locked.version,
                "sha256": locked.sha256,
                "reused": locked.reused,
                "post_hoc": locked.post_hoc,
                "dataset_id": locked.dataset_id,
                "provenance": ledger.provenance(store, locked.spec_id),
            }

        return run_tool(work)

    def amend_spec(spec_id: str, reason: str, runtime: ToolRuntime = None, **changes: Any) -> str:
        def real() -> dict:
            parent, new = amended_spec(store, spec_id, changes)
            locked = amend_checked(store, spec_id, new, reason)
            return {
                "spec_id": locked.spec_id,
                "parent_id": spec_id,
                "status": "locked",
                "version": locked.version,
                "post_hoc": locked.post_hoc,
                **spec_choices(new),
                "changes": specs.format_diff(specs.diff_specs(parent.spec, new)),
                "provenance": ledger.provenance(store, locked.spec_id),
            }

        return run_tool(real)

    def ledger_tool(dataset: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            rep = ledger.ledger_report(store, resolve_dataset_id(store, dataset, runtime))
            return {
                "dataset_id": rep["dataset_id"],
                "name": rep["name"],
                "disclosure": rep["disclosure"],
                "specs": [
                    {
                        k: s.get(k)
                        for k in (
                            "spec_id",
                            "version",
                            "parent_id",
                            "rationale",
                            "amendment_reason",
                            "post_hoc",
                            "locked_at",
                        )
                    }
                    for s in rep["specs"]
                ],
                "fits": [
                    {k: f.get(k) for k in ("fit_id", "spec_id", "spec_version", "mode", "status")} for f in rep["fits"]
                ],
                "refusals": [e["detail"] for e in rep["events"] if e["kind"] == "refusal"][-5:],
            }

        return run_tool(work)

    return [
        StructuredTool.from_function(
            draft_spec,
            name="draft_spec",
            args_schema=DraftArgs,
            description=(
                "Draft a model spec from the data (free to edit; not locked). Returns a draft_id and the choices."
            ),
        ),
        StructuredTool.from_function(
            edit_spec,
            name="edit_spec",
            args_schema=EditArgs,
            description=(
                "Edit a draft spec: KPI, channels, controls, seasonality order, geo pooling, holdout. Drafts only."
            ),
        ),
        StructuredTool.from_function(
            show_spec,
            name="show_spec",
            args_schema=ShowArgs,
            description=("Show a draft or locked spec's main choices (and provenance for a locked spec)."),
        ),
        StructuredTool.from_function(
            lock_spec,
            name="lock_spec",
            args_schema=LockArgs,
            description=("Lock (pre-register) a draft before fitting; needs the user's approval and a rationale."),
        ),
        StructuredTool.from_function(
            amend_spec,
            name="amend_spec",
            args_schema=AmendArgs,
            description=(
                "Change a LOCKED spec as a new disclosed version; a substantive reason is mandatory. Needs "
                "approval. Never use it to chase a preferred result."
            ),
        ),
        StructuredTool.from_function(
            ledger_tool,
            name="ledger",
            args_schema=LedgerArgs,
            description=(
                "What was tried on the dataset: every locked spec version, amendment reason, fit and refusal."
            ),
        ),
    ]
