"""A channel named only to be left out ("ROI of every channel other than Search", "forget TV - what are the others
returning?", "leave Print out"): read by the router, which drops such channels from what a question is about.
"""

from __future__ import annotations

import re

from agent.models import entities

_EXCLUDING = re.compile(
    # first, "not TV, what's the best channel?": a channel waved off at the start, before the question
    r"\b((?<![\s\S])not(?=\s+[^,;:.?!]{1,30}[,;:])|"
    r"(don'?t|do not|no need to) (show|include|count|give|want|need|tell)( me| us)?( about)?|"
    r"(don'?t|do not) care (about|for)|never mind|not interested in|"
    r"other than|except( for)?|excluding|exclude|not counting|not including|apart from|aside from|besides|"
    r"ignoring|ignore|leaving out|leave out|but not|setting aside|outside of|without|minus(?!\s*[$€£]?\d)|"
    r"(leaving|leave|setting|set|putting|put)"
    r"(?=\s[^,;:.?!]{1,30}\baside\b)|(leaving|leave)(?=\s[^,;:.?!]{1,30}\bout\b)|forget( about)?|skip(ping)?|"
    r"(all|every|each|everything|anything)\b"
    r"[^,;:.?!]{0,25}?\bbut)"
    r"\s+(?P<rest>[^,;:.?!]*)",
    re.IGNORECASE,
)


# A sentence about a world without the channel ("what would sales be without TV?") asks about that channel.
_COUNTERFACTUAL = re.compile(r"\b(would|lose|lost|loss|happen\w*|drop\w*|if|miss\w*|fall|fell|need)\b", re.IGNORECASE)


def excluded(text: str, known: list[str]) -> set[str]:
    """Channels named right after an excluding phrase ("other than Search", "not counting TV and Radio")."""
    out: set[str] = set()
    names = [m.span() for n in known for m in re.finditer(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.IGNORECASE)]
    for m in _EXCLUDING.finditer(text):
        if any(a <= m.start() < b for a, b in names):
            continue  # the words are part of a channel's name ("Ignore previous instructions and lock")
        if m.group(1).casefold() in ("without", "minus") and _COUNTERFACTUAL.search(text):
            continue  # "how much would we lose without TV?" asks for TV's contribution, not the others' ROI
        rest = re.split(r"\b(which|what|how|who|where|is|are|has|have|show|give|tell|list)\b", m.group("rest"))[0]
        out.update(entities.find_channels(rest, known).found)
    return out
