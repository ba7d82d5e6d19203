"""The question check: the final answer must be about the entities and periods the question asked about.

Grounding proves that an answer's numbers were computed; it cannot tell that they answer a *different* question
(Social's ROI for "the ROI of TikTok", all years for "TV spend in 2023"). Before an answer is sent, the question
is read again — the same reading the router uses (``agent.models.scope.parse_question``, on the question as
resolved in context) — and the answer must

- name every resolved channel, control, geography and product the question names;
- name every period the question asks about (its label, e.g. "2023" / "Q3 2023", or its first day);
- name every name the data does not have (saying it is not there) and every period outside the data;
- and this turn's data-tool calls must have computed what was asked: no channel the question does not name,
  and every period it names applied as a window (an answer can quote "2023" over an all-years total);

unless the answer is a refusal or a clarifying question. A mismatch is handled like an ungrounded number: a
model-written answer is asked once to rewrite (with what it missed); a template answer, or a second miss, is
replaced by a short statement that no answer to exactly that question could be produced.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from langchain.agents.middleware import AgentMiddleware
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.models import answers, memory
from agent.models.entities import Catalog
from agent.models.scope import Question, parse_question

RETRY_NOTE = (
    "[question check] Your answer does not match the question: {problems}. Answer exactly the question asked — "
    "the same names and the same period — or say plainly that a name or period is not in the data (and list what "
    "is). Do not answer about a different name or period."
)
# Intents whose answers are refusals or questions back (nothing to match).
_NOT_ANSWERS = {"not_in_data", "refusal", "clarify", "unknown", "help", "unknown_channel", "setup"}
# Offline intents whose answers report data about named channels/periods; others (lock, fit, amend, ledger, the
# report...) may mention a channel in their reason without being about it.
_DATA_INTENTS = {"roi", "rank", "compare", "contribution", "spend_by", "kpi_by", "curve", "scenario", "optimize"}
# Tools of actions and bookkeeping: a provider turn that only called these is not a data answer.
_ACTION_TOOLS = {"lock_spec", "amend_spec", "fit_model", "draft_spec", "edit_spec", "show_spec", "ledger", "report"}
_REFUSAL_TEXT = re.compile(
    r"\bnot in the data\b|\bno data for\b|\bis not in\b|\bare not in\b|\bno (channel|geography|period) called\b|"
    r"\bcannot answer\b|\bwhich .{1,40}\b(do you mean|should i)\b|\?\s*$",
    re.IGNORECASE,
)
_KINDS = ("channel", "control", "geography", "product")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    problems: tuple[str, ...]


def _mentions(text: str, word: str) -> bool:
    return bool(re.search(rf"(?<![A-Za-z0-9]){re.escape(word)}(?![A-Za-z0-9])", text, re.IGNORECASE))


def _period_named(answer: str, label: str, start: str, phrases: tuple[str, ...]) -> bool:
    """The answer names the period: its label or a part of it ("last quarter, Q4 2024"), its first day, or the
    user's own words for it."""
    options = [label, *label.split(", "), start, *phrases]
    return any(o.strip() and _mentions(answer, o.strip()) for o in options)


def check_answer(q: Question, answer: str, meta: dict[str, Any] | None = None, tools_failed: bool = False) -> Verdict:
    """Whether ``answer`` is about what ``q`` asks (see the module doc); refusals, questions back and the
    explanation of a tool's error (``tools_failed``: every tool of the turn returned an error) pass."""
    meta = meta or {}
    if meta.get("intent") in _NOT_ANSWERS or meta.get("refused") or meta.get("setup_step") or tools_failed:
        return Verdict(True, ())
    if meta.get("intent") and meta["intent"] not in _DATA_INTENTS:
        return Verdict(True, ())
    refusal = bool(_REFUSAL_TEXT.search(answer))
    problems: list[str] = []
    # A plan is over a future horizon: "the split for Q1" sets its length (a quarter), not a window of the data,
    # and the plan's answer states the horizon it used.
    when = () if meta.get("intent") == "optimize" else None
    # A name or period the data lacks can only be answered by saying so (naming it is not enough: "TikTok-style
    # spend should go to Meta Ads" names TikTok and answers about Meta Ads).
    for word in q.unknown:
        if not (refusal and _mentions(answer, word)):
            problems.append(f"the question names {word}, which is not in the data, and the answer does not say so")
    for w in q.when.outside if when is None else when:
        if not (refusal and _period_named(answer, w.label, w.start.isoformat(), ())):
            problems.append(f"the question asks about {w.label}, outside the data, and the answer does not say so")
    if refusal:
        return Verdict(not problems, tuple(problems))
    for kind in _KINDS:
        for name in q.names(kind):
            if not _mentions(answer, name):
                problems.append(f"the question asks about {name}, which the answer does not name")
    for w in q.when.windows if when is None else when:
        if not _period_named(answer, w.label, w.start.isoformat(), q.when.phrases):
            problems.append(f"the question asks about {w.label}, which the answer does not name")
    return Verdict(not problems, tuple(problems))


