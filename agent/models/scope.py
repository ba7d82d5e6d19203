"""The scope of a routed question: which entities and which periods it is about — applied to the route's
arguments, or turned into a refusal when the question names something the data does not have.

One home for the rule "answer the question asked or say why not": a name that is not in the data, or a period
outside it, becomes intent ``not_in_data`` (the answer lists what the data has / its range) instead of an answer
about something else. Windows go to the tools that filter by time; geographies to the tools that slice by geo;
"by month" rolls a period breakdown up to months. :func:`parse_question` is the same reading for the question
check (``agent.question_check``), so the router and the check can never disagree about what was asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from agent.models import ranking
from agent.models.entities import Catalog, Resolution, names_every_channel, resolve
from agent.models.vocab import BRANDS
from agent.models.when import When, parse_when
from agent.models.when_spans import previous_span, unit_windows

# Intents whose tools filter by time window (payback and uncertainty are answered from the roi tool).
WINDOWED = {
    "spend_by",
    "kpi_by",
    "roi",
    "rank",
    "contribution",
    "compare",
    "payback",
    "uncertainty",
    "peak_period",
    "series_stats",
}
# ROI followed through time with no unit named ("how has TV's ROI changed over time?"): by year.
_OVER_TIME = re.compile(
    r"\b(become|became|becoming|getting|got|grown|grew) (less|more|worse|better)\b|"
    r"\bover time\b|\bover the (years|quarters|months)\b|\btrend\w*\b|\bevol\w*\b|\bchang\w* (over|through)\b|"
    r"\b(year|quarter|month)[- ](over|on|by)[- ](year|quarter|month)\b|\byoy\b"
)
# Growth over one period ("how did sales grow in 2023?", "did Search spend go up or down in 2023?"): against the
# period before it; a trend asked with no period ("are sales growing?"): the KPI by year.
_GROWN = ("kpi_by", "spend_by", "contribution", "roi")
_GROWTH = re.compile(
    r"\b(grow\w*|grew|growth|go(ne)? up|went up|go(ne)? down|went down|up or down|increas\w*|decreas\w*|"
    r"ris(e|en|ing)|rose|fall|fell|declin\w*|drop(ped)?|chang\w*|improv\w*|compared? (to|with) (the )?(year|"
    r"quarter|month|period) before)\b"
)
_TREND = re.compile(r"\btrend\w*\b|\b(are|is) (our )?(sales|revenue|the kpi) (growing|declining|falling|rising)\b")
# Intents answered over each unit of time when one is asked for ("ROI by quarter", "contribution each year").
_OVER_UNITS = ("roi", "rank", "contribution")
# "which quarter had the best ROI?", "when was TV's ROI highest?": the ROI of each unit, to compare.
_WHICH_UNIT = re.compile(r"\b(?:which|what) (month|quarter|year|period|time)s?\b|\bwhen (?:did|was|were|is)\b")
# Intents about named entities: an unknown name is refused rather than answered about something else.
NAMED = WINDOWED | {
    "curve",
    "scenario",
    "optimize",
    "clarify_compare",
    "clarify_scenario",
    "unknown",
    "unknown_channel",
    "media_share",
    "adstock",
    "long_term",
    "headroom",
    "roi_probability",
}
_KIND_WORDS = {
    "channel": "channels",
    "control": "controls",
    "geography": "geographies",
    "product": "products",
    "metric": "metrics",
}


@dataclass(frozen=True)
class Question:
    """What a question is about: resolved names by kind, unknown names, ambiguous words, and its time."""

    resolution: Resolution
    when: When
    catalog: Catalog
    # The question moves every channel's spend ("pause all media except Search", "put everything into TV"): a
    # what-if over channels it does not name.
    every_channel: bool = False

    def names(self, kind: str) -> list[str]:
        return self.resolution.of_kind(kind)

    @property
    def unknown(self) -> list[str]:
        return list(self.resolution.unknown)


def parse_question(text: str, catalog: Catalog | None, known: list[str] | None = None) -> Question:
    """Entities and periods of ``text`` against the data's ``catalog`` (``known`` channels fill a catalog
    without them, e.g. before the data was described)."""
    cat = catalog or Catalog()
    if known and not cat.channels:
        cat = replace(cat, channels=tuple(known))
    when = parse_when(text, cat.start, cat.end)
    return Question(resolve(text, cat, skip=when.phrases), when, cat, names_every_channel(text))


def refusal_args(q: Question, words: list[str], kind: str) -> dict[str, Any]:
    """Arguments of ``answers/not_in_data.j2``: what was asked that the data lacks, and what it has."""
    have = {_KIND_WORDS[k]: list(q.catalog.of_kind(k)) for k in _KIND_WORDS if q.catalog.of_kind(k)}
    return {
        "kind": kind,
        "names": words,
        "have": have,
        # "ROI in North" on national data: say there are no geographies (a brand is plainly not a place).
        "national": not q.catalog.geographies and any(w.casefold() not in BRANDS for w in words),
        "data_start": q.catalog.start,
        "data_end": q.catalog.end,
    }


# A forecast of a result past the data ("what will sales be next year?", "predict next year's revenue").
_FORECAST = re.compile(
    r"^(?=.*\b(will|going to|forecast\w*|predict\w*|expect\w*|project\w*|outlook)\b).*\b(?P<when>(next|coming|"
    r"upcoming|following) (week|month|quarter|half|year|(\d+|two|three|six|twelve) (weeks|months|quarters|years)))\b",
    re.IGNORECASE,
)
_PLANS = {"scenario", "clarify_scenario", "optimize"}  # what-ifs and budget plans
MAX_GEO_TABLES = 8  # per-geography ROI tables in one answer
_BY_GEO = re.compile(
    r"\b(geo|geos|geograph\w*|regions?|regional|markets?|states?|dmas?|countr(y|ies)|cit(y|ies)|areas?)\b",
    re.IGNORECASE,
)


# A superlative asked of the geographies ("which region has the best ROI?", "where does TV do worst?").
_SUPERLATIVE = re.compile(
    r"\b(best|worst|top|bottom|highest|lowest|strongest|weakest|most|least|greatest|poorest)\b", re.IGNORECASE
)
_GEO_WORDS = ("region", "regions", "geography", "geographies", "market", "markets")
# The KPI itself as what is ranked ("which region has the highest sales?"), not a return on spend.
_KPI_MEASURE = re.compile(r"\b(sales|revenue|turnover|kpi|orders|conversions|bookings|sells|sold|selling)\b", re.I)
_RETURN_WORDS = re.compile(r"\b(roi|roas|return\w*|efficien\w*|per (dollar|euro|pound)|pay\w*|profit\w*)\b", re.I)


def _asks_by_geo(text: str) -> bool:
    """Whether the question asks for a breakdown by geography ("which reigon…" too: one edit from a geo word)."""
    if _BY_GEO.search(text):
        return True
    words = [w for w in re.findall(r"[a-z]+", text.casefold()) if len(w) >= 6]
    return any(process.extractOne(w, _GEO_WORDS, scorer=OSA.distance, score_cutoff=1) for w in words)


def apply_scope(r: Any, q: Question, text: str = "") -> Question:
    """Set ``r``'s windows/geos/grain from the question ``q`` (:func:`parse_question`), or turn ``r`` into
    ``not_in_data`` (see module doc). ``text``: the question, for breakdown words ("by region")."""
    if r.intent == "media_share" and (q.when.windows or q.when.outside):
        # The media share tool covers the whole fit; over a period it is read from the contributions over that
        # window (media rows and the baseline), so "how much of 2023 revenue came from ads" is about 2023.
        r.intent, r.args = "contribution", {"by": "channel"}
    if r.intent in WINDOWED | _PLANS and q.when.impossible:
        # "TV's ROI on February 30th 2022", "sales in Q5 2022": no such period, so nothing is computed (the year
        # alone would have been read as the period: an answer about another period than the one asked)
        r.intent, r.args = "not_in_data", refusal_args(q, [p for p, _ in q.when.impossible], "no_such_period")
        r.args["reasons"] = [why for _, why in q.when.impossible]
        return q
    if r.intent in WINDOWED | _PLANS and q.when.gaps:
        # "TV's ROI excluding Q2 2022": the weeks either side of a hole are not one window (effects carry over)
        r.intent, r.args = "not_in_data", refusal_args(q, list(q.when.gaps), "gaps")
        return q
    if r.intent in WINDOWED and q.when.outside:
        r.intent, r.args = "not_in_data", refusal_args(q, [w.label for w in q.when.outside], "period")
        return q
    before = [w.label for w in q.when.outside if q.when.data_start and w.end < q.when.data_start]
    if r.intent in _PLANS and before:
        # "what if we had spent 20% more on TV in 2019?": a what-if on history before the data has nothing to
        # stand on (a plan looks forward from the data's end, so a later period is its horizon, not refused)
        r.intent, r.args = "not_in_data", refusal_args(q, before, "period")
        return q
    future = _FORECAST.search(text)
    if r.intent in ("kpi_by", "spend_by", "contribution", "roi") and future:
        # "what will sales be next year?": past the data's last period there is nothing observed or estimated
        r.intent, r.args = "not_in_data", refusal_args(q, [future.group("when")], "period")
        return q
    if r.intent in NAMED and q.unknown:
        r.intent, r.args = "not_in_data", refusal_args(q, q.unknown, "name")
        return q
    geos = q.names("geography")
    if geos and r.intent in _PLANS:
        # "what if we cut TV by 20% in the North?": what-ifs and plans are national (never silently the whole market)
        r.intent, r.args = "not_in_data", refusal_args(q, geos, "geo_plan")
        return q
    by_geo = not geos and _asks_by_geo(text)
    if by_geo and r.intent in ("rank", "roi") and _KPI_MEASURE.search(text) and not _RETURN_WORDS.search(text):
        r.intent, r.args = "kpi_by", {"by": "geo"}  # "which geo has the highest sales?": the KPI by geography
    if by_geo and r.intent in ("compare", "clarify_compare") and len(r.channels) < 2:
        r.intent, r.args = "roi", _one_channel(r)  # "compare TV ROI across regions": its ROI in each geography
    if r.intent in ("roi", "rank") and by_geo:  # "which region has the best ROI?"
        if not q.catalog.geographies:
            r.intent, r.args = "not_in_data", refusal_args(q, [], "geography")
            return q
        if len(q.catalog.geographies) > MAX_GEO_TABLES:  # one table per geography would not fit an answer
            r.intent, r.args = "not_in_data", refusal_args(q, [], "choose_geos")
            return q
        # "which region has the best ROI for TV?": the per-geography tables, kept to the channel asked about, and
        # the answer names the region at the end asked for (note)
        if r.intent == "rank" or _SUPERLATIVE.search(text):
            r.note = ranking.order(text.casefold())
        r.intent, r.args, geos = "roi", _one_channel(r), list(q.catalog.geographies)
    if geos and r.intent in ("compare", "clarify_compare") and len(r.channels) < 2:
        r.intent, r.args = "roi", {}  # "ROI North vs South": one table per geography
    if r.intent in WINDOWED and q.when.windows:
        r.args["windows"] = q.when.args
        if r.intent in _GROWN and len(q.when.windows) == 1 and _GROWTH.search(text.casefold()):
            _with_period_before(r, q)  # "how did sales grow in 2023?": 2023 against 2022
        if r.intent == "rank" and len(q.when.windows) > 1:  # "best channel in 2022 vs 2023": a table per year
            r.intent, r.args = "roi", {"windows": q.when.args}
    if r.intent in _OVER_UNITS and len(q.when.windows) <= 1 and (unit := _time_unit(text, q.when.grain)):
        _over_each_unit(r, q, unit)  # "TV's ROI by quarter", "what did Social drive each year?": a table per unit
    if r.intent in ("spend_by", "kpi_by") and q.when.grain in ("month", "quarter", "year"):
        r.args["grain"], r.args["by"] = q.when.grain, "period"
    elif r.intent == "kpi_by" and not q.when.windows and _TREND.search(text.casefold()):
        r.args["grain"], r.args["by"] = "year", "period"  # "are sales growing?": by year, not every week
    if geos:
        _apply_geos(r, geos)
    return q


def _time_unit(text: str, grain: str | None) -> str | None:
    """The unit of time ROI or contribution is asked over: "by quarter", "monthly", "which quarter had the best
    ROI"; "over time", "trend", "when was TV's ROI highest": by year."""
    if grain in ("month", "quarter", "year"):
        return grain
    low = text.casefold()
    if m := _WHICH_UNIT.search(low):
        return m.group(1) if m.group(1) in ("month", "quarter", "year") else "year"
    return "year" if _OVER_TIME.search(low) else None


