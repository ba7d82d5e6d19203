"""Post-fit health review: is this fit fit to be used for decisions?

The result shape (``Check``, ``HealthReport``) lives in ``mmm_core.fit.checks``, shared with the pre-fit gate.

Every function here is pure: arrays in, a report out. ``review_fit`` accepts an ArviZ 1.x ``DataTree``, an
ArviZ 0.x ``InferenceData`` or a plain dict of posterior arrays shaped ``[chain, draw, ...]``.

Thresholds (each justified where it is used):
  R-hat ≤ 1.01 pass, ≤ 1.05 warn, else fail          (Vehtari et al. 2021)
  bulk / tail ESS ≥ 400 pass, ≥ 100 warn, else fail   (Vehtari et al. 2021; absolute, not per draw)
  divergences 0 pass, < 1 % warn, else fail
  BFMI ≥ 0.3 pass, else warn                          (Betancourt 2016)
  in-sample R² ≥ 0.5 pass, ≥ 0.1 warn, else fail
  MAPE ≤ 15 % pass, ≤ 50 % warn, else fail
  Durbin–Watson in [1.5, 2.5] pass, else warn
  holdout MAPE ≤ max(1.5 × in-sample, 15 %) pass, ≤ max(3 × in-sample, 30 %) warn, else fail
  P(mean baseline < 0) ≤ 5 % and ≤ 10 % of periods negative pass; P > 50 % fail; otherwise warn
  ROI: relative to the data, not a fixed number (``mmm_core.fit.plausibility``): fail when media would explain more
  than the whole KPI; warn when a channel's ROI is beyond its prior's central 99.9 %
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from mmm_core.fit.checks import (  # noqa: F401  (re-exported for callers of diagnostics)
    Check,
    HealthReport,
    Status,
    _json_float,
    by_threshold,
    summarise,
    worst,
)
from mmm_core.fit.experiment_check import check_experiments
from mmm_core.fit.fit_quality import (  # noqa: F401  (re-exported: multi_review and the tests import them here)
    check_durbin_watson,
    check_holdout_mape,
    check_mape,
    check_negative_baseline,
    check_r2,
    durbin_watson,
    split_cells,
)
from mmm_core.fit.plausibility import check_roi  # noqa: F401  (re-exported: fit.pymc imports it from here)

APPROXIMATE_REASON = "approximate fit — uncertainty not calibrated; MCMC diagnostics not available"


# ------------------------------------------------------------------------------------ posterior normalisation
def posterior_arrays(idata: Any) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``(posterior, sample_stats)`` as dicts of numpy arrays shaped ``[chain, draw, ...]``.

    Accepts an ArviZ 1.x DataTree, an ArviZ 0.x InferenceData, ``{"posterior": {...}, "sample_stats": {...}}`` or
    a flat dict of posterior arrays (no sample stats)."""
    if isinstance(idata, Mapping):
        if "posterior" in idata and isinstance(idata["posterior"], Mapping):
            post = {k: np.asarray(v) for k, v in idata["posterior"].items()}
            stats = {k: np.asarray(v) for k, v in (idata.get("sample_stats") or {}).items()}
            return post, stats
        return {k: np.asarray(v) for k, v in idata.items()}, {}
    return _group_arrays(idata, "posterior"), _group_arrays(idata, "sample_stats")


def _group_arrays(idata: Any, group: str) -> dict[str, np.ndarray]:
    try:
        ds = idata[group]  # DataTree
    except (KeyError, TypeError):
        ds = getattr(idata, group, None)  # InferenceData 0.x
    if ds is None:
        return {}
    ds = getattr(ds, "dataset", ds)
    out = {}
    for name, da in ds.data_vars.items():
        dims = [d for d in ("chain", "draw") if d in da.dims]
        out[str(name)] = np.asarray(da.transpose(*dims, ...).values)
    return out


