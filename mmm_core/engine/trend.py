"""The baseline's time-varying part beyond the slope: changepoint kinks (``piecewise``) or a local level.

Both enter the model the same way, ``trend[t] = changepoint_basis[t] @ trend_delta`` (``model.baseline_term``),
so a stored fit of either kind re-predicts through the same code and the same stored parameters:

- ``piecewise``: hinge columns ``max(t - s_j, 0)``, one per changepoint; ``trend_delta`` are slope changes with a
  ``Normal(0, trend_sd)`` prior (unchanged from before this module existed).
- ``local_level``: a Gaussian random walk of the level, ``level[t] = level[t-1] + eps_t``. Its basis is the step
  matrix ``1{t > j}`` (column means removed, so the walk has mean zero over the data and the sampled ``level``
  stays the mean of the linear predictor); ``trend_delta`` are the steps. Non-centred:
  ``eps = trend_walk_scale * trend_walk_z / sqrt(T - 1)`` with ``z ~ Normal(0, 1)`` and
  ``trend_walk_scale ~ HalfNormal(trend_sd)``. The scale is the walk's spread over the whole span (a share of
  the mean KPI, the same unit as ``trend_sd`` for a slope), so one prior means the same for 52 or 520 periods.
  Why non-centred: with few informative periods per step the centred walk forms a funnel with its scale (Neal's
  funnel), which NUTS crosses only with tiny steps; the non-centred form removes it. The slope is kept (a local
  level with drift): the walk then models departures from a line instead of re-inventing the line step by step.

The pre-fit gate (``fit.prior_check.n_parameters``) counts the walk as its scale, not as T - 1 coefficients: the
steps are one smooth curve whose wiggle the single scale sets (shrunk jointly, like a selection prior's
auxiliaries, ``engine.controls.HYPER``); counted one by one, 156 weeks would carry 155 "parameters" and the gate
would block every weekly local-level fit (156 KPI values for 178 parameters on the brand preset).

The walk is shared by all geographies (the KPI is scaled per geo, so it moves each geo's level by the same share).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from mmm_core.engine.config import ModelConfig


def trend_basis(tt: np.ndarray, config: ModelConfig) -> np.ndarray:
    """[T, J] basis of the trend term for the time index ``tt`` in [0, 1] (J = 0 for 'none' and 'linear')."""
    if config.trend == "local_level":
        n = len(tt)
        steps = (np.arange(n)[:, None] > np.arange(n - 1)[None, :]).astype(float)  # level[t] = sum of steps before t
        return steps - steps.mean(axis=0, keepdims=True)
    cps = np.asarray(config.changepoints, float)
    return np.maximum(tt[:, None] - cps[None, :], 0.0)


def trend_increments(n_basis: int, config: ModelConfig) -> jnp.ndarray:
    """Sample the coefficients ``trend_delta`` [J] of :func:`trend_basis` (kink sizes, or the walk's steps)."""
    if not n_basis:
        return numpyro.deterministic("trend_delta", jnp.zeros(0))
    if config.trend != "local_level":
        return numpyro.sample("trend_delta", dist.Normal(0.0, config.trend_sd).expand([n_basis]).to_event(1))
    scale = numpyro.sample("trend_walk_scale", dist.HalfNormal(config.trend_sd))
    z = numpyro.sample(
        "trend_walk_z", dist.Normal(0.0, 1.0).expand([n_basis]).to_event(1), infer={"hyperparameter": True}
    )
    return numpyro.deterministic("trend_delta", scale * z / np.sqrt(n_basis))
