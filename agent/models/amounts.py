"""Money, horizons, budget constraints and spend moves in a user's sentence.

Channel names inside these phrases are resolved by :mod:`agent.models.names` (never guessed here).
"""

from __future__ import annotations

import re

from agent.models.names import Catalog, find_channels, resolve
from agent.models.rules_plan import SET_LEVEL
from agent.models.when_spans import money_not_year

_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "grand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "mil": 1e6,
    "mio": 1e6,
    "mln": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "tn": 1e12,
    "trillion": 1e12,
}
MONEY = re.compile(
    r"(?<![\w.])[$€£]?\s?(\d+(?:,\d{3})*(?:\.\d+)?)\s?(k|m|mm|mn|mil|mio|mln|b|bn|thousand|grand|million|"
    r"billion|tn|trillion)?\b(?!\s?%)(?!\.\d)(?!\s*(?:weeks?|months?|days?|years?|quarters?|periods?)\b|\s*(?:x|times)\b)",
    re.IGNORECASE,
)
# A bare 4-digit year ("in 2023") is a period, not money.
_YEAR = re.compile(r"^(19|20)\d{2}$")


_UNITS = dict(
    zip(
        "a an one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen".split(),
        [1, 1, *range(1, 20)],
        strict=True,
    )
)
_TENS = dict(zip("twenty thirty forty fifty sixty seventy eighty ninety".split(), range(20, 100, 10), strict=True))
_NUMBER_WORD = "|".join([*_UNITS, *_TENS, "hundred"])
_SPELLED = re.compile(
    rf"\b(half an?|(?:(?:{_NUMBER_WORD})(?:[\s-]+(?:and[\s-]+)?|$))+?)\s*(thousand|grand|million|billion|"
    r"trillion)\b",
    re.I,
)


def _spelled(m: re.Match[str]) -> str:
    words = re.findall(r"[a-z]+", m.group(1).casefold())
    value, current = 0.5 if words[0] == "half" else 0.0, 0
    for w in words:
        if w in _UNITS or w in _TENS:
            current += _UNITS.get(w) or _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
    return f"{value or current:g} {m.group(2)}"


# A share written in words: "a hundred and twenty percent" (read as 120 percent by the change parser).
_SPELLED_PCT = re.compile(rf"\b((?:(?:{_NUMBER_WORD})(?:[\s-]+(?:and[\s-]+)?|$))+?)\s*(percent|per cent)\b", re.I)


# A bare scale word after a word of addition is one of it: "an extra million", "another thousand", "the next million".
_BARE_SCALE = re.compile(
    r"\b(another|next|extra|additional|incremental)\s+(thousand|grand|million|billion|trillion)\b", re.I
)


def digits(text: str) -> str:
    """Money written in words as digits: 'fifty thousand' → '50 thousand', 'half a million' → '0.5 million',
    'an extra million' → 'an extra 1 million'."""
    return _BARE_SCALE.sub(r"\1 1 \2", _SPELLED.sub(_spelled, text))


def parse_amount(token: str) -> float | None:
    """'$2M' → 2e6, '2 million' → 2e6, '1.5m' → 1.5e6, '500k' → 5e5, '1,250,000' → 1.25e6, 'fifty grand' → 5e4."""
    m = MONEY.search(digits(token))
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    return value * _SCALE.get((m.group(2) or "").casefold(), 1.0)


def amounts(text: str) -> list[float]:
    """Every money amount in ``text`` (bare years such as 2023 are periods, not amounts)."""
    text = digits(text)
    return [
        float(m.group(1).replace(",", "")) * _SCALE.get((m.group(2) or "").casefold(), 1.0)
        for m in MONEY.finditer(text)
        if m.group(2)
        or not _YEAR.match(m.group(1))
        or text[max(0, m.start() - 1) : m.start() + 1].strip() in "$€£"
        or money_not_year(text.casefold(), m.start(1), m.end(1))
    ]


_WORD_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "nine": 9, "twelve": 12, "a": 1, "an": 1}