# ------------------------------------------------------------------------------------------- MCMC checks
def stack_scalars(post: Mapping[str, np.ndarray]) -> tuple[list[str], np.ndarray]:
    """Every scalar component of every variable stacked as ``[chain, draw, N]``, named ``var[i,j]``.

    Constants are dropped: a fixed quantity has no R-hat or ESS and must not be reported as broken."""
    names: list[str] = []
    cols: list[np.ndarray] = []
    for name, arr in post.items():
        a = np.asarray(arr, dtype=float)
        if a.ndim < 2:
            continue
        flat = a.reshape(a.shape[0], a.shape[1], -1)
        keep = np.ptp(flat, axis=(0, 1)) > 0
        for i in np.flatnonzero(keep):
            idx = np.unravel_index(i, a.shape[2:]) if a.ndim > 2 else ()
            names.append(f"{name}[{','.join(map(str, idx))}]" if idx else name)
        cols.append(flat[:, :, keep])
    if not names:
        return [], np.empty((0, 0, 0))
    return names, np.concatenate(cols, axis=2)


def check_rhat(names: Sequence[str], draws: np.ndarray) -> Check:
    """Rank-normalised split R-hat over ``draws [chain, draw, N]``. ≤ 1.01 is Vehtari et al. (2021)'s bar for
    reliable summaries; up to 1.05 (the older Gelman–Rubin-era bound) the chains roughly agree; above it they
    describe different posteriors and nothing computed from the fit can be trusted."""
    # lazy: slow to import and only the review needs it. arviz_stats is what ``arviz`` re-exports ess/rhat/bfmi
    # from; ``import arviz`` would also load arviz_plots and matplotlib for nothing.
    import arviz_stats as az

    thr = "pass ≤ 1.01, warn ≤ 1.05, fail above"
    if not names:
        return Check("max_rhat", "warn", None, thr, "No varying posterior variables to assess.")
    if draws.shape[0] * draws.shape[1] < 8:
        return Check("max_rhat", "warn", None, thr, "Too few draws to compute R-hat; run more draws.")
    if draws.shape[0] == 1:  # one chain: compare its halves (split R-hat still detects a drifting chain)
        half = draws.shape[1] // 2
        draws = np.stack([draws[0, :half], draws[0, half : 2 * half]])
    # Chains stuck at different constants give an infinite or undefined R-hat: the worst case, not a skip.
    vals = np.nan_to_num(np.atleast_1d(np.asarray(az.rhat(draws), dtype=float)), nan=np.inf)
    i = int(np.argmax(vals))
    name, v = names[i], float(vals[i])
    status = by_threshold(v, v <= 1.01, v <= 1.05)
    reasons = {
        "pass": f"All chains agree (max R-hat {v:.3f}, at {name}).",
        "warn": f"Chains roughly agree but not fully (max R-hat {v:.3f}, at {name}); run more warm-up and draws "
        "before quoting tight intervals.",
        "fail": f"Chains disagree (max R-hat {v:.3g}, at {name}): they are exploring different answers, so the "
        "fit has not converged. Run longer warm-up, tighten priors on poorly identified parameters, or "
        "simplify the model (fewer channels, pooled geos).",
    }
    return Check("max_rhat", status, v, thr, reasons[status], {"worst": name, "n_checked": len(names)})


