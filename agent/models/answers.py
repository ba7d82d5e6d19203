"""Answers written from Jinja templates in ``prompts/answers`` filled only with numbers from tool outputs.

Formatting is fixed so grounding can check it: ROI and multipliers 2 decimals, money with thousands separators
and no decimals, probabilities as whole percents, intervals "90% interval 1.80–3.10".
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import jinja2

from mmm_core.answers.intervals import intervals_overlap
from mmm_core.prompts_loader import jinja_env

TOOL_LABELS = {"lock_spec": "the lock", "amend_spec": "the amendment", "fit_model": "the fit"}


def _num(x: Any, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{float(x):,.{digits}f}"


def _roi(x: Any) -> str:
    return _num(x, 2)


def _money(x: Any) -> str:
    return _num(x, 0)


def _pct(x: Any) -> str:
    return "n/a" if x is None else f"{float(x) * 100:.0f}%"


def _pct1(x: Any) -> str:
    return "n/a" if x is None else f"{float(x) * 100:.1f}%"


def _level(x: Any) -> str:
    return f"{float(x or 0.9) * 100:.0f}%"


def _iv(stats: dict[str, Any] | None, fmt=_roi) -> str:
    if not stats:
        return "n/a"
    return f"{fmt(stats.get('lo'))}–{fmt(stats.get('hi'))}"


def _date(x: Any) -> str:
    return str(x)[:10] if x else ""


@lru_cache(maxsize=1)
def env() -> jinja2.Environment:
    e = jinja_env(
        autoescape=False,
        trim_blocks=False,
        lstrip_blocks=False,
        undefined=jinja2.ChainableUndefined,
    )
    e.filters.update(
        num=_num,
        roi=_roi,
        money=_money,
        pct=_pct,
        pct1=_pct1,
        level=_level,
        iv=_iv,
        iv_money=lambda s: _iv(s, _money),
        date=_date,
    )
    return e


def render(name: str, **values: Any) -> str:
    text = env().get_template(name).render(**values)
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip() or False)


def help_text(tool_names: list[str]) -> str:
    optional = {
        "optimize_budget": "budget optimization",
        "scenario": "what-if scenarios",
        "mediation": "mediation analysis",
        "report": "narrative reports",
    }
    missing = [label for name, label in optional.items() if name not in tool_names]
    return render("help.md.j2", tools=tool_names, missing=missing)


def compose(tool: str, result: dict[str, Any], meta: dict[str, Any], known: list[str]) -> str:
    """The answer for one tool result, given the routed intent in ``meta``."""
    if "error" in result:
        return render("answers/error.j2", e=result["error"])
    text = _compose(tool, result, meta)
    if meta.get("national_only"):
        return render("answers/national_only.j2") + "\n" + text
    return text


def _compose(tool: str, result: dict[str, Any], meta: dict[str, Any]) -> str:
    """The answer; on a fit of several outcomes, an outcome the question names leads it (its own figures first, the
    weighted total after), so "TV's ROI on Sales_B" is not answered with the total first."""
    text = _compose_one(tool, result, meta)
    named = _named_outcome(result, meta.get("outcomes_named") or [])
    if named and tool in ("roi", "contributions"):
        rows = [x for x in result.get("rows", []) if isinstance(x, dict)]
        channels = list((result.get("channels") or {}).items())
        lead = render(
            "answers/_outcome_lead.j2",
            tool=tool,
            oname=named,
            o=result["outcomes"][named],
            rows=rows,
            channels=channels,
        )
        return lead + "\n" + text
    return text


def _named_outcome(result: dict[str, Any], named: list[str]) -> str | None:
    """The first of the fit's outcomes that the question names (exactly, or as a word of the outcome's name)."""
    outcomes = result.get("outcomes") or {}
    if not isinstance(outcomes, dict):
        return None
    wanted = {n.casefold() for n in named}
    for key in outcomes:
        words = set(re.split(r"[\W_]+", str(key).casefold()))
        if str(key).casefold() in wanted or wanted & (words - {"sales", "revenue", "kpi"}):
            return key
    return None


def _compose_one(tool: str, result: dict[str, Any], meta: dict[str, Any]) -> str:
    kpi_word = meta.get("kpi") or "the KPI"
    common = {"r": result, "kpi_word": kpi_word, "args": meta.get("args", {}), "channel": meta.get("channel")}
    if tool == "roi":
        channels = list((result.get("channels") or {}).items())
        intent = meta.get("intent")
        if intent == "payback" and channels:
            return render("answers/payback.j2", channels=channels, **common)
        if only := set(meta.get("args", {}).get("only") or []):  # "ROI of TV and Radio": those rows
            channels = [kv for kv in channels if kv[0] in only] or channels
        if intent == "headroom" and channels and all(c.get("mroi") for _, c in channels):
            channels.sort(key=lambda kv: kv[1]["mroi"]["mean"], reverse=True)
            return render("answers/headroom.j2", channels=channels, **common)
        if intent == "uncertainty" and len(channels) == 1:
            return render("answers/uncertainty.j2", channels=channels, **common)
        if intent == "rank":
            order = meta.get("args", {}).get("order", "best")
            channels.sort(key=lambda kv: kv[1]["roi"]["mean"], reverse=(order != "worst"))
            # "not counting TV, which is best?": the ranking is of the others; TV is listed apart, as asked.
            left_out = set(meta.get("args", {}).get("exclude") or [])
            excluded = [kv for kv in channels if kv[0] in left_out]
            channels = [kv for kv in channels if kv[0] not in left_out] or channels
            top, second = channels[0][1]["roi"], channels[1][1]["roi"] if len(channels) > 1 else None
            overlap = bool(second) and intervals_overlap(top, second)
            return render(
                "answers/rank.j2", channels=channels, order=order, overlap=overlap, excluded=excluded, **common
            )
        left_out = _left_out(meta, [name for name, _ in channels])
        channels = [kv for kv in channels if kv[0] not in left_out] or channels
        leaders = _geo_leaders(result, meta.get("geo_order"))
        return _with_left_out(left_out, render("answers/roi.j2", channels=channels, leaders=leaders, **common))
    if tool == "compare_channels":
        return render("answers/compare.j2", **common)
    if tool == "contributions":
        rows = [x for x in result.get("rows", []) if isinstance(x, dict)]
        left_out = _left_out(meta, [x.get("channel") for x in rows])
        rows = [x for x in rows if x.get("channel") not in left_out]
        if only := set(meta.get("args", {}).get("only") or []):  # "Search and Social's contribution": those rows
            rows = [x for x in rows if x.get("channel") in only] or rows
        if result.get("by") == "channel":  # "which channel contributes the most?": largest first, baseline last
            rows.sort(key=lambda x: (not x.get("channel") or x.get("channel") == "baseline", -(x.get("mean") or 0)))
        text = render("answers/contributions.j2", rows=rows, shown=rows[:12], **common)
        return _with_left_out(left_out, text)
    if tool == "model_health":  # trust needs both: the fit's health and how it forecasts unseen periods
        health = render("answers/health.j2", d=result.get("diagnostics") or {}, **common)
        return health + "\n" + render("answers/out_of_sample.j2", **common)
    if tool in ("spend_by", "kpi_by"):
        rows = [x for x in result.get("rows", []) if isinstance(x, dict)]  # skip truncation notes
        left_out = _left_out(meta, [x.get("channel") for x in rows])
        rows = [x for x in rows if x.get("channel") not in left_out]
        if left_out:  # the total of every channel would count the ones left out
            common["r"] = {**result, "total": None, "n_rows": None}
        return _with_left_out(left_out, render(f"answers/{tool}.j2", shown=rows[:12], **common))
    if tool == "run_sql" and meta.get("intent") == "peak_period" and "rows" in result:
        return render("answers/peak_period.j2", rows=result["rows"], **common)
    if tool == "run_sql" and meta.get("intent") == "blended_roi" and "rows" in result:
        return render("answers/blended_roi.j2", row=(result["rows"] or [None])[0], **common)
    if tool == "run_sql" and meta.get("intent") == "series_stats" and "rows" in result:
        return render("answers/series_stats.j2", rows=result["rows"], **common)
    if tool == "run_sql" and meta.get("intent") == "roi_probability" and result.get("rows"):
        return render("answers/roi_probability.j2", row=result["rows"][0], **common)
    if tool == "scenario" and (over := _cut_beyond_spend(result, meta)):
        return render("answers/impossible.j2", reason=over, computed=True)
    if tool == "long_term":
        return render("answers/long_term.j2", channels=list((result.get("channels") or {}).items()), **common)
    if tool in ("cross_effects", "outcome_effects"):  # several outcomes (mmm_core.answers.outcomes)
        return render(f"answers/{tool}.j2", **common)
    if tool == "control_selection":
        return render("answers/controls.j2", controls=list((result.get("controls") or {}).items()), **common)
    if tool == "ledger" and meta.get("intent") == "disclosure":
        return render("answers/disclosure.j2", **common)
    if tool == "optimize_budget":
        # A truncated tool output ends its long lists with a note string; the template reads records only.
        result = {**result, "binding": [b for b in result.get("binding") or [] if isinstance(b, dict)]}
        return render("answers/optimize.j2", **{**common, "r": result})
    simple = {
        "carryover": "carryover",
        "media_share": "media_share",
        "describe_dataset": "describe",
        "list_datasets": "list_datasets",
        "run_sql": "sql",
        "ledger": "ledger",
        "lock_spec": "lock",
        "amend_spec": "amend",
        "fit_model": "fit",
        "fit_status": "fit_status",
        "optimize_budget": "optimize",
        "scenario": "scenario",
        "report": "report",
        "mediation": "mediation",
        "response_curve": "curve",
        "record_lift_test": "lift_test_recorded",
        "suggest_experiment": "suggest_experiment",
        "show_spec": "spec",
    }
    if tool in simple:
        return render(f"answers/{simple[tool]}.j2", **common)
    return render("answers/error.j2", e={"message": f"no answer template for {tool}", "hint": ""})


def _geo_leaders(result: dict[str, Any], order: str | None) -> list[dict[str, Any]]:
    """The tool's geography leaders (``mmm_core.answers.geo_leaders``) at the end the question asked for; none
    unless a superlative ('best'/'worst') was asked. A truncated tool output may end a list with a note: records
    only."""
    return [x for x in (result.get("geo_leaders") or {}).get(order or "") or [] if isinstance(x, dict)]


def _cut_beyond_spend(result: dict[str, Any], meta: dict[str, Any]) -> str | None:
    """Why a cut by an amount cannot be simulated: "take 500k from Print" when Print spends less than that over
    the horizon (the scenario would silently stop at zero, answering a smaller cut than the one asked)."""
    now = result.get("current_allocation") or {}
    for mv in meta.get("args", {}).get("moves") or []:
        amount, channel = mv.get("amount"), mv.get("channel")
        if amount is not None and amount < 0 and channel in now and -amount > float(now[channel]):
            return (
                f"a cut of {_money(-amount)} from {channel} is more than all of its spend over the next "
                f"{_money(result.get('horizon_periods'))} periods ({_money(now[channel])}): cut at most that, or give "
                "a share of it instead"
            )
    return None


def _left_out(meta: dict[str, Any], present: list[Any]) -> set[str]:
    """Channels the question excluded ("ROI of everything except TV", "Search but not Social"): the tool's rows
    of them are dropped and the answer says they were left out (whether or not the tool's table held them)."""
    del present  # kept for the callers' symmetry: what was asked to be left out is said, held or not
    return set(meta.get("args", {}).get("exclude") or [])


def _with_left_out(left_out: set[str], text: str) -> str:
    """The table without the excluded channels, saying so first (their rows are not shown)."""
    if not left_out:
        return text
    return render("answers/left_out.j2", names=sorted(left_out)) + "\n" + text


def declined(tool: str) -> str:
    how = (
        "To approve, run the same request again with `--approve` (CLI) or press Approve (UI); "
        "in `mmm-agent chat` answer y."
    )
    return render("answers/declined.j2", tool_label=TOOL_LABELS.get(tool, tool), how_to_approve=how)
