"""The ROI-prior route (issue 19, item 2's second half): ``use: roi_prior`` turns a lift test into the channel's
ROI prior (log-normal at the test's ROI, log-sd its relative SE) instead of a likelihood term; locked with the spec
(the default route keeps every earlier hash)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from spec_support import base_spec
from test_experiments import _experiment

from mmm_core.errors import SpecValidationError
from mmm_core.fit.inputs import experiment_configs, model_config
from mmm_core.spec.experiments import roi_priors
from mmm_core.spec.schema import ModelSpec, spec_sha256


def _spec(dataset: str, *tests: dict) -> ModelSpec:
    return ModelSpec.parse({**base_spec(dataset).model_dump(mode="json"), "experiments": list(tests)})


def test_the_route_is_locked_with_the_spec_and_the_default_keeps_the_hash(dataset) -> None:
    plain = _spec(dataset, _experiment())
    assert spec_sha256(_spec(dataset, _experiment(use="likelihood"))) == spec_sha256(plain)
    prior = _spec(dataset, _experiment(use="roi_prior"))
    assert spec_sha256(prior) != spec_sha256(plain) and ModelSpec.from_yaml(prior.to_yaml()) == prior
    assert "use: roi_prior" in prior.to_yaml() and "use:" not in plain.to_yaml()
    with pytest.raises(SpecValidationError, match="positive ROI"):
        _spec(dataset, _experiment(use="roi_prior", lift=-1e4))


def _data(spec: ModelSpec):
    from mmm_core.engine import ModelData

    periods = np.datetime64("2023-01-02") + 7 * np.arange(104)
    spend = np.random.default_rng(0).uniform(100, 200, (104, len(spec.media)))
    return ModelData.national(periods, [m.name for m in spec.media], spend, 1000 + spend.sum(axis=1))


def test_an_roi_prior_test_sets_the_channels_prior_and_leaves_the_likelihood(dataset) -> None:
    spec = _spec(
        dataset,
        _experiment(use="roi_prior"),
        _experiment(experiment_id="exp_2", channel="Search", lift=3e4, lift_se=6e3),
    )
    data = _data(spec)
    config = model_config(spec, data)
    tv = list(data.channels).index("TV")
    assert config.roi[tv] == pytest.approx(1.2e5 / 5e4) and config.beta_log_sd[tv] == pytest.approx(3e4 / 1.2e5)
    plain = model_config(base_spec(dataset), data)
    search = list(data.channels).index("Search")
    assert config.roi[search] == plain.roi[search]  # the likelihood route leaves the prior alone
    assert [e.name for e in experiment_configs(spec, data)] == ["exp_2"]


def test_two_roi_prior_tests_of_a_channel_combine_by_precision(dataset) -> None:
    spec = _spec(
        dataset,
        _experiment(use="roi_prior"),
        _experiment(experiment_id="exp_2", lift=2e5, lift_se=2e4, use="roi_prior"),
    )
    median, sd = roi_priors(spec.experiments)["TV"]
    w1, w2 = 1 / 0.25**2, 1 / 0.1**2
    assert sd == pytest.approx(1 / math.sqrt(w1 + w2))
    assert math.log(median) == pytest.approx((w1 * math.log(2.4) + w2 * math.log(4.0)) / (w1 + w2))
