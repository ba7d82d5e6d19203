"""Reading the conversation as the offline model's memory: the latest tool outputs, known channels, ids.

The offline model is stateless; everything it remembers across turns is in the checkpointed messages.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.models import followups
from agent.models.entities import Catalog


def parse(content: Any) -> dict[str, Any]:
    if isinstance(content, dict):
        return content
    try:
        out = json.loads(content if isinstance(content, str) else str(content))
        return out if isinstance(out, dict) else {"value": out}
    except (TypeError, ValueError):
        return {"text": str(content)}


CHECK_NOTE_KEY = "mmm_check_note"


def is_user_turn(message: BaseMessage) -> bool:
    """A message the user wrote (not a check's request to rewrite, which travels as a HumanMessage too)."""
    return isinstance(message, HumanMessage) and not message.additional_kwargs.get(CHECK_NOTE_KEY)


def last_human(messages: list[BaseMessage]) -> int:
    for i in range(len(messages) - 1, -1, -1):
        if is_user_turn(messages[i]):
            return i
    return -1


def text_of(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, list):
        return " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content)


def tool_outputs(messages: list[BaseMessage], names: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """(tool name, parsed output) of successful tool results of the given names, oldest first."""
    out = []
    for m in messages:
        if isinstance(m, ToolMessage) and m.name in names:
            data = parse(m.content)
            if "error" not in data and m.status != "error":
                out.append((m.name, data))
    return out


def latest(messages: list[BaseMessage], *names: str) -> dict[str, Any] | None:
    found = tool_outputs(messages, names)
    return found[-1][1] if found else None


def known_channels(messages: list[BaseMessage]) -> list[str]:
    for name, data in reversed(tool_outputs(messages, ("describe_dataset", "draft_spec", "roi"))):
        if name == "roi" and isinstance(data.get("channels"), dict) and len(data["channels"]) > 1:
            return list(data["channels"])
        if name != "roi" and data.get("channels"):
            return list((data.get("available") or {}).get("channels") or data["channels"])
    return []


DATA_NAMES_KEY = "mmm_data_names"


def data_names(messages: list[BaseMessage]) -> list[str]:
    """Names the session's data holds (channels, variables, geographies, dataset names), attached to the user's
    message by the guard at the start of the turn: masked before routing even in a session's first turn."""
    h = last_human(messages)
    if h < 0:
        return []
    return list(messages[h].additional_kwargs.get(DATA_NAMES_KEY) or [])


def current_spec(messages: list[BaseMessage], spec_id: str | None) -> dict[str, Any] | None:
    """The choices of locked spec ``spec_id`` as a tool showed them in this conversation (None if never shown)."""
    for _name, data in reversed(tool_outputs(messages, ("show_spec", "amend_spec"))):
        if data.get("spec_id") and (spec_id is None or data["spec_id"] == spec_id) and "controls" in data:
            return data
    return None


def latest_spec_id(messages: list[BaseMessage]) -> str | None:
    data = latest(messages, "lock_spec", "amend_spec")
    if data:
        return data.get("spec_id")
    led = latest(messages, "ledger")
    if led and led.get("specs"):
        return led["specs"][-1]["spec_id"]
    return None


def latest_draft(messages: list[BaseMessage]) -> dict[str, Any] | None:
    draft = latest(messages, "draft_spec", "edit_spec")
    if not draft:
        return None
    base = latest(messages, "draft_spec") or {}
    return {**draft, "available": base.get("available", {})}


def previous_answer(messages: list[BaseMessage]) -> AIMessage | None:
    """The assistant's final answer just before the current user message (for wizard state)."""
    h = last_human(messages)
    for m in reversed(messages[:h]):
        if isinstance(m, HumanMessage):
            return None
        if isinstance(m, AIMessage) and not m.tool_calls:
            return m
    return None


def meta(message: BaseMessage | None) -> dict[str, Any]:
    if message is None:
        return {}
    return dict(message.additional_kwargs.get("mmm") or {})


CATALOG_KEY = "mmm_catalog"


def catalog(messages: list[BaseMessage]) -> Catalog | None:
    """The data's entities and period range, attached to the user's message by the guard at the start of the
    turn (see ``guards.ShoppingGuard``); else from a ``describe_dataset`` output in the conversation."""
    h = last_human(messages)
    if h >= 0 and messages[h].additional_kwargs.get(CATALOG_KEY):
        return Catalog.from_dict(messages[h].additional_kwargs[CATALOG_KEY])
    described = latest(messages, "describe_dataset")
    return Catalog.from_describe(described) if described else None


def previous_question(messages: list[BaseMessage]) -> tuple[str, dict[str, Any]] | None:
    """The user's previous question (as it was resolved) and the intent it was routed to, or None."""
    h = last_human(messages)
    humans = [i for i, m in enumerate(messages[:h]) if is_user_turn(m)]
    if not humans:
        return None
    p = humans[-1]
    routed = next((meta(m) for m in messages[p + 1 : h] if isinstance(m, AIMessage) and meta(m).get("intent")), {})
    resolved = messages[p].additional_kwargs.get(QUESTION_KEY) or text_of(messages[p])
    return str(resolved), routed


QUESTION_KEY = "mmm_question"


def question(messages: list[BaseMessage]) -> str:
    """The current question with a follow-up resolved against the previous turn ("and YouTube?" after "what is
    the ROI of TV?" → "what is the ROI of YouTube?"); the user's own words when it is not a follow-up."""
    h = last_human(messages)
    if h < 0:
        return ""
    human = messages[h]
    if human.additional_kwargs.get(QUESTION_KEY):
        return str(human.additional_kwargs[QUESTION_KEY])
    prev = previous_question(messages)
    text = text_of(human)
    return followups.resolve(text, prev[0], catalog(messages)) if prev else text
