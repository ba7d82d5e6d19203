"""Pre-fit gate: each check fires on data built to trip it and passes on clean data; seed-004 reproduced."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mmm_core.fit.gate import run_gate

T, G, C = 104, 1, 3
NAMES = ["tv", "search", "social"]


def clean_panel(seed: int = 0, t: int = T, g: int = G, raw: bool = False):
    """Independent, varying spend per channel (unit scale, or raw ~1e4–1e6), KPI ~ 1 (or ~1e6), 1 control."""
    rng = np.random.default_rng(seed)
    levels = np.array([3e5, 4e4, 1e5]) if raw else np.ones(3)
    spend = levels * rng.gamma(4.0, 0.25, size=(t, g, C))
    kpi = (1e6 if raw else 1.0) * (1.0 + 0.1 * rng.standard_normal((t, g)))
    controls = rng.standard_normal((t, g, 1))
    return spend, kpi, np.ones((t, g), bool), controls


def gate(spend, kpi, mask, controls, n_parameters=12, names=NAMES, pp=None):
    return run_gate(spend, kpi, mask, controls, names, ["price"], n_parameters, pp)


def test_clean_data_passes_every_check():
    rep = gate(*clean_panel())
    assert not rep.blocking
    assert all(c.status == "pass" for c in rep.checks), [c for c in rep.checks if c.status != "pass"]
    json.dumps(rep.to_dict())  # JSON-able for the CLI and agent
    assert rep.to_dict()["checks"][0].keys() >= {"name", "status", "value", "threshold", "reason"}


@pytest.mark.parametrize(("n_params", "status"), [(60, "fail"), (35, "warn"), (25, "pass")])
def test_data_adequacy(n_params, status):
    rep = gate(*clean_panel(), n_parameters=n_params)  # 104 observations
    assert rep.check("data_adequacy").status == status
    assert rep.blocking == (status == "fail")


def test_too_few_periods_blocks():
    rep = gate(*clean_panel(t=15), n_parameters=12)
    c = rep.check("data_adequacy")
    assert c.status == "fail" and "15 observed" in c.reason and rep.blocking


def test_zero_variance_channel_blocks_and_names_it():
    spend, kpi, mask, ctl = clean_panel()
    spend[..., 1] = 5.0
    c = gate(spend, kpi, mask, ctl).check("channel_zero_variance")
    assert c.status == "fail"
    assert "search never vary" in c.reason and "intercept" in c.reason and "Drop" in c.reason


def test_all_zero_channel_blocks():
    spend, kpi, mask, ctl = clean_panel()
    spend[..., 2] = 0.0
    rep = gate(spend, kpi, mask, ctl)
    assert rep.check("channel_all_zero").status == "fail" and "social" in rep.check("channel_all_zero").reason
    # reported once: not again as zero-variance, and excluded from correlation/VIF
    assert rep.check("channel_zero_variance").status == "pass"
    assert rep.check("collinearity").status == "pass"


def test_near_duplicate_channels_block_and_suggest_merge():
    spend, kpi, mask, ctl = clean_panel()
    rng = np.random.default_rng(1)
    spend[..., 2] = 0.5 * spend[..., 0] * (1 + 0.01 * rng.standard_normal((T, G)))
    c = gate(spend, kpi, mask, ctl).check("duplicate_channels")
    assert c.status == "fail" and "tv & social" in c.reason and "merge" in c.reason
    assert c.value > 0.98


def test_collinear_set_warns_then_fails():
    rng = np.random.default_rng(2)
    base = clean_panel()[0]

    def with_third(noise):  # social = tv + search + noise: no pair is a duplicate, the set is collinear
        s = base.copy()
        s[..., 2] = s[..., 0] + s[..., 1] + noise * rng.standard_normal((T, G))
        return s

    _, kpi, mask, ctl = clean_panel()
    strong = gate(with_third(0.05), kpi, mask, ctl)
    assert strong.check("duplicate_channels").status == "pass"
    assert strong.check("collinearity").status == "fail" and strong.blocking
    assert "social" in strong.check("collinearity").reason
    mild = gate(with_third(0.16), kpi, mask, ctl).check("collinearity")
    assert mild.status == "warn" and 10 < mild.value <= 30


def test_constant_kpi_and_mostly_missing_kpi():
    spend, kpi, mask, ctl = clean_panel()
    assert gate(spend, np.full_like(kpi, 7.0), mask, ctl).check("kpi_variance").status == "fail"
    sparse = mask.copy()
    sparse[:70] = False  # 33 % observed
    rep = gate(spend, kpi, sparse, ctl, n_parameters=3)
    assert rep.check("kpi_missing").status == "warn"
    sparse[:90] = False  # 13 % observed
    assert gate(spend, kpi, sparse, ctl, n_parameters=3).check("kpi_missing").status == "fail"


def test_non_finite_inputs_and_flat_control_block():
    spend, kpi, mask, ctl = clean_panel()
    spend[3, 0, 0] = np.nan
    ctl[:] = 1.0
    rep = gate(spend, kpi, mask, ctl)
    assert rep.check("finite_inputs").status == "fail"
    assert rep.check("control_zero_variance").status == "fail" and "price" in rep.check("control_zero_variance").reason


def test_raw_scale_inputs_warn_but_do_not_block_alone():
    rep = gate(*clean_panel(raw=True))
    c = rep.check("scale")
    assert c.status == "warn" and "raw units" in c.reason
    assert not rep.blocking


def test_geo_level_differences_are_not_collinearity():
    """Two channels that only share the geos' sizes (big geo spends more on both) are not duplicates."""
    rng = np.random.default_rng(3)
    size = np.array([1.0, 10.0, 100.0, 1000.0])
    spend = size[None, :, None] * rng.gamma(4.0, 0.25, size=(T, 4, C))
    kpi = size[None, :] * (1 + 0.1 * rng.standard_normal((T, 4)))
    rep = run_gate(spend, kpi, np.ones((T, 4), bool), rng.standard_normal((T, 4, 1)), NAMES, ["price"], 20, None)
    assert rep.check("duplicate_channels").status == "pass"
    assert rep.check("collinearity").status == "pass"


