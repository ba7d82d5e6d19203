"""Scenarios: the expected horizon KPI of any allocation, with intervals, and comparisons between them.

An allocation is ``{channel: total spend over the horizon}``; a channel left out keeps its current level
(recent mean spend per period × periods) — said in the result's notes, never silent. Every comparison is
paired by draw (the same parameter draw scores both plans), so ``prob_better`` is P(plan A's KPI > plan B's)
over the posterior, after the extrapolation widening of ``optimizer_explain``. :func:`net_change` adds the money:
KPI, spend and profit change (``margin`` per unit of KPI) with P(profit up), so a cut that saves more spend than
the KPI it loses is worth reads as a gain in profit, not as "P(better) = 0.00".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmm_core.optimizer.core import OptimizerError
from mmm_core.optimizer.explain import extrapolation, summary, widen
from mmm_core.optimizer.outcomes import objective_record, outcome_changes
from mmm_core.optimizer.response import Response, recent_level


@dataclass
class Evaluation:
    """One plan scored over the draws: ``total`` [S] (widened), ``per_channel`` [S, C], channel totals [C]."""

    name: str
    amounts: np.ndarray
    total: np.ndarray
    per_channel: np.ndarray
    factor: np.ndarray
    warnings: list[str]

    def to_dict(self, r: Response, reference: "Evaluation | None" = None) -> dict:
        out = {
            "name": self.name,
            "allocation": _named(r, self.amounts),
            "allocation_per_period": _named(r, self.amounts / r.periods),
            "total_spend": float(self.amounts.sum()),
            "expected_kpi": summary(self.total),
            "per_channel": {
                ch: {
                    "amount": float(self.amounts[c]),
                    "contribution": summary(self.per_channel[:, c]),
                    "roi": summary(self.per_channel[:, c] / self.amounts[c]) if self.amounts[c] > 0 else None,
                    "extrapolation_factor": float(self.factor[c]),
                }
                for c, ch in enumerate(r.channels)
            },
            "warnings": list(self.warnings),
        }
        if r.baseline is not None:
            out["expected_total_kpi"] = summary(r.baseline + self.total)
        if reference is not None:
            out["vs_current"] = compare(self, reference, r)
        return out


def _named(r: Response, values: np.ndarray) -> dict[str, float]:
    return {ch: float(v) for ch, v in zip(r.channels, values)}


def evaluate(r: Response, amounts: np.ndarray, name: str = "plan", cells: np.ndarray | None = None) -> Evaluation:
    """Score channel totals ``amounts`` [C] (or explicit geo cells) over every draw."""
    cells = r.to_cells(amounts) if cells is None else cells
    total, per = r.evaluate(cells)
    factor, warnings = extrapolation(r, cells)
    return Evaluation(name, np.asarray(amounts, float), widen(total, per, factor), per, factor, warnings)


def compare(plan: Evaluation, reference: Evaluation, r: Response) -> dict:
    """Paired difference plan − reference: KPI delta with interval, P(plan better), per-channel deltas."""
    delta = plan.total - reference.total
    return {
        "reference": reference.name,
        "delta": summary(delta),
        "prob_better": float(np.mean(delta > 0)),
        "per_channel": {
            ch: {
                "amount": float(plan.amounts[c] - reference.amounts[c]),
                "pct": _pct(plan.amounts[c], reference.amounts[c]),
            }
            for c, ch in enumerate(r.channels)
        },
    }


def net_change(plan: Evaluation, reference: Evaluation, margin: float | None) -> dict:
    """Paired KPI, spend and profit change of ``plan`` vs ``reference``, with the return per unit of spend."""
    m = 1.0 if margin is None else float(margin)
    dk = plan.total - reference.total
    ds = float(plan.amounts.sum() - reference.amounts.sum())
    profit = m * dk - ds
    out = {
        "reference": reference.name,
        "reference_spend": float(reference.amounts.sum()),  # so "today's spend" is stated, not derived
        "spend_change": ds,
        "kpi_change": summary(dk),
        "profit_change": summary(profit),
        "prob_profit_up": float(np.mean(profit > 0)),
        "margin": m,
    }
    if abs(ds) > 1e-9 * max(plan.amounts.sum(), 1.0):
        # For a cut, KPI lost per unit saved (both negative: the ratio is positive); compare with 1/margin.
        out["kpi_per_unit_spend_change"] = summary(dk / ds)
        out["verdict"] = _verdict(ds, profit)
    return out


def _verdict(ds: float, profit: np.ndarray) -> str:
    p = float(np.mean(profit > 0))
    if ds < 0:
        return (
            f"the cut saves more spend than the KPI it loses is worth (P = {p:.2f})"
            if p >= 0.5
            else f"the cut loses more KPI value than the spend it saves (P(profit up) = {p:.2f})"
        )
    return (
        f"the extra spend pays for itself (P(profit up) = {p:.2f})"
        if p >= 0.5
        else f"the extra spend loses money: it returns less KPI value than it costs (P(profit up) = {p:.2f})"
    )


def _pct(new: float, old: float) -> float | None:
    return None if old <= 0 else float(100.0 * (new - old) / old)


def current_level(r: Response) -> np.ndarray:
    """Recent mean spend per period × horizon periods, per channel: "keep doing what you do"."""
    return r.recent_level * r.periods


def current_levels(post, periods: int) -> dict[str, float]:
    """:func:`current_level` of a posterior by channel name, without building its :class:`Response` (same rule:
    the mean spend per period over the last ``periods`` observed periods, times ``periods``)."""
    level = recent_level(post.data.spend, periods) * int(periods)
    return {ch: float(v) for ch, v in zip(post.channels, level, strict=True)}


def apply_moves(levels: dict[str, float], moves: list[dict]) -> dict[str, float]:
    """Spend moves applied to the current levels → an allocation (channel totals over the horizon).

    A move is ``{"from": A, "to": B, "share": s}`` (move share ``s`` of A's current spend to B; ``s`` defaults to 1),
    ``{"from": A, "to": B, "amount": x}`` (move ``x`` in money, at most A's spend over the horizon),
    ``{"channel": A, "change": c}`` (scale A by 1 + c; -1 pauses it, never below 0), ``{"channel": A, "amount":
    x}`` (add ``x``, negative to cut; never below 0) or ``{"channel": A, "level": x}`` (set A's spend over the
    horizon to ``x``: "what if TV were 50k"). Moves apply in order; a share is of the source's spend before any
    move ("a tenth of TV to Radio and a tenth to Print" moves two equal tenths), never more than it has left."""
    alloc = dict(levels)
    for mv in moves:
        if "from" in mv:
            src, dst = _known(mv["from"], alloc), _known(mv.get("to"), alloc)
            amount = min(_move_amount(mv, src, levels[src] if "share" in mv else alloc[src]), alloc[src])
            alloc[src] -= amount
            alloc[dst] += amount
        elif "channel" in mv and "level" in mv:  # "reduce TV to 20k": a level, not a cut of 20k
            ch = _known(mv["channel"], alloc)
            alloc[ch] = _level(mv["level"], ch)
        elif "channel" in mv and "amount" in mv:  # "cut TV by 200k": an amount of money, not a share
            ch = _known(mv["channel"], alloc)
            alloc[ch] = max(0.0, alloc[ch] + float(mv["amount"]))
        elif "channel" in mv:
            ch = _known(mv["channel"], alloc)
            alloc[ch] = max(0.0, alloc[ch] * (1.0 + float(mv.get("change", 0.0))))
        else:
            raise OptimizerError(
                f"Cannot read the move {mv!r}.",
                "Use {'from': A, 'to': B, 'share': 0.2} or {'channel': A, 'change': -0.1}.",
                code="optimizer_bad_move",
            )
    return alloc


def _level(value: object, channel: str) -> float:
    """A spend level a move sets: a non-negative amount of money."""
    level = float(value)  # type: ignore[arg-type]
    if not level >= 0.0:
        raise OptimizerError(
            f"Cannot set {channel}'s spend to {level:,.0f}: spend is zero or more.",
            "Give a level of zero or more, or a cut (e.g. {'channel': A, 'change': -0.2}).",
            code="optimizer_bad_move",
        )
    return level


def _move_amount(mv: dict, src: str, level: float) -> float:
    """The money a from→to move takes from ``src`` (current spend ``level`` over the horizon)."""
    if "amount" in mv:
        amount = float(mv["amount"])
        if not 0.0 <= amount <= level:
            raise OptimizerError(
                f"Cannot move {amount:,.0f} from {src}: its spend over the horizon is {level:,.0f}.",
                "Move at most the channel's current spend, or give a share (e.g. 0.2 for 20%).",
                code="optimizer_bad_move",
            )
        return amount
    share = float(mv.get("share", 1.0))
    if not 0.0 <= share <= 1.0:
        raise OptimizerError(
            f"Cannot move {share:.0%} of {src}: a share is between 0 and 1.",
            "e.g. share 0.2 moves 20% of the channel's current spend.",
            code="optimizer_bad_move",
        )
    return level * share


def _known(name: object, channels: dict[str, float]) -> str:
    if isinstance(name, str) and name in channels:
        return name
    folded = {c.casefold(): c for c in channels}
    if isinstance(name, str) and name.casefold() in folded:
        return folded[name.casefold()]
    raise OptimizerError(
        f"Unknown channel {name!r} in a move.",
        f"Channels are: {', '.join(channels)}.",
        code="optimizer_unknown_channel",
    )


def current_pattern(r: Response, budget: float) -> np.ndarray:
    """The current channel mix rescaled to ``budget`` (the fair comparison for a given budget)."""
    level = current_level(r)
    if level.sum() <= 0:
        raise OptimizerError(
            "No spend in the recent window, so there is no current pattern to compare with.",
            "Give explicit bounds or scenarios instead.",
            code="optimizer_no_recent_spend",
        )
    return level * budget / level.sum()


def to_amounts(r: Response, allocation: dict[str, float]) -> tuple[np.ndarray, list[str]]:
    """Allocation dict → channel totals [C]; unknown channels fail loudly, missing ones keep the current level."""
    unknown = sorted(set(allocation) - set(r.channels))
    if unknown:
        raise OptimizerError(
            f"Unknown channel(s) {unknown}.",
            f"Channels are: {', '.join(r.channels)}.",
            code="optimizer_unknown_channel",
        )
    if any(float(v) < 0 for v in allocation.values()):
        raise OptimizerError("An allocation amount is negative.", "Spend is 0 or more.", code="optimizer_negative")
    level = current_level(r)
    amounts = np.array([float(allocation.get(ch, level[c])) for c, ch in enumerate(r.channels)])
    kept = [ch for ch in r.channels if ch not in allocation]
    notes = [f"{', '.join(kept)} not given: kept at the current level."] if kept else []
    return amounts, notes


def compare_allocations(
    r: Response, allocations: list[dict[str, float]], names: list[str] | None = None, margin: float | None = None
) -> dict:
    """Each allocation scored and compared (paired) with the current level — KPI change with P(better), and the
    money: spend change, profit change (``margin`` per unit of KPI, default 1) and P(profit up); the best by
    expected KPI named."""
    current = evaluate(r, current_level(r), "current_level")
    out, notes = [], []
    for i, alloc in enumerate(allocations):
        amounts, note = to_amounts(r, alloc)
        notes += [f"scenario {i + 1}: {n}" for n in note]
        name = names[i] if names and i < len(names) else f"scenario_{i + 1}"
        plan = evaluate(r, amounts, name)
        out.append(
            plan.to_dict(r, current) | {"money": net_change(plan, current, margin)} | _outcomes(r, plan, current)
        )
    best = max(range(len(out)), key=lambda i: out[i]["expected_kpi"]["mean"]) if out else None
    return {
        "current": current.to_dict(r),
        "scenarios": out,
        "best": out[best]["name"] if out else None,
        "horizon_periods": r.periods,
        "notes": notes + list(r.notes),
        "approximate": r.approximate,
        "label": r.label,
        **({"objective": objective_record(r)} if r.outcomes is not None else {}),
    }


def _outcomes(r: Response, plan: Evaluation, reference: Evaluation) -> dict:
    """``{"outcomes": {KPI: ...}}`` for a weighted sum of outcomes (``optimizer.outcomes``), else nothing."""
    return {} if r.outcomes is None else {"outcomes": outcome_changes(r, plan, reference)}
