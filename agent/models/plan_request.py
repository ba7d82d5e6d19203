"""A budget plan's request in plain words: the money, the horizon, and limits on channels ("plan 2 million over the
next quarter with TV at most 30% and at least 10k on every channel"). Read by the router for the ``optimize`` tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.models.amounts import amounts, digits, window_periods
from agent.models.names import find_channels


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
    # ("the next 6 months" is a horizon, not money: the number must not be a count of periods).
    # "a million more", "$500k extra", "2 million on top": the same, with the word after the money.
    worded = digits(text)
    req.incremental = bool(
        re.search(
            r"\b(next|extra|additional|incremental|another|more)\s+[$€£]?\s?\d[\d,.]*\s?(k|m|mm|mn|bn|b|thousand|"
            r"million|billion|grand)?\b(?!\s*(weeks?|months?|quarters?|years?|days?|periods?))",
            worded,
            re.IGNORECASE,
        )
        or re.search(
            r"(?:[$€£]\s?\d[\d,.]*\s?(?:k|m|mm|mn|bn|b|thousand|million|billion|grand)?|\d[\d,.]*\s?(?:k|m|mm|mn|bn|b|"
            r"thousand|million|billion|grand))\s+(more|extra|additional|on top|in addition)\b",
            worded,
            re.IGNORECASE,
        )
    )
    for clause in _CLAUSE.split(text):
        low = clause.casefold()
        # "at least 10k on every channel", "no channel below 5%": a limit on each channel alike
        side = _limit_side(low)
        each = side is not None and _EACH_CHANNEL.search(low)  # not "how much should each channel get of 2m?"
        chans = find_channels(clause, known).found or (list(known) if each else [])
        amount = amounts(re.sub(r"\d+\s*%", " ", clause))
        pct = re.search(r"(\d+(?:\.\d+)?)\s*(%|percent)", low)
        if not chans:
            if amount and req.budget is None and not pct:
                req.budget = max(amount)
            continue
        if re.search(
            r"\b(flat|unchanged|as is|same|constant|fixed|steady|don'?t touch|leave|(at|on) (its |their )?(current|"
            r"today'?s|existing|present) (level|levels|spend)|where (it|they) (is|are))\b",
            low,
        ):
            req.fixed.append(chans[0])
        elif pct and side:
            for ch in chans if len(chans) > 1 else chans[:1]:
                getattr(req, f"{side}_share")[ch] = float(pct.group(1)) / 100
        elif amount and side:
            for ch in chans if len(chans) > 1 else chans[:1]:
                req.bounds.setdefault(ch, [None, None])[side == "max"] = amount[0]
        elif amount and req.budget is None:
            req.budget = max(amount)
    return req


# Every channel alike: "on every channel", "each channel", "any channel", "per channel", "all channels".
_EACH_CHANNEL = re.compile(r"\b(every|each|any|all|per|no) (single |one )?(of the |of our )?(channels?|media)\b")
# Which side a limit sets: a negated ceiling or floor first ("can't go below 10k" is a floor, though it says below).
_NEGATED = r"(can'?t|cannot|can not|not|never|don'?t|no channel|none)\s+(\w+\s+){0,2}?"
_LIMITS = (
    ("max", re.compile(rf"\b{_NEGATED}(above|over|more than|beyond|exceed\w*)\b|\bexceed")),
    ("min", re.compile(rf"\b{_NEGATED}(below|under|less than|lower than)\b")),
    ("min", re.compile(r"\b(at least|min(imum)?|no less than|not less than|floor|above)\b")),
    ("max", re.compile(r"\b(no more than|at most|max(imum)?|up to|cap|capped|not more than|under|below)\b")),
)


def _limit_side(low: str) -> str | None:
    """'min' (a floor) or 'max' (a ceiling) for a clause that limits a channel's spend or share, else None."""
    return next((side for side, rx in _LIMITS if rx.search(low)), None)