def window_periods(text: str, per_year: float = 52.0) -> int | None:
    """A *future* horizon: 'next quarter' → 13, 'next 6 months' → 26, '8 weeks' → 8, 'next year' → 52."""
    low = text.casefold()
    weeks_per_month = per_year / 12
    if re.search(r"\b(next|coming|following|upcoming|a|one|the)\s+quarter\b(?! of)|\bq[1-4]\b|\bquarterly\b", low):
        return round(per_year / 4)
    if re.search(r"\bhalf[- ](a[- ])?year\b|\bsix months\b|\bh[12]\b|\b(first|second|1st|2nd) half\b", low):
        return round(per_year / 2)
    # a rate after an amount ("20k per week", "80k weekly"): the horizon is one of its units
    rate = re.search(
        r"\d\s*(k|m|mn|million|thousand|grand)?\s*(per |each |every |a |an |/\s?)?(week|wk|month)(ly)?\b", low
    )
    if rate:
        return 1 if rate.group(3) in ("week", "wk") else round(weeks_per_month)
    m = re.search(r"\b(\d+|" + "|".join(_WORD_NUM) + r")\s*(weeks?|wks?|months?|quarters?|years?)\b", low)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _WORD_NUM[m.group(1)]
        unit = m.group(2)
        if unit.startswith("w"):
            return n
        if unit.startswith("m"):
            return round(n * weeks_per_month)
        if unit.startswith("q"):
            return round(n * per_year / 4)
        return round(n * per_year)
    if re.search(r"\b(next|coming|following)\s+(year|12 months)\b|\bannual\b", low):
        return round(per_year)
    if re.search(r"\b(next|coming|following)\s+month\b", low):
        return round(weeks_per_month)
    return None


def _share_words(low: str) -> float | None:
    pct = re.search(r"(\d+(?:\.\d+)?)\s*(%|percent)", low)
    if pct:
        return float(pct.group(1)) / 100
    # "1/3 of TV", "2/5 of the budget": a fraction (never a date: no second slash, a share below one)
    frac = re.search(r"(?<![\d/.])(\d{1,2})\s?/\s?(\d{1,2})(?![\d/])(?=\s+(of|from)\b)", low)
    if frac and 0 < int(frac.group(1)) < int(frac.group(2)):
        return int(frac.group(1)) / int(frac.group(2))
    # "for a quarter", "over the next half year" are durations, not shares.
    word = re.search(
        r"(?<!\bfor )(?<!\bover )(?<!\bin )(?<!\bper )(?<!\bnext )(?<!\bwithin )"
        r"\b(a|one)\s+(tenth|fifth|quarter|third)\b|"
        r"(?<!\bfor )(?<!\bfor a )(?<!\bnext )(?<!\bover a )\bhalf\b(?! (a |the )?year)",
        low,
    )
    if word:
        return {"tenth": 0.1, "fifth": 0.2, "quarter": 0.25, "third": 1 / 3}.get(word.group(2) or "", 0.5)
    return None


# What a channel's mention is in a money move, read from the words just before it (or a possessive after it):
# the source ("from TV", "out of TV", "cut TV by 30k", "TV's budget") or the destination ("to Search", "into
# Search", "give it to Search"). The order of mention is only the fallback ("move TV to Search" has both cues).
_SOURCE_BEFORE = re.compile(
    r"\b(from|out of|off|of|away from|cut|cutting|reduce|reducing|trim|trimming|slash|take|taking|pull|pulling|"
    r"drain|raid|defund|lower|shrink)\s+(the\s+|our\s+)?$"
)
_DEST_BEFORE = re.compile(r"\b(to|into|onto|in|towards?|over to|give it to|put it (in|into)|for)\s+(the\s+|our\s+)?$")
_POSSESSIVE_BUDGET = re.compile(r"^['’]s\s+(budget|spend|spending|money|dollars|allocation|share)\b")
# Verbs that move money between two channels (with a source and a destination named).
_MOVE_VERBS = re.compile(
    r"\b(move|moving|moved|shift\w*|reallocat\w*|re-allocat\w*|transfer\w*|put|switch\w*|take|taking|pull\w*|"
    r"give|giving|redirect\w*|divert\w*|reassign\w*|send|sending|got|gets|get|getting|receiv\w*|fund|funding|"
    r"swap\w*|rebalanc\w*)\b"
)
# A channel right after a verb that moves money is where the money comes from ("move TV to ...").
MOVED_OBJECT = re.compile(r"\b(move|shift|transfer|reallocate|redirect|divert|switch)\s+(all (of )?)?(the\s+|our\s+)?$")
# Verbs that switch a channel off entirely (when no size is given).
_OFF = re.compile(
    r"\b(stop\w*|cut out|turn(ed|ing)? off|switch(ed|ing)? off|shut(ting)? off|shut down|drop\w*|paus\w*|zero\w*|"
    r"kill\w*|cancel\w*|eliminat\w*|go dark|went dark|scrap\w*|axe|axed|nothing|no (spend|money|budget)|"
    r"(with|had|have|were|was) no\b|"
    r"(cut|remove|end)\w* (\w+ )?(entirely|completely|altogether|to zero|to nothing))\b"
)
# Every channel at once: "if we stopped all advertising", "paused all media", "went dark on every channel".
_ALL_MEDIA = re.compile(
    r"\b(all|every|any) (of )?(our |the )?(media|advertising|ads|adverts|marketing|channels?|paid media|spend)\b|"
    r"\b(total|overall|whole|entire) (media |marketing |advertising |ad )?(budget|spend|spending|media|marketing)\b|"
    r"\b(advertising|marketing|media|ads) (altogether|entirely|completely)\b|\bon everything\b|"
    r"\b(stop\w*|paus\w*|cut\w*|switch\w* off|turn\w* off|shut\w* (off|down)|kill\w*)\s+everything\b"
)
_DOWN = re.compile(
    r"\b(cut\w*|reduc\w*|decreas\w*|lower\w*|less|drop\w*|down|trim\w*|slash\w*|scal(e|ed|ing) back|pull(ed|ing)? "
    r"back|shrink\w*|shrank|shrunk|shav\w*|chop\w*|pare|pared|paring|knock\w*|fewer|spent less|spend less|fell|"
    r"fall|falls|falling|declin\w*|sank|sink\w*|dip|dips|dipped)\b"
)

