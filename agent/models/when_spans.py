"""Time spans written as two ends, read before ``agent.models.when`` reads single periods: a run of quarters ("from
Q2 to Q3 2023", "between Q1 and Q4 2021") and a split fiscal year ("FY 2022/23", "2022-23"). Read alone, each end
would be a period of its own — two windows, which the router takes for a comparison — or, for "2022/23", the
calendar year 2022. Each finder returns (first character, last character, start, end, label) over the lower-cased
sentence, and ``agent.models.when`` turns them into windows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

YEAR = r"(?:19|20)\d{2}"  # a four-digit year (the pattern every time reader shares)
# After a number, a rate or a currency makes it money, not a year: "raise TV to 2000 a week", "2000 dollars" —
# unless a time word places it in time ("spend in 2023 per week").
_RATE_AFTER = re.compile(
    r"\s*(?:(?:per|a|an|each|every|/)\s*(?:week|month|day)\b|"
    r"(?:weekly|monthly|daily|dollars?|bucks|usd|eur|euros?|gbp|pounds?)\b)"
)
_IN_TIME = {"in", "during", "for", "over", "since", "from", "until", "till", "before", "after", "through", "of"}


def money_not_year(text: str, start: int, end: int) -> bool:
    """Whether the four-digit number at ``text[start:end]`` is an amount: a currency sign before it, or a rate
    or currency word after it that no time word before it overrides."""
    if start and text[start - 1] in "$€£":
        return True
    before = text[:start].split()[-1:]
    return bool(_RATE_AFTER.match(text, end)) and not (before and before[0] in _IN_TIME)


# "Q2 2023 to Q3 2023", "from Q2 to Q3 2023", "between Q1 and Q4 2021", "Q3'22 - Q1'23": one run of quarters. "and"
# joins two ends only after "between" ("Q1 and Q2 2022" alone sets two quarters against each other).
_QUARTER_RUN = re.compile(
    rf"\b(?:(?P<between>between)\s+|from\s+)?q(?P<q1>[1-4])\s*(?:of\s+|')?\s*(?P<y1>{YEAR}|\d{{2}})?\s*"
    rf"(?P<join>to|until|till|through|thru|and|-|–)\s*q(?P<q2>[1-4])\s*(?:of\s+|')?\s*(?P<y2>{YEAR}|\d{{2}})\b"
)
# "FY 2022/23", "fiscal year 2021-22", "2022/23", "FY22/23": a fiscal year across two calendar years.
_SPLIT_YEAR = re.compile(
    rf"\b(?:(?:fy|fiscal(?:\s+year)?)\s*'?)?(?P<y1>{YEAR}|(?<=fy)\d{{2}}|(?<=fy )\d{{2}})\s*[/-]\s*'?"
    rf"(?P<y2>{YEAR}|\d{{2}})\b(?![/-]\d)"
)
# "the 2022 holiday season", "Christmas 2021", "the festive period of 2022": November and December of that year. A
# bare "holiday" is not one (it may be the data's own Holiday variable).
_HOLIDAY = re.compile(
    rf"\b(?:the\s+)?(?:(?P<y1>{YEAR})\s+)?(?:(?:holiday|festive)\s+(?:season|period|weeks)|holidays|christmas|xmas)\b"
    rf"(?:\s+(?:of\s+|in\s+)?(?P<y2>{YEAR})\b)?"
)
# A fiscal year named by two calendar years starts after January; without the user's start month, April (the
# most common split fiscal year), spelled out in the label so the months used are seen.
SPLIT_YEAR_START = 4

Span = tuple[int, int, date, date, str]


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if y < 100 else y


def month_end(y: int, m: int) -> date:
    """The last day of month ``m`` (1-12) of year ``y``."""
    return date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)


def quarter_runs(low: str) -> list[Span]:
    """Runs of quarters: the first quarter's start to the last quarter's end (the first end takes the second's year,
    or the year before when its quarter comes later in the year)."""
    out = []
    for m in _QUARTER_RUN.finditer(low):
        if m.group("join") == "and" and not m.group("between"):
            continue
        if changed_from(low, m.start()):  # "how did spend change between Q1 and Q2?": two quarters, read apart
            continue
        q1, q2, y2 = int(m.group("q1")), int(m.group("q2")), _year(m.group("y2"))
        y1 = _year(m.group("y1")) if m.group("y1") else y2 - (q1 > q2)
        start, end = date(y1, 3 * q1 - 2, 1), month_end(y2, 3 * q2)
        if start < end:
            out.append((m.start(), m.end(), start, end, f"Q{q1} {y1} to Q{q2} {y2}"))
    return out


def split_fiscal_years(low: str, fiscal_month: int) -> list[Span]:
    """Fiscal years written with both calendar years ("FY 2022/23"): from the fiscal start month of the first year
    to the month before it in the second (the user's start month if given, else ``SPLIT_YEAR_START``)."""
    out = []
    first = fiscal_month if fiscal_month > 1 else SPLIT_YEAR_START
    for m in _SPLIT_YEAR.finditer(low):
        y1, y2 = _year(m.group("y1")), _year(m.group("y2"))
        named = m.group(0)[:1] in "fF" or len(m.group("y2")) == 2  # "2022-2023" alone is two calendar years
        if y2 != y1 + 1 or not named:
            continue
        start, end = date(y1, first, 1), month_end(y2, first - 1)
        label = f"FY{y1}/{y2 % 100:02d}, {start.strftime('%b %Y')}–{end.strftime('%b %Y')}"
        out.append((m.start(), m.end(), start, end, label))
    return out


def holiday_seasons(low: str) -> list[Span]:
    """The selling season of a named year: November and December."""
    out = []
    for m in _HOLIDAY.finditer(low):
        if bool(m.group("y1")) == bool(m.group("y2")):
            continue  # no year (or two): not one season
        y = int(m.group("y1") or m.group("y2"))
        out.append((m.start(), m.end(), date(y, 11, 1), date(y, 12, 31), f"holiday season {y} (Nov–Dec {y})"))
    return out


# A quarter or half written year first or run together: "2022's second quarter", "2023 H1", "2022Q3", "Q3-2022",
# "3Q22". Read alone, the year would be one window and the quarter another (of the data's last year).
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "final": 4}
_PART_FORMS = (
    re.compile(rf"\b(?P<y>{YEAR})(?:'s|’s)?\s+(?P<o>{'|'.join(_ORDINAL)})\s+(?P<u>quarter|half)\b"),
    re.compile(rf"\b(?P<y>{YEAR})\s*[-/]?\s*(?P<u>q|h)(?P<n>[1-4])\b"),
    re.compile(rf"\b(?P<u>q|h)(?P<n>[1-4])\s*[-/]\s*(?P<y>{YEAR})\b"),
    re.compile(r"\b(?P<n>[1-4])(?P<u>q|h)(?P<y>\d{2})\b"),
)


