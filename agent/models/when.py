"""Time in a user's sentence → calendar windows over the data, read with dateparser.

dateparser reads the dates themselves ("March 2023", "2023", "15 Mar 2023", "sept 22") and says how precise they
are (day, month or year), which sets the window ("March 2023" → Mar 1–31). Small regexes only give structure
around it: quarters ("Q3 2023"), halves ("H1 2023"), fiscal years ("FY2024", with a start-month hint such as
"fiscal year starts in April"), ranges ("since March", "from Jan to Jun 2023"), "the last 8 weeks" and
"last quarter"; numbered weeks, dates in digits and months named by a word ("since last March") are read in
``when_days``. Relative words are relative to the **data's last period**, not to today: on data ending in
December 2024, "last quarter" is Q4 2024. Two windows ("2023 vs 2024") are a comparison.

A window that holds no period of the data is reported in ``outside`` so the answer can refuse it with the data's
range. Nothing here reads the store: the caller passes the data's first and last period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from agent.models import when_before, when_days, when_impossible, when_named, when_sets, when_spans
from agent.models.when_days import DAY_AFTER, DAY_FIRST
from agent.models.when_days import MONTHS as _MONTHS
from agent.models.when_named import NUMBER_WORDS as _NUM
from agent.models.when_named import two_digit_year as _year
from agent.models.when_spans import YEAR as _YEAR
from agent.models.when_spans import month_end

# A year named relative to the data's last period, after a quarter or a half ("Q3 of last year").
_NOW = re.compile(r"\b(compared (?:to|with)|vs\.?|versus|against|than) (?:now|today|currently|the present)\b", re.I)
_NOW_AFTER = re.compile(r"\b(?:now|today|currently)\s+(vs\.?|versus|compared (?:to|with)|against)", re.I)
# Units written short ("last yr", "prev qtr", "past 3 mths"): read as the words, or the period was dropped.
_UNIT_WORDS = {"yr": "year", "qtr": "quarter", "mth": "month", "mo": "month", "prev": "previous"}
_ABBREVIATED = re.compile(r"\b(yr|qtr|mth|mo|prev)(s)?\b\.?", re.I)
_REL_YEAR = r"(?:the\s+)?(last|previous|prior|this|current)\s+year"
_ORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


@dataclass(frozen=True)
class Window:
    """A calendar window [start, end] (inclusive) and how to name it in an answer."""

    start: date
    end: date
    label: str

    def as_arg(self) -> dict[str, str]:
        """The tools' ``windows`` item."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "label": self.label}


@dataclass(frozen=True)
class When:
    """What a sentence says about time: windows (1 = a filter, 2+ = a comparison), the ones outside the data,
    the aggregation grain asked for ("by month"), and the phrases read as time (not names)."""

    windows: tuple[Window, ...] = ()
    outside: tuple[Window, ...] = ()
    grain: str | None = None
    phrases: tuple[str, ...] = ()
    data_start: date | None = None
    data_end: date | None = None
    impossible: tuple[tuple[str, str], ...] = ()  # (phrase, why): periods no calendar has ("February 30th 2022")
    gaps: tuple[str, ...] = ()  # "excluding Q2 2022" inside the range: a window with a hole, refused

    @property
    def args(self) -> list[dict[str, str]]:
        return [w.as_arg() for w in self.windows]

    def data_range(self) -> str:
        if self.data_start and self.data_end:
            return f"{self.data_start.isoformat()} to {self.data_end.isoformat()}"
        return "unknown"


def _as_date(x: Any) -> date | None:
    if x is None or x == "":
        return None
    return x if isinstance(x, date) and not isinstance(x, datetime) else date.fromisoformat(str(x)[:10])


@lru_cache(maxsize=1)
def _parser_module():
    import dateparser  # lazy: ~60 ms, only when a sentence mentions time

    return dateparser


@lru_cache(maxsize=4)
def _date_parser(base: date):
    """One dateparser reader per data end (building one costs more than parsing a phrase)."""
    settings = {
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_TIME_AS_PERIOD": False,
    }
    return _parser_module().date.DateDataParser(languages=["en"], settings=settings)


def _parse(phrase: str, base: date) -> tuple[date, str] | None:
    """(date, precision 'day'|'month'|'year') of a date phrase, dateparser's reading; None if not a date."""
    data = _date_parser(base).get_date_data(phrase)
    if data.date_obj is None:
        return None
    return data.date_obj.date(), data.period or "day"


