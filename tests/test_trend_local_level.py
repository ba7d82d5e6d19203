"""The local-level trend (engine.trend): a random-walk baseline the linear trend cannot follow.

Data: 156 weeks whose level wanders as a Gaussian random walk (sd 1.5% of the mean per week, so ~19% over the
span), one channel, noise 2%. The measure is the RMSE of the posterior-mean baseline against the true baseline,
in shares of the mean KPI: a line misses the wander (its RMSE is the wander's distance from its best line, ~4-8%
here), the local level follows it to about the noise level. A ratio, so it does not depend on machine load.
"""

from __future__ import annotations

import numpy as np
import pytest

from mmm_core.engine import ModelConfig, ModelData, sample_nuts, scale_data
from mmm_core.engine.posterior import Posterior
from mmm_core.engine.trend import trend_basis


def _wandering(seed: int = 3, n: int = 156):
    rng = np.random.default_rng(seed)
    level = 100.0 * (1.0 + np.cumsum(rng.normal(0.0, 0.015, n)))
    spend = rng.gamma(2.0, 5.0, (n, 1)) * (rng.random((n, 1)) < 0.7)
    media = 8.0 * spend[:, 0] / (spend[:, 0] + spend[:, 0].mean())
    kpi = level + media + rng.normal(0.0, 2.0, n)
    periods = np.datetime64("2021-01-04") + 7 * np.arange(n)
    return ModelData.national(periods, ["TV"], spend, kpi), level


def test_the_gate_counts_the_walk_as_its_scale():
    """156 weekly steps are one curve with one scale, not 155 coefficients (else the gate blocks every weekly
    local-level fit); everything else in the model is counted as for a line."""
    from mmm_core.fit.prior_check import n_parameters

    data, _ = _wandering()
    count = {}
    for kind in ("linear", "local_level"):
        cfg = ModelConfig(trend=kind, seasonality_order=0)
        count[kind] = n_parameters(scale_data(data, cfg), cfg)
    assert count["local_level"] == count["linear"] + 1, count


def test_basis_is_a_centred_step_matrix():
    cfg = ModelConfig(trend="local_level")
    b = trend_basis(np.linspace(0, 1, 5), cfg)
    assert b.shape == (5, 4)
    np.testing.assert_allclose(b.mean(axis=0), 0.0, atol=1e-12)
    # one step of size 1 at column j moves every later period by 1 relative to the earlier ones
    assert np.allclose(np.diff(b[:, 2]), [0, 0, 1, 0])
    assert trend_basis(np.linspace(0, 1, 5), ModelConfig(trend="linear")).shape == (5, 0)


@pytest.mark.slow
def test_local_level_follows_a_wandering_baseline_better_than_a_line():
    data, level = _wandering()
    rmse = {}
    for kind in ("linear", "local_level"):
        cfg = ModelConfig(trend=kind, seasonality_order=0, saturation="logistic", adstock="geometric", l_max=4)
        res = sample_nuts(scale_data(data, cfg), cfg, chains=2, warmup=400, draws=300, seed=1)
        base = Posterior.from_fit(res, data).predict()["baseline"].mean(axis=0)[:, 0]
        # compare shapes: the model's intercept also absorbs the media's mean, so centre both
        err = (base - base.mean()) - (level - level.mean())
        rmse[kind] = float(np.sqrt(np.mean(err**2)) / level.mean())
        if kind == "local_level":
            assert res.diagnostics()["max_rhat"] < 1.05
    assert rmse["local_level"] < 0.5 * rmse["linear"], rmse
    assert rmse["local_level"] < 0.03, rmse
