"""From the user's words to the offline model's next move: tool calls, or a direct answer (help, questions)."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from agent.models import answers, memory, setup
from agent.models.router import Route, route

# Intents whose answer depends on the dataset's channel names (fetched once per session if unknown).
_NEEDS_CHANNELS = {
    "roi",
    "rank",
    "compare",
    "contribution",
    "spend_by",
    "optimize",
    "scenario",
    "curve",
    "unknown",
    "unknown_channel",
    "clarify_compare",
    "clarify_budget",
    "clarify_scenario",
    "amend",
}
_OPTIONAL_TOOLS = {
    "optimize": ("optimize_budget", "Budget optimization"),
    "scenario": ("scenario", "What-if scenarios"),
    "report": ("report", "The narrative report"),
    "mediation": ("mediation", "Mediation analysis"),
}


def _call(messages: list[BaseMessage], name: str, args: dict[str, Any], meta: dict[str, Any]) -> AIMessage:
    call_id = f"call_{len(messages)}_{name}"
    return AIMessage(
        content="",
        tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}],
        additional_kwargs={"mmm": meta},
    )


def _say(text: str, **meta: Any) -> AIMessage:
    return AIMessage(content=text, additional_kwargs={"mmm": {"template": True, **meta}})


def plan(messages: list[BaseMessage], tools: list[str], context_done: bool) -> AIMessage:
    h = memory.last_human(messages)
    text = memory.text_of(messages[h])
    known = memory.known_channels(messages)
    wizard = _wizard_move(messages, text, tools)
    if wizard is not None:
        return wizard
    r = route(text, known)
    if r.intent == "amend" and not r.args.get("reason"):
        return _amend(messages, text, r, known)  # ask for the mandatory reason before anything else
    if r.intent in _NEEDS_CHANNELS and not known and not context_done and "describe_dataset" in tools:
        return _call(messages, "describe_dataset", {}, {"phase": "context", "intent": r.intent})
    if (
        r.intent == "fit"
        and not r.args.get("spec_id")
        and not memory.latest_spec_id(messages)
        and not memory.latest_draft(messages)
        and not context_done
        and "ledger" in tools
    ):
        return _call(messages, "ledger", {}, {"phase": "context", "intent": "fit"})
    return _act(messages, tools, r, text, known)


def _act(messages: list[BaseMessage], tools: list[str], r: Route, text: str, known: list[str]) -> AIMessage:
    meta = {"intent": r.intent, "args": r.args, "phase": "answer"}
    simple = {
        "roi": "roi",
        "rank": "roi",
        "compare": "compare_channels",
        "contribution": "contributions",
        "spend_by": "spend_by",
        "kpi_by": "kpi_by",
        "health": "model_health",
        "ledger": "ledger",
        "list_datasets": "list_datasets",
        "describe": "describe_dataset",
        "sql": "run_sql",
        "fit_status": "fit_status",
        "curve": "response_curve",
    }
    if r.intent in _OPTIONAL_TOOLS:
        name, label = _OPTIONAL_TOOLS[r.intent]
        if name not in tools:
            return _say(
                answers.render(
                    "answers/not_available.j2", what=label, hint="I understood the request as " + _describe_args(r.args)
                ),
                intent=r.intent,
                parsed=r.args,
            )
        args = dict(r.args) if r.intent not in ("report", "mediation") else {}
        return _call(messages, name, args, meta)
    if r.intent == "rank":
        return _call(messages, "roi", {}, meta)
    if r.intent in simple:
        args = dict(r.args)
        if r.intent == "contribution":
            meta["channel"] = args.get("channel")
        return _call(messages, simple[r.intent], args, meta)
    if r.intent == "help":
        return _say(answers.help_text(tools), intent="help")
    if r.intent == "setup":
        return _call(messages, "draft_spec", dict(r.args), {**meta, "setup_step": "kpi"})
    if r.intent == "lock":
        return _lock(messages, text, r)
    if r.intent == "amend":
        return _amend(messages, text, r, known)
    if r.intent == "fit":
        spec_id = r.args.get("spec_id") or memory.latest_spec_id(messages)
        if not spec_id:
            draft = memory.latest_draft(messages)
            if not draft:
                return _say(
                    'There is no spec to fit yet. Say "set up a model" to draft one, then lock it.', intent="fit"
                )
            spec_id = draft["draft_id"]  # the locked-spec guard refuses it and explains why
        return _call(messages, "fit_model", {"spec_id": spec_id, "quick": r.args.get("quick", False)}, meta)
    return _clarify(r, known)


def _clarify(r: Route, known: list[str]) -> AIMessage:
    if r.intent == "unknown_channel":
        return _say(answers.render("answers/unknown_channel.j2", word=r.note, known=known), intent=r.intent)
    questions = {
        "clarify": f'Which channel do you mean by "{r.args.get("word")}": {" or ".join(r.args.get("candidates", []))}?',
        "clarify_compare": "Which two channels should I compare? Known channels: " + ", ".join(known) + ".",
        "clarify_budget": 'What total budget should I allocate (e.g. "$2M over the next quarter")?',
        "clarify_scenario": 'Which change should I simulate (e.g. "move 20% of '
        + (known[0] if known else "TV")
        + " to "
        + (known[-1] if known else "Search")
        + '")?',
        "clarify_sql": "Please write the query as one SELECT over the views mff, variables or wide.",
    }
    if r.intent in questions:
        return _say(answers.render("answers/clarify.j2", question=questions[r.intent]), intent=r.intent)
    return _say(answers.render("answers/unknown.j2", example=known[0] if known else "Search"), intent="unknown")


def _lock(messages: list[BaseMessage], text: str, r: Route) -> AIMessage:
    draft = memory.latest_draft(messages)
    if not draft:
        return _say('There is no draft to lock in this conversation. Say "set up a model" first.', intent="lock")
    rationale = r.args.get("reason") or f'Locked in chat at the user\'s request: "{text.strip()}"'
    return _call(
        messages,
        "lock_spec",
        {"draft_id": draft["draft_id"], "rationale": rationale},
        {"intent": "lock", "phase": "answer"},
    )


_CONTROL_WORDS = re.compile(r"\b(add|include|drop|remove|exclude)\s+(?:the\s+)?([A-Za-z_]\w*)", re.IGNORECASE)


def _amend(messages: list[BaseMessage], text: str, r: Route, known: list[str]) -> AIMessage:
    spec_id = memory.latest_spec_id(messages)
    if not spec_id:
        return _say("Which locked spec should I amend? Lock one first, or name its spec_… id.", intent="amend")
    if not r.args.get("reason"):
        return _say(
            "An amendment needs a reason, and it will be disclosed with every later result. Say "
            '"amend the spec to … because …".',
            intent="amend",
        )
    current = memory.latest(messages, "show_spec", "lock_spec", "amend_spec") or {}
    changes: dict[str, Any] = {}
    head = re.split(r"\bbecause\b|\bsince\b|\breason\b", text, flags=re.IGNORECASE)[0]
    controls = list(current.get("controls") or [])
    for verb, name in _CONTROL_WORDS.findall(head):
        if name.casefold() in {c.casefold() for c in known}:
            chans = [c for c in (current.get("channels") or known) if c.casefold() != name.casefold()]
            changes["channels"] = chans
        elif verb.lower() in ("add", "include"):
            changes["controls"] = sorted(set(controls) | {name})
        else:
            changes["controls"] = [c for c in controls if c.casefold() != name.casefold()]
    m = re.search(r"seasonality (?:order )?(?:to )?(\d+)|(\d+)\s*fourier", head, re.IGNORECASE)
    if m:
        changes["seasonality_order"] = int(m.group(1) or m.group(2))
    m = re.search(r"hold ?out (?:the last )?(\d+)", head, re.IGNORECASE)
    if m:
        changes["holdout_periods"] = int(m.group(1))
    return _call(
        messages,
        "amend_spec",
        {"spec_id": spec_id, "reason": r.args["reason"], **changes},
        {"intent": "amend", "phase": "answer"},
    )


def _wizard_move(messages: list[BaseMessage], text: str, tools: list[str]) -> AIMessage | None:
    """If the previous answer asked a setup question and this reply answers it, continue the wizard."""
    prev = memory.meta(memory.previous_answer(messages))
    step = prev.get("setup_step")
    draft = memory.latest_draft(messages)
    if not step or not draft:
        return None
    if step == "confirm":
        if setup.confirm_is_lock(text):
            return _lock(messages, text, route(text, []))
        return None
    changes = setup.parse_reply(step, text, draft)
    if changes is None:
        r = route(text, memory.known_channels(messages))
        if r.intent not in ("unknown", "roi", "help"):
            return None  # a different request: leave the wizard
        return _say(
            answers.render("answers/setup_retry.j2", step=step, hint=setup.HINTS.get(step, "")),
            setup_step=step,
            draft_id=draft["draft_id"],
        )
    nxt = setup.next_step(step, draft)
    return _call(
        messages,
        "edit_spec",
        {"draft_id": draft["draft_id"], **changes},
        {"intent": "setup", "phase": "answer", "setup_step": nxt},
    )


def _describe_args(args: dict[str, Any]) -> str:
    """The parsed request in words without restating numbers (they are in the JSON as `parsed`)."""
    parts = [
        k
        if not isinstance(v, (dict, list))
        else f"{k} on {', '.join(map(str, v if isinstance(v, list) else v.keys()))}"
        for k, v in args.items()
        if v not in (None, [], {})
    ]
    return ", ".join(parts) or "no arguments"
