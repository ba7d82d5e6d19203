"""Sampler geometry on a preset, in load-independent figures (issue 20, item 2): leapfrog steps per draw, min and
median bulk ESS per 1,000 gradients (sampling phase, both chains), max R-hat, divergences.

ESS and R-hat are computed over every latent scalar of the model (rank-normalised bulk ESS, so the constrained
draws give the same figures as the unconstrained ones). ``--sampler nutpie`` samples the same potential with nutpie
(``--adaptation diag|low_rank``) from the same Laplace mode, gradients through a jitted JAX function: the
comparison behind ``engine.sampling.mass_and_start``'s note. Where the curvature is: ``worst_sites`` (the sites
with the lowest ESS per gradient) and ``scale_tails`` (the shape of each pooling scale's log: a heavy left tail is a
funnel). ``--dense yes|no`` and ``--depth`` override the engine's mass matrix and tree depth.

    python bench/geo_geometry.py                                   # geo_medium, 2 x (300 + 300): a screen
    python bench/geo_geometry.py --warmup 1000 --draws 1000        # the confirming run
    python bench/geo_geometry.py --seed 1 --warmup 1000 --draws 1000   # the same on data it was not tuned on
    python bench/geo_geometry.py --sampler nutpie --adaptation low_rank
    python bench/geo_geometry.py --preset medium_business --geo-effects centred   # PyMC Labs' data, their seed

``--generator bench`` draws the preset's shape from ``bench/_bench_data.py``'s own generator (other data).
``--preset medium_business`` / ``small_business``: PyMC Labs' generated data (``data/pymc_labs_*``, seed 2148)
with our default spec (``bench/_pymc_labs_data.py::model_inputs``); ``--seed`` does not apply. ``--geo-effects``
picks the form of the geo media effects (``engine.centring``); with ``auto`` the output carries the pilot's
choice and figures, and the NUTS CPU includes the pilot.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def geometry(draws: np.ndarray, steps: np.ndarray, diverging: np.ndarray, names: list[str] | None = None) -> dict:
    """Figures from draws [chains, draws, dims] and per-draw leapfrog steps / divergence flags [chains, draws].

    ``names`` (one per dim): also the sites with the worst min ESS per 1,000 gradients, where the curvature is."""
    import arviz as az  # lazy: only for the figures

    ds = az.convert_to_dataset({"x": draws})
    ess = np.asarray(az.ess(ds, method="bulk")["x"].values)
    rhat = np.asarray(az.rhat(ds)["x"].values)
    per_k = 1000.0 / float(steps.sum())
    return dict(
        steps_per_draw=round(float(steps.mean()), 1),
        ess_min=round(float(ess.min())),
        ess_median=round(float(np.median(ess))),
        ess_min_per_1k_gradients=round(float(ess.min()) * per_k, 2),
        ess_median_per_1k_gradients=round(float(np.median(ess)) * per_k, 2),
        max_rhat=round(float(rhat.max()), 4),
        divergences=int(diverging.sum()),
        worst_dims=[int(i) for i in np.argsort(ess)[:5]],
    ) | (_worst_sites(ess * per_k, names) if names else {})


def _worst_sites(ess_per_k: np.ndarray, names: list[str], n: int = 6) -> dict:
    """The ``n`` sites with the lowest min ESS per 1,000 gradients over their elements."""
    by_site: dict[str, float] = {}
    for name, e in zip(names, ess_per_k):
        by_site[name] = min(by_site.get(name, np.inf), float(e))
    worst = sorted(by_site.items(), key=lambda kv: kv[1])[:n]
    return dict(worst_sites={k: round(v, 2) for k, v in worst})


def scale_tail(draws: np.ndarray) -> dict:
    """Shape of the log of a scale's draws [chains, draws]: a heavy left tail (negative skew, large kurtosis) is
    the funnel's mark — the chain wanders towards 0, where the non-centred deviations stop mattering."""
    x = np.log(np.asarray(draws, float).ravel())
    z = (x - x.mean()) / x.std()
    return dict(
        log_median=round(float(np.median(x)), 3),
        log_q01=round(float(np.quantile(x, 0.01)), 3),
        skew=round(float(np.mean(z**3)), 2),
        kurtosis=round(float(np.mean(z**4)), 2),
    )


def _numpyro(data, config, a) -> dict:
    """Figures over the latent sites of the form sampled (centred or not), and the min ESS of ``beta`` (the per-geo
    effects: the same quantity whichever form) per 1,000 gradients."""
    from mmm_core.engine import sample_nuts
    from mmm_core.engine.centring import form_config

    fit = sample_nuts(
        data,
        config,
        chains=a.chains,
        warmup=a.warmup,
        draws=a.draws,
        seed=a.seed,
        dense_mass=a.dense,
        max_tree_depth=a.depth,
        target_accept=a.target_accept,
    )
    form = (fit.extra.get("geo_effects") or {}).get("form", "noncentred")
    shapes = _latent_shapes(data, form_config(config, form))
    flat = np.concatenate([np.asarray(fit.samples[k]).reshape(a.chains, a.draws, -1) for k in shapes], -1)
    names = [k for k, s in shapes.items() for _ in range(int(np.prod(s, dtype=int)))]
    st = fit.idata.sample_stats
    out = geometry(flat, np.asarray(st["n_steps"]), np.asarray(st["diverging"]), names)
    beta = geometry(fit.samples["beta"].reshape(a.chains, a.draws, -1), np.asarray(st["n_steps"]), np.zeros(1))
    out["beta_ess_min_per_1k_gradients"] = beta["ess_min_per_1k_gradients"]
    gradients = _gradients(fit)
    out["ess_min_per_1k_fit_gradients"] = round(1000 * out["ess_min"] / gradients, 2)
    scales = {k: scale_tail(np.asarray(fit.samples[k])) for k in shapes if k.endswith("_tau")}
    phases = fit.extra["phases"]
    cpu = sum(phases[k]["cpu_s"] for k in ("pilot", "warmup", "sampling") if k in phases)  # NUTS only: no compile
    geo = fit.extra.get("geo_effects") or {}
    return (
        out
        | (dict(scale_tails=scales) if scales else {})
        | dict(
            geo_effects=geo.get("form"), pilot=geo.get("pilot"), warmup_steps_per_25=fit.extra["warmup_steps_per_25"]
        )
        | dict(staged_mass=fit.extra.get("staged_mass"), gradients=gradients)
        | dict(nuts_cpu_s_loaded_machine=round(cpu, 1))
    )


