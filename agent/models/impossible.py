"""What-ifs that cannot be simulated as stated: money moved from a channel to itself, a cut of more than all of a
channel's spend (by a share or a multiple), spend below zero. The router refuses them, naming the channel, instead of
answering a smaller or different move."""

from __future__ import annotations

import re

from agent.models.amounts import MOVED_OBJECT, cue_at, mention_spans
from agent.models.names import find_channels

# A level of spend below zero ("TV spend were -50k", "spend to minus 10k").
_NEGATIVE_LEVEL = re.compile(
    r"\b(spend|spending|budget)\s+(to |at |of |be |were |was |is |went to |goes to |=\s?)?(-|minus |negative )\s?"
    r"[$€£]?\d|"
    # "what if we spent minus 50k on TV?", "invest -20k in Radio"
    r"\b(spent|spend|spends|invest\w*|put|allocat\w*)\s+(-|minus |negative )\s?[$€£]?\d|"
    # "what if Search went to negative 10k a week?", "set TV to -5k"
    r"\b(went|go|goes|going|fell|fall\w*|drop\w*|set|cut|reduc\w*|lower\w*|move\w*) to (-|minus |negative )\s?[$€£]?\d"
)


def impossible_move(text: str, moves: list[dict], known: list[str]) -> str | None:
    """Why the what-if asked cannot be simulated as stated (None when it can): money moved from a channel to
    itself, a cut of more than all of a channel's spend, a negative amount of spend. The scenario tool checks the
    rest against the data (moving more than a channel's spend)."""
    low = " ".join(text.casefold().split())
    for ch in find_channels(text, known).found:
        spans = mention_spans(low, ch)
        cues = {cue_at(low, span) for span in spans}
        # "shift TV into TV": the object of a move verb is the money's source
        moved = any(MOVED_OBJECT.search(low[max(0, a - 30) : a]) for a, _ in spans)
        if "dst" in cues and ("src" in cues or (moved and len(spans) > 1)):
            return f"money cannot move from {ch} to {ch} itself: name two different channels"
    for mv in moves:
        if mv.get("from") and float(mv.get("share") or 0) > 1:  # "shift 120% of Search to Social"
            return f"more than all of {mv['from']}'s spend cannot be moved: move at most all of it, or name an amount"
        change = mv.get("change")
        if change is not None and change < -1:
            # "increase Search by -150%": the figure as the user signed it (the answer quotes it, never re-signs it)
            signed = re.search(rf"-\s?{abs(change) * 100:g}\s?(%|percent)", low)
            what = f"a change of -{abs(change):.0%}" if signed else f"a cut of {abs(change):.0%}"
            return f"{what} cannot be applied to {mv['channel']}: a cut removes at most all of a channel's spend"
    many = re.search(
        r"\b(move|shift|transfer|take|put|reallocate|divert|send)\w*\b.{0,20}\b(twice|double|triple|(\d+(\.\d+)?|two|"
        r"three|four|ten) times)\b",
        low,
    )
    source = next((mv.get("from") for mv in moves if mv.get("from")), None)
    if many and source:  # "shift twice the Radio budget into TV": more than all of it
        return f"more than all of {source}'s spend cannot be moved: move at most all of it, or name an amount"
    if multiple := _cut_multiple(low):  # "cut Print by 1.5 times its budget", "reduce TV by 2x"
        whose = " and ".join(f"{ch}'s" for ch in find_channels(text, known).found) or "a channel's"
        return f"a cut of {multiple} times {whose} spend cannot be applied: a cut removes at most all of it"
    over = re.search(
        r"\b(cut\w*|reduc\w*|decreas\w*|lower\w*|drop\w*|trim\w*|slash\w*|shrink\w*|shrank|shav\w*|chop\w*)\b"
        r".{0,40}?\b(\d{3,})\s?(%|percent)",
        low,
    )
    if over and float(over.group(2)) > 100 and not moves:  # "cut all channels by 150%"
        return f"a cut of {over.group(2)}% cannot be applied: a cut removes at most all of a channel's spend"
    if _NEGATIVE_LEVEL.search(low) or re.search(
        r"\b(spend|spending|budget)\b.{0,20}\b(were|was|is|be|went|goes|go|turned|became)\s+(negative|below zero)\b|"
        r"\bnegative (spend|spending|budget|money|amounts?|sums?|dollars|euros|pounds)\b|"
        r"\b(below|under|less than) (zero|0|nothing)\b",
        low,
    ):
        named = " and ".join(find_channels(text, known).found)
        where = f" on {named}" if named else ""
        return f'spend{where} cannot be negative: say how much to cut instead (e.g. "cut Print by a tenth")'
    return None


_TIMES = {"twice": 2.0, "double": 2.0, "triple": 3.0, "one and a half": 1.5, "two": 2.0, "three": 3.0, "four": 4.0}
_CUT_TIMES = re.compile(
    r"\b(cut\w*|reduc\w*|decreas\w*|lower\w*|trim\w*|slash\w*)\b.{0,40}?\b(twice|double|triple|(\d+(?:\.\d+)?|"
    r"one and a half|two|three|four)\s*(times|x)\b)"
)


def _cut_multiple(low: str) -> str | None:
    """The multiple of a channel's spend a cut names when it is one or more ("by twice its budget", "by 1.5x")."""
    m = _CUT_TIMES.search(low)
    if not m:
        return None
    word = m.group(3) or m.group(2)
    value = float(word) if word[0].isdigit() else _TIMES[word]
    return f"{value:g}" if value >= 1 else None


# More than the whole budget for one channel ("put 150% of the budget into Search", "TV took 110% of the total
# budget") and a budget below zero ("plan a budget of -1 million"): read as a plan or a change of the channel, these
# were answered as a different request (today's budget, a +110% change, a +1 million plan).
_OVER_WHOLE = re.compile(
    r"\b(?P<x>\d{3,}(?:\.\d+)?)\s?(%|percent) of (the |our |my |a |its )?(total |whole |entire |overall |media |"
    r"marketing )*(budget|spend|spending)\b"
)
_NEGATIVE_BUDGET = re.compile(
    r"\bbudget\s+(of|is|at|=|to|was|were|be)\s*(-|minus |negative )\s?[$€£]?\d|"
    r"(^|\s)(-|minus |negative )\s?[$€£]?\d[\d,.]*\s?(k|m|mm|bn|million|billion|thousand)?\s+(total |media |"
    r"marketing )?budget\b"
)


def impossible_request(low: str, channel_named: bool = False) -> str | None:
    """Why a plan or what-if asks for more than the whole budget in one channel, or a total budget below zero (None
    when it does neither). A channel's own budget below zero (``channel_named``) is ``impossible_move``'s to name."""
    over = _OVER_WHOLE.search(low)
    if over and float(over.group("x")) > 100:
        share = over.group("x")
        return f"a channel cannot take {share}% of the budget: the whole budget is 100%; name a share up to it"
    if not channel_named and _NEGATIVE_BUDGET.search(low):
        return "a budget cannot be negative: give the amount to plan as a positive sum"
    return None
