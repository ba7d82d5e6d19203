"""Tools that answer from a stored fit: ROI, comparisons, contributions, health, response curves — plus the
planning, mediation and report tools of :mod:`tools.planning_tools`.
"""

from __future__ import annotations

from typing import Any, Literal

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from mmm_core.answers import results
from mmm_core.answers.results import resolve_channel
from mmm_core.store import Store
from tools import planning_tools
from tools.base import MAX_CHARS, resolve_fit, run_tool

_STATS = ("mean", "lo", "hi")


class FitArg(BaseModel):
    fit_id: str | None = Field(None, description="Fit id (fit_…); omit for the session's current fit.")


class Window(BaseModel):
    start: str = Field(description="First day of the window, YYYY-MM-DD.")
    end: str = Field(description="Last day of the window, YYYY-MM-DD.")
    label: str | None = Field(None, description="How the user named it ('2023', 'Q3 2023', 'the last 8 weeks').")


_WINDOWS = (
    "Only these calendar windows (one = that period, two or more = a comparison such as 2023 vs 2024), computed "
    "from the posterior over those periods, with intervals. Omit for the whole data."
)


class RoiArgs(FitArg):
    channel: str | None = Field(None, description="One channel (exact name); omit for every channel.")
    windows: list[Window] | None = Field(None, description=_WINDOWS)
    geos: list[str] | None = Field(
        None, description="Per geography (exact names, e.g. ['North', 'South']); all periods. Omit for national."
    )
    margin: float | None = Field(
        None,
        gt=0,
        description="Profit per unit of KPI when the user gives one (0.3 for a 30% margin): adds the break-even "
        "ROI (1/margin) and each channel's probability of beating it. Whole data only.",
    )


class CompareArgs(FitArg):
    a: str = Field(description="First channel (exact name).")
    b: str = Field(description="Second channel (exact name).")
    windows: list[Window] | None = Field(
        None, description="One calendar window: compare the two channels' ROI over its periods only."
    )


class ContribArgs(FitArg):
    by: Literal["channel", "period", "geo"] = Field("channel", description="Breakdown of the contributions.")
    channel: str | None = Field(None, description="Only this channel's rows (exact name); omit for all.")
    windows: list[Window] | None = Field(None, description=_WINDOWS + " Rows are per channel and baseline.")


class CurveArgs(FitArg):
    channel: str = Field(description="Channel (exact name).")


def _brief(stats: Any) -> Any:
    """{mean, lo, hi} of a stats dict: the model never needs sd/median to phrase an answer."""
    if isinstance(stats, dict) and "mean" in stats:
        return {k: stats.get(k) for k in _STATS}
    return stats


def _plain(windows: list | None) -> list[dict] | None:
    return [w.model_dump() if isinstance(w, BaseModel) else dict(w) for w in windows] if windows else None


def _only(channels: dict[str, Any], channel: str | None) -> dict[str, Any]:
    if channel:
        name = resolve_channel(channel, list(channels))
        channels = {name: channels[name]}
    return {n: {k: _brief(v) for k, v in c.items()} for n, c in channels.items()}


# A fit of several outcomes answers with a table per outcome beside the weighted total: two outcomes' tables of four
# channels passed 4,000 characters and the cap left the per-outcome block (or the total) out of the answer.
ROI_MAX_CHARS = MAX_CHARS + 2000


