"""Prior-predictive draws for the pre-fit gate, in the user's units, plus the model's parameter count."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mmm_core.engine import ModelConfig, ScaledData


def prior_predictive(scaled: "ScaledData", config: "ModelConfig", n_draws: int = 200, seed: int = 0) -> dict[str, Any]:
    """``kpi`` [S,T,G] and ``media_contribution`` / ``media_features`` [S,T,G,C] under the prior.

    ``media_features`` is saturation(adstock(spend)) per draw: if it is flat over time the model can only explain
    the KPI with its intercept — the failure the gate blocks.
    """
    import jax  # lazy: JAX/NumPyro (~0.8 s); fit.job is imported by light commands (fit status, latest fit)

    from mmm_core.engine.executables import compiled  # lazy: as jax above

    key = jax.random.PRNGKey(seed)
    # Loaded whole from disk after the first process (tracing the prior predictive is ~0.5 s of CPU per fit)
    run = compiled("prior_predictive", _draws(config, n_draws), (key, scaled), (config, n_draws), (__file__,))
    mean, sigma, media, features = (np.asarray(x, float) for x in run(key, scaled))
    kpi_scaled = _with_noise(mean, sigma, config, np.random.default_rng(seed))
    scale = np.asarray(scaled.kpi_scale)[None, None, :]
    kpi = kpi_scaled * scale
    if config.likelihood == "multiplicative":
        contribution = kpi[..., None] * (1.0 - np.exp(-media))
    else:
        contribution = media * scale[..., None]
    return {"kpi": kpi, "media_contribution": contribution, "media_features": features}


def _with_noise(mean: np.ndarray, sigma: np.ndarray, config: "ModelConfig", rng: np.random.Generator) -> np.ndarray:
    """Scaled KPI draws [S,T,G] from the model's noise around its mean [S,T,G] with sd ``sigma`` [S,G]: the
    likelihood of ``engine.model.mmm_model`` (log-normal for the multiplicative model, else normal or Student-t).

    Why outside the compiled function: XLA's Student-t sampler (a gamma rejection loop) was 2.0 of the kernel's
    4.7 s cold compile on a national fit; numpy draws it in microseconds."""
    shape = mean.shape
    if config.likelihood == "multiplicative":
        return mean * np.exp(sigma[:, None, :] * rng.standard_normal(shape))
    eps = rng.standard_t(config.student_t_df, shape) if config.noise == "student_t" else rng.standard_normal(shape)
    return mean + sigma[:, None, :] * eps


@lru_cache(maxsize=16)
def _draws(config: "ModelConfig", n_draws: int):
    """One compiled function (key, data) → the scaled KPI's mean and noise sd, media terms and media features per
    prior draw (the noise itself is drawn by ``_with_noise``).

    Run op by op, the same computation dispatched ~100 small kernels, each traced, lowered and compiled (or
    loaded from the persistent cache) in every process; compiled whole it is one cached executable."""
    import jax  # lazy: as in prior_predictive
    import jax.numpy as jnp
    from numpyro import handlers
    from numpyro.infer import Predictive

    from mmm_core.engine.model import MEDIATOR_KEYS, PARAM_KEYS, bound_model, media_curves, predict_one

    def run(key, scaled):
        # The KPI site is conditioned on a placeholder so its noise is never sampled here (see _with_noise).
        model = handlers.condition(bound_model(config), {"kpi": jnp.zeros(scaled.kpi.shape, scaled.kpi.dtype)})
        draws = Predictive(model, num_samples=n_draws)(key, scaled, None)
        params = {k: draws[k] for k in PARAM_KEYS + (MEDIATOR_KEYS if config.mediators else ())}
        mean = jax.vmap(lambda p: predict_one(p, scaled, config, scaled.spend_lagged)["mu"])(params)
        mean = mean / scaled.kpi_scale[None, None, :]
        media = jax.vmap(lambda p: media_curves(p, scaled.spend_lagged, config))(params)  # [S,T,G,C]
        beta = params["beta"][:, None, :, :]
        return mean, params["sigma"], media, media / jnp.where(beta > 0, beta, 1.0)

    return jax.jit(run)


def n_parameters(scaled: "ScaledData", config: "ModelConfig") -> int:
    """Number of free (sampled, unobserved) parameters — what the data must identify.

    Traced abstractly (``jax.eval_shape``): only the sites' shapes are needed, and an eager trace would run (and
    compile) every op of the model."""
    import jax  # lazy: as in prior_predictive
    from numpyro import handlers

    from mmm_core.engine.model import bound_model

    sizes: dict[str, int] = {}

    def collect(data):
        trace = handlers.trace(handlers.seed(bound_model(config), 0)).get_trace(data, None)
        for name, site in trace.items():
            # a selection prior's scales are not coefficients to identify (engine.controls marks them)
            hyper = site.get("infer", {}).get("hyperparameter", False)
            if site["type"] == "sample" and not site.get("is_observed") and name != "kpi" and not hyper:
                sizes[name] = int(np.prod(np.shape(site["value"]), dtype=int))
        return 0

    jax.eval_shape(collect, scaled)
    return int(sum(sizes.values()))
