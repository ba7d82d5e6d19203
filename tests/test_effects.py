"""Effects: counterfactual contributions, ROI, mROI, comparisons, curves and storage, on a real NUTS fit of
the `national_small` synthetic preset (and a hand-made linear posterior where exact answers are known)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from recovery_support import Recovery, assert_recovered

from mmm_core import synth
from mmm_core.effects import (
    SUMMARY_COLUMNS,
    EffectDraws,
    EffectsError,
    adstock_curve,
    best_worst,
    compare,
    compute_effects,
    contribution_rows,
    load_effect_draws,
    response_curve,
    roi_table,
    save_effect_draws,
    summarize,
    summary_rows,
)
from mmm_core.effects.intervals import hdi_bounds, stats

LEVEL = 0.9


def model_data_from_frame(frame: pd.DataFrame):
    """MFF long frame → ModelData: `<Channel>_Spend` are media, `Sales` the KPI, every other variable a control."""
    from mmm_core.engine import ModelData

    wide = frame.pivot_table(index=["Period", "Geography"], columns="VariableName", values="VariableValue")
    periods = wide.index.get_level_values(0).unique().sort_values()
    geos = wide.index.get_level_values(1).unique().sort_values()
    wide = wide.reindex(pd.MultiIndex.from_product([periods, geos]))
    spend_cols = [c for c in wide.columns if c.endswith("_Spend")]
    controls = [c for c in wide.columns if c not in spend_cols and c != "Sales"]
    t, g = len(periods), len(geos)
    return ModelData(
        periods=pd.to_datetime(periods).to_numpy(),
        geos=tuple(x or "national" for x in geos),
        channels=tuple(c.removesuffix("_Spend") for c in spend_cols),
        spend=np.nan_to_num(wide[spend_cols].to_numpy()).reshape(t, g, -1),
        kpi=wide["Sales"].to_numpy().reshape(t, g),
        controls=wide[controls].to_numpy().reshape(t, g, -1),
        control_names=tuple(controls),
    )


@pytest.fixture(scope="module")
def synth_data():
    return synth.generate("national_small", 0)


@pytest.fixture(scope="module")
def post(synth_data):
    from mmm_core.engine import ModelConfig, sample_nuts
    from mmm_core.engine.posterior import Posterior

    data = model_data_from_frame(synth_data.frame)
    fit = sample_nuts(data, ModelConfig(), chains=2, warmup=300, draws=300, seed=0)
    return Posterior.from_fit(fit, data)


@pytest.fixture(scope="module")
def eff(post) -> EffectDraws:
    return compute_effects(post)


# ----------------------------------------------------------------------------------------------- summaries


def test_summarize_equal_tailed_and_hdi():
    x = np.random.default_rng(0).gamma(2.0, size=(4000, 3))
    et, hdi = stats(x, LEVEL, "equal_tailed"), stats(x, LEVEL, "hdi")
    assert np.allclose(et["lo"], np.quantile(x, 0.05, axis=0)) and np.allclose(et["hi"], np.quantile(x, 0.95, axis=0))
    # The HDI is the narrowest 90% interval: narrower than equal-tailed on a right-skewed law, shifted left.
    assert np.all(hdi["hi"] - hdi["lo"] < et["hi"] - et["lo"]) and np.all(hdi["lo"] < et["lo"])
    inside = ((x >= hdi["lo"]) & (x <= hdi["hi"])).mean(axis=0)
    assert np.all(np.abs(inside - LEVEL) < 0.002)


def test_hdi_matches_arviz():
    az = pytest.importorskip("arviz")
    x = np.random.default_rng(1).lognormal(size=2000)
    lo, hi = hdi_bounds(x, LEVEL)
    assert np.allclose([lo, hi], np.asarray(az.hdi(x, prob=LEVEL)))


def test_summarize_is_jsonable_and_refuses_bad_intervals():
    est = summarize(np.arange(100.0))
    assert set(est) == {"mean", "median", "sd", "lo", "hi"} and all(isinstance(v, float) for v in est.values())
    assert summarize(np.full((10, 2), np.nan))["mean"] == [None, None]  # NaN (no spend) → JSON null
    with pytest.raises(EffectsError):
        summarize(np.arange(10.0), level=1.5)
    with pytest.raises(EffectsError):
        summarize(np.arange(10.0), method="central")


# ------------------------------------------------------------------------- a linear posterior, exact answers


def linear_posterior(n_draws: int = 50, seed: int = 0):
    """A real (tiny) linear model mu = base + spend @ beta_s, with no engine: exact contributions are known."""
    from types import SimpleNamespace

    rng = np.random.default_rng(seed)
    t, g, c = 12, 2, 3
    spend = rng.uniform(1, 5, (t, g, c))
    spend[:, 1, 2] = 0.0  # geo 2 never spends on channel 3: its per-geo ROI is undefined
    beta = rng.uniform(0.5, 3.0, (n_draws, c))
    base = rng.normal(100, 1, (n_draws, t, g))

    @dataclasses.dataclass(frozen=True)
    class LinearPosterior:
        params: dict
        data: object
        approximate: bool = False
        label: str = "linear test model"

        @property
        def n_draws(self) -> int:
            return len(self.params["beta"])

        @property
        def channels(self):
            return self.data.channels

        def predict(self, spend=None):
            sp = self.data.spend if spend is None else spend
            contrib = np.einsum("tgc,sc->stgc", sp, self.params["beta"])
            return {
                "mu": self.params["base"] + contrib.sum(-1),
                "contributions": contrib,
                "baseline": self.params["base"],
            }

    data = SimpleNamespace(
        spend=spend,
        channels=("A", "B", "C"),
        geos=("g1", "g2"),
        periods=pd.date_range("2024-01-01", periods=t, freq="W-MON").to_numpy(),
    )
    return LinearPosterior({"beta": beta, "base": base}, data), beta


def test_linear_model_roi_is_its_slope_and_chunking_does_not_matter():
    lin, beta = linear_posterior()
    eff = compute_effects(lin)
    # float32 storage of contributions: ~1e-6 relative.
    assert np.allclose(eff.roi, beta, rtol=1e-5) and np.allclose(eff.mroi, beta, rtol=1e-3)
    assert np.isnan(eff.roi_geo[:, 1, 2]).all() and np.allclose(eff.roi_geo[:, 0, 2], beta[:, 2], rtol=1e-5)
    small = compute_effects(lin, budget=1)  # one draw per prediction, padded chunks
    assert np.allclose(small.contribution_period, eff.contribution_period)
    rows = summary_rows(eff, fit_id="fx")
    roi_geo_nan = [r for r in rows if r[1] == "roi_geo" and r[2] == "C" and r[3] == "g2"]
    assert roi_geo_nan and roi_geo_nan[0][5] is None


# -------------------------------------------------------------------------------------- the real NUTS fit


@pytest.fixture(scope="module")
def eff_full(post) -> EffectDraws:
    return compute_effects(post, counterfactual="always")


def test_counterfactual_equals_model_contributions_in_additive_model(post, eff_full):
    eff = eff_full
    assert post.config.likelihood == "additive" and eff.computation == "counterfactual"
    pred = post.predict()
    own = pred["contributions"].astype(np.float64)
    assert np.allclose(eff.contribution_period, own.sum(axis=2), rtol=1e-4, atol=1e-2 * own.std())
    assert np.allclose(eff.contribution_geo, own.sum(axis=1), rtol=1e-4)
    assert np.allclose(eff.baseline, pred["baseline"])
    assert np.allclose(eff.media_total, own.sum(axis=(1, 2, 3)), rtol=1e-4)


def test_separable_shortcut_gives_the_counterfactual_numbers(eff, eff_full):
    assert eff.computation == "separable"
    # The counterfactual path differences float32 predictions of the whole KPI, so it is exact only up to
    # float32 resolution of the KPI (~1e-7 of a period's KPI per cell, summed over the cells of a total).
    kpi_cell = float(eff.fitted_total.mean()) / (len(eff.periods) * len(eff.geos))
    for f, cells in (
        ("contribution_period", len(eff.geos)),
        ("contribution_geo", len(eff.periods)),
        ("contribution_total", eff.baseline[0].size),
        ("media_total", eff.baseline[0].size),
    ):
        assert np.allclose(getattr(eff, f), getattr(eff_full, f), rtol=1e-5, atol=1e-6 * kpi_cell * cells), f
    assert np.allclose(eff.fitted_total, eff_full.fitted_total, rtol=1e-6)
    # mROI: +1% differences of float32 predictions; the full path differences mu (~50x a channel's term).
    assert np.allclose(eff.mroi, eff_full.mroi, rtol=2e-2, atol=1e-2)


def test_thinned_effects_use_the_same_draws(post, eff):
    thin = compute_effects(post, max_draws=100)
    idx = np.linspace(0, post.n_draws - 1, 100).round().astype(int)  # Posterior.thin's evenly spaced draws
    assert thin.n_draws == 100 and np.allclose(thin.roi, eff.roi[idx], rtol=1e-5)


def test_roi_is_contribution_over_spend(post, eff):
    spend = post.data.spend.sum(axis=(0, 1))
    assert np.allclose(eff.spend_total, spend)
    assert np.allclose(eff.roi, eff.contribution_total / spend[None])
    table = roi_table(eff)
    for i, ch in enumerate(eff.channels):
        row = table["channels"][ch]
        assert row["spend"] == pytest.approx(spend[i])
        assert row["roi"]["mean"] == pytest.approx(row["contribution"]["mean"] / spend[i], rel=1e-6)
    json.dumps(table)  # plain JSON, no numpy scalars or NaN
    assert table["interval"] == {"level": 0.9, "method": "equal_tailed"} and table["approximate"] is False


@pytest.mark.parametrize("method", ["equal_tailed", "hdi"])
def test_intervals_contain_the_mean_and_widen_with_level(eff, method):
    narrow, wide = roi_table(eff, 0.5, method), roi_table(eff, 0.95, method)
    for ch in eff.channels:
        for q in ("contribution", "roi", "mroi"):
            n, w = narrow["channels"][ch][q], wide["channels"][ch][q]
            assert w["lo"] <= n["lo"] <= n["hi"] <= w["hi"]
            assert w["lo"] <= w["mean"] <= w["hi"]
    assert wide["interval"]["method"] == method


def test_compare_probabilities_are_complementary(eff):
    a, b = eff.channels[:2]
    ab, ba = compare(eff, a, b), compare(eff, b, a)
    assert ab["prob"] + ba["prob"] == pytest.approx(1.0)
    assert ab["prob"] == pytest.approx(np.mean(eff.roi[:, 0] > eff.roi[:, 1]))
    assert ab["roi_a"] == ba["roi_b"] and ab["diff"]["mean"] == pytest.approx(-ba["diff"]["mean"])
    with pytest.raises(EffectsError):
        compare(eff, a, "Nope")
    with pytest.raises(EffectsError):
        compare(eff, a, a)


def test_best_worst(eff):
    bw = best_worst(eff)
    assert sum(bw["p_best"].values()) == pytest.approx(1) and sum(bw["p_worst"].values()) == pytest.approx(1)
    medians = np.median(eff.roi, axis=0)
    assert bw["best"]["channel"] == eff.channels[int(np.argmax(medians))]
    assert bw["worst"]["channel"] == eff.channels[int(np.argmin(medians))]


def test_mroi_below_roi_for_saturating_channels(eff):
    # Every channel saturates (Hill, concave at slope <= 1 and past the half-point otherwise): the next unit
    # of spend earns less than the average unit, in the posterior mean.
    assert np.all(eff.mroi.mean(axis=0) < eff.roi.mean(axis=0))


def test_contribution_rows(eff):
    n_t, n_c = len(eff.periods), len(eff.channels)
    by_channel = contribution_rows(eff, "channel")
    assert [r["channel"] for r in by_channel] == [*eff.channels, "baseline"]
    by_period = contribution_rows(eff, "period")
    # Per period: every channel's series (issue 17), then total media and baseline as before.
    assert len(by_period) == (n_c + 2) * n_t and by_period[0]["period"] == "2021-01-04"
    assert {r["channel"] for r in by_period} == {*eff.channels, "all_media", "baseline"}
    assert len(contribution_rows(eff, "channel_period")) == n_t * n_c
    assert len(contribution_rows(eff, "channel_geo")) == n_c and len(contribution_rows(eff, "geo")) == n_c + 2
    total = sum(r["mean"] for r in contribution_rows(eff, "channel_period") if r["channel"] == eff.channels[0])
    assert total == pytest.approx(by_channel[0]["mean"], rel=1e-4)
    json.dumps(by_period)
    with pytest.raises(EffectsError):
        contribution_rows(eff, "week")


def test_response_curve_monotone_and_zero_at_zero(post, eff):
    ch = eff.channels[0]
    curve = response_curve(post, ch, level=LEVEL)
    mean = np.array([p["mean"] for p in curve["contribution"]])
    assert curve["multipliers"][0] == 0 and mean[0] == 0 and curve["roi"][0]["mean"] is None
    assert np.all(np.diff(mean) >= 0)
    at_one = curve["multipliers"].index(1.0)
    assert curve["spend"][at_one] == pytest.approx(eff.spend_total[0])
    # m = 1 is today's spend: the same quantity as the ROI table's contribution (all draws, up to 500 used).
    assert mean[at_one] == pytest.approx(eff.contribution_total[:, 0].mean(), rel=0.05)
    json.dumps(curve)


def test_adstock_curve(post):
    ad = adstock_curve(post, post.channels[1], l_max=10)
    assert ad["lags"] == list(range(10)) and ad["model_l_max"] == post.config.l_max
    means = [w["mean"] for w in ad["weights"]]
    assert sum(means) == pytest.approx(1.0, abs=1e-5) and means[-1] == 0.0
    assert "half_life" in ad and ad["half_life"]["lo"] > 0
    json.dumps(ad)


def test_save_load_round_trip(eff, tmp_path):
    path = save_effect_draws(eff, tmp_path / "effects.npz")
    back = load_effect_draws(path)
    for f in dataclasses.fields(EffectDraws):
        a, b = getattr(eff, f.name), getattr(back, f.name)
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b, f.name
        if f.name.startswith(("contribution", "mroi", "baseline", "fitted", "media")):
            assert b.dtype == np.float32, f.name  # compact: draws stored as float32 (spend stays float64)
    assert roi_table(back) == roi_table(eff)
    with pytest.raises(EffectsError):
        load_effect_draws(tmp_path / "missing.npz")


def test_summary_rows_shape(eff):
    rows = summary_rows(eff, fit_id="fit-1")
    assert all(len(r) == len(SUMMARY_COLUMNS) for r in rows)
    quantities = {r[1] for r in rows}
    assert quantities == {
        "roi",
        "mroi",
        "contribution",
        "contribution_period",
        "baseline_period",
        "contribution_geo",
        "roi_geo",
    }
    n_t, n_c = len(eff.periods), len(eff.channels)
    assert len(rows) == 3 * n_c + n_t * n_c + n_t + 2 * n_c
    roi = {r[2]: r for r in rows if r[1] == "roi"}
    assert roi[eff.channels[0]][5] == pytest.approx(float(eff.roi[:, 0].mean()))
    assert all(r[0] == "fit-1" and r[9] == 0.9 and r[10] == "equal_tailed" for r in rows)


def test_recovery_true_roi_inside_90_interval_for_most_channels(synth_data, eff):
    # Coverage, not point tolerance: on national_small even OLS with the *true* transforms has ROI standard
    # errors of about ±1.0 (Search), ±1.4 (Social), ±0.4 (Local), comparable to the ROIs themselves, and our
    # priors (equal media share per channel) shrink the weakly identified channels. The tolerances (misses at
    # 90%, no truth beyond 4 posterior sds, chi-square of the z's) fail a calibrated posterior with probability
    # below 1%: see tests/recovery_support.py. Pooled over datasets in test_recovery and test_engine.
    table = roi_table(eff, LEVEL)["channels"]
    truth = {ch: v["roi"] for ch, v in synth_data.truth["channels"].items()}
    names = eff.channels
    lo, hi = [table[c]["roi"]["lo"] for c in names], [table[c]["roi"]["hi"] for c in names]
    assert_recovered(Recovery.from_draws(names, eff.roi, [truth[c] for c in names], lo=lo, hi=hi))


def test_multiplicative_model_takes_the_counterfactual_path(synth_data):
    # Quick mode is enough: this checks mechanics, not calibration.
    from mmm_core.engine import ModelConfig, sample_quick
    from mmm_core.engine.posterior import Posterior

    data = model_data_from_frame(synth_data.frame)
    fit = sample_quick(data, ModelConfig(likelihood="multiplicative"), seed=0, draws=64)
    post = Posterior.from_fit(fit, data)
    eff = compute_effects(post)
    assert eff.computation == "counterfactual" and eff.approximate and roi_table(eff)["approximate"]
    # The engine's own multiplicative contribution is mu - mu(channel removed): the same counterfactual.
    own = post.predict()["contributions"].astype(np.float64)
    assert np.allclose(eff.contribution_total, own.sum(axis=(1, 2)), rtol=1e-3)
    # Channels interact multiplicatively: removing all media loses less than the sum of single removals.
    assert np.all(eff.media_total <= eff.contribution_total.sum(axis=1) * (1 + 1e-6))
