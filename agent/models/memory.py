"""Reading the conversation as the offline model's memory: the latest tool outputs, known channels, ids.

The offline model is stateless; everything it remembers across turns is in the checkpointed messages.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage


def parse(content: Any) -> dict[str, Any]:
    if isinstance(content, dict):
        return content
    try:
        out = json.loads(content if isinstance(content, str) else str(content))
        return out if isinstance(out, dict) else {"value": out}
    except (TypeError, ValueError):
        return {"text": str(content)}


def last_human(messages: list[BaseMessage]) -> int:
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
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
