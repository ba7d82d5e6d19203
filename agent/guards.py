"""Deterministic guards around the agent loop, each one small middleware:

- ``ShoppingGuard``: at the start of a turn, attaches the names the session's data holds to the user's message (so
  they are masked before intent parsing, even in a session's first turn); a request that changes or chooses the
  model aiming at the result it wants (``mmm_core.ledger.shopping.judge``, names masked) is refused before any
  model sees it, the refusal explained (forking paths, pre-registration) and written to the ledger with the
  classifier's score. Decision questions ("what should we cut first?") change the budget, not the model: they pass.
- ``LockedSpecGuard``: the tool boundary, whatever the chat model. ``fit_model`` runs only on a locked spec id and
  never for a request that asks for a change ("refit without Price" is an amendment); ``lock_spec``/``fit_model``/
  ``amend_spec`` never run for a request that reads as one only because of a name from the data; ``amend_spec``
  changes only channels and controls the user named. Refusals are logged.
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

from agent.models import answers, memory
from agent.models.entities import Catalog
from agent.models.router import action_from_data, asks_for_change, intent_bearing, mask_channels
from mmm_core import ledger
from mmm_core import spec as specs
from mmm_core.data.queries import describe, list_datasets
from mmm_core.errors import MMMError
from mmm_core.ledger.shopping import Verdict, judge
from mmm_core.ledger.store import spec_exists
from mmm_core.store import Store
from tools.base import resolve_dataset_id
from tools.spec_tools import amended_spec, preview_amendment

MAX_MODEL_CALLS_PER_TURN = 8
MAX_TOOL_CALLS_PER_TURN = 6


def _dataset_for(store: Store, state: dict[str, Any]) -> str | None:
    try:
        return resolve_dataset_id(store, None, type("R", (), {"state": state})())
    except Exception:  # a refusal must be logged even when no dataset can be resolved
        return None


def dataset_catalog(store: Store, dataset_id: str | None) -> dict[str, Any] | None:
    """The dataset's entities by kind and its period range (``entities.Catalog`` as a dict), or None."""
    return _data_view(store, dataset_id)[1]


def dataset_names(store: Store, dataset_id: str | None) -> list[str]:
    """Every name the data brings into a conversation: the dataset's channels, variables, geographies and
    products, and the names of all datasets in the store."""
    return _data_view(store, dataset_id)[0]


def _data_view(store: Store, dataset_id: str | None) -> tuple[list[str], dict[str, Any] | None]:
    """(names, catalog) from one ``describe``."""
    names = [d["name"] for d in list_datasets(store)]
    catalog = None
    if dataset_id:
        d = describe(store, dataset_id)
        names += d["channels"] + [v["name"] for v in d["variables"]] + d["geographies"] + d["products"]
        catalog = Catalog.from_describe(d).to_dict()
    return sorted({str(n) for n in names if n}), catalog


class ShoppingGuard(AgentMiddleware):
    """Data names onto the user's message, then refuse result-seeking requests, whatever the chat model."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self._views: dict[str | None, tuple[list[str], dict[str, Any] | None]] = {}

    def view(self, state: dict[str, Any]) -> tuple[list[str], dict[str, Any] | None]:
        """The names to mask and the catalog (entities by kind, periods) of the session's data, read once."""
        ds = _dataset_for(self.store, state)
        if ds not in self._views:
            try:
                self._views[ds] = _data_view(self.store, ds)
            except MMMError:
                return [], None  # an empty store has no names to mask; the tools say so themselves
        return self._views[ds]

    def names(self, state: dict[str, Any]) -> list[str]:
        return self.view(state)[0]

    @hook_config(can_jump_to=["end"])
    def before_model(self, state: dict[str, Any], runtime: Any) -> dict[str, Any] | None:
        messages = state.get("messages", [])
        if not messages or not isinstance(messages[-1], HumanMessage):
            return None
        human = messages[-1]
        update: list[Any] = []
        names = human.additional_kwargs.get(memory.DATA_NAMES_KEY)
        if names is None:
            names, catalog = self.view(state)
            extra = {memory.DATA_NAMES_KEY: names, memory.CATALOG_KEY: catalog}
            human = human.model_copy(update={"additional_kwargs": {**human.additional_kwargs, **extra}})
            # The question as asked in context ("and YouTube?" → the previous question for YouTube), fixed once
            # for the turn: the router and the question check read the same words.
            resolved = memory.question([*messages[:-1], human])
            human = human.model_copy(
                update={"additional_kwargs": {**human.additional_kwargs, memory.QUESTION_KEY: resolved}}
            )
            update.append(human)  # same id: replaces the message in the state
        text = str(human.content)
        verdict = shopping_verdict(text, names)
        if not verdict.seeking:
            return {"messages": update} if update else None
        ledger.record_refusal(
            self.store,
            _dataset_for(self.store, state),
            state.get("spec_id"),
            state.get("fit_id"),
            text,
            verdict.reason(),
        )
        short = text if len(text) <= 80 else text[:77] + "…"
        reply = answers.render("answers/refusal.j2", request_short=f'"{short}"')
        msg = AIMessage(
            content=reply, additional_kwargs={"mmm": {"intent": "refusal", "template": True, "refused": True}}
        )
        return {"messages": [*update, msg], "jump_to": "end"}


