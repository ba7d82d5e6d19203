"""From the user's words to the offline model's next move: tool calls, or a direct answer (help, questions)."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage

from agent.models import answers, budget_base, changes, experiments, memory, setup
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
    "adstock",
    "uncertainty",
    "payback",
    "headroom",
    "long_term",
    "record_lift_test",
}
_OPTIONAL_TOOLS = {
    "optimize": ("optimize_budget", "Budget optimization"),
    "scenario": ("scenario", "What-if scenarios"),
    "report": ("report", "The narrative report"),
    "mediation": ("mediation", "Mediation analysis"),
}

# Intents answered by one SELECT the router wrote (over the data or the fit's draws).
_SQL_INTENTS = ("roi_probability", "peak_period", "series_stats", "blended_roi")


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
    catalog = memory.catalog(messages)
    # The guard's catalog names the channels from the first turn on, so a question that sets two channels against
    # each other routes as a comparison even before describe_dataset has run in this conversation.
    names = known or list(catalog.channels if catalog else [])
    r = route(memory.question(messages), names, memory.data_names(messages), catalog=catalog)
    if r.intent == "amend":
        return _amend(messages, text, r, context_done)
    asks_back = r.intent.startswith("clarify") and bool(names)  # the catalog's channels suffice to ask back
    if r.intent in _NEEDS_CHANNELS and not known and not asks_back and not context_done and "describe_dataset" in tools:
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
    return _act(messages, tools, r, text, known or names)


# A question whose subject is the geographies ("which region has the best ROI?", "ROI by market").
_GEO_SUBJECT = re.compile(
    r"\b(which|what|each|every|by|per|across|between|the best|the worst|top|compare|comparing)\s+(regions?|geos?|"
    r"geograph\w*|markets?|states?|countries|country|cities|city|areas?|dmas?|territor\w*)\b",
    re.IGNORECASE,
)


def _act(messages: list[BaseMessage], tools: list[str], r: Route, text: str, known: list[str]) -> AIMessage:
    meta = {"intent": r.intent, "args": r.args, "phase": "answer"}
    catalog = memory.catalog(messages)
    if catalog is not None and not catalog.geographies and _GEO_SUBJECT.search(text):
        meta["national_only"] = True  # the answer says there are no geographies before giving the national one
    if catalog is not None:  # "TV's ROI on Sales_B": a fit of several outcomes leads with the one named
        names = (*catalog.metrics, *catalog.products)
        named = [n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.IGNORECASE)]
        if named:
            meta["outcomes_named"] = named
    if r.intent == "roi" and r.args.get("geos") and r.note in ("best", "worst"):
        meta["geo_order"] = r.note  # "which region has the best ROI?": the answer names that region
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
        **dict.fromkeys(_SQL_INTENTS, "run_sql"),
        "long_term": "long_term",
        "controls": "control_selection",
        "cross_effects": "cross_effects",
        "outcome_effects": "outcome_effects",
        "fit_status": "fit_status",
        "curve": "response_curve",
        "record_lift_test": "record_lift_test",
        "suggest_test": "suggest_experiment",
        "show_spec": "show_spec",
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
        if "budget_change" in r.args or "budget_delta" in r.args:  # "+10% budget", "cut 200k": today's spend first
            step = budget_base.next_step(messages, r.args)
            if step is None:
                return _clarify(Route("clarify_budget", r.args), known)
            tool, args, said = step  # the answer says what the amount was scaled from
            phase = {"phase": "context"} if tool == "spend_by" else {}
            return _call(messages, tool, args, meta | {"args": args | said} | phase)
        # "ask" says what the question is about, "over" the periods asked of a whole-data answer (the answer reads
        # them from meta), not tool arguments
        whole = r.intent in ("report", "mediation")
        args = {} if whole else {k: v for k, v in r.args.items() if k not in ("ask", "over")}
        return _call(messages, name, args, meta)
    if r.intent == "rank":  # the roi table, over the period and geographies asked (the order is the answer's)
        return _call(messages, "roi", {k: v for k, v in r.args.items() if k in ("windows", "geos")}, meta)
    if r.intent in _EXPLAIN:
        return _explain(messages, tools, r, meta)
    if r.intent in simple:
        args = {k: v for k, v in r.args.items() if k not in ("exclude", "only", "over")}  # the answer's (answers.py)
        if r.intent in (
            "roi_probability",
            "peak_period",
            "series_stats",
            "blended_roi",
        ):  # the SQL is the call; the rest: answer
            args = {"sql": r.args["sql"]}
        if r.intent == "contribution":
            meta["channel"] = args.get("channel")
        if r.intent == "show_spec":  # the conversation's spec, else the tool's (the dataset's latest locked one)
            spec_id = memory.latest_spec_id(messages)
            args = {"spec_or_draft_id": spec_id} if spec_id else {}
        if r.intent == "outcome_effects" and r.channels:  # "which outcome does TV lift most?": TV's row
            args["channel"] = r.channels[0]
        return _call(messages, simple[r.intent], args, meta)
    if r.intent == "help":
        return _say(answers.help_text(tools), intent="help")
    if r.intent == "setup":
        return _call(messages, "draft_spec", dict(r.args), {**meta, "setup_step": "kpi"})
    if r.intent == "lock":
        return _lock(messages, text, r)
    if r.intent == "fit":
        spec_id = r.args.get("spec_id") or memory.latest_spec_id(messages)
        if spec_id and _bare_refit(text):
            return _say(answers.render("answers/refit_unchanged.j2", spec_id=spec_id), intent="fit")
        if not spec_id:
            draft = memory.latest_draft(messages)
            if not draft:
                return _say(
                    'There is no spec to fit yet. Say "set up a model" to draft one, then lock it.', intent="fit"
                )
            spec_id = draft["draft_id"]  # the locked-spec guard refuses it and explains why
        return _call(messages, "fit_model", {"spec_id": spec_id, "quick": r.args.get("quick", False)}, meta)
    return _clarify(r, known)


# Questions about the analysis answered by one tool each: intent → (tool, whether it takes the channel named).
_EXPLAIN = {
    "disclosure": ("ledger", False),
    "adstock": ("carryover", True),
    "uncertainty": ("roi", True),
    "payback": ("roi", True),
    "headroom": ("roi", False),
    "media_share": ("media_share", False),
}


def _explain(messages: list[BaseMessage], tools: list[str], r: Route, meta: dict[str, Any]) -> AIMessage:
    """Explanations and disclosure read from the ledger and the fit (the template is chosen by the intent)."""
    name, per_channel = _EXPLAIN[r.intent]
    if name not in tools:
        return _say(answers.render("answers/not_available.j2", what=name, hint=""), intent=r.intent)
    args = {"channel": r.channels[0]} if per_channel and len(r.channels) == 1 else {}  # two: every channel's
    if name == "roi" and r.args.get("windows"):  # "which channels didn't pay back in 2022?": over 2022
        args["windows"] = r.args["windows"]
    elif name == "roi" and r.args.get("margin"):  # "profitable at a 30% margin?": judged against 1 / margin
        args["margin"] = r.args["margin"]
    return _call(messages, name, args, meta | {"channel": args.get("channel")})


def _clarify(r: Route, known: list[str]) -> AIMessage:
    if r.intent == "not_in_data":  # a name or period the data does not have (agent.models.scope)
        return _say(answers.render("answers/not_in_data.j2", **r.args), intent=r.intent, refused_scope=True)
    if r.intent == "impossible":  # a what-if that cannot be simulated as stated (agent.models.amounts)
        return _say(answers.render("answers/impossible.j2", **r.args), intent=r.intent)
    if r.intent == "unknown_channel":
        return _say(answers.render("answers/unknown_channel.j2", word=r.note, known=known), intent=r.intent)
    questions = {
        "clarify": f'Which channel do you mean by "{r.args.get("word")}": {" or ".join(r.args.get("candidates", []))}?',
        "clarify_compare": "Which two channels should I compare? Known channels: " + ", ".join(known) + ".",
        "clarify_budget": "What total budget should I allocate? Give an amount and, if you like, the weeks it covers.",
        "clarify_scenario": 'Which change should I simulate (e.g. "move a fifth of '
        + (known[0] if known else "TV")
        + " to "
        + (known[-1] if known else "Search")
        + '")?',
        "clarify_sql": "Please write the query as one SELECT over the views mff, variables or wide.",
        "clarify_date": f'Which date do you mean by "{r.args.get("date")}": '
        + " or ".join(r.args.get("readings") or [])
        + "? Day and month can be read either way; writing the month as a word settles it.",
        "clarify_lift_test": experiments.clarify_question(r.args),
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


_REFIT_WORDS = re.compile(r"\b(re-?fit\w*|fit (it |the model |the spec )?again|re-?run)\b", re.IGNORECASE)


def _bare_refit(text: str) -> bool:
    """ "refit" / "fit it again" naming no change and no mode: the spec is unchanged, so say what a refit would do."""
    low = text.casefold()
    return bool(_REFIT_WORDS.search(low)) and not re.search(r"\b(quick\w*|full\w*|nuts|spec_[0-9a-f]+)\b", low)


def _amend(messages: list[BaseMessage], text: str, r: Route, context_done: bool) -> AIMessage:
    """An amendment that changes exactly what the request names, checked against the locked spec. Without a
    reason it stays a proposal: what would change (names checked against the data), and how to approve it."""
    if not r.args.get("reason"):
        return _propose(messages, text, r)
    spec_id = memory.latest_spec_id(messages)
    current = memory.current_spec(messages, spec_id)
    if current is None and not context_done:  # load the spec from the ledger before touching it
        return _call(messages, "show_spec", {"spec_or_draft_id": spec_id} if spec_id else {}, {"phase": "context"})
    if current is None or current.get("status") != "locked":
        return _say(
            "There is no locked spec to amend in this dataset, so nothing was changed. Lock one first (say "
            '"set up a model", then "lock it because …"), or name its spec_… id.',
            intent="amend",
        )
    named = changes.named_changes(text, current)
    if isinstance(named, str):
        return _say(named, intent="amend")
    return _call(
        messages,
        "amend_spec",
        {"spec_id": current["spec_id"], "reason": r.args["reason"], **named},
        {"intent": "amend", "phase": "answer"},
    )


def _propose(messages: list[BaseMessage], text: str, r: Route) -> AIMessage:
    """The amendment a reason-less request describes ("change the model to drop Price"), as a proposal."""
    spec_id = memory.latest_spec_id(messages)
    current = memory.current_spec(messages, spec_id)
    catalog = memory.catalog(messages)
    have = current or (
        {"spec_id": spec_id, "channels": list(catalog.channels), "controls": list(catalog.controls)}
        if catalog
        else None
    )
    named = changes.named_changes(text, have) if have else {}
    if isinstance(named, str):  # a named variable the data or spec does not have: nothing is proposed
        return _say(named, intent="amend")
    return _say(
        answers.render(
            "answers/amend_proposal.j2", refit=r.note == "refit", changes=setup.describe_changes(named), text=text
        ),
        intent="amend",
    )


def _wizard_move(messages: list[BaseMessage], text: str, tools: list[str]) -> AIMessage | None:
    """If the previous answer asked a setup question and this reply answers it, continue the wizard."""
    step, aside = _pending_setup(messages)
    draft = memory.latest_draft(messages)
    if not step or not draft:
        return None
    if aside and route(text, memory.known_channels(messages)).intent != "unknown":
        return None  # after an aside, only a plain reply ("ok", "Sales", "drop Promo") resumes the setup
    carry = _carryover_move(messages, text, step, draft)
    if carry is not None:
        return carry
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


# An aside ("what is adstock?") answered in the middle of setup does not end it: a plain reply within this many
# answers still answers the pending question. A lock (or any answer from another flow's tool) ends it.
_SETUP_LOOKBACK = 3


def _pending_setup(messages: list[BaseMessage]) -> tuple[str | None, bool]:
    """(the setup step awaiting a reply, whether asides were answered since it was asked)."""
    h = memory.last_human(messages)
    seen = 0
    for m in reversed(messages[:h]):
        if not isinstance(m, AIMessage) or m.tool_calls:
            continue
        step = memory.meta(m).get("setup_step")
        if step or memory.meta(m).get("intent") in ("lock", "setup", "fit", "amend") or seen >= _SETUP_LOOKBACK:
            return step, seen > 0
        seen += 1
    return None, False


def _carryover_move(messages: list[BaseMessage], text: str, step: str, draft: dict[str, Any]) -> AIMessage | None:
    """A free-text carry-over setting at any setup step ("TV can carry over 12 weeks"): set it on the draft,
    confirm what was set and ask the pending question again; or say plainly which part was not understood."""
    carry = setup.parse_carryover(text, draft)
    if isinstance(carry, str):
        return _say(
            answers.render("answers/setup_retry.j2", step=step, hint=carry, plain=True),
            setup_step=step,
            draft_id=draft["draft_id"],
        )
    if not carry:
        return None
    return _call(
        messages,
        "edit_spec",
        {"draft_id": draft["draft_id"], "carryover": carry},
        {"intent": "setup", "phase": "answer", "setup_step": step, "args": {"carryover": carry}},
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
