"""PyMC Labs' benchmark data in our MFF (``bench/_pymc_labs_data.py``, ``data/pymc_labs_*``) and the SRMSE of their
benchmark on it (``bench/srmse.py``): shapes, truth aligned with spend, the converter on a toy frame of their
layout, truth reordered to the model's geos and channels, and the metric averaged over channel x geo."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from _pymc_labs_data import KPI, convert, load_truth, model_inputs, paths, truth_frame  # noqa: E402
from srmse import align_truth, srmse  # noqa: E402

SHAPES = {"small_business": (104, 1, 4, 2), "medium_business": (156, 8, 8, 4)}  # weeks, geos, channels, controls


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_committed_data_has_their_shapes_and_one_row_per_cell(name: str) -> None:
    t, g, c, k = SHAPES[name]
    mff = pd.read_csv(paths(name)[0], keep_default_na=False)
    assert len(mff) == t * g * (1 + c + k)
    assert mff.groupby(["Period", "Geography", "VariableName"]).size().max() == 1
    assert (mff.loc[mff.VariableName.str.endswith("_Spend"), "Outlet"] != "").all()
    periods, geos, channels, cube = load_truth(name)
    assert cube.shape == (t, g, c) and len(periods) == t and len(channels) == c
    spend_vars = {v for v in mff.VariableName if v.endswith("_Spend")}
    assert spend_vars == {f"{ch}_Spend" for ch in channels} and KPI in set(mff.VariableName)


def test_truth_is_zero_where_a_channel_had_no_spend_in_the_adstock_window() -> None:
    # Their adstock reaches 7 weeks back (l_max 8): a contribution without spend in that window means the truth
    # file's channels or geos are not the spend's.
    mff = pd.read_csv(paths("medium_business")[0], keep_default_na=False)
    _, geos, channels, cube = load_truth("medium_business")
    spend = mff[mff.VariableName.str.endswith("_Spend")].pivot_table(
        index="Period", columns=["Geography", "Outlet"], values="VariableValue"
    )
    checked = 0
    for gi, g in enumerate(geos):
        for ci, ch in enumerate(channels):
            window = spend[(g, ch)].rolling(8, min_periods=1).sum().to_numpy()
            idle = window == 0
            checked += idle.sum()
            assert np.all(cube[idle, gi, ci] == 0)
    assert checked > 0  # Video and Video-2 start late
    # Search-Ads has no carry-over (alpha 0): its contribution is 0 exactly in the weeks without its spend.
    ci = channels.index("Search-Ads")
    for gi, g in enumerate(geos):
        assert np.array_equal(cube[:, gi, ci] > 0, spend[(g, "Search-Ads")].to_numpy() > 0)


def _their_result(geos: list[str]) -> dict:
    """A frame in their generator's layout: x<i>_<channel> spend, c<k> and c<k>_effect, y; truth per channel."""
    dates = pd.date_range("2020-01-05", periods=3, freq="W")
    idx = pd.MultiIndex.from_product([dates, geos], names=["date", "geo"])
    frame = pd.DataFrame(
        {"x1_TV": 1.0, "x2_Search": 2.0, "c1": 5.0, "c1_effect": 9.0, "y": 10.0}, index=idx
    ).reset_index()
    truth = pd.DataFrame(
        {"contribution_x1_TV": np.arange(len(idx), dtype=float), "contribution_x2_Search": -1.0}, index=idx
    )
    config = SimpleNamespace(
        channels=[SimpleNamespace(name="TV"), SimpleNamespace(name="Search")],
        control_variables=[SimpleNamespace(name="Promo")],
        regions=SimpleNamespace(region_names=geos),
    )
    return {"data": frame, "ground_truth": {"transformed_spend": truth}, "config": config}


def test_converter_keeps_kpi_spend_and_controls_and_leaves_the_true_effects_out() -> None:
    d = convert("toy", _their_result(["geo_b", "geo_a"]))
    assert set(d.mff.VariableName) == {KPI, "TV_Spend", "Search_Spend", "Promo"}
    assert len(d.mff) == 3 * 2 * 4
    assert d.geos == ("geo_b", "geo_a") and d.channels == ("TV", "Search")
    # truth index order: date-major, geo_b before geo_a as generated → cube[t, g] = 2 t + g
    assert d.contributions.shape == (3, 2, 2)
    assert np.array_equal(d.contributions[:, :, 0], np.arange(6.0).reshape(3, 2))
    long = truth_frame(d)
    assert len(long) == 12 and long.loc[1, "Channel"] == "Search" and long.loc[2, "Geography"] == "geo_a"


def test_a_national_dataset_gets_an_empty_geography() -> None:
    d = convert("toy", _their_result(["Local"]))
    assert (d.mff.Geography == "").all() and (truth_frame(d).Geography == "").all()


def test_truth_is_reordered_to_the_models_geos_and_channels() -> None:
    cube = np.arange(2 * 2 * 3, dtype=float).reshape(2, 2, 3)  # [T, G, C] as generated
    data = SimpleNamespace(periods=np.arange(2), geos=("b", "a"), channels=("z", "x", "y"))
    out = align_truth(cube, ("a", "b"), ("x", "y", "z"), data)
    assert np.array_equal(out[:, 0, 0], cube[:, 1, 2]) and np.array_equal(out[:, 1, 1], cube[:, 0, 0])
    national = SimpleNamespace(periods=np.arange(2), geos=("national",), channels=("x",))
    assert align_truth(cube[:, :1, :1], ("",), ("x",), national).shape == (2, 1, 1)
    with pytest.raises(ValueError, match="regenerate"):
        align_truth(cube, ("a", "b"), ("x", "y", "z"), SimpleNamespace(periods=np.arange(5), geos=(), channels=()))


def test_srmse_averages_their_per_cell_metric_over_channel_and_geo() -> None:
    # Their calculate_srmse: sqrt(mean((actual - predicted)^2)) / |mean(actual)| per channel x geo, then the mean.
    rng = np.random.default_rng(0)
    truth = rng.uniform(1.0, 3.0, size=(20, 3, 2))
    estimate = truth + rng.normal(0.0, 0.5, size=truth.shape)
    theirs = [
        np.sqrt(np.mean((truth[:, g, c] - estimate[:, g, c]) ** 2)) / abs(truth[:, g, c].mean())
        for g in range(3)
        for c in range(2)
    ]
    assert np.isclose(np.nanmean(srmse(estimate, truth)), np.mean(theirs))


def test_default_spec_on_their_small_business_models_every_channel_and_control(tmp_path: Path) -> None:
    data, config = model_inputs("small_business", tmp_path)
    assert data.shape == (104, 1, 4)
    assert set(data.control_names) == {"Event", "Sale"}  # "Sale" is a KPI candidate; named, it stays a control
    assert np.isfinite(data.kpi).all() and config.l_max == 8
