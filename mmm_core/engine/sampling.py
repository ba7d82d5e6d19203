"""NUTS with chains in parallel and progress callbacks.

NUTS runs as one compiled kernel `step × chunk` (``lax.scan`` inside ``pmap`` over chains), called for
warm-up and sampling alike: progress is reported between chunks without recompiling (NumPyro's
``MCMC.run`` rebuilds its pmapped function on every call). Kernels are cached per (config, data shape,
sampler settings) in-process, and on disk by JAX's persistent compilation cache (see ``engine.setup``).
"""

from __future__ import annotations

import math
import time
from functools import partial
from typing import Callable

import jax
import numpy as np
from numpyro.infer.hmc import hmc

from mmm_core.engine.config import ModelConfig
from mmm_core.engine.data import ModelData, ScaledData, scale_data
from mmm_core.engine.idata import to_idata
from mmm_core.engine.kernels import constrain, initial_z, model_args, model_functions, n_latent
from mmm_core.engine.result import FitResult

ProgressCallback = Callable[[float, str], None]
_STAT_FIELDS = ("diverging", "energy", "num_steps", "accept_prob", "potential_energy")
_RUNNERS: dict = {}
DENSE_MASS_MAX = 100  # above this, diagonal: a dense estimate from a short warm-up is too noisy


def _as_scaled(data: ModelData | ScaledData, config: ModelConfig) -> ScaledData:
    return data if isinstance(data, ScaledData) else scale_data(data, config)


