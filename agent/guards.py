"""Deterministic guards around the agent loop, each one small middleware:

- ``ShoppingGuard``: a request that names the result it wants is refused before any model sees it, the refusal
  explained (forking paths, pre-registration) and written to the ledger.
- ``LockedSpecGuard``: ``fit_model`` runs only on a locked spec id; anything else is refused and logged.
- ``approval_middleware``: human approval before ``lock_spec``, ``amend_spec`` and ``fit_model`` (only for a
  locked spec, so a refused fit does not ask for approval first).
- ``step_budget``: per-turn limits so one request cannot run the whole pipeline unasked.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from langchain.agents.middleware import (
    AgentMiddleware,
    HumanInTheLoopMiddleware,
    ModelCallLimitMiddleware,
    ToolCallLimitMiddleware,
    hook_config,
)
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.models import answers
from mmm_core import ledger
from mmm_core.ledger.shopping import REFUSAL_REASON, is_result_seeking
from mmm_core.ledger.store import spec_exists
from mmm_core.store import Store
from tools.base import resolve_dataset_id

MAX_MODEL_CALLS_PER_TURN = 8
MAX_TOOL_CALLS_PER_TURN = 6


def _dataset_for(store: Store, state: dict[str, Any]) -> str | None:
    try:
        return resolve_dataset_id(store, None, type("R", (), {"state": state})())
    except Exception:  # a refusal must be logged even when no dataset can be resolved
        return None


class ShoppingGuard(AgentMiddleware):
    """Refuse result-seeking requests at the start of a turn, whatever the chat model."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    @hook_config(can_jump_to=["end"])
    def before_model(self, state: dict[str, Any], runtime: Any) -> dict[str, Any] | None:
        messages = state.get("messages", [])
        if not messages or not isinstance(messages[-1], HumanMessage):
            return None
        text = str(messages[-1].content)
        if not is_result_seeking(text):
            return None
        ledger.record_refusal(
            self.store, _dataset_for(self.store, state), state.get("spec_id"), state.get("fit_id"), text, REFUSAL_REASON
        )
        short = text if len(text) <= 80 else text[:77] + "…"
        reply = answers.render("answers/refusal.j2", request_short=f'"{short}"')
        msg = AIMessage(
            content=reply, additional_kwargs={"mmm": {"intent": "refusal", "template": True, "refused": True}}
        )
        return {"messages": [msg], "jump_to": "end"}


class LockedSpecGuard(AgentMiddleware):
    """No fit without a locked spec: refuse before mmm_core is even called (and log the refusal)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def wrap_tool_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
        refusal = self._refusal(request)
        return handler(request) if refusal is None else refusal

    async def awrap_tool_call(self, request: Any, handler: Callable[[Any], Awaitable[Any]]) -> Any:
        refusal = self._refusal(request)
        return await handler(request) if refusal is None else refusal

    def _refusal(self, request: Any) -> ToolMessage | None:
        """None when the call may run; else the refusal (logged in the ledger) to return instead."""
        call = request.tool_call
        if call["name"] != "fit_model":
            return None
        spec_id = str(call["args"].get("spec_id") or "")
        if spec_id.startswith("spec_") and spec_exists(self.store, spec_id):
            return None
        state = getattr(request, "state", None) or {}
        reason = (
            f"{spec_id or 'That'} is not a locked spec. A fit needs a pre-registered (locked) spec so "
            "that the model cannot be chosen after seeing results."
        )
        ledger.record_refusal(self.store, _dataset_for(self.store, state), None, None, f"fit_model({spec_id})", reason)
        body = {
            "error": {
                "code": "not_locked",
                "message": reason,
                "hint": 'Lock the draft first: say "lock it because <rationale>".',
            }
        }
        return ToolMessage(content=json.dumps(body), name="fit_model", tool_call_id=call["id"], status="success")


def _describe(call: dict[str, Any], state: Any, runtime: Any) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in call["args"].items())
    what = {
        "lock_spec": "Lock (pre-register) this spec; it can then only change by a disclosed amendment.",
        "amend_spec": "Amend a locked spec as a new, disclosed version.",
        "fit_model": "Fit the model (uses CPU for seconds to minutes).",
    }.get(call["name"], call["name"])
    return f"{what}\n{call['name']}({args})"


def approval_middleware(store: Store) -> HumanInTheLoopMiddleware:
    def locked_fit(request: Any) -> bool:
        spec_id = str(request.tool_call["args"].get("spec_id") or "")
        return spec_id.startswith("spec_") and spec_exists(store, spec_id)

    config = {"allowed_decisions": ["approve", "reject"], "description": _describe}
    return HumanInTheLoopMiddleware(
        interrupt_on={
            "lock_spec": dict(config),
            "amend_spec": dict(config),
            "fit_model": {**config, "when": locked_fit},
        }
    )


def step_budget() -> list[AgentMiddleware]:
    """At most a few model/tool calls per turn, one lock and one fit: a single request never chains
    draft → lock → fit → answer on its own."""
    return [
        ModelCallLimitMiddleware(run_limit=MAX_MODEL_CALLS_PER_TURN, exit_behavior="end"),
        ToolCallLimitMiddleware(run_limit=MAX_TOOL_CALLS_PER_TURN, exit_behavior="continue"),
        ToolCallLimitMiddleware(tool_name="fit_model", run_limit=1, exit_behavior="continue"),
        ToolCallLimitMiddleware(tool_name="lock_spec", run_limit=1, exit_behavior="continue"),
    ]