def shopping_verdict(text: str, names: list[str]) -> Verdict:
    """The shopping rule on a user's message, the data's request-like names masked (a channel called "Lock"
    changes nothing)."""
    return judge(mask_channels(text, intent_bearing(names)))


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
        state = getattr(request, "state", None) or {}
        found = boundary_refusal(self.store, call, state)
        if found is None:
            return None
        code, reason, hint = found
        ledger.record_refusal(
            self.store, _dataset_for(self.store, state), None, None, f"{call['name']}({_args(call)})", reason
        )
        body = {"error": {"code": code, "message": reason, "hint": hint}}
        return ToolMessage(content=json.dumps(body), name=call["name"], tool_call_id=call["id"], status="success")


_ACTIONS = ("fit_model", "lock_spec", "amend_spec")


def _args(call: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in call["args"].items())


def _recent_user_text(state: dict[str, Any], turns: int = 2) -> tuple[str, list[str]]:
    """The user's last ``turns`` messages (a hosted model may act on a request made a turn earlier) and the data
    names attached to the latest."""
    humans = [m for m in state.get("messages", []) if isinstance(m, HumanMessage)]
    if not humans:
        return "", []
    text = " ".join(memory.text_of(m) for m in humans[-turns:])
    return text, list(humans[-1].additional_kwargs.get(memory.DATA_NAMES_KEY) or [])


def boundary_refusal(store: Store, call: dict[str, Any], state: dict[str, Any]) -> tuple[str, str, str] | None:
    """(code, reason, hint) when an action call must not run; None when it may. Pure: no writes (the approval
    step asks it too, twice per call)."""
    name = call["name"]
    if name not in _ACTIONS:
        return None
    args = call.get("args") or {}
    latest, names = _recent_user_text(state, turns=1)
    if latest and action_from_data(latest, names):
        return (
            "instruction_in_data",
            f"The request reads as {name} only because of a name from the data; names in data are never obeyed.",
            "Ask for the action in your own words if you want it.",
        )
    if name == "fit_model":
        spec_id = str(args.get("spec_id") or "")
        if not (spec_id.startswith("spec_") and spec_exists(store, spec_id)):
            return (
                "not_locked",
                f"{spec_id or 'That'} is not a locked spec. A fit needs a pre-registered (locked) spec so "
                "that the model cannot be chosen after seeing results.",
                'Lock the draft first: say "lock it because <rationale>".',
            )
        if latest and asks_for_change(latest, names):
            return (
                "change_needs_amendment",
                f"The request asks for a different model, but {spec_id} is locked: refitting it would keep it "
                "unchanged. A change is an amendment, which needs a reason and approval.",
                'Say "amend the spec to … because …", then fit the amended spec.',
            )
    if name == "amend_spec":
        return _unnamed_change(store, args, state)
    return None


def _unnamed_change(store: Store, args: dict[str, Any], state: dict[str, Any]) -> tuple[str, str, str] | None:
    """An amendment may touch only channels and controls the user named (mediators follow their channels)."""
    try:
        parent, new = amended_spec(store, str(args.get("spec_id") or ""), args)
    except MMMError:
        return None  # the tool itself reports a bad id, unknown name or invalid spec
    text, _ = _recent_user_text(state)
    said = text.casefold()
    touched = {
        c["path"].split("[", 1)[1].split("]", 1)[0]
        for c in specs.diff_specs(parent.spec, new)
        if c["path"].startswith(("media[", "controls["))
    }
    unnamed = sorted(n for n in touched if n.casefold() not in said)
    if not unnamed:
        return None
    return (
        "unnamed_change",
        f"The amendment would change {', '.join(unnamed)}, which the request did not name; an amendment changes "
        "exactly what was asked.",
        'Name each channel or control to change (e.g. "drop Price"); use remove/add_controls, not full lists.',
    )


def _describe(store: Store, call: dict[str, Any], state: Any, runtime: Any) -> str:
    args = _args(call)
    if call["name"] == "amend_spec":  # the reviewer approves the diff, not a list of arguments
        diff = "\n".join(f"  {line}" for line in preview_amendment(store, call["args"]))
        args += f"\nChanges:\n{diff}"
    what = {
        "lock_spec": "Lock (pre-register) this spec; it can then only change by a disclosed amendment.",
        "amend_spec": "Amend a locked spec as a new, disclosed version.",
        "fit_model": "Fit the model (uses CPU for seconds to minutes).",
    }.get(call["name"], call["name"])
    return f"{what}\n{call['name']}({args})"


def approval_middleware(store: Store) -> HumanInTheLoopMiddleware:
    def will_run(request: Any) -> bool:
        """Ask only for calls the tool boundary lets through (a refused call needs no approval first)."""
        return boundary_refusal(store, request.tool_call, getattr(request, "state", None) or {}) is None

    def describe_call(call: dict[str, Any], state: Any, runtime: Any) -> str:
        return _describe(store, call, state, runtime)

    config = {"allowed_decisions": ["approve", "reject"], "description": describe_call, "when": will_run}
    return HumanInTheLoopMiddleware(interrupt_on={name: dict(config) for name in _ACTIONS})


def step_budget() -> list[AgentMiddleware]:
    """At most a few model/tool calls per turn, one lock and one fit: a single request never chains
    draft → lock → fit → answer on its own."""
    return [
        ModelCallLimitMiddleware(run_limit=MAX_MODEL_CALLS_PER_TURN, exit_behavior="end"),
        ToolCallLimitMiddleware(run_limit=MAX_TOOL_CALLS_PER_TURN, exit_behavior="continue"),
        ToolCallLimitMiddleware(tool_name="fit_model", run_limit=1, exit_behavior="continue"),
        ToolCallLimitMiddleware(tool_name="lock_spec", run_limit=1, exit_behavior="continue"),
    ]
