"""Lift tests in the likelihood: the model's own counterfactual of each test, against the measured lift.

For test e on channel c: replay the model with c's spend raised by the test's spend change over its window (in its
cell's geographies), take the difference in the KPI it predicts, and sum it over the periods the lift counts — the
window *and* the carry-over into the following periods (the adstock of the extra spend reaches ``l_max`` − 1
periods past the window), unless the test says it measured less (``ExperimentConfig.until``). Saturation is applied
to the actual spend plus the change, so a test on a saturated channel measures the marginal, not the average, return.
Additive: the difference of the channel's term; multiplicative: ``exp(eta + Δ) − exp(eta)``. Mediated paths are
not replayed (a fit refuses tests on channels that feed a mediator, ``fit.inputs``).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from mmm_core.engine import transforms as tf
from mmm_core.engine.config import ModelConfig
from mmm_core.engine.curves import saturated_curves
from mmm_core.engine.data import ScaledData


def experiment_lifts(params: dict, data: ScaledData, config: ModelConfig, media, eta) -> jnp.ndarray:
    """Predicted lift [E] in KPI units. ``media`` [T,G,C] the fitted per-channel terms, ``eta`` [T,G] the mean."""
    out = []
    for i, e in enumerate(config.experiments):
        test_lags = tf.lag_tensor(jnp.asarray(data.experiment_spend[i]), config.l_max)
        lagged = jnp.asarray(data.spend_lagged).at[..., e.channel].set(test_lags)
        test = params["beta"][None, :, e.channel] * saturated_curves(params, lagged, config)[..., e.channel]
        delta = test - media[..., e.channel]
        if config.likelihood == "multiplicative":
            delta = jnp.exp(eta + delta) - jnp.exp(eta)
        out.append(jnp.sum(delta * data.kpi_scale[None, :] * data.experiment_window[i][:, None]))
    return jnp.stack(out)


def experiment_likelihood(params: dict, data: ScaledData, config: ModelConfig, media, eta, observed: bool) -> None:
    """``experiment_lift`` (deterministic, [E]) and its Normal(lift_se) likelihood; no-op without tests."""
    if not config.experiments:
        return
    lifts = numpyro.deterministic("experiment_lift", experiment_lifts(params, data, config, media, eta))
    measured = np.array([e.lift for e in config.experiments], np.float32)
    se = np.array([e.lift_se for e in config.experiments], np.float32)
    with numpyro.handlers.mask(mask=np.array([e.observed for e in config.experiments])):
        numpyro.sample("experiment_obs", dist.Normal(lifts, se), obs=measured if observed else None)


__all__ = ["experiment_lifts", "experiment_likelihood"]
