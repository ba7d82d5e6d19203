"""The session's state beyond messages: the current dataset, draft, spec and fit, and the last turn's grounding.

Kept up to date by ``SessionStateMiddleware`` from the ids that tool outputs carry, so a later turn (or the UI)
knows what "the model" means without asking again.
"""

from __future__ import annotations

import json
from typing import Any, NotRequired

from langchain.agents.middleware import AgentMiddleware, AgentState
from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

# Which output field of which tool sets which state key.
_ID_FIELDS = {
    "dataset_id": ("dataset_id",),
    "draft_id": ("draft_id",),
    "spec_id": ("spec_id",),
    "fit_id": ("fit_id",),
}
_SETS_FIT = {"fit_model"}  # only a new fit changes the session's fit; reading results of one does not


class SessionState(AgentState):
    dataset_id: NotRequired[str | None]
    draft_id: NotRequired[str | None]
    spec_id: NotRequired[str | None]
    fit_id: NotRequired[str | None]


def ids_from_turn(messages: list[BaseMessage]) -> dict[str, Any]:
    """State updates from the tool results since the last user message."""
    start = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    update: dict[str, Any] = {}
    for m in messages[start + 1 :]:
        if not isinstance(m, ToolMessage) or m.status == "error":
            continue
        try:
            data = json.loads(m.content) if isinstance(m.content, str) else {}
        except ValueError:
            continue
        if not isinstance(data, dict) or "error" in data:
            continue
        for key, fields in _ID_FIELDS.items():
            if key == "fit_id" and m.name not in _SETS_FIT:
                continue
            if key == "spec_id" and m.name not in ("lock_spec", "amend_spec", "fit_model"):
                continue
            for f in fields:
                if data.get(f):
                    update[key] = data[f]
        if m.name == "fit_model" and data.get("status") != "succeeded":
            update.pop("fit_id", None)
    return update


class SessionStateMiddleware(AgentMiddleware):
    """Copies ids from tool outputs into the session state before each model call."""

    state_schema = SessionState

    def before_model(self, state: SessionState, runtime: Any) -> dict[str, Any] | None:
        update = ids_from_turn(list(state.get("messages", [])))
        changed = {k: v for k, v in update.items() if state.get(k) != v}
        return changed or None
