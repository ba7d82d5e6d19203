"""Centred and non-centred geo media effects (``ModelConfig.geo_effects``, ``engine.centring``): the same model —
the same prior and the same posterior per-geo effects within Monte-Carlo error — and "auto" picks one by a pilot of
both forms at the start of warm-up, records it with the pilot's figures, and runs no pilot where there is no choice.
"""

from __future__ import annotations

import numpy as np
import pytest
from jax import random
from numpyro.infer import Predictive
from test_engine import simulate

from mmm_core.engine import EngineConfigError, ModelConfig, sample_nuts, scale_data
from mmm_core.engine.centring import CENTRED_MAX_STEP_RATIO, choose, needs_pilot, pilot_chunks
from mmm_core.engine.model import bound_model
from mmm_core.fit.headline import _diagnostics

RUN = dict(chains=2, warmup=300, draws=300, seed=3)


@pytest.fixture(scope="module")
def panel():
    data, _ = simulate(t=104, g=3, seed=4)
    return data


@pytest.fixture(scope="module")
def forced(panel):
    """Both forms sampled as configured, same data, seed and settings."""
    return {f: sample_nuts(panel, ModelConfig(geo_effects=f), **RUN) for f in ("noncentred", "centred")}


def test_same_prior_on_the_per_geo_effects(panel) -> None:
    """The prior of log beta [G,C] is the same under both forms: its quantiles agree to within the sampling error
    of 20,000 draws (the 5th/50th/95th percentiles of a roughly normal variable: se < 0.02 prior sds)."""
    sd = scale_data(panel, ModelConfig())
    draws = {
        f: np.log(
            np.asarray(
                Predictive(bound_model(ModelConfig(geo_effects=f)), num_samples=20_000)(random.PRNGKey(1), sd, None)[
                    "beta"
                ]
            )
        )
        for f in ("noncentred", "centred")
    }
    spread = draws["noncentred"].std(0)
    for q in (0.05, 0.5, 0.95):
        gap = np.quantile(draws["centred"], q, axis=0) - np.quantile(draws["noncentred"], q, axis=0)
        assert np.all(np.abs(gap) < 0.06 * spread), q


def _mean_and_se(fit) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posterior mean, its Monte-Carlo standard error (sd / sqrt(bulk ESS)) and sd of log beta [G,C]."""
    import arviz_stats as az

    x = np.log(fit.samples["beta"])  # [chains, draws, G, C]
    ess = np.asarray(az.ess(x, method="bulk"))
    sd = x.std(axis=(0, 1))
    return x.mean(axis=(0, 1)), sd / np.sqrt(ess), sd


def test_both_forms_give_the_same_posterior_per_geo_effects(forced) -> None:
    """Per geo x channel, the difference of the two posterior means of log beta over its Monte-Carlo standard
    error is ~N(0, 1) when the posteriors agree: over 12 cells, max |z| > 4 has probability ~1e-3. The check has
    power: each combined standard error is under a fifth of the posterior sd, so a shift of ~0.8 sd would fail."""
    (m_n, se_n, sd_n), (m_c, se_c, _) = _mean_and_se(forced["noncentred"]), _mean_and_se(forced["centred"])
    se = np.sqrt(se_n**2 + se_c**2)
    assert np.all(se < 0.2 * sd_n)
    z = (m_c - m_n) / se
    assert np.max(np.abs(z)) < 4.0, np.round(z, 2)
    for fit in forced.values():
        assert fit.diagnostics(["beta"])["max_rhat"] < 1.05


def test_each_form_records_its_sites_and_the_same_derived_quantities(forced) -> None:
    """Downstream code reads beta, beta_geo_z and beta_tau whichever form was sampled; only the centred form
    samples beta_geo_log."""
    n, c = forced["noncentred"], forced["centred"]
    assert "beta_geo_log" in c.samples and "beta_geo_log" not in n.samples
    for key in ("beta", "beta_geo_z", "beta_tau", "intercept", "sat_half"):
        assert n.samples[key].shape == c.samples[key].shape
    assert c.extra["geo_effects"]["form"] == "centred" and c.extra["geo_effects"]["chosen_by"] == "config"
    assert "pilot" not in c.extra["phases"]


def test_auto_runs_a_pilot_records_it_and_continues_the_chosen_form(panel, forced) -> None:
    """With "auto" both forms run the first warm-up chunks; the cheaper (by steps per iteration over the pilot's
    second half, the rule in ``centring.choose``) carries on, so its draws are exactly the forced run's."""
    fractions: list[float] = []
    fit = sample_nuts(panel, ModelConfig(), progress_callback=lambda f, _: fractions.append(f), **RUN)
    record = fit.extra["geo_effects"]
    pilot = record["pilot"]
    assert record["chosen_by"] == "pilot" and record["form"] == pilot["chosen"]
    assert pilot["chosen"] == choose(pilot["steps_noncentred"], pilot["steps_centred"])
    assert fit.extra["chunk"] == 25  # chunks of at most centring.PILOT_CHUNK: the choice comes after 50 iterations
    assert pilot["iterations"] == pilot_chunks(RUN["warmup"], fit.extra["chunk"]) * fit.extra["chunk"] == 50
    assert pilot["measured_from"] == 25 and pilot["extra_gradients"] > 0
    assert record["summary"].startswith(f"geo effects sampled {pilot['chosen']} (pilot: ")
    assert "pilot" in fit.extra["phases"]
    # the same iterations as the forced run (its chunks are longer: chunking only sets when Python looks)
    np.testing.assert_allclose(fit.samples["beta"], forced[pilot["chosen"]].samples["beta"], rtol=1e-5)
    assert fit.config.geo_effects == "auto"  # as asked; the form sampled is in extra
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    # the fit's headline (what `mmm-agent fit` prints and the fit row keeps) says which form was sampled and why
    head = _diagnostics(fit, np.broadcast_to(panel.kpi, (1, *panel.kpi.shape)), panel, None)
    assert head["geo_effects"] == record["summary"]


