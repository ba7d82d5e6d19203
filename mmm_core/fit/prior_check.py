"""Prior-predictive draws for the pre-fit gate, in the user's units, plus the model's parameter count."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mmm_core.engine import ModelConfig, ScaledData


def prior_predictive(scaled: "ScaledData", config: "ModelConfig", n_draws: int = 200, seed: int = 0) -> dict[str, Any]:
    """``kpi`` [S,T,G] and ``media_contribution`` / ``media_features`` [S,T,G,C] under the prior.

    ``media_features`` is saturation(adstock(spend)) per draw: if it is flat over time the model can only explain
    the KPI with its intercept — the failure the gate blocks.
    """
    # lazy: JAX/NumPyro (~0.8 s); fit.job is imported by light commands (fit status, latest fit)
    import jax
    import jax.numpy as jnp
    from numpyro.infer import Predictive

    from mmm_core.engine.model import PARAM_KEYS, bound_model, media_curves

    draws = Predictive(bound_model(config), num_samples=n_draws)(jax.random.PRNGKey(seed), scaled, None)
    params = {k: jnp.asarray(draws[k]) for k in PARAM_KEYS}
    lagged = jnp.asarray(scaled.spend_lagged)
    media = jax.vmap(lambda p: media_curves(p, lagged, config))(params)  # [S,T,G,C], beta * sat(adstock)
    beta = params["beta"][:, None, :, :]
    features = np.asarray(media / jnp.where(beta > 0, beta, 1.0))
    scale = np.asarray(scaled.kpi_scale)[None, None, :]
    kpi = np.asarray(draws["kpi"]) * scale
    if config.likelihood == "multiplicative":
        contribution = np.asarray(kpi)[..., None] * (1.0 - np.exp(-np.asarray(media)))
    else:
        contribution = np.asarray(media) * scale[..., None]
    return {"kpi": kpi, "media_contribution": contribution, "media_features": features}


def n_parameters(scaled: "ScaledData", config: "ModelConfig") -> int:
    """Number of free (sampled, unobserved) parameters — what the data must identify."""
    from numpyro import handlers  # lazy: NumPyro, as in prior_predictive

    from mmm_core.engine.model import bound_model

    trace = handlers.trace(handlers.seed(bound_model(config), 0)).get_trace(scaled, None)
    return int(
        sum(
            np.size(site["value"])
            for name, site in trace.items()
            if site["type"] == "sample" and not site.get("is_observed") and name != "kpi"
        )
    )
