"""The VAR-X of the long-term model (engine.bvar) and the rules on its draws (effects.long_term, fit.long_term):
stability per draw, impulse responses against hand-computed ones, explosive draw sets reported and never
summarised as an ROI, the plausibility bounds. Slow: recovery of a known VAR's cumulative response.
"""

from __future__ import annotations

import numpy as np
import pytest

from mmm_core.effects.long_term import LongTermDraws, long_term_table
from mmm_core.engine.bvar import (
    MinnesotaPrior,
    VARDraws,
    VARInputs,
    VARSettings,
    fit_var,
    impulse_responses,
    max_modulus,
    prior_moments,
)
from mmm_core.fit.long_term import plausibility_check, stability_check

A_TRUE = np.array([[0.5, 0.2, 0.1], [0.0, 0.8, 0.0], [0.0, 0.15, 0.7]])
B_TRUE = np.array([[0.0, 0.0], [0.5, 0.1], [0.0, 0.3]])


def _var_draws(a: np.ndarray, b: np.ndarray, difference: bool = False) -> VARDraws:
    s = a.shape[0]
    n = a.shape[2]
    return VARDraws(a, b, np.ones((s, n)), np.zeros(s, int), max_modulus(a), np.zeros(n), np.ones(n), difference, {})


def test_prior_is_tighter_across_series_and_for_later_lags():
    mean, sd = prior_moments(MinnesotaPrior(0.5, 0.2, 0.5, 1.0, 0.5), 2, 3)
    assert np.allclose(np.diag(mean[0]), 0.5) and mean[1].sum() == 0 and mean[0][0, 1] == 0
    assert sd[0][0, 0] == pytest.approx(0.2) and sd[0][0, 1] == pytest.approx(0.1) and sd[1][0, 0] == pytest.approx(0.1)


def test_companion_modulus_flags_an_explosive_draw():
    stable = A_TRUE[None, None]  # one lag
    explosive = (A_TRUE + np.eye(3) * 0.35)[None, None]  # own roots 0.85..1.15
    assert max_modulus(stable)[0] < 1 <= max_modulus(explosive)[0]
    two_lags = np.array([[[[0.6]], [[0.5]]]])  # y = 0.6 y[-1] + 0.5 y[-2]: root 1.05
    assert max_modulus(two_lags)[0] > 1


def test_impulse_response_matches_the_recursion():
    a = np.stack([A_TRUE[None], 0.1 * np.eye(3)[None]], axis=1)  # [1, 2 lags, 3, 3]
    draws = _var_draws(a, B_TRUE[None])
    pulse = np.array([[[1.0, 0.0], [0.5, 1.0]]])  # [S=1, L=2, C=2]
    got = impulse_responses(draws, pulse, 6)[0]
    want, x = np.zeros((6, 3, 2)), np.zeros((6, 2))
    x[:2] = pulse[0]
    for h in range(6):
        want[h] = B_TRUE * x[h][None, :]
        for lag in range(min(2, h)):
            want[h] += a[0, lag] @ want[h - lag - 1]
    np.testing.assert_allclose(got, want, atol=1e-12)
    cumulated = impulse_responses(_var_draws(a, B_TRUE[None], difference=True), pulse, 6)[0]
    np.testing.assert_allclose(cumulated, np.cumsum(want, axis=0), atol=1e-12)


def _lt(explosive_share: float, long_scale: float = 0.5, short: float = 1.0, decay: float = 0.5) -> LongTermDraws:
    rng = np.random.default_rng(0)
    s, h = 400, 24
    modulus = np.where(np.arange(s) < explosive_share * s, 1.2, 0.8)
    irf = np.zeros((s, h, 3, 1), np.float32)
    irf[:, :, 0, 0] = long_scale * (1 - decay) * decay ** np.arange(h)
    long = irf[:, :, 0, :].sum(axis=1) + rng.normal(0, 0.02, (s, 1))
    long[modulus > 1] = 1e6  # an explosive draw's "ROI": must never reach a summary
    return LongTermDraws(
        ("TV",), ("base_sales", "A", "C"), h, long, np.full((s, 1), short), irf, modulus, np.zeros(s, int),
        np.zeros(1, int), {"max_rhat": 1.0},
    )  # fmt: skip


def test_explosive_draws_are_excluded_and_counted():
    table = long_term_table(_lt(0.1), 0.9, "equal_tailed")
    assert table["stability"]["explosive_draws"] == 40 and table["stability"]["explosive_share"] == pytest.approx(0.1)
    tv = table["channels"]["TV"]
    assert tv["summarised"] and tv["long_roi"]["hi"] < 1.0  # the 1e6 draws were left out
    assert tv["total_roi"]["mean"] == pytest.approx(tv["short_roi"]["mean"] + tv["long_roi"]["mean"], rel=1e-6)
    assert stability_check(_lt(0.1)).status == "warn" and stability_check(_lt(0.0)).status == "pass"


def test_a_mostly_explosive_draw_set_is_never_summarised_as_an_roi():
    lt = _lt(0.7)
    table = long_term_table(lt, 0.9, "equal_tailed")
    tv = table["channels"]["TV"]
    assert tv["summarised"] is False and "long_roi" not in tv and "70%" in tv["reason"]
    check = stability_check(lt)
    assert check.status == "fail" and "no long-term ROI is reported" in check.reason