def test_national_fits_run_no_pilot() -> None:
    data, _ = simulate(t=60, g=1, seed=2)
    fit = sample_nuts(data, ModelConfig(), chains=2, warmup=50, draws=50, seed=0)
    assert fit.extra["geo_effects"] is None and "pilot" not in fit.extra["phases"]
    assert "beta_geo_z" not in fit.samples


def test_the_pilot_only_where_the_choice_exists() -> None:
    assert needs_pilot(ModelConfig(), n_geos=3, n_channels=4)
    assert not needs_pilot(ModelConfig(), n_geos=1, n_channels=4)
    assert not needs_pilot(ModelConfig(pooling="full"), n_geos=3, n_channels=4)
    assert not needs_pilot(ModelConfig(pooling="none"), n_geos=3, n_channels=4)
    assert not needs_pilot(ModelConfig(geo_effects="noncentred"), n_geos=3, n_channels=4)
    assert not needs_pilot(ModelConfig(national=True), n_geos=3, n_channels=4)  # no geo-level channel


def test_pilot_length_and_rule() -> None:
    assert pilot_chunks(1000, 25) == 2 and pilot_chunks(300, 20) == 3 and pilot_chunks(40, 20) == 2
    assert pilot_chunks(20, 20) == 1 and pilot_chunks(0, 25) == 0  # never beyond the warm-up
    assert choose(60.0, 30.0) == "centred" and choose(30.0, 132.0) == "noncentred"
    assert choose(30.0, 30.0 * CENTRED_MAX_STEP_RATIO + 0.1) == "noncentred"  # near-ties keep the default


def test_unknown_geo_effects_is_refused() -> None:
    with pytest.raises(EngineConfigError, match="geo_effects"):
        ModelConfig(geo_effects="sideways").validate(4, 1, 104)


def test_centred_form_leaves_national_channels_without_geo_deviation(panel) -> None:
    """A national regressor has one effect for every geo: the centred site covers only the geo-level channels."""
    config = ModelConfig(geo_effects="centred", national=(True, False, False, False))
    sd = scale_data(panel, config)
    draws = Predictive(bound_model(config), num_samples=50)(random.PRNGKey(0), sd, None)
    beta, z = np.asarray(draws["beta"]), np.asarray(draws["beta_geo_z"])
    assert draws["beta_geo_log"].shape == (50, 3, 3)
    np.testing.assert_allclose(beta[:, :, 0], beta[:, :1, 0].repeat(3, axis=1), rtol=1e-6)
    assert np.all(z[:, :, 0] == 0) and np.all(z[:, :, 1:].std(axis=0) > 0)


def test_no_pilot_from_a_random_start(panel) -> None:
    """Without the Laplace start (above LAPLACE_START_MAX latent dimensions, e.g. the enterprise panel) "auto" runs
    no pilot and samples non-centred: from a random start the pilot's window chose the centred form on the
    enterprise panel, whose sampling then took ~10x the non-centred form's leapfrog steps."""
    fit = sample_nuts(panel, ModelConfig(), chains=2, warmup=50, draws=50, seed=0, laplace_start=False)
    record = fit.extra["geo_effects"]
    assert record["form"] == "noncentred" and record["chosen_by"] == "size" and "pilot" not in record
    assert "pilot" not in fit.extra["phases"] and "beta_geo_z" in fit.samples and "beta_geo_log" not in fit.samples
