"""Time phrases finer than a month, or named by a word instead of a year, read before ``agent.models.when`` reads
single periods: numbered weeks ("weeks 1-13 of 2023"), a month named relative to the data's end ("since last
March"), and dates written in digits ("3/3/2022", "13/3/2022 to 10/4/2022"). Read alone, each would lose its
precision: the year would be read as the whole year, and "last March" not at all (a dropped filter).

Each finder returns (first character, last character, start, end, label) over the lower-cased sentence, as
``agent.models.when_spans`` does. Also the pieces of the day-precision date pattern (``DAY_FIRST``,
``DAY_AFTER``: "the 3rd of March", "March 3rd") that ``agent.models.when`` puts around a month name.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from agent.models.when_spans import YEAR as _YEAR
from agent.models.when_spans import Span, month_end

MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_NUMBER = {name[:3]: i + 1 for i, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
# A day before a month ("3 March", "3rd March", "the 3rd of March") or after it ("March 3", "March the 3rd"). A
# bare number takes "of" only with an ordinal ending, so "top 3 of March 2023" is not the 3rd.
DAY_FIRST = r"(?:(?:the\s+)?\d{1,2}(?:st|nd|rd|th)\s+(?:of\s+)?|\d{1,2}\s+)"
DAY_AFTER = r"\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?"

# "week 5 of 2023", "weeks 1-13 of 2023", "weeks 10 to 20 of 2022", "wk 12 2021", "2023 weeks 1 to 13". A year is
# required: "week 3" alone is too often a plan's week ("spend more in week 3") to be read as a filter.
_WEEK_NUMBERS = re.compile(
    rf"\b(?:(?P<y0>{_YEAR})(?:'s)?\s+)?(?:weeks?|wks?)\.?\s*(?P<a>\d{{1,2}})"
    rf"(?:\s*(?:-|–|to|through|thru|and)\s*(?:(?:weeks?|wks?)\.?\s*)?(?P<b>\d{{1,2}}))?"
    rf"(?:(?:\s+of|\s+in|,)?\s+(?P<y>{_YEAR}))?\b"
)


def week_numbers(low: str) -> list[Span]:
    """Numbered weeks of a year. Week n is the 7 days from 1 January + 7(n-1) days (the last week cut at 31
    December): the reading "the first 13 weeks of 2023" already has, and whatever weekday the data's periods start
    on, each such week holds exactly one weekly period. ISO weeks would put 1-3 January in the year before."""
    out = []
    for m in _WEEK_NUMBERS.finditer(low):
        year = m.group("y") or m.group("y0")
        a, b = int(m.group("a")), int(m.group("b") or m.group("a"))
        if not year or not 1 <= a <= b <= 53:
            continue
        y = int(year)
        start = date(y, 1, 1) + timedelta(weeks=a - 1)
        end = min(date(y, 1, 1) + timedelta(weeks=b) - timedelta(days=1), date(y, 12, 31))
        what = f"week {a}" if a == b else f"weeks {a}–{b}"
        out.append((m.start(), m.end(), start, end, f"{what} of {y} ({start.day} {start:%b}–{end.day} {end:%b %Y})"))
    return out


# "last March", "since last March", "this June vs last June": a month named relative to the data's last period.
_NAMED_MONTH = re.compile(
    rf"\b(?:(?P<since>since|from|after)\s+)?(?:the\s+)?(?P<w>last|this|previous|prior)\s+(?P<m>{MONTHS})\b"
    r"(?!\s*(?:\d|'\d))"
)


def named_months(low: str, base: date) -> list[Span]:
    """A month named with "last" / "this": the latest such month starting on or before the data's last period
    ``base`` (like "last quarter", the one holding it counts). Beside "this <month>" of the same month, "last" is the
    one a year before. After "since", the window runs to ``base``."""
    this = {m.group("m")[:3] for m in _NAMED_MONTH.finditer(low) if m.group("w") == "this"}
    out = []
    for m in _NAMED_MONTH.finditer(low):
        if m.group("w") == "this" and m.group("m") == "may":
            continue  # "this may change": the verb
        month = _MONTH_NUMBER[m.group("m")[:3]]
        y = base.year if date(base.year, month, 1) <= base else base.year - 1
        y -= int(m.group("w") != "this" and m.group("m")[:3] in this)
        start = date(y, month, 1)
        if m.group("since"):
            out.append((m.start(), m.end(), start, base, f"since {start:%B %Y}"))
        else:
            out.append((m.start(), m.end(), start, month_end(y, month), f"{m.group('w')} {start:%B}, {start:%B %Y}"))
    return out


_NUMERIC = r"\d{1,2}[/.]\d{1,2}[/.](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}"  # d/m/y or m/d/y; ISO
_NUMERIC_RUN = re.compile(
    rf"\b(?:(?P<pre>from|between)\s+)?(?P<a>{_NUMERIC})"
    rf"(?:\s*(?P<join>-|–|to|until|till|through|thru|and)\s*(?P<b>{_NUMERIC}))?"
    r"(?![\d/.]*\d)"
)


def _reading(text: str, day_first: bool) -> date | None:
    if "-" in text:  # ISO: one reading
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    x, y, year = (int(p) for p in re.split(r"[/.]", text))
    day, month = (x, y) if day_first else (y, x)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def numeric_dates(low: str) -> list[Span]:
    """Dates in digits, one or a run of two, when their reading is not in doubt: every order (day/month or
    month/day) the digits allow gives the same window ("3/3/2022"; "13/3/2022 to 10/4/2022", where the end read
    one way only sets the order of both). "3/4/2022" alone could be 3 April or 4 March: left unread, never guessed."""
    out = []
    for m in _NUMERIC_RUN.finditer(low):
        for a, b, ends in _runs(m):
            windows = _windows(ends)
            if len(windows) == 1:
                [(start, end)] = windows
                label = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
                out.append((a, b, start, end, label))
    return out


def _runs(m: re.Match[str]) -> list[tuple[int, int, list[str]]]:
    """``(start, end, ends)`` of each date or run in one match: two days side by side ("3/3/2022 and 4/5/2022")
    are two; "between … and …" and "… to …" are one run."""
    if m.group("join") == "and" and m.group("pre") != "between":
        return [(m.start(g), m.end(g), [m.group(g)]) for g in ("a", "b")]
    return [(m.start(), m.end(), [e for e in (m.group("a"), m.group("b")) if e])]


def _windows(ends: list[str]) -> list[tuple[date, date]]:
    """The distinct windows from the first to the last of ``ends`` over the reading orders that allow them
    (day first, then month first)."""
    out: list[tuple[date, date]] = []
    for day_first in (True, False):
        got = [_reading(e, day_first) for e in ends]
        if all(got) and got[0] <= got[-1] and (got[0], got[-1]) not in out:
            out.append((got[0], got[-1]))
    return out


def shared_year(first: str, second: str) -> str:
    """The first end of a range with the second's year when it names none ("between March 3rd and April 10th
    2022": both in 2022). Two trailing digits are a year ("from Sept '22 to March 2023") unless the second end
    names a day, then they are the first's day ("from March 13 to April 10 2022")."""
    second_day = re.search(rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})|(?:{MONTHS})\.?{DAY_AFTER}\b", second)
    year = re.search(_YEAR, second) or (None if second_day else re.search(r"'?\d{2}$", second))
    if not year or re.search(rf"{_YEAR}|'\d{{2}}$|\d{{4}}-", first) or (re.search(r"\d{2}$", first) and not second_day):
        return first
    return f"{first} {year.group(0)}"