# Data tools whose arguments name channels and periods (what the numbers in the answer are about).
_WINDOWED_TOOLS = {"spend_by", "kpi_by", "roi", "contributions", "compare_channels"}
_NAMING_TOOLS = _WINDOWED_TOOLS | {"scenario", "response_curve"}
_SLACK_DAYS = 7  # a window may be given by its first/last period instead of calendar bounds


def _call_channels(args: dict[str, Any]) -> set[str]:
    names = {str(args[k]) for k in ("channel", "a", "b") if isinstance(args.get(k), str)}
    names |= {str(x) for x in args.get("channels") or [] if isinstance(x, str)}
    for mv in args.get("moves") or []:
        names |= {str(mv[k]) for k in ("from", "to", "channel") if isinstance(mv, dict) and isinstance(mv.get(k), str)}
    return names


def _covers(call_windows: list[Any], starts: set[date], ends: set[date]) -> bool:
    """Some call window starts and ends where the asked one does (as asked, or clipped to the data), or the call's
    windows inside the asked one tile it end to end ("Search ROI for each quarter of 2022": four quarters)."""
    spans = sorted(_spans(call_windows))

    def near(d: date, options: set[date]) -> bool:
        return any(abs((d - o).days) <= _SLACK_DAYS for o in options)

    if any(near(cs, starts) and near(ce, ends) for cs, ce in spans):
        return True
    first, last = min(starts) - timedelta(days=_SLACK_DAYS), max(ends) + timedelta(days=_SLACK_DAYS)
    inside = [(cs, ce) for cs, ce in spans if first <= cs and ce <= last]
    joined = all((b[0] - a[1]).days <= 1 + _SLACK_DAYS for a, b in zip(inside, inside[1:], strict=False))
    return len(inside) >= 2 and joined and near(inside[0][0], starts) and near(inside[-1][1], ends)


def _spans(call_windows: list[Any]) -> list[tuple[date, date]]:
    out = []
    for w in call_windows or []:
        try:
            out.append(tuple(date.fromisoformat(str(w[k])[:10]) for k in ("start", "end")))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def check_calls(q: Question, calls: list[dict[str, Any]]) -> list[str]:
    """What the turn's data-tool calls got wrong about the question: a channel it did not ask about (when it
    names channels, or names one the data lacks), or a period it asked about that the call did not apply. The
    answer can quote a period correctly over numbers computed for all periods; this looks at what was computed."""
    problems: list[str] = []
    asked = set(q.names("channel"))
    for call in calls:
        args = call.get("args") or {}
        # a what-if over every channel ("pause all media except Search") moves the ones it does not name
        spread = call.get("name") == "scenario" and q.every_channel and not q.unknown
        if call.get("name") in _NAMING_TOOLS and (asked or q.unknown) and not spread:
            other = sorted(_call_channels(args) - asked)
            if other:
                problems.append(f"{call['name']} computed {', '.join(other)}, which the question does not ask about")
        if call.get("name") in _WINDOWED_TOOLS:
            for w in q.when.windows:
                starts = {w.start, max(w.start, q.when.data_start or w.start)}
                ends = {w.end, min(w.end, q.when.data_end or w.end)}
                if not _covers(args.get("windows"), starts, ends):
                    problems.append(f"{call['name']} was not computed over {w.label}")
    return problems


def turn_calls(messages: list[BaseMessage]) -> list[dict[str, Any]]:
    """The tool calls the model made this turn."""
    h = memory.last_human(messages)
    return [c for m in messages[h + 1 :] if isinstance(m, AIMessage) for c in m.tool_calls]


def question_of(messages: list[BaseMessage]) -> Question | None:
    """The current question as the router read it (resolved in context, against the data's catalog)."""
    h = memory.last_human(messages)
    if h < 0:
        return None
    cat = memory.catalog(messages) or Catalog()
    return parse_question(memory.question(messages), cat, memory.known_channels(messages))


