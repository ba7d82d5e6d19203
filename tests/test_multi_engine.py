"""Multi-outcome engine (issue 22), fast: scaling and masks, sharing flags, the residuals' marginal over observed
outcomes, cross-effect routing algebra (exact counterfactuals), refusals; and the synthetic presets' truth."""

from __future__ import annotations

from dataclasses import replace

import jax
import numpy as np
import pytest
from multi_support import product_config, world_data
from numpyro.handlers import seed, trace
from numpyro.infer import Predictive
from scipy.stats import multivariate_normal, norm

from mmm_core.engine.config import EngineConfigError, ModelConfig
from mmm_core.engine.cross import route
from mmm_core.engine.data import scale_data
from mmm_core.engine.multi_model import control_reference, multi_model, predict_multi
from mmm_core.engine.outcomes import CrossEffectConfig, MultiOutcomeConfig, scale_multi
from mmm_core.engine.residuals import residual_likelihood
from mmm_core.synth.make import generate
from mmm_core.synth.multi import components, kpi


@pytest.fixture(scope="module")
def products():
    data, truth, world = world_data("two_products", 0)
    return data, truth, world


def _sites(sd, config) -> dict:
    tr = trace(seed(lambda: multi_model(sd, config), 0)).get_trace()
    return {k: v for k, v in tr.items() if v["type"] in ("sample", "deterministic")}


def test_scaling_is_each_outcomes_single_scaling_and_ragged_cells_group_by_pattern():
    data, _, world = world_data("two_products_geo", 0)
    cfg = product_config(data)
    sd = scale_multi(data, cfg)
    t, g, _ = data.spend.shape
    assert sd.obs_mask.shape == (t, g, 2) and sd.kpi_scale.shape == (g, 2)
    single = scale_data(data.outcome_data(1, cfg), cfg.config_for(1, 2))
    np.testing.assert_array_equal(sd.outcomes[1].kpi, single.kpi)
    np.testing.assert_array_equal(sd.outcomes[1].beta_loc, single.beta_loc)
    # Multipack is missing in Geo01 and in Geo02's first 26 weeks: those cells observe single-pack only.
    assert set(sd.patterns) == {(0,), (0, 1)}
    only_single = sd.patterns.index((0,))
    assert len(sd.pattern_t[only_single]) == t + 26
    assert sum(len(x) for x in sd.pattern_t) == int(sd.obs_mask.any(-1).sum())
    # Single-pack's controls leave the promotion out; multipack's keep it.
    assert sd.outcomes[0].control_names == ("Price",) and sd.outcomes[1].control_names == ("Price", "Promo_Multi")


@pytest.mark.parametrize("flags", [(True, False, True), (False, True, False)])
def test_sharing_flags_decide_which_sites_are_shared(products, flags):
    data, _, _ = products
    adstock, saturation, season = flags
    cfg = product_config(data, share_adstock=adstock, share_saturation=saturation, share_seasonality=season)
    sites = _sites(scale_multi(data, cfg), cfg)
    for name, shared in (("adstock_alpha", adstock), ("sat_half", saturation), ("gamma_fourier", season)):
        assert (name in sites) == shared
        assert ("o0/" + name in sites) == (not shared) and ("o1/" + name in sites) == (not shared)
    assert sites["o0/beta"]["value"].shape == (1, 4) and sites["kappa"]["value"].shape == (1,)
    assert float(sites["kappa"]["value"][0]) <= 0.0  # cannibalisation: -HalfNormal
    assert sites["resid_corr"]["value"].shape == (2, 2)


def test_residuals_of_a_ragged_cell_are_the_marginal_of_the_observed_outcomes():
    rng = np.random.default_rng(0)
    mu, kpi_ = rng.normal(size=(3, 1, 2)), rng.normal(size=(3, 1, 2))
    sigma = np.array([[0.5, 2.0]])
    chol = np.linalg.cholesky(np.array([[1.0, 0.6], [0.6, 1.0]]))
    patterns, ts, gs = ((0, 1), (1,)), (np.array([0, 1]), np.array([2])), (np.array([0, 0]), np.array([0]))
    tr = trace(lambda: residual_likelihood(mu, sigma, kpi_, chol, patterns, ts, gs)).get_trace()
    got = sum(float(s["fn"].log_prob(s["value"]).sum()) for s in tr.values())
    cov = np.diag(sigma[0]) @ (chol @ chol.T) @ np.diag(sigma[0])
    want = sum(multivariate_normal(mu[t, 0], cov).logpdf(kpi_[t, 0]) for t in (0, 1))
    want += norm(mu[2, 0, 1], sigma[0, 1]).logpdf(kpi_[2, 0, 1])  # outcome 0 unobserved: outcome 1's marginal
    assert got == pytest.approx(want, rel=1e-5)