def ambiguous_numeric(low: str) -> tuple[str, list[str]] | None:
    """The first date (or run of two) in digits that reads as two different windows, with both in words
    (``("3/4/2022", ["3 April 2022", "4 March 2022"])``), or None. Left unread by :func:`numeric_dates`, such a
    date would leave the question without the period it names, so the analyst asks which is meant."""
    for m in _NUMERIC_RUN.finditer(low):
        for _a, _b, ends in _runs(m):
            windows = _windows(ends)
            if len(windows) == 2:
                return " to ".join(ends), [" to ".join(dict.fromkeys(_words(d) for d in w)) for w in windows]
    return None


def _words(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def month_of_named_year(labels: list[str], bare: list[date], text: str) -> tuple[int, int] | None:
    """``(year, month)`` when a month named without a year sits beside one named year and nothing is compared ("in
    2022, what did TV contribute in March?", "how much of 2023's sales came from Radio in December?"): that year's
    month, one window — not the latest March against the whole year. ``labels``: the windows read, in order;
    ``bare``: the starts of the months read without a year."""
    years = [lab for lab in labels if re.fullmatch(_YEAR, lab)]
    if len(labels) != 2 or len(years) != 1 or len(bare) != 1:
        return None
    if re.search(r"\b(vs\.?|versus|compar\w*|against)\b", text.casefold()):
        return None  # "2022 vs March": two windows, as asked
    return int(years[0]), bare[0].month