def part_forms(low: str) -> list[Span]:
    """Quarters and halves named year first or run together (see ``_PART_FORMS``)."""
    out = []
    for rx in _PART_FORMS:
        for m in rx.finditer(low):
            unit, y = m.group("u")[0], _year(m.group("y"))
            n = _ORDINAL[m.group("o")] if "o" in rx.groupindex else int(m.group("n"))
            if unit == "h" and n > 2:
                continue
            months = 3 if unit == "q" else 6
            start, end = date(y, months * (n - 1) + 1, 1), month_end(y, months * n)
            out.append((m.start(), m.end(), start, end, f"{unit.upper()}{n} {y}"))
    return out


# Calendar years joined ("2021-2022", "2021 to 2023"): one span, not two years set against each other.
_YEAR_RUN = re.compile(
    rf"\b(?<!fy )(?<!fy)(?P<y1>{YEAR})\s*(?:-|–|to|through|thru)\s*(?P<y2>{YEAR})\b(?![/-]\d)|"
    # "2022 and 2023 combined": one span, not two years set against each other
    rf"\b(?P<y1b>{YEAR})\s+(?:and|&|\+)\s+(?P<y2b>{YEAR})\s+(?:combined|together|in total|overall|altogether)\b"
)


# A change from one year to the next ("did Radio's ROI improve from 2022 to 2023?"): two years set against each
# other, not one span.
_CHANGE_BEFORE = re.compile(
    r"\b(improv|chang|grow|grew|increas|decreas|declin|rise|rising|rose|fall|fell|drop|shift|evolv|move|moving|moved|"
    r"went|go(es)? (up|down)|differ|deteriorat|worsen|better|recover)\w*\b[^.?!]{0,40}\bfrom\s+$"
)


