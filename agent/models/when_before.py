"""A window named relative to the one before it in the sentence: "last quarter vs the previous quarter", "Q3 2023
compared with the quarter before", "March 2023 and the month before it", "2023 against the prior year".

Read as "the latest quarter" on its own, "the previous quarter" beside "last quarter" gave the same quarter twice (a
comparison of a period with itself, reported as if two). ``agent.models.when`` sets such a phrase aside when it
follows a comparison word, and once every other window is read resolves it against the nearest window before it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from agent.models.when_spans import month_end

_UNIT = r"week|month|quarter|half|year|one|period"
_CONNECTOR = r"(?:vs\.?|versus|compared\s+(?:with|to)|against|than|and|to|with|over)"
# "vs the previous quarter", "against the prior one", "and the quarter before (it|that)", "to the preceding month"
_TAIL = re.compile(
    rf"\b{_CONNECTOR}\s+(?:the\s+)?(?:(?P<w>previous|prior|preceding)\s+(?P<u>{_UNIT})\b"
    rf"|(?P<u2>{_UNIT})\s+before(?:\s+(?:it|that|then))?\b)"
)
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def tails(low: str) -> list[tuple[int, int, str, str]]:
    """``(first character, last character, word, unit)`` of each phrase naming the window before another; the
    characters cover only the phrase after the comparison word (that word stays for the comparison readers)."""
    out = []
    for m in _TAIL.finditer(low):
        unit = m.group("u") or m.group("u2")
        a = m.start("w") if m.group("w") else m.start("u2")
        out.append((a, m.end(), m.group("w") or "the", unit))
    return out


def window_before(start: date, end: date, unit: str, word: str) -> tuple[date, date, str]:
    """The ``unit`` just before the window [start, end] ("one"/"period": as long as it), labelled like "previous
    quarter, Q3 2023"."""
    if unit in ("one", "period"):
        months = _whole_months(start, end)
        unit = {1: "month", 3: "quarter", 6: "half", 12: "year"}.get(months or 0, "period")
    if unit in _MONTHS and start.day == 1:
        k = start.year * 12 + start.month - 1 - _MONTHS[unit]
        a = date(k // 12, k % 12 + 1, 1)
        b = month_end((k + _MONTHS[unit] - 1) // 12, (k + _MONTHS[unit] - 1) % 12 + 1)
        name = _unit_name(a, unit)
    else:  # a week, or a window not on month boundaries: the same number of days just before it
        days = timedelta(days=7) if unit == "week" else end - start + timedelta(days=1)
        a, b = start - days, start - timedelta(days=1)
        name = f"{a.isoformat()} to {b.isoformat()}"
    lead = f"{word} {unit}" if word != "the" else f"the {unit} before"
    return a, b, f"{lead}, {name}"


def _whole_months(start: date, end: date) -> int | None:
    """Calendar months the window spans from a month's first day (the latest unit ends on the data's last period,
    inside its month, and still counts whole)."""
    if start.day != 1:
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _unit_name(a: date, unit: str) -> str:
    if unit == "month":
        return a.strftime("%B %Y")
    if unit == "quarter":
        return f"Q{(a.month - 1) // 3 + 1} {a.year}"
    if unit == "half":
        return f"H{(a.month - 1) // 6 + 1} {a.year}"
    return f"{a.year}"