# Money written with its sign: "TV +10k/wk, what happens?", "Search -5k".
_SIGNED_AMOUNT = re.compile(r"(^|[\s(:,])[+−-]\s?[$€£]?\d")
_MINUS_AMOUNT = re.compile(r"(^|[\s(:,])[−-]\s?[$€£]?\d")
# A change written with its sign: "Radio -20%: impact on sales?", "TV at minus 10 percent".
_SIGNED_CUT = re.compile(r"(^|[\s(:,])(-|−|minus )\s?\d+(\.\d+)?\s?(%|percent|pct)")

_SET_LEVEL = re.compile(SET_LEVEL)
# The whole budget ("put everything into Search", "all the money on TV").
_EVERYTHING = re.compile(
    r"\b(everything|all (of )?(the |our )?(money|budget|spend|spending|media budget)|(our |the )?(entire|whole|full|"
    r"total) (media |marketing )?budget (on|in|into|to))\b"
)
_UP = re.compile(r"\b(doubl\w*|halv\w*|increas\w*|rais\w*|boost\w*|add|adding|more|extra|top up|ramp\w* up)\b")


# A level of spend the channel goes to ("reduce TV to 20k", "TV spend were 50k", "from 30k to 50k"); "by 20k" is a
# change, and "add 50k to TV" names no money after "to".
_TO_LEVEL = re.compile(
    r"(?<!\bby )\b(to|at|were|was|is|be|became|becomes|of only|of just)\s+(about |around |roughly |only |just |exactly "
    r"|a level of |a total of )?(?=[$€£]?\d|(zero|nothing|nil)\b)"
)


def _to_level(text: str) -> float | None:
    """The spend level a what-if sets a channel to, or None when it names a change (by, more, extra...)."""
    low = " ".join(text.casefold().split())
    m = _TO_LEVEL.search(low)
    if not m or re.search(r"\b(by|more|extra|additional|another|less)\b", low[m.end() :]):
        return None
    found = amounts(low[m.end() :])
    if not found and re.match(r"\s*(zero|nothing|nil|0)\b", low[m.end() :]):
        return 0.0  # "what if Radio spend went from 30k to zero?": a level of nothing
    return found[0] if found else None


def names_every_channel(text: str) -> bool:
    """Whether a what-if moves every channel ("if all media stopped", "put everything into Search")."""
    low = text.casefold()
    return bool(_ALL_MEDIA.search(low) or _EVERYTHING.search(low))


def changes_spend(text: str) -> bool:
    """Whether ``text`` uses a verb that changes spend (switch off, cut, raise, move, set to…), for a what-if."""
    low = text.casefold()
    return any(rx.search(low) for rx in (_OFF, _DOWN, _UP, _MOVE_VERBS, _SET_LEVEL, _SIGNED_AMOUNT))


