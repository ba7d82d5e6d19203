"""NumPy media transforms used by the synthetic-data generator (the ground truth's own maths).

These mirror the engine's JAX transforms (``mmm_core.engine.transforms``) on purpose but do not import them:
the truth must not change when the engine does. Time is axis 0; parameters broadcast over trailing axes.
Spend before the first period is taken as zero.
"""

from __future__ import annotations

import numpy as np

L_MAX = 8


def geometric_weights(alpha: float, l_max: int = L_MAX) -> np.ndarray:
    """Normalised geometric weights ``w_l = alpha**l / sum_j alpha**j``, ``l = 0..l_max-1``.

    ``alpha`` is the share of the effect carried to the next week (0 = no carry-over).

    >>> geometric_weights(0.0, 3).tolist()
    [1.0, 0.0, 0.0]
    """
    w = float(alpha) ** np.arange(l_max, dtype=float)  # 0.0**0 == 1, so alpha = 0 is "no carry-over"
    return w / w.sum()


def delayed_weights(alpha: float, theta: float, l_max: int = L_MAX) -> np.ndarray:
    """Normalised delayed (Jin et al. 2017) weights ``w_l = alpha**((l - theta)**2)``; the peak sits at lag
    ``theta`` weeks, so the effect builds up before it decays (e.g. a campaign that takes time to be noticed)."""
    w = float(alpha) ** ((np.arange(l_max, dtype=float) - float(theta)) ** 2)
    return w / w.sum()


def adstock(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``out[t] = sum_l weights[l] * x[t - l]`` along axis 0. Weights sum to 1, so total adstocked spend equals
    total spend minus what spills past the last period: adstock only moves spend in time, in spend units.

    >>> adstock(np.array([1.0, 0.0, 0.0]), np.array([0.5, 0.5])).tolist()
    [0.5, 0.5, 0.0]
    """
    out = np.zeros_like(x, dtype=float)
    for lag, w in enumerate(weights):
        if w == 0.0:
            continue
        if lag == 0:
            out += w * x
        else:
            out[lag:] += w * x[:-lag]
    return out


def hill(x: np.ndarray, slope: float | np.ndarray, k: float | np.ndarray) -> np.ndarray:
    """Hill saturation ``x**s / (x**s + K**s)`` in (0, 1): ``K`` (spend units) is the adstocked weekly spend at
    which the channel delivers half its maximum effect; ``s`` > 1 gives an S-shape (a threshold before it works).

    >>> float(hill(np.array(2.0), 1.0, 2.0))
    0.5
    """
    x = np.maximum(x, 0.0)
    xs = x**slope
    return xs / (xs + np.asarray(k, dtype=float) ** slope)


def logistic(x: np.ndarray, lam: float | np.ndarray) -> np.ndarray:
    """Logistic saturation ``(1 - exp(-lam x)) / (1 + exp(-lam x))`` in [0, 1); half of the maximum is reached at
    adstocked spend ``ln(3) / lam`` (spend units).

    >>> round(float(logistic(np.array(np.log(3.0)), 1.0)), 12)
    0.5
    """
    e = np.exp(-np.asarray(lam, dtype=float) * np.maximum(x, 0.0))
    return (1.0 - e) / (1.0 + e)