def test_implausible_long_term_roi_fails_the_review():
    assert plausibility_check(_lt(0.0, long_scale=0.5)).status == "pass"
    big = plausibility_check(_lt(0.0, long_scale=30.0))  # 30x the short-term ROI of 1
    assert big.status == "fail" and "30x" in big.reason and "TV" in big.reason
    flat = plausibility_check(_lt(0.0, long_scale=0.5, decay=0.99))  # still near its peak after 24 periods
    assert flat.status == "fail" and "does not decay" in flat.reason


def test_a_credibly_negative_long_term_roi_is_flagged_as_not_a_brand_effect():
    # A quick fit of the brand demo gave Search -8.1 [-18.0, -0.5] against a true 0: the VAR had absorbed the
    # trend Search's spend follows. Such a number is a warning, never a silent pass.
    negative = plausibility_check(_lt(0.0, long_scale=-0.5))
    assert negative.status == "warn" and "credibly below zero" in negative.reason and "TV" in negative.reason
    assert plausibility_check(_lt(0.0, long_scale=-0.01)).status == "pass"  # interval includes zero: no claim


def _simulated(k: int, seed: int = 0, sparse: bool = False) -> tuple[VARInputs, np.ndarray]:
    rng = np.random.default_rng(seed)
    t_n = 156
    x = rng.gamma(2.0, 0.5, (t_n, 2))
    y = np.zeros((t_n, 3))
    for t in range(1, t_n):
        y[t] = A_TRUE @ y[t - 1] + B_TRUE @ x[t] + rng.normal(0, 0.3, 3)
    ys = np.repeat(y[None], k, 0) + rng.normal(0, 0.05, (k, t_n, 1)) * np.array([1.0, 0, 0])  # step-1 spread
    if sparse:
        ys[:, np.arange(t_n) % 4 != 0, 1:] = np.nan
    truth = np.zeros((24, 3, 2))
    for h in range(24):
        truth[h] = (B_TRUE if h == 0 else 0) + (A_TRUE @ truth[h - 1] if h else 0)
    return VARInputs(ys, np.repeat(x[None], k, 0), np.ones((t_n, 1)), ("sales", "A", "C"), ("TV", "R")), truth


def test_gaps_are_refused_where_they_cannot_be_modelled():
    inputs, _ = _simulated(2, sparse=True)
    settings = VARSettings(2, MinnesotaPrior(0.5, 0.2, 0.5, 1.0, 0.5), difference=True)
    with pytest.raises(ValueError, match="differenced VAR needs every period"):
        fit_var(inputs, settings)
    ragged = inputs.y.copy()
    ragged[1, 0, 0] = np.nan  # one imputation missing a cell the other has
    with pytest.raises(ValueError, match="same in every imputation"):
        VARInputs(ragged, inputs.media, inputs.det, inputs.series, inputs.channels)


@pytest.mark.slow
def test_var_recovers_the_cumulative_response_of_a_known_system():
    """Weekly metrics, 4 imputations: the 90% interval of each channel's cumulative sales response covers the
    truth (TV 1.24, R 0.45 in sales units per unit of x), and the sampler converges (R-hat < 1.05)."""
    inputs, truth = _simulated(4)
    draws = fit_var(inputs, VARSettings(2, MinnesotaPrior(0.5, 0.3, 0.5, 1.0, 0.5), warmup=400, draws=300))
    lo, hi = _cumulative_band(draws)
    assert np.all((lo <= truth[:, 0].sum(0)) & (truth[:, 0].sum(0) <= hi)), (lo, hi, truth[:, 0].sum(0))
    assert draws.diagnostics["max_rhat"] < 1.05 and draws.explosive.mean() == 0


@pytest.mark.slow
def test_a_monthly_survey_converges_and_still_detects_the_effect():
    """The same system with the metrics seen one week in four (gaps non-centred, engine.bvar): the sampler
    converges and TV's effect is still detected (90% interval above 0). Not asserted: coverage. Measured (seed 0):
    TV's interval [0.28, 1.17] misses the truth 1.24 — with 75% of the metric weeks missing, the Minnesota prior
    (cross lags shrunk toward 0) pulls the awareness → sales path down. Shrinkage toward *no* long-term effect is
    the prior's purpose; a survey-only design understates long-term effects, and the README says so."""
    inputs, _ = _simulated(4, sparse=True)
    draws = fit_var(inputs, VARSettings(2, MinnesotaPrior(0.5, 0.3, 0.5, 1.0, 0.5), warmup=400, draws=300))
    lo, _ = _cumulative_band(draws)
    assert draws.diagnostics["max_rhat"] < 1.05 and draws.explosive.mean() == 0
    assert lo[0] > 0, lo


def _cumulative_band(draws: VARDraws) -> tuple[np.ndarray, np.ndarray]:
    """90% interval of each channel's sales response to one unit of x in period 0, cumulated over 24 periods."""
    pulse = np.zeros((draws.A.shape[0], 1, 2))
    pulse[:, 0] = 1.0
    cum = (impulse_responses(draws, pulse, 24) * draws.scale[None, None, :, None])[:, :, 0].sum(axis=1)
    return np.quantile(cum, 0.05, axis=0), np.quantile(cum, 0.95, axis=0)
