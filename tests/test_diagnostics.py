"""Post-fit health review: each check fires on a posterior/prediction built to trip it and passes when healthy."""

from __future__ import annotations

import json

import arviz as az
import numpy as np
import pytest

from mmm_core.fit.review import APPROXIMATE_REASON, durbin_watson, review_fit

CH, DR, T, G = 4, 500, 104, 2
NAMES = ["tv", "search"]


def healthy_posterior(seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {
        "posterior": {"beta": rng.normal(1.0, 0.1, (CH, DR, 2)), "sigma": np.abs(rng.normal(1, 0.1, (CH, DR)))},
        "sample_stats": {"diverging": np.zeros((CH, DR), bool), "energy": rng.standard_normal((CH, DR))},
    }


def healthy_fit(seed: int = 0, s: int = 200):
    """KPI ~ 100 with white noise; predictions = truth + small draw noise, so R² is high and DW ≈ 2."""
    rng = np.random.default_rng(seed)
    truth = 100 + 10 * np.sin(np.arange(T) / 8.0)[:, None] + np.zeros((T, G))
    y = truth + rng.normal(0, 2, (T, G))
    pred = truth[None] + rng.normal(0, 2, (s, T, G))
    return y, pred, np.ones((T, G), bool)


SPEND = np.full(2, 10.0 * T * G)  # 10 per cell against a KPI of ~100: ROI 1 on both is a 20 % media share


def review(
    post=None, y=None, pred=None, mask=None, holdout=None, baseline=None, roi=None, approximate=False, prior=None
):
    y0, p0, m0 = healthy_fit()
    return review_fit(
        healthy_posterior() if post is None else post,
        y0 if y is None else y,
        p0 if pred is None else pred,
        m0 if mask is None else mask,
        holdout,
        baseline,
        roi,
        NAMES,
        approximate=approximate,
        spend_total=SPEND,
        roi_prior=prior,
    )


def test_healthy_fit_passes_and_serialises():
    rng = np.random.default_rng(1)
    rep = review(baseline=60 + rng.normal(0, 5, (200, T, G)), roi=rng.lognormal(0, 0.3, (200, 2)))
    assert rep.overall == "pass", [c.to_dict() for c in rep.checks if c.status != "pass"]
    names = [c.name for c in rep.checks]
    assert names == [
        "max_rhat",
        "min_bulk_ess",
        "min_tail_ess",
        "divergences",
        "bfmi",
        "r2",
        "mape",
        "durbin_watson",
        "negative_baseline",
        "implausible_roi",
    ]
    d = json.loads(json.dumps(rep.to_dict()))
    assert d["overall"] == "pass" and d["checks"][0]["name"] == "max_rhat"


def test_stuck_chains_fail_rhat_and_name_the_parameter():
    post = healthy_posterior()
    post["posterior"]["beta"][:, :, 1] = np.arange(CH)[:, None] + 0.01 * np.random.default_rng(2).standard_normal(
        (CH, DR)
    )  # each chain stuck near a different value
    rep = review(post=post)
    c = rep.check("max_rhat")
    assert c.status == "fail" and c.value > 1.05 and c.details["worst"] == "beta[1]"
    assert "not converged" in c.reason and rep.overall == "fail"


def test_chains_stuck_at_exact_constants_fail_not_skip():
    post = healthy_posterior()
    post["posterior"]["beta"][:, :, 0] = np.arange(CH)[:, None] * 1.0
    assert review(post=post).check("max_rhat").status == "fail"


def test_mild_rhat_warns():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((CH, DR)) + np.array([0.0, 0.0, 0.0, 0.5])[:, None]  # one chain slightly off
    rep = review(post={"a": x})
    assert rep.check("max_rhat").status == "warn"


def test_low_ess_from_autocorrelated_chains():
    rng = np.random.default_rng(4)
    x = np.zeros((CH, DR))
    for t in range(1, DR):  # AR(1) with rho = 0.98: ESS ≈ 2000 × 0.01 = 20
        x[:, t] = 0.98 * x[:, t - 1] + rng.standard_normal(CH)
    rep = review(post={"a": x})
    assert rep.check("min_bulk_ess").status == "fail" and rep.check("min_bulk_ess").value < 100
    assert rep.check("min_tail_ess").status in ("warn", "fail")
    # no sample stats in a plain dict: divergences and BFMI say they cannot be assessed
    assert rep.check("divergences").status == "warn" and rep.check("divergences").value is None


@pytest.mark.parametrize(("n_div", "status"), [(0, "pass"), (5, "warn"), (100, "fail")])
def test_divergences(n_div, status):
    post = healthy_posterior()
    post["sample_stats"]["diverging"].flat[:n_div] = True  # 2000 draws: 5 = 0.25 %, 100 = 5 %
    c = review(post=post).check("divergences")
    assert c.status == status and c.value == n_div


def test_low_bfmi_warns():
    post = healthy_posterior()
    post["sample_stats"]["energy"] = np.cumsum(np.random.default_rng(5).standard_normal((CH, DR)), axis=1)
    c = review(post=post).check("bfmi")
    assert c.status == "warn" and c.value < 0.3


def test_arviz_datatree_input_matches_dict_input():
    post = healthy_posterior()
    dt = az.from_dict(post)
    a, b = review(post=dt), review(post=post)
    for name in ("max_rhat", "min_bulk_ess", "divergences", "bfmi"):
        assert a.check(name).value == pytest.approx(b.check(name).value)


def test_autocorrelated_residuals_warn_on_durbin_watson():
    rng = np.random.default_rng(6)
    y, pred, mask = healthy_fit()
    drift = np.cumsum(rng.normal(0, 2, (T, G)), axis=0)  # a missing slow driver
    rep = review(y=y + drift, pred=pred)
    c = rep.check("durbin_watson")
    assert c.status == "warn" and c.value < 1.5 and "trend" in c.reason
    assert review().check("durbin_watson").status == "pass"


def test_durbin_watson_skips_gaps_in_ragged_panels():
    e = np.tile(np.array([1.0, -1.0]), 10)[:, None]  # alternating: DW ≈ 4
    full = np.ones((20, 1), bool)
    gaps = full.copy()
    gaps[1::2] = False  # only the +1s observed, never adjacent: no pairs, numerator 0
    assert durbin_watson(e, full) > 3.5
    assert durbin_watson(e, gaps) == 0.0


def test_poor_fit_fails_r2_and_mape():
    y, pred, mask = healthy_fit()
    flat = np.full_like(pred, y.mean())  # intercept-only model (seed-004 outcome)
    rep = review(pred=flat)
    assert rep.check("r2").status == "fail" and "intercept" in rep.check("r2").reason
    bad = review(pred=pred * 0.2)
    assert bad.check("mape").status == "fail"


def test_holdout_mape_reported_only_when_declared():
    assert "holdout_mape" not in [c.name for c in review().checks]
    hold = np.zeros(T, bool)
    hold[-12:] = True
    ok = review(holdout=hold).check("holdout_mape")
    assert ok.status == "pass" and ok.details["in_sample_mape"] is not None
    y, pred, mask = healthy_fit()
    pred = pred.copy()
    pred[:, -12:] *= 1.5  # forecasts 50 % too high in the holdout
    c = review(pred=pred, holdout=hold).check("holdout_mape")
    assert c.status == "fail" and c.value > 0.3
    # the holdout is excluded from in-sample fit measures
    assert review(pred=pred, holdout=hold).check("mape").status == "pass"


def test_negative_baseline():
    rng = np.random.default_rng(7)
    neg = -20 + rng.normal(0, 5, (200, T, G))
    c = review(baseline=neg).check("negative_baseline")
    assert c.status == "fail" and c.value == 1.0 and "more than total sales" in c.reason
    wave = 20 * np.sin(np.arange(T) / 8.0)[None, :, None]
    some = 5 + wave + rng.normal(0, 2, (200, T, G))  # positive on average, negative in many periods
    assert review(baseline=some).check("negative_baseline").status == "warn"


def test_implausible_roi_names_the_channel():
    """Judged against the data, not a fixed number: search's ROI 35 on a spend of 10 per cell of a KPI of ~100
    would be 3.5× the whole KPI (fail, naming search); tv's ROI ~5 against a prior of median 0.5, log-sd 0.5 is a
    prior–data conflict (warn, naming tv)."""
    rng = np.random.default_rng(8)
    roi = np.column_stack([rng.lognormal(0, 0.3, 400), rng.lognormal(np.log(35), 0.2, 400)])
    c = review(roi=roi).check("implausible_roi")
    assert c.status == "fail" and "search" in c.reason and "tv" not in c.reason.split("(")[1].split(")")[0]
    assert c.value > 1 and "more than all of it" in c.reason
    wide = np.column_stack([rng.lognormal(np.log(5), 0.3, 400), rng.lognormal(0, 0.3, 400)])
    prior = [{"median": 0.5, "log_sd": 0.5}, {"median": 1.0, "log_sd": 1.0}]
    w = review(roi=wide, prior=prior).check("implausible_roi")
    assert w.status == "warn" and "tv" in w.reason and "search" not in w.reason


def test_large_roi_in_kpi_units_passes():
    """The small_business false alarm: a large ROI (35) on a small spend is plausible when the share of the KPI it
    implies is modest (35 × 0.1 per cell / ~100 = 3.5 %) and the prior allowed it."""
    rng = np.random.default_rng(9)
    roi = np.column_stack([rng.lognormal(0, 0.3, 400), rng.lognormal(np.log(35), 0.2, 400)])
    y0, p0, m0 = healthy_fit()
    c = review_fit(
        healthy_posterior(), y0, p0, m0, None, None, roi, NAMES, spend_total=np.array([10.0, 0.1]) * T * G
    ).check("implausible_roi")
    assert c.status == "pass" and c.value < 0.3, c.reason


def test_roi_check_without_units_does_not_pass_blind():
    rng = np.random.default_rng(10)
    y0, p0, m0 = healthy_fit()
    c = review_fit(healthy_posterior(), y0, p0, m0, None, None, rng.lognormal(0, 0.3, (200, 2)), NAMES)
    assert c.check("implausible_roi").status == "warn" and "not judged" in c.check("implausible_roi").reason


def test_approximate_fit_labels_mcmc_checks():
    rep = review(post={}, approximate=True)
    for name in ("max_rhat", "min_bulk_ess", "min_tail_ess", "divergences", "bfmi"):
        c = rep.check(name)
        assert c.status == "warn" and c.reason == APPROXIMATE_REASON and c.value is None
    assert rep.approximate and rep.overall == "warn" and "approximate" in rep.summary
    assert rep.check("r2").status == "pass"


def test_single_chain_uses_split_halves():
    rng = np.random.default_rng(9)
    ok = review(post={"a": rng.standard_normal((1, 1000))}).check("max_rhat")
    assert ok.status == "pass"
    drift = review(post={"a": np.linspace(0, 5, 1000)[None] + rng.standard_normal((1, 1000))}).check("max_rhat")
    assert drift.status == "fail"
