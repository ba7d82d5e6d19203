"""Adstock and saturation transforms against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import mmm_core.engine  # noqa: F401  (configures JAX before it initialises)
from mmm_core.engine import transforms as tf


def test_geometric_adstock_of_impulse_is_the_decay_weights():
    x = np.zeros(10)
    x[0] = 1.0
    raw = np.asarray(tf.geometric_adstock(x, 0.5, l_max=4, normalize=False))
    np.testing.assert_allclose(raw, [1, 0.5, 0.25, 0.125, 0, 0, 0, 0, 0, 0], atol=1e-7)
    norm = np.asarray(tf.geometric_adstock(x, 0.5, l_max=4))
    np.testing.assert_allclose(norm[:4], np.array([1, 0.5, 0.25, 0.125]) / 1.875, rtol=1e-6)
    assert norm.sum() == pytest.approx(1.0, rel=1e-6)  # normalised weights conserve total spend


def test_geometric_adstock_alpha_zero_is_identity_with_finite_gradient():
    import jax

    x = np.array([1.0, 2.0, 0.0, 3.0])
    np.testing.assert_allclose(np.asarray(tf.geometric_adstock(x, 0.0, l_max=3)), x, atol=1e-7)
    grad = jax.grad(lambda a: tf.geometric_adstock(x, a, l_max=3).sum())(0.0)
    assert np.isfinite(float(grad))


def test_adstock_is_vectorised_over_geos_and_channels():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(20, 3, 2))
    alpha = np.array([0.2, 0.7])
    out = np.asarray(tf.geometric_adstock(x, alpha, l_max=5))
    for g in range(3):
        for c in range(2):
            one = np.asarray(tf.geometric_adstock(x[:, g, c], alpha[c], l_max=5))
            np.testing.assert_allclose(out[:, g, c], one, rtol=1e-5)


def test_delayed_adstock_peaks_theta_periods_after_spend():
    x = np.zeros(12)
    x[0] = 1.0
    out = np.asarray(tf.delayed_adstock(x, 0.5, 2.0, l_max=6, normalize=False))
    assert int(np.argmax(out)) == 2
    np.testing.assert_allclose(out[:6], [0.5**4, 0.5, 1.0, 0.5, 0.5**4, 0.5**9], rtol=1e-5)


def test_hill_half_saturation_and_zero():
    assert float(tf.hill_saturation(2.0, 1.7, 2.0)) == pytest.approx(0.5, abs=1e-6)
    assert float(tf.hill_saturation(0.0, 1.7, 2.0)) == 0.0
    # x^s / (x^s + k^s) by hand
    assert float(tf.hill_saturation(3.0, 2.0, 1.0)) == pytest.approx(9 / 10, rel=1e-6)


def test_logistic_zero_and_half_point():
    assert float(tf.logistic_saturation(0.0, 3.0)) == 0.0
    lam = 1.3
    assert float(tf.logistic_saturation(math.log(3) / lam, lam)) == pytest.approx(0.5, abs=1e-6)
    x = 0.8
    expected = (1 - math.exp(-lam * x)) / (1 + math.exp(-lam * x))
    assert float(tf.logistic_saturation(x, lam)) == pytest.approx(expected, rel=1e-6)


def test_half_life_to_alpha():
    assert float(tf.half_life_to_alpha(1.0)) == pytest.approx(0.5)
    assert float(tf.half_life_to_alpha(2.0)) == pytest.approx(math.sqrt(0.5), rel=1e-6)


@pytest.mark.parametrize("x", [1e-8, 1e-20, 1e-30, 0.5, 4.0])
@pytest.mark.parametrize("slope", [0.5, 3.0, 8.0])
def test_hill_gradient_is_finite_far_below_the_half_point(x, slope):
    """In float32, 1 / (1 + exp(-z)) has gradient inf / inf = NaN once z < -88 — an adstock tail of 1e-8 of mean
    spend at slope 5 — and NUTS took those NaNs for divergences (enterprise seed 0: all 9 of its divergent
    transitions replayed to a NaN gradient in the Hill parameters)."""
    import jax
    import jax.numpy as jnp

    point = (jnp.float32(x), jnp.float32(slope), jnp.float32(1.0))
    value = float(tf.hill_saturation(*point))
    grads = jax.grad(tf.hill_saturation, argnums=(0, 1, 2))(*point)
    assert all(np.isfinite(float(g)) for g in grads)
    expected = x**slope / (x**slope + 1.0)
    assert value == pytest.approx(expected, rel=1e-5, abs=1e-30)


def test_media_curve_gradient_is_finite_on_a_delayed_adstock_tail():
    """The whole media path — delayed adstock, whose tail weights reach alpha**49 ~ 1e-26, then a steep Hill —
    keeps finite gradients in every curve parameter."""
    import jax
    import jax.numpy as jnp

    from mmm_core.engine import ModelConfig
    from mmm_core.engine.curves import saturated_curves

    l_max, n_t = 8, 12
    spend = np.zeros((n_t, 1, 1), np.float32)
    spend[0] = 1.0  # one burst: the following weeks see only the adstock's tail
    lagged = np.stack([np.roll(spend, lag, axis=0) * (np.arange(n_t) >= lag)[:, None, None] for lag in range(l_max)])
    config = ModelConfig(adstock="delayed", saturation="hill", l_max=l_max)

    def total(params):
        return saturated_curves(params, jnp.asarray(lagged), config).sum()

    params = {
        "adstock_alpha": jnp.array([0.3]),
        "adstock_theta": jnp.array([0.0]),
        "hill_slope": jnp.array([4.0]),
        "sat_half": jnp.array([1.0]),
    }
    grads = jax.grad(total)(params)
    assert all(np.isfinite(np.asarray(g)).all() for g in grads.values()), grads
