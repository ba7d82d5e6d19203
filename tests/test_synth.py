"""Synthetic data: determinism, shapes, MFF layout, and that the truth is the counterfactual truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmm_core.errors import MMMError
from mmm_core.synth import MFF_COLUMNS, PRESETS, counterfactual, generate, write
from mmm_core.synth.transforms import adstock, geometric_weights, hill, logistic

DATA = Path(__file__).resolve().parents[1] / "data"
SHAPES = {  # preset: (weeks, geos, channels, controls)
    "national_small": (104, 1, 4, 3),
    "national_logistic": (104, 1, 4, 3),
    "geo_medium": (156, 8, 8, 4),
    "mediated": (156, 1, 5, 3),
    "mediated_single": (156, 1, 5, 3),
}
FAST = list(SHAPES)


@pytest.fixture(scope="module")
def data():
    return {p: generate(p, 0) for p in FAST}


def test_same_seed_gives_byte_identical_files(tmp_path):
    a, ta = write("mediated", 7, tmp_path / "a.csv", tmp_path / "a.json")
    b, tb = write("mediated", 7, tmp_path / "b.csv", tmp_path / "b.json")
    assert a.read_bytes() == b.read_bytes()
    assert ta.read_bytes() == tb.read_bytes()


def test_different_seed_differs():
    a, b = generate("national_small", 0).frame, generate("national_small", 1).frame
    assert not a["VariableValue"].equals(b["VariableValue"])


def test_unknown_preset_lists_presets():
    with pytest.raises(MMMError) as err:
        generate("nope")
    assert err.value.code == "unknown_preset"
    assert all(p in err.value.hint for p in PRESETS)


@pytest.mark.parametrize("preset", FAST)
def test_shapes_and_mff_layout(data, preset):
    weeks, geos, channels, controls = SHAPES[preset]
    d = data[preset]
    f = d.frame
    assert list(f.columns) == MFF_COLUMNS
    assert f["Period"].nunique() == weeks and f["Geography"].nunique() == geos
    assert (pd.to_datetime(f["Period"]).dt.dayofweek == 0).all()  # week starts are Mondays
    assert f[["Product", "Campaign", "Creative"]].eq("").all().all()
    media = f[f["VariableName"].str.endswith("_Spend")]
    assert (media["Outlet"] + "_Spend").eq(media["VariableName"]).all()
    assert media["Outlet"].nunique() == channels == len(d.truth["channels"])
    assert f.loc[~f["VariableName"].str.endswith("_Spend"), "Outlet"].eq("").all()
    assert len(d.truth["controls"]) == controls
    assert (media["VariableValue"] >= 0).all()
    assert (f.loc[f["VariableName"] == "Sales", "VariableValue"] > 0).all()
    assert not f.duplicated(["Period", "Geography", "Outlet", "VariableName"]).any()
    if geos == 1:
        assert f["Geography"].eq("").all()


@pytest.mark.parametrize("preset", FAST)
def test_true_rois_in_range_and_spread(data, preset):
    rois = {c: v["roi"] for c, v in data[preset].truth["channels"].items()}
    assert all(0.2 <= r <= 5 for r in rois.values()), rois
    assert min(rois.values()) <= 0.35 and max(rois.values()) >= 3.0
    assert 0.2 <= data[preset].truth["totals"]["media_share"] <= 0.45


@pytest.mark.parametrize("preset", ["national_small", "geo_medium", "mediated"])
def test_contribution_is_the_counterfactual_difference(data, preset):
    d = data[preset]
    full = counterfactual(d)
    sales = d.frame[d.frame["VariableName"] == "Sales"]["VariableValue"].to_numpy()
    assert np.allclose(full.reshape(-1), sales, atol=0.006)  # the file holds the same KPI, to the cent
    for name, ch in d.truth["channels"].items():
        diff = full - counterfactual(d, [name])
        assert diff.sum() == pytest.approx(ch["contribution"], rel=1e-8)
        assert ch["roi"] == pytest.approx(ch["contribution"] / ch["spend"], rel=1e-8)
        assert np.allclose(diff.sum(axis=0), ch["contribution_series"], atol=1e-3)
        for j, geo in enumerate(d.world.geos if preset == "geo_medium" else []):
            assert diff[j].sum() == pytest.approx(ch["by_geo"][geo]["contribution"], rel=1e-8)


def test_truth_matches_the_file_spend(data):
    d = data["geo_medium"]
    spend = d.frame[d.frame["VariableName"].str.endswith("_Spend")].groupby("Outlet")["VariableValue"].sum()
    for name, ch in d.truth["channels"].items():
        assert spend[name] == pytest.approx(ch["spend"], rel=1e-9)


def test_hill_k_is_in_spend_units(data):
    d = data["national_small"]
    spend = d.world.spend[0]
    for i, ch in enumerate(d.truth["channels"].values()):
        x = adstock(spend[:, i], geometric_weights(ch["adstock"]["alpha"]))
        assert ch["saturation"]["K"] == pytest.approx(ch["saturation"]["k_over_mean_adstocked_spend"] * x.mean())
        assert sum(ch["adstock"]["weights"]) == pytest.approx(1.0)


def test_national_small_follows_the_anchor_table(data):
    ch = data["national_small"].truth["channels"]
    assert [c["adstock"]["alpha"] for c in ch.values()] == [0.0, 0.2, 0.4, 0.3]
    assert [(c["saturation"]["slope"], c["saturation"]["k_over_mean_adstocked_spend"]) for c in ch.values()] == [
        (1.0, 1.0),
        (1.5, 0.8),
        (1.0, 1.5),
        (2.0, 0.5),
    ]
    spend = data["national_small"].world.spend[0]
    assert (spend[:, 2] == 0).any() and (spend[:, 3] == 0).any()  # Local and Email run in flights


def test_mediator_is_monthly_and_search_is_not_mediated(data):
    d = data["mediated"]
    f = d.frame
    aware = f[f["VariableName"] == "Awareness"]
    assert 0 < aware["Period"].nunique() / f["Period"].nunique() < 0.6
    assert (pd.to_datetime(aware["Period"]).dt.day <= 7).all()
    ch = d.truth["channels"]
    assert ch["Search"]["share_mediated"] == 0 and ch["Search"]["contribution_indirect"] == 0
    assert ch["TV"]["share_mediated"] > 0.5 and 0 < ch["Social"]["share_mediated"] < 0.5
    for name, c in ch.items():
        ind = (counterfactual(d) - counterfactual(d, [name], path="indirect")).sum()
        assert ind == pytest.approx(c["contribution_indirect"], rel=1e-8, abs=1e-6)
        assert c["contribution_direct"] + c["contribution_indirect"] == pytest.approx(c["contribution"])
        assert c["roi_direct"] + c["roi_indirect"] == pytest.approx(c["roi"])


def test_single_channel_mediator(data):
    t = data["mediated_single"].truth
    assert t["mediator"]["feeds"] == ["TV"]
    assert t["channels"]["TV"]["contribution_indirect"] > 0
    assert all(c["contribution_indirect"] == 0 for n, c in t["channels"].items() if n != "TV")


def test_transforms():
    assert hill(np.array([3.0]), 2.0, 3.0)[0] == pytest.approx(0.5)
    assert logistic(np.array([np.log(3.0)]), 1.0)[0] == pytest.approx(0.5)
    assert adstock(np.array([8.0, 0, 0]), geometric_weights(0.5, 3)).sum() == pytest.approx(8.0)


@pytest.mark.parametrize("stem,preset", [("demo_national", "national_small"), ("demo_mediated", "mediated")])
def test_bundled_demo_is_current(stem, preset, tmp_path):
    """The files in data/ are exactly what the generator writes for seed 0 (regenerate them if this fails)."""
    csv, truth = write(preset, 0, tmp_path / f"{stem}.csv", tmp_path / f"{stem}_truth.json")
    assert (DATA / f"{stem}.csv").read_bytes() == csv.read_bytes()
    assert json.loads((DATA / f"{stem}_truth.json").read_text()) == json.loads(truth.read_text())
    assert (DATA / f"{stem}.csv").stat().st_size < 2_000_000 and truth.stat().st_size < 1_000_000


def test_parquet_output(tmp_path):
    out, truth = write("national_small", 0, tmp_path / "d.parquet")
    assert truth is None
    frame = pd.read_parquet(out)
    assert list(frame.columns) == MFF_COLUMNS and len(frame) == len(generate("national_small", 0).frame)


def test_enterprise_shape_and_speed():
    import time

    start = time.perf_counter()
    d = generate("enterprise", 0)
    assert time.perf_counter() - start < 20
    f = d.frame
    assert f["Period"].nunique() == 208 and f["Geography"].nunique() == 50
    assert f.loc[f["Outlet"] != "", "Outlet"].nunique() == 30 and len(d.truth["controls"]) == 10
    assert all(0.2 <= c["roi"] <= 5 for c in d.truth["channels"].values())
    assert {c["adstock"]["type"] for c in d.truth["channels"].values()} == {"geometric", "delayed"}
    assert len(json.dumps(d.truth)) < 1_000_000
