"""Engine-level mediation: the mediator sub-model, predict with per-path spend, counterfactual decomposition,
and that models without mediators are untouched (fast: quick mode on the synthetic worlds)."""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest
from synth_support import national_data

from mmm_core.effects.draws import is_separable
from mmm_core.effects.mediation import compute_mediation
from mmm_core.engine import ModelConfig, ModelData, sample_quick
from mmm_core.engine.config import EngineConfigError, MediatorConfig
from mmm_core.engine.mediation import carry
from mmm_core.engine.posterior import Posterior
from mmm_core.fit.review_mediators import mediator_checks
from mmm_core.synth import generate
from mmm_core.synth.dgp import mediator_latent


def _data(preset: str, every: int = 1, latent: bool = False) -> tuple[ModelData, dict]:
    """The synthetic world as ModelData with its monthly survey (every ``every``-th survey point kept)."""
    syn = generate(preset, 0)
    w = syn.world
    survey = (mediator_latent(w, w.spend) + w.med_obs_noise).T  # [T,G]
    seen = np.flatnonzero(w.observed)[::every]
    mask = np.zeros(len(w.periods), bool)
    mask[seen] = True
    med = np.full_like(survey, np.nan) if latent else np.where(mask[:, None], survey, np.nan)
    data = national_data(w, mediators=med[..., None], mediator_names=("Awareness",))
    return data, syn.truth


def _config(channels: tuple[int, ...], **kw) -> ModelConfig:
    return ModelConfig(mediators=(MediatorConfig("Awareness", channels, kind=kw.pop("kind", "sparse"), **kw),))


@pytest.fixture(scope="module")
def single() -> tuple[Posterior, dict]:
    """mediated_single with Awareness fed by TV alone (the peer's lost-indirect-effect case), quick mode."""
    data, truth = _data("mediated_single")
    tv = data.channels.index("TV")
    post = Posterior.from_fit(sample_quick(data, _config((tv,)), seed=0, draws=300), data)
    return post, truth


def test_plain_models_keep_the_separable_shortcut_and_mediated_ones_do_not(single) -> None:
    post, _ = single
    assert not is_separable(post)
    plain = dataclasses.replace(
        post, config=ModelConfig(), params={k: v for k, v in post.params.items() if not k.startswith("med_")}
    )
    assert is_separable(plain)


def test_single_channel_mediator_keeps_its_indirect_effect(single) -> None:
    """Regression for the peer's bug: a mediator fed by exactly one channel still carries that channel's effect."""
    post, truth = single
    d = compute_mediation(post)
    tv = d.channels.index("TV")
    assert np.quantile(d.indirect[:, tv], 0.05) > 0
    others = [c for c in range(len(d.channels)) if c != tv]
    np.testing.assert_array_equal(d.indirect[:, others], 0.0)  # structurally: they do not feed Awareness
    assert truth["channels"]["TV"]["share_mediated"] == pytest.approx(0.8)


def test_indirect_by_mediator_adds_up_and_paths_recombine(single) -> None:
    """Additive model: indirect = sum over mediators exactly; mu with every path switched off = mu(spend_c=0)."""
    post, _ = single
    d = compute_mediation(post.thin(50))
    np.testing.assert_allclose(d.indirect_by.sum(axis=1), d.indirect, rtol=1e-4, atol=1e-3 * np.abs(d.total).max())
    spend = np.asarray(post.data.spend)
    a = post.thin(20).predict(spend)
    b = post.thin(20).predict(spend, mediator_spend=spend[None])
    np.testing.assert_allclose(a["mu"], b["mu"], rtol=1e-6)
    np.testing.assert_allclose(a["baseline"] + a["contributions"].sum(-1), a["mu"], rtol=1e-4)