# ------------------------------------------------------------------------------------ seed-004 reproduction
def geometric_adstock(x: np.ndarray, alpha: np.ndarray, l_max: int = 8) -> np.ndarray:
    """x [T, G, C], alpha [S, C] → [S, T, G, C], normalised geometric weights (Jin et al. 2017)."""
    w = alpha[:, None, :] ** np.arange(l_max)[None, :, None]  # [S, L, C]
    w = w / w.sum(axis=1, keepdims=True)
    out = np.zeros((alpha.shape[0],) + x.shape)
    for lag in range(l_max):
        shifted = np.zeros_like(x)
        shifted[lag:] = x[: x.shape[0] - lag]
        out += w[:, lag, None, None, :] * shifted[None]
    return out


def jin_prior_predictive(spend, kpi_level, beta_scale, intercept, noise_sd, seed=4, s=200):
    """Prior predictive of a Jin-style MMM in numpy: logistic(lam · adstock(spend)), lam ~ Gamma(3, 1)
    (unit-scale half-point ≈ ln 3 / lam ≈ 0.4), beta ~ HalfNormal(beta_scale), KPI = intercept + Σ β f + ε."""
    rng = np.random.default_rng(seed)
    alpha = rng.beta(3.0, 3.0, size=(s, C))
    lam = rng.gamma(3.0, 1.0, size=(s, C))
    beta = np.abs(rng.normal(0.0, beta_scale, size=(s, C)))
    x = geometric_adstock(spend, alpha)
    features = np.tanh(lam[:, None, None, :] * x / 2.0)  # (1 - e^{-λx}) / (1 + e^{-λx})
    contribution = kpi_level * beta[:, None, None, :] * features
    icpt = kpi_level * rng.normal(intercept[0], intercept[1], size=(s, 1, 1))
    kpi = icpt + contribution.sum(-1) + kpi_level * noise_sd * rng.standard_normal((s,) + spend.shape[:2])
    return {"kpi": kpi, "media_contribution": contribution, "media_features": features}


