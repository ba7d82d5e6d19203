"""What a lift test of one channel would tell us, before running it: the design, its precision, and the expected
posterior of the channel's ROI after it (a preposterior analysis on the fit's own draws — no refit).

**Design** (:func:`design_for`). The test is simulated on the ``periods``-period window of the data in which the
channel spent the most, among those that leave room for its whole carry-over (``l_max`` − 1 later periods) — so
the predicted lift counts what a real test measuring its post-period would, and a go-dark withholds as much as the
channel ever runs (a go-dark in a quiet stretch withholds little and reads little: on a season-confounded channel
the most recent window was a seasonal trough that withheld a quarter of its usual spend). Run the real test at a
comparable spend level. Its cell: every geography for national data or a national
regressor; in a geo panel a *holdout set* — every other geography by the channel's spend in the window (about half
the geos, each size represented), the rest being the control. The spend change withholds what the cell spent in the
window (a go-dark or geo holdout: the design the README recommends, since it measures the average, not the
marginal, return); a channel that spent nothing there gets a heavy-up of +50 % of its mean spend instead.

**Precision.** The measured lift is the cell's KPI over the measured periods against a counterfactual — control
geos or a forecast — that is at least as noisy as the cell itself, so its standard error is
``√2 × sqrt(Σ over measured periods and cell geos of σ_g²)`` with σ_g the KPI noise sd the fit estimated (posterior
mean, KPI units; for a multiplicative model σ × the predicted KPI level; Student-t noise its sd). That is a design
floor: a real test with fewer periods, a poorer control or a shorter read-out is less precise.

**Preposterior** (:func:`preposterior`). For each of ``sims`` simulated tests: pick a posterior draw as the truth,
measure its predicted lift with the design's error, and reweight every draw by that measurement's likelihood
(importance reweighting: the posterior after the test, up to the draws' resolution). The expected posterior sd and
90 % interval width of the channel's ROI after the test are the averages over the simulated tests. When the test
is so precise that few draws carry the weight (median effective draws < ``MIN_ESS``) the reweighted figures are
too noisy to rank on; the linear-Gaussian preposterior (ROI regressed on the lift over the draws:
``var_after = var(ROI) − cov(ROI, lift)² / (var(lift) + se²)``) is used instead and the method says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmm_core.effects.draws import draw_chunks, sub_posterior
from mmm_core.errors import MMMError

HEAVY_UP = 0.5  # a dark channel is tested by +50 % of its mean spend: large enough to read, small enough to run
SIMS = 400  # simulated tests per channel: the expected width's Monte Carlo error is ~1–2 % of it
MIN_ESS = 30.0
LEVEL = 0.9


@dataclass(frozen=True, eq=False)
class LiftDesign:
    """One suggested test, in the data's indices. ``change`` [T, G] the spend change per period and geography
    (money; negative withholds spend); ``cell`` [G] the geographies tested; the lift counts periods
    ``start`` … ``until`` (the window and its carry-over) in the cell."""

    channel: str
    c: int
    kind: str  # go-dark | geo holdout | heavy-up
    geographies: tuple[str, ...]
    start: int
    end: int
    until: int
    change: np.ndarray
    cell: np.ndarray

    @property
    def spend_change(self) -> float:
        return float(self.change.sum())

    def geo_spend(self) -> tuple[float, ...]:
        """Per geography the total change over the window (``engine.config.ExperimentConfig.spend``)."""
        return tuple(float(x) for x in self.change.sum(axis=0))


@dataclass(frozen=True)
class Preposterior:
    """The channel's ROI now and what a test of the design is expected to leave (ROI in KPI per spend unit)."""

    roi_median: float
    interval_before: tuple[float, float]
    sd_before: float
    expected_sd_after: float
    expected_width_after: float
    lift_predicted: float
    lift_sd: float
    lift_se: float
    effective_draws: float
    method: str  # importance reweighting | linear-Gaussian

    @property
    def width_before(self) -> float:
        return self.interval_before[1] - self.interval_before[0]

    @property
    def narrowing(self) -> float:
        """Expected share of the ROI interval the test removes. Floored at 0: evidence cannot widen the posterior in
        expectation (for the variance that is the law of total variance); a small negative value is simulation
        noise of a test that tells nothing."""
        return max(0.0, 1.0 - self.expected_width_after / self.width_before) if self.width_before > 0 else 0.0


