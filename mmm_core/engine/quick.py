"""Quick mode: MAP + Laplace (default) or mean-field ADVI, with a fixed amount of work.

Always labelled "approximate — uncertainty not calibrated": it gives a conversation a first answer in
seconds; it does not replace NUTS. ``map``: Adam on the same potential NUTS uses (unconstrained space),
then draws from the Gaussian with the inverse Hessian at the mode (Laplace); the Hessian is built column by
column in small batches, so memory stays bounded at enterprise scale. ``advi``: NumPyro's AutoNormal SVI.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache, partial

import jax
import jax.numpy as jnp
import numpy as np
from numpyro.infer import SVI, Predictive, Trace_ELBO, init_to_median
from numpyro.infer.autoguide import AutoNormal
from numpyro.optim import Adam

from mmm_core.engine.config import EngineConfigError, ModelConfig
from mmm_core.engine.data import ModelData, ScaledData, scale_data
from mmm_core.engine.executables import compiled
from mmm_core.engine.idata import to_idata
from mmm_core.engine.kernels import constrain, initial_z, latent_sites, model_args, model_functions
from mmm_core.engine.result import APPROXIMATE_LABEL, FitResult

METHODS = ("map", "advi")


@lru_cache(maxsize=32)
def _laplace_fn(config: ModelConfig, unravel_key: tuple, hess_batch: int):
    """One jitted function for one model: MAP by Adam, then the Hessian at the mode column by column. One
    compilation instead of two (the cold start is most of quick mode's time); cached per config and layout."""
    fns = model_functions(config)
    shapes = dict(unravel_key)

    def potential_flat(x, args):
        return fns["potential_gen"](*args)(unravel(x, shapes))

    @partial(jax.jit, static_argnames=("steps",))
    def fit_map(x0, args, steps: int):
        # Adam with a decaying step in one lax.scan: robust in float32 where BFGS line searches stall.
        value_and_grad = jax.value_and_grad(potential_flat)
        b1, b2, eps = 0.9, 0.999, 1e-8

        def step(carry, i):
            x, m, v = carry
            f, g = value_and_grad(x, args)
            g = jnp.where(jnp.isfinite(g), g, 0.0)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            lr = 0.05 * (0.02 ** (i / steps))  # 0.05 → 0.001
            mhat, vhat = m / (1 - b1 ** (i + 1)), v / (1 - b2 ** (i + 1))
            return (x - lr * mhat / (jnp.sqrt(vhat) + eps), m, v), f

        zeros = jnp.zeros_like(x0)
        (x, _, _), losses = jax.lax.scan(step, (x0, zeros, zeros), jnp.arange(steps, dtype=x0.dtype))
        grad = jax.grad(potential_flat)
        hvp = lambda v: jax.jvp(lambda y: grad(y, args), (x,), (v,))[1]  # noqa: E731
        hess = jax.lax.map(hvp, jnp.eye(x.shape[0], dtype=x.dtype), batch_size=hess_batch)
        return x, potential_flat(x, args), losses, hess

    return fit_map


def _centre(fns, args) -> dict[str, tuple[int, ...]]:
    """Site shapes of the model, from an abstract trace (nothing compiled); the start is their centre, 0 in
    unconstrained space (prior medians of the unit-scale sites)."""
    return dict(sorted(latent_sites(fns["model"], args).items()))


def unravel(x, shapes: dict[str, tuple[int, ...]]) -> dict:
    """Flat vector(s) [..., n] → {site: [..., *shape]}, sites in sorted order. Works on JAX values inside the
    jitted function and on NumPy draws outside it (an eager ``vmap(unravel)`` would compile a kernel per site
    on a cold start)."""
    out, i = {}, 0
    for name, shape in shapes.items():
        size = int(np.prod(shape, dtype=int))
        out[name] = x[..., i : i + size].reshape(x.shape[:-1] + shape)
        i += size
    return out


@dataclass(frozen=True)
class Laplace:
    """The Gaussian approximation at the mode in unconstrained space: flat sites in sorted order (``shapes``),
    the mode ``x_map``, its potential ``fun``, the optimiser's ``losses``, and ``cov_root`` with
    ``cov = cov_root @ cov_root.T`` the inverse Hessian (non-positive curvature floored: ``n_clipped``)."""

    shapes: dict[str, tuple[int, ...]]
    x_map: np.ndarray
    fun: float
    losses: np.ndarray
    cov_root: np.ndarray
    n_clipped: int


def laplace(fns, args, config, seed: int, steps: int = 1500) -> Laplace:
    """MAP by Adam from the centre (a checked random start if the centre is not valid), then the Hessian there."""
    shapes = _centre(fns, args)
    n = sum(int(np.prod(s, dtype=int)) for s in shapes.values())
    x0 = np.zeros(n, np.float32)
    hess_batch = max(1, min(64, 2_000_000 // max(1, args[0].spend.size)))
    jitted = _laplace_fn(config, tuple(shapes.items()), hess_batch=hess_batch)
    # kept on disk whole (engine.executables): NUTS's Laplace start traced this in every process
    fit_map = compiled("laplace", jitted, (x0, args), (config, hess_batch), kwargs={"steps": steps})
    x_map, fun, losses, h = fit_map(x0, args)
    if not np.isfinite(float(fun)):  # the centre was not a valid start: a checked random one
        z0 = initial_z(fns, args, 1, jax.random.PRNGKey(seed), radius=0.5)
        x0 = np.concatenate([np.asarray(z0[k][0]).ravel() for k in shapes]).astype(np.float32)
        x_map, fun, losses, h = fit_map(x0, args)
    h = np.asarray(h, dtype=np.float64)
    h = 0.5 * (h + h.T)
    w, v = np.linalg.eigh(h)
    floor = 1e-6 * max(1.0, float(np.abs(w).max()))
    n_clipped = int((w < floor).sum())  # non-positive curvature: a flat or saddle direction, widened by flooring
    cov_root = v / np.sqrt(np.maximum(w, floor))[None, :]
    return Laplace(shapes, np.asarray(x_map), float(fun), np.asarray(losses), cov_root, n_clipped)


def _laplace_draws(fns, args, config, seed: int, draws: int, steps: int) -> tuple[dict, dict]:
    lp = laplace(fns, args, config, seed, steps)
    n = lp.x_map.shape[0]
    eps = np.random.default_rng(seed).standard_normal((draws, n))
    xs = (lp.x_map[None, :] + eps @ lp.cov_root.T).astype(lp.x_map.dtype)
    z = unravel(xs, lp.shapes)
    info = {
        "map_potential": lp.fun,
        "steps": steps,
        "hessian_floored_directions": lp.n_clipped,
        "potential_change_last_10pct": float(lp.losses[-max(1, steps // 10)] - lp.losses[-1]),
    }
    return {k: np.asarray(val)[None] for k, val in z.items()}, info


def _advi_draws(sd: ScaledData, config: ModelConfig, seed: int, draws: int, steps: int) -> tuple[dict, dict]:
    model = model_functions(config)["model"]
    guide = AutoNormal(model, init_loc_fn=init_to_median(num_samples=15))
    svi = SVI(model, guide, Adam(0.02), Trace_ELBO())
    rng_fit, rng_draw = jax.random.split(jax.random.PRNGKey(seed))
    result = svi.run(rng_fit, steps, sd, sd.kpi, progress_bar=False)
    out = jax.device_get(Predictive(model, guide=guide, params=result.params, num_samples=draws)(rng_draw, sd, None))
    samples = {k: np.asarray(v)[None] for k, v in out.items() if k != "kpi"}
    return samples, {"steps": steps, "final_loss": float(np.asarray(result.losses)[-1])}


def sample_quick(
    data: ModelData | ScaledData,
    config: ModelConfig,
    seed: int = 0,
    method: str = "map",
    draws: int = 1000,
    steps: int = 1500,
) -> FitResult:
    """Approximate posterior in seconds, labelled ``approximate=True`` / APPROXIMATE_LABEL.

    ``method``: ``map`` (MAP + Laplace, default) or ``advi`` (mean-field); ``steps`` Adam steps either way.
    Pathfinder is not offered (NumPyro has none). Same data + config + seed → same numbers.
    """
    if method not in METHODS:
        raise EngineConfigError(
            f"Quick method {method!r} is not available.", hint="Use 'map' (MAP + Laplace) or 'advi' (mean-field ADVI)."
        )
    t0 = time.perf_counter()
    sd = data if isinstance(data, ScaledData) else scale_data(data, config)
    args = model_args(sd)
    fns = model_functions(config)
    if method == "map":
        z, info = _laplace_draws(fns, args, config, seed, draws, steps)
        samples = constrain(fns, args, z)
    else:
        samples, info = _advi_draws(sd, config, seed, draws, steps)
    idata = partial(to_idata, samples, None, sd)
    return FitResult(
        engine="numpyro",
        samples=samples,
        idata_builder=idata,
        config=config,
        data=sd,
        chains=1,
        warmup=0,
        draws=draws,
        seed=seed,
        wall_time=time.perf_counter() - t0,
        approximate=True,
        label=APPROXIMATE_LABEL,
        method=method,
        extra=info,
    )
