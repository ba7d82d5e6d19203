"""Enterprise NUTS (issue 20): 50 geos x 208 weeks x 30 channels (the ``enterprise`` preset, after PyMC Labs'
``large_business``), full NUTS with 2 chains; where the time and the memory go.

Prints: the sizes of the model's arrays (the lag tensor, what a full ``predict`` would hold), compile time, wall
time of warm-up and sampling, leapfrog steps per draw, time per gradient (sampling wall / leapfrog steps of one
chain: the chains run side by side on two devices), min and median bulk ESS over every latent scalar, ESS/s,
max R-hat, divergences, and the peak RSS after each stage (``getrusage``: the process's high-water mark). The
posterior-mean contributions are computed in draw batches and reduced as they come (``mean_contributions``), so
the predict step never holds [draws, T, G, C] (2 x 1000 draws: 2.5 GB in float32).

    python bench/enterprise.py                                  # 2 x (1000 + 1000)
    python bench/enterprise.py --warmup 150 --draws 150         # a short run: memory and time per gradient
    python bench/enterprise.py --mode-start --target-accept 0.95 --save-draws /tmp/ent.npz   # draws kept to diagnose
    # converged on seeds 0 and 1 (R-hat 1.009 / 1.008, 0 divergences, 37 / 30 min here; `make bench` runs it):
    python bench/enterprise.py --seed 0 --mode-start --target-accept 0.95 --geo-effects noncentred \
        --warmup 2000 --draws 2000
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MAX_RHAT = 1.01
MEMORY_BUDGET_GB = 8.0


def peak_rss_gb() -> float:
    """The process's peak resident set so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


@dataclass(frozen=True)
class EnterpriseRun:
    shape: str
    draws: str
    compile_s: float
    warmup_s: float
    sampling_s: float
    wall_s: float
    steps_per_draw: float
    gradient_ms: float  # sampling wall per leapfrog step of one chain
    gradient_cpu_ms: float  # sampling CPU (every thread) per leapfrog step of all chains: less load-dependent
    min_ess: float
    median_ess: float
    max_rhat: float
    divergences: int
    n_draws: int
    rss: dict[str, float]  # stage → peak RSS (GB) after it
    lag_tensor_gb: float
    full_predict_gb: float
    geo_effects: str  # which form of the geo effects NUTS sampled, and why (engine.centring)
    rhat_profile: RhatProfile
    acceptance: float  # mean acceptance statistic over the draws: below the target, the adapted step is too long
    bfmi: list[float]  # E-BFMI per chain (< 0.3: the momentum resampling cannot cross the energy's range: tails)
    warmup_steps_per_100: list[float]  # leapfrog steps per warm-up iteration, by 100 iterations: where warm-up went

    @property
    def converged(self) -> bool:
        return self.max_rhat <= MAX_RHAT and self.divergences == 0


@dataclass(frozen=True)
class RhatProfile:
    """How R-hat spreads over the latent scalars: one bad scalar and a tenth of the model are different failures
    (PyMC Labs report nutpie at this size as 11% of parameters at R-hat > 1.1)."""

    n_scalars: int
    share_above_1_01: float
    share_above_1_1: float
    worst: str  # site[flat index] of the highest R-hat


def energy_bfmi(energy: np.ndarray) -> list[float]:
    """E-BFMI per chain of ``energy`` [chain, draw] (Betancourt 2016), by arviz-stats as the health review's
    ``check_bfmi`` computes it; a list, one value per chain."""
    import arviz_stats as az

    return [float(b) for b in np.atleast_1d(az.bfmi(np.asarray(energy, dtype=float)))]


def rhat_profile(draws: dict[str, np.ndarray]) -> RhatProfile:
    """R-hat (arviz-stats' rank-normalised split R-hat, bulk and folded) of every scalar in ``draws`` {name:
    [chain, draw, ...]}, summarised; scalars stacked and named ``site[i,j]`` by the health review's
    ``stack_scalars`` (constants dropped: they have no R-hat)."""
    import arviz_stats as az

    from mmm_core.fit.review import stack_scalars

    names, x = stack_scalars(dict(sorted(draws.items())))
    r = np.asarray(az.rhat(x, chain_axis=0, draw_axis=1), dtype=float).ravel()
    worst = int(np.nanargmax(r))
    return RhatProfile(r.size, float(np.mean(r > 1.01)), float(np.mean(r > 1.1)), f"{names[worst]} {r[worst]:.3f}")


