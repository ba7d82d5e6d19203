"""Periods that do not exist on any calendar: "February 30th 2022", "31 June", "2022-02-30", "31/31/2022", "Q5 2022",
"the fifth quarter", "month 13 of 2023", "week 60 of 2022", "H3 2023".

Read by ``agent.models.when`` before any other time phrase: left to the other readers, the year in "Q5 2022" was read
as all of 2022 and "February 30th 2022" as no period at all, so the answer was about a period other than the one
asked (the dangerous kind of miss). Each finder returns ``(first character, last character, phrase, reason)`` over
the lower-cased sentence; the analyst refuses with the reason and the data's range, and computes nothing.
"""

from __future__ import annotations

import calendar
import re

from agent.models.when_days import MONTHS, _reading
from agent.models.when_spans import YEAR

Impossible = tuple[int, int, str, str]

_MONTH_NUMBER = {name[:3]: i + 1 for i, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
_ORDINALS = {
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "zeroth": 0,
    "thirteenth": 13,
    "fourteenth": 14,
}
_ORD = r"(?P<n>\d{1,2})(?:st|nd|rd|th)|(?P<w>" + "|".join(_ORDINALS) + ")"
_NOT_MONEY = r"(?!\d|[.,]\d|\s*(?:k|m|bn|%|percent|per|a\s+week|dollars?|euros?|pounds?)\b)"

# "February 30th 2022", "feb 30", "June the 31st" / "30th of February 2022", "31 June"
_DAY_AFTER = re.compile(
    rf"\b(?P<m>{MONTHS})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?{_NOT_MONEY}(?:,?\s+(?P<y>{YEAR}))?\b"
)
_DAY_FIRST = re.compile(
    rf"\b(?:the\s+)?(?P<d>\d{{1,2}})(?:(?:st|nd|rd|th)\s+(?:of\s+)?|\s+)(?P<m>{MONTHS})\b\.?(?:,?\s+(?P<y>{YEAR}))?"
)
_NUMERIC = re.compile(rf"(?<![\d/.-])(?:\d{{1,2}}[/.]\d{{1,2}}[/.]{YEAR}|{YEAR}-\d{{2}}-\d{{2}})(?![\d/.-]*\d)")
_QUARTER = re.compile(
    rf"\bq(?P<q>0|[5-9])\s*(?:of\s+)?'?(?:{YEAR}|\d{{2}})\b|\b{YEAR}\s*-?\s*q(?P<q2>0|[5-9])\b"
    rf"|\b(?:the\s+)?(?:{_ORD})\s+(?:fiscal\s+)?quarter\b(?:\s+of\s+{YEAR}\b)?"
)
_MONTH = re.compile(
    rf"\bmonth\s+(?P<a>0|1[3-9]|[2-9]\d)\b(?:\s+of\s+{YEAR}\b)?|\b(?:the\s+)?(?:{_ORD})\s+month\s+of(?:\s+{YEAR}\b)?"
)
_WEEK = re.compile(
    rf"\b(?:weeks?|wks?)\.?\s*(?P<a>0|5[4-9]|[6-9]\d)(?:\s+of|\s+in|,)?\s+{YEAR}\b"
    rf"|\b(?:the\s+)?(?P<n>5[4-9]|[6-9]\d)(?:st|nd|rd|th)\s+week\s+of\b"
)
_HALF = re.compile(rf"\bh(?P<h>0|[3-9])\s*(?:of\s+)?'?(?:{YEAR}|\d{{2}})\b|\b{YEAR}\s*-?\s*h(?P<h2>0|[3-9])\b")


def impossible_periods(low: str) -> list[Impossible]:
    """Every phrase in ``low`` that names a period no calendar has, with why (see module doc)."""
    found = _days(low) + _numeric(low) + _quarters(low) + _months(low) + _weeks(low) + _halves(low)
    out: list[Impossible] = []
    for a, b, phrase, reason in sorted(found):
        if not any(a < b2 and a2 < b for a2, b2, _, _ in out):
            out.append((a, b, phrase, reason))
    return out


def _days(low: str) -> list[Impossible]:
    out = []
    for m in (*_DAY_AFTER.finditer(low), *_DAY_FIRST.finditer(low)):
        day, month = int(m.group("d")), _MONTH_NUMBER[m.group("m")[:3]]
        year = int(m.group("y")) if m.group("y") else 2024  # no year: a leap year, so 29 February stands
        length = calendar.monthrange(year, month)[1]
        if length < day <= 31 or day == 0:
            name = calendar.month_name[month]
            whose = f"{name} {year}" if m.group("y") else name
            most = "" if m.group("y") or month != 2 else "at most "
            why = f"{whose} has {most}{length} days" if day else "days are numbered from 1"
            out.append((m.start(), m.end(), m.group(0).strip(), why))
    return out


def _numeric(low: str) -> list[Impossible]:
    return [
        (m.start(), m.end(), m.group(0), "no reading of those digits is a calendar date")
        for m in _NUMERIC.finditer(low)
        if _reading(m.group(0), True) is None and _reading(m.group(0), False) is None
    ]


def _number(m: re.Match[str], *groups: str) -> int:
    for g in groups:
        if m.groupdict().get(g) is not None:
            return int(m.group(g))
    return _ORDINALS[m.group("w")] if m.groupdict().get("w") else -1


def _quarters(low: str) -> list[Impossible]:
    out = []
    for m in _QUARTER.finditer(low):
        n = _number(m, "q", "q2", "n")
        if n == 0 or n > 4:
            out.append((m.start(), m.end(), m.group(0).strip(), "a year has four quarters, Q1 to Q4"))
    return out


def _months(low: str) -> list[Impossible]:
    out = []
    for m in _MONTH.finditer(low):
        n = _number(m, "a", "n")
        if n == 0 or n > 12:
            out.append((m.start(), m.end(), m.group(0).strip(), "a year has twelve months"))
    return out


def _weeks(low: str) -> list[Impossible]:
    why = "a year has 52 weeks (a 53rd holds its last day or two)"
    return [(m.start(), m.end(), m.group(0).strip(), why) for m in _WEEK.finditer(low)]


def _halves(low: str) -> list[Impossible]:
    return [(m.start(), m.end(), m.group(0).strip(), "a year has two halves, H1 and H2") for m in _HALF.finditer(low)]
