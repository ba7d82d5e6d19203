"""Plotly figures of a report, built only from the results JSON (never from draws), as inline HTML fragments.

Each figure is a ``<div>`` plus a small script calling ``Plotly.newPlot``; plotly.js itself is embedded once
in the page head (:func:`plotly_js`), so the file opens offline and no figure repeats the 4 MB library.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

PALETTE = ("#1f5fa8", "#e07b24", "#2a9d6f", "#c0392b", "#7b4ea3", "#8c6d31", "#d16ba5", "#4d8fac", "#9aa83b", "#555555")
BASELINE_COLOR = "#b8c2cc"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"  # local fonts only
PLOT_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["sendDataToCloud", "lasso2d", "select2d"],
}


def plotly_js() -> str:
    """The plotly.js bundle shipped with the Python package (embedded once per report; no CDN)."""
    return get_plotlyjs()


def _layout(fig: go.Figure, title: str, height: int = 380, **kw: Any) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 15}},
        height=height,
        template="plotly_white",
        font={"family": FONT, "size": 12},
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.18},
        **kw,
    )
    return fig


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def to_div(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOT_CONFIG)


def spend_chart(res: dict[str, Any]) -> go.Figure:
    """Spend per period by channel (stacked), the data the model saw."""
    s = res["charts"]["spend"]
    fig = go.Figure(
        [
            go.Bar(x=s["periods"], y=v, name=ch, marker_color=_color(i))
            for i, ch in enumerate(s["channels"])
            for v in [s["channels"][ch]]
        ]
    )
    return _layout(fig, "Media spend per period by channel", barmode="stack", yaxis_title="spend")


def fitted_chart(res: dict[str, Any]) -> go.Figure:
    """Observed KPI against the model's expected KPI with its interval band; the holdout shaded."""
    f = res["charts"]["fitted"]
    level = round(100 * res["fit"]["interval"]["level"])
    fig = go.Figure(
        [
            go.Scatter(x=f["periods"], y=f["hi"], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"),
            go.Scatter(
                x=f["periods"],
                y=f["lo"],
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor="rgba(31,95,168,0.18)",
                name=f"{level}% interval of expected {res['data']['kpi']}",
            ),
            go.Scatter(
                x=f["periods"],
                y=f["mean"],
                mode="lines",
                line={"color": PALETTE[0], "width": 2},
                name="model (posterior mean)",
            ),
            go.Scatter(
                x=f["periods"],
                y=f["observed"],
                mode="markers",
                marker={"color": "#222", "size": 4},
                name=f"observed {res['data']['kpi']}",
            ),
        ]
    )
    if f.get("holdout_start"):
        fig.add_vrect(
            x0=f["holdout_start"],
            x1=f["periods"][-1],
            fillcolor="#f3d9a4",
            opacity=0.35,
            line_width=0,
            annotation_text="holdout",
            annotation_position="top left",
        )
    return _layout(fig, f"Observed vs fitted {res['data']['kpi']}", yaxis_title=res["data"]["kpi"])


def contribution_area(res: dict[str, Any]) -> go.Figure:
    """Baseline and each channel's mean contribution per period, stacked."""
    c = res["charts"]["contributions"]
    traces = [
        go.Scatter(
            x=c["periods"],
            y=c["baseline"],
            name="baseline",
            stackgroup="one",
            mode="lines",
            line={"width": 0.5, "color": BASELINE_COLOR},
        )
    ]
    traces += [
        go.Scatter(
            x=c["periods"], y=v, name=ch, stackgroup="one", mode="lines", line={"width": 0.5, "color": _color(i)}
        )
        for i, (ch, v) in enumerate(c["channels"].items())
    ]
    return _layout(
        go.Figure(traces),
        f"Contributions to {res['data']['kpi']} over time (posterior means)",
        yaxis_title=res["data"]["kpi"],
    )


def waterfall(res: dict[str, Any]) -> go.Figure:
    """Baseline plus each channel's total contribution, adding up to the model's total."""
    rows = {r["channel"]: r["mean"] for r in res["contributions"]["by_channel"]}
    names = ["baseline", *[ch for ch in rows if ch != "baseline"]]
    fig = go.Figure(
        go.Waterfall(
            x=[*names, "model total"],
            y=[*(rows[n] for n in names), None],
            measure=["absolute", *["relative"] * (len(names) - 1), "total"],
            connector={"line": {"color": "#999"}},
            increasing={"marker": {"color": PALETTE[2]}},
            decreasing={"marker": {"color": PALETTE[3]}},
            totals={"marker": {"color": PALETTE[0]}},
        )
    )
    return _layout(
        fig,
        f"Where the modelled {res['data']['kpi']} comes from (totals, posterior means)",
        showlegend=False,
        yaxis_title=res["data"]["kpi"],
    )


def roi_chart(res: dict[str, Any]) -> go.Figure:
    """ROI and marginal ROI per channel with intervals; the break-even line at 1."""
    ch = res["roi"]["channels"]
    names = list(ch)
    fig = go.Figure()
    for i, (key, label) in enumerate((("roi", "ROI"), ("mroi", "marginal ROI"))):
        est = [ch[n][key] for n in names]
        fig.add_trace(
            go.Scatter(
                x=[e["mean"] for e in est],
                y=names,
                mode="markers",
                name=label,
                marker={"size": 10, "color": _color(i), "symbol": "circle" if i == 0 else "diamond"},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [e["hi"] - e["mean"] for e in est],
                    "arrayminus": [e["mean"] - e["lo"] for e in est],
                },
            )
        )
    fig.add_vline(
        x=res["thresholds"]["roi_breakeven"],
        line_dash="dash",
        line_color="#888",
        annotation_text="break-even",
        annotation_position="top",
    )
    level = round(100 * res["roi"]["interval"]["level"])
    return _layout(
        fig,
        f"ROI and marginal ROI per channel (mean, {level}% interval)",
        height=120 + 60 * len(names),
        xaxis_title=f"{res['data']['kpi']} per unit of spend",
    )


