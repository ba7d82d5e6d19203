"""The SRMSE benchmark's pieces (``bench/srmse.py``, ``bench/_pymc_labs.py``): true contribution series that add up
to the generator's own totals, the metric's definition, and PyMC Labs' spend-share prior scale."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from _pymc_labs import prior_sigma  # noqa: E402
from srmse import srmse, true_contributions  # noqa: E402

from mmm_core import synth  # noqa: E402


def test_true_contribution_series_add_up_to_the_generators_channel_totals() -> None:
    d = synth.generate("geo_medium", 0)
    series = true_contributions(d)  # [T, G, C]
    assert series.shape == (d.world.spend.shape[1], d.world.spend.shape[0], d.world.spend.shape[2])
    for i, name in enumerate(d.world.channel_names):
        total = d.truth["channels"][name]["contribution"]
        assert np.isclose(series[..., i].sum(), total, rtol=1e-4)
        by_geo = d.truth["channels"][name]["by_geo"]
        assert np.allclose(series[..., i].sum(axis=0), [by_geo[g]["contribution"] for g in d.world.geos], rtol=1e-4)


def test_srmse_is_rmse_over_time_divided_by_mean_absolute_truth_per_cell() -> None:
    truth = np.stack([np.full((6, 2), 2.0), np.full((6, 2), -4.0)], axis=-1)  # [T=6, G=2, C=2]
    estimate = truth.copy()
    estimate[:3, 0, 0] += 1.0  # RMSE sqrt(3/6) against mean |truth| 2
    out = srmse(estimate, truth)
    assert out.shape == (2, 2)
    assert np.isclose(out[0, 0], np.sqrt(0.5) / 2.0) and np.allclose(out[1], 0.0) and out[0, 1] == 0.0


def test_prior_sigma_is_n_channels_times_each_geos_spend_share() -> None:
    spend = np.array([[[1.0, 3.0], [2.0, 2.0]], [[1.0, 3.0], [2.0, 2.0]]])  # [T=2, G=2, C=2]
    assert np.allclose(prior_sigma(spend), [[0.5, 1.5], [1.0, 1.0]])