def _chunk_size(warmup: int, draws: int, target_chunks: int = 8) -> int:
    """Largest divisor of gcd(warmup, draws) giving at least ~target_chunks calls (progress granularity)."""
    g = math.gcd(warmup, draws) if warmup else draws
    limit = max(1, (warmup + draws) // target_chunks)
    best = 1
    for d in range(1, g + 1):
        if g % d == 0 and d <= limit:
            best = d
    return best


def chain_method(chains: int) -> str:
    """``parallel`` (pmap, a device per chain) when JAX has enough devices, else ``vectorized`` (vmap on one).

    Devices come from ``engine.setup()``; without it JAX has one CPU device and chains are vectorised: slower,
    never wrong. The two paths draw different numbers for the same seed (other floating-point order), so
    the method is recorded with every fit."""
    return "parallel" if chains <= jax.local_device_count() else "vectorized"


def _runner(
    config: ModelConfig,
    data: ScaledData,
    chains: int,
    warmup: int,
    chunk: int,
    target_accept: float,
    max_tree_depth: int,
    dense: bool,
):
    """Compiled pieces for this model/shape/settings, built once per process (dict of callables)."""
    shapes = tuple((k, np.shape(v)) for k, v in data.arrays().items())
    key = (config, shapes, data.control_sign, chains, warmup, chunk, target_accept, max_tree_depth, dense)
    if key in _RUNNERS:
        return _RUNNERS[key]
    fns = model_functions(config)
    # NumPyro's functional HMC API: the potential takes the data as traced arguments.
    init_kernel, sample_kernel = hmc(potential_fn_gen=fns["potential_gen"], algo="NUTS")

    def init_one(z, rng_key, args):
        return init_kernel(
            z,
            warmup,
            target_accept_prob=target_accept,
            max_tree_depth=max_tree_depth,
            dense_mass=dense,
            model_args=args,
            rng_key=rng_key,
        )

    def run_chunk(state, args):
        def step(s, _):
            s = sample_kernel(s, model_args=args)
            return s, (s.z, s.diverging, s.energy, s.num_steps, s.accept_prob, s.potential_energy)

        return jax.lax.scan(step, state, None, length=chunk)

    method = chain_method(chains)
    mapped = (
        jax.pmap(run_chunk, in_axes=(0, None))
        if method == "parallel"
        else jax.jit(jax.vmap(run_chunk, in_axes=(0, None)))
    )
    runner = dict(fns, init=jax.jit(jax.vmap(init_one, in_axes=(0, 0, None))), run=mapped, chain_method=method)
    _RUNNERS[key] = runner
    return runner


def sample_nuts(
    data: ModelData | ScaledData,
    config: ModelConfig,
    chains: int = 2,
    warmup: int = 1000,
    draws: int = 1000,
    seed: int = 0,
    target_accept: float = 0.9,
    max_tree_depth: int = 10,
    progress_callback: ProgressCallback | None = None,
    dense_mass: bool | None = None,
) -> FitResult:
    """Sample the posterior with NUTS, ``chains`` in parallel. Same data + config + seed → same draws.

    ``progress_callback(fraction, message)`` is called between chunks of iterations (~8 per fit).
    ``dense_mass``: adapt a full mass matrix (default when there are at most DENSE_MASS_MAX latent
    dimensions: it absorbs the beta / half-point / intercept correlations, so fewer leapfrog steps per draw).
    """
    t0 = time.perf_counter()
    sd = _as_scaled(data, config)
    args = model_args(sd)
    chunk = _chunk_size(warmup, draws)
    dense = n_latent(config, args) <= DENSE_MASS_MAX if dense_mass is None else dense_mass
    fresh = _runner_key_missing(config, sd, chains, warmup, chunk, target_accept, max_tree_depth, dense)
    runner = _runner(config, sd, chains, warmup, chunk, target_accept, max_tree_depth, dense)
    run = runner["run"]
    key_init, key_run = jax.random.split(jax.random.PRNGKey(seed))
    z0 = initial_z(runner, args, chains, key_init)
    state = runner["init"](z0, jax.random.split(key_run, chains), args)
    n_chunks = (warmup + draws) // chunk
    compile_time = 0.0
    if fresh:  # compile ahead of time so the compile share of the wall time is measured, not guessed
        tc = time.perf_counter()
        runner["run"] = run = run.lower(state, args).compile()
        compile_time = time.perf_counter() - tc
    collected = []
    for i in range(n_chunks):
        state, out = run(state, args)
        jax.block_until_ready(state.z)
        if (i + 1) * chunk > warmup:
            collected.append(jax.device_get(out))
        if progress_callback is not None:
            phase = "warm-up" if (i + 1) * chunk <= warmup else "sampling"
            progress_callback((i + 1) / n_chunks, f"{phase}: {(i + 1) * chunk}/{warmup + draws} iterations")
    z = _merge_z([c[0] for c in collected])
    stat_dict = {name: np.concatenate([c[j + 1] for c in collected], axis=1) for j, name in enumerate(_STAT_FIELDS)}
    samples = constrain(runner, args, z)
    wall = time.perf_counter() - t0
    idata = partial(to_idata, samples, stat_dict, sd)
    return FitResult(
        engine="numpyro",
        samples=samples,
        idata_builder=idata,
        config=config,
        data=sd,
        chains=chains,
        warmup=warmup,
        draws=draws,
        seed=seed,
        wall_time=wall,
        compile_time=compile_time,
        extra={
            "target_accept": target_accept,
            "chain_method": runner["chain_method"],
            "chunk": chunk,
            "dense_mass": dense,
            "mean_tree_steps": float(stat_dict["num_steps"].mean()),
        },
    )


def _runner_key_missing(config, sd, chains, warmup, chunk, ta, depth, dense) -> bool:
    shapes = tuple((k, np.shape(v)) for k, v in sd.arrays().items())
    return (config, shapes, sd.control_sign, chains, warmup, chunk, ta, depth, dense) not in _RUNNERS


def _merge_z(zs: list[dict]) -> dict[str, np.ndarray]:
    """Concatenate per-chunk unconstrained draws along the draw axis: {site: [chains, draws, ...]}."""
    return {k: np.concatenate([z[k] for z in zs], axis=1) for k in zs[0]}