def pairwise_chart(res: dict[str, Any]) -> go.Figure:
    """P(ROI of row > ROI of column) for every pair of channels."""
    pw = res["ranking"]["pairwise"]
    names = list(pw)
    z = [[pw[a][b] for b in names] for a in names]
    text = [["" if v is None else f"{v:.0%}" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=names,
            y=names,
            text=text,
            texttemplate="%{text}",
            zmin=0,
            zmax=1,
            colorscale="RdBu",
            colorbar={"title": "P"},
            hoverongaps=False,
        )
    )
    fig.update_yaxes(autorange="reversed", title="ROI of …")
    fig.update_xaxes(title="… exceeds ROI of")
    return _layout(fig, "Probability that one channel's ROI exceeds another's", height=160 + 50 * len(names))


def add_band(fig: go.Figure, x, band: dict[str, list], color: str, name: str) -> None:
    """A mean line with its interval shaded (hi, then lo filled to it), legend-grouped under ``name``."""
    edge = {"mode": "lines", "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip", "legendgroup": name}
    fig.add_trace(go.Scatter(x=x, y=band["hi"], **edge))
    fig.add_trace(go.Scatter(x=x, y=band["lo"], fill="tonexty", fillcolor=_rgba(color, 0.15), **edge))
    fig.add_trace(
        go.Scatter(x=x, y=band["mean"], mode="lines", name=name, line={"color": color, "width": 2}, legendgroup=name)
    )


def curves_chart(res: dict[str, Any]) -> go.Figure:
    """Each channel's contribution as its observed spend pattern is scaled 0–2×; today's spend marked."""
    fig = go.Figure()
    for i, (ch, c) in enumerate(res["charts"]["curves"].items()):
        x, color = c["spend"], _color(i)
        points = c["contribution"]
        add_band(fig, x, {k: [p[k] for p in points] for k in ("mean", "lo", "hi")}, color, ch)
        now = c["multipliers"].index(1.0) if 1.0 in c["multipliers"] else None
        if now is not None:
            fig.add_trace(
                go.Scatter(
                    x=[x[now]],
                    y=[c["contribution"][now]["mean"]],
                    mode="markers",
                    marker={"color": color, "size": 10, "line": {"color": "#000", "width": 1}},
                    name=f"{ch}: current spend",
                    showlegend=False,
                    legendgroup=ch,
                )
            )
    return _layout(
        fig,
        "Response curves: contribution vs total spend (0–2× of observed; dot = today)",
        height=420,
        xaxis_title="total spend over the data window",
        yaxis_title=res["data"]["kpi"],
    )


def optimizer_chart(res: dict[str, Any]) -> go.Figure | None:
    opt = res.get("optimizer") or {}
    alloc = opt.get("allocation")
    if not alloc:
        return None
    current = ((opt.get("current") or {}).get("pattern_same_budget") or {}).get("allocation") or {}
    names = list(alloc)
    fig = go.Figure()
    if current:
        fig.add_trace(
            go.Bar(
                x=names,
                y=[current.get(n) for n in names],
                name="current pattern, same budget",
                marker_color=BASELINE_COLOR,
            )
        )
    fig.add_trace(go.Bar(x=names, y=[alloc[n] for n in names], name="recommended", marker_color=PALETTE[0]))
    return _layout(fig, "Budget allocation: recommended vs current", barmode="group", yaxis_title="spend")


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def all_charts(res: dict[str, Any]) -> dict[str, str]:
    """Every chart of the report as an HTML fragment, keyed by name (absent when there is nothing to draw)."""
    figures = {
        "spend": spend_chart(res),
        "fitted": fitted_chart(res),
        "contrib_area": contribution_area(res),
        "waterfall": waterfall(res),
        "roi": roi_chart(res),
        "pairwise": pairwise_chart(res),
        "curves": curves_chart(res),
        "optimizer": optimizer_chart(res),
    }
    return {name: to_div(fig, f"chart-{name}") for name, fig in figures.items() if fig is not None}
