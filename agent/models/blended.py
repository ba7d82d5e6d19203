"""The return of all media together ("what's our blended ROI?", "overall marketing ROI", "total ROI of all
media"): total media contribution over total media spend, per posterior draw, as one SELECT over the fit's thinned
draws in the SQL sandbox — with its 90% interval and the probability it is above break-even. Asked without this
reader, it got the per-channel table, the contribution table, or an error from the long-term model.

Each channel's spend is read back from its draws (contribution / ROI is the same in every draw), so the total is
over the channels and periods the fit modelled. The draws cover the whole fit: a blended ROI over a sub-period is
not computed here (the router sends it to the per-channel table over that period).
"""

from __future__ import annotations

import re

# "blended ROI", "overall marketing ROI", "total ROI of all media", "ROI of all our media combined", "media ROI"
BLENDED = re.compile(
    r"\b(blended|overall|total|aggregate|combined|portfolio|average)\s+(marketing |media |advertising |ad |channel )?"
    r"(roi|roas|return on (ad |media |marketing )?(spend|investment))\b|"
    r"\b(marketing|media|advertising)\s+(roi|roas)\b|"
    r"\b(roi|roas|return)\s+(of|on|from)\s+(all|our|the)\s+(our |the )?(media|marketing|advertising|channels)\b"
    r"(?!\s+(except|but|other|excluding|minus|apart|without))|"
    r"\b(roi|roas)\s+(of|on|for)\s+(all|every) (channels|media)\s+(combined|together|in total|as a whole)\b|"
    r"\bhow much (do|did) we (get|make|earn) back (for|on|from) (each|every) (dollar|euro|pound|unit)\b"
)

SQL = (
    "WITH spend AS (SELECT channel, median(c.contribution / r.roi) AS spend FROM roi_draws r "
    "JOIN contribution_draws c USING (fit_id, channel, chain, draw) WHERE r.roi <> 0 GROUP BY channel), "
    "per_draw AS (SELECT chain, draw, sum(contribution) AS contribution FROM contribution_draws "
    "WHERE channel IN (SELECT channel FROM spend) GROUP BY chain, draw) "
    "SELECT quantile_cont(contribution, 0.5) / (SELECT sum(spend) FROM spend) AS roi, "
    "quantile_cont(contribution, 0.05) / (SELECT sum(spend) FROM spend) AS low, "
    "quantile_cont(contribution, 0.95) / (SELECT sum(spend) FROM spend) AS high, "
    "avg(CASE WHEN contribution > (SELECT sum(spend) FROM spend) THEN 1.0 ELSE 0.0 END) AS p_above_one, "
    "(SELECT sum(spend) FROM spend) AS spend, quantile_cont(contribution, 0.5) AS contribution, "
    "(SELECT count(*) FROM spend) AS channels, count(*) AS draws FROM per_draw"
)


def asks_blended(low: str, n_channels: int) -> bool:
    """Whether ``low`` asks for the return of all media together (no channel named)."""
    return not n_channels and bool(BLENDED.search(low))