@pytest.fixture(scope="module")
def prior_draws(products):
    data, _, _ = products
    cfg = product_config(data)
    sd = scale_multi(data, cfg)
    draws = Predictive(lambda: multi_model(sd, cfg, observed=False), num_samples=3)(jax.random.PRNGKey(1))
    return sd, cfg, {k: np.asarray(v) for k, v in draws.items()}


def test_contributions_are_exact_counterfactuals_including_routed_parts(products, prior_draws):
    data, _, _ = products
    sd, cfg, draws = prior_draws
    out = predict_multi(draws, sd, cfg)
    np.testing.assert_allclose(out["mu"], out["baseline"] + out["contributions"].sum(3), rtol=1e-5)
    for c in range(data.spend.shape[2]):
        cut = data.spend.copy()
        cut[..., c] = 0.0
        lost = out["mu"] - predict_multi(draws, sd, cfg, spend_override=cut)["mu"]
        np.testing.assert_allclose(lost, out["contributions"][..., c, :], rtol=1e-3, atol=1e-3 * out["mu"].std())
    # The promotion drives multipack only; it reaches single-pack through the (negative) cross-effect alone.
    promo = out["control_contributions"][..., 1, :]
    assert np.all(np.abs(promo[..., 0]) <= np.abs(promo[..., 1]) + 1e-6)
    # The cross term is kappa * promotion * multipack's driven part (its channels' and controls' terms).
    driven = out["contributions"][..., 1].sum(-1) + out["control_contributions"][..., 1].sum(-1)
    want = draws["kappa"][:, :1, None] * sd.modulators[None, ..., 0] * driven
    np.testing.assert_allclose(out["cross"][:, 0], want, rtol=1e-4, atol=1e-6 * np.abs(driven).max())


