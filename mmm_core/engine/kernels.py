"""Compiled functions of one model (potential energy, constraining), shared by NUTS and quick mode.

The data are *arguments* of every compiled function (never baked-in constants), so one compilation serves
every dataset of the same shape, and JAX's persistent cache can reuse it across processes.
"""

from __future__ import annotations

from functools import lru_cache

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.distributions.transforms import biject_to
from numpyro.handlers import seed, trace
from numpyro.infer.util import constrain_fn, potential_energy

from mmm_core.engine.config import EngineConfigError, ModelConfig
from mmm_core.engine.data import ScaledData
from mmm_core.engine.executables import compile_ahead, compiled
from mmm_core.engine.model import bound_model

_SITES: dict = {}  # (model, argument signature) -> latent site shapes: one abstract trace per model and shape


@lru_cache(maxsize=32)
def model_functions(config: ModelConfig) -> dict:
    """``potential_gen(*args)`` / ``postprocess_gen(*args)`` (NumPyro's functional form) and jitted
    batched versions ``potential(z_batch, args)`` / ``postprocess(z_batch, args)``."""
    model = bound_model(config)

    def potential_gen(*args):
        return lambda z: potential_energy(model, args, {}, z)

    def postprocess_gen(*args):
        return lambda z: constrain_fn(model, args, {}, z, return_deterministic=True)

    return dict(
        config=config,
        model=model,
        potential_gen=potential_gen,
        postprocess_gen=postprocess_gen,
        potential=jax.jit(jax.vmap(lambda z, args: potential_gen(*args)(z), in_axes=(0, None))),
        postprocess=jax.jit(jax.vmap(lambda z, args: postprocess_gen(*args)(z), in_axes=(0, None))),
    )


def model_args(sd: ScaledData) -> tuple:
    """The model's traced arguments: (data, observed scaled KPI)."""
    return (sd, jnp.asarray(sd.kpi))


def latent_sites(model, args) -> dict[str, tuple[int, ...]]:
    """Latent sample sites of the model: name → shape in unconstrained space.

    Traced abstractly (``jax.eval_shape``): an eager trace would compile every small op (~1 s); and once per
    model and argument shapes in a process (the sampler, its Laplace start and the start point all ask)."""
    leaves, tree = jax.tree_util.tree_flatten(args)
    memo = (model, tree, tuple((np.shape(x), str(getattr(x, "dtype", ""))) for x in leaves))
    if memo in _SITES:
        return dict(_SITES[memo])
    found: dict[str, tuple[int, ...]] = {}

    def collect(*a):
        tr = trace(seed(model, 0)).get_trace(*a)
        for name, site in tr.items():
            if site["type"] == "sample" and not site["is_observed"]:
                found[name] = tuple(biject_to(site["fn"].support).inv(site["value"]).shape)
        return 0

    jax.eval_shape(collect, *args)
    _SITES[memo] = dict(found)
    return found


def n_latent(config: ModelConfig, args) -> int:
    """Number of unconstrained dimensions of the posterior."""
    return int(sum(np.prod(s, dtype=int) for s in latent_sites(bound_model(config), args).values()))


def initial_z(fns: dict, args, chains: int, rng_key, radius: float = 2.0, tries: int = 20) -> dict:
    """Uniform(-radius, radius) in unconstrained space per chain (NumPyro's default), redrawn for chains
    whose potential is not finite. Cheaper than ``initialize_model``, which recompiles a search each process.
    ``radius=0`` gives the centre (prior medians of unit-scale sites), a good start for optimisation."""
    sites = sorted(latent_sites(fns["model"], args).items())
    z, finite = None, None
    for attempt in range(tries):
        keys = jax.random.split(jax.random.fold_in(rng_key, attempt), len(sites))
        cand = {
            name: jax.random.uniform(k, (chains,) + shape, minval=-radius, maxval=radius)
            for k, (name, shape) in zip(keys, sites)
        }
        if z is None:
            z = cand
        else:
            bad = ~finite
            z = {n: jnp.where(bad.reshape((-1,) + (1,) * (v.ndim - 1)), cand[n], v) for n, v in z.items()}
        finite = np.isfinite(np.asarray(potential(fns, z, args)))
        if finite.all():
            return z
        radius = max(radius, 0.5)
    raise EngineConfigError("No finite starting point for the sampler.", hint="Check the data scaling and priors.")


def potential(fns: dict, z: dict, args) -> jax.Array:
    """Potential energy of a batch of unconstrained points {site: [n, ...]} (compiled once per shape, and kept on
    disk by ``engine.executables``)."""
    return compiled("potential", fns["potential"], (z, args), fns["config"])(z, args)


def potential_ahead(fns: dict, args, n_points: int) -> None:
    """Start compiling :func:`potential`'s kernel for ``n_points`` points (``executables.compile_ahead``)."""
    z = {k: jax.ShapeDtypeStruct((n_points,) + s, jnp.float32) for k, s in latent_sites(fns["model"], args).items()}
    compile_ahead("potential", fns["potential"], (z, args), fns["config"])


CONSTRAIN_BATCH = 1000  # draws constrained per call: bounded memory for big models (deterministics are [G,C]-sized)


def constrain_ahead(fns: dict, args, n_draws: int, batch: int = CONSTRAIN_BATCH) -> None:
    """Start compiling :func:`constrain`'s kernel for ``n_draws`` draws in all (``executables.compile_ahead``)."""
    rows = min(batch, n_draws)
    chunk = {k: jax.ShapeDtypeStruct((rows,) + s, jnp.float32) for k, s in latent_sites(fns["model"], args).items()}
    compile_ahead("constrain", fns["postprocess"], (chunk, args), fns["config"])


def constrain(fns: dict, args, z: dict, batch: int = CONSTRAIN_BATCH) -> dict[str, np.ndarray]:
    """Unconstrained draws {site: [chains, draws, ...]} → constrained sites + deterministics, same layout."""
    chains, draws = next(iter(z.values())).shape[:2]
    flat = {k: v.reshape((chains * draws,) + v.shape[2:]) for k, v in z.items()}
    n = chains * draws
    parts = []
    for start in range(0, n, batch):
        chunk = {k: v[start : start + batch] for k, v in flat.items()}
        run = compiled("constrain", fns["postprocess"], (chunk, args), fns["config"])
        parts.append(jax.device_get(run(chunk, args)))
    out = {k: np.concatenate([np.asarray(p[k]) for p in parts]) for k in parts[0] if k != "kpi"}
    return {k: v.reshape((chains, draws) + v.shape[1:]) for k, v in out.items()}