def _roi_body(out: dict[str, Any], channel: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"fit_id": out["fit_id"], "interval": out.get("interval")}
    for key in ("by_window", "by_geo"):
        if key in out:
            body[key] = {label: _only(table, channel) for label, table in out[key].items()}
    if "channels" in out:
        body["channels"] = _only(out["channels"], channel)
    if out.get("geo_leaders"):  # "which region is best?": mmm_core's leader per channel, cut to the channels shown
        body["geo_leaders"] = _leaders(out["geo_leaders"], body["by_geo"])
    for key in ("by_window", "by_geo"):  # one window or geography: its table is *the* table
        if len(body.get(key) or {}) == 1:
            body["channels"] = next(iter(body[key].values()))
    if "windows" in out:
        body["windows"] = out["windows"]
    if out.get("kpi_is"):  # several KPIs, a slice of their weighted total
        body["kpi_is"] = out["kpi_is"]
    basis = [b for b in out.get("roi_basis") or [] if channel is None or b["channel"] in body.get("channels", {})]
    if basis:  # the answer says how ROI is read for exposure-driven and national channels
        body["roi_basis"] = basis
    if out.get("break_even"):  # "profitable at a 30% margin?": the threshold the channels are judged against
        body |= {"margin": out["margin"], "break_even": out["break_even"]}
    if out.get("comparison"):
        body["comparison"] = _comparison_body(out["comparison"], channel)
    if out.get("outcomes"):  # several KPIs: each outcome's table beside the weighted total
        body["outcomes"] = {
            n: {**o, "channels": {ch: _outcome_row(c) for ch, c in _only(o["channels"], channel).items()}}
            for n, o in out["outcomes"].items()
        }
        body["total_is"] = out["total_is"]
    return {**body, "approximate": out.get("approximate"), "label": out.get("label"), "provenance": out["provenance"]}


def _leaders(leaders: dict[str, list[dict[str, Any]]], by_geo: dict[str, dict[str, Any]]) -> dict[str, list]:
    """Each end's geography leaders for the channels the cut tables show, their ROI as brief as the tables'."""
    shown = {name for table in by_geo.values() for name in table}
    return {
        order: [{**x, "roi": _brief(x["roi"])} for x in rows if x["channel"] in shown]
        for order, rows in leaders.items()
    }


def _outcome_row(c: dict[str, Any]) -> dict[str, Any]:
    """One outcome's channel row as the answers read it (ROI, contribution, the label of a channel not identified):
    in full, all outcomes' rows passed the tool's size cap and the whole per-outcome block was left out."""
    row = {k: {s: c[k][s] for s in ("mean", "lo", "hi")} for k in ("roi", "contribution") if c.get(k)}
    idf = c.get("identifiability") or {}
    if idf.get("status") not in (None, "identified", "unknown"):  # the label names a weak one's cause already
        row["identifiability"] = {k: idf.get(k) for k in ("label", "status")}
        if idf.get("status") == "prior":
            row["identifiability"]["causes"] = idf.get("causes")
    return row


def _comparison_body(comp: dict[str, Any], channel: str | None) -> dict[str, Any]:
    """The declared comparison, cut to the asked channel: the disclosure, combined ROI and each member's ROI."""
    if comp.get("status") != "done":
        return {k: comp.get(k) for k in ("declared", "status", "reason")}
    return {
        "status": "done",
        "disclosure": comp["disclosure"],
        "combined": _only(comp["combined"]["roi"], channel),
        "members": [
            {"name": m["name"], "weight": m["weight"], "roi": _only(m["roi"], channel)} for m in comp["members"]
        ],
    }


def _contrib_body(out: dict[str, Any], channel: str | None) -> dict[str, Any]:
    def only(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rows if str(r.get("channel", "")).casefold() == channel.casefold()] if channel else rows

    body = {**{k: v for k, v in out.items() if k != "rows"}, "rows": only(out.get("rows", []))}
    if out.get("outcomes"):  # several KPIs: each outcome's rows beside the weighted total, cut alike
        body["outcomes"] = {n: {**o, "rows": only(o["rows"])} for n, o in out["outcomes"].items()}
    return body


