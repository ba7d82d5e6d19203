"""Windows built from the windows a sentence names: a period left out ("TV's ROI excluding 2021": the rest of the
data, or of the window named beside it) and a part of a year repeated ("ROI in the first quarter of each year": Q1
of every year in the data).

Read alone, "excluding 2021" was the window 2021 itself and "the first quarter of each year" the latest Q1 only:
answers about a different period than the one asked. A period left out of the middle of the range leaves a gap,
which the analyst refuses (effects carry over across weeks; see ``answers/not_in_data.j2``, kind ``gaps``).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Protocol

_EXCLUDING = re.compile(
    r"\b(excluding|excl\.?|except(\s+for)?|other than|apart from|aside from|not counting|not including|leaving out|"
    r"leave out|ignoring|without|outside(\s+of)?|but not|minus|ex)\s+(the\s+)?(year\s+|period\s+|months?\s+|weeks?\s+)?"
    r"(of\s+|in\s+)?$"
)
_EACH_YEAR = re.compile(
    r"\b(each|every)\s+year('?s)?\b|\byear after year\b|\bin all (the )?(\w+ )?years\b|\bacross (all )?(the )?years\b"
)


class WindowLike(Protocol):
    start: date
    end: date
    label: str


def is_excluded(low: str, at: int) -> bool:
    """Whether the time phrase starting at character ``at`` follows a word that leaves it out ("excluding 2021")."""
    return bool(_EXCLUDING.search(low[:at].rstrip() + " "))


def remainder(base: tuple[date, date], left_out: WindowLike) -> tuple[date, date] | None:
    """The part of ``base`` (start, end) outside ``left_out``, when it is one continuous window; None when leaving it
    out would leave a gap (or nothing)."""
    start, end = base
    if left_out.end < start or left_out.start > end:
        return base  # outside the range: nothing is left out
    if left_out.start <= start and left_out.end < end:
        return left_out.end + timedelta(days=1), end
    if left_out.end >= end and left_out.start > start:
        return start, left_out.start - timedelta(days=1)
    return None


def asks_each_year(low: str) -> bool:
    return bool(_EACH_YEAR.search(low))


def each_year(w: WindowLike, first: date, last: date, text: str) -> list[tuple[date, date, str]]:
    """``w`` (a part of one calendar year, its year not written in ``text``) in every year from ``first`` to
    ``last`` that it overlaps, labelled with that year; [] when ``w`` is not such a part."""
    one_year = w.start.year == w.end.year and (w.end - w.start).days < 360
    if not one_year or str(w.start.year) in text:
        return []
    out = []
    for y in range(first.year, last.year + 1):
        try:
            a, b = w.start.replace(year=y), w.end.replace(year=y)
        except ValueError:  # 29 February in a year without one
            continue
        if b >= first and a <= last:
            out.append((a, b, re.sub(rf"\b{w.start.year}\b", str(y), w.label)))
    return out if len(out) > 1 else []


def shape(found: list, low: str, text: str, first: date | None, last: date | None, make) -> tuple[list, tuple]:
    """``(windows, gaps)`` from ``found`` ((character, window) pairs in sentence order, ``low`` the sentence they were
    read from): a window left out becomes the rest of the window beside it (or of the data, ``first``..``last``),
    or a gap to refuse; one part of a year asked "of each year" becomes that part in every year. ``make(start,
    end, label)`` builds a window."""
    left = [w for at, w in found if is_excluded(low, at)]
    windows = [w for at, w in found if not is_excluded(low, at)]
    if left:
        base = (windows[0].start, windows[0].end) if len(windows) == 1 else (first, last) if first and last else None
        rest = base
        left = [_into_year_of(w, windows, text) for w in left]
        for w in left:
            rest = remainder(rest, w) if rest else None
        names = ", ".join(w.label for w in left)
        if rest is None or len(windows) > 1:
            return [], tuple(f"excluding {w.label}" for w in left)  # refused: nothing is read as the period
        windows = [make(rest[0], rest[1], f"{windows[0].label if windows else 'the data'} without {names}")]
    if len(windows) == 1 and first and last and asks_each_year(text.casefold()):
        windows = [make(*x) for x in each_year(windows[0], first, last, text)] or windows
    return windows, ()


def _into_year_of(w: WindowLike, beside: list, text: str) -> WindowLike:
    """'2022 excluding Q4': a part of a year named without one, left out of a window inside one year, is that year's
    part (read alone, "Q4" is the latest Q4 in the data)."""
    if len(beside) != 1 or str(w.start.year) in text or w.start.year != w.end.year:
        return w
    y = beside[0].start.year
    if beside[0].end.year != y or w.start.year == y:
        return w
    try:
        start, end = w.start.replace(year=y), w.end.replace(year=y)
    except ValueError:
        return w
    return _Span(start, end, re.sub(rf"\b{w.start.year}\b", str(y), w.label))


class _Span:
    def __init__(self, start: date, end: date, label: str) -> None:
        self.start, self.end, self.label = start, end, label
