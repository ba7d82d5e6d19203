"""Experiments in chat: "we ran a lift test on TV in the North: +120k sales on 50k extra spend, ±30k" (record the
test for the dataset) and "what should we test next?" (the ranking of ``suggest_experiment``).

The sentence is read with the shared helpers: channel names (``names``), money amounts (``amounts.MONEY``) and
time windows (``when``, relative to the data's periods). Each amount is classified by its neighbours: after "±",
"+/-" or "plus or minus" (or next to "standard error" / "se") it is the lift's standard error — a 95 % interval
("95%", "CI", "interval") is turned into one by ÷ 1.96, and the answer says which reading was used; next to a spend
word ("spend", "budget", "invested") it is the spend change, negative for a go-dark / holdout / pause; any other
amount is the measured lift. Whatever is missing (most often *when* the test ran) is asked back, not guessed.
"""

from __future__ import annotations

import re
from typing import Any

from agent.models.amounts import MONEY, parse_amount
from agent.models.names import Catalog, find_channels
from agent.models.when import parse_when

INTENTS = ("record_lift_test", "suggest_test")

LIFT_TEST_REPORT = re.compile(
    r"\b(we|i|our \w+|the agency)\b.{0,25}\b(ran|did|conducted|completed|finished|had)\b.{0,40}\b(lift|"
    r"holdout|hold-out|go-?dark|heavy-?up|incrementality|geo|conversion lift|matched market)[- ]?(tests?|experiments?"
    r"|stud(y|ies))\b|\b(lift|holdout|go-?dark|heavy-?up|incrementality|geo)[- ]?(tests?|experiments?)\b.{0,30}\b("
    r"showed|measured|found|gave|says|said|came back|result\w*)\b"
)
TEST_NEXT = re.compile(
    r"\bwhat (should|shall|could|do|would) (we|i) test\b|\bwhich (channels?|tests?|experiments?)\b.{0,40}\b(test"
    r"\w*|experiment\w*|run)\b.{0,20}\b(next|first)\b|\b(tests?|experiments?) (to run )?next\b|\bnext (lift )?("
    r"tests?|experiments?)\b|\bwhat (lift )?(tests?|experiments?) (should|to|could) (we |i )?run\b|\bwhere (should|"
    r"to) (we |i )?(run )?(a |the )?(lift )?test\b|\bworth (a |an )?(lift )?(test|experiment)\w*\b|"
    r"\bwhich (channel|media|one)s?\b.{0,25}\b(needs?|deserves?|most needs|should get|merits?)\b.{0,12}\b(a |an )?"
    r"(lift |geo )?(test|experiment)\w*\b|"
    # "design a lift test for Radio", "how big a test do we need for Social?": the suggested designs
    r"\b(design|plan|set up|setup|size)\w* (a |an )?(lift |geo |holdout |go-dark )?(test|experiment)\b|"
    r"\bhow (big|long|large) (a |an |of a )?(lift |geo )?(test|experiment)\b"
)

_SE_BEFORE = re.compile(r"(±|\+/-|\+-|plus or minus|standard error( of)?|\bse\b|std\.? ?err\w*)\s*(of\s*)?$", re.I)
_INTERVAL = re.compile(r"\b95\s?%|\bci\b|\bconfidence interval\b|\binterval\b", re.I)
_SPEND_NEAR = re.compile(r"\b(spend\w*|spent|budget|invest\w*|media cost|cost)\b", re.I)
_NEGATIVE = re.compile(
    r"\b(go-?dark|went dark|dark|paus\w*|holdout|hold-out|withh[eo]ld\w*|cut|less|switched off)\b", re.I
)
_TYPES = (
    ("go-dark", r"go-?dark|went dark|paus\w*|switched off"),
    ("geo holdout", r"hold-?out"),
    ("heavy-up", r"heavy-?up"),
)
Z95 = 1.96
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_MONTH_AFTER = re.compile(rf"\s*(st|nd|rd|th)?\s*(of\s+)?{_MONTH}\b", re.I)
_MONTH_BEFORE = re.compile(rf"\b{_MONTH}\.?\s*$", re.I)
_ISO_PART = re.compile(r"^[-/]|.*[-/]$")


