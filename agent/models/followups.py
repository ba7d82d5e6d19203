"""Follow-ups resolved against the previous question, so a short reply is routed as the question it continues.

- An elliptical reply ("and YouTube?", "what about 2023?", "same for North") names only entities and/or periods:
  it is the previous question with those put in place of the previous ones of the same kind (or added).
- A reply that names only a new grain ("and by quarter?") or amount ("and 5k?") is the previous question with
  that grain or amount in place of the previous one.
- A bare "why?" after a question about results ("which channels pay back?") asks what the estimates rest on:
  that channel's uncertainty and its cause, or every channel's ROI with its identifiability label.
- A pronoun in a comparison ("is it better than Meta Ads?") stands for the previous question's channel: "is
  YouTube better than Meta Ads?" — a comparison of the two, not a question about Meta Ads alone.

Anything else is a new question and is left as written.
"""

from __future__ import annotations

import re

from agent.models.entities import Catalog, tokens
from agent.models.scope import parse_question

_ELLIPSIS = re.compile(
    r"^\s*(?:ok(?:ay)?[,\s]+)?(?:and|what about|how about|and what about|same for|same thing for|now|also|and for|"
    r"then)\b[\s,]*(?P<rest>.*?)[\s?.!]*$",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(?:it|that one|this one|that channel|this channel|that|this)\b", re.IGNORECASE)
_COMPARING = re.compile(r"\b(better|worse|compare\w*|than|vs\.?|versus|beat\w*|outperform\w*)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"\b(?:its|that channel'?s|this channel'?s)\b", re.IGNORECASE)
# A question about a channel's own measure with "it"/"its" in it ("how much did it contribute?"); "what does it
# mean?" names no measure and stays as written.
_ABOUT_IT = re.compile(
    r"(?=.*\b(?:it|its|that channel|this channel|that one|this one)\b)(?=.*\b(?:roi|roas|return\w*|contribut\w*|"
    r"uncertain\w*|sure|saturat\w*|pay\w*|worth|spen[dt]\w*|adstock|carry\W?over|half-?life|curve|effect\w*|"
    r"identif\w*|trust|marginal|headroom|room|cut\w*|rais\w*|increas\w*|doubl\w*|halv\w*|paus\w*|stop\w*|"
    r"boost\w*|reduc\w*|drop\w*|switch\w* off|turn\w* off)\b)",
    re.IGNORECASE,
)
# A bare "why?" after a question about results asks what the estimates rest on: how well each is pinned down.
_WHY = re.compile(r"\s*(?:and |but |ok,? )?(?:why|how come|why so|why is that|why not|why's that)\s*[?.!]*\s*", re.I)
_RESULTS = re.compile(
    r"\b(?:roi|roas|return\w*|pay\w*|worth|profit\w*|break\W?even|best|worst|top|rank\w*|contribut\w*|"
    r"efficien\w*|money|los\w*|wast\w*)\b",
    re.IGNORECASE,
)
_FILLER = frozenset(
    "in the for on of at during over channel channels please then instead too also about one geo region market "
    "period a an and or vs versus only just from to into".split()
)
# A reply that asks for another measure of the same channel ("and the contribution?", "what about its spend?").
_MEASURE = re.compile(
    r"(?:the|its|their)\s+(?P<m>roi|roas|contribution|spend|spending|uncertainty|marginal roi|mroi|adstock|"
    r"carry-?over|half-?life|response curve|curve|saturation)",
    re.IGNORECASE,
)
# The other end of a ranking ("and the worst?" after "which channel has the best ROI?").
_OTHER_END = re.compile(
    r"(?:the\s+)?(?P<end>worst|best|lowest|highest|bottom|top)(?:\s+(?:one|channel|ones|channels))?", re.I
)
_ENDS = re.compile(r"\b(worst|best|lowest|highest|bottom|top)\b", re.IGNORECASE)
# A move asked the other way ("and the other way round?", "what about vice versa?").
_REVERSED = re.compile(r"(?:the\s+)?(?:other way (?:round|around)|reverse|opposite( direction)?|vice versa)", re.I)


def resolve(text: str, previous: str, catalog: Catalog | None) -> str:
    """``text`` as a full question, given the ``previous`` question (see module doc)."""
    cat = catalog or Catalog()
    cur, prev = parse_question(text, cat), parse_question(previous, cat)
    if _WHY.fullmatch(text) and (prev.names("channel") or _RESULTS.search(previous)):
        one = prev.names("channel")
        return f"why is {one[0]}'s ROI so uncertain?" if len(one) == 1 else "why are the ROI estimates so uncertain?"
    m = _ELLIPSIS.match(text)
    swapped = _swap_grain_or_amount(m.group("rest"), previous) if m else None
    if swapped:
        return swapped
    other = _other_question(m.group("rest").strip(" ?.!,"), previous, prev) if m else None
    if other:
        return other
    if m and _is_fragment(m.group("rest"), cur):
        return _substitute(previous, prev, cur, m.group("rest"))
    before = prev.names("channel") or prev.unknown
    if len(before) == 1 and _COMPARING.search(text) and _PRONOUN.search(text) and not cur.names("channel")[1:]:
        return _PRONOUN.sub(before[0], text, count=1)
    if len(prev.names("channel")) == 1 and not cur.names("channel") and not cur.unknown and _ABOUT_IT.search(text):
        # "why is it so uncertain?" after a question about YouTube: YouTube's, not every channel's
        name = prev.names("channel")[0]
        text = _POSSESSIVE.sub(f"{name}'s", text, count=1)
        return _PRONOUN.sub(name, text, count=1) if name not in text else text
    return text


_GRAIN = re.compile(r"\b(?:by|per|each|every)\s+(week|month|quarter|year|channel|geo|region|market)s?\b", re.I)
# An amount has a unit or a currency sign ("5k", "$5,000", "30%"): a bare "2023" is a year, read as a period.
_AMOUNT = re.compile(
    r"[$€£]\d+(?:[.,]\d+)*\s*(?:k|m|mm|bn|thousand|million)?(?!\w)|"
    r"\d+(?:[.,]\d+)*\s*(?:k|m|mm|bn|%|percent|thousand|million)(?!\w)",
    re.IGNORECASE,
)


def _swap_grain_or_amount(rest: str, previous: str) -> str | None:
    """The previous question with the grain ("by quarter") or amount ("5k") that ``rest`` alone names in place of
    its own; None when ``rest`` is not just that, or the previous question has none to replace."""
    rest = rest.strip(" ?.!,")
    for rx in (_GRAIN, _AMOUNT):
        found = rx.fullmatch(rest)
        old = rx.search(previous)
        if found and old:
            return previous[: old.start()] + found.group(0) + previous[old.end() :]
        if found and rx is _GRAIN:  # "TV spend in 2022" → "and by month?": the grain added
            return previous.rstrip(" ?.!") + " " + found.group(0) + "?"
    return None


def _other_question(rest: str, previous: str, prev) -> str | None:
    """The previous question asked of another measure of its one channel ("and the contribution?"), from the other
    end of its ranking ("and the worst?"), or with its move reversed ("and the other way round?"); else None."""
    channels = prev.names("channel")
    measure = _MEASURE.fullmatch(rest)
    if measure and len(channels) == 1:
        when = " and ".join(prev.when.phrases)
        if when and not re.match(r"(in|during|for|over|since|from|between|the|last)\b", when):
            when = "in " + when  # "in 2022", "the last 8 weeks", "since March" as the previous question put them
        return f"what is the {measure.group('m').lower()} of {channels[0]}{' ' + when if when else ''}?"
    end = _OTHER_END.fullmatch(rest)
    if end and _ENDS.search(previous):
        return _ENDS.sub(end.group("end").lower(), previous, count=1)
    mentions = [m.words for m in prev.resolution.mentions if m.kind == "channel"]
    if _REVERSED.fullmatch(rest) and len(mentions) == 2:
        a, b = mentions
        swapped = _replace(_replace(previous, a, "\0"), b, a)
        return swapped.replace("\0", b, 1)
    return None


def _is_fragment(rest: str, q) -> bool:
    """Only names, periods and filler words: nothing that asks a question of its own."""
    if not rest.strip() or not (q.resolution.mentions or q.unknown or q.when.windows or q.when.outside):
        return False
    named = {t for mention in q.resolution.mentions for t in tokens(mention.words)}
    named |= {t for w in q.unknown for t in tokens(w)} | {t for p in q.when.phrases for t in tokens(p)}
    return all(t in named or t in _FILLER for t in tokens(rest))


def _replace(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<![A-Za-z0-9]){re.escape(old)}(?![A-Za-z0-9])", new, text, count=1, flags=re.IGNORECASE)


def _substitute(previous: str, prev, cur, rest: str) -> str:
    out = previous.rstrip(" ?.!")
    kinds = {m.kind for m in cur.resolution.mentions if len(m.names) == 1}
    for kind in sorted(kinds):
        names = cur.names(kind)
        old = [m.words for m in prev.resolution.mentions if m.kind == kind]
        if kind == "channel":  # a name the data lacked took the channel's place ("and Social?" after TikTok)
            old += prev.unknown
        if kind == "channel" and len(old) == 2 and len(names) == 1 and re.match(r"\s*(from|to|into)\b", rest, re.I):
            # "what about from Meta Ads instead?" after "move 200k from TV to YouTube": the source (or, after
            # "to", the destination) is replaced
            out = _replace(out, old[0] if rest.strip().lower().startswith("from") else old[1], names[0])
            continue
        if 1 < len(old) and len(names) <= len(old):
            # "compare TV and Radio" → "what about Print and Social?": name for name; after "is TV better than
            # Radio?", "and Search?" replaces the one TV is set against.
            for was, name in zip(old[len(old) - len(names) :], names, strict=True):
                out = _replace(out, was, name)
            continue
        out = _swap(out, old, " and ".join(names))
    if cur.unknown:  # an unknown name takes the place of the previous channel (and is refused as unknown)
        old = [m.words for m in prev.resolution.mentions if m.kind == "channel"] + prev.unknown
        out = _swap(out, old, " and ".join(cur.unknown))
    if cur.when.phrases:
        new = " and ".join(cur.when.phrases)
        joiner = " " if re.match(r"(in|during|for|over|since|from|between|the|last)\b", new) else " in "
        out = _swap(out, list(prev.when.phrases), new, joiner=joiner)
    return out + "?"


def _swap(text: str, old: list[str], new: str, joiner: str = " for ") -> str:
    """Put ``new`` in place of the first of ``old`` (dropping the others), or add it when there is none."""
    if not old:
        return f"{text}{joiner}{new}"
    text = _replace(text, old[0], new)
    for extra in old[1:]:
        text = _replace(text, extra, "")
    return " ".join(text.split())
