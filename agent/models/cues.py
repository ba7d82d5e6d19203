"""Phrasing cues read by more than one stage of the router: by the rule table (``agent.models.rules``) and by the
router's own decisions (``agent.models.router``) — which end of a ranking is asked, two channels set against each
other, a question about the KPI itself. One home each, so the rule and the decision cannot drift apart.
"""

from __future__ import annotations

import re

_R = re.compile

# A ranking asked for without a superlative next to its subject: the best ("our number one channel", "where is
# our money working hardest?", "which channel is carrying the business?") or the worst ("which channel is dragging
# us down?", "the weak link", "the laggard", "what would you cut first?"). One home: the rank rule and the order
# (``router._order``) read them.
RANK_BEST_CUES = _R(
    r"\b(number one|no\.? ?1|#1)\b|\bwinn(er|ing)\b|\bcarr(y|ies|ying) (the |our )?(business|us|team|load)\b|"
    r"\bwork(s|ing)? (the )?hardest\b|\b(keep|pick|choose) (just |only )?(one|a single)\b|\bmost out of\b|"
    r"\b(king|mvp|hero|champion)\b|\boutperform\w* (all )?(the )?(others|rest|other channels)\b"
)
RANK_WORST_CUES = _R(
    r"\bwast(e|es|ed|ing)\b|\bburn\w* (through )?(cash|money)\b|\bmoney (pits?|sinks?|losers?)\b|"
    r"\bdrag\w*\b|\blagg(ard|ards|ing)\b|\bweak(est)? link\b|\b(cut|drop|axe|kill)\w* first\b|"
    r"\bfirst to (go|cut|be cut)\b|\bpull\w* .{0,20}\bdown\b|\bduds?\b|\bleast (for|out of)\b|"
    r"\bdisappoint\w*\b|\bunder-?deliver\w*\b|\bunderwhelm\w*\b|\bpull\w* (its|their) (own )?weight\b|"
    r"\b(had|have|has|needed|need|forced) to (drop|cut|kill|axe|lose|scrap|stop|sacrifice) (one|a single|just one|a)\b"
)

# Comparatives that set one thing against another.
COMPARATIVE = (
    r"\b(more|less|better|worse|higher|lower|bigger|smaller|greater|stronger|weaker|larger|cheaper|faster|"
    r"slower)\b"
)
_MORE = r"\b(more|better|higher|stronger|best|most|bigger|greater)\b"
# Two channels set against each other ("should I trust A more than B?", "which is better, A or B?").
HEAD_TO_HEAD = re.compile(
    r"\bmore than\b|\bvs\.?\b|\bversus\b|\bbetter than\b|\bworse than\b|\bbeat\w*\b|\boutperform\w*\b|"
    r"\bcompare\b|\bwhich (one |of them |of the two )?(is|has|returns|works|does|gives)\b|\bstacks? up\b|\bagainst\b|"
    r"\bhead[- ]to[- ]head\b|\bwhich (one |of them |of the two )?(\w+ )?(wins?|more|better|higher|stronger)\b|"
    r"\bcompared? (to|with)\b|\bin comparison (to|with)\b|\brelative to\b|"
    # A comparative with words between it and "than" ("a better job than", "more per dollar than"), and a
    # "which ..., A or B" choice ("which pays back more, Search or TV?").
    rf"{COMPARATIVE}(\s+[\w'’-]+){{0,4}}\s+than\b|\b(which|who)\b[^?.!]*\bor\b|^\s*(is|are|does|do)\b[^?.!]*\bor\b|"
    # "the difference in ROI between TV and Radio", "how do Radio and TV differ?", "favour TV over Radio".
    r"\bdiffer\w*\b|\b(favou?r\w*|prefer\w*|prioriti[sz]\w*|pick\w*|choos\w*)\b.{0,30}\b(over|to|rather than)\b|"
    # "which of TV and Search is more efficient?", "radio or print: where do we get more for our money?"
    rf"\bwhich of\b|\bor\b.{{0,40}}{_MORE}|{_MORE}.{{0,40}}\bor\b"
)
# Two channels judged on how well they do (not on how much they spent): "is Search a better investment than TV?"
QUALITY_H2H = re.compile(
    r"\b(better|worse|stronger|weaker|outperform\w*|beat\w*|wins?|(more|less) (cost[- ])?(efficient|effective|"
    r"profitable|productive)|higher (roi|roas|return)|lower (roi|roas|return))\b"
)
KPI_ITSELF = re.compile(
    r"\bhow (were|was|are|is|did) (our |the )?(total |weekly |monthly )?(sales|revenue|kpi|conversions|orders)\b(?! "
    r"(from|driven|due|by))|"
    r"\b(sales|revenue|kpi|conversions|orders)\b (did|do) we (make|generate|have|get|book)\b|\bwhat (were|was|are|"
    r"is) (our |the )?(total |weekly |monthly )?(sales|revenue|kpi|conversions|orders)\b(?!.{0,20}\b(from|driven|"
    r"due|by (media|channel)))|^\s*(total )?(sales|revenue)\s+(in|during|for|over)\b"
)
# Money set against money spent ("per dollar of TV", "for every euro we put in", "the cost per incremental sale"):
# a ratio to spend is the ROI (or its inverse).
PER_MONEY = re.compile(
    r"\b(per|for (every|each)|on (every|each)|from (every|each)|each) (dollar|euro|pound|buck|[$€£]|unit of spend)\b|"
    r"\b(per|for (every|each)) [$€£]?1\b|"
    r"\bcost per (incremental )?(sale|conversion|order|acquisition|unit|customer)s?\b|\bcpa\b|"
    r"\bfor (the|our|its|their) money\b|\bbang for (the |our )?bucks?\b|"
    # "the revenue multiplier on Social", "TV's iROAS": a return per unit of spend by another name
    r"\b(revenue |sales )?multipliers?\b|\bi?roas\b|\bmroas\b"
)

