"""Questions the data cannot answer at all: other companies (competitors' spend or ROI), financial markets (share
prices), the economy and the weather — when the data holds no such variable. They are refused with what the model
does know, never answered with this dataset's numbers ("how much is our competitor spending on TV?" is not our TV
spend).
"""

from __future__ import annotations

import re

from agent.models.entities import Catalog, tokens

OUTSIDE = re.compile(
    r"\b(competitors?|competitors'|competitor's|competition|rivals?|rivals'|other (brands|companies|firms)|"
    r"industry (average|benchmark)s?|market leaders?|stock (price|market)s?|share prices?|market cap\w*|"
    r"weather|interest rates?|inflation|exchange rates?|the economy|gdp|recession)\b"
)


def outside_data(low: str, catalog: Catalog | None) -> str | None:
    """The phrase of ``low`` (the question, lower case) that asks about something outside any marketing-mix data,
    or None; a phrase whose words all name the data's own variables (a "Weather" control) is in the data — "stock
    price" is not the data's Price."""
    m = OUTSIDE.search(low)
    if not m:
        return None
    have = {t.rstrip("s") for _, name in (catalog.entries() if catalog else []) for t in tokens(name)}
    words = {t.rstrip("s") for t in tokens(m.group()) if t != "the"}
    return None if words <= have else m.group()
