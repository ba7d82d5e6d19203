"""Money, horizons, budget constraints and spend moves in a user's sentence.

Channel names inside these phrases are resolved by :mod:`agent.models.names` (never guessed here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.models.names import find_channels

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
# A bare 4-digit year ("in 2023") is a period, not money.
_YEAR = re.compile(r"^(19|20)\d{2}$")


def parse_amount(token: str) -> float | None:
    """'$2M' → 2e6, '2 million' → 2e6, '1.5m' → 1.5e6, '500k' → 5e5, '1,250,000' → 1.25e6."""
    m = MONEY.search(token)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    return value * _SCALE.get((m.group(2) or "").casefold(), 1.0)


def amounts(text: str) -> list[float]:
    """Every money amount in ``text`` (bare years such as 2023 are periods, not amounts)."""
    return [
        float(m.group(1).replace(",", "")) * _SCALE.get((m.group(2) or "").casefold(), 1.0)
        for m in MONEY.finditer(text)
        if m.group(2) or not _YEAR.match(m.group(1)) or text[max(0, m.start() - 1) : m.start() + 1].strip() in "$€£"
    ]


_WORD_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "nine": 9, "twelve": 12, "a": 1, "an": 1}


def window_periods(text: str, per_year: float = 52.0) -> int | None:
    """A *future* horizon: 'next quarter' → 13, 'next 6 months' → 26, '8 weeks' → 8, 'next year' → 52."""
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


def _share_words(low: str) -> float | None:
    pct = re.search(r"(\d+(?:\.\d+)?)\s*(%|percent)", low)
    if pct:
        return float(pct.group(1)) / 100
    word = re.search(r"\b(a|one)\s+(tenth|fifth|quarter|third)\b|\bhalf\b", low)
    if word:
        return {"tenth": 0.1, "fifth": 0.2, "quarter": 0.25, "third": 1 / 3}.get(word.group(2) or "", 0.5)
    return None


def parse_moves(text: str, known: list[str]) -> list[dict]:
    """'move 20% of TV to Search' → [{'from': 'TV', 'to': 'Search', 'share': 0.2}];
    'move 200k from TV to Search' → [{'from': 'TV', 'to': 'Search', 'amount': 200000.0}] (an amount stays an
    amount: it is never read as "all of TV"); 'move TV to Search' (no size) → share 1.0;
    'cut Social by 10%' → [{'channel': 'Social', 'change': -0.1}]; 'double Email' → change +1.0."""
    chans = find_channels(text, known).found
    low = text.casefold()
    share = _share_words(low)
    money = amounts(re.sub(r"\d+(?:\.\d+)?\s*(%|percent)", " ", text))
    if len(chans) >= 2 and re.search(r"\b(move|shift|reallocate|transfer|put|switch|take)\b", low):
        src, dst = (chans[1], chans[0]) if _reversed_move(low) else (chans[0], chans[1])
        if share is None and money:
            return [{"from": src, "to": dst, "amount": money[0]}]
        return [{"from": src, "to": dst, "share": share if share is not None else 1.0}]
    if chans:
        if re.search(r"\bdoubl(e|ed|ing)\b", low):
            return [{"channel": chans[0], "change": 1.0}]
        if re.search(r"\bhalve|\bhalf\b", low):
            return [{"channel": chans[0], "change": -0.5}]
        if re.search(r"\b(stop|cut out|turn off|drop|pause|zero)\b", low) and share is None and not money:
            return [{"channel": chans[0], "change": -1.0}]
        sign = -1.0 if re.search(r"\b(cut|reduce|decrease|lower|less|drop|down)\b", low) else 1.0
        if share is not None:
            return [{"channel": chans[0], "change": sign * share}]
        if money:
            return [{"channel": chans[0], "amount": sign * money[0]}]
    return []


def _reversed_move(low: str) -> bool:
    """'put 100k into Search from TV': the destination is named first."""
    m = re.search(r"\b(into|to)\b.*\bfrom\b", low)
    return bool(m) and not re.search(r"\bfrom\b.*\b(into|to)\b", low)