def test_seed_004_unscaled_inputs_block_with_cause_and_fix():
    spend, kpi, mask, ctl = clean_panel(raw=True)  # spend ~1e4–1e6 per week, KPI ~1e6
    # Jin-style unscaled model: betas HalfNormal(1) in KPI units, intercept on the KPI's scale.
    pp = jin_prior_predictive(spend, kpi_level=1.0, beta_scale=1.0, intercept=(1e6, 2e5), noise_sd=1e5)
    rep = gate(spend, kpi, mask, ctl, pp=pp)
    c = rep.check("media_flat_under_prior")
    assert rep.blocking and c.status == "fail"
    assert c.details["all_channels"] and c.value == 1.0
    assert "raw units" in c.reason and "saturated from the first dollar" in c.reason  # the cause
    assert "intercept" in c.reason and "seed-004" in c.reason
    assert "scale spend by its mean" in c.reason and "half-point prior in spend units" in c.reason  # the fix
    # the same priors also say media cannot matter (β ≤ ~3 against KPI ~1e6)
    assert rep.check("prior_media_share").status == "warn"


def test_seed_004_same_data_scaled_by_mean_spend_passes():
    spend, kpi, mask, ctl = clean_panel(raw=True)
    scaled_spend = spend / spend.mean(axis=(0, 1), keepdims=True)
    scaled_kpi = kpi / kpi.mean()
    pp = jin_prior_predictive(scaled_spend, kpi_level=1.0, beta_scale=0.2, intercept=(1.0, 0.2), noise_sd=0.1)
    rep = gate(scaled_spend, scaled_kpi, mask, ctl, pp=pp)
    assert rep.check("media_flat_under_prior").status == "pass"
    assert not rep.blocking, rep.summary
    assert all(c.status == "pass" for c in rep.checks), [c.to_dict() for c in rep.checks if c.status != "pass"]
    # the flat check alone does not depend on the KPI's units
    pp_raw_kpi = jin_prior_predictive(scaled_spend, 1e6, 0.2, (1.0, 0.2), 0.1)
    assert gate(scaled_spend, kpi, mask, ctl, pp=pp_raw_kpi).check("media_flat_under_prior").status == "pass"


def test_media_stuck_at_zero_names_the_channel():
    """Spend in millions (~1e-2) with a half-point prior near 0.4: that channel never leaves zero."""
    spend, kpi, mask, ctl = clean_panel()
    spend[..., 1] *= 1e-5
    pp = jin_prior_predictive(spend, 1.0, 0.2, (1.0, 0.2), 0.1)
    c = gate(spend, kpi, mask, ctl, pp=pp).check("media_flat_under_prior")
    assert c.status == "fail" and c.details["channels"] == ["search"] and not c.details["all_channels"]
    assert "stuck at zero" in c.reason


def test_prior_kpi_range_and_negative_mass():
    spend, kpi, mask, ctl = clean_panel()
    far = jin_prior_predictive(spend, 1.0, 0.2, (1000.0, 10.0), 0.1)  # prior KPI ~1000× observed
    assert gate(spend, kpi, mask, ctl, pp=far).check("prior_kpi_range").status == "warn"
    negative = jin_prior_predictive(spend, 1.0, 0.2, (0.0, 1.0), 0.1)  # intercept centred on 0
    assert gate(spend, kpi, mask, ctl, pp=negative).check("prior_negative_kpi").status == "warn"


def test_prior_media_share_too_high():
    spend, kpi, mask, ctl = clean_panel()
    pp = jin_prior_predictive(spend, 1.0, 5.0, (0.1, 0.01), 0.01)  # media dwarf the intercept
    c = gate(spend, kpi, mask, ctl, pp=pp).check("prior_media_share")
    assert c.status == "warn" and c.value > 0.9 and "no room for a baseline" in c.reason