_ODDS = re.compile(r"\b(probability|probable|chances?|how likely|likelihood|odds|how sure|share of (the )?draws)\b")
_THRESHOLD = re.compile(
    r"\b(?P<dir>above|over|greater than|more than|exceeds?|exceeding|at least|higher than|below|under|less than|"
    r"lower than)\s+(?P<x>\d+(\.\d+)?|one|two|three)\b"
)


def roi_odds(low: str) -> tuple[bool, float] | None:
    """(above?, threshold) when the question asks how likely one channel's ROI is past a value, or pays back."""
    if not _ODDS.search(low):
        return None
    m = _THRESHOLD.search(low)
    if m:
        x = {"one": 1.0, "two": 2.0, "three": 3.0}.get(m.group("x")) or float(m.group("x"))
        return m.group("dir") not in ("below", "under", "less than", "lower than"), x
    if re.search(r"\b(pays?|paying|paid) (back|off|for itself)\b|\bbreak(s|ing)? ?even\b|\bprofitable\b", low):
        return True, 1.0
    return None


# The measure a comparison of periods is about (first match wins; "return on spend" is ROI, not spend).
MEASURES = [
    ("roi", re.compile(r"\b(roi|roas|efficien\w*|payback|pay(s|ing)? (back|off)|return on)\b")),
    ("spend_by", re.compile(r"\b(spend|spent|spending|budget|invest(ed|ment)?|cost|costs)\b")),
    ("roi", re.compile(r"\breturns?\b")),
    ("contribution", re.compile(r"\b(contribut\w*|incremental|driven|impact|lift|deliver\w*)\b")),
    ("kpi_by", re.compile(r"\b(sales|revenue|kpi|conversions|orders)\b")),
]
# One channel's ROI set against break-even, not against another channel.
AGAINST_ONE = re.compile(
    r"\b(above|over|greater than|more than|exceeds?|exceeding|below|under|less than)\s+(1|one|break)"
)
# One channel set against all the others.
AGAINST_REST = re.compile(
    r"\b(other|rest of( the)?|all( the)?( other)?|every( other)?|each)\s+(channels?|media)\b|\bthe rest\b|"
    r"\beverything else\b"
)


# A question asking for return together with spend or contribution ("TV's ROI and its contribution", "which channel
# has the highest spend but the lowest ROI?", "spend vs contribution by channel"): the ROI table shows all three.
_RETURN_WORD = re.compile(r"\b(roi|roas|return\w*)\b")
_SPEND_WORD = re.compile(r"\b(spend|spent|spending|cost|costs|budget)\b")
_CONTRIBUTION_WORD = re.compile(r"\b(contribut\w*|incremental (sales|revenue))\b")
_WHAT_IF = re.compile(r"\bwhat if\b|\bif we\b|\b(cut|increase|raise|move|shift|double|halve)\w*\b")


def two_measures(low: str) -> bool:
    """Whether ``low`` asks for two of return, spend and contribution at once (and is not a what-if)."""
    found = sum(bool(rx.search(low)) for rx in (_RETURN_WORD, _SPEND_WORD, _CONTRIBUTION_WORD))
    return found >= 2 and not _WHAT_IF.search(low)
