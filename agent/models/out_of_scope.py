"""Questions the data cannot answer at all: other companies (competitors' spend or ROI), financial markets (share
prices), the economy and the weather — when the data holds no such variable. They are refused with what the model
does know, never answered with this dataset's numbers ("how much is our competitor spending on TV?" is not our TV
spend).
"""

from __future__ import annotations

import re

from agent.models.entities import Catalog, tokens
from agent.models.rules_plan import GIVEN_MARGIN

OUTSIDE = re.compile(
    r"\b(competitors?|competitors'|competitor's|competition|rivals?|rivals'|other (brands|companies|firms)|"
    r"industry (average|benchmark)s?|market leaders?|stock (price|market)s?|share prices?|market cap\w*|"
    r"weather|interest rates?|inflation|exchange rates?|the economy|gdp|recession|central banks?|the fed|"
    r"federal reserve|covid\w*|coronavirus|pandemic|lockdowns?|share of (wallet|voice)|"
    # Dimensions a marketing-mix dataset does not have unless it names them (then they are in the data).
    r"customer (lifetime value|acquisition cost)|customers?|lifetime value|ltv|clv|cac|market share|"
    r"age (groups?|bands?|brackets?)|demographics?|genders?|women|men|audiences?|footfall|"
    # Money and media measures a marketing-mix dataset does not hold: margins and profit (the KPI is sales),
    # creatives, clicks and impressions ("the margin of error" is a question about the estimate, not a margin).
    r"(gross|net|profit|operating|product) margins?|margins? (on|of) (our |the )?(products?|goods|items)|"
    r"(how much|our|net|total|gross|operating) profits?|creatives?|ad copy|click[- ]?through( rates?)?|ctrs?|clicks|"
    r"impressions|cpms?|cpcs?|conversion rates?|cost per (click|mille|thousand|view)|(store|site|website|web) visits|"
    r"foot traffic|ad slots?|time ?slots?|dayparts?|keywords?|search terms?|reach (of|and frequency)|(tv|campaign|our) "
    r"reach(?=\s*[?.!,]|\s*$| (was|is|were|figures?|numbers?|by))|"
    r"grps?|trps?|gross rating points?|viewership|(tv )?ratings|(how many|number of) (people|viewers|households|"
    r"users)|(tv|radio) (networks?|stations?|shows?|programmes?|programs?)|time of (the )?day|air ?times?|"
    # Activities and business figures outside media spend: "the ROI of our sales team", "word of mouth", "our
    # app", "cost of goods sold", "NPS" (in the data only when a variable names them).
    r"(sales|marketing) (team|force|reps?|staff)|salespeople|word of mouth|(our|the|mobile) apps?|"
    r"cost of (goods|sales)|cogs|nps|net promoter( score)?|brand sentiment|sentiment|"
    # A promise about results: the model gives estimates with intervals, never guarantees or certainties.
    r"guarantee\w*|promis(e|es|ed|ing)|(can|could|will|would) you (make sure|ensure|assure)|"
    r"will\b.{0,30}\b(definitely|certainly|for sure|for certain|surely)|"
    # A channel nobody ran: "the ROI of a channel we never ran".
    r"(a|any|the) (new )?(channel|medium|platform)s? (we|you|i|they)( have|'ve)? (never|not yet|haven'?t|didn'?t)"
    r"( \w+)?)\b"
)


# Some weeks left out of a result ("ROI excluding the holiday period", "sales without Black Friday weeks"): a window
# with holes is not computed (adstock carries effects across the gap), so it is refused with what can be asked.
LEFT_OUT_WEEKS = re.compile(
    r"\b(excluding|excl\.?|except( for)?|without|outside( of)?|apart from|leaving out|leave out|ignoring|ex)\s+(the\s+|"
    r"our\s+)?(holiday|holidays|christmas|xmas|festive|black friday|cyber monday|promo\w*|sale|sales|covid|summer|"
    r"winter|peak|launch)\s+(period|season|weeks?|months?|time|spike|peak)s?\b"
)


# Requests that act on the model or the conversation: their words are reasons and names, not questions about
# results ("amend the spec to drop Weather because the weather feed stopped").
_ACTIONS = {"amend", "lock", "fit", "setup", "sql", "ledger", "disclosure", "report", "help", "fit_status", "show_spec"}


GUARANTEE = re.compile(r"^(guarantee|promis|will\b|(can|could|would) you)")
# A breakdown by product on data that holds no products ("the ROI of TV by product line").
_BY_PRODUCT = re.compile(
    r"\b(by|per|each|every|across|for each) (product|sku|brand)( lines?| lines| categor\w+)?s?\b|"
    r"\bproduct (lines?|categor\w+|level)\b"
)


def outside_data(low: str, catalog: Catalog | None, intent: str = "unknown") -> str | None:
    """The phrase of ``low`` (the question, lower case) that asks about something outside any marketing-mix data,
    or None; a phrase whose words all name the data's own variables (a "Weather" control) is in the data — "stock
    price" is not the data's Price. ``intent``: the request's; actions on the model are never refused here."""
    if intent in _ACTIONS:
        return None
    low = GIVEN_MARGIN.sub(" ", low)  # "at a 40% margin" gives the plan an input; it does not ask about margins
    product = _BY_PRODUCT.search(low)
    if product and catalog is not None and not catalog.products:
        return product.group()
    m = OUTSIDE.search(low)
    if not m:
        return None
    have = {t.rstrip("s") for _, name in (catalog.entries() if catalog else []) for t in tokens(name)}
    words = {t.rstrip("s") for t in tokens(m.group()) if t != "the"}
    return None if words <= have else m.group()
