"""Money in, money out: what a plan or a what-if returns on the money it moves or adds, net of spend.

``margin`` is the profit per unit of KPI (for a revenue KPI its gross margin; 1 = the KPI is money at face value,
the default). All figures are paired by draw, so their intervals and probabilities are posterior statements:

- **net change** of a plan vs a reference: KPI change ΔK, spend change ΔS, profit change ``margin·ΔK − ΔS`` and
  P(profit up). A cut that saves more than it loses has P(profit up) high even though P(more KPI) is ~0;
- **return on money moved** (same budget): ΔK per unit of spend moved between channels (½·Σ|Δ channel|);
- **return on money added** (different budget): ΔK per unit of extra spend, against break-even ``1/margin``;
- **break-even check**: the budget's marginal ROI (its shadow price, KPI per extra unit) below ``1/margin``
  means the last units of the budget lose money; the budget that maximises expected profit at the
  recommended mix is then offered (a 1-D scan of the mix scaled from ``SCAN[0]``× to ``SCAN[-1]``× the budget;
  levels outside the observed spend range are flagged and scored with widened uncertainty).
"""

from __future__ import annotations

import numpy as np

from mmm_core.optimizer.explain import summary
from mmm_core.optimizer.response import Response
from mmm_core.optimizer.scenarios import Evaluation, evaluate, net_change

SCAN = np.round(np.arange(0.2, 2.0001, 0.05), 2)


def plan_money(
    r: Response,
    plan: Evaluation,
    plan_cells: np.ndarray,
    mix: Evaluation,
    level: Evaluation,
    budget_mroi: np.ndarray,
    margin: float | None,
) -> dict:
    """Returns of a plan: on the money moved (vs the current mix), on the money added (vs the current level),
    of the whole budget, and the break-even check with the profit-maximising budget at this mix."""
    m = 1.0 if margin is None else float(margin)
    budget = float(plan.amounts.sum())
    moved = 0.5 * float(np.abs(plan.amounts - mix.amounts).sum())
    out = {
        "margin": m,
        "break_even_roi": 1.0 / m,
        "media_roi": summary(plan.total / budget),
        "media_profit": summary(m * plan.total - budget),
        "moved": moved,
        "vs_current_mix": net_change(plan, mix, margin),
        "vs_current_level": net_change(plan, level, margin),
        "budget_marginal_roi": summary(budget_mroi),
        "below_break_even": bool(np.mean(budget_mroi) * m < 1.0),
        "profit_max_budget": profit_max_budget(r, plan, plan_cells, m),
    }
    if moved > 1e-9 * budget:
        out["kpi_per_unit_moved"] = summary((plan.total - mix.total) / moved)
    out["warnings"] = _warnings(out)
    return out


def profit_max_budget(r: Response, plan: Evaluation, plan_cells: np.ndarray, margin: float) -> dict:
    """The budget (the plan's mix scaled) that maximises expected ``margin·KPI − spend``, on ``SCAN``."""
    budget = float(plan.amounts.sum())
    rows = []
    for s in SCAN:
        e = evaluate(r, plan.amounts * s, "scaled", cells=plan_cells * s)
        # Ranked by the unwidened mean: the extrapolation widening (log scale, right-skewed) raises the mean of
        # widened draws, which would reward going beyond the data; the reported interval is the widened one.
        rows.append((float(np.mean(margin * e.per_channel.sum(axis=1))) - s * budget, s, e))
    best = max(rows, key=lambda row: row[0])
    _, s, e = best
    return {
        "budget": float(s * budget),
        "scale": float(s),
        "expected_profit": summary(margin * e.total - s * budget),
        "expected_profit_at_budget": summary(margin * plan.total - budget),
        "extrapolated": bool(np.any(e.factor > 1.0)),
        "at_scan_edge": bool(s in (SCAN[0], SCAN[-1])),
        "note": "the recommended mix scaled up or down; levels outside the observed spend are extrapolated",
    }


def _warnings(out: dict) -> list[str]:
    w = []
    if out["media_roi"]["mean"] * out["margin"] < 1.0:
        w.append(
            f"media returns {out['media_roi']['mean']:.2f} KPI per unit of spend on average, below break-even "
            f"{out['break_even_roi']:.2f}: this budget costs more than the media-driven KPI is worth."
        )
    if out["below_break_even"]:
        best = out["profit_max_budget"]
        w.append(
            f"the last unit of budget returns {out['budget_marginal_roi']['mean']:.2f} KPI, below break-even "
            f"{out['break_even_roi']:.2f}: extra spend at this level loses money; expected profit is highest "
            f"at a budget of about {best['budget']:,.0f} at this mix"
            + (" (extrapolated beyond the observed spend)." if best["extrapolated"] else ".")
        )
    return w
