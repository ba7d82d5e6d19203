"""Questions about a fit with several outcomes (issue 22), for the router's rule table (``agent.models.rules``):
cross-effects ("does the multipack promo cannibalise single-pack?", "is there a halo from premium onto value?")
and what a driver moves in each outcome ("which outcome does TV lift most?", "ROI per product"). A brand halo
("brand halo", "halo effect of TV") stays the long-term intent: only a halo *onto another product* is asked here.
"""

from __future__ import annotations

import re

_PRODUCT = r"(other|products?|range|lines?|single|multi\w*|premium|value|sku\w*|brands?|variants?|outcomes?|kpis?)"
CROSS_EFFECTS = re.compile(
    r"\bcannibali[sz]\w*\b|\bspill-?overs?\b|\bcross[- ]?(effects?|product)\b|"
    r"\b(steal|stole|take|took|taking|eat|eats|ate|eating)s?\b.{0,40}\b(sales|volume|units|customers|buyers)\b.{0,10}\bfrom\b|"
    rf"\bhalo\b.{{0,30}}\b(on|onto|over|into|across|between)\b.{{0,20}}\b{_PRODUCT}"
)
OUTCOME_EFFECTS = re.compile(
    r"\bwhich (outcome|product|kpi|line|range|sku|variant)s?\b.{0,40}\b(lift|move|drive|help|grow|boost|benefit|"
    r"gain)\w*\b|\b(lift|move|drive|boost|help)\w*\b.{0,30}\b(most|more)\b.{0,30}\b(outcome|product|kpi|line)s?\b|"
    r"\b(per|by|each|every|across|for each) (outcome|product|kpi)s?\b"
)

__all__ = ["CROSS_EFFECTS", "OUTCOME_EFFECTS"]
