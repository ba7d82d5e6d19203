"""The pre-fit gate's prior predictive draws its KPI noise outside the compiled kernel (``prior_check._with_noise``:
XLA's Student-t sampler was 2.0 of the kernel's 4.7 s cold compile). The draws must follow the model's own
likelihood: compared here with NumPyro's ``Predictive`` of the same model, which samples the KPI site in-graph.

Tolerances: 4,000 prior draws of 156 weeks; the quantiles of the pooled scaled KPI (median ≈ 1) move by ≤ 0.01 at
5–95% between two seeds of the same sampler (measured 0.001–0.009), so 0.04 passes any seed of a correct sampler
and fails one that drops or mis-scales the noise (leaving the noise out moved two of the five quantiles by 0.05–0.14
in every case). The within-draw sd (the noise's share of the spread) agrees within 1.5%; 5% allowed."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from numpyro.infer import Predictive
from synth_support import national_data

from mmm_core.engine import ModelConfig
from mmm_core.engine.config import MediatorConfig
from mmm_core.engine.data import scale_data
from mmm_core.engine.model import bound_model
from mmm_core.fit.prior_check import prior_predictive
from mmm_core.synth import generate
from mmm_core.synth.dgp import mediator_latent

DRAWS = 4000
QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95]


def _data(preset: str):
    w = generate(preset, 0).world
    if not preset.startswith("mediated"):
        return national_data(w)
    survey = (mediator_latent(w, w.spend) + w.med_obs_noise).T
    med = np.where(w.observed[:, None], survey, np.nan)[..., None]
    return national_data(w, mediators=med, mediator_names=("Awareness",))


CASES = {
    "student_t": ("national_small", ModelConfig(noise="student_t")),
    "normal": ("national_small", ModelConfig()),
    "multiplicative": ("national_small", ModelConfig(likelihood="multiplicative")),
    "mediated": ("mediated_single", ModelConfig(mediators=(MediatorConfig("Awareness", (0,), kind="sparse"),))),
}


@pytest.mark.parametrize("case", list(CASES))
def test_noise_follows_the_models_likelihood(case):
    preset, config = CASES[case]
    scaled = scale_data(_data(preset), config)
    ours = prior_predictive(scaled, config, n_draws=DRAWS, seed=1)["kpi"] / np.asarray(scaled.kpi_scale)
    theirs = np.asarray(Predictive(bound_model(config), num_samples=DRAWS)(jax.random.PRNGKey(7), scaled, None)["kpi"])
    np.testing.assert_allclose(np.quantile(ours, QUANTILES), np.quantile(theirs, QUANTILES), atol=0.04)
    spread_ours, spread_theirs = np.median(ours.std(axis=1)), np.median(theirs.std(axis=1))
    assert spread_ours == pytest.approx(spread_theirs, rel=0.05)