def parse_moves(text: str, known: list[str]) -> list[dict]:
    """'move 20% of TV to Search' → [{'from': 'TV', 'to': 'Search', 'share': 0.2}];
    'move 200k from TV to Search' → [{'from': 'TV', 'to': 'Search', 'amount': 200000.0}] (an amount stays an
    amount: it is never read as "all of TV"); 'move TV to Search' (no size) → share 1.0;
    'cut Social by 10%' → [{'channel': 'Social', 'change': -0.1}]; 'double Email' → change +1.0;
    'cut TV by 30k and give it to Search', 'what if Search got TV's budget' → moves from TV to Search."""
    text = _SPELLED_PCT.sub(_spelled, text)  # "by a hundred and twenty percent": 120 percent, not money
    chans = find_channels(text, known).found
    low = text.casefold()
    share = _share_words(low)
    if not chans and _ALL_MEDIA.search(low):  # every channel at once: switched off, or changed by one share
        if _OFF.search(low) and share is None:
            return [{"channel": ch, "change": -1.0} for ch in known]
        if share is not None and (_DOWN.search(low) or _UP.search(low)):
            return [{"channel": ch, "change": (-1.0 if _DOWN.search(low) else 1.0) * share} for ch in known]
    money = amounts(re.sub(r"\d+(?:\.\d+)?\s*(%|percent)", " ", text))
    if len(chans) >= 2:
        roles = _roles(text, chans[:2])
        if roles is not None or _MOVE_VERBS.search(low):
            src, dst = roles or (chans[0], chans[1])
            if share is None and money:
                return [{"from": src, "to": dst, "amount": money[0]}]
            return [{"from": src, "to": dst, "share": share if share is not None else 1.0}]
    if len(chans) == 1 and _EVERYTHING.search(low):  # "put everything into Search": every other channel moves there
        return [{"from": ch, "to": chans[0], "share": 1.0} for ch in known if ch != chans[0]]
    if chans:
        if re.search(r"\bdoubl(e|ed|ing)\b", low):
            return [{"channel": chans[0], "change": 1.0}]
        if re.search(r"\bhalve|\bhalf\b", low):
            return [{"channel": chans[0], "change": -0.5}]
        if _OFF.search(low) and share is None and not money:
            return [{"channel": chans[0], "change": -1.0}]
        # "take 500k from Print" names only a source: the money leaves it.
        cut = _DOWN.search(low) or _SIGNED_CUT.search(low) or _MINUS_AMOUNT.search(low)
        sign = -1.0 if cut or _cue(low, chans[0]) == "src" else 1.0
        if share is not None:
            return [{"channel": chans[0], "change": sign * share}]
        # "reduce TV to 20k", "what if TV spend were 50k", "went from 30k to zero": a level, not a change
        if (level := _to_level(text)) is not None:
            return [{"channel": chans[0], "level": level}]
        if money:
            return [{"channel": chans[0], "amount": sign * money[0]}]
    return []


def _roles(text: str, chans: list[str]) -> tuple[str, str] | None:
    """(source, destination) of two channels from the words around their mentions, or None without a cue."""
    low = " ".join(text.casefold().split())
    cues = {c: _cue(low, c) for c in chans}
    a, b = chans
    if cues[a] == "dst" or cues[b] == "src":
        return (b, a) if cues[a] != "src" and cues[b] != "dst" else None
    if cues[a] == "src" or cues[b] == "dst":
        return a, b
    return None


def _cue(low: str, channel: str) -> str | None:
    """'src', 'dst' or None for the first mention of ``channel`` (its name or a synonym the resolver read)."""
    spans = mention_spans(low, channel)
    if not spans:
        return None
    return cue_at(low, spans[0])


def cue_at(low: str, span: tuple[int, int]) -> str | None:
    """'src', 'dst' or None for the channel mention at ``span`` of ``low``."""
    start, end = span
    before, after = low[max(0, start - 30) : start], low[end:]
    if _POSSESSIVE_BUDGET.match(after):
        return "src"
    if _DEST_BEFORE.search(before):
        return "dst"
    return "src" if _SOURCE_BEFORE.search(before) else None


def mention_spans(low: str, channel: str) -> list[tuple[int, int]]:
    """Where ``channel`` is mentioned in ``low``: the words the resolver read as that channel."""
    spans = set()
    for m in resolve(low, Catalog(channels=(channel,))).mentions:
        if m.names == (channel,):
            spans.update(
                h.span() for h in re.finditer(rf"(?<![a-z0-9]){re.escape(m.words.casefold())}(?![a-z0-9])", low)
            )
    return sorted(spans)
