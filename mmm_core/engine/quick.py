"""Quick mode: MAP + Laplace (default) or mean-field ADVI, with a fixed amount of work.

Always labelled "approximate — uncertainty not calibrated": it gives a conversation a first answer in
seconds; it does not replace NUTS. ``map``: Adam on the same potential NUTS uses (unconstrained space),
then draws from the Gaussian with the inverse Hessian at the mode (Laplace); the Hessian is central differences
of the gradient, computed by the same compiled scan as the MAP (one copy of the model's gradient to compile), so
memory stays bounded at enterprise scale (a [steps, n] block of gradients per call). ``advi``: NumPyro's AutoNormal SVI.
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
from mmm_core.engine.executables import compile_ahead, compiled
from mmm_core.engine.idata import to_idata
from mmm_core.engine.kernels import constrain, initial_z, latent_sites, model_args, model_functions
from mmm_core.engine.result import APPROXIMATE_LABEL, FitResult

METHODS = ("map", "advi")
LAPLACE_STEPS = 1500  # Adam steps to the mode


# Central-difference step for the Hessian, in unconstrained space (priors about unit scale; posterior sds of a
# national fit 0.006-1.1): the posterior sds from it matched the exact (forward-over-reverse) Hessian's to < 0.05%.
FD_STEP = 1e-2


@lru_cache(maxsize=32)
def _laplace_fn(config: ModelConfig, unravel_key: tuple):
    """One jitted function for one model: a ``lax.scan`` whose every step takes the potential's gradient once, at
    the carried point (Adam: the MAP) or at the step's given point (``probe``: the Hessian's finite differences).

    Why one scan for both: each compiled copy of the model's gradient costs ~2.2 s of CPU to compile (national
    case), and the exact Hessian (a forward-over-reverse product per column) was a second, larger copy in the same
    kernel: 6.3 s to trace and compile, against ~2.7 s for this one. A probe call runs as many steps as Adam does,
    which costs nothing next to a compile (a national gradient is ~20 µs)."""
    fns = model_functions(config)
    shapes = dict(unravel_key)

    def potential_flat(x, args):
        return fns["potential_gen"](*args)(unravel(x, shapes))

    @jax.jit
    def map_and_probe(x0, points, args, probe):
        # Adam with a decaying step: robust in float32 where BFGS line searches stall.
        value_and_grad = jax.value_and_grad(potential_flat)
        b1, b2, eps = 0.9, 0.999, 1e-8
        steps = points.shape[0]

        def step(carry, inp):
            x, m, v = carry
            i, point = inp
            f, g = value_and_grad(jnp.where(probe, point, x), args)
            g_adam = jnp.where(jnp.isfinite(g), g, 0.0)
            m = b1 * m + (1 - b1) * g_adam
            v = b2 * v + (1 - b2) * g_adam * g_adam
            lr = 0.05 * (0.02 ** (i / steps))  # 0.05 -> 0.001
            mhat, vhat = m / (1 - b1 ** (i + 1)), v / (1 - b2 ** (i + 1))
            return (x - lr * mhat / (jnp.sqrt(vhat) + eps), m, v), (f, g)

        zeros = jnp.zeros_like(x0)
        (x, _, _), (fs, gs) = jax.lax.scan(step, (x0, zeros, zeros), (jnp.arange(steps, dtype=x0.dtype), points))
        return x, potential_flat(x, args), fs, gs

    return map_and_probe


def _fd_hessian(run, x: np.ndarray, args, steps: int, h: float = FD_STEP) -> np.ndarray:
    """Central differences of the gradient at ``x``, ``steps`` probe points per call of the scan."""
    n = x.shape[0]
    eye = np.eye(n, dtype=np.float32)
    probes = np.concatenate([x[None, :] + h * eye, x[None, :] - h * eye]).astype(np.float32)
    grads = []
    for start in range(0, 2 * n, steps):
        part = probes[start : start + steps]
        padded = np.concatenate([part, np.repeat(x[None, :], steps - len(part), axis=0)]) if len(part) < steps else part
        grads.append(np.asarray(run(x, padded, args, np.bool_(True))[3])[: len(part)])
    g = np.concatenate(grads).astype(np.float64)
    return (g[:n] - g[n:]) / (2 * h)


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


def ravel(z: dict, lead: int) -> np.ndarray:
    """{site: [*lead axes, *shape]} → [*lead axes, n], sites in sorted order: the inverse of :func:`unravel`
    (and NumPyro's flattening of a state, for a mass matrix)."""
    return np.concatenate([np.asarray(z[k]).reshape(np.shape(z[k])[:lead] + (-1,)) for k in sorted(z)], axis=-1)


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


def laplace(fns, args, config, seed: int, steps: int = LAPLACE_STEPS) -> Laplace:
    """MAP by Adam from the centre (a checked random start if the centre is not valid), then the Hessian there."""
    shapes = _centre(fns, args)
    kernel, (x0, idle, adam) = _laplace_call(fns, args, config, steps)
    # kept on disk whole (engine.executables): NUTS's Laplace start traced this in every process
    run = compiled("laplace", kernel, (x0, idle, args, adam), config)
    x_map, fun, losses, _ = run(x0, idle, args, adam)
    if not np.isfinite(float(fun)):  # the centre was not a valid start: a checked random one
        z0 = initial_z(fns, args, 1, jax.random.PRNGKey(seed), radius=0.5)
        x0 = np.concatenate([np.asarray(z0[k][0]).ravel() for k in shapes]).astype(np.float32)
        x_map, fun, losses, _ = run(x0, idle, args, adam)
    x_map = np.asarray(x_map)
    h = _fd_hessian(run, x_map, args, steps)
    h = 0.5 * (h + h.T)
    w, v = np.linalg.eigh(h)
    floor = 1e-6 * max(1.0, float(np.abs(w).max()))
    n_clipped = int((w < floor).sum())  # non-positive curvature: a flat or saddle direction, widened by flooring
    cov_root = v / np.sqrt(np.maximum(w, floor))[None, :]
    return Laplace(shapes, x_map, float(fun), np.asarray(losses), cov_root, n_clipped)


def laplace_ahead(fns, args, config, steps: int = LAPLACE_STEPS) -> None:
    """Start compiling :func:`laplace`'s kernel on a background thread (``executables.compile_ahead``)."""
    kernel, (x0, idle, adam) = _laplace_call(fns, args, config, steps)
    compile_ahead("laplace", kernel, (x0, idle, args, adam), config)


def _laplace_call(fns, args, config, steps: int):
    """The Laplace kernel and its arguments besides the data: (start at the centre, idle probes, Adam flag)."""
    shapes = _centre(fns, args)
    n = sum(int(np.prod(s, dtype=int)) for s in shapes.values())
    idle, adam = np.zeros((steps, n), np.float32), np.bool_(False)  # probe points: unused by Adam
    return _laplace_fn(config, tuple(shapes.items())), (np.zeros(n, np.float32), idle, adam)


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
