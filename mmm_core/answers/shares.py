"""Each channel's contribution as a share of the modelled KPI total ("what share of sales is due to TV?").

A share is a ratio of two posterior quantities, so it is summarised draw by draw (the ratio of the means would
lose its interval). Read by :func:`mmm_core.answers.results.contributions` for the table by channel. Over a window
("TV's share of sales in 2023") the fitted total is not kept per period, so the share is of the KPI *observed* over
the window: a known constant, so the share's interval is the contribution's divided by it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core.effects.intervals import summarize
from mmm_core.jsonable import to_jsonable


def with_shares(rows: list[dict[str, Any]], eff: Any, level: float, method: str) -> list[dict[str, Any]]:
    """``rows`` (one per channel, plus the baseline) with ``share`` ({mean, lo, hi} of the fitted KPI total) and
    ``kpi_total`` (that total's mean) on each channel's row."""
    s = to_jsonable(summarize(eff.channel_share, level, method))
    index = {c: j for j, c in enumerate(eff.channels)}
    kpi_total = float(np.mean(eff.fitted_total, dtype=np.float64))
    out = []
    for row in rows:
        j = index.get(row.get("channel"))
        extra = {} if j is None else {"share": {k: s[k][j] for k in ("mean", "lo", "hi")}, "kpi_total": kpi_total}
        out.append(row | extra)
    return out


def with_window_shares(rows: list[dict[str, Any]], observed: dict[str, float]) -> list[dict[str, Any]]:
    """``rows`` (each with its ``window`` label) with ``share`` of the KPI observed over that window (``observed``:
    label → total) and ``kpi_total``; rows of a window with no positive total are left as they are."""
    out = []
    for row in rows:
        total = observed.get(row.get("window", ""))
        if not total or total <= 0 or row.get("channel") is None:
            out.append(row)
            continue
        share = {k: float(row[k]) / total for k in ("mean", "lo", "hi")}
        out.append(row | {"share": share, "kpi_total": total, "share_of": "observed"})
    return out