def check_ess(names: Sequence[str], draws: np.ndarray, method: Literal["bulk", "tail"]) -> Check:
    """Minimum effective sample size. 400 (Vehtari et al. 2021: 100 per chain with 4 chains) keeps the Monte
    Carlo error of a posterior mean near 5 % of its posterior sd and the 5 %/95 % quantiles stable; below 100 the
    90 % intervals we report are themselves noisy. Thresholds are absolute on purpose: a reported interval needs
    a number of effective draws whatever the number of raw draws, so a short run is told to run longer rather
    than being graded on a curve."""
    import arviz_stats as az  # lazy: as above

    name = f"min_{method}_ess"
    thr = "pass ≥ 400, warn ≥ 100, fail below"
    if not names:
        return Check(name, "warn", None, thr, "No varying posterior variables to assess.")
    n_total = int(draws.shape[0] * draws.shape[1])
    if n_total < 8:
        return Check(name, "warn", None, thr, "Too few draws to compute ESS; run more draws.")
    kw: dict[str, Any] = {"method": "bulk"} if method == "bulk" else {"method": "tail", "prob": (0.05, 0.95)}
    vals = np.nan_to_num(np.atleast_1d(np.asarray(az.ess(draws, **kw), dtype=float)), nan=0.0)
    i = int(np.argmin(vals))
    worst_name, v = names[i], float(vals[i])
    status = by_threshold(v, v >= 400, v >= 100)
    what = "posterior means" if method == "bulk" else "interval end-points (5 % and 95 % quantiles)"
    short = f" Only {n_total} draws were taken in total; run more draws." if n_total < 800 and status != "pass" else ""
    reasons = {
        "pass": f"Enough effective draws for {what} (min {v:.0f}, at {worst_name}).",
        "warn": f"Few effective draws for {what} (min {v:.0f}, at {worst_name}); intervals are noisy.{short}",
        "fail": f"Too few effective draws for {what} (min {v:.0f}, at {worst_name}); the sampler mixes badly, so "
        f"reported intervals are unreliable. Run more draws, or reparameterise / tighten priors.{short}",
    }
    return Check(name, status, v, thr, reasons[status], {"worst": worst_name, "n_draws_total": n_total})


def check_divergences(stats: Mapping[str, np.ndarray]) -> Check:
    """Any divergence means NUTS met curvature it could not follow, so some posterior region may be missed;
    a handful (< 1 %) is common in hierarchical models and usually harmless; more is a biased fit."""
    thr = "pass = 0, warn < 1 % of draws, fail ≥ 1 %"
    div = stats.get("diverging")
    if div is None:
        return Check("divergences", "warn", None, thr, "The sampler did not record divergences; cannot assess.")
    div = np.asarray(div, dtype=bool)
    n, frac = int(div.sum()), float(div.mean())
    status: Status = "pass" if n == 0 else ("warn" if frac < 0.01 else "fail")
    reasons = {
        "pass": "No divergent transitions.",
        "warn": f"{n} divergent transitions ({frac:.2%} of draws): minor; raise target_accept (e.g. 0.95) to be safe.",
        "fail": f"{n} divergent transitions ({frac:.1%} of draws): the sampler could not explore part of the "
        "posterior, so results may be biased. Raise target_accept, use non-centred geo pooling, or tighten "
        "priors on scales (adstock, saturation, geo spread).",
    }
    return Check("divergences", status, float(n), thr, reasons[status], {"fraction": frac})


def check_bfmi(stats: Mapping[str, np.ndarray]) -> Check:
    """Energy Bayesian fraction of missing information per chain. Betancourt (2016) flags values below 0.3:
    the momentum resampling cannot move the sampler across the energy levels the posterior needs (heavy tails,
    funnels). It hurts efficiency more than correctness, hence warn only."""
    import arviz_stats as az  # lazy: as above

    thr = "pass ≥ 0.3 (every chain), else warn"
    energy = stats.get("energy")
    if energy is None:
        return Check("bfmi", "warn", None, thr, "The sampler did not record energy; cannot assess BFMI.")
    v = float(np.min(az.bfmi(np.asarray(energy, dtype=float))))
    status: Status = "pass" if v >= 0.3 else "warn"
    reason = (
        f"Energy transitions are healthy (min BFMI {v:.2f})."
        if status == "pass"
        else f"Low BFMI ({v:.2f}): the sampler struggles with heavy-tailed or funnel-shaped posteriors; "
        "consider non-centred parameterisation or tighter scale priors."
    )
    return Check("bfmi", status, v, thr, reason)


def approximate_checks() -> list[Check]:
    """Placeholders for the MCMC checks of a quick-mode (MAP / variational) fit: visibly not passed."""
    names = ("max_rhat", "min_bulk_ess", "min_tail_ess", "divergences", "bfmi")
    return [Check(n, "warn", None, "not applicable", APPROXIMATE_REASON) for n in names]