def roi_tool(store: Store, level: float | None = None) -> BaseTool:
    """The ``roi`` tool; ``level``: report intervals at this level instead of the spec's (the UI's setting)."""

    def roi(
        channel: str | None = None,
        windows: list | None = None,
        geos: list[str] | None = None,
        margin: float | None = None,
        fit_id: str | None = None,
        runtime: ToolRuntime = None,
    ) -> str:
        def work() -> dict:
            fit = resolve_fit(store, fit_id, runtime)
            body = results.roi(store, fit, interval=level, windows=_plain(windows), geos=geos, margin=margin)
            return _roi_body(body, channel)

        return run_tool(work, ROI_MAX_CHARS)

    return StructuredTool.from_function(
        roi,
        name="roi",
        args_schema=RoiArgs,
        description=(
            "ROI (KPI per unit spend), marginal ROI, contribution and spend per channel with credible "
            "intervals and provenance. Use it for 'ROI of X' and for ranking channels (best/worst). Each "
            "channel carries its identifiability label (identified, weakly identified: <cause>, "
            "prior-dominated) and the fix: say it beside that channel's ROI, and never call a channel "
            "that is not identified best or worst without saying so."
        ),
    )


def contributions_tool(store: Store, level: float | None = None) -> BaseTool:
    """The ``contributions`` tool; ``level`` as in :func:`roi_tool`."""

    def contributions(
        by: str = "channel",
        channel: str | None = None,
        windows: list | None = None,
        fit_id: str | None = None,
        runtime: ToolRuntime = None,
    ) -> str:
        def work() -> dict:
            fit = resolve_fit(store, fit_id, runtime)
            out = results.contributions(store, fit, by=by, interval=level, windows=_plain(windows))
            return _contrib_body(out, channel)

        return run_tool(work)

    return StructuredTool.from_function(
        contributions,
        name="contributions",
        args_schema=ContribArgs,
        description=("Modelled contribution to the KPI by channel, period or geography, with intervals."),
    )


def build(store: Store) -> list[BaseTool]:
    """The result tools bound to one store."""

    def compare_channels(
        a: str, b: str, windows: list | None = None, fit_id: str | None = None, runtime: ToolRuntime = None
    ) -> str:
        def work() -> dict:
            out = results.compare(store, resolve_fit(store, fit_id, runtime), a, b, windows=_plain(windows))
            return {k: (_brief(v) if k in ("roi_a", "roi_b") else v) for k, v in out.items()}

        return run_tool(work)

    def model_health(fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        def work() -> dict:
            out = results.health(store, resolve_fit(store, fit_id, runtime))
            # A passed check is its name and status only (the out-of-sample answer reads its holdout checks in full):
            # a fit of several outcomes has checks per outcome, and in full they passed the tool's size cap.
            checks = [
                {k: c.get(k) for k in ("name", "status", "value", "threshold", "reason")}
                if c.get("status") != "pass" or str(c.get("name")).startswith("holdout_mape")
                else {"name": c.get("name"), "status": "pass"}
                for c in out.get("checks", [])
            ]
            gate = out.get("gate") or {}
            return {
                "fit_id": out["fit_id"],
                "status": out.get("status"),
                "overall": out.get("overall"),
                "summary": out.get("summary"),
                "checks": checks,
                "diagnostics": {k: v for k, v in (out.get("diagnostics") or {}).items() if k != "phases"},
                "gate": {"summary": gate.get("summary")} if isinstance(gate, dict) else None,
                "provenance": out["provenance"],
            }

        return run_tool(work)

    def response_curve(channel: str, fit_id: str | None = None, runtime: ToolRuntime = None) -> str:
        return run_tool(lambda: results.response_curve(store, resolve_fit(store, fit_id, runtime), channel))

    tools: list[BaseTool] = [
        roi_tool(store),
        StructuredTool.from_function(
            compare_channels,
            name="compare_channels",
            args_schema=CompareArgs,
            description=("Probability that channel a's ROI exceeds channel b's, with both ROIs and intervals."),
        ),
        contributions_tool(store),
        StructuredTool.from_function(
            model_health,
            name="model_health",
            args_schema=FitArg,
            description=(
                "Did the fit converge and is it trustworthy: R-hat, ESS, divergences, fit quality and each health "
                "check with its verdict."
            ),
        ),
        StructuredTool.from_function(
            response_curve,
            name="response_curve",
            args_schema=CurveArgs,
            description=(
                "Contribution of one channel as its spend is scaled from 0× to 2× of observed (diminishing returns)."
            ),
        ),
    ]
    return tools + planning_tools.build(store)