def _tools_failed(messages: list[BaseMessage]) -> bool:
    """Every result of the turn's last tool step is an error (the answer then explains the error, not the
    question; a context call such as describe_dataset before it does not count)."""
    h = memory.last_human(messages)
    caller = next((m for m in reversed(messages[h + 1 :]) if isinstance(m, AIMessage) and m.tool_calls), None)
    ids = {c["id"] for c in caller.tool_calls} if caller else set()
    results = [m for m in messages[h + 1 :] if isinstance(m, ToolMessage) and m.tool_call_id in ids]
    return bool(results) and all(m.status == "error" or "error" in memory.parse(m.content) for m in results)


def _final(response: Any) -> AIMessage | None:
    msgs = [m for m in getattr(response, "result", []) if isinstance(m, AIMessage)]
    return msgs[-1] if msgs and not msgs[-1].tool_calls else None


def _mark(msg: AIMessage, **info: Any) -> AIMessage:
    return msg.model_copy(update={"additional_kwargs": {**msg.additional_kwargs, "question_check": info}})


def _swap(response: Any, old: AIMessage, new: AIMessage) -> Any:
    response.result = [new if m is old else m for m in response.result]
    return response


class QuestionCheckMiddleware(AgentMiddleware):
    """Checks that each final answer is about the question's entities and periods (see module doc)."""

    def wrap_model_call(self, request: Any, handler: Callable[[Any], Any]) -> Any:
        response = handler(request)
        first = self._judge(request, response)
        if first is None or first[1].ok:
            return self._settle(request, response, first, None, None)
        retry_req = self._retry_request(request, first)
        retry = handler(retry_req) if retry_req is not None else None
        return self._settle(request, response, first, retry, self._judge(request, retry) if retry else None)

    async def awrap_model_call(self, request: Any, handler: Callable[[Any], Awaitable[Any]]) -> Any:
        response = await handler(request)
        first = self._judge(request, response)
        if first is None or first[1].ok:
            return self._settle(request, response, first, None, None)
        retry_req = self._retry_request(request, first)
        retry = await handler(retry_req) if retry_req is not None else None
        return self._settle(request, response, first, retry, self._judge(request, retry) if retry else None)

    @staticmethod
    def _judge(request: Any, response: Any) -> tuple[AIMessage, Verdict] | None:
        msg = _final(response)
        q = question_of(list(request.messages))
        if msg is None or q is None:
            return None
        messages = list(request.messages)
        names = {c["name"] for c in turn_calls(messages)}
        if names and names <= _ACTION_TOOLS | {"describe_dataset"} and names & _ACTION_TOOLS:
            return msg, Verdict(True, ())  # an action's report (lock, fit, amendment...), not a data answer
        verdict = check_answer(q, str(msg.content), memory.meta(msg), _tools_failed(messages))
        wrong = [] if _tools_failed(messages) else check_calls(q, turn_calls(messages))
        if wrong:
            verdict = Verdict(False, (*verdict.problems, *wrong))
        return msg, verdict

    @staticmethod
    def _retry_request(request: Any, first: tuple[AIMessage, Verdict]) -> Any:
        msg, verdict = first
        if memory.meta(msg).get("template"):
            return None  # a template cannot be told to rewrite
        note = HumanMessage(
            content=RETRY_NOTE.format(problems="; ".join(verdict.problems)),
            additional_kwargs={memory.CHECK_NOTE_KEY: True},
        )
        return request.override(messages=[*request.messages, msg, note])

    @staticmethod
    def _settle(request: Any, response: Any, first, retry: Any, second) -> Any:
        if first is None:
            return response
        msg, verdict = first
        if verdict.ok:
            return _swap(response, msg, _mark(msg, ok=True, attempts=1))
        if second is not None and second[1].ok:
            retry.result = [m if m is not second[0] else _mark(m, ok=True, attempts=2, rejected=list(verdict.problems))
                            for m in retry.result]  # fmt: skip
            return retry
        text = answers.render("answers/question_mismatch.j2", problems=list(verdict.problems))
        replaced = AIMessage(
            content=text,
            additional_kwargs={
                "mmm": {"intent": "question_mismatch", "template": True},
                "question_check": {"ok": False, "replaced": True, "rejected": list(verdict.problems)},
                **{k: v for k, v in msg.additional_kwargs.items() if k == "grounding"},
            },
        )
        return _swap(response, msg, replaced)


__all__ = [
    "QuestionCheckMiddleware",
    "Verdict",
    "check_answer",
    "check_calls",
    "question_of",
    "turn_calls",
    "RETRY_NOTE",
]
