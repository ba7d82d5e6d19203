"""The staged warm-up of mid-sized posteriors (``engine.mass``): a diagonal warm-up, draws at that mass, a dense
mass from those draws with the sampling noise removed, then the step size adapted at that mass and the sampling.

The noise removal is checked on draws of a known covariance; the plan on sizes; the sampler on a 12-geo panel of
106 latent dimensions, where the dense stage must cut the leapfrog steps per iteration (a mass matrix whose
columns were in the wrong order, or a noise-only estimate, would not), and (slow) must leave the posterior as the
diagonal sampler finds it.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_engine import simulate

from mmm_core.engine import ModelConfig, sample_nuts
from mmm_core.engine.data import scale_data
from mmm_core.engine.kernels import model_args, n_latent
from mmm_core.engine.mass import (
    DEFAULT_TARGET_ACCEPT,
    STAGED_TARGET_ACCEPT,
    denoised_covariance,
    staged_schedule,
    wants_staging,
)
from mmm_core.engine.sampling import DENSE_MASS_MAX, LAPLACE_START_MAX, chain_plan

D = 60
BLOCK = 3  # coordinates 0..2 share a factor: correlation RHO between each pair, independent of the rest
RHO = 0.8


def _draws(seed: int, n: int = 1000, chains: int = 2) -> np.ndarray:
    """iid Gaussian draws [chains, n, D] with unequal scales and one correlated block."""
    rng = np.random.default_rng(seed)
    corr = np.eye(D)
    corr[:BLOCK, :BLOCK] = RHO
    np.fill_diagonal(corr, 1.0)
    scale = np.exp(rng.uniform(-2, 2, D))
    cov = corr * np.outer(scale, scale)
    return rng.multivariate_normal(np.zeros(D), cov, size=(chains, n)), scale


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_dense_estimate_keeps_the_real_correlations_and_drops_the_noise(seed) -> None:
    """The block's eigenvalues (1 + 2 x 0.8 = 2.6 and 0.2, twice) lie far outside the noise band of 60 dimensions
    and 2,000 draws ((1 ± sqrt(0.03))^2 = 0.68-1.38) and are kept, so the block's correlations come back within
    the sampling error of a correlation from 2,000 draws (sd (1 - 0.8^2) / sqrt(2000) = 0.008; 0.05 is > 6 sd).
    The noise elsewhere goes: the raw sample correlation misses the truth by ~sqrt(D (D - 1) / n) = 1.32 in
    Frobenius norm; the cleaned one keeps only the three real directions' estimation error (0.40-0.44 over six
    seeds, i.e. about a third). Variances are the sample variances."""
    draws, _ = _draws(seed)
    est = denoised_covariance(draws)
    sd = np.sqrt(np.diag(est.covariance))
    corr = est.covariance / np.outer(sd, sd)
    np.testing.assert_allclose(corr[:BLOCK, :BLOCK][np.triu_indices(BLOCK, 1)], RHO, atol=0.05)
    assert max(est.kept) > 2.3 and min(est.kept) < 0.3
    assert all(v < est.band[0] or v > est.band[1] for v in est.kept)
    true = np.eye(D)
    true[:BLOCK, :BLOCK] = RHO
    np.fill_diagonal(true, 1.0)
    raw = np.corrcoef(draws.reshape(-1, D).T)
    assert np.linalg.norm(corr - true) < 0.5 * np.linalg.norm(raw - true)
    centred = draws - draws.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(np.diag(est.covariance), centred.reshape(-1, D).var(axis=0), rtol=1e-6)
    assert est.draws == 2000


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_independent_draws_give_a_nearly_diagonal_mass(seed) -> None:
    """With no correlation at all, every eigenvalue of the sample correlation is noise: at most a few fluctuate
    just past the band's edge (Tracy-Widom, scale ~n^(-2/3)), each adding at most ~0.4 / D to an off-diagonal."""
    rng = np.random.default_rng(seed)
    est = denoised_covariance(rng.standard_normal((2, 1000, D)))
    sd = np.sqrt(np.diag(est.covariance))
    corr = est.covariance / np.outer(sd, sd)
    assert len(est.kept) <= 4
    assert np.abs(corr - np.eye(D)).max() < 0.05


def test_the_schedule_splits_the_warm_up_into_whole_chunks() -> None:
    for warmup, chunk in [(1000, 50), (1000, 25), (450, 25), (2000, 100), (600, 30)]:
        s = staged_schedule(warmup, chunk)
        assert s.diagonal + s.estimate + s.dense == warmup
        assert all(x % chunk == 0 and x > 0 for x in (s.diagonal, s.estimate, s.dense))
    s = staged_schedule(1000, 50)
    assert (s.diagonal, s.estimate, s.dense) == (350, 500, 150)
    with pytest.raises(ValueError, match="too short to stage"):
        staged_schedule(100, 50)


