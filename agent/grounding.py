"""Grounding: every number in a final answer must come from this turn's tool outputs or the user's message.

The extraction and matching rules (and their functions) live in :mod:`mmm_core.grounding` so the report can
check its own prose without importing LangChain; they are re-exported here unchanged. This module adds the
LangChain middleware that applies them to the agent's answers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langchain.agents.middleware import AgentMiddleware
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.models import memory
from mmm_core.grounding import TextNumber, check, extract_numbers, matches, source_numbers, ungrounded

__all__ = [
    "TextNumber",
    "check",
    "extract_numbers",
    "matches",
    "source_numbers",
    "ungrounded",
    "turn_sources",
    "GroundingMiddleware",
    "RETRY_NOTE",
]

RETRY_NOTE = (
    "[grounding check] Your answer contained numbers that appear in no tool output of this turn and "
    "not in my message: {bad}. Rewrite the answer using only numbers copied from the tool outputs "
    "(rounding is fine). Do not call tools again."
)


def turn_sources(messages: list[BaseMessage]) -> list[Any]:
    """This turn's tool outputs, the user's message and the data's description attached to it (its period range
    and names, read from the store by the guard) — the only legitimate sources of numbers. A check's request to
    rewrite is not the user's message."""
    start = max((i for i, m in enumerate(messages) if memory.is_user_turn(m)), default=-1)
    sources: list[Any] = [str(messages[start].content)] if start >= 0 else []
    if start >= 0 and messages[start].additional_kwargs.get(memory.CATALOG_KEY):
        sources.append(messages[start].additional_kwargs[memory.CATALOG_KEY])
    sources += [m.content for m in messages[start + 1 :] if isinstance(m, ToolMessage)]
    return sources


def _final(response: Any) -> AIMessage | None:
    msgs = [m for m in getattr(response, "result", []) if isinstance(m, AIMessage)]
    return msgs[-1] if msgs and not msgs[-1].tool_calls else None


def _mark(msg: AIMessage, **info: Any) -> AIMessage:
    extra = dict(msg.additional_kwargs)
    extra["grounding"] = info
    return msg.model_copy(update={"additional_kwargs": extra})


@dataclass(frozen=True)
class _Verdict:
    """The grounding check of a model response's final answer (``msg`` None: no final answer yet) and, when it
    failed and the answer is not templated (templates cannot be told to rewrite), the request to retry with."""

    response: Any
    msg: AIMessage | None
    sources: list[Any]
    ok: bool
    bad: list[str]
    retry: Any

    @classmethod
    def of(cls, request: Any, response: Any) -> "_Verdict":
        msg = _final(response)
        sources = turn_sources(list(request.messages))
        if msg is None:
            return cls(response, None, sources, True, [], None)
        ok, bad = check(str(msg.content), sources)
        retry = None
        if not ok and not (msg.additional_kwargs.get("mmm") or {}).get("template"):
            note = HumanMessage(
                content=RETRY_NOTE.format(bad=", ".join(bad)), additional_kwargs={memory.CHECK_NOTE_KEY: True}
            )
            retry = request.override(messages=[*request.messages, msg, note])
        return cls(response, msg, sources, ok, bad, retry)


class GroundingMiddleware(AgentMiddleware):
    """Checks every final answer; regenerates once, then falls back to the templated (offline) answer."""

    def __init__(self, fallback: Callable[[list[BaseMessage]], AIMessage]) -> None:
        super().__init__()
        self.fallback = fallback

    def wrap_model_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
        first = _Verdict.of(request, handler(request))
        return self._settle(request, first, handler(first.retry) if first.retry is not None else None)

    async def awrap_model_call(self, request: Any, handler: Callable[[Any], Awaitable[Any]]) -> Any:
        first = _Verdict.of(request, await handler(request))
        return self._settle(request, first, await handler(first.retry) if first.retry is not None else None)

    def _settle(self, request: Any, first: "_Verdict", retry: Any) -> Any:
        """The response to keep: the first answer if grounded, else the retry if grounded, else the fallback."""
        response, msg = first.response, first.msg
        if msg is None:
            return response
        if first.ok:
            return self._replace(response, msg, _mark(msg, grounded=True, attempts=1))
        again = _final(retry) if retry is not None else None
        if again is not None and check(str(again.content), first.sources)[0]:
            return self._replace(retry, again, _mark(again, grounded=True, attempts=2, rejected=first.bad))
        fb = self.fallback(list(request.messages))
        ok3, bad3 = check(str(fb.content), first.sources)
        return self._replace(
            response,
            msg,
            _mark(
                fb,
                grounded=ok3,
                attempts=2 if retry is not None else 1,
                fallback=True,
                rejected=first.bad,
                ungrounded=bad3,
            ),
        )

    @staticmethod
    def _replace(response: Any, old: AIMessage, new: AIMessage) -> Any:
        result = [new if m is old else m for m in response.result]
        if old not in response.result:
            result = [*response.result[:-1], new]
        response.result = result
        return response
