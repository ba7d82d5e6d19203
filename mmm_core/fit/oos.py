"""Out-of-sample validation of a fit: rolling-origin holdout. For origin j = 1..k the model is refitted (full
NUTS, the fit's own sampler settings and seed) on all periods but the last j*h, and forecasts the h periods that
follow the cut; each forecast is scored against what happened: CRPS (the proper score of a predictive
distribution against one outcome, in KPI units and relative to the mean |KPI|) and the share of outcomes inside
the 50% and 90% predictive intervals.

Why on request (``mmm-agent health FIT --oos``) and not in every fit: each origin is one more full NUTS fit, so
even one origin doubles the fit's wall time — outside the fit's time budget. Results are stored beside the fit
(``oos.json``) and reused; the health answer and the report show them when present.

Coverage is the headline: a model whose 90% intervals hold far fewer than 90% of future periods is
overconfident, whatever its in-sample fit. Thresholds: 90% coverage below 0.7 warns (with 13 future weeks per
origin, fewer than 70% inside is unlikely from a calibrated model: P < 0.05 at n = 13).
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from mmm_core import ledger
from mmm_core.errors import MMMError
from mmm_core.fit import artifacts
from mmm_core.ledger.fits import fit_record
from mmm_core.outputs import write_atomic
from mmm_core.store import Store

ARTIFACT = "oos.json"
MAX_ORIGINS = 3
COVERAGE_WARN = 0.7  # 90% intervals holding fewer future outcomes than this: overconfident out of sample


def crps(draws: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sample CRPS per outcome: E|X - y| - E|X - X'|/2 over draws [S, N] of outcomes y [N] (lower is better).

    >>> float(crps(np.zeros((4, 1)), np.array([2.0]))[0])
    2.0
    """
    x = np.sort(np.asarray(draws, np.float64), axis=0)
    s = x.shape[0]
    spread = 2.0 * np.tensordot(2.0 * np.arange(1, s + 1) - s - 1, x, axes=(0, 0)) / s**2  # E|X - X'|
    return np.mean(np.abs(x - y[None]), axis=0) - 0.5 * spread


