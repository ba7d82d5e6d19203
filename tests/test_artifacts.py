"""The fit's ArviZ NetCDF artifact reloads to the very draws the fit produced (runtime dependencies only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mmm_core.errors import NotFoundError
from mmm_core.fit import artifacts


def test_netcdf_posterior_reloads_to_the_stored_draws(demo_fit: dict) -> None:
    folder = artifacts.fit_dir(demo_fit["store"], demo_fit["fit_id"])
    draws = artifacts.load_samples(folder)
    tree = artifacts.load_idata(folder)
    posterior = tree["posterior"]
    assert draws and set(draws) <= set(posterior.data_vars)  # the NetCDF also keeps the latent sites
    for name, values in draws.items():
        # samples.npz keeps chains pooled ([draw, ...]); the NetCDF keeps ArviZ's [chain, draw, ...].
        pooled = posterior[name].values.reshape(values.shape)
        np.testing.assert_array_equal(pooled, values)  # bit-for-bit, not approximately
        assert posterior[name].dtype == values.dtype


def test_netcdf_keeps_coords_and_statistics_types(tmp_path: Path) -> None:
    from mmm_core.engine.idata import to_idata

    rng = np.random.default_rng(0)
    samples = {"beta_z": rng.normal(size=(2, 5, 3))}
    stats = {"diverging": rng.random((2, 5)) < 0.5, "num_steps": rng.integers(1, 64, (2, 5))}
    idata = to_idata(samples, stats, None, extra_coords={"channel": ["TV", "Search", "Radio"]})
    assert artifacts.save_idata(tmp_path, idata) == artifacts.POSTERIOR_NC
    back = artifacts.load_idata(tmp_path)
    np.testing.assert_array_equal(back["posterior"]["beta_z"].values, samples["beta_z"])
    assert back["posterior"]["channel"].values.tolist() == ["TV", "Search", "Radio"]
    assert back["sample_stats"]["diverging"].dtype == bool
    np.testing.assert_array_equal(back["sample_stats"]["n_steps"].values, stats["num_steps"])


def test_missing_netcdf_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="ArviZ posterior is missing"):
        artifacts.load_idata(tmp_path)
