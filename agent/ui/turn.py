"""One chat turn of the agent graph, as events the UI renders: tool starts/ends (steps), approval requests
(interrupts) and the final answer.

The graph runs with its *sync* ``stream`` in a worker thread and its updates are handed to the event loop through a
queue. The graph also runs under ``astream`` (the middleware has async hooks; tested in ``test_agent``), but its
tools and guards are blocking code (DuckDB, JAX sampling, ledger writes in sync hooks): one worker thread keeps all
of it off the Chainlit event loop (live progress, other users). ``AsyncSqliteSaver`` serves the worker thread by
scheduling its queries on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage


@dataclass
class ToolStart:
    call_id: str
    name: str
    args: dict[str, Any]


@dataclass
class ToolEnd:
    call_id: str
    name: str
    content: str
    data: dict[str, Any]
    error: bool


@dataclass
class Answer:
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Approval:
    requests: list[dict[str, Any]]


Event = ToolStart | ToolEnd | Answer | Approval


def parse_json(content: Any) -> dict[str, Any]:
    try:
        data = json.loads(content) if isinstance(content, str) else content
    except ValueError:
        return {"text": str(content)}
    return data if isinstance(data, dict) else {"value": data}


_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")


def end_lists(text: str) -> str:
    """The answer as Markdown whose lists end where the answers end them: a plain line right after a list item
    is, to Markdown, a continuation of that item (it runs into the last bullet), so a blank line goes between."""
    lines = text.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        if i and _ITEM.match(lines[i - 1]) and line.strip() and not _ITEM.match(line) and not line.startswith(" "):
            out.append("")
        out.append(line)
    return "\n".join(out)


def events(update: dict[str, Any], seen: set[str]) -> list[Event]:
    """The UI events in one ``stream_mode="updates"`` chunk. ``seen`` holds the tool-call ids already shown:
    after a resume the approval node re-emits the interrupted AI message, and its calls must not appear twice."""
    out: list[Event] = []
    for node, value in update.items():
        if node == "__interrupt__":
            reqs = [r for intr in value for r in (getattr(intr, "value", None) or {}).get("action_requests", [])]
            out.append(Approval(reqs))
            continue
        for msg in (value or {}).get("messages", []) if isinstance(value, dict) else []:
            out.extend(_message_events(msg, seen))
    return out


def _message_events(msg: Any, seen: set[str]) -> list[Event]:
    if isinstance(msg, AIMessage) and msg.tool_calls:
        new = [c for c in msg.tool_calls if c["id"] not in seen]
        seen.update(c["id"] for c in new)
        return [ToolStart(c["id"], c["name"], dict(c["args"])) for c in new]
    if isinstance(msg, AIMessage):
        return [Answer(end_lists(str(msg.content)), dict(msg.additional_kwargs.get("mmm") or {}))]
    if isinstance(msg, ToolMessage):
        key = f"end:{msg.tool_call_id}"
        if key in seen:
            return []
        seen.add(key)
        data = parse_json(msg.content)
        return [
            ToolEnd(msg.tool_call_id, msg.name or "", str(msg.content), data, msg.status == "error" or "error" in data)
        ]
    return []


def decisions(requests: list[dict[str, Any]], approved: list[bool]) -> dict[str, Any]:
    """The resume value for HumanInTheLoopMiddleware: one decision per action request, in order."""
    return {
        "decisions": [
            {"type": "approve"}
            if ok
            else {"type": "reject", "message": f"Declined: the user did not approve {r['name']} in the UI."}
            for r, ok in zip(requests, approved, strict=True)
        ]
    }


async def stream(graph: Any, payload: Any, config: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """``graph.stream(..., stream_mode="updates")`` run in a worker thread, yielded on the event loop."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    done = object()

    def work() -> None:
        try:
            for chunk in graph.stream(payload, config, stream_mode="updates"):
                loop.call_soon_threadsafe(queue.put_nowait, chunk)
        except BaseException as exc:  # re-raised on the loop so the UI can show it
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, done)

    worker = loop.run_in_executor(None, work)
    while (item := await queue.get()) is not done:
        if isinstance(item, BaseException):
            await worker
            raise item
        yield item
    await worker