def horizon_for(n_periods: int, origins: int, held_out: int = 0) -> int:
    """Periods per origin: a quarter of a year of weekly data (13), fewer when the series is short, so that all
    origins together, with the spec's own holdout (``held_out``), stay within the holdout limit (fewer than half
    the periods)."""
    from mmm_core.engine.config import max_holdout  # lazy: the engine package is light here, but keeps JAX out

    room = max_holdout(n_periods) - held_out
    if room < origins:
        raise MMMError(
            f"{n_periods} periods with {held_out} already held out leave no room for {origins} forecast origin(s).",
            "Use fewer origins, or a spec with a shorter holdout.",
            code="oos_no_room",
        )
    return min(13, room // origins)


def score_origin(draws: np.ndarray, y: np.ndarray, cells: np.ndarray) -> dict[str, float]:
    """Scores of one forecast window: draws [S, T, G] and outcomes y [T, G], on the ``cells`` [T, G] to score."""
    x, obs = draws[:, cells], y[cells]
    lo50, hi50, lo90, hi90 = np.quantile(x, [0.25, 0.75, 0.05, 0.95], axis=0)
    score = crps(x, obs)
    return {
        "crps": float(score.mean()),
        "crps_relative": float(score.mean() / max(np.mean(np.abs(obs)), 1e-12)),
        "coverage_50": float(np.mean((obs >= lo50) & (obs <= hi50))),
        "coverage_90": float(np.mean((obs >= lo90) & (obs <= hi90))),
        "n_cells": int(obs.size),
    }


def out_of_sample(store: Store, fit_id: str, origins: int = 1, recompute: bool = False) -> dict[str, Any]:
    """Rolling-origin scores of fit ``fit_id`` (stored on first use; ``recompute`` forces new fits)."""
    if not 1 <= origins <= MAX_ORIGINS:
        raise MMMError(f"origins must be 1 to {MAX_ORIGINS}, not {origins}.", "Use --origins 1, 2 or 3.", code="oos")
    stored = None if recompute else stored_out_of_sample(store, fit_id)
    if stored is not None and len(stored["origins"]) == origins:
        return stored
    result = _run(store, fit_id, origins)
    save_out_of_sample(store, result)
    return result


def stored_out_of_sample(store: Store, fit_id: str) -> dict[str, Any] | None:
    """The fit's stored validation, if it was run (answers and the report show it; they never start it)."""
    path = artifacts.fit_dir(store, fit_id) / ARTIFACT
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _run(store: Store, fit_id: str, origins: int) -> dict[str, Any]:
    from mmm_core.engine import sample_nuts, scale_data  # lazy: JAX (~0.7 s), only when validating
    from mmm_core.fit.comparison import spec_of_fit  # lazy: comparison imports the fit job
    from mmm_core.fit.inputs import model_config, model_data  # lazy: JAX, as above

    fit = fit_record(store, fit_id)
    if fit.status != "succeeded" or fit.engine != "numpyro" or fit.mode != "nuts":
        raise MMMError(
            f"Fit {fit_id} is not a succeeded NUTS fit of the default engine ({fit.engine}/{fit.mode}, {fit.status}).",
            "Out-of-sample validation refits the model with NUTS: run it on a full fit.",
            code="oos_needs_nuts",
        )
    spec = spec_of_fit(ledger.get_spec(store, fit.spec_id).spec, fit.settings)
    data = model_data(store, spec)
    base = model_config(spec, data)
    h = horizon_for(len(data.periods), origins, base.holdout)
    s = fit.settings
    out = []
    for j in range(1, origins + 1):
        t0 = time.perf_counter()
        config = fold_config(base, j, h)
        res = sample_nuts(
            scale_data(data, config),
            config,
            chains=s["chains"],
            warmup=s["warmup"],
            draws=s["draws"],
            seed=s["seed"],
            target_accept=s["target_accept"],
        )
        scores = score_fold(res, data, base.holdout, j, h, s["seed"])
        out.append({**scores, "wall_time_s": round(time.perf_counter() - t0, 1)})
    return {"fit_id": fit_id, "method": "rolling-origin holdout", "origins": out, **summarize_origins(out)}


def fold_config(base, origin: int, horizon: int):
    """The model config of origin ``origin`` (1 = the last horizon cut): the spec's own holdout stays out too."""
    from dataclasses import replace  # lazy: with the engine config it copies

    return replace(base, holdout=base.holdout + origin * horizon)


def score_fold(result, data, base_holdout: int, origin: int, horizon: int, seed: int | None) -> dict[str, Any]:
    """Scores of one origin's refit ``result`` on the ``horizon`` periods after its cut (a `fit-many` fold task
    calls this where it sampled, so only the scores travel)."""
    from mmm_core.engine.posterior import Posterior  # lazy: JAX, only when validating

    draws = Posterior.from_fit(result, data).predictive_draws(seed=seed)
    start = len(data.periods) - base_holdout - origin * horizon
    window = np.zeros(data.kpi_mask.shape, bool)
    window[start : start + horizon] = True
    scores = score_origin(draws, np.nan_to_num(data.kpi), window & data.kpi_mask)
    return {"train_periods": start, "first_forecast": str(data.periods[start])[:10], "horizon": horizon, **scores}


def save_out_of_sample(store: Store, result: dict[str, Any]) -> None:
    """Store a validation beside its fit (where :func:`stored_out_of_sample` and ``health`` find it)."""
    write_atomic(artifacts.fit_dir(store, result["fit_id"]) / ARTIFACT, json.dumps(result, indent=1))


def summarize_origins(origins: list[dict[str, Any]]) -> dict[str, Any]:
    weights = np.array([o["n_cells"] for o in origins], float)
    mean = {
        k: float(np.average([o[k] for o in origins], weights=weights))
        for k in ("crps", "crps_relative", "coverage_50", "coverage_90")
    }
    status = "pass" if mean["coverage_90"] >= COVERAGE_WARN else "warn"
    reason = (
        f"{mean['coverage_90']:.0%} of future outcomes fell inside the 90% predictive intervals "
        f"({mean['coverage_50']:.0%} inside the 50% ones); CRPS {mean['crps_relative']:.1%} of the mean KPI."
    )
    if status == "warn":
        reason += " The model is overconfident out of sample: widen nothing by hand — simplify it or add the driver "
        reason += "it misses, and treat its intervals as too narrow until then."
    return {**mean, "status": status, "reason": reason}


__all__ = [
    "ARTIFACT",
    "crps",
    "fold_config",
    "horizon_for",
    "out_of_sample",
    "save_out_of_sample",
    "score_fold",
    "score_origin",
    "stored_out_of_sample",
    "summarize_origins",
]
