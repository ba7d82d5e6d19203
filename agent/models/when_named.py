"""Periods named by a word rather than a calendar unit: fiscal years ("FY2024"), seasons ("summer 2022", "during the
summer") and parts of a year ("early 2023", "the first 3 months of 2023"). Read by ``agent.models.when`` (fiscal
years before quarters, so "Q1 FY2023" keeps its quarter; seasons and parts after halves).

Each finder returns (first character, last character, start, end, label) over the lower-cased sentence, as
``agent.models.when_spans`` does.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from agent.models.when_spans import YEAR, Span, month_end

# The aggregation grain a question asks for ("by month", "quarterly", "yoy").
GRAIN = [
    ("month", r"\b(?:by|per|each|every|a)\s+month\b|\bmonthly\b|\bmonth[- ](?:by|over|on)[- ]month\b"),
    (
        "quarter",
        r"\b(?:by|per|each|every|a)\s+quarter\b|\bquarterly\b|\bquarter[- ](?:by|over|on)[- ]quarter\b|\bqoq\b",
    ),
    (
        "year",
        r"\b(?:by|per|each|every|a)\s+year\b|\byearly\b|\bannual(?:ly)?\b|\byear[- ](?:by|over|on)[- ]year\b|"
        r"\byoy\b|\by/y\b",
    ),
    ("week", r"\b(?:by|per|each|every|a)\s+week\b|\bweekly\b"),
]
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8, "ten": 10, "twelve": 12}


def two_digit_year(text: str | None) -> int | None:
    """'2023' → 2023, '23' → 2023, None → None."""
    if not text:
        return None
    y = int(text)
    return y + 2000 if y < 100 else y


def fiscal_years(low: str, base: date, fiscal_month: int) -> list[Span]:
    """'FY2024' / 'fiscal 23': the fiscal year ending in that year, starting in ``fiscal_month``."""
    out = []
    for m in re.finditer(rf"\b(?:fy|fiscal(?:\s+year)?)\s*'?({YEAR}|\d{{2}})\b", low):
        y, f = two_digit_year(m.group(1)) or base.year, fiscal_month
        start = date(y - (f > 1), f, 1)  # FY2024 ends in 2024 (April 2023–March 2024 when it starts in April)
        end = month_end(y, f - 1) if f > 1 else date(y, 12, 31)
        # A fiscal year that starts in January is the calendar year: its months need no spelling out (and
        # "Jan 2019" would be a number the user never wrote when the period is refused).
        span = f", {start.strftime('%b %Y')}–{end.strftime('%b %Y')}" if f > 1 else ""
        out.append((m.start(), m.end(), start, end, f"FY{y}{span}"))
    return out


def seasons(low: str, base: date) -> list[Span]:
    """'summer 2022' → Jun–Aug 2022 (meteorological seasons; winter runs December into the next year)."""
    months = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
    rx = rf"\b(?:the\s+)?(spring|summer|autumn|fall|winter)\s+(?:of\s+)?'?({YEAR}|\d{{2}})\b"
    # without a year ("during the summer", "last summer"): the latest whole season in the data (never silently all
    # of it)
    bare = r"\b(?:(?:in|during|over|across|for|throughout)\s+(?:the\s+)?|(?:the\s+)?(?:last|this|past|previous)\s+)"
    bare += r"(spring|summer|autumn|fall|winter)\b"
    bare += r"(?!\s+(?:of\s+)?'?\d)()"  # no year follows (the empty group stands for it)
    out = []
    for m in list(re.finditer(rx, low)) + list(re.finditer(bare, low)):
        first, y = months[m.group(1)], two_digit_year(m.group(2)) or base.year
        while m.group(2) == "" and month_end(y + (first + 2) // 13, (first + 1) % 12 + 1) > base:
            y -= 1
        start = date(y, first, 1)
        k = y * 12 + first - 1 + 2  # the season's third month
        end = month_end(k // 12, k % 12 + 1)
        out.append((m.start(), m.end(), start, end, f"{m.group(1)} {y} ({start:%b}–{end:%b %Y})"))
    return out


def parts(low: str) -> list[Span]:
    """'early 2023' → Jan–Apr, 'mid 2022' → May–Aug, 'late 2021' / 'the end of 2021' → Sep–Dec (thirds of the
    year, named in the label so the answer shows the months used); 'the first 3 months of 2023' → Jan–Mar."""
    thirds = {"early": 1, "mid": 5, "middle of": 5, "late": 9, "end of": 9}
    out = []
    # "from mid-2022 to mid-2023": the year between the two midpoints (July to June), not two summers
    for m in re.finditer(
        rf"\b(?:from\s+|between\s+)?mid[\s-]+({YEAR})\s*(?:to|until|till|through|-|–|and)\s*"
        rf"mid[\s-]+({YEAR})\b",
        low,
    ):
        start, end = date(int(m.group(1)), 7, 1), date(int(m.group(2)), 6, 30)
        if start < end:
            label = f"mid-{m.group(1)} to mid-{m.group(2)} ({start:%b %Y}–{end:%b %Y})"
            out.append((m.start(), m.end(), start, end, label))
            low = low[: m.start()] + " " * (m.end() - m.start()) + low[m.end() :]
    for m in re.finditer(rf"\b(early|mid|middle of|late|(?:the\s+)?end of)[\s-]+({YEAR})\b", low):
        y, first = int(m.group(2)), thirds[m.group(1).replace("the ", "").strip()]
        start, end = date(y, first, 1), month_end(y, first + 3)
        out.append((m.start(), m.end(), start, end, f"{m.group(1)} {y} ({start:%b}–{end:%b %Y})"))
    rx = rf"\b(?:the\s+)?(first|last|final)\s+(\d+|{'|'.join(NUMBER_WORDS)})\s+(month|week|quarter)s?\s+of\s+({YEAR})\b"
    for m in re.finditer(rx, low):
        n, unit, y = int(NUMBER_WORDS.get(m.group(2), m.group(2))), m.group(3), int(m.group(4))
        if unit == "quarter":  # "the first two quarters of 2022": three months each
            n, unit = min(3 * n, 12), "month"
        days = timedelta(weeks=n) - timedelta(days=1)
        if m.group(1) == "first":
            start = date(y, 1, 1)
            end = month_end(y, min(n, 12)) if unit == "month" else start + days
        else:
            end = date(y, 12, 31)
            start = date(y, max(13 - n, 1), 1) if unit == "month" else end - days
        out.append((m.start(), m.end(), start, end, f"the {m.group(1)} {n} {unit}s of {y}"))
    return out


def latest_unit(base: date, word: str, unit: str, back: int) -> tuple[date, date, str]:
    """The calendar ``unit`` holding the data's last period ``base``, or ``back`` units before it (whole units),
    labelled with the ``word`` that named it ("last quarter, Q4 2024": on data ending 2024-12-30, the quarter holding
    that week)."""
    end = base
    if unit == "week":
        start = end - timedelta(weeks=back)
        return start, start + timedelta(days=6) if back else end, f"{word} week, {start.isoformat()}"
    if unit == "year":
        y = end.year - back
        return date(y, 1, 1), date(y, 12, 31) if back else end, f"{word} year, {y}"
    months = {"month": 1, "quarter": 3, "half": 6}[unit]
    k = (end.year * 12 + end.month - 1) // months - back  # index of the unit since year 0
    first = date(k * months // 12, k * months % 12 + 1, 1)
    last = month_end(first.year, first.month + months - 1) if back else end
    n = (first.month - 1) // months + 1
    what = {"month": first.strftime("%B %Y"), "quarter": f"Q{n} {first.year}", "half": f"H{n} {first.year}"}[unit]
    return first, last, f"{word} {unit}, {what}"