def changed_from(low: str, start: int) -> bool:
    """Whether a word of change comes just before ``start`` ("how did sales change | between Q1 and Q2")."""
    return bool(_CHANGE_BEFORE.search(low[max(0, start - 60) : start] + " from "))


def change_between_years(low: str, m: re.Match[str]) -> bool:
    """Whether ``m`` joins two bare years after a word of change ("improve from 2022 to 2023")."""
    ends = [g for g in m.groups() if g]
    bare = len(ends) == 2 and all(re.fullmatch(YEAR, e.strip()) for e in ends)
    return bare and changed_from(low, m.start())


def year_runs(low: str) -> list[Span]:
    """Runs of whole calendar years written with both ends in four digits (fiscal forms are read before); a change
    "from 2022 to 2023" is two years, read apart."""
    out = []
    for m in _YEAR_RUN.finditer(low):
        y1, y2 = int(m.group("y1") or m.group("y1b")), int(m.group("y2") or m.group("y2b"))
        if _CHANGE_BEFORE.search(low[max(0, m.start() - 60) : m.start()]):
            continue
        if y2 > y1:
            out.append((m.start(), m.end(), date(y1, 1, 1), date(y2, 12, 31), f"{y1}–{y2}"))
    return out


# "the 12 months to June 2023", "the year to March 2023", "the 26 weeks ending June 2022": a trailing window that
# ends with the named month (read by the caller's date reader).
TRAILING = re.compile(
    r"\b(?:the\s+)?(?:(?P<n>\d+|two|three|six|twelve)\s+(?P<u>months?|weeks?|quarters?)|(?P<y>year))\s+"
    r"(?:to|ending(?: in)?|up to|through)\s+(?P<point>[a-z]+\.?\s+'?\d{2,4})\b"
)
_N = {"two": 2, "three": 3, "six": 6, "twelve": 12}


def trailing(low: str, end_of: Callable[[str], date | None]) -> list[Span]:
    """Trailing windows ("the 12 months to June 2023"); ``end_of`` reads the last day of the named month."""
    out = []
    for m in TRAILING.finditer(low):
        end = end_of(m.group("point"))
        if end:
            start = trailing_start(m, end)
            out.append((m.start(), m.end(), start, end, f"{m.group(0).strip()} ({start:%b %Y}–{end:%b %Y})"))
    return out


