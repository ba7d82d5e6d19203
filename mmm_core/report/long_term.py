"""The report's long-term section (issue 21): the short/long split of each channel's ROI from the same answer the
CLI's ``long-term`` gives (``mmm_core.answers.long_term``), the impulse responses of base sales with intervals,
and their Plotly charts.

Left out (None) for a fit whose spec has no ``long_term`` block, so every other report stays as it was. When most
VAR draws are explosive the answer summarises no ROI; the section then states why and draws no chart.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from mmm_core import ledger
from mmm_core.answers.long_term import long_term_answer, long_term_draws
from mmm_core.effects.intervals import summarize
from mmm_core.report.charts import _color, _layout, add_band, to_div
from mmm_core.store import Store

_MEASURES = ("short_roi", "long_roi", "total_roi", "long_share")


def long_term_block(
    store: Store, fit_id: str, locked: ledger.LockedSpec, allow_unhealthy: bool = False
) -> dict[str, Any] | None:
    """The section's numbers, or None when the spec has no long-term model (see :func:`section_data`)."""
    if locked.spec.long_term is None:
        return None
    return section_data(long_term_answer(store, fit_id, allow_unhealthy=allow_unhealthy), locked.spec.long_term)


def section_data(answer: dict[str, Any], block: Any) -> dict[str, Any]:
    """From the long-term answer and the spec's block: each channel's short/long/total ROI and long share with
    intervals, and how to read them — ``unmeasured`` (long-term interval includes 0), ``negative`` (credibly
    below 0: not a plausible brand effect), ``share_undefined`` (total ROI not credibly positive, so a share of
    it means nothing) and ``share_reads_low`` (the answer's split bound: shares are lower bounds)."""
    channels = {
        name: {k: c[k] for k in _MEASURES if k in c}
        | {"summarised": bool(c.get("summarised"))}
        | ({} if c.get("summarised") else {"reason": c.get("reason")})
        for name, c in answer["channels"].items()
    }
    summarised = [n for n, c in channels.items() if c["summarised"]]
    for n in summarised:
        channels[n]["share_defined"] = channels[n]["total_roi"]["lo"] > 0
    long = {n: channels[n]["long_roi"] for n in summarised}
    return {
        "channels": channels,
        "summarised": bool(summarised),
        "unmeasured": [n for n, x in long.items() if x["lo"] <= 0 <= x["hi"]],
        "negative": [n for n, x in long.items() if x["hi"] < 0],
        "share_undefined": [n for n in summarised if not channels[n]["share_defined"]],
        "share_reads_low": any((answer["channels"][n].get("split") or {}).get("bound") == "lower" for n in summarised),
        "horizon": answer["horizon"],
        "interval": answer["interval"],
        "stability": answer["stability"],
        "units": answer["units"],
        "metrics": block.metric_names,
        "lags": block.lags,
        "stationarity": block.stationarity,
    }


def long_term_irf(store: Store, fit_id: str, locked: ledger.LockedSpec, level: float, method: str) -> dict | None:
    """Chart series: per channel the base-sales response to $1 in period 0, ``{mean, lo, hi}`` per period over
    the stable draws; None without a long-term model or when nothing is summarised."""
    if locked.spec.long_term is None:
        return None
    d = long_term_draws(store, fit_id)
    if not d.summarised:
        return None
    irf = np.asarray(d.irf[d.stable, :, 0, :], float)  # [S, H, C] base sales per unit of spend
    bands = {}
    for c, name in enumerate(d.channels):
        rows = [summarize(irf[:, h, c], level, method) for h in range(d.horizon)]
        bands[name] = {k: [float(r[k]) for r in rows] for k in ("mean", "lo", "hi")}
    return {"periods": list(range(d.horizon)), "channels": bands}


# --- charts ------------------------------------------------------------------------------------------------------


def irf_chart(res: dict[str, Any]) -> go.Figure | None:
    """Base sales' response to $1 of each channel's spend, period by period, with its interval band."""
    data = (res.get("charts") or {}).get("long_term_irf")
    if not data:
        return None
    fig, x = go.Figure(), data["periods"]
    for i, (name, b) in enumerate(data["channels"].items()):
        add_band(fig, x, b, _color(i), name)
    return _layout(
        fig,
        "Impulse response: base sales per $1 of spend in period 0 (band = interval)",
        xaxis_title="periods after the spend",
        yaxis_title=f"{res['data']['kpi']} per unit of spend",
    )


def split_chart(res: dict[str, Any]) -> go.Figure | None:
    """Short- and long-term ROI per channel stacked to the total, the total's interval as an error bar."""
    lt = res.get("long_term") or {}
    rows = {n: c for n, c in (lt.get("channels") or {}).items() if c.get("summarised")}
    if not rows:
        return None
    names = list(rows)
    total = [rows[n]["total_roi"] for n in names]
    fig = go.Figure(
        [
            go.Bar(x=names, y=[rows[n]["short_roi"]["mean"] for n in names], name="short-term", marker_color=_color(0)),
            go.Bar(
                x=names,
                y=[rows[n]["long_roi"]["mean"] for n in names],
                name="long-term (brand)",
                marker_color=_color(1),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    # on the stacked top: the bar ends at short + long means, close to the total's mean
                    "array": [t["hi"] - t["mean"] for t in total],
                    "arrayminus": [t["mean"] - t["lo"] for t in total],
                },
            ),
        ]
    )
    return _layout(
        fig,
        "ROI split: short-term + long-term = total (error bar: total's interval)",
        barmode="stack",
        yaxis_title="ROI (KPI per unit of spend)",
    )


def long_term_charts(res: dict[str, Any]) -> dict[str, str]:
    """The section's charts as HTML fragments (none without a long-term model)."""
    figures = {"long_term_split": split_chart(res), "long_term_irf": irf_chart(res)}
    return {name: to_div(fig, f"chart-{name}") for name, fig in figures.items() if fig is not None}


__all__ = ["irf_chart", "long_term_block", "long_term_charts", "long_term_irf", "section_data", "split_chart"]