def _classify_amounts(text: str) -> dict[str, Any]:
    """``{lift, spend_change, lift_se, se_from_interval}`` from the money amounts in ``text`` (module docstring)."""
    out: dict[str, Any] = {}
    for m in MONEY.finditer(text):
        value = parse_amount(m.group(0))
        if value is None or (re.fullmatch(r"(19|20)\d{2}", m.group(1)) and not m.group(2)):
            continue  # a bare year is a period
        before, after = text[max(0, m.start() - 24) : m.start()], text[m.end() : m.end() + 24]
        if (
            _MONTH_AFTER.match(after)
            or _MONTH_BEFORE.search(before)
            or _ISO_PART.match(text[m.start() - 1 : m.end() + 1])
        ):
            continue  # a day of a date ("6 March", "March 27", "2023-03-06"), read by ``when``
        if _SE_BEFORE.search(before.rstrip()) and "lift_se" not in out:
            interval = bool(_INTERVAL.search(text[m.start() - 40 : m.end() + 30]))
            out["lift_se"], out["se_from_interval"] = (value / Z95 if interval else value), interval
        elif _SPEND_NEAR.search(after[:20]) or _SPEND_NEAR.search(before[-14:]):
            negative = bool(_NEGATIVE.search(text)) or before.rstrip().endswith("-")
            out.setdefault("spend_change", -value if negative else value)
        elif "lift" not in out:
            out["lift"] = -value if before.rstrip().endswith("-") else value
    if out.get("spend_change", 0) < 0 and out.get("lift", 0) > 0:  # "withheld 40k … lost 60k sales": a go-dark's
        out["lift"] = -out["lift"]  # lift is a loss; the file format stores it with its sign
    return out


def _geography(text: str, catalog: Catalog | None) -> str:
    for geo in sorted(catalog.geographies if catalog else (), key=len, reverse=True):
        if re.search(rf"(?<!\w){re.escape(geo)}(?!\w)", text, re.IGNORECASE):
            return geo
    return "all"


def _kind(text: str) -> str:
    return next((kind for kind, rx in _TYPES if re.search(rf"\b({rx})\b", text, re.IGNORECASE)), "lift")


def parse_lift_test(text: str, known: list[str], catalog: Catalog | None) -> tuple[dict[str, Any], list[str]]:
    """The ``record_lift_test`` arguments a sentence gives, and what it leaves out (asked back)."""
    args: dict[str, Any] = {"geography": _geography(text, catalog), "type": _kind(text)}
    found = find_channels(text, known).found
    if found:
        args["channel"] = found[0]
    figures = _classify_amounts(text)
    args |= {k: figures[k] for k in ("lift", "spend_change", "lift_se") if k in figures}
    when = parse_when(text, catalog.start if catalog else None, catalog.end if catalog else None)
    if when.windows:
        args["start"], args["end"] = when.windows[0].start.isoformat(), when.windows[0].end.isoformat()
    wanted = {
        "channel": "which channel was tested",
        "start": "when the test ran (dates as YYYY-MM-DD, e.g. 'from 2023-03-06 to 2023-03-27', or a month)",
        "spend_change": "the spend change in the test cell (negative for a go-dark)",
        "lift": "the measured incremental KPI",
        "lift_se": "its standard error (e.g. '± …')",
    }
    missing = [why for key, why in wanted.items() if key not in args]
    if figures.get("se_from_interval"):
        args["source"] = "chat (the ± figure read as a 95% interval: standard error = half-width / 1.96)"
    elif "lift_se" in args:
        args["source"] = "chat (the ± figure read as the standard error)"
    return args, missing


def fill(route: Any, text: str, known: list[str], catalog: Catalog | None) -> None:
    """Arguments of the two experiment intents on ``route`` (``router.Route``); a report missing a figure becomes
    ``clarify_lift_test`` with the missing items."""
    if route.intent != "record_lift_test":
        route.args = {}
        return
    args, missing = parse_lift_test(text, known, catalog)
    if missing:
        route.intent, route.args = "clarify_lift_test", {"missing": missing, "parsed": args}
    else:
        route.args = args


def clarify_question(args: dict[str, Any]) -> str:
    """The question asked back for a lift test report missing some figures."""
    return (
        "To record the lift test I still need "
        + "; ".join(args.get("missing") or [])
        + ". Please send the whole report again with them."
    )


__all__ = ["INTENTS", "LIFT_TEST_REPORT", "TEST_NEXT", "clarify_question", "fill", "parse_lift_test"]
