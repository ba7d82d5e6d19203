"""The report's control-variables subsection: each control's class, effect and — under selection — shrinkage or
inclusion with its verdict, from the same answer the CLI's ``controls`` gives (``mmm_core.answers.controls``)."""

from __future__ import annotations

from typing import Any

from mmm_core import ledger
from mmm_core.answers.controls import controls
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


__all__ = ["controls_block"]
