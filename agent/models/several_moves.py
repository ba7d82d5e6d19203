"""Several moves out of one source in one what-if ("move a tenth of the TV budget to Radio and a tenth to Print",
"shift 100k from TV to Search and 50k to Social") or from two sources to one ("move 10% from TV and Radio to
Search"). Read as one move, the second destination was dropped (or the second source taken for the destination):
the answer simulated something else. Each clause is read as its own move; a clause that names only a destination
takes the source of the clause before it; sources listed together each move the same size.
"""

from __future__ import annotations

import re

from agent.models.amounts import cue_at, mention_spans, parse_moves
from agent.models.names import find_channels

_CLAUSES = re.compile(r"\s*(?:,|;|\band\b|\bplus\b)\s*", re.IGNORECASE)
_SOURCES = re.compile(r"\bfrom\b(?P<srcs>.+?)\b(?:to|into)\b(?P<dst>.+)$", re.IGNORECASE)


def several_moves(text: str, known: list[str]) -> list[dict] | None:
    """The moves of a what-if that sends money from one channel to two or more (None when it is not one: fewer
    than three channels, or a clause that is not a move from the source)."""
    if len(find_channels(text, known).found) < 3:
        return None
    if pooled := _from_each(text, known):
        return pooled
    moves: list[dict] = []
    source = None
    for clause in (c for c in _CLAUSES.split(text) if c.strip()):
        got = parse_moves(clause, known)
        if len(got) != 1:
            return None
        mv = got[0]
        if "from" in mv:
            source = mv["from"]
            moves.append(mv)
        elif source and "channel" in mv and _destination(clause, mv["channel"]):
            moves.append(_from(source, mv))
        else:
            return None
    return moves if len(moves) >= 2 else None


def _destination(clause: str, channel: str) -> bool:
    low = clause.casefold()
    return any(cue_at(low, span) == "dst" for span in mention_spans(low, channel))


def _from(source: str, mv: dict) -> dict:
    """A clause's change of one channel ("a tenth to Print", "50k to Social") as a move from ``source``."""
    if "amount" in mv:
        return {"from": source, "to": mv["channel"], "amount": abs(mv["amount"])}
    return {"from": source, "to": mv["channel"], "share": abs(mv.get("change", 1.0))}


def _from_each(text: str, known: list[str]) -> list[dict] | None:
    """ "move 10% from TV and Radio to Search": the same move from each source listed."""
    m = _SOURCES.search(text)
    if not m:
        return None
    sources = find_channels(m.group("srcs"), known).found
    if len(sources) < 2 or len(find_channels(m.group("dst"), known).found) != 1:
        return None
    moves = []
    for src in sources:
        one = text[: m.start("srcs")] + f" {src} " + text[m.end("srcs") :]
        got = parse_moves(one, known)
        if len(got) != 1 or got[0].get("from") != src:
            return None
        moves += got
    return moves
