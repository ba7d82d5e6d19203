"""The post-fit health review of a single-KPI fit and the headline diagnostics of the JSON contract (max R-hat,
min bulk ESS, divergences, ESS/s, R², MAPE), computed once from the review's own figures."""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core.fit.review import review_fit


def health_and_headline(data, result, post, pred: dict, effects, ident: dict, holdout: np.ndarray | None):
    """The post-fit health review and the headline diagnostics."""
    from mmm_core.fit.experiment_check import data_alone_lifts  # lazy: JAX, as in fit.job._fit
    from mmm_core.fit.review_mediators import add_mediator_checks  # lazy: JAX (it imports the engine)

    health = review_fit(
        result.idata,
        data.kpi,
        pred["mu"],
        data.kpi_mask,
        holdout,
        pred["baseline"],
        effects.roi,
        list(data.channels),
        approximate=result.approximate,
        spend_total=effects.spend_total,
        roi_prior=[ident[c]["prior"] for c in data.channels],
        experiments=result.config.experiments,
        data_alone_lifts=data_alone_lifts(data, result.config) if result.config.experiments else None,
    )
    if result.config.mediators:  # weakly identified mediators (few observations, posterior ≈ prior) warn
        health = add_mediator_checks(health, post)
    return health, _diagnostics(result, pred["mu"], data, holdout, health)


def holdout_mask(n_periods: int, holdout: int) -> np.ndarray | None:
    if not holdout:
        return None
    mask = np.zeros(n_periods, bool)
    mask[n_periods - holdout :] = True
    return mask


def _diagnostics(result, mu: np.ndarray, data, holdout: np.ndarray | None, health=None) -> dict[str, Any]:
    """The headline numbers of the JSON contract: max R-hat, min bulk ESS, divergences, R², MAPE."""
    cells = data.kpi_mask.copy()
    if holdout is not None:
        cells &= ~holdout[:, None]
    y, yhat = data.kpi[cells], mu.mean(axis=0)[cells]
    out: dict[str, Any] = {
        "r2": float(1 - np.sum((y - yhat) ** 2) / np.sum((y - y.mean()) ** 2)),
        "mape": float(np.mean(np.abs(y - yhat) / np.maximum(np.abs(y), 1e-12))),
        "wall_time_s": round(result.wall_time, 3),
        "compile_time_s": round(result.compile_time, 3),
        "approximate": result.approximate,
        "method": result.method,
    }
    if not result.approximate:
        headline = _mcmc_headline(result, health) or result.diagnostics()
        out.update({k: v for k, v in headline.items() if k in ("max_rhat", "min_ess_bulk", "divergences", "ess_per_s")})
    geo_form = (result.extra or {}).get("geo_effects")
    if geo_form:  # which parameterisation of the geo effects NUTS sampled, and why (engine.centring's pilot)
        out["geo_effects"] = geo_form["summary"]
    return _finite(out)


def _mcmc_headline(result, health) -> dict[str, Any] | None:
    """max R-hat, min bulk ESS and divergences as the health review computed them (the same arviz_stats functions
    over the same varying scalars, equal to ``FitResult.diagnostics`` up to float rounding): computing them twice
    cost ~0.4 s of CPU per fit. None when the review has no value (no varying scalar): then the result computes."""
    values = {c.name: c.value for c in getattr(health, "checks", ())}
    ess, rhat, div = values.get("min_bulk_ess"), values.get("max_rhat"), values.get("divergences")
    if ess is None or div is None or (result.chains > 1 and rhat is None):
        return None
    out = {"min_ess_bulk": float(ess), "ess_per_s": float(ess) / result.wall_time, "divergences": int(div)}
    if result.chains > 1:  # one chain: the review's split R-hat is not the headline's (none, as before)
        out["max_rhat"] = float(rhat)
    return out


def _finite(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in d.items()}
