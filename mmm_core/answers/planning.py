"""Store-level budget planning: optimise or score allocations from a stored fit, keep the result beside the fit
(for the agent and the report) and log it in the ledger — every plan names the locked spec behind it.

These are the only doors to a plan: the CLI (``optimize``/``scenario``) and the chat tools (``optimize_budget``/
``scenario``) both call them, so both write the same plan file and the same ledger event.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mmm_core import ledger
from mmm_core.answers.results import decision_fit, load_posterior
from mmm_core.fit import artifacts
from mmm_core.ledger.fits import FitRecord
from mmm_core.ledger.store import log_event
from mmm_core.optimizer.long_term import stored_long_term_roi
from mmm_core.optimizer.plans import plan
from mmm_core.optimizer.plans import scenario as score_allocations
from mmm_core.optimizer.request import Bounds, PlanRequest
from mmm_core.optimizer.scenarios import apply_moves, current_levels
from mmm_core.store import Store, new_id


def optimize(
    store: Store,
    fit_id: str,
    budget: float,
    periods: int = 13,
    bounds: Bounds | None = None,
    bounds_pct: Bounds | None = None,
    fixed: dict[str, float] | None = None,
    objective: str = "mean",
    allow_unhealthy: bool = False,
    incremental: bool = False,
    **options: Any,
) -> dict[str, Any]:
    """The best allocation of ``budget`` over the next ``periods`` periods; stored as ``optimizer_<id>.json``.

    ``incremental``: the budget comes on top of the current spend level (the next $1M), so every channel keeps
    at least its current level and the plan says where the extra money goes. ``options``: the other fields of
    :class:`~mmm_core.optimizer.request.PlanRequest` — by default the decision rule and the trust region apply
    (``decision_rule``, ``min_prob_better``, ``min_gain``, ``trust_region``, ``extrapolate``) and ``margin``
    (profit per unit of KPI) sets the break-even of the money view."""
    stated = {
        "budget": budget,
        "periods": periods,
        "bounds": bounds,
        "bounds_pct": bounds_pct,
        "fixed": fixed,
        "objective": objective,
        "incremental": incremental,
        **options,
    }
    request = PlanRequest(budget, periods, bounds, bounds_pct, fixed, objective=objective, **options)  # validates
    fit = decision_fit(store, fit_id, allow_unhealthy)
    post = load_posterior(store, fit_id, outcomes=True)  # several outcomes: their weighted sum (the spec's weights)
    levels = current_levels(post, periods)
    if incremental:
        request = PlanRequest(
            budget + sum(levels.values()),
            periods,
            _floors_at_current(bounds, levels),
            bounds_pct,
            fixed,
            objective=objective,
            **options,
        )
    result = plan(post, request, stored_long_term_roi(store, fit_id) if request.total_roi else None).to_dict()
    if incremental:
        result["incremental"] = {
            "added": budget,
            "current_total": sum(levels.values()),
            "current": levels,
            "increments": {ch: result["allocation"][ch] - levels[ch] for ch in levels},
        }
    return _store_plan(store, fit, "optimize", stated, result)


def _floors_at_current(bounds: Bounds | None, levels: dict[str, float]) -> Bounds:
    """An incremental budget ("the next $1M") adds to today's spend: no channel is cut below its current level."""
    out: Bounds = dict(bounds or {})
    for ch, level in levels.items():
        lo, hi = out.get(ch, (None, None))
        out[ch] = (max(level, lo or 0.0), hi)
    return out


def scenario(
    store: Store,
    fit_id: str,
    allocations: list[dict[str, float]] | None = None,
    periods: int = 13,
    names: list[str] | None = None,
    allow_unhealthy: bool = False,
    moves: list[dict[str, Any]] | None = None,
    margin: float | None = None,
) -> dict[str, Any]:
    """Expected KPI of user allocations (totals over the horizon) against the current level, paired by draw, with
    the money view (spend change, profit change at ``margin`` per unit of KPI, P(profit up)).

    ``moves`` (e.g. ``[{"from": "TV", "to": "Search", "share": 0.2}]``, see
    :func:`~mmm_core.optimizer.scenarios.apply_moves`) describe one more allocation relative to the current level;
    it is scored after ``allocations``."""
    fit = decision_fit(store, fit_id, allow_unhealthy)
    post = load_posterior(store, fit_id, outcomes=True)  # several outcomes: their weighted sum (the spec's weights)
    allocations = list(allocations or [])
    request: dict[str, Any] = {"allocations": allocations, "periods": periods, "names": names, "margin": margin}
    if moves is not None:
        allocations.append(apply_moves(current_levels(post, periods), moves))
        request["moves"] = moves
    result = score_allocations(post, allocations, periods=periods, names=names, margin=margin)
    return _store_plan(store, fit, "scenario", request, result)


def _store_plan(
    store: Store, fit: FitRecord, kind: str, request: dict[str, Any], result: dict[str, Any]
) -> dict[str, Any]:
    plan_id = new_id("plan")
    out = {
        "plan_id": plan_id,
        "fit_id": fit.id,
        "kind": kind,
        "request": request,
        **result,
        "provenance": ledger.provenance(store, fit.spec_id),
    }
    path = artifacts.fit_dir(store, fit.id) / f"{_PREFIX[kind]}{plan_id}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, default=str, indent=1))
    tmp.replace(path)
    log_event(
        store,
        kind,
        {"plan_id": plan_id, "path": str(path), "budget": request.get("budget")},
        dataset_id=fit.dataset_id,
        spec_id=fit.spec_id,
        fit_id=fit.id,
    )
    return out


_PREFIX = {"optimize": "optimizer_", "scenario": "scenario_"}


def stored_plans(store: Store, fit_id: str, kind: str = "optimize") -> list[dict[str, Any]]:
    """Plans stored for a fit, oldest first."""
    folder: Path = artifacts.fit_dir(store, fit_id)
    files = sorted(folder.glob(f"{_PREFIX[kind]}plan_*.json"), key=lambda p: p.stat().st_mtime)
    return [json.loads(p.read_text()) for p in files]
