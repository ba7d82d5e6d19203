"""The long-term synthetic truth (issue 21): the brand presets' truth is self-consistent and says what it claims."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_core.synth import PRESETS, generate
from mmm_core.synth.brand import brand_sales, irf, long_term_counterfactual, metrics

LONG = 2000  # weeks: every impulse response here has died out long before (largest |eigenvalue| 0.85)


@pytest.fixture(scope="module")
def worlds():
    return {p: generate(p, 0) for p in ("brand", "brand_survey", "brand_none")}


def test_brand_presets_are_registered():
    assert {"brand", "brand_survey", "brand_none"} <= set(PRESETS)


def test_long_roi_meets_its_target_and_the_split_is_as_designed(worlds):
    channels = worlds["brand"].truth["channels"]
    assert channels["TV"]["long_roi"] == pytest.approx(1.6, rel=1e-9)
    assert channels["TV"]["long_share"] > 0.6  # the brand builder
    assert channels["Search"]["long_roi"] == 0.0 and channels["Search"]["long_share"] == 0.0  # sells now only
    for name, c in channels.items():
        assert c["total_roi"] == pytest.approx(c["short_roi"] + c["long_roi"], rel=1e-9), name
        assert c["roi"] == c["short_roi"] and c["roi_basis"] == "short_term"


@pytest.mark.parametrize("name", ["TV", "Social", "Radio", "Search"])
def test_counterfactual_equals_the_irf_sum(worlds, name):
    """Two independent routes to the long-term contribution agree: the counterfactual (sales minus sales without
    the channel, run on past the data with no spend) and each week's spend times the cumulated IRF."""
    d = worlds["brand"]
    w, c = d.world, d.world.channel_names.index(name)
    spend = w.base.spend[0][:, c]
    cf = long_term_counterfactual(w, [name], extend=LONG)
    cumulative = np.cumsum(irf(w, c, len(spend) + LONG)["sales"])
    via_irf = float(sum(s * cumulative[len(spend) + LONG - 1 - t] for t, s in enumerate(spend)))
    assert cf == pytest.approx(via_irf, rel=1e-9, abs=1e-6)
    # ... and per dollar, over all horizons, it is the IRF's total; the 24-week truth keeps nearly all of it
    # (0.85^24 = 2%: what remains after the horizon is small, which is why the horizon is 24 weeks)
    long_all = float(cumulative[-1])
    assert cf / spend.sum() == pytest.approx(long_all, rel=1e-9, abs=1e-12)
    assert d.truth["channels"][name]["long_roi"] == pytest.approx(float(cumulative[23]), rel=1e-9, abs=1e-12)
    if long_all:
        assert 0.9 < d.truth["channels"][name]["long_roi"] / long_all <= 1.0


def test_no_brand_preset_has_zero_long_term_effect_but_moving_metrics(worlds):
    d = worlds["brand_none"]
    for name, c in d.truth["channels"].items():
        assert c["long_roi"] == 0.0 and c["long_contribution_in_data"] == 0.0, name
        assert long_term_counterfactual(d.world, [name], extend=LONG) == 0.0
    awareness = d.frame[d.frame["VariableName"] == "Awareness"]["VariableValue"]
    assert awareness.std() > 2.0  # the metrics move, for their own reasons
    own_sales = brand_sales(d.world)
    assert own_sales.std() > 0  # and they move sales: a spurious media -> brand link is there to be found


def test_sales_in_the_file_are_short_term_kpi_plus_brand_sales(worlds):
    from mmm_core.synth.dgp import kpi

    d = worlds["brand"]
    sales = d.frame[d.frame["VariableName"] == "Sales"]["VariableValue"].to_numpy()
    expected = kpi(d.world.base)[0] + brand_sales(d.world)
    assert np.abs(sales - expected).max() <= 0.005 + 1e-9
    assert d.truth["totals"]["kpi"] == pytest.approx(expected.sum(), rel=1e-9)


def test_survey_variant_is_the_same_world_observed_monthly(worlds):
    weekly, survey = worlds["brand"], worlds["brand_survey"]
    count = survey.frame["VariableName"].value_counts()
    assert count["Awareness"] == count["Consideration"] == survey.truth["long_term"]["observed_periods"] == 36
    assert count["Sales"] == 156
    w = weekly.frame[weekly.frame["VariableName"] == "Awareness"].set_index("Period")["VariableValue"]
    s = survey.frame[survey.frame["VariableName"] == "Awareness"].set_index("Period")["VariableValue"]
    assert (w.loc[s.index] == s).all()  # same draws: only the observation pattern differs


def test_observed_metrics_are_latent_plus_small_error(worlds):
    d = worlds["brand"]
    latent = metrics(d.world)
    obs = d.frame[d.frame["VariableName"] == "Consideration"]["VariableValue"].to_numpy()
    assert np.abs(obs - latent[:, 1]).max() < 5 * d.truth["long_term"]["obs_sd"]["Consideration"]
    assert d.truth["long_term"]["latent_series"]["Consideration"][0] == pytest.approx(latent[0, 1], abs=1e-4)
    assert max(d.truth["long_term"]["eigenvalues"]) < 1  # a stable true system


def test_irf_decays_and_tv_builds_awareness_first(worlds):
    tv = worlds["brand"].truth["channels"]["TV"]["irf_per_dollar"]
    assert len(tv["sales"]) == 24
    assert tv["sales"][-1] < 0.2 * max(tv["sales"])
    assert int(np.argmax(tv["consideration"])) > int(np.argmax(tv["awareness"]))  # awareness feeds consideration


def test_bundled_brand_demo_is_current(tmp_path):
    """data/demo_brand.csv and its truth are exactly what the generator writes for seed 0 (regenerate with
    `mmm-agent synth brand --seed 0 --out data/demo_brand.csv --truth data/demo_brand_truth.json`)."""
    import json
    from pathlib import Path

    from mmm_core.synth import write

    data = Path(__file__).resolve().parents[1] / "data"
    csv, truth = write("brand", 0, tmp_path / "demo_brand.csv", tmp_path / "demo_brand_truth.json")
    assert (data / "demo_brand.csv").read_bytes() == csv.read_bytes()
    assert json.loads((data / "demo_brand_truth.json").read_text()) == json.loads(truth.read_text())
    assert csv.stat().st_size < 200_000 and truth.stat().st_size < 100_000  # small: it ships with the package
