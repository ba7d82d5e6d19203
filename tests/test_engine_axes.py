"""The media's trend and seasonality projection (``engine.axes``) that the model subtracts from the sampled totals."""

from __future__ import annotations

import numpy as np

from mmm_core.engine.axes import media_axes
from mmm_core.engine.data import fourier_features


def test_media_axes_split_trend_and_seasonality_per_geo_over_observed_cells():
    rng = np.random.default_rng(0)
    n_t = 156
    t = np.linspace(0.0, 1.0, n_t)
    f = fourier_features(n_t, 2, 52.1775)
    coef = np.array([0.3, -0.1, 0.05, 0.0])
    slopes = np.array([0.5, -0.2, 0.0])
    media = np.array([1.0, 2.0, 3.0]) + t[:, None] * slopes + (f @ coef)[:, None] + rng.normal(0, 0.01, (n_t, 3))
    w = np.ones((n_t, 3))
    w[120:, 1] = 0.0  # geo 1: the last weeks held out; their wild values must not count
    media[120:, 1] = 100.0
    w[:, 2] = 0.0  # geo 2 never observed: slope 0, no weight in the shared seasonality
    media[:, 2] = rng.normal(0, 5.0, n_t)
    slope, season = (np.asarray(a) for a in media_axes(media, t, f, w))
    assert np.allclose(slope[:2], slopes[:2], atol=0.02)
    assert abs(slope[2]) < 1e-3
    assert np.allclose(season, coef, atol=0.01)


def test_a_flat_media_term_has_no_trend_or_seasonality():
    f = fourier_features(104, 2, 52.1775)
    slope, season = media_axes(np.full((104, 2), 0.7), np.linspace(0, 1, 104), f, np.ones((104, 2)))
    assert np.allclose(np.asarray(slope), 0.0, atol=1e-3) and np.allclose(np.asarray(season), 0.0, atol=1e-3)
