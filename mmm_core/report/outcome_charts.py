"""Plotly figures of a multi-outcome report (issue 22), built only from its results JSON as the single-KPI charts
are (:mod:`mmm_core.report.charts`): ROI per channel and outcome with intervals, a forest plot of the
cross-effects, what each channel or promotion moves in each outcome, and observed vs fitted per outcome.

``res`` is the results with every string HTML-escaped (``render.plotly_data``), so a name is a name in a label.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from mmm_core.report.charts import _color, _layout, curves_chart, optimizer_chart, to_div

TOTAL_COLOR = "#222222"


def _error(est: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "data",
        "symmetric": False,
        "array": [e["hi"] - e["mean"] for e in est],
        "arrayminus": [e["mean"] - e["lo"] for e in est],
    }


def _level(res: dict[str, Any]) -> int:
    return round(100 * res["fit"]["interval"]["level"])


def roi_by_outcome(res: dict[str, Any]) -> go.Figure:
    """Each channel's ROI on each outcome (its own KPI units per unit of spend) and on the weighted total."""
    o = res["outcomes"]
    names = list(o["total"]["channels"])
    series = [(n, o["by_outcome"][n]["channels"], _color(i)) for i, n in enumerate(o["names"])]
    series.append(("weighted total", o["total"]["channels"], TOTAL_COLOR))
    fig = go.Figure()
    for label, chans, color in series:
        est = [chans[ch]["roi"] for ch in names]
        fig.add_trace(
            go.Scatter(
                x=[e["mean"] for e in est],
                y=names,
                mode="markers",
                orientation="h",  # grouped along the channel axis, so the outcomes' intervals sit side by side
                name=label,
                marker={"size": 10, "color": color},
                error_x=_error(est),
            )
        )
    return _layout(
        fig,
        f"ROI per channel and outcome (mean, {_level(res)}% interval)",
        height=160 + 70 * len(names),
        xaxis_title="outcome units per unit of spend",
        scattermode="group",
    )


def cross_forest(res: dict[str, Any]) -> go.Figure | None:
    """Forest plot of each cross-effect's kappa (target units per source unit) with its interval; 0 marked."""
    effects = res["cross_effects"]["effects"]
    if not effects:
        return None
    labels = [_effect_label(e) for e in effects]
    est = [e["kappa"] for e in effects]
    colors = [
        "#888888" if e["direction"] == "unclear" else _color(3 if e["direction"] == "takes" else 2) for e in effects
    ]
    fig = go.Figure(
        go.Scatter(
            x=[e["mean"] for e in est],
            y=labels,
            mode="markers",
            marker={"size": 11, "color": colors},
            error_x=_error(est),
            showlegend=False,
        )
    )
    fig.add_vline(x=0, line_dash="dash", line_color="#888")
    return _layout(
        fig,
        f"Cross-effects: kappa (mean, {_level(res)}% interval; grey = not distinguishable from zero)",
        height=140 + 60 * len(effects),
        xaxis_title="target units per source unit",
    )


def _effect_label(e: dict[str, Any]) -> str:
    when = f" when {e['modulator']} is on" if e.get("modulator") else ""
    return f"{e['source']} → {e['target']} ({e['type']}{when})"


def lifts_chart(res: dict[str, Any]) -> go.Figure:
    """What each channel and control moves in each outcome over the data (routed cross-effects included)."""
    drivers = res["lifts"]["drivers"]
    names = list(drivers)
    fig = go.Figure()
    for i, outcome in enumerate(res["outcomes"]["names"]):
        est = [drivers[d]["outcomes"][outcome]["contribution"] for d in names]
        fig.add_trace(
            go.Bar(x=names, y=[e["mean"] for e in est], name=outcome, marker_color=_color(i), error_y=_error(est))
        )
    fig.add_hline(y=0, line_color="#888")
    return _layout(
        fig,
        f"What each channel and control moves in each outcome (mean, {_level(res)}% interval)",
        barmode="group",
        yaxis_title="outcome units over the data",
    )


def fitted_by_outcome(res: dict[str, Any]) -> go.Figure:
    """Observed against the posterior-mean fitted value of each outcome per period (summed over geographies)."""
    f = res["charts"]["fitted"]
    fig = go.Figure()
    for i, (name, s) in enumerate(f["outcomes"].items()):
        color = _color(i)
        fig.add_trace(
            go.Scatter(x=f["periods"], y=s["fitted"], mode="lines", name=f"{name}: model", line={"color": color})
        )
        fig.add_trace(
            go.Scatter(
                x=f["periods"],
                y=s["observed"],
                mode="markers",
                name=f"{name}: observed",
                marker={"color": color, "size": 4},
            )
        )
    return _layout(fig, "Observed vs fitted, per outcome (posterior mean)", yaxis_title="outcome units")


def multi_charts(res: dict[str, Any]) -> dict[str, str]:
    """Every chart of a multi-outcome report as an HTML fragment, keyed by name (absent when nothing to draw)."""
    figures = {
        "outcome_roi": roi_by_outcome(res),
        "cross_forest": cross_forest(res),
        "lifts": lifts_chart(res),
        "fitted": fitted_by_outcome(res),
        "curves": curves_chart(res) if res["charts"]["curves"] else None,
        "optimizer": optimizer_chart(res),
    }
    return {name: to_div(fig, f"chart-{name}") for name, fig in figures.items() if fig is not None}


__all__ = ["multi_charts"]
