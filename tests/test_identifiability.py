"""Per-channel identifiability (issue 16 item 2): the data evidence, the contraction and the label."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_core.fit.identifiability import (
    IDENTIFIED_LABEL,
    PRIOR_LABEL,
    assess,
    channel_data,
    contraction,
)
from mmm_core.synth.patterns import spend_shape

N = 156  # three years of weeks


def panel(seed: int) -> tuple[np.ndarray, list[str]]:
    """[T, 1, 3]: a seasonal always-on channel, a flighted channel and a noisy steady one, as the synth presets
    draw them (the project's own spend generators)."""
    rng = np.random.default_rng(seed)
    cols = [spend_shape("seasonal", N, rng), spend_shape("onoff", N, rng), spend_shape("steady", N, rng)]
    return np.stack(cols, axis=1)[:, None, :] * 1000.0, ["Search", "Display", "Radio"]


def evidence(spend, names):
    return channel_data(spend, names, half_lives=[1.5] * len(names), l_max=[8] * len(names))


@pytest.mark.parametrize("seed", range(6))
def test_seasonal_always_on_channel_is_confounded_with_seasonality(seed):
    spend, names = panel(seed)
    d = evidence(spend, names)
    assert d["Search"].seasonality_r2 >= 0.75 and "seasonality" in d["Search"].causes
    assert d["Search"].active_share == 1.0


@pytest.mark.parametrize("seed", range(6))
def test_flighted_channel_has_no_data_cause(seed):
    spend, names = panel(seed)
    d = evidence(spend, names)
    assert d["Display"].causes == [], d["Display"]
    assert d["Display"].seasonality_r2 < 0.3 and d["Display"].cv > 0.5


@pytest.mark.parametrize("seed", range(3))
def test_steady_channel_lacks_variation(seed):
    spend, names = panel(seed)
    assert "little spend variation" in evidence(spend, names)["Radio"].causes


def test_labels_combine_data_and_posterior():
    spend, names = panel(0)
    rng = np.random.default_rng(0)
    prior = rng.lognormal(0.0, 1.0, (400, 3))
    post = np.column_stack([rng.lognormal(0.3, 0.4, 400), rng.lognormal(0.1, 0.15, 400), rng.lognormal(0.0, 0.9, 400)])
    out = assess(evidence(spend, names), post, prior)
    assert out["Search"].label == "weakly identified: seasonality" and out["Search"].status == "weak"
    assert "vary its spend" in out["Search"].fix or "lift test" in out["Search"].fix
    assert out["Display"].label == IDENTIFIED_LABEL and out["Display"].fix is None
    assert out["Display"].contraction > 0.8
    # A posterior about as wide as its prior is the prior's answer, whatever the data look like; the data cause
    # (steady spend) still says what would help.
    assert out["Radio"].label == PRIOR_LABEL and "vary its spend" in out["Radio"].fix
    assert out["Radio"].causes == ["little spend variation"]
    d = out["Search"].to_dict()
    assert d["data"]["seasonality_r2"] >= 0.75 and d["prior"]["median"] > 0


def test_flighted_channel_with_a_wide_posterior_is_only_weakly_identified():
    spend, names = panel(1)
    rng = np.random.default_rng(1)
    prior = rng.lognormal(0.0, 1.0, (400, 3))
    post = prior.copy()
    post[:, 1] = rng.lognormal(0.0, 0.6, 400)  # contraction ≈ 0.4
    out = assess(evidence(spend, names), post, prior)
    assert out["Display"].label == "weakly identified: wide posterior"


def test_contraction_is_scale_free():
    rng = np.random.default_rng(2)
    prior, post = rng.lognormal(0, 1, 2000), rng.lognormal(0, 0.25, 2000)
    k = contraction(post, prior)
    assert 0.7 < k < 0.8
    assert contraction(post * 1000, prior * 1000) == pytest.approx(k)  # KPI in thousands or ones: same answer