def _l_max(config, c: int, n_c: int) -> int:
    return int(config.channel_l_max[c]) if config.channel_l_max else int(config.l_max)


def design_for(post, c: int, periods: int) -> LiftDesign:
    """The suggested test of channel ``c`` over ``periods`` periods (see the module docstring)."""
    spend = np.asarray(post.data.spend, np.float64)
    n_t, n_g, n_c = spend.shape
    carry = _l_max(post.config, c, n_c) - 1
    last_start = n_t - carry - periods  # the latest window whose carry-over still lies inside the data
    if periods < 1 or last_start < 0:
        raise MMMError(
            f"A {periods}-period test of {post.data.channels[c]!r} plus its {carry}-period carry-over does not fit "
            f"in the {n_t} periods of the data.",
            "Ask for a shorter test (--weeks N, N ≥ 1).",
            code="invalid_test_design",
        )
    start = _busiest_window(spend[..., c].sum(axis=1), periods, last_start)
    end = start + periods - 1
    national = bool(np.asarray(post.config.per_channel("national", n_c), bool)[c])
    cell = _cell(spend[start : end + 1, :, c], national)
    change = np.zeros((n_t, n_g))
    window = spend[start : end + 1, :, c] * cell
    if window.sum() > 0:
        change[start : end + 1] = -window
        kind = "go-dark" if cell.all() else "geo holdout"
    else:
        mean = spend[..., c].mean(axis=0) * cell  # [G] mean spend per period of each cell geography
        if mean.sum() <= 0:
            raise MMMError(
                f"{post.data.channels[c]!r} has no spend in the data: the model has no ROI to test.",
                "Leave the channel out of the test plan.",
                code="channel_without_spend",
            )
        change[start : end + 1] = HEAVY_UP * mean
        kind = "heavy-up"
    geos = ("all",) if cell.all() else tuple(g for g, m in zip(post.data.geos, cell, strict=True) if m)
    return LiftDesign(post.data.channels[c], c, kind, geos, start, end, end + carry, change, cell)


def _busiest_window(spend: np.ndarray, periods: int, last_start: int) -> int:
    """First period of the window with the most spend (the latest of equals), among starts 0 … ``last_start``."""
    totals = np.convolve(spend, np.ones(periods), mode="valid")[: last_start + 1]
    return int(last_start - np.argmax(totals[::-1]))


def _cell(window: np.ndarray, national: bool) -> np.ndarray:
    """Geographies tested: all of them (one geo, or a national regressor that cannot be held out by geo), else
    every other one ranked by the channel's spend in the window — the holdout set mirrors the control in size."""
    n_g = window.shape[1]
    if n_g == 1 or national:
        return np.ones(n_g, bool)
    order = np.argsort(-window.sum(axis=0), kind="stable")
    cell = np.zeros(n_g, bool)
    cell[order[::2]] = True
    return cell


def lift_draws(post, design: LiftDesign) -> np.ndarray:
    """[S] the model's predicted lift of the design per draw: the KPI with the spend change minus without it,
    summed over the cell and the measured periods (the engine's counterfactual, carry-over included)."""
    spend = np.asarray(post.data.spend, np.float64)
    test = np.maximum(spend.copy(), 0.0)
    test[..., design.c] = np.maximum(spend[..., design.c] + design.change, 0.0)
    counted = np.zeros(spend.shape[:2])
    counted[design.start : design.until + 1] = design.cell[None, :].astype(float)
    size = draw_chunks(post.n_draws, spend.shape[0] * spend.shape[1] * 2)
    out = []
    for first in range(0, post.n_draws, size):
        sub, real = sub_posterior(post, first, size)
        diff = np.asarray(sub.predict(test)["mu"], np.float64) - np.asarray(sub.predict()["mu"], np.float64)
        out.append((diff * counted[None]).sum(axis=(1, 2))[:real])
    return np.concatenate(out)