def test_staging_is_for_mid_sized_posteriors_with_enough_draws() -> None:
    low, high = DENSE_MASS_MAX, LAPLACE_START_MAX
    assert wants_staging(129, 2, 1000, low, high)  # geo_medium: 1,000 estimate draws for 129 dimensions
    assert not wants_staging(129, 2, 300, low, high)  # 300 draws: under 4 per dimension
    assert not wants_staging(low, 2, 1000, low, high)  # national sizes adapt a dense mass themselves
    assert not wants_staging(high + 1, 2, 10_000, low, high)  # enterprise: diagonal, no Laplace start


@pytest.fixture(scope="module")
def panel():
    data, _ = simulate(t=40, g=12, seed=6)
    return data


def test_the_plan_stages_only_when_no_mass_matrix_was_asked_for(panel) -> None:
    config = ModelConfig(geo_effects="noncentred")
    sd = scale_data(panel, config)
    n = n_latent(config, model_args(sd))
    assert DENSE_MASS_MAX < n <= LAPLACE_START_MAX
    plan = chain_plan(config, sd, n, 2, 1000, 1000)
    assert plan.schedule is not None and plan.chunk == 50 and not plan.dense
    assert chain_plan(config, sd, n, 2, 1000, 1000, dense_mass=False).schedule is None
    assert chain_plan(config, sd, n, 2, 1000, 1000, dense_mass=True).dense
    assert chain_plan(config, sd, n, 2, 200, 200).schedule is None  # too few draws to estimate from
    # the target acceptance: the staged one unless asked for; an unstaged plan keeps the engine's default
    assert plan.target_accept(None) == STAGED_TARGET_ACCEPT < DEFAULT_TARGET_ACCEPT and plan.target_accept(0.95) == 0.95
    assert chain_plan(config, sd, n, 2, 200, 200).target_accept(None) == DEFAULT_TARGET_ACCEPT


RUN = dict(chains=2, warmup=450, draws=150, seed=1)


def test_a_staged_fit_samples_at_the_dense_mass_with_fewer_steps(panel) -> None:
    """106 dimensions, 2 x (450 + 150), the default config (so the geo pilot runs first): the schedule (150
    diagonal, 225 estimate, 75 dense warm-up iterations) is recorded; sampling at the dense mass takes at most half
    the leapfrog steps per iteration of the estimate stage at the diagonal mass (measured on three seeds of this
    panel, non-centred: 23-24 against 93-124)."""
    fractions: list[float] = []
    messages: list[str] = []

    def progress(fraction: float, message: str) -> None:
        fractions.append(fraction)
        messages.append(message)

    fit = sample_nuts(panel, ModelConfig(), progress_callback=progress, **RUN)  # the default: the geo pilot too
    staged = fit.extra["staged_mass"]
    assert (staged["diagonal_warmup"], staged["estimate_draws"], staged["dense_warmup"]) == (150, 225, 75)
    assert staged["draws"] == 2 * 225 and staged["kept_eigenvalues"]
    windows = fit.extra["warmup_steps_per_25"]  # 18 windows of 25 warm-up iterations
    estimate_stage = np.mean(windows[150 // 25 : 375 // 25])
    assert fit.extra["mean_tree_steps"] < 0.5 * estimate_stage, (fit.extra["mean_tree_steps"], windows)
    assert fit.samples["beta"].shape[:2] == (2, 150) and np.isfinite(fit.samples["beta"]).all()
    assert fit.diagnostics(["beta"])["max_rhat"] < 1.1
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert fit.extra["dense_mass"] is False and "mass" in fit.extra["phases"]
    assert fit.extra["target_accept"] == STAGED_TARGET_ACCEPT  # none asked for: the staged fit's own
    # the pilot ran inside the first stage and counts against the fit's warm-up, not the stage's 150 iterations
    assert fit.extra["geo_effects"]["chosen_by"] == "pilot"
    assert any(m.startswith("warm-up pilot") and m.endswith("/450 iterations") for m in messages), messages[:4]


@pytest.mark.slow
def test_staged_and_diagonal_sampling_give_the_same_posterior(panel) -> None:
    """The mass matrix changes how NUTS moves, never the target: per geo x channel, posterior means of log beta
    from the staged and the diagonal sampler differ by ~N(0, 1) Monte-Carlo standard errors; over 48 cells
    max |z| > 4 has probability ~3e-3."""
    config = ModelConfig(geo_effects="noncentred")
    fits = [sample_nuts(panel, config, chains=2, warmup=600, draws=600, seed=2, dense_mass=m) for m in (None, False)]
    assert fits[0].extra["staged_mass"] and not fits[1].extra["staged_mass"]
    import arviz_stats as az

    stats = []
    for fit in fits:
        x = np.log(fit.samples["beta"])
        ess = np.asarray(az.ess(x, method="bulk"))
        stats.append((x.mean(axis=(0, 1)), x.std(axis=(0, 1)) / np.sqrt(ess)))
    z = (stats[0][0] - stats[1][0]) / np.sqrt(stats[0][1] ** 2 + stats[1][1] ** 2)
    assert np.abs(z).max() < 4.0, np.round(z, 2)