def test_predict_reproduces_the_observed_mediator_in_the_kpi(single) -> None:
    """At survey weeks the KPI equation uses the survey value; a channel's removal moves M by its path only."""
    post, _ = single
    small = post.thin(10)
    spend = np.asarray(small.data.spend)
    full = small.predict(spend)["mu"]
    no_tv = spend.copy()
    no_tv[..., small.channels.index("TV")] = 0.0
    # Switching TV off in the mediator equation only lowers the KPI in every draw (b > 0, gamma > 0 here).
    indirect_only = small.predict(spend, mediator_spend=no_tv[None])["mu"]
    assert np.all((full - indirect_only).sum(axis=(1, 2)) > 0)


def test_carry_over_is_normalised_and_off_at_zero() -> None:
    x = jnp.ones((60, 1, 2, 3))
    out = np.asarray(carry(x, jnp.array([0.0, 0.7])))
    np.testing.assert_allclose(out[:, :, 0], 1.0)  # rho = 0: identity
    assert out[0, 0, 1, 0] == pytest.approx(0.3) and out[-1, 0, 1, 0] == pytest.approx(1.0, abs=1e-6)


def test_latent_mediator_fits_and_warns_about_identification() -> None:
    data, _ = _data("mediated_single", latent=True)
    cfg = _config(
        (data.channels.index("TV"),),
        kind="latent",
        effect_median=1.0,
        effect_sigma=0.3,
        kpi_mean=0.3,
        kpi_sd=0.1,
        carryover=True,
    )
    post = Posterior.from_fit(sample_quick(data, cfg, seed=0, draws=200, steps=600), data)
    (check,) = mediator_checks(post)
    assert check.status == "warn" and "latent" in check.reason
    assert np.all(post.params["med_rho"] > 0) and np.all(post.params["med_rho"] < 1)


def test_geo_panel_with_two_mediators_and_unsigned_effects() -> None:
    """Geo (per-geo mediator intercepts), two mediators, several channels each, sign 'none': runs and decomposes."""
    rng = np.random.default_rng(0)
    t, g, c = 60, 3, 3
    spend = rng.gamma(2.0, 50.0, (t, g, c))
    m1 = 5 + 0.02 * spend[..., 0] + rng.normal(0, 0.5, (t, g))
    m2 = np.where(np.arange(t)[:, None] % 4 == 0, 1 + 0.01 * spend[..., 1] + rng.normal(0, 0.3, (t, g)), np.nan)
    y = 100 + spend @ np.array([0.1, 0.2, 0.05]) + 3 * m1 + 5 * np.nan_to_num(m2) + rng.normal(0, 2, (t, g))
    data = ModelData(
        periods=np.arange(t),
        geos=("a", "b", "c"),
        channels=("x", "y", "z"),
        spend=spend,
        kpi=y,
        mediators=np.stack([m1, m2], -1),
        mediator_names=("M1", "M2"),
    )
    cfg = ModelConfig(
        seasonality_order=0,
        mediators=(
            MediatorConfig("M1", (0, 1), kind="observed"),
            MediatorConfig("M2", (1, 2), kind="sparse", sign="none"),
        ),
    )
    post = Posterior.from_fit(sample_quick(data, cfg, seed=0, draws=100, steps=500), data)
    assert post.params["med_a"].shape == (100, g, 2)
    d = compute_mediation(post)
    assert d.indirect_by.shape == (100, 2, c)
    np.testing.assert_array_equal(d.indirect_by[:, 0, 2], 0.0)  # z does not feed M1
    np.testing.assert_allclose(d.indirect_by.sum(axis=1), d.indirect, atol=1e-3 * np.abs(d.total).max())


def test_config_validation_refuses_bad_mediators() -> None:
    data, _ = _data("mediated_single")
    from mmm_core.engine import scale_data

    with pytest.raises(EngineConfigError, match="feeding channels"):
        scale_data(data, _config((9,)))
    with pytest.raises(EngineConfigError, match="mediators"):
        scale_data(data, ModelConfig())