# ------------------------------------------------------------------------------------------ public entry
def review_fit(
    idata_or_posterior: Any,
    y_obs: np.ndarray,
    y_pred_draws: np.ndarray,
    mask: np.ndarray,
    holdout_mask: np.ndarray | None,
    baseline_draws: np.ndarray | None,
    roi_draws: np.ndarray | None,
    channel_names: Sequence[str],
    approximate: bool = False,
    *,
    var_names: Sequence[str] | None = None,
    spend_total: np.ndarray | None = None,
    roi_prior: Sequence[dict[str, float] | None] | None = None,
    experiments: Sequence[Any] = (),
    data_alone_lifts: np.ndarray | None = None,
) -> HealthReport:
    """Review a fit and return every check with its status.

    Shapes: ``y_obs`` and ``mask`` ``[T, G]``; ``y_pred_draws`` and ``baseline_draws`` ``[S, T, G]`` in KPI
    units; ``holdout_mask`` ``[T]`` (True = held out of the fit); ``roi_draws`` ``[S, C]``. ``idata_or_posterior``:
    ArviZ DataTree / InferenceData or a dict of posterior arrays ``[chain, draw, ...]`` (optionally
    ``{"posterior": ..., "sample_stats": ...}``); ``var_names`` limits the MCMC checks to those variables
    (default: all). ``spend_total`` [C] and ``roi_prior`` (per channel ``{median, log_sd}``) let the ROI check
    judge each ROI against the KPI it implies and the prior it was given; ``experiments`` (the engine's
    ``ExperimentConfig``s) adds the lift-test consistency check, against ``data_alone_lifts`` [S, E] when given
    (``fit.experiment_check.data_alone_lifts``). ``overall`` is the worst status;
    decision tools refuse a ``fail`` unless the user overrides."""
    checks = approximate_checks() if approximate else _mcmc_checks(idata_or_posterior, var_names)
    y = np.asarray(y_obs, dtype=float)
    yhat = np.asarray(y_pred_draws, dtype=float).mean(axis=0)
    fit_cells, hold_cells = split_cells(mask, holdout_mask)
    mape = check_mape(y, yhat, fit_cells)
    checks += [check_r2(y, yhat, fit_cells), mape, check_durbin_watson(y, yhat, fit_cells)]
    if hold_cells.any():
        checks.append(check_holdout_mape(y, yhat, hold_cells, mape.value if mape.value is not None else math.nan))
    if baseline_draws is not None:
        checks.append(check_negative_baseline(baseline_draws, fit_cells))
    if roi_draws is not None:
        kpi_total = np.asarray(y_pred_draws, dtype=float).sum(axis=(1, 2))  # same cells as the ROI: the whole grid
        checks.append(
            check_roi(roi_draws, list(channel_names), spend_total=spend_total, kpi_total=kpi_total, prior=roi_prior)
        )
    if experiments:  # lift tests in the likelihood: does the fit reproduce each? (mmm_core.fit.experiment_check)
        lifts = posterior_arrays(idata_or_posterior)[0]["experiment_lift"]
        checks.append(check_experiments(lifts, experiments, list(channel_names), data_alone_lifts))
    overall = worst([c.status for c in checks])
    subject = "Health review (approximate fit)" if approximate else "Health review"
    return HealthReport(checks, overall, summarise(checks, subject), approximate)


def _mcmc_checks(idata: Any, var_names: Sequence[str] | None) -> list[Check]:
    post, stats = posterior_arrays(idata)
    if var_names is not None:
        post = {k: v for k, v in post.items() if k in set(var_names)}
    return convergence_checks(*stack_scalars(post), stats)


def convergence_checks(names: list[str], draws: np.ndarray, stats: Mapping[str, Any]) -> list[Check]:
    """R-hat, bulk and tail ESS over stacked scalars, divergences and BFMI: the one set every NUTS fit is judged by
    (single fits here, multi-outcome fits in ``fit.multi_review``)."""
    return [
        check_rhat(names, draws),
        check_ess(names, draws, "bulk"),
        check_ess(names, draws, "tail"),
        check_divergences(stats),
        check_bfmi(stats),
    ]
