"""Baseline axes measured from the media: the part of the media term that looks like trend or seasonality.

Why: a channel whose spend trends (or is seasonal) moves the fitted KPI along the same direction as the baseline
trend (or the Fourier terms), so the posterior trades a larger media effect against a smaller trend along a
ridge. NUTS crosses that ridge with long trajectories (geo_medium: the 8 per-geo trends shared one factor with
the trending channels' effects; Social's effect correlated +0.58 with the first seasonality term). Sampling the
*total* trend / seasonality of the linear predictor and deriving the baseline's own coefficients by subtracting
the media's projection makes those axes nearly orthogonal: the data pin down the total directly. The shift
depends only on other parameters, so the change of variables has unit Jacobian. The same move as the level
(the intercept is derived from the sampled mean, ``engine.model.mmm_model``).
"""

from __future__ import annotations

import jax.numpy as jnp


def media_axes(media: jnp.ndarray, t: jnp.ndarray, fourier: jnp.ndarray, w: jnp.ndarray):
    """(slope [G], season [F]): the least-squares fit of each geo's media term ``media`` [T,G] on a constant, ``t``
    [T] and the Fourier basis ``fourier`` [T,F] jointly (a trending channel's rise is not read as seasonality),
    over the cells weighted by ``w`` [T,G] (1 = in the likelihood). The seasonality is shared by all geos, so
    its media part is the geos' coefficients averaged by their observed cells; a geo without observed cells
    gets slope 0 and no weight."""
    x = jnp.concatenate([jnp.ones_like(t)[:, None], t[:, None], fourier], axis=1)  # [T,K]
    xw = x[None, :, :] * w.T[:, :, None]  # [G,T,K]
    # a small ridge keeps the solve defined for a geo with too few observed periods (its coefficients -> 0)
    gram = jnp.einsum("gtk,tl->gkl", xw, x) + 1e-6 * jnp.eye(x.shape[1], dtype=x.dtype)
    coef = jnp.linalg.solve(gram, jnp.einsum("gtk,tg->gk", xw, media)[..., None])[..., 0]  # [G,K]
    n = w.sum(0)
    season = (coef[:, 2:] * n[:, None]).sum(0) / jnp.maximum(n.sum(), 1.0)
    return coef[:, 1], season