def test_cross_term_is_what_removing_the_modulator_takes_away(prior_draws):
    sd, cfg, draws = prior_draws
    out = predict_multi(draws, sd, cfg)
    off = predict_multi(draws, sd, cfg, modulator_override=np.zeros_like(sd.modulators))
    np.testing.assert_allclose(out["mu"][..., 0] - off["mu"][..., 0], out["cross"][:, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out["mu"][..., 1], off["mu"][..., 1], rtol=1e-6)  # the source is untouched
    assert np.abs(out["cross"]).max() > 0


def test_routing_follows_chains_in_topological_order_with_lags():
    cfg = MultiOutcomeConfig(
        ("A", "B", "C"),
        cross_effects=(CrossEffectConfig(1, 2, "spillover"), CrossEffectConfig(0, 1, "halo", lag=1)),
    )
    rng = np.random.default_rng(2)
    driven = [rng.normal(size=(5, 1, 1)) for _ in range(3)]
    kappa = np.array([-0.2, 0.5])
    incoming, terms = route(cfg, kappa, driven, np.zeros((5, 1, 0)), xp=np)
    lag_a = np.concatenate([np.zeros((1, 1, 1)), driven[0][:-1]])
    np.testing.assert_allclose(incoming[1], 0.5 * lag_a)
    np.testing.assert_allclose(incoming[2], -0.2 * (driven[1] + 0.5 * lag_a))
    np.testing.assert_allclose(terms[0], incoming[2])
    assert np.all(incoming[0] == 0)


@pytest.mark.parametrize(
    "effects, message",
    [
        ((CrossEffectConfig(0, 1, "halo"), CrossEffectConfig(1, 0, "cannibalisation")), "cycle"),
        ((CrossEffectConfig(0, 0, "halo"),), "two different outcomes"),
        ((CrossEffectConfig(0, 1, "halo", modulator=3),), "modulator 3"),
        ((CrossEffectConfig(0, 1, "halo", lag=2),), "lag 2"),
        ((CrossEffectConfig(0, 1, "halo"), CrossEffectConfig(0, 1, "spillover")), "declared twice"),
        ((CrossEffectConfig(0, 1, "synergy"),), "unknown kind"),
    ],
)
def test_bad_cross_effects_are_refused_with_the_reason(effects, message):
    cfg = MultiOutcomeConfig(("A", "B"), cross_effects=effects)
    with pytest.raises(EngineConfigError, match=message):
        cfg.validate(3, 0, 52, 1)


def test_a_three_outcome_cycle_names_its_path():
    cfg = MultiOutcomeConfig(
        ("A", "B", "C"),
        cross_effects=tuple(CrossEffectConfig(s, t, "halo") for s, t in ((0, 1), (1, 2), (2, 0))),
    )
    with pytest.raises(EngineConfigError, match="A -> B -> C -> A"):
        cfg.validate(3, 0, 52, 0)


@pytest.mark.parametrize(
    "base, message",
    [(ModelConfig(likelihood="multiplicative"), "multiplicative"), (ModelConfig(noise="student_t"), "Student-t")],
)
def test_unsupported_single_outcome_settings_are_refused(products, base, message):
    data, _, _ = products
    with pytest.raises(EngineConfigError, match=message):
        scale_multi(data, replace(product_config(data), base=base))


def test_outcome_count_and_weights_must_match(products):
    data, _, _ = products
    with pytest.raises(EngineConfigError, match="2 KPIs"):
        scale_multi(data, replace(product_config(data), outcomes=("A", "B", "C"), outcome_controls=()))
    with pytest.raises(EngineConfigError, match="weights has 3"):
        scale_multi(data, replace(product_config(data), weights=(1.0, 2.0, 3.0)))
    assert list(replace(product_config(data), weights=(2.0, 0.5)).weight_array()) == [2.0, 0.5]


def test_synthetic_truth_is_calibrated_and_counterfactual():
    synth = generate("two_products", 0)
    w, truth = synth.world, synth.truth
    spend = w.spend.sum(axis=(0, 1))
    comp = components(w)
    direct = comp["media"].sum(axis=(0, 1)) / spend[:, None]
    want = np.array([w.spec.roi[c] for c in w.channel_names])
    np.testing.assert_allclose(direct, want, rtol=1e-9)
    # Multipack is the source: its ROIs are direct; single-pack's lose what the promotion weeks route away.
    assert truth["roi"]["TV"]["Sales_Multi"] == pytest.approx(0.8)
    assert truth["roi"]["TV"]["Sales_Single"] < 1.2
    promo = w.controls.copy()
    promo[..., w.control_names.index("Promo_Multi")] = 0.0
    taken = (kpi(w) - kpi(w, controls=promo))[..., 0].sum()
    assert truth["cross_effects"][0]["total"] == pytest.approx(taken, rel=1e-6)
    assert truth["cross_effects"][0]["total"] < 0
    null = generate("two_products_null", 0).truth
    assert null["roi"]["TV"] == {"Sales_Single": pytest.approx(1.2), "Sales_Multi": pytest.approx(0.8)}


def test_ragged_preset_leaves_missing_cells_out_of_the_frame():
    synth = generate("two_products_geo", 0)
    rows = synth.frame[synth.frame.VariableName == "Sales_Multi"]
    assert len(rows) == 4 * 104 - 104 - 26 and "Geo01" not in set(rows.Geography)
    assert synth.truth["observed_share"]["Sales_Multi"] == pytest.approx((4 * 104 - 130) / (4 * 104), abs=1e-4)


def test_a_promotions_driven_term_is_measured_from_no_promotion_and_a_prices_from_its_mean(products):
    data, _, _ = products
    cfg = product_config(data)
    multipack = scale_multi(data, cfg).outcomes[1]  # controls Price, Promo_Multi
    ref = np.asarray(control_reference(multipack))[0]
    assert ref[0] == 0.0  # price never reaches 0: its mean week
    promo = data.controls[:, 0, 1]
    assert ref[1] == pytest.approx((0.0 - promo.mean()) / promo.std(), rel=1e-5)  # the standardised "no promotion"
