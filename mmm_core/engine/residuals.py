"""Correlated residuals across outcomes: per cell, a K-variate normal with covariance
``diag(sigma) · R · diag(sigma)``, R ~ LKJ(eta) (sampled through its Cholesky factor).

Ragged outcomes are not imputed. Cells are grouped by which outcomes they observe (``engine.outcomes.
observed_patterns``, computed once in NumPy); each group's residuals follow the normal over its observed subset
S, whose covariance is the sub-matrix ``diag(sigma_S) · R[S,S] · diag(sigma_S)`` — the marginal of the full
normal, so an outcome missing in some geos or periods costs nothing but the cells it lacks. Why groups instead
of one masked K-variate density: masking a component of a multivariate normal does not give its marginal.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

CORR_SITE = "resid_corr"
CHOL_SITE = "resid_corr_chol"


def residual_correlation(n_outcomes: int, eta: float):
    """Sample the residual correlation's Cholesky factor [K,K]; records the correlation ``resid_corr``."""
    chol = numpyro.sample(CHOL_SITE, dist.LKJCholesky(n_outcomes, concentration=eta))
    numpyro.deterministic(CORR_SITE, chol @ chol.T)
    return chol


def residual_likelihood(mu, sigma, kpi, chol, patterns, pattern_t, pattern_g, observed: bool = True) -> None:
    """Likelihood of the scaled KPI ``kpi`` [T,G,K] around ``mu`` [T,G,K] with noise sd ``sigma`` [G,K].

    One site per observed-outcome pattern p: ``kpi_p`` [N_p, |S_p|]. ``observed=False`` samples them (prior or
    posterior predictive) instead of conditioning on ``kpi``."""
    corr = chol @ chol.T
    full = tuple(range(mu.shape[-1]))
    for p, subset in enumerate(patterns):
        t_idx, g_idx, s_idx = pattern_t[p], pattern_g[p], np.asarray(subset)
        loc = mu[t_idx, g_idx][:, s_idx]
        sd = sigma[g_idx][:, s_idx]
        sub = chol if tuple(subset) == full else jnp.linalg.cholesky(corr[np.ix_(s_idx, s_idx)])
        obs = kpi[t_idx, g_idx][:, s_idx] if observed else None
        numpyro.sample(f"kpi_{p}", dist.MultivariateNormal(loc, scale_tril=sd[:, :, None] * sub[None]), obs=obs)


__all__ = ["CHOL_SITE", "CORR_SITE", "residual_correlation", "residual_likelihood"]
