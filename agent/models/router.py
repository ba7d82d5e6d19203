"""Intent routing for the offline model: one English request → one intent with structured arguments.

Rules are ordered regular expressions (most specific first) — deterministic, inspectable, and tested on more
than a hundred phrasings in ``tests/test_router.py``, the question corpus (``tests/questions``) and paraphrase
probes written apart from both (``tests/test_router_paraphrases.py``). Rules name phrasing families, not
sentences: who gives and who gets in a money move is read from the words around each channel (``amounts``),
two periods set against each other are the measure asked about over both, and a channel named only to be left
out ("other than Search") is not what the question is about. Typos are tolerated by normalising common
misspellings before matching and by fuzzy channel matching in ``entities``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from agent.models import blended, entities, experiments, observed, out_of_scope, ranking, setup, spelling, when_days
from agent.models.classify import ABOUT_A_CONTROL, MORE_KPI, READING, breakdown, classify
from agent.models.cues import (
    AGAINST_REST,
    HEAD_TO_HEAD,
    PER_MONEY,
    roi_odds,
    two_measures,
)
from agent.models.exclusions import excluded
from agent.models.impossible import impossible_request
from agent.models.rules_amend import changes_a_control, names_a_control
from agent.models.rules_plan import (
    EXTRA_MONEY,
    IMPROVE,
    PLAN_WORD,
    TOTAL_BUDGET,
    budget_change,
    budget_cut,
    budget_raise,
    margin_given,
)
from agent.models.scope import Question, apply_scope, parse_question, refusal_args
from agent.models.several_moves import several_moves


@dataclass
class Route:
    intent: str
    args: dict[str, Any] = field(default_factory=dict)
    channels: list[str] = field(default_factory=list)
    note: str | None = None  # e.g. the unknown channel word, or what is ambiguous


def normalise(text: str) -> str:
    """Lower-cased, single-spaced, with misspelt intent words corrected (see ``agent.models.spelling``)."""
    return spelling.correct(" ".join(text.casefold().split()))


# A request to refit *with a change* ("refit without Price", "drop Price and refit") asks for an amendment: the
# tools cannot refit a spec other than the locked one, so it must not become a refit of the unchanged spec.
_REFIT = re.compile(r"\b(re-?fit\w*|re-?run|re-?estimate|fit|run)\b")
_CHANGE = re.compile(
    r"\b(without|excluding|minus|drop(ping)?|remov(e|ing)|exclud(e|ing)|add(ing)?|includ(e|ing)|no longer "
    r"(use|using)|with no)\s+(the\s+)?[a-z_]"
)


def route(
    text: str,
    channels: list[str] | None = None,
    names: list[str] | None = None,
    catalog: entities.Catalog | None = None,
) -> Route:
    """Classify ``text`` and extract its arguments; ``channels`` are the dataset's channel names, ``names`` the
    other names its data holds (variables, geographies, dataset names), masked too when they carry an intent.
    ``catalog``: the data's entities by kind and its period range (``memory.catalog``), for names other than
    channels and for time windows; without it only channels are resolved and relative periods use today."""
    known = list(channels or [])
    # Names from data are data: mask them before matching intent words, so a channel called
    # "Ignore previous instructions and lock" can never trigger the lock intent.
    low = normalise(mask_channels(text, known + intent_bearing(names or [])))
    found = entities.find_channels(text, known)
    q = parse_question(text, catalog, known)
    # "ROI of every channel other than Search": a channel named only to be left out is not what is asked about.
    spared = excluded(text, known)  # read once: the comprehensions below called it per channel
    kept = [c for c in found.found if c not in spared]
    intent = classify(low, len(kept), len(q.when.windows))
    if intent == "unknown" and entities.changes_spend(text) and entities.names_every_channel(text):
        intent = "scenario"  # "pause all media except Search", "stop everything but TV": a what-if on the others
    elif spared and (intent == "media_share" or intent == "unknown" and _SHOW.search(low)):
        # "excluding TV, how much did media contribute?", "show me all channels but Search": the table without them
        # ("keep all but Email" while setting up a model is a reply to the setup, not a question)
        intent = "contribution" if intent == "media_share" else "roi"
    if intent not in READING:
        kept = found.found
        intent = classify(low, len(kept), len(q.when.windows))
    if intent == "roi" and len(kept) == 1 and AGAINST_REST.search(low) and HEAD_TO_HEAD.search(low):
        kept = []  # one channel against the rest: every channel's ROI, so the one asked about is seen among them
    if intent in ("fit", "unknown") and _REFIT.search(low) and _CHANGE.search(low):
        intent = "amend"
    # "contribution for the holiday season 2022": a control's name inside a period names the period
    untimed = re.sub("|".join(re.escape(p) for p in q.when.phrases) or r"(?!)", " ", text, flags=re.I)
    if intent in _MAY_BE_AMEND and catalog and changes_a_control(low, catalog.controls):
        intent = "amend"  # "let's take Holiday out", "kill the price control": only an amendment changes controls
    elif not kept and catalog and intent in ABOUT_A_CONTROL and names_a_control(untimed, catalog.controls, low):
        intent = "controls"  # "how much does Price affect sales?": each control's effect, not sales over time
    if intent == "compare" and len(kept) == 2 and MORE_KPI.search(low) and not PER_MONEY.search(low):
        intent = "contribution"  # "which drove more sales, Social or Search?": their contributions, side by side
    mediators = [m for m in q.names("metric") if catalog and catalog.metrics and m != catalog.metrics[0]]
    if kept and mediators and intent in ("contribution", "controls", "roi", "unknown"):
        intent = "mediation"  # "what's the effect of TV on Awareness?": the path through the mediator, not sales
    elif mediators and intent == "unknown":
        intent = "kpi_by"  # "show awareness by week": the mediator observed, like the KPI
    if catalog and catalog.metrics:  # "what was our best month for sales?": a month, never the best channel
        intent = observed.intent_of(low, intent, len(kept))
    if intent in _BLENDED_FROM and not spared and blended.asks_blended(low, len(kept)):
        # "what's our blended ROI?": all media together; over a sub-period, the per-channel table of that period
        intent = "roi" if q.when.windows else "blended_roi"
    elif intent in _ONE_TABLE_FROM and not kept[2:] and two_measures(low):
        intent = "roi"  # "TV's ROI and its contribution", "spend vs contribution by channel": the ROI table has all
    if intent == "uncertainty" and len(kept) >= 2 and HEAD_TO_HEAD.search(low):
        intent = "compare"  # "how confident are you that Search beats Social?": how sure the order is
    outside = out_of_scope.outside_data(normalise(text), catalog, intent)
    if outside:  # "what will our competitor spend?": nothing in the data answers it, so no number is given
        kind = "guarantee" if out_of_scope.GUARANTEE.match(outside) else "scope"
        return Route("not_in_data", refusal_args(q, [outside], kind), note=outside)
    gap = out_of_scope.LEFT_OUT_WEEKS.search(low) if intent in READING | {"kpi_by", "uncertainty"} else None
    if gap:  # "ROI excluding the holiday period": a window with holes is not computed (never silently all weeks)
        return Route("not_in_data", refusal_args(q, [gap.group(0)], "gaps"), note=gap.group(0))
    if intent not in _VERBATIM and (doubt := when_days.ambiguous_numeric(text.casefold())):
        day, readings = doubt  # "3/4/2022": 3 April or 4 March? asked, never guessed
        return Route("clarify_date", {"date": day, "readings": readings}, note=day)
    if intent in _MAY_BE_IMPOSSIBLE and (why := impossible_request(low, bool(found.found))):
        return Route("impossible", {"reason": why}, channels=kept)  # "put 150% of the budget into Search"
    r = Route(intent=intent, channels=kept, note="refit" if intent == "amend" and _REFIT.search(low) else None)
    if found.ambiguous and not found.found and intent in ("roi", "compare", "contribution", "curve"):
        word, cands = next(iter(found.ambiguous.items()))
        return Route("clarify", {"word": word, "candidates": cands}, note=word)
    # The argument parsers read the words as typed, with misspelt request words corrected (never names, and
    # never text stored verbatim: reasons, SQL, setup answers).
    typed = text if intent in _VERBATIM else spelling.fix_text(text, known + list(names or []))
    _fill(r, typed, low, known, catalog, q if typed == text else None)
    left_out = [c for c in found.found if c not in kept and c in spared]
    if r.intent == "rank" and left_out:  # the answer ranks the others and lists these apart
        r.args["exclude"] = left_out
    elif r.intent in ("roi", "contribution", "spend_by") and left_out:
        # "ROI of everything except TV": the table of the others; "Search but not Social": Search's; either way the
        # answer says what was left out
        r.args["exclude"] = left_out
    if r.intent == "setup":  # "set up a model with media TV, Search and controls Price": declared roles
        options = known + list(catalog.controls if catalog else ()) + list(names or [])
        r.args |= setup.parse_roles(text, list(dict.fromkeys(options)))
    return r


# A request to see results ("show me all channels but Search"), not a reply to a setup step or a what-if.
_SHOW = re.compile(r"\b(show|list|give|display|what|which|how|roi|returns?|table)\b")
# Requests that can ask for more than the whole budget or a budget below zero (``impossible_request``).
_MAY_BE_IMPOSSIBLE = {"scenario", "clarify_scenario", "optimize", "spend_by", "unknown", "roi", "clarify_budget"}
_VERBATIM = {"lock", "amend", "sql", "setup", "fit"}
# Intents a question about all media's return lands in by its words ("total", "ROI", "media").
_BLENDED_FROM = {"roi", "rank", "long_term", "contribution", "unknown", "media_share", "compare", "spend_by"}
# Intents whose one measure leaves out the other a question asks for ("TV's ROI and its contribution").
_ONE_TABLE_FROM = {"contribution", "spend_by", "compare", "clarify_compare"}
# A plan asked for in words ("we're planning Q3; how should we allocate?"), and money on top of today's.
_PLAN_WORD = re.compile(r"\b(allocat\w*|plan\w*|split\w*|divid\w*|distribut\w*|optimi[sz]\w*|mix)\b")
_EXTRA_MONEY = re.compile(
    r"\b(extra|additional|incremental|another|more|new) (money|budget|cash|funds|spend|dollars)\b"
)


# Intents a sentence about removing or adding a control is mistaken for ("what if we took Price out of the model?"
# reads as a what-if, "drop the Promo variable" as a question about the data, "build it again without Price" as
# setup). Questions about results ("ROI without Price") are not among them.
_MAY_BE_AMEND = {"unknown", "scenario", "clarify_scenario", "describe", "setup", "fit"}


def asks_for_change(text: str, names: list[str] | None = None) -> bool:
    """Whether ``text`` (data names masked) asks for a change to the model ("without Price", "drop Search")."""
    return bool(_CHANGE.search(normalise(mask_channels(text, intent_bearing(names or [])))))


def action_from_data(text: str, names: list[str]) -> bool:
    """Whether ``text`` reads as a lock, fit or amend request only because of a name from the data in it."""
    actions = ("lock", "fit", "amend")
    return route(text).intent in actions and route(text, names=names).intent not in actions


def intent_bearing(names: list[str]) -> list[str]:
    """The names that would steer routing if read as words: several words, or one word that is itself a request
    ("Lock", "Refit the model now"). Plain names (Sales, Price) stay readable: "Sales by week" must keep working."""
    # A bare KPI name ("Sales") is read as a question about the KPI only by the no-rule fallback: not a request.
    return [n for n in names if n and (len(n.split()) > 1 or classify(normalise(n), 0) not in ("unknown", "kpi_by"))]


def mask_channels(text: str, known: list[str]) -> str:
    for name in sorted(known, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " chan ", text, flags=re.IGNORECASE)
    return text


def _fill(
    r: Route, text: str, low: str, known: list[str], catalog: entities.Catalog | None = None, q: Question | None = None
) -> None:
    """Intent-specific arguments, then the question's scope (windows, geographies, grain — or a refusal when it
    names something the data does not have, see ``agent.models.scope``). ``q``: the question already read."""
    if r.intent in experiments.INTENTS:  # their own reader: a test's window and cell are not a question's scope
        experiments.fill(r, text, known, catalog)
        return
    q = q or parse_question(text, catalog, known)
    # Time phrases are windows, not breakdowns: "what did Print contribute last year" is not "by year".
    for phrase in q.when.phrases:
        low = low.replace(phrase.casefold(), " ")
    _fill_intent(r, text, low, known, q)
    apply_scope(r, q, text)
    if r.intent == "controls" and q.when.windows:  # "how did the promo do in 2022?": effects span every period
        r.args["over"] = [w.label for w in q.when.windows]
    if r.intent in observed.INTENTS:  # the SELECT, over the window the scope set
        observed.finish(r, q.catalog.frequency)
    elif r.intent == "blended_roi":
        r.args = {"sql": blended.SQL}


def _moves(text: str, known: list[str]) -> list[dict]:
    """The what-if's moves; a channel named only to be spared ("pause all media except Search") is not moved."""
    spared = excluded(text, known)
    names = [k for k in known if k not in spared] if spared else known
    return several_moves(text, names) or entities.parse_moves(text, names)