def trailing_start(m: re.Match[str], end: date) -> date:
    """The first day of a trailing window ending on ``end`` (whole months, or weeks back from the end)."""
    n = 12 if m.group("y") else int(_N.get(m.group("n"), m.group("n") or 1))
    unit = "month" if m.group("y") else m.group("u").rstrip("s")
    if unit == "week":
        return end - timedelta(weeks=n) + timedelta(days=1)
    k = end.year * 12 + end.month - n * (3 if unit == "quarter" else 1)  # months back from the end month
    return date(k // 12, k % 12 + 1, 1)


def unit_windows(unit: str, first: date, last: date) -> list[tuple[date, date, str]]:
    """Every calendar year, quarter or month that overlaps [first, last], as (start, end, label): "ROI by quarter"
    is the ROI over each quarter of the data."""
    out, start = [], date(first.year, first.month if unit != "year" else 1, 1)
    if unit == "quarter":
        start = date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    step = {"year": 12, "quarter": 3, "month": 1}[unit]
    while start <= last:
        months = start.year * 12 + start.month - 1 + step
        nxt = date(months // 12, months % 12 + 1, 1)
        label = {"year": f"{start.year}", "quarter": f"Q{(start.month - 1) // 3 + 1} {start.year}"}.get(
            unit, start.strftime("%B %Y")
        )
        out.append((start, nxt - timedelta(days=1), label))
        start = nxt
    return out


def rest_of_year(start: date, end: date, label: str) -> tuple[list[tuple[date, date, str]], tuple[date, date]]:
    """ "Q4 vs the rest of the year": the year of [start, end] without it, as (start, end, label) spans (two when
    the period sits in the middle of the year), and that whole year — which, also read ("in 2023"), names the
    year rather than a window of its own. No spans for a period that is a whole year or crosses one."""
    y0, y1 = date(start.year, 1, 1), date(start.year, 12, 31)
    if end > y1 or (start, end) == (y0, y1):
        return [], (y0, y1)
    before = (y0, start - timedelta(days=1), f"the rest of {y0.year} before {label}")
    after = (end + timedelta(days=1), y1, f"the rest of {y0.year} after {label}")
    spans = [s for s in (before, after) if s[0] <= s[1]]
    if len(spans) == 1:
        spans = [(spans[0][0], spans[0][1], f"the rest of {y0.year}")]
    return spans, (y0, y1)


def previous_span(start: date, end: date) -> tuple[date, date, str] | None:
    """The span of calendar months just before [start, end], as many months as it touches ("how did sales grow in
    2023?" sets 2023 against 2022; "last year" ends on the data's last period, inside December), labelled like a
    year, quarter or month; None when the window does not start on a month's first day."""
    if start.day != 1:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    first = start.year * 12 + start.month - 1 - months
    a = date(first // 12, first % 12 + 1, 1)
    b = start - timedelta(days=1)
    if months == 12 and a.month == 1:
        label = f"{a.year}"
    elif months == 3 and a.month % 3 == 1:
        label = f"Q{(a.month - 1) // 3 + 1} {a.year}"
    elif months == 1:
        label = a.strftime("%B %Y")
    else:
        label = f"{a.isoformat()} to {b.isoformat()}"
    return a, b, label


# "the 4 weeks before Christmas 2022", "the week before Black Friday 2023": weeks leading up to a dated event.
_BEFORE_EVENT = re.compile(
    rf"\b(?:the\s+)?(?:(?P<n>\d+|two|three|four|five|six|eight)\s+weeks|(?P<one>a|one|the)\s+week)\s+"
    rf"(?:before|leading up to|prior to|ahead of|running up to)\s+(?P<event>christmas|xmas|black friday|"
    rf"thanksgiving|new year'?s?(?: day)?)(?:\s+(?:of\s+)?(?P<y>{YEAR}))\b"
)
_WORD_WEEKS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "eight": 8}


def _event_day(event: str, year: int) -> date:
    """The day of a named retail event in ``year`` (Thanksgiving: the fourth Thursday of November)."""
    if event in ("christmas", "xmas"):
        return date(year, 12, 25)
    if event.startswith("new year"):
        return date(year, 1, 1)
    first = date(year, 11, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 21)
    return thursday + timedelta(days=1) if event == "black friday" else thursday


# The week of a dated event ("Black Friday week 2022", "the week of Thanksgiving 2023"): Monday to Sunday around it.
_EVENT_WEEK = re.compile(
    rf"\b(?:the\s+)?(?:(?P<e1>black friday|cyber monday|thanksgiving|christmas|xmas)\s+week|week\s+of\s+"
    rf"(?P<e2>black friday|cyber monday|thanksgiving|christmas|xmas))\s+(?:of\s+|in\s+)?(?P<y>{YEAR})\b"
)


def event_weeks(low: str) -> list[Span]:
    """The Monday-to-Sunday week holding a named event of a named year (one weekly period of data on Mondays)."""
    out = []
    for m in _EVENT_WEEK.finditer(low):
        event, y = m.group("e1") or m.group("e2"), int(m.group("y"))
        cyber = event == "cyber monday"  # the Monday after Black Friday
        day = _event_day("black friday" if cyber else event, y) + timedelta(days=3 if cyber else 0)
        start = day - timedelta(days=day.weekday())
        end = start + timedelta(days=6)
        out.append((m.start(), m.end(), start, end, f"{event} week {y} ({start.day} {start:%b}–{end.day} {end:%b %Y})"))
    return out


def weeks_before_events(low: str) -> list[Span]:
    """The weeks before a dated event, up to the day before it."""
    out = []
    for m in _BEFORE_EVENT.finditer(low):
        n = 1 if m.group("one") else int(m.group("n")) if m.group("n").isdigit() else _WORD_WEEKS[m.group("n")]
        day = _event_day(m.group("event"), int(m.group("y")))
        start, end = day - timedelta(days=7 * n), day - timedelta(days=1)
        what = f"the {n} weeks" if n > 1 else "the week"
        label = f"{what} before {m.group('event').title()} {m.group('y')} ({start:%d %b}–{end:%d %b %Y})"
        out.append((m.start(), m.end(), start, end, label))
    return out
