"""Media transforms as pure JAX functions: adstock (carry-over) and saturation (diminishing returns).

Every function is vectorised: ``x`` has time on axis 0 and any number of trailing axes (geos, channels);
parameters broadcast against the trailing axes (e.g. one ``alpha`` per channel for ``x`` of shape
``[T, G, C]``). Adstock is a contraction of a lag tensor ``x_lagged[l, t, ...] = x[t - l]`` with a weight
vector, so the engine builds the lag tensor once per data shape (:func:`lag_tensor`) and only the weights
change from one leapfrog step to the next (:func:`adstock_from_lags`).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import Array
from jax.typing import ArrayLike

LN3 = math.log(3.0)


def lag_tensor(x: ArrayLike, l_max: int) -> Array:
    """Stack lagged copies of ``x``: ``out[l, t, ...] = x[t - l]`` for ``l < l_max``, 0 before the start.

    Examples
    --------
    >>> lag_tensor(jnp.array([1.0, 2.0, 3.0]), 2)[1].tolist()
    [0.0, 1.0, 2.0]
    """
    x = jnp.asarray(x)
    t = x.shape[0]
    pad = [(l_max - 1, 0)] + [(0, 0)] * (x.ndim - 1)
    xp = jnp.pad(x, pad)
    # A stack of static slices: cheap, and XLA fuses it with the contraction that follows.
    return jnp.stack([xp[l_max - 1 - lag : l_max - 1 - lag + t] for lag in range(l_max)], axis=0)


def adstock_from_lags(x_lagged: ArrayLike, weights: ArrayLike) -> Array:
    """Contract a lag tensor ``[L, T, ...]`` with weights ``[L, ...]`` (broadcast over trailing axes).

    ``out[t, ...] = sum_l weights[l, ...] * x[t - l, ...]``.
    """
    x_lagged = jnp.asarray(x_lagged)
    weights = jnp.asarray(weights)
    # Weights [L, *p] broadcast against the trailing axes of x_lagged [L, T, ...]: insert axes after L.
    n_insert = x_lagged.ndim - weights.ndim
    w = weights.reshape(weights.shape[:1] + (1,) * n_insert + weights.shape[1:])
    # An unrolled sum over the short, static lag axis: each term is one contiguous [T, ...] slice times its weights
    # and XLA fuses the terms into one pass. ``jnp.sum(x_lagged * w, axis=0)`` built the whole [L, T, ...] product
    # and reduced across its leading axis with strided reads: at 50 geos x 208 weeks x 30 channels the forward
    # pass took 36 ms of CPU against 1.9 ms, the adstock + Hill gradient 38 ms against 21 ms (loaded machine).
    out = x_lagged[0] * w[0]
    for lag in range(1, x_lagged.shape[0]):
        out = out + x_lagged[lag] * w[lag]
    return out


def geometric_weights(alpha: ArrayLike, l_max: int, normalize: bool = True) -> Array:
    """Geometric decay weights ``w_l = alpha**l`` for ``l = 0..l_max-1``, shape ``[l_max, *alpha.shape]``."""
    alpha = jnp.asarray(alpha, dtype=jnp.result_type(float))
    lags = jnp.arange(l_max, dtype=alpha.dtype).reshape((l_max,) + (1,) * alpha.ndim)
    # exp(l * log alpha) rather than alpha**l: the power's gradient is NaN at alpha = 0 (0 * 0**-1).
    w = jnp.exp(lags * jnp.log(jnp.maximum(alpha, 1e-30))[None])
    return w / jnp.sum(w, axis=0, keepdims=True) if normalize else w


def delayed_weights(alpha: ArrayLike, theta: ArrayLike, l_max: int, normalize: bool = True) -> Array:
    """Delayed (Jin et al. 2017) weights ``w_l = alpha**((l - theta)**2)``, shape ``[l_max, *alpha.shape]``."""
    alpha, theta = jnp.broadcast_arrays(jnp.asarray(alpha, dtype=jnp.result_type(float)), jnp.asarray(theta))
    lags = jnp.arange(l_max, dtype=alpha.dtype).reshape((l_max,) + (1,) * alpha.ndim)
    w = jnp.exp((lags - theta[None]) ** 2 * jnp.log(jnp.maximum(alpha, 1e-30))[None])
    return w / jnp.sum(w, axis=0, keepdims=True) if normalize else w


def geometric_adstock(x: ArrayLike, alpha: ArrayLike, l_max: int = 8, normalize: bool = True) -> Array:
    r"""Geometric adstock: spend keeps working after the period it is spent in, decaying at a constant rate.

    .. math::
        x^*_t = \frac{\sum_{l=0}^{L-1} \alpha^l \, x_{t-l}}{\sum_{l=0}^{L-1} \alpha^l}
        \quad (\text{denominator only if } normalize)

    ``alpha`` in [0, 1) is the share of an effect that carries over to the next period; for a marketer the
    *half-life* ``ln(0.5) / ln(alpha)`` periods is easier to read (alpha = 0.5 → half of the effect is gone
    after one week). With ``normalize=True`` the weights sum to one, so total adstocked spend equals total
    spend and adstock only moves it in time (the effect size sits in the channel's coefficient).

    Examples
    --------
    >>> geometric_adstock(jnp.array([1.0, 0, 0]), 0.5, l_max=3, normalize=False).tolist()
    [1.0, 0.5, 0.25]
    """
    return adstock_from_lags(lag_tensor(x, l_max), geometric_weights(alpha, l_max, normalize))


def delayed_adstock(x: ArrayLike, alpha: ArrayLike, theta: ArrayLike, l_max: int = 8, normalize: bool = True) -> Array:
    r"""Delayed adstock (Jin et al. 2017): the effect peaks ``theta`` periods after the spend.

    .. math::
        x^*_t = \frac{\sum_{l=0}^{L-1} \alpha^{(l-\theta)^2} \, x_{t-l}}{\sum_{l=0}^{L-1} \alpha^{(l-\theta)^2}}

    ``theta`` is the delay to the peak effect in periods (e.g. TV building awareness over two weeks);
    ``alpha`` in (0, 1) sets how concentrated the effect is around that peak (small alpha → sharp peak).
    With ``theta = 0`` the weights are ``alpha**(l**2)``: faster than geometric decay.
    """
    return adstock_from_lags(lag_tensor(x, l_max), delayed_weights(alpha, theta, l_max, normalize))


def logistic_saturation(x: ArrayLike, lam: ArrayLike) -> Array:
    r"""Logistic saturation: diminishing returns that level off at 1.

    .. math::
        f(x) = \frac{1 - e^{-\lambda x}}{1 + e^{-\lambda x}} = \tanh(\lambda x / 2)

    ``f(0) = 0``; ``f`` rises with slope ``lambda / 2`` at zero spend and reaches half of its maximum at
    ``x = ln(3) / lambda`` — the *half-saturation point*, which is how the engine parameterises it (in units
    of the channel's mean non-zero spend: ``lambda = ln(3) / half_point``).

    Examples
    --------
    >>> float(logistic_saturation(0.0, 2.0))
    0.0
    >>> round(float(logistic_saturation(math.log(3) / 2.0, 2.0)), 6)
    0.5
    """
    # tanh form: same function, numerically stable for large lambda * x.
    return jnp.tanh(jnp.asarray(lam) * jnp.asarray(x) / 2.0)


def hill_saturation(x: ArrayLike, slope: ArrayLike, k: ArrayLike) -> Array:
    r"""Hill saturation: an S-shaped (``slope`` > 1) or concave (``slope`` <= 1) response with ceiling 1.

    .. math::
        f(x) = \frac{x^s}{x^s + k^s}

    ``k`` is the half-saturation point: the spend level (here in units of the channel's mean non-zero
    spend) at which the channel delivers half of its maximum effect, ``f(k) = 0.5``. ``s`` (slope) is
    how sharply the response switches on around ``k``: large ``s`` means little effect below ``k``, then
    a fast rise, then a plateau.

    Computed as ``sigmoid(s * (log x - log k))`` so that zero spend gives exactly 0 with finite gradients, with
    JAX's logistic rather than ``1 / (1 + exp(-z))``: in float32 ``exp(-z)`` overflows below z = -88 (an adstock
    tail of 1e-8 of mean spend at slope 5) and the written-out form's gradient is then inf / inf = NaN, which NUTS
    reports as a divergence at an ordinary point of the posterior.

    Examples
    --------
    >>> float(hill_saturation(2.0, 1.5, 2.0))
    0.5
    """
    x = jnp.asarray(x)
    positive = x > 0
    safe_x = jnp.where(positive, x, 1.0)  # keeps log and its gradient finite where x == 0
    z = jnp.asarray(slope) * (jnp.log(safe_x) - jnp.log(jnp.asarray(k)))
    return jnp.where(positive, jax.nn.sigmoid(z), 0.0)


def half_life_to_alpha(half_life: ArrayLike) -> Array:
    """Geometric decay rate whose effect halves after ``half_life`` periods: ``alpha = 0.5**(1/half_life)``."""
    return jnp.exp(math.log(0.5) / jnp.asarray(half_life))