def _span(d: date, precision: str) -> tuple[date, date]:
    if precision == "year":
        return date(d.year, 1, 1), date(d.year, 12, 31)
    if precision == "month":
        return date(d.year, d.month, 1), month_end(d.year, d.month)
    return d, d


def _latest_year(first_month: int, base: date) -> int:
    """The latest year whose period starting in ``first_month`` starts on or before ``base``."""
    return base.year if date(base.year, first_month, 1) <= base else base.year - 1


class _Reader:
    def __init__(self, text: str, base: date, fiscal_month: int) -> None:
        self.low = " " + " ".join(text.casefold().replace("’", "'").split()) + " "
        self.base, self.fiscal_month = base, fiscal_month
        self.found: list[tuple[int, Window]] = []
        self.first: date | None = None  # the data's first period (windows open to the past start there)
        self.phrases: list[str] = []
        self.bare: list[Window] = []  # months read without a year ("in March"): the latest in the data
        self.impossible: list[tuple[str, str]] = []
        self.before: list[tuple[int, str, str]] = []  # "vs the previous quarter": (where, word, unit), read last

    def impossible_periods(self) -> None:
        """Periods no calendar has ("Q5 2022"), read first so no later step reads their year as the period."""
        for a, b, phrase, why in when_impossible.impossible_periods(self.low):
            self.impossible.append((phrase, why))
            self.phrases.append(phrase)
            self.low = self.low[:a] + " " * (b - a) + self.low[b:]

    def take(self, m: re.Match, window: Window) -> None:
        self.take_at(m.start(), m.end(), window)

    def take_at(self, a: int, b: int, window: Window) -> None:
        """Keep ``window`` for the characters a..b, blanked so no later step reads them again."""
        self.found.append((a, window))
        self.phrases.append(self.low[a:b].strip())
        self.low = self.low[:a] + " " * (b - a) + self.low[b:]

    def spans(self) -> None:
        """Two ends of one span ("from Q2 to Q3 2023", "FY 2022/23") before either end is read as a period, and
        named seasons that hold a year ("the 2022 holiday season")."""
        found = when_spans.quarter_runs(self.low) + when_spans.split_fiscal_years(self.low, self.fiscal_month)
        found += when_spans.weeks_before_events(self.low) + when_spans.event_weeks(self.low)
        found += when_spans.holiday_seasons(self.low) + when_spans.part_forms(self.low) + when_spans.year_runs(self.low)
        found += when_spans.trailing(self.low, lambda phrase: (w := self.date_window(phrase)) and w.end)
        found += when_days.week_numbers(self.low) + when_days.named_months(self.low, self.base)
        found += when_days.numeric_dates(self.low)
        read = self.low
        for a, b, start, end, label in sorted(found, key=lambda f: f[0]):
            if self.low[a:b] != read[a:b]:
                continue  # overlaps a phrase already read
            self.take_at(a, b, Window(start, end, label))

    def rest_of_year(self) -> None:
        """ "Q4 vs the rest of the year": see ``when_spans.rest_of_year``."""
        first = min(self.found, key=lambda f: f[0])[1] if self.found else None
        m = re.search(r"\b(?:the\s+)?rest\s+of(?:\s+the)?(?:\s+year\b)?", self.low)
        if not (m and first):
            return
        spans, year = when_spans.rest_of_year(first.start, first.end, first.label)
        if spans:
            self.found = [f for f in self.found if (f[1].start, f[1].end) != year]
            for start, end, label in spans:
                self.take(m, Window(start, end, label))

    def date_window(self, phrase: str) -> Window | None:
        got = _parse(phrase, self.base)
        if got is None:
            return None
        start, end = _span(*got)
        label = {"year": f"{start.year}", "month": start.strftime("%B %Y")}.get(got[1], start.isoformat())
        return Window(start, end, label)

    def quarters(self) -> None:
        rx = (
            rf"\b(?:q([1-4])|({'|'.join(_ORD)}|last|final)\s+quarter)\s*(?:of\s+|')?\s*(?:fy\s*)?(?:({_YEAR}|\d{{2}})|"
            rf"{_REL_YEAR})?\b"
        )
        for m in list(re.finditer(rx, self.low)):
            if m.group(2) == "last" and not (m.group(3) or m.group(4)):
                continue  # "last quarter" alone is relative to the data's end (last_unit)
            q = int(m.group(1) or _ORD.get(m.group(2), 4))
            y = _year(m.group(3)) or self.relative_year(m.group(4)) or self.shared_year(m.end())
            y = y or _latest_year(3 * q - 2, self.base)
            self.take(m, Window(date(y, 3 * q - 2, 1), month_end(y, 3 * q), f"Q{q} {y}"))

    def shared_year(self, at: int, unit: str = "q[1-4]") -> int | None:
        """The year of the next quarter (or half: ``unit``) when two are joined ("Q1 and Q2 2022", "H1 vs H2 2021"):
        both in it."""
        joint = r"and|vs\.?|versus|or|,|&|compared (?:to|with)|against|relative to|to|than"  # "Q2 compared to Q3 2022"
        joint = rf"(?:(?:better|worse|higher|lower|more|less|bigger|smaller|stronger|weaker)\s+)?(?:{joint})"
        m = re.match(rf"\s*(?:{joint})\s*(?:the\s+)?{unit}\s*(?:of\s+|')?\s*({_YEAR}|\d{{2}})\b", self.low[at:])
        return _year(m.group(1)) if m else None

    def halves(self) -> None:
        # "the back half of 2022", "the latter half", "the front half": the halves by their everyday names
        names = {**_ORD, "front": 1, "early": 1, "back": 2, "latter": 2, "later": 2, "last": 2}
        rx = rf"\b(?:h([12])|({'|'.join(names)})\s+half)\s*(?:of\s+|')?\s*(?:({_YEAR}|\d{{2}})|{_REL_YEAR})?\b"
        for m in list(re.finditer(rx, self.low)):
            h = int(m.group(1) or names[m.group(2)])
            y = _year(m.group(3)) or self.relative_year(m.group(4)) or self.shared_year(m.end(), "h[12]")
            y = y or _latest_year(6 * h - 5, self.base)
            self.take(m, Window(date(y, 6 * h - 5, 1), month_end(y, 6 * h), f"H{h} {y}"))

    def relative_year(self, word: str | None) -> int | None:
        """'last year' / 'this year' beside a quarter or half: like 'last year' alone, the year holding the data's
        last period (the label names it)."""
        return self.base.year if word else None

    def fiscal(self) -> None:
        """Fiscal years, before quarters ("Q1 FY2023" keeps its quarter): see ``agent.models.when_named``."""
        self.take_spans(when_named.fiscal_years(self.low, self.base, self.fiscal_month))

    def seasons_and_parts(self) -> None:
        """'summer 2022', 'early 2023', 'the first 3 months of 2023': see ``agent.models.when_named``."""
        self.take_spans(when_named.seasons(self.low, self.base))
        self.take_spans(when_named.parts(self.low))

    def take_spans(self, spans: list[tuple[int, int, date, date, str]]) -> None:
        for a, b, start, end, label in spans:
            self.take_at(a, b, Window(start, end, label))

    def last_n(self) -> None:
        rx = (
            rf"\b(?:the\s+)?(?:last|past|previous|final|latest|most recent)\s+(\d+|{'|'.join(_NUM)})\s+"
            r"(week|month|quarter|year)s?\b"
        )
        for m in list(re.finditer(rx, self.low)):
            n, unit, end = int(_NUM.get(m.group(1), m.group(1))), m.group(2), self.base
            if unit == "week":
                start = end - timedelta(weeks=n - 1)
            elif unit == "month":
                k = end.year * 12 + end.month - n
                start = date(k // 12, k % 12 + 1, 1)
            elif unit == "quarter":
                k = end.year * 4 + (end.month - 1) // 3 - (n - 1)
                start = date(k // 4, 3 * (k % 4) + 1, 1)
            else:
                start = date(end.year - n + 1, 1, 1)
            self.take(m, Window(start, end, f"the last {n} {unit}s"))

    def set_aside_before(self) -> None:
        """'... vs the previous quarter': set aside until every other window is read (see ``when_before``)."""
        for a, b, word, unit in when_before.tails(self.low):
            self.before.append((a, word, unit))
            self.phrases.append(self.low[a:b].strip())
            self.low = self.low[:a] + " " * (b - a) + self.low[b:]

    def resolve_before(self) -> None:
        """Each phrase set aside: the unit before the nearest window before it; alone, "the previous quarter" is
        the latest one (as "last quarter" is)."""
        for at, word, unit in self.before:
            earlier = [f for f in self.found if f[0] < at]
            if earlier:
                w = max(earlier, key=lambda f: f[0])[1]
                self.found.append((at, Window(*when_before.window_before(w.start, w.end, unit, word))))
            elif word != "the" and unit not in ("one", "period"):
                self.found.append((at, self.unit_window(word, unit, 0)))

    def last_unit(self) -> None:
        rx = r"\b(?:the\s+)?(last|latest|most recent|previous|past|prior|this|current)\s+(week|month|quarter|half|year)"
        # "this year vs last year": beside "this", "last" is the unit before it (alone it is the latest unit).
        this = set(re.findall(r"\b(?:this|current)\s+(week|month|quarter|half|year)\b", self.low))
        for m in list(re.finditer(rx, self.low)):
            word, unit = m.group(1), m.group(2)
            back = int(unit in this and word in ("last", "previous", "past", "prior"))
            self.take(m, self.unit_window(word, unit, back))
        # "year to date", "YTD": the unit holding the data's last period, up to it.
        todate = r"\b(year|quarter|month)[- ]to[- ]date\b|\b(y|q|m)td\b"
        for m in list(re.finditer(todate, self.low)):
            unit = m.group(1) or {"y": "year", "q": "quarter", "m": "month"}[m.group(2)]
            w = self.unit_window("this", unit, 0)
            self.take(m, Window(w.start, w.end, f"{unit} to date, {w.label.split(', ', 1)[1]}"))
        # "this quarter compared with last" / "... vs the previous one": the unit before the one named.
        if len(this) == 1:
            unit = next(iter(this))
            tail = (
                r"\b(?:vs\.?|versus|compared (?:with|to)|against|than|over|and)\s+(?:the\s+)?(last|previous|prior)"
                r"(?:\s+one)?\b"
            )
            for m in list(re.finditer(tail, self.low)):
                self.take(m, self.unit_window(m.group(1), unit, 1))

    def unit_window(self, word: str, unit: str, back: int) -> Window:
        return Window(*when_named.latest_unit(self.base, word, unit, back))

    def ranges(self) -> None:
        point = (
            rf"{DAY_FIRST}?(?:{_MONTHS})\.?(?:{DAY_AFTER})?(?:,?\s+'?(?:{_YEAR}|\d{{2}}))?"
            rf"|{_YEAR}(?:-\d{{2}}-\d{{2}})?"
        )
        rxs = [rf"\b(?:from|between)\s+({point})\s+(?:to|and|until|till|through|-|–)\s+({point})\b"]
        if not re.search(r"\bcompar\w*|\bvs\b|\bversus\b|\bagainst\b", self.low):  # "Jan vs Mar" is two windows
            # "Jan-Mar 2023", "January to March 2023", "Mar 2022 - Jun 2022": months joined without "from"
            month = rf"{DAY_FIRST}?(?:{_MONTHS})\.?(?:{DAY_AFTER})?(?:,?\s+'?(?:{_YEAR}|\d{{2}}))?"
            rxs.append(rf"\b({month})\s*(?:to|until|till|through|thru|-|–)\s*({point})\b")
        for rx in rxs:  # each over what the one before left (a span is read once)
            for m in list(re.finditer(rx, self.low)):
                if when_spans.change_between_years(self.low, m):  # two years set against each other: read apart
                    self.low = (
                        self.low[: m.start()]
                        + re.sub(r"\b(from|between)\b", "    ", m.group(0), count=1)
                        + (self.low[m.end() :])
                    )
                    continue
                first = when_days.shared_year(m.group(1), m.group(2))  # "between Jan and Jun 2022": both in 2022
                a, b = self.date_window(first), self.date_window(m.group(2))
                if a and b and a.start <= b.end:
                    self.take(m, Window(a.start, b.end, f"{a.label} to {b.label}"))
        for m in list(re.finditer(rf"\b(?<!apart )(?<!aside )(?<!away )(?:since|after|from)\s+({point})\b", self.low)):
            a = self.date_window(m.group(1))
            if a:
                self.take(m, Window(a.start, self.base, f"since {a.label}"))
        # "before 2023" ends the day before it starts; "until/up to June 2022" ends with it (both from the data's start)
        for m in list(re.finditer(rf"\b(before|prior to|until|till|up to|through)\s+({point})\b", self.low)):
            a = self.date_window(m.group(2))
            if a and self.first:
                before = m.group(1) in ("before", "prior to")
                end = a.start - timedelta(days=1) if before else a.end
                self.take(m, Window(self.first, end, f"{'before' if before else 'up to'} {a.label}"))

    def dates(self) -> None:
        # A month name needs a year or a preposition before it ("in May"), so the verb "may" is not a month.
        rx = (
            rf"\b(?:(?:in|during|for|of|over|through|until|and|vs|versus|to|on)\s+)?({DAY_FIRST}?(?:{_MONTHS})\.?"
            rf"(?:{DAY_AFTER})?,?\s+'?(?:{_YEAR}|\d{{2}})\b)"
            rf"|\b(?:in|during|for|of|over|excluding|except(?:\s+for)?|without|ignoring|but not)\s+((?:{_MONTHS}))\b"
            rf"|\b({_YEAR}-\d{{2}}-\d{{2}})\b|\b({_YEAR})\b"
        )
        for m in list(re.finditer(rx, self.low)):
            if m.group(4) and when_spans.money_not_year(self.low, m.start(4), m.end(4)):
                continue  # "raise TV to 2000 a week": an amount
            phrase = next(g for g in m.groups() if g)
            w = self.date_window(phrase)
            if w:  # a bare month from its name ("excluding March": the word before it is read by when_sets)
                self.take_at(m.start(2) if m.group(2) else m.start(), m.end(), w)
                self.bare += [w] if m.group(2) else []


def parse_when(text: str, data_start: Any = None, data_end: Any = None, fiscal_start_month: int | None = None) -> When:
    """The time windows ``text`` names, relative to the data's last period ``data_end`` (ISO date or date)."""
    start, end = _as_date(data_start), _as_date(data_end)
    base = end or date.today()
    # "print's ROI in 2021 compared to now": now is the data's latest year, set against the one named
    text = _NOW_AFTER.sub(r"this year \1", _NOW.sub(r"\1 this year", text))
    text = _ABBREVIATED.sub(lambda m: _UNIT_WORDS[m.group(1).casefold()] + (m.group(2) or ""), text)
    r = _Reader(text, base, fiscal_start_month or 1)
    r.first = start
    hint = _fiscal_hint(r, base)
    if hint and not fiscal_start_month:
        r.fiscal_month = hint
    for step in (
        r.impossible_periods,
        r.set_aside_before,
        r.spans,
        r.fiscal,
        r.quarters,
        r.halves,
        r.seasons_and_parts,
        r.last_n,
        r.last_unit,
        r.ranges,
        r.dates,
        r.rest_of_year,
        r.resolve_before,
    ):
        step()
    grain = next((g for g, rx in when_named.GRAIN if re.search(rx, text.casefold())), None)
    found = sorted(r.found, key=lambda p: p[0])
    windows, gaps = when_sets.shape(found, r.low, text, start, end, lambda a, b, label: Window(a, b, label))
    if ym := when_days.month_of_named_year([w.label for w in windows], [w.start for w in r.bare], text):
        windows = [Window(date(*ym, 1), month_end(*ym), date(*ym, 1).strftime("%B %Y"))]
    inside = tuple(w for w in windows if not _outside(w, start, end))
    outside = tuple(w for w in windows if _outside(w, start, end))
    impossible = tuple((_as_written(text, p), why) for p, why in r.impossible)
    return When(inside, outside, grain, tuple(r.phrases), start, end, impossible, gaps)


def _as_written(text: str, phrase: str) -> str:
    """``phrase`` (read lower-cased) as the question wrote it ("Q5 2022", not "q5 2022"), to quote it back."""
    m = re.search(r"\s+".join(re.escape(w) for w in phrase.split()), text.replace("’", "'"), re.IGNORECASE)
    return m.group(0) if m else phrase


def _outside(w: Window, start: date | None, end: date | None) -> bool:
    return bool((start and w.end < start) or (end and w.start > end))


def _fiscal_hint(r: _Reader, base: date) -> int | None:
    """'fiscal year starts in April' / 'our FY begins in July' → 4 / 7 (the phrase is consumed: not a window)."""
    m = re.search(
        rf"\b(?:fiscal(?:\s+year)?|fy)\s+(?:starts?|starting|begins?|beginning|runs? from)\s+(?:in\s+|on\s+)?"
        rf"({_MONTHS})\b",
        r.low,
    )
    got = _parse(m.group(1), base) if m else None
    if m:
        r.low = r.low[: m.start()] + " " * (m.end() - m.start()) + r.low[m.end() :]
        r.phrases.append(m.group(0).strip())
    return got[0].month if got else None


__all__ = ["Window", "When", "parse_when"]