def lift_se(post, design: LiftDesign) -> float:
    """The design's standard error from the KPI noise the fit estimated (module docstring)."""
    config = post.config
    sigma = np.asarray(post.params["sigma"], np.float64)  # [S, G], the KPI's noise on the model's scale
    if config.likelihood == "multiplicative":
        mu = np.asarray(post.predict()["mu"], np.float64)[:, design.start : design.until + 1]  # [S, n, G]
        per_period = (sigma[:, None, :] * mu) ** 2
    else:
        scale = np.asarray(post.scaled.kpi_scale, np.float64)[None, None, :]
        n = design.until - design.start + 1
        per_period = np.broadcast_to((sigma[:, None, :] * scale) ** 2, (sigma.shape[0], n, sigma.shape[1]))
    if config.noise == "student_t" and config.student_t_df > 2:
        per_period = per_period * config.student_t_df / (config.student_t_df - 2)
    variance = per_period[..., design.cell].sum(axis=(1, 2)).mean()
    return float(np.sqrt(2.0 * variance))


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs: tuple[float, ...]) -> np.ndarray:
    """Quantiles of draws ``x`` [S] under weights ``w`` [K, S] (rows sum to 1) → [K, len(qs)]."""
    order = np.argsort(x)
    cum = np.cumsum(w[:, order], axis=1)
    idx = np.stack([np.minimum((cum < q).sum(axis=1), len(x) - 1) for q in qs], axis=1)
    return x[order][idx]


def preposterior(roi: np.ndarray, lifts: np.ndarray, se: float, sims: int = SIMS, seed: int = 0) -> Preposterior:
    """Expected posterior of the ROI draws ``roi`` [S] after a test whose predicted lift per draw is ``lifts``
    [S], measured with standard error ``se`` (module docstring)."""
    roi, lifts = np.asarray(roi, np.float64), np.asarray(lifts, np.float64)
    keep = np.isfinite(roi) & np.isfinite(lifts)
    roi, lifts = roi[keep], lifts[keep]
    tail = (1 - LEVEL) / 2
    lo, med, hi = np.quantile(roi, [tail, 0.5, 1 - tail])
    rng = np.random.default_rng(seed)
    measured = lifts[rng.integers(len(lifts), size=sims)] + rng.normal(0.0, se, sims)
    logw = -0.5 * ((measured[:, None] - lifts[None, :]) / se) ** 2
    w = np.exp(logw - logw.max(axis=1, keepdims=True))
    w /= w.sum(axis=1, keepdims=True)
    ess = float(np.median(1.0 / (w**2).sum(axis=1)))
    if ess >= MIN_ESS:
        mean = w @ roi
        sd_after = float(np.sqrt(np.maximum(w @ roi**2 - mean**2, 0.0)).mean())
        q = weighted_quantiles(roi, w, (tail, 1 - tail))
        width_after, method = float((q[:, 1] - q[:, 0]).mean()), "importance reweighting"
    else:  # too few draws carry the weight: the linear-Gaussian update, its width at the draws' own shape
        cov = np.cov(roi, lifts)
        sd_after = float(np.sqrt(max(cov[0, 0] - cov[0, 1] ** 2 / (cov[1, 1] + se**2), 0.0)))
        width_after, method = (hi - lo) * sd_after / float(roi.std()), "linear-Gaussian"
    return Preposterior(
        float(med),
        (float(lo), float(hi)),
        float(roi.std()),
        sd_after,
        width_after,
        float(lifts.mean()),
        float(lifts.std()),
        float(se),
        ess,
        method,
    )


__all__ = ["LiftDesign", "Preposterior", "design_for", "lift_draws", "lift_se", "preposterior", "weighted_quantiles"]
