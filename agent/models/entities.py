"""Entities in a user's sentence: channel names, money amounts, time windows, budget constraints, shifts.

Channel names always come from the dataset (``known``): matched case-insensitively, through synonyms
("paid search" → Search when a Search channel exists) and, for typos, by difflib similarity. Nothing here
invents a channel; an unmatched mention is reported so the answer can list the known ones.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

# Synonym → canonical channel family; used only if a channel of that family exists in the dataset.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "search": ("paid search", "sem", "ppc", "adwords", "google ads", "search ads", "sea"),
    "social": ("facebook", "meta", "instagram", "fb", "ig", "tiktok", "paid social", "social media"),
    "tv": ("television", "telly", "linear tv", "ctv", "connected tv", "tv ads"),
    "radio": ("audio", "podcast", "podcasts"),
    "email": ("e-mail", "newsletter", "crm", "mailings"),
    "display": ("banner", "banners", "programmatic"),
    "video": ("youtube", "online video", "olv"),
    "ooh": ("outdoor", "billboard", "billboards", "out of home", "out-of-home"),
    "print": ("newspaper", "magazine", "press"),
    "local": ("local media", "regional"),
}
# Words that look like channel typos to difflib but are ordinary English in these questions.
_STOP = {
    "roi",
    "roas",
    "the",
    "and",
    "spend",
    "sales",
    "best",
    "worst",
    "model",
    "much",
    "what",
    "which",
    "than",
    "with",
    "that",
    "this",
    "from",
    "more",
    "less",
    "most",
    "does",
    "did",
    "how",
    "per",
    "all",
    "each",
    "every",
    "total",
    "media",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "channel",
    "channels",
    "compare",
    "versus",
    "budget",
    "social?",
    "keep",
    "flat",
    "least",
    "next",
    "quarter",
    "show",
    "give",
    "tell",
    "over",
    "into",
    "move",
    "shift",
    "fit",
    "lock",
    "spec",
    "report",
    "help",
    "data",
    "dataset",
    "health",
    "trust",
    "search?",
    "better",
    "worse",
    "work",
    "works",
    "working",
    "performing",
    "return",
    "returns",
    "on",
    "of",
    "in",
    "to",
    "is",
    "me",
    "my",
    "a",
    "an",
    "vs",
    "or",
    "by",
    "for",
    "at",
    "it",
}


@dataclass
class ChannelMatch:
    found: list[str] = field(default_factory=list)  # canonical names, in order of mention
    unknown: list[str] = field(default_factory=list)  # mentioned-looking words with no match
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # word → candidate channels


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9+ ]+", " ", text.casefold()).strip()


def _family_targets(known: list[str]) -> dict[str, list[str]]:
    """Synonym phrase → known channels of that family (a family may map to several, e.g. two search channels)."""
    out: dict[str, list[str]] = {}
    for family, words in SYNONYMS.items():
        members = [k for k in known if family in _norm(k).split() or _norm(k).startswith(family)]
        if not members:
            continue
        for word in (family, *words):
            out[word] = members
    return out


def find_channels(text: str, known: list[str]) -> ChannelMatch:
    """Channels mentioned in ``text``, in order of mention (exact/case-insensitive, synonyms, then fuzzy)."""
    match = ChannelMatch()
    low = " " + _norm(text) + " "
    hits: list[tuple[int, str]] = []
    taken = [False] * len(low)

    def claim(start: int, end: int, names: list[str], word: str) -> None:
        if any(taken[start:end]):
            return
        for i in range(start, end):
            taken[i] = True
        if len(names) == 1:
            hits.append((start, names[0]))
        else:
            match.ambiguous[word] = names

    # 1) exact names (longest first so "Paid Search" wins over "Search")
    for name in sorted(known, key=len, reverse=True):
        for m in re.finditer(rf"(?<=[ ]){re.escape(_norm(name))}(?=[ ])", low):
            claim(m.start(), m.end(), [name], name)
    # 2) synonyms of channel families present in the data
    for word, names in sorted(_family_targets(known).items(), key=lambda kv: -len(kv[0])):
        for m in re.finditer(rf"(?<=[ ]){re.escape(word)}(?=[ ])", low):
            claim(m.start(), m.end(), names, word)
    # 3) fuzzy: single words close to a channel name (typos such as "serach", "socail")
    lowered = {_norm(k): k for k in known}
    for m in re.finditer(r"[a-z][a-z0-9+]{2,}", low):
        word = m.group()
        if any(taken[m.start() : m.end()]) or word in _STOP:
            continue
        close = difflib.get_close_matches(word, list(lowered), n=2, cutoff=0.75)
        if close:
            claim(m.start(), m.end(), [lowered[c] for c in close], word)
    seen: set[str] = set()
    match.found = [n for _, n in sorted(hits) if not (n in seen or seen.add(n))]
    return match


# Words that may stand before "ROI" without naming a channel ("overall ROI", "marginal ROI").
_NOT_CHANNEL = {
    "overall",
    "marginal",
    "average",
    "mean",
    "median",
    "total",
    "our",
    "my",
    "their",
    "its",
    "his",
    "her",
    "your",
    "each",
    "every",
    "media",
    "channel",
    "channels",
    "the",
    "a",
    "an",
    "high",
    "low",
    "higher",
    "lower",
    "good",
    "bad",
    "expected",
    "incremental",
    "true",
    "real",
    "actual",
    "what",
    "is",
    "was",
    "of",
    "and",
    "or",
    "best",
    "worst",
    "estimated",
    "current",
    "per",
    "paid",
    "blended",
}


def unknown_channel_words(text: str, known: list[str]) -> list[str]:
    """Words used where a channel is expected ("ROI of radio", "TV's ROI") that match no known channel."""
    m = re.search(
        r"\b(?:roi|roas|return|contribution|spend|effect|impact)\s+(?:of|on|for|from)\s+(?:the\s+)?"
        r"([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)",
        text,
        re.IGNORECASE,
    )
    if not m:
        m = re.search(r"\b([A-Za-z][\w-]*)(?:'s|’s)?\s+(?:roi|roas|returns?|contribution)\b", text, re.IGNORECASE)
        if not m or m.group(1).casefold() in _NOT_CHANNEL:
            return []
    if not m:
        return []
    words = m.group(1).split()
    if find_channels(m.group(1), known).found or words[0].casefold() in _STOP | {"media", "our", "each"}:
        return []
    return [words[0]]


# --- money, windows, constraints ---------------------------------------------------------------------------

_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "grand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
MONEY = re.compile(
    r"(?<![\w.])[$€£]?\s?(\d+(?:,\d{3})*(?:\.\d+)?)\s?(k|m|mm|mn|b|bn|thousand|grand|million|"
    r"billion)?\b(?!\s?%)(?!\s*(?:weeks?|months?|days?|years?|quarters?|periods?|x\b))",
    re.IGNORECASE,
)


def parse_amount(token: str) -> float | None:
    """'$2M' → 2e6, '2 million' → 2e6, '1.5m' → 1.5e6, '500k' → 5e5, '1,250,000' → 1.25e6."""
    m = MONEY.search(token)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    return value * _SCALE.get((m.group(2) or "").casefold(), 1.0)


def amounts(text: str) -> list[float]:
    return [
        float(m.group(1).replace(",", "")) * _SCALE.get((m.group(2) or "").casefold(), 1.0)
        for m in MONEY.finditer(text)
    ]


_WORD_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "nine": 9, "twelve": 12, "a": 1, "an": 1}


def window_periods(text: str, per_year: float = 52.0) -> int | None:
    """'next quarter' → 13, 'next 6 months' → 26, '8 weeks' → 8, 'next year' → 52 (weekly data)."""
    low = text.casefold()
    weeks_per_month = per_year / 12
    if re.search(r"\b(next|coming|following|upcoming|a|one|the)\s+quarter\b|\bq[1-4]\b|\bquarterly\b", low):
        return round(per_year / 4)
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


@dataclass
class BudgetRequest:
    budget: float | None = None
    periods: int | None = None
    bounds: dict[str, list[float | None]] = field(default_factory=dict)
    max_share: dict[str, float] = field(default_factory=dict)
    min_share: dict[str, float] = field(default_factory=dict)
    fixed: list[str] = field(default_factory=list)
    incremental: bool = False

    def as_args(self) -> dict:
        out = {"budget": self.budget, "periods": self.periods or 13}
        if self.incremental:
            out["incremental"] = True
        for key in ("bounds", "max_share", "min_share", "fixed"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        return out


_CLAUSE = re.compile(r",(?!\d{3})|;|\band\b|\bbut\b|\bwhile\b|\bwith\b", re.IGNORECASE)


def parse_budget(text: str, known: list[str], per_year: float = 52.0) -> BudgetRequest:
    """Budget, window and per-channel constraints from plain words."""
    req = BudgetRequest(periods=window_periods(text, per_year))
    # "the next $1M", "an extra 500k", "another 2 million": money on top of what is spent now.
    req.incremental = bool(
        re.search(r"\b(next|extra|additional|incremental|another|more)\s+[$€£]?\s?\d", text, re.IGNORECASE)
    )
    for clause in _CLAUSE.split(text):
        chans = find_channels(clause, known).found
        low = clause.casefold()
        amount = amounts(re.sub(r"\d+\s*%", " ", clause))
        pct = re.search(r"(\d+(?:\.\d+)?)\s*(%|percent)", low)
        if not chans:
            if amount and req.budget is None and not pct:
                req.budget = max(amount)
            continue
        ch = chans[0]
        if re.search(r"\b(flat|unchanged|as is|same|constant|fixed|steady|don'?t touch|leave)\b", low):
            req.fixed.append(ch)
        elif pct and re.search(r"\b(no more than|at most|max(imum)?|up to|cap|not more than|under|below)\b", low):
            req.max_share[ch] = float(pct.group(1)) / 100
        elif pct and re.search(r"\b(at least|min(imum)?|no less than|not less than)\b", low):
            req.min_share[ch] = float(pct.group(1)) / 100
        elif amount and re.search(r"\b(at least|min(imum)?|no less than|not less than|floor)\b", low):
            req.bounds.setdefault(ch, [None, None])[0] = amount[0]
        elif amount and re.search(r"\b(no more than|at most|max(imum)?|up to|cap|not more than|under)\b", low):
            req.bounds.setdefault(ch, [None, None])[1] = amount[0]
        elif amount and req.budget is None:
            req.budget = max(amount)
    return req


def parse_moves(text: str, known: list[str]) -> list[dict]:
    """'move 20% of TV to Search' → [{'from': 'TV', 'to': 'Search', 'share': 0.2}];
    'cut Social by 10%' → [{'channel': 'Social', 'change': -0.1}]; 'double Email' → change +1.0."""
    chans = find_channels(text, known).found
    low = text.casefold()
    pct = re.search(r"(\d+(?:\.\d+)?)\s*(%|percent)", low)
    share = float(pct.group(1)) / 100 if pct else None
    if share is None:
        word = re.search(r"\b(a|one)\s+(tenth|fifth|quarter|third)\b|\bhalf\b", low)
        if word:
            share = {"tenth": 0.1, "fifth": 0.2, "quarter": 0.25, "third": 1 / 3}.get(word.group(2) or "", 0.5)
    if len(chans) >= 2 and re.search(r"\b(move|shift|reallocate|transfer|put|switch|take)\b", low):
        return [{"from": chans[0], "to": chans[1], "share": share if share is not None else 1.0}]
    if chans:
        if re.search(r"\bdouble\b", low):
            return [{"channel": chans[0], "change": 1.0}]
        if re.search(r"\bhalve|\bhalf\b", low):
            return [{"channel": chans[0], "change": -0.5}]
        if re.search(r"\b(stop|cut out|turn off|drop|pause|zero)\b", low) and share is None:
            return [{"channel": chans[0], "change": -1.0}]
        if share is not None:
            sign = -1.0 if re.search(r"\b(cut|reduce|decrease|lower|less|drop|down)\b", low) else 1.0
            return [{"channel": chans[0], "change": sign * share}]
    return []