def _over_each_unit(r: Any, q: Question, unit: str) -> None:
    """ROI or contribution over each ``unit`` of the data (inside the one window asked, if any), from the posterior
    over each."""
    if not (q.when.data_start and q.when.data_end):
        return
    inside = q.when.windows[0] if q.when.windows else None
    first, last = (inside.start, inside.end) if inside else (q.when.data_start, q.when.data_end)
    spans = unit_windows(unit, max(first, q.when.data_start), min(last, q.when.data_end))
    if len(spans) >= 2:
        windows = [{"start": a.isoformat(), "end": b.isoformat(), "label": label} for a, b, label in spans]
        if r.intent == "contribution":
            r.args = {"by": "channel"} | _one_channel(r) | {"windows": windows}
        else:
            r.intent, r.args = "roi", _one_channel(r) | {"windows": windows}


def _with_period_before(r: Any, q: Question) -> None:
    """Set the one window asked against the span of the same length just before it, when that is in the data."""
    w = q.when.windows[0]
    before = previous_span(w.start, w.end)
    if before and q.when.data_start and before[1] >= q.when.data_start:
        a, b, label = before
        r.args["windows"] = [{"start": a.isoformat(), "end": b.isoformat(), "label": label}, *q.when.args]


def _one_channel(r: Any) -> dict[str, str]:
    """The roi tool's channel argument when the question names exactly one channel (else every channel)."""
    return {"channel": r.channels[0]} if len(r.channels) == 1 else {}


def _apply_geos(r: Any, geos: list[str]) -> None:
    if r.intent in ("roi", "rank"):
        if r.intent == "rank" and len(geos) > 1:  # a ranking per geography is the per-geography table
            r.intent, r.args = "roi", _one_channel(r)
        r.args["geos"] = geos
    elif r.intent in ("spend_by", "kpi_by"):
        r.args["geos"] = geos
        if len(geos) > 1:
            r.args["by"] = {"channel": "channel_geo", "period": "geo"}.get(r.args.get("by", "channel"), "geo")
    elif r.intent == "contribution":
        r.args["by"] = "geo"
    elif r.intent in ("peak_period", "series_stats"):  # "the best month for sales in the West": that region's
        r.args["geos"] = geos