def mean_contributions(fit, batch: int = 256) -> np.ndarray:
    """Posterior-mean contributions [T,G,C] in KPI units, predicted ``batch`` draws at a time and summed as they
    come: memory is one batch's [batch, T, G, C], not every draw's."""
    from mmm_core.engine.model import predict

    params = fit.params()
    n = next(iter(params.values())).shape[0]
    total = None
    for start in range(0, n, batch):
        part = {k: v[start : start + batch] for k, v in params.items()}
        c = predict(part, fit.data, fit.config, draw_batch=batch)["contributions"].sum(axis=0, dtype=np.float64)
        total = c if total is None else total + c
    return total / n


def run(
    preset: str,
    seed: int,
    chains: int,
    warmup: int,
    draws: int,
    mode_start: bool = False,
    target_accept: float = 0.9,
    geo_effects: str = "auto",
    save_draws: Path | None = None,
) -> EnterpriseRun:
    from _bench_data import load
    from _pymc_labs import ess_rhat

    from mmm_core.engine import ModelConfig, sample_nuts
    from mmm_core.engine.data import scale_data
    from mmm_core.engine.kernels import latent_sites, model_args, model_functions

    rss = {"start": peak_rss_gb()}
    data, _, _ = load(preset, seed)
    config = ModelConfig(geo_effects=geo_effects)
    sd = scale_data(data, config)
    rss["data"] = peak_rss_gb()
    t, g, c = data.shape
    t0 = time.perf_counter()
    fit = sample_nuts(
        sd,
        config,
        chains=chains,
        warmup=warmup,
        draws=draws,
        seed=seed,
        target_accept=target_accept,
        # the mode start (sampling.mode_start) instead of NumPyro's uniform start above LAPLACE_START_MAX dimensions
        laplace_start=True if mode_start else None,
        progress_callback=lambda f, msg: print(f"  [{time.perf_counter() - t0:6.0f} s] {msg}", flush=True),
    )
    rss["nuts"] = peak_rss_gb()
    if save_draws is not None:
        _save_draws(fit, save_draws)
    free = sorted(latent_sites(model_functions(config)["model"], model_args(sd)))
    min_ess, med_ess, rhat = ess_rhat({k: fit.samples[k] for k in free})
    profile = rhat_profile({k: np.asarray(fit.samples[k]) for k in free})
    stats = fit.idata.sample_stats
    rss["diagnostics"] = peak_rss_gb()
    mean_contributions(fit)
    rss["predict (batched mean)"] = peak_rss_gb()
    phases = fit.extra["phases"]
    steps = fit.extra["mean_tree_steps"]
    sampling = _phase(phases, "sampling")
    return EnterpriseRun(
        shape=f"{g} geos x {t} weeks x {c} channels",
        draws=f"{chains} x ({warmup} + {draws})",
        compile_s=fit.compile_time,
        warmup_s=_phase(phases, "warmup"),
        sampling_s=sampling,
        wall_s=fit.wall_time,
        steps_per_draw=steps,
        gradient_ms=1e3 * sampling / (steps * draws),
        gradient_cpu_ms=1e3 * _phase(phases, "sampling", "cpu_s") / (steps * draws * chains),
        min_ess=min_ess,
        median_ess=med_ess,
        max_rhat=rhat,
        divergences=int(np.asarray(stats["diverging"]).sum()),
        n_draws=chains * draws,
        rss=rss,
        lag_tensor_gb=np.asarray(sd.spend_lagged).nbytes / 2**30,
        full_predict_gb=chains * draws * t * g * c * 4 / 2**30,
        geo_effects=(fit.extra.get("geo_effects") or {}).get("summary", "no choice (national or not pooled)"),
        rhat_profile=profile,
        acceptance=float(np.asarray(stats["acceptance_rate"]).mean()),
        bfmi=energy_bfmi(np.asarray(stats["energy"])),
        warmup_steps_per_100=_per_100(fit.extra["warmup_steps_per_25"]),
    )


