"""Several changes in one what-if. Read as one move, a second channel was dropped or taken for a destination:
"double TV and halve Search" moved all of TV into Search, "pause TV and Radio" paused TV alone, "move a tenth of
TV to Radio and a tenth to Print" dropped Print. Read here, in this order:

- each clause its own change ("double TV and halve Search", "cut TV by 20% and Search by 10%"; a clause without a
  verb continues the one before, one that refers back — "…and put it in Social" — is a move, not read here);
- one change for a list of channels ("pause TV and Radio", "cut TV and Search by 10%");
- sources listed together, each moving the same size ("move 10% from TV and Radio to Search");
- several moves out of one source ("a tenth of TV to Radio and a tenth to Print": a clause naming only a
  destination takes the source of the clause before it).
"""

from __future__ import annotations

import re

from agent.models.amounts import changes_spend, cue_at, mention_spans, parse_moves
from agent.models.names import find_channels

_CLAUSES = re.compile(r"\s*(?:,|;|\band\b|\bplus\b)\s*", re.IGNORECASE)
# Words that send money somewhere: a list of channels with one of them is a move, not one change for each.
_DESTINATION = re.compile(r"\b(to|into|onto|towards|from|out of)\b(?!\s+(zero|nothing|nil)\b)", re.IGNORECASE)
# "put it in Social", "give the savings to Search": money from the clause before.
_BACK_REFERENCE = re.compile(r"\b(it|them|that|this|the (money|savings|difference|rest|balance))\b", re.IGNORECASE)
# "from TV and Radio to Search", "move all of Search and all of Social into TV": the sources, then the destination
_SOURCES = (
    re.compile(r"\bfrom\b(?P<srcs>.+?)\b(?:to|into)\b(?P<dst>.+)$", re.IGNORECASE),
    re.compile(
        r"\b(?:move|shift|transfer|reallocate|redirect|put|switch)\b(?P<srcs>.+?)\b(?:to|into)\b(?P<dst>.+)$",
        re.IGNORECASE,
    ),
)


def several_moves(text: str, known: list[str]) -> list[dict] | None:
    """The moves of a what-if that changes two or more channels (see the module doc), or None when it is not one
    of these forms (the caller then reads it as one move)."""
    chans = find_channels(text, known).found
    if len(chans) < 2:
        return None
    clauses = [c for c in _CLAUSES.split(text) if c.strip()]
    if each := _each_its_own(clauses, known):
        return each
    if not _DESTINATION.search(text) and _listed(text, chans):  # "cut TV and Search by 10%": the same change each
        return _same_change(text, chans)
    if len(chans) < 3:
        return None
    return _from_each(text, known) or _from_one_source(clauses, known)


def _from_one_source(clauses: list[str], known: list[str]) -> list[dict] | None:
    """Moves out of the source of the first clause, one per clause."""
    moves: list[dict] = []
    source = None
    for clause in clauses:
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
    m = _SOURCES[0].search(text) or _SOURCES[1].search(text)
    if not m:
        return None
    sources = find_channels(m.group("srcs"), known).found
    if len(sources) < 2 or len(find_channels(m.group("dst"), known).found) != 1:
        return None
    parts = [p for p in _CLAUSES.split(m.group("srcs")) if p.strip()]
    if [find_channels(p, known).found for p in parts] != [[src] for src in sources]:
        return None  # each source its own part ("all of Search", "TV")
    moves = []
    for src, part in zip(sources, parts, strict=True):
        one = text[: m.start("srcs")] + f" {part} " + text[m.end("srcs") :]
        got = parse_moves(one, known)
        if len(got) != 1 or got[0].get("from") != src:
            return None
        moves += got
    return moves


def _each_its_own(clauses: list[str], known: list[str]) -> list[dict] | None:
    """One change per clause, each clause naming one channel ("double TV and halve Search"); a clause with no
    verb of its own takes the direction ("cut TV by 20% and Search by 10%") or the whole change ("pause TV and
    Radio") of the clause before it."""
    moves: list[dict] = []
    for clause in clauses:
        found = find_channels(clause, known).found
        if len(found) != 1:
            return None
        if _BACK_REFERENCE.search(clause):
            return None  # "…and put it in Social": the money of the clause before, a move
        got = parse_moves(clause, known)
        own_verb = changes_spend(clause)
        if not got and moves and not own_verb:
            got = [{**{k: v for k, v in moves[-1].items() if k != "channel"}, "channel": found[0]}]
        if len(got) != 1 or "channel" not in got[0]:
            return None
        mv = dict(got[0])
        if moves and not own_verb:
            _same_direction(mv, moves[-1])
        moves.append(mv)
    if len(moves) < 2 or len({m["channel"] for m in moves}) != len(moves):
        return None
    return moves


def _same_direction(mv: dict, before: dict) -> None:
    """Give ``mv`` the sign of the change before it (a clause without a verb continues the one before)."""
    key = "change" if "change" in mv else "amount" if "amount" in mv else None
    ref = before.get("change", before.get("amount"))
    if key and ref is not None and (mv[key] < 0) != (ref < 0):
        mv[key] = -mv[key]


def _same_change(text: str, chans: list[str]) -> list[dict] | None:
    """The change the sentence names, once for each channel it lists ("pause TV and Radio")."""
    moves = []
    for ch in chans:
        others = [c for c in chans if c != ch]
        alone = text
        for other in others:
            alone = re.sub(rf"(?<!\w){re.escape(other)}(?!\w)", " ", alone, flags=re.IGNORECASE)
        got = parse_moves(alone, [ch])
        if len(got) != 1 or "channel" not in got[0]:
            return None
        moves += got
    return moves


def _listed(text: str, chans: list[str]) -> bool:
    """Whether the channels are named as one list ("TV and Radio", "TV, Search & Social")."""
    low = text.casefold()
    spans = sorted(span for ch in chans for span in mention_spans(low, ch)[:1])
    gaps = [low[a[1] : b[0]] for a, b in zip(spans, spans[1:], strict=False)]
    return len(spans) == len(chans) and all(re.fullmatch(r"\s*(,|and|&|, and|,\s*and)\s*", g) for g in gaps)
