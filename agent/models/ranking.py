"""Which end of a ranking a question asks for: the best or the worst channel. Read by the router for the ``rank``
intent (its rule is in ``agent.models.rules``; the cues it shares with that rule live in ``agent.models.cues``).
"""

from __future__ import annotations

import re

from agent.models.cues import RANK_BEST_CUES, RANK_WORST_CUES
from agent.models.rules_share import PAYBACK

_CUT_OR_KEEP = re.compile(
    r"\b(should|shall|would|could|do|must|deserves?|needs?|merits?|gets?)(?P<neg1>n'?t| not)?( (we|i|you))?"
    r"(?P<neg2> not| never)?\b.{0,12}?\b(?P<verb>cut|cuts|drop|kill|stop|axe|scrap|defund|reduce|pull back|less|"
    r"keep|protect|grow|scale|invest|double down|more|extra|touch)\b"
)
# "touch" is a cut: "which channel should we not touch?" asks for the one to keep.
_CUTS = ("cut", "cuts", "drop", "kill", "stop", "axe", "scrap", "defund", "reduce", "pull back", "less", "touch")
# Either end of a ranking named outright.
RANKED = re.compile(r"\b(most|least|best|worst|highest|lowest|biggest|smallest|top|bottom|poorest|weakest)\b")
# A superlative over money lost ("where are we wasting the most money?", "which channel loses us the most?"): a
# ranking from the worst end, not the list of channels that do not pay back.
SUPERLATIVE = re.compile(r"\b(most|biggest|largest|worst|greatest|heaviest)\b")


# Money paid per unit of result: its lowest value is the best channel.
_COST = re.compile(r"\bcost per\b|\bcpa\b|\bcost of (each|an?|one)\b|\bcheap\w*|\b(most|least) expensive\b")


def order(low: str) -> str:
    """'best' or 'worst': the superlative asked for, or which channel to cut (worst) or keep (best); a negation
    flips it ("which channel should we NOT cut?" asks for the best). A superlative in payback's words (money lost
    or wasted) asks for the worst."""
    m = _CUT_OR_KEEP.search(low)
    if m:
        return "worst" if (m.group("verb") in _CUTS) != bool(m.group("neg1") or m.group("neg2")) else "best"
    if RANK_WORST_CUES.search(low) or PAYBACK.search(low):  # "the biggest drag": the cue names the end
        return "worst"
    if RANK_BEST_CUES.search(low):
        return "best"
    if _COST.search(low):  # "the lowest cost per acquisition", "the cheapest channel": low cost is the best end
        cheap = re.search(r"\b(lowest|least|cheapest|smallest|best)\b", low)
        dear = re.search(r"\b(highest|most|dearest|biggest|largest|worst)\b", low)
        if cheap or dear:
            return "best" if cheap and (not dear or cheap.start() < dear.start()) else "worst"
    # The first superlative sets the order: "from best to worst" is a ranking from the best.
    first = re.search(
        r"\b(best|top|highest|strongest|most|greatest|biggest|largest|hardest|(worst|bottom|lowest|weakest|least|"
        r"poorest|losing|smallest|underperform\w*))\b",
        low,
    )
    return "worst" if first and first.group(2) else "best"
