"""The report's control-variables subsection: each control's class, effect and — under selection — shrinkage or
inclusion with its verdict, from the same answer the CLI's ``controls`` gives (``mmm_core.answers.controls``).

A fit with several outcomes has one coefficient per (control, outcome) and no selection (the spec refuses a
``control_selection`` with an ``outcomes`` block), so its subsection shows each control's class, the outcomes it
enters and what it moves in each (``answers.outcomes.outcome_effects``: against the control at 0)."""

from __future__ import annotations

from typing import Any

from mmm_core import ledger
from mmm_core.answers.controls import controls
from mmm_core.spec.controls import CLASS_MEANING
from mmm_core.store import Store


def controls_block(
    store: Store, fit_id: str, locked: ledger.LockedSpec, allow_unhealthy: bool = False
) -> dict[str, Any] | None:
    """The subsection's data, or None (section left out) when the spec neither classifies a control nor selects
    among them: reports of such specs stay as they were."""
    spec = locked.spec
    if spec.control_selection is None and not any(c.class_ for c in spec.controls):
        return None
    out = controls(store, fit_id, allow_unhealthy=allow_unhealthy)
    sel = out["selection"]
    counts = {"n_controls": len(out["controls"])}
    if sel:
        counts |= {"n_selected": len(sel["controls"]), "n_kept": len(sel["kept"])}
    return {k: out[k] for k in ("controls", "selection", "units", "interval")} | counts


def multi_controls_block(locked: ledger.LockedSpec, lifts: dict[str, Any]) -> dict[str, Any] | None:
    """The subsection of a multi-outcome fit, or None when the spec has no controls. ``lifts``: the report's
    ``lifts`` block (per driver and outcome: contribution, direction, size)."""
    spec = locked.spec
    if not spec.controls:
        return None
    names = [c.name for c in spec.controls]
    rows = {}
    for c in spec.controls:
        moved = lifts["drivers"].get(c.name)
        rows[c.name] = {
            "class": c.class_,
            "meaning": CLASS_MEANING[c.class_],
            "enters": [o for o in spec.outcomes.names if c.name in spec.outcomes.controls_of(o, names)],
            "outcomes": moved["outcomes"] if moved else None,
            "not_shown": lifts["controls_not_shown"].get(c.name),
        }
    return {
        "controls": rows,
        "n_controls": len(rows),
        "counterfactual": lifts["controls_counterfactual"],
        "selection": None,
        "selection_absent": True,
    }


__all__ = ["controls_block", "multi_controls_block"]
