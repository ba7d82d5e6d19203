"""A NUTS fit's big kernels compiled ahead, on background threads, while the fit does its other work.

On a cold cache a national fit spends most of its time compiling: the prior predictive, the Laplace start, the
NUTS initialisation and chunk, constraining (~13 s of CPU together, measured in ``diagnostics.jax_compiles``),
one after the other on one core. XLA compiles with the GIL released, so once the data's shapes are known
(``compile_fit_ahead``, right after scaling) the kernels the sampler will ask for are traced here and handed to
``engine.executables``' compile threads; the fit goes on with the prior predictive and the gate on the main
thread, and ``sample_nuts`` picks each kernel up (or waits for it) under the same key. Warm, the kernels are on
disk: the first one is loaded and nothing is traced. Only the arguments' shapes and the settings matter, so this
must build exactly what ``sample_nuts`` asks for; ``tests/test_executables_ahead.py`` checks that the sampler then
compiles nothing itself.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from mmm_core.engine import sampling
from mmm_core.engine.config import ModelConfig
from mmm_core.engine.data import ScaledData
from mmm_core.engine.executables import compile_ahead
from mmm_core.engine.kernels import (
    constrain_ahead,
    latent_sites,
    model_args,
    model_functions,
    n_latent,
    potential_ahead,
)
from mmm_core.engine.quick import LAPLACE_STEPS, laplace_ahead


def compile_fit_ahead(
    sd: ScaledData,
    config: ModelConfig,
    chains: int,
    warmup: int,
    draws: int,
    target_accept: float | None = None,
    max_tree_depth: int = 10,
) -> bool:
    """Start compiling what ``sample_nuts(sd, config, chains, warmup, draws, seed=..., target_accept=...,
    max_tree_depth=...)`` will run with its default mass matrix and start. True when compilations were started;
    False when the kernels were at hand (in memory, or on disk: a warm cache)."""
    args = model_args(sd)
    n = n_latent(config, args)
    plan = sampling.chain_plan(config, sd, n, chains, warmup, draws)
    dense, use_laplace, chunk = plan.dense, plan.laplace_start, plan.chunk
    first = plan.first_warmup(warmup)  # a staged warm-up's dense kernel compiles in the sampler
    known = set(sampling._RUNNERS)
    target = plan.target_accept(target_accept)
    runner = sampling._runner(config, sd, chains, first, chunk, target, max_tree_depth, dense)
    # Not left registered: sample_nuts then builds its own runner and asks for each kernel under the same key (a
    # runner it already holds is used as it is, its chunk uncompiled).
    for key in set(sampling._RUNNERS) - known:
        del sampling._RUNNERS[key]
    z0 = {k: jax.ShapeDtypeStruct((chains,) + s, jnp.float32) for k, s in latent_sites(runner["model"], args).items()}
    keys = jax.eval_shape(lambda: jax.random.split(jax.random.PRNGKey(0), chains))  # the seed's keys' shape
    mass = jax.ShapeDtypeStruct((n, n) if dense else (n,), jnp.float32) if use_laplace else None
    init_args = (z0, keys, args, mass)
    if not compile_ahead("nuts_init", runner["init"], init_args, runner["static"]):
        return False  # in memory or on disk: so are the others (the same fit compiled them together)
    # In the order the sampler needs them: the two workers take the Laplace start and the init first; the chunk,
    # the longest (~5 s of CPU), runs while the main thread computes the prior predictive, the gate and the start.
    if use_laplace:
        laplace_ahead(runner, args, config, LAPLACE_STEPS)
    potential_ahead(runner, args, chains)  # the start's finiteness check
    # NumPyro's functional NUTS sets the chunk's settings while its init is traced (see sample_nuts): trace it first
    state = jax.eval_shape(runner["init"], *init_args)
    compile_ahead("nuts_chunk", runner["run"], (state, args), runner["static"])
    constrain_ahead(runner, args, chains * draws)
    return True


def compile_quick_ahead(sd: ScaledData, config: ModelConfig, draws: int) -> None:
    """Start compiling what ``sample_quick(sd, config, draws=draws)`` (MAP + Laplace) will run: its Laplace kernel
    and constraining, while the fit computes the prior predictive and the gate."""
    fns, args = model_functions(config), model_args(sd)
    laplace_ahead(fns, args, config, LAPLACE_STEPS)
    constrain_ahead(fns, args, draws)