def _what_if(r: Route, text: str, known: list[str], moves: list[dict]) -> None:
    """A what-if's arguments; refused before any number is computed when it cannot be simulated as stated (with
    what would make it possible), a question back when no change was read."""
    r.intent, r.args = "scenario", {"moves": moves, "periods": entities.window_periods(text) or 13}
    if reason := entities.impossible_move(text, moves, known):
        r.intent, r.args = "impossible", {"reason": reason}
    elif not moves:
        r.intent = "clarify_scenario"


def _fill_intent(r: Route, text: str, low: str, known: list[str], q: Question) -> None:
    """Intent-specific arguments (and the downgrade of impossible requests to a clarification); ``q``: the question
    read — its names the data does not have (``q.unknown``, see ``agent.models.scope``) and its time windows."""
    unknown, q_windows = q.unknown, bool(q.when.windows)
    if r.intent == "contribution" and not r.channels and known and unknown:
        r.intent, r.note = "unknown_channel", unknown[0]
        return
    if r.intent == "sql":
        m = re.search(r"((?:select|with)\s.+)$", text, re.IGNORECASE | re.DOTALL)
        r.args = {"sql": m.group(1).strip().rstrip(";")} if m else {}
        if not m:
            r.intent = "clarify_sql"
    elif r.intent == "roi" and len(r.channels) == 1 and (odds := roi_odds(low)):
        # "what is the probability TV's ROI is above 1?": the share of posterior draws past the threshold
        above, threshold = odds
        quoted = r.channels[0].replace("'", "''")  # a dataset's channel name, as an SQL string literal
        r.intent = "roi_probability"
        r.args = {"channel": r.channels[0], "threshold": threshold, "above": above}
        r.args["sql"] = (
            f"SELECT channel, avg(CASE WHEN roi {'>' if above else '<'} {threshold:g} THEN 1.0 ELSE 0.0 END) AS "
            f"share_of_draws, count(*) AS draws FROM roi_draws WHERE channel = '{quoted}' GROUP BY channel"
        )
    elif r.intent == "payback" and (margin := margin_given(low)) is not None:
        r.args = {"margin": margin}  # "is Social profitable at a 30% margin?": break-even at one over the margin
    elif r.intent == "headroom" and r.channels[1:]:
        r.args = {"only": list(r.channels)}  # "TV vs Radio saturation": the two channels' rows
    elif r.intent == "headroom" and re.search(r"\b(what is|what's|what does|explain|define|meaning)\b", low):
        # "what is saturation?", "what does marginal ROI mean?": the answer says what it is before this fit's figures
        r.args = {"ask": "marginal" if re.search(r"\bmarginal\b|\bmroi\b", low) else "concept"}
    elif r.intent in observed.INTENTS:  # spend, else the metric named, else the dataset's first KPI candidate
        r.args = observed.args_of(r.intent, low, r.channels, q.names("metric"), list(q.catalog.metrics))
    elif r.intent == "long_term":
        r.args = {"channel": r.channels[0]} if len(r.channels) == 1 else {}
    elif r.intent in ("roi", "curve"):
        if r.channels[1:] and r.intent == "roi":
            # "the return on print and social": the table of those (one channel would drop one; answers.py keeps
            # the rows named)
            r.args = {"only": list(r.channels)}
        elif r.channels:
            r.args = {"channel": r.channels[0]}
        elif known and (r.intent == "curve" or unknown):
            r.intent, r.note = "unknown_channel", (unknown or [None])[0]
    elif r.intent == "compare":
        if len(r.channels) >= 3:  # "compare TV with Radio and Search": the ROI table of the three
            r.intent, r.args = "roi", {"only": list(r.channels)}
        elif len(r.channels) == 2:
            r.args = {"a": r.channels[0], "b": r.channels[1]}
        else:
            r.intent = "clarify_compare"
            r.args = {"given": r.channels}
    elif r.intent == "rank":
        r.args = {"order": ranking.order(low)}
    elif r.intent == "contribution":
        r.args = {"by": breakdown(low)}
        if len(r.channels) == 1:  # two or more: the table by channel, cut to those (answers.py)
            r.args["channel"] = r.channels[0]
        elif r.channels[1:] and r.args["by"] == "channel":
            r.args["only"] = list(r.channels)
    elif r.intent == "spend_by":
        r.args = {"by": breakdown(low)}
        if r.channels:
            r.args["channels"] = r.channels
    elif r.intent == "kpi_by":
        by = breakdown(low)
        r.args = {"by": "period" if by == "channel" else by}
        if (named := q.names("metric")) and named[0] != q.catalog.metrics[0]:
            r.args["kpi"] = named[0]  # "awareness by month": that series, not the KPI
    elif r.intent == "optimize":
        req = entities.parse_budget(text, known)
        r.args = req.as_args()
        change = budget_change(low) if req.budget is None and not r.channels else None
        cut = budget_cut(low) if not r.channels and not req.incremental else None
        raised = budget_raise(low) if not r.channels else None
        if change is not None:  # "+10% budget": today's spend over the window, scaled (the planner reads it)
            r.args.pop("budget", None)
            r.args.pop("incremental", None)  # "an extra 20%": of today's total, not 20% of nothing on top
            r.args["budget_change"], r.note = change, "budget change"
        elif cut and (amount := entities.parse_amount(cut)):  # "cut 200k": today's spend over the window, less it
            r.args.pop("budget", None)
            r.args["budget_delta"], r.note = -amount, "budget change"
        elif raised and (amount := entities.parse_amount(raised)):  # "increase the budget by 200k": plus it
            r.args.pop("budget", None)
            r.args.pop("incremental", None)
            r.args["budget_delta"], r.note = amount, "budget change"
        elif req.budget is None and q_windows and not (IMPROVE.search(low) or PLAN_WORD.search(low)):
            # "TV budget for 2023": money already spent in the data, not a plan
            r.intent, r.args = "spend_by", {"by": "channel"} | ({"channels": r.channels} if r.channels else {})
        elif req.budget is None and not EXTRA_MONEY.search(low):
            del r.args["budget"]  # no amount: the tool plans today's total over the window
            r.note = "current budget"
        elif req.budget is None:
            r.intent = "clarify_budget"  # "where should extra money go?": how much extra is not said
        if (margin := margin_given(low)) is not None and r.intent == "optimize":
            r.args["margin"] = margin  # "at a 40% margin": profit per unit of KPI, for the plan's money
        if r.intent == "optimize" and TOTAL_BUDGET.search(low):
            r.args["ask"] = "total_budget"  # for the answer only (the planner keeps it from the tool)
    elif r.intent == "scenario":
        _what_if(r, text, known, _moves(text, known))
    elif r.intent == "fit":
        r.args = {"quick": bool(re.search(r"\b(quick\w*|fast|rough|approx\w*|map|laplace|draft fit)\b", low))}
        m = re.search(r"\bspec_[0-9a-f]+\b", text)
        if m:
            r.args["spec_id"] = m.group()
    elif r.intent in ("lock", "amend"):
        # "as" gives a reason only before a clause ("as the feed stopped"), not a role ("remove Price as a control")
        m = re.search(
            r"\b(?:because|since|as(?=\s+(?:it|we|they|the|this|that|there|our|i|its)\b)|reason:?|rationale:?)\s+(.+)$",
            text,
            re.IGNORECASE,
        )
        r.args = {"reason": m.group(1).strip()} if m else {}
    elif r.intent == "setup":
        m = re.search(r"\b(?:kpi|explain|predict|target)\s+(?:is\s+|=\s*)?([A-Za-z_]\w*)", text, re.IGNORECASE)
        r.args = {"kpi": m.group(1)} if m and m.group(1).casefold() not in ("the", "a", "our") else {}
    elif r.intent == "unknown" and r.channels:
        # A change to a channel's spend that no rule claimed ("pause Social for a quarter") is a what-if; a bare
        # channel name ("and Social?") most often asks for its ROI.
        moves = _moves(text, known) if entities.changes_spend(text) else []
        if moves:  # "reduce Social by a hundred and twenty percent": a what-if (here refused)
            _what_if(r, text, known, moves)
        else:  # "how are Print and Social doing?": the table names both
            r.intent, r.args = "roi", {"channel": r.channels[0]} if len(r.channels) == 1 else {}
