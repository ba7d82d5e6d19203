"""Plotly figures for the chat UI, built from the JSON that the tools return (never from the model's text).

Tool outputs are capped in size (``tools.base.MAX_CHARS``), so a long series arrives truncated; ``full_result``
fetches the uncapped rows from ``mmm_core.answers.results`` for the chart only — the model still sees the capped JSON.
Every figure shows intervals where the result has them, and says "approximate" when the fit is.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go

from mmm_core.answers import results

_CUT = "more items cut"
Figure = go.Figure


def plain(name: Any) -> str:
    """A name as Plotly text: Plotly reads a small HTML subset in labels (``<a href>``, ``<b>``), so the name's
    ``& < >`` are written as entities, which Plotly shows as the characters themselves."""
    return html.escape(str(name), quote=False)


def _level(data: dict[str, Any]) -> str:
    level = (data.get("interval") or {}).get("level")
    return f"{round(float(level) * 100)}% interval" if level else "interval"


def _title(text: str, data: dict[str, Any]) -> str:
    return text + (" — approximate, uncertainty not calibrated" if data.get("approximate") else "")


def _layout(fig: Figure, title: str, x: str, y: str) -> Figure:
    fig.update_layout(
        title=title,
        xaxis_title=x,
        yaxis_title=y,
        template="plotly_white",
        margin={"l": 50, "r": 20, "t": 50, "b": 40},
        height=380,
    )
    return fig


def _error_bars(stats: list[dict[str, Any]]) -> dict[str, Any]:
    """Asymmetric error bars from {mean, lo, hi} (plotly wants distances, not bounds)."""
    plus = [max((s.get("hi") or s["mean"]) - s["mean"], 0.0) for s in stats]
    minus = [max(s["mean"] - (s.get("lo") or s["mean"]), 0.0) for s in stats]
    return {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus}


def is_truncated(data: Any) -> bool:
    """True when a tool cut lists in this output to fit its size cap."""
    if isinstance(data, dict):
        return "truncated" in data or any(is_truncated(v) for v in data.values())
    if isinstance(data, list):
        return any(isinstance(v, str) and _CUT in v for v in data) or any(is_truncated(v) for v in data)
    return False


def roi_figure(data: dict[str, Any]) -> Figure:
    """ROI per channel (bars at the posterior mean, whiskers at the interval), sorted high to low."""
    channels = sorted(data["channels"].items(), key=lambda kv: -(kv[1]["roi"]["mean"] or 0.0))
    stats = [c["roi"] for _, c in channels]
    fig = go.Figure(
        go.Bar(
            x=[plain(n) for n, _ in channels],
            y=[s["mean"] for s in stats],
            error_y=_error_bars(stats),
            marker_color="#3b6ea8",
            name="ROI",
        )
    )
    fig.add_hline(y=1.0, line_dash="dot", line_color="#888", annotation_text="break-even")
    return _layout(fig, _title(f"ROI by channel ({_level(data)})", data), "channel", "KPI per unit of spend")


def contributions_figure(data: dict[str, Any]) -> Figure:
    """Contributions by channel (bars) or over time (a line with its interval band per channel)."""
    rows = [r for r in data.get("rows", []) if isinstance(r, dict)]
    by = data.get("by", "channel")
    if by != "period":
        key = "geography" if by == "geo" and rows and "geography" in rows[0] else "channel"
        fig = go.Figure(
            go.Bar(
                x=[plain(r.get(key)) for r in rows],
                y=[r["mean"] for r in rows],
                error_y=_error_bars(rows),
                marker_color="#5a9e6f",
            )
        )
        return _layout(fig, _title(f"Contribution by {by} ({_level(data)})", data), by, "contribution")
    fig = go.Figure()
    for name in dict.fromkeys(r.get("channel", "all") for r in rows):
        own = [r for r in rows if r.get("channel", "all") == name]
        x = [r["period"] for r in own]
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=[r["hi"] for r in own] + [r["lo"] for r in own][::-1],
                fill="toself",
                line={"width": 0},
                opacity=0.2,
                showlegend=False,
                hoverinfo="skip",
                name=plain(f"{name} interval"),
            )
        )
        fig.add_trace(go.Scatter(x=x, y=[r["mean"] for r in own], mode="lines", name=plain(name)))
    return _layout(fig, _title(f"Contribution over time ({_level(data)})", data), "period", "contribution")


def response_curve_figure(data: dict[str, Any]) -> Figure:
    """Contribution as spend scales from 0× to 2× observed, with its band; the observed spend is marked."""
    pts = [
        (s, c)
        for s, c in zip(data["spend"], data["contribution"], strict=False)
        if isinstance(c, dict) and c.get("mean") is not None
    ]
    x = [s for s, _ in pts]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x + x[::-1],
            y=[c["hi"] for _, c in pts] + [c["lo"] for _, c in pts][::-1],
            fill="toself",
            line={"width": 0},
            opacity=0.2,
            name="interval",
            hoverinfo="skip",
        )
    )
    fig.add_trace(go.Scatter(x=x, y=[c["mean"] for _, c in pts], mode="lines", name="mean"))
    observed = [s for s, m in zip(data["spend"], data.get("multipliers", []), strict=False) if m == 1.0]
    if observed:
        fig.add_vline(x=observed[0], line_dash="dot", annotation_text="observed spend")
    return _layout(fig, _title(f"Response curve: {plain(data.get('channel', ''))}", data), "spend", "contribution")


def current_spend(data: dict[str, Any]) -> dict[str, float]:
    """The "current" the answer text compares with: for money on top of today's spend ("the next $1M") the
    current spend per channel (the plan adds to it); otherwise the tool's current allocation (a scenario's current
    level, an optimizer's current mix at the same budget), as the text's "now" figures."""
    after = data["allocation"]
    incremental = data.get("incremental")
    if isinstance(incremental, dict) and isinstance(incremental.get("current"), dict):
        return dict(incremental["current"])
    return data.get("current_allocation") or {
        ch: after[ch] - ((data.get("vs_current") or {}).get("per_channel", {}).get(ch, {}).get("amount") or 0.0)
        for ch in after
    }


def allocation_figure(data: dict[str, Any]) -> Figure:
    """Spend per channel before and after (optimizer or scenario output)."""
    after = data["allocation"]
    before = current_spend(data)
    names = list(after)
    labels = [plain(n) for n in names]
    fig = go.Figure(
        [
            go.Bar(x=labels, y=[before.get(n, 0.0) for n in names], name="current", marker_color="#aaa"),
            go.Bar(x=labels, y=[after[n] for n in names], name="proposed", marker_color="#3b6ea8"),
        ]
    )
    fig.update_layout(barmode="group")
    return _layout(fig, _title("Allocation: current vs proposed", data), "channel", "spend")


def mediation_figure(data: dict[str, Any]) -> Figure:
    """Direct and indirect (mediated) effect per channel, stacked to the total."""
    names = list(data["channels"])
    fig = go.Figure()
    for part, color in (("direct", "#3b6ea8"), ("indirect", "#e3a33b")):
        stats = [data["channels"][n][part] for n in names]
        fig.add_trace(go.Bar(x=[plain(n) for n in names], y=[s["mean"] for s in stats], name=part, marker_color=color))
    fig.update_layout(barmode="stack")
    return _layout(fig, _title("Mediation: direct vs indirect effect", data), "channel", "effect")


BUILDERS: dict[str, Callable[[dict[str, Any]], Figure]] = {
    "roi": roi_figure,
    "contributions": contributions_figure,
    "response_curve": response_curve_figure,
    "optimize_budget": allocation_figure,
    "scenario": allocation_figure,
    "mediation": mediation_figure,
}


def full_result(store: Any, tool: str, data: dict[str, Any]) -> dict[str, Any]:
    """The uncapped result behind a truncated tool output (contributions and response curves only)."""
    if not is_truncated(data) or not data.get("fit_id"):
        return data
    if tool == "contributions":
        level = (data.get("interval") or {}).get("level")
        full = results.contributions(store, data["fit_id"], by=data.get("by", "channel"), interval=level)
        channel = next((r.get("channel") for r in data.get("rows", []) if isinstance(r, dict)), None)
        only_one = {r.get("channel") for r in data.get("rows", []) if isinstance(r, dict)} == {channel}
        if only_one and data.get("by") != "period":
            full["rows"] = [r for r in full["rows"] if r.get("channel") == channel]
        return full
    if tool == "response_curve" and data.get("channel"):
        return results.response_curve(store, data["fit_id"], data["channel"])
    return data


def figures_for(tool: str, data: dict[str, Any], store: Any = None) -> list[tuple[str, Figure]]:
    """(name, figure) pairs for one tool output; none for errors, unknown tools or unusable shapes."""
    builder = BUILDERS.get(tool)
    if builder is None or not isinstance(data, dict) or "error" in data:
        return []
    if store is not None:
        data = full_result(store, tool, data)
    try:
        return [(f"{tool}_chart", builder(data))]
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return []  # a shape this chart does not know: the answer text still stands on its own
