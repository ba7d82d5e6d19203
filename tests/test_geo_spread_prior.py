"""The between-geo spread of log media effects (``beta_tau``) has a zero-avoiding log-normal prior that keeps the
half-normal's median and 99th percentile (engine.model.geo_spread_prior): the funnel's tail goes, the scale stays."""

from __future__ import annotations

import numpy as np
import numpyro.distributions as dist
import pytest
from jax import random

from mmm_core.engine.model import geo_spread_prior


@pytest.mark.parametrize("geo_sd", [0.1, 0.3, 1.0])
def test_keeps_the_half_normal_median_and_upper_tail(geo_sd: float) -> None:
    prior = geo_spread_prior(geo_sd)
    draws = np.asarray(prior.sample(random.PRNGKey(0), (200_000,)))
    half = np.abs(np.random.default_rng(0).normal(0.0, geo_sd, 200_000))
    assert np.median(draws) == pytest.approx(np.median(half), rel=0.02)
    assert np.quantile(draws, 0.99) == pytest.approx(np.quantile(half, 0.99), rel=0.03)


def test_avoids_zero_where_the_half_normal_does_not() -> None:
    """Near 0 the half-normal's density stays at its peak; the log-normal's vanishes (the funnel's tail)."""
    tau = 0.01
    lognormal = float(np.exp(geo_spread_prior(0.3).log_prob(tau)))
    half_normal = float(np.exp(dist.HalfNormal(0.3).log_prob(tau)))
    assert lognormal < 1e-3 * half_normal
    assert float(geo_spread_prior(0.3).cdf(0.03)) < 0.005