def _gradients(fit) -> int:
    """Leapfrog steps of the whole fit over all chains, warm-up included (the kept form's pilot too, not the dropped
    form's): what the fit cost. Warm-up steps are summed from their 25-iteration means."""
    warm = 25 * fit.chains * sum(fit.extra["warmup_steps_per_25"])
    return round(warm + float(np.asarray(fit.idata.sample_stats["n_steps"]).sum()))


def _nutpie(data, config, a, shapes, ndim: int) -> dict:
    import jax
    import jax.numpy as jnp
    import nutpie
    from nutpie.compiled_pyfunc import from_pyfunc

    from mmm_core.engine.data import scale_data
    from mmm_core.engine.kernels import model_args, model_functions
    from mmm_core.engine.quick import laplace, unravel

    args = model_args(scale_data(data, config))
    fns = model_functions(config)
    logp_grad = jax.jit(jax.value_and_grad(lambda x, args: -fns["potential_gen"](*args)(unravel(x, shapes))))

    def make_logp():
        def logp(x, **_):
            v, g = logp_grad(jnp.asarray(x, jnp.float32), args)
            return float(v), np.asarray(g, dtype=np.float64)

        return logp

    def make_expand(*_):
        return lambda x, **__: {"x": np.asarray(x, dtype=np.float64)}

    model = from_pyfunc(ndim, make_logp, make_expand, [np.dtype("float64")], [(ndim,)], ["x"])
    start = np.asarray(laplace(fns, args, config, a.seed).x_map, np.float64)
    tr = nutpie.sample(
        model,
        draws=a.draws,
        tune=a.warmup,
        chains=a.chains,
        cores=a.chains,
        seed=a.seed,
        progress_bar=False,
        init_mean=start,
        adaptation=a.adaptation,
    )
    st = tr.sample_stats
    return geometry(tr.posterior["x"].values, st["n_steps"].values, st["diverging"].values)


def _latent_shapes(data, config) -> dict:
    from mmm_core.engine.data import scale_data
    from mmm_core.engine.kernels import latent_sites, model_args, model_functions

    return dict(sorted(latent_sites(model_functions(config)["model"], model_args(scale_data(data, config))).items()))


def _inputs(preset: str, seed: int, generator: str = "synth"):
    """(ModelData, ModelConfig, source): a synth preset with the engine's default config, or PyMC Labs' data with
    our default spec's config."""
    from mmm_core.engine import ModelConfig

    if preset in ("small_business", "medium_business"):
        from _pymc_labs_data import LABS_SEED, model_inputs

        with tempfile.TemporaryDirectory() as folder:
            data, config = model_inputs(preset, Path(folder))
        return data, config, f"PyMC Labs' generator, seed {LABS_SEED} (data/pymc_labs_{preset}.csv)"
    if generator == "bench":  # the self-contained generator: same shapes, other data (a check on unseen data)
        from _bench_data import generate

        return generate(preset, seed)[0], ModelConfig(), "bench/_bench_data.py"
    from _bench_data import load

    data, _, source = load(preset, seed)
    return data, ModelConfig(), source


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="geo_medium")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--warmup", type=int, default=300)
    p.add_argument("--draws", type=int, default=300)
    p.add_argument("--dense", default=None, type=lambda v: v == "yes", help="yes|no: mass matrix (default: engine's)")
    p.add_argument("--depth", default=10, type=int, help="NUTS max tree depth (numpyro)")
    p.add_argument("--target-accept", default=None, type=float, help="NUTS target acceptance (default: the engine's)")
    p.add_argument("--sampler", default="numpyro", choices=["numpyro", "nutpie"])
    p.add_argument("--adaptation", default="low_rank", choices=["diag", "low_rank"], help="nutpie only")
    p.add_argument("--generator", default="synth", choices=["synth", "bench"], help="bench: bench/_bench_data.py")
    p.add_argument("--geo-effects", default="auto", choices=["auto", "noncentred", "centred"], help="numpyro only")
    a = p.parse_args()
    from mmm_core.engine.setup import setup

    setup()  # before JAX starts: a device per chain
    data, config, source = _inputs(a.preset, a.seed, a.generator)
    config = replace(config, geo_effects=a.geo_effects)
    shapes = _latent_shapes(data, config)
    ndim = sum(int(np.prod(s, dtype=int)) for s in shapes.values())
    t0 = time.perf_counter()
    out = _numpyro(data, config, a) if a.sampler == "numpyro" else _nutpie(data, config, a, shapes, ndim)
    head = dict(preset=a.preset, seed=a.seed, source=source, sampler=a.sampler, dims=ndim)
    head |= dict(iterations=f"{a.warmup}+{a.draws}", geo_effects_asked=a.geo_effects)
    print(json.dumps(dict(head, **out, wall_s_loaded_machine=round(time.perf_counter() - t0, 1))))


if __name__ == "__main__":
    main()
