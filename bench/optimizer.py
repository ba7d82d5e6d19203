"""Optimizer speed: 8 channels × 1,000 posterior draws (geo_medium: 8 geos × 156 weeks), target ≤ 2 s.

Draws are synthetic but posterior-shaped (media effects log-normal around the engine's prior medians from the
data scaling, adstock, half-points and Hill slopes spread as a real fit's would be), so the timing does not
depend on a fit. Reports ``optimize`` end-to-end wall time cold (including JIT compilation in this process)
and warm (same shapes, new budget), for each objective, as JSON on stdout.

    .venv/bin/python bench/optimizer.py [--draws 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from mmm_core.engine import ModelConfig, ModelData, scale_data
from mmm_core.engine import transforms as tf
from mmm_core.engine.posterior import Posterior
from mmm_core.engine.setup import setup
from mmm_core.optimizer import optimize
from mmm_core.synth import generate
from mmm_core.synth.dgp import kpi


def synth_posterior(preset: str = "geo_medium", draws: int = 1000, seed: int = 0) -> Posterior:
    """A Posterior over ``preset``'s data with posterior-like random draws (no fit)."""
    w = generate(preset, seed).world
    data = ModelData(
        periods=np.array(w.periods),
        geos=tuple(g or "national" for g in w.geos),
        channels=tuple(w.channel_names),
        spend=w.spend.transpose(1, 0, 2),
        kpi=kpi(w).T,
        controls=w.controls.transpose(1, 0, 2),
        control_names=tuple(w.control_names),
    )
    config = ModelConfig()
    sd = scale_data(data, config)
    rng = np.random.default_rng(seed)
    g_n, c_n, k_n = len(data.geos), len(data.channels), len(data.control_names)
    half = np.exp(rng.normal(0.0, 0.3, (draws, c_n)))
    slope = np.exp(rng.normal(np.log(1.5), 0.2, (draws, c_n)))
    effect = np.exp(np.asarray(sd.beta_loc)[None] + rng.normal(0.0, 0.3, (draws, g_n, c_n)))
    beta = effect / np.asarray(tf.hill_saturation(1.0, slope, half))[:, None, :]
    params = {
        "intercept": 0.7 + 0.02 * rng.standard_normal((draws, g_n)),
        "trend_slope": np.zeros((draws, g_n)),
        "trend_delta": np.zeros((draws, 0)),
        "gamma_fourier": 0.02 * rng.standard_normal((draws, 4)),
        "gamma_control": 0.02 * rng.standard_normal((draws, k_n)),
        "beta": beta,
        "adstock_alpha": rng.uniform(0.05, 0.5, (draws, c_n)),
        "adstock_theta": np.zeros((draws, c_n)),
        "sat_half": half,
        "hill_slope": slope,
        "sigma": np.full((draws, g_n), 0.05),
    }
    params = {k: np.asarray(v, np.float32) for k, v in params.items()}
    return Posterior(params, data, sd, config, approximate=True, label="synthetic draws (bench)")


def _time(post: Posterior, budget: float, **kw) -> tuple[float, dict]:
    t0 = time.perf_counter()
    res = optimize(post, budget, **kw)
    return time.perf_counter() - t0, res.to_dict()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    setup()  # before JAX starts: the compilation cache, as the CLI has it
    post = synth_posterior(draws=a.draws)
    level = post.data.spend[-13:].sum(axis=1).mean(axis=0).sum() * 13
    out = {
        "channels": len(post.channels),
        "geos": len(post.data.geos),
        "draws": a.draws,
        "horizon_periods": 13,
        "target_seconds": 2.0,
        "runs": {},
    }
    for objective in ("mean", "mean_sd", "cvar"):
        cold, res = _time(post, level, objective=objective, max_draws=a.draws)
        warm = [
            _time(post, level * (1.1 + 0.05 * i), objective=objective, max_draws=a.draws)[0] for i in range(a.repeats)
        ]
        out["runs"][objective] = {
            "cold_seconds_incl_jit": round(cold, 3),
            "warm_seconds_median": round(float(np.median(warm)), 3),
            "warm_seconds_max": round(max(warm), 3),
            "solver_seconds": res["solver"]["seconds"],
            "optimality_verified": res["optimality_verified"],
            "max_relative_spread": res["optimality"]["max_relative_spread"],
            "prob_better": res["vs_current"]["prob_better"],
        }
    cold, res = _time(post, level, geo_split="optimize", max_draws=a.draws)
    warm = _time(post, level * 1.1, geo_split="optimize", max_draws=a.draws)[0]
    out["runs"]["mean_geo_optimize_64_cells"] = {
        "cold_seconds_incl_jit": round(cold, 3),
        "warm_seconds": round(warm, 3),
        "optimality_verified": res["optimality_verified"],
    }
    out["meets_target_warm"] = all(r.get("warm_seconds_median", 0) <= 2.0 for r in out["runs"].values())
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
