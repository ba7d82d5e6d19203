"""Store-level budget planning: optimise or score allocations from a stored fit, keep the result beside the fit
(for the agent and the report) and log it in the ledger — every plan names the locked spec behind it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mmm_core import ledger
from mmm_core.answers.results import _fit_row, _require_healthy, load_posterior
from mmm_core.fit import artifacts
from mmm_core.ledger.store import log_event
from mmm_core.store import Store, new_id

Bounds = dict[str, tuple[float | None, float | None]]


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
    at least its current level and the plan says where the extra money goes."""
    from mmm_core import optimizer

    fit = _fit_row(store, fit_id)
    _require_healthy(store, fit, allow_unhealthy)
    post = load_posterior(store, fit_id)
    request = {
        "budget": budget,
        "periods": periods,
        "bounds": bounds,
        "bounds_pct": bounds_pct,
        "fixed": fixed,
        "objective": objective,
        "incremental": incremental,
        **options,
    }
    levels = current_levels(post, periods)
    if incremental:
        bounds = _floors_at_current(bounds, levels)
        budget = budget + sum(levels.values())
    result = optimizer.optimize(
        post, budget, periods=periods, bounds=bounds, bounds_pct=bounds_pct, fixed=fixed, objective=objective, **options
    ).to_dict()
    if incremental:
        result["incremental"] = {
            "added": request["budget"],
            "current_total": sum(levels.values()),
            "current": levels,
            "increments": {ch: result["allocation"][ch] - levels[ch] for ch in levels},
        }
    return _store_plan(store, fit, "optimize", request, result)


def current_levels(post, periods: int) -> dict[str, float]:
    """Spend per channel over the last ``periods`` observed periods: "keep doing what you do" for the horizon."""
    recent = post.data.spend[-periods:].sum(axis=(0, 1))
    return {ch: float(v) for ch, v in zip(post.channels, recent, strict=True)}


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
    allocations: list[dict[str, float]],
    periods: int = 13,
    names: list[str] | None = None,
    allow_unhealthy: bool = False,
) -> dict[str, Any]:
    """Expected KPI of user allocations (totals over the horizon) against the current level, paired by draw."""
    from mmm_core import optimizer

    fit = _fit_row(store, fit_id)
    _require_healthy(store, fit, allow_unhealthy)
    post = load_posterior(store, fit_id)
    result = optimizer.scenario(post, allocations, periods=periods, names=names)
    request = {"allocations": allocations, "periods": periods, "names": names}
    return _store_plan(store, fit, "scenario", request, result)


def _store_plan(
    store: Store, fit: dict[str, Any], kind: str, request: dict[str, Any], result: dict[str, Any]
) -> dict[str, Any]:
    plan_id = new_id("plan")
    out = {
        "plan_id": plan_id,
        "fit_id": fit["id"],
        "kind": kind,
        "request": request,
        **result,
        "provenance": ledger.provenance(store, fit["spec_id"]),
    }
    folder = artifacts.fit_dir(store, fit["id"])
    path = folder / f"{'optimizer' if kind == 'optimize' else 'scenario'}_{plan_id}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, default=str, indent=1))
    tmp.replace(path)
    log_event(
        store,
        kind,
        {"plan_id": plan_id, "path": str(path), "budget": request.get("budget")},
        dataset_id=fit.get("dataset_id"),
        spec_id=fit["spec_id"],
        fit_id=fit["id"],
    )
    return out


def stored_plans(store: Store, fit_id: str, kind: str = "optimize") -> list[dict[str, Any]]:
    """Plans stored for a fit, oldest first."""
    prefix = "optimizer_" if kind == "optimize" else "scenario_"
    folder: Path = artifacts.fit_dir(store, fit_id)
    files = sorted(folder.glob(f"{prefix}plan_*.json"), key=lambda p: p.stat().st_mtime)
    return [json.loads(p.read_text()) for p in files]
