"""A plan whose budget is a share of today's ("+10% budget", "with the budget cut by 20%"): the amount is read from
the data before the optimiser runs — the observed spend over the plan's window of latest weeks, scaled — so the
plan gets a real amount instead of asking the user for one, and the answer can say what it was scaled from.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from langchain_core.messages import BaseMessage

from agent.models import memory

# Months per period of the data's calendar frequencies (mmm_core.data.periods' codes); D and W step in days.
_MONTHS = {"M": 1, "Q": 3, "Y": 12}
_DAYS = {"D": 1, "W": 7}
_UNIT = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters", "Y": "years"}


def base_window(end: str, periods: int, frequency: str | None = "W") -> dict[str, str]:
    """The latest ``periods`` periods of the data's ``frequency`` up to its last period ``end`` (ISO date), as a
    tools' window: the optimiser's horizon counts periods, so "+10% budget" scales that many of the data's periods
    (13 weeks of weekly data, 13 months of monthly data)."""
    last = date.fromisoformat(end[:10])
    freq = frequency if frequency in _UNIT else "W"
    if freq in _MONTHS:  # from the first day of the month (periods - 1) steps back: month-start or month-end dates
        y, m = divmod(last.year * 12 + last.month - 1 - _MONTHS[freq] * (periods - 1), 12)
        first = date(y, m + 1, 1)
    else:
        first = last - timedelta(days=_DAYS[freq] * (periods - 1))
    return {"start": first.isoformat(), "end": last.isoformat(), "label": f"the last {periods} {_UNIT[freq]}"}


def next_step(messages: list[BaseMessage], args: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """(tool, arguments, what the answer may say) for a plan with ``budget_change`` (a share of today's) or
    ``budget_delta`` (an amount added or cut): first the observed spend over the
    window (a context call), then the optimiser with the scaled amount. None when the data's range is not known."""
    plan = {k: v for k, v in args.items() if k not in ("budget_change", "budget_delta", "ask")}
    turn = messages[memory.last_human(messages) + 1 :]
    base = next((d for _n, d in reversed(memory.tool_outputs(turn, ("spend_by",)))), None)
    if base is None:
        catalog = memory.catalog(messages)
        if catalog is None or not catalog.end:
            return None
        window = base_window(catalog.end, int(plan.get("periods") or 13), catalog.frequency)
        return "spend_by", {"by": "channel", "windows": [window]}, {}
    total = float(base["total"])
    if "budget_delta" in args:  # "cut 200k": today's spend less the amount
        delta = float(args["budget_delta"])
        plan["budget"] = round(total + delta, 2)
        return "optimize_budget", plan, {"budget_base": total, "budget_delta": delta}
    change = float(args["budget_change"])
    plan["budget"] = round(total * (1 + change), 2)
    return "optimize_budget", plan, {"budget_base": total, "budget_change": change}