def _save_draws(fit, path: Path) -> None:
    """Every site's draws [chain, draw, ...] plus ``diverging``, ``n_steps``, ``acceptance_rate`` and ``energy``
    per draw, for a diagnosis after the run (which parameters mix slowest, where divergences sit) without sampling
    again."""
    stats = fit.idata.sample_stats
    extra = {k: np.asarray(stats[k]) for k in ("diverging", "n_steps", "acceptance_rate", "energy")}
    np.savez_compressed(path, **{k: np.asarray(v) for k, v in fit.samples.items()}, **extra)
    print(f"  draws saved to {path}")


def _per_100(per_25: list[float]) -> list[float]:
    """Warm-up steps per iteration averaged over 100 iterations instead of 25 (one line in the report)."""
    return [round(sum(per_25[i : i + 4]) / len(per_25[i : i + 4]), 1) for i in range(0, len(per_25), 4)]


def _phase(phases: dict, name: str, clock: str = "wall_s") -> float:
    """Seconds of one phase of ``PhaseTimer.to_dict()`` (``{name: {"wall_s": s, "cpu_s": s}}``)."""
    return float(phases.get(name, {}).get(clock, 0.0))


def report(r: EnterpriseRun) -> None:
    print(f"\nenterprise NUTS: {r.shape}, {r.draws} (loaded shared 2-core machine: times are indicative)")
    print(f"  arrays: lag tensor {r.lag_tensor_gb * 1024:.1f} MB; a full predict would hold {r.full_predict_gb:.2f} GB")
    print(
        f"  wall {r.wall_s:.0f} s: compile {r.compile_s:.0f} s, warm-up {r.warmup_s:.0f} s, sampling "
        f"{r.sampling_s:.0f} s; {r.steps_per_draw:.0f} leapfrog steps per draw, {r.gradient_ms:.1f} ms per gradient "
        f"({r.gradient_cpu_ms:.1f} ms of CPU)"
    )
    print(
        f"  bulk ESS min {r.min_ess:.0f} / median {r.median_ess:.0f} ({r.min_ess / r.wall_s:.2f} / "
        f"{r.median_ess / r.wall_s:.2f} per s of wall); max R-hat {r.max_rhat:.3f}; {r.divergences} divergences "
        f"of {r.n_draws}"
    )
    h = r.rhat_profile
    print(
        f"  R-hat over {h.n_scalars} latent scalars: {h.share_above_1_01:.1%} above 1.01, {h.share_above_1_1:.1%} "
        f"above 1.1; worst {h.worst}"
    )
    print(
        f"  mean acceptance {r.acceptance:.3f} over the draws; E-BFMI per chain "
        + ", ".join(f"{b:.2f}" for b in r.bfmi)
    )
    print(f"  {r.geo_effects}")
    print("  warm-up leapfrog steps per iteration, by 100 iterations: " + ", ".join(map(str, r.warmup_steps_per_100)))
    print("  peak RSS (GB) after: " + ", ".join(f"{k} {v:.2f}" for k, v in r.rss.items()))
    peak = max(r.rss.values())
    verdict = "converged" if r.converged else f"NOT converged (needs max R-hat <= {MAX_RHAT} and 0 divergences)"
    budget = "within" if peak <= MEMORY_BUDGET_GB else "OVER"
    print(f"  {verdict}; peak RSS {peak:.2f} GB, {budget} the {MEMORY_BUDGET_GB:.0f} GB budget")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="enterprise")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1000)
    p.add_argument("--draws", type=int, default=1000)
    p.add_argument("--mode-start", action="store_true", help="start the chains around the mode (sampling.mode_start)")
    p.add_argument("--target-accept", type=float, default=0.9)
    p.add_argument("--geo-effects", default="auto", choices=["auto", "centred", "noncentred"])
    p.add_argument("--save-draws", type=Path, help="write the draws and per-draw sampler stats to this .npz file")
    a = p.parse_args()
    from mmm_core.engine.setup import setup

    setup()  # before JAX starts: one device per chain
    t0 = time.perf_counter()
    r = run(a.preset, a.seed, a.chains, a.warmup, a.draws, a.mode_start, a.target_accept, a.geo_effects, a.save_draws)
    report(r)
    print(f"  process total {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
