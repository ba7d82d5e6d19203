"""Fit-quality checks of the post-fit health review: how well the posterior-mean prediction matches the KPI in
sample (R², MAPE, Durbin–Watson on the residuals) and on the held-out periods, and whether the baseline left after
media stays positive (thresholds in ``mmm_core.fit.review``'s docstring, each justified where it is used)."""

from __future__ import annotations

import math

import numpy as np

from mmm_core.fit.checks import Check, Status, _json_float, by_threshold


def split_cells(mask: np.ndarray, holdout_mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """``(in_sample, held_out)`` boolean ``[T, G]``: observed cells outside / inside the declared holdout."""
    mask = np.asarray(mask, dtype=bool)
    hold = np.zeros(mask.shape[0], bool) if holdout_mask is None else np.asarray(holdout_mask, dtype=bool)
    return mask & ~hold[:, None], mask & hold[:, None]


def _mape(y: np.ndarray, yhat: np.ndarray, cells: np.ndarray) -> float:
    """Mean absolute percentage error over ``cells``. Cells with |y| under 1 % of the mean |y| are skipped: a
    percentage error against a near-zero KPI is not a measure of fit, just a division by almost nothing."""
    yc, pc = y[cells], yhat[cells]
    ok = np.abs(yc) > 0.01 * np.mean(np.abs(yc)) if yc.size else np.zeros(0, bool)
    return float(np.mean(np.abs(yc[ok] - pc[ok]) / np.abs(yc[ok]))) if ok.any() else math.nan


def check_r2(y: np.ndarray, yhat: np.ndarray, cells: np.ndarray) -> Check:
    """In-sample R² of the posterior-mean prediction. Weekly MMMs of a reasonably specified KPI usually explain
    well over half the variance (≥ 0.5 pass); below 0.1 the model is effectively an intercept — e.g. the
    seed-004 failure — and any decomposition of sales into channels is meaningless (fail). With geos, R² is over
    all geo-periods and so includes between-geo variance."""
    thr = "pass ≥ 0.5, warn ≥ 0.1, fail below"
    yc, pc = y[cells], yhat[cells]
    ss_tot = float(np.sum((yc - yc.mean()) ** 2)) if yc.size else 0.0
    if ss_tot <= 0:
        return Check("r2", "warn", None, thr, "R² is undefined: the KPI does not vary over the fitted cells.")
    v = 1.0 - float(np.sum((yc - pc) ** 2)) / ss_tot
    status = by_threshold(v, v >= 0.5, v >= 0.1)
    reasons = {
        "pass": f"The model explains {v:.0%} of the KPI's variation in the fitted periods.",
        "warn": f"The model explains only {v:.0%} of the KPI's variation; effects may be absorbed by noise or "
        "missing drivers — consider trend, seasonality, events or controls.",
        "fail": f"The model explains almost none of the KPI's variation (R² {v:.2f}); it behaves like an "
        "intercept-only model, so channel contributions are not meaningful. Check data scaling and the "
        "pre-fit gate, and add missing drivers.",
    }
    return Check("r2", status, v, thr, reasons[status])


def check_mape(y: np.ndarray, yhat: np.ndarray, cells: np.ndarray) -> Check:
    """In-sample MAPE. ≤ 15 % is typical of a usable weekly MMM; above 50 % the model's average miss is half the
    KPI itself, so it does not describe the data it decomposes."""
    thr = "pass ≤ 0.15, warn ≤ 0.5, fail above"
    v = _mape(y, yhat, cells)
    if not math.isfinite(v):
        return Check("mape", "warn", None, thr, "MAPE is undefined: the KPI is zero or near zero everywhere.")
    status = by_threshold(v, v <= 0.15, v <= 0.5)
    reasons = {
        "pass": f"Average in-sample error {v:.1%} of the KPI.",
        "warn": f"Average in-sample error {v:.1%} of the KPI is large; look for missing drivers or outliers.",
        "fail": f"Average in-sample error {v:.1%} of the KPI: the model does not describe the data.",
    }
    return Check("mape", status, v, thr, reasons[status])


def durbin_watson(resid: np.ndarray, cells: np.ndarray) -> float:
    """Durbin–Watson over time within each geo, pooled: Σ (e_t − e_{t−1})² / Σ e_t², using only pairs of
    consecutive observed periods (a gap in a ragged panel is not a lag)."""
    e = np.where(cells, resid, 0.0)
    pairs = cells[1:] & cells[:-1]
    num = float(np.sum(np.where(pairs, (e[1:] - e[:-1]) ** 2, 0.0)))
    den = float(np.sum(e**2))
    return num / den if den > 0 else math.nan


def check_durbin_watson(y: np.ndarray, yhat: np.ndarray, cells: np.ndarray) -> Check:
    """DW ≈ 2 for independent residuals; outside 1.5–2.5 (the customary band) residuals carry structure in
    time. That biases nothing by itself but means something time-shaped is missing and can leak into media."""
    thr = "pass 1.5–2.5, else warn"
    v = durbin_watson(y - yhat, cells)
    if not math.isfinite(v):
        return Check("durbin_watson", "warn", None, thr, "Durbin–Watson could not be computed (no residuals).")
    status: Status = "pass" if 1.5 <= v <= 2.5 else "warn"
    if status == "pass":
        reason = f"Residuals look uncorrelated in time (DW {v:.2f})."
    elif v < 1.5:
        reason = (
            f"Residuals are positively autocorrelated (DW {v:.2f}): a slow-moving driver is missing — "
            "add or loosen trend / seasonality, or allow longer adstock; media may be absorbing it."
        )
    else:
        reason = (
            f"Residuals alternate in sign (DW {v:.2f}): the model over-reacts period to period — check "
            "for over-fitted controls or a data frequency mismatch."
        )
    return Check("durbin_watson", status, v, thr, reason)


def check_holdout_mape(y: np.ndarray, yhat: np.ndarray, hold: np.ndarray, in_mape: float) -> Check:
    """Out-of-sample MAPE on the declared holdout, against in-sample MAPE. Some degradation is normal; more than
    1.5× (or above 15 % in absolute terms, whichever is larger) suggests over-fitting, more than 3× (or 30 %)
    that the model does not generalise and its counterfactuals should not be trusted."""
    v = _mape(y, yhat, hold)
    if not math.isfinite(v):
        return Check("holdout_mape", "warn", None, "n/a", "Holdout MAPE is undefined: the KPI is near zero there.")
    base = in_mape if math.isfinite(in_mape) else 0.0
    p_thr, w_thr = max(1.5 * base, 0.15), max(3.0 * base, 0.30)
    thr = f"pass ≤ {p_thr:.3f} (max(1.5 × in-sample, 0.15)), warn ≤ {w_thr:.3f} (max(3 ×, 0.30)), fail above"
    status = by_threshold(v, v <= p_thr, v <= w_thr)
    reasons = {
        "pass": f"Holdout error {v:.1%} vs in-sample {base:.1%}: the model generalises.",
        "warn": f"Holdout error {v:.1%} vs in-sample {base:.1%}: some over-fitting; prefer simpler structure "
        "or stronger priors.",
        "fail": f"Holdout error {v:.1%} vs in-sample {base:.1%}: the model does not predict unseen periods; "
        "do not trust its counterfactuals. Simplify, or check for a structural break in the holdout.",
    }
    return Check("holdout_mape", status, v, thr, reasons[status], {"in_sample_mape": _json_float(in_mape)})


def check_negative_baseline(baseline_draws: np.ndarray, cells: np.ndarray) -> Check:
    """The baseline (KPI without media) should not be negative: a negative baseline means media are credited with
    more than all of sales. P(mean baseline < 0) > 50 % — more likely negative than not — fails; above 5 %, or
    with more than 10 % of periods having a negative posterior-median baseline, warns."""
    thr = "pass P ≤ 0.05 and ≤ 10 % of periods negative; fail P > 0.5; else warn"
    b = np.asarray(baseline_draws, dtype=float)
    n = max(int(cells.sum()), 1)
    mean_per_draw = np.where(cells[None], b, 0.0).sum(axis=(1, 2)) / n
    p = float(np.mean(mean_per_draw < 0))
    share = float(np.mean(np.median(b, axis=0)[cells] < 0)) if cells.any() else 0.0
    status: Status = "fail" if p > 0.5 else ("pass" if p <= 0.05 and share <= 0.10 else "warn")
    reasons = {
        "pass": f"Baseline is positive (P(mean < 0) = {p:.0%}; {share:.0%} of periods negative).",
        "warn": f"Baseline is sometimes negative (P(mean < 0) = {p:.0%}; {share:.0%} of periods): media may be "
        "over-credited. Consider tighter media priors, a trend, or an intercept prior away from zero.",
        "fail": f"Baseline is probably negative (P(mean < 0) = {p:.0%}): media are credited with more than total "
        "sales, which is impossible. Tighten media priors (ROI-scale priors), add trend/seasonality/controls.",
    }
    return Check("negative_baseline", status, p, thr, reasons[status], {"share_periods_negative": share})
