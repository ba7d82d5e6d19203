"""The health review of a multi-outcome fit (issue 22): the convergence checks of single fits (R-hat, bulk and tail
ESS, divergences, BFMI — same functions, same thresholds) over the joint posterior, then each outcome's fit checks
(R², MAPE, Durbin–Watson, holdout MAPE, negative baseline, ROI plausibility) named ``check[outcome]``. The fit's
overall status is the worst of all: one badly described outcome makes the joint fit unfit for decisions, since
cross-effects and shared curves tie every outcome's numbers to it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from mmm_core.fit.checks import Check, HealthReport, summarise, worst
from mmm_core.fit.plausibility import check_roi
from mmm_core.fit.review import (
    approximate_checks,
    check_durbin_watson,
    check_holdout_mape,
    check_mape,
    check_negative_baseline,
    check_r2,
    convergence_checks,
    stack_scalars,
)


def multi_health(result, data, effects, holdout: int, *, approximate: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(health dict, diagnostics dict)`` of a ``MultiFitResult`` on its ``MultiData`` with its ``MultiEffects``;
    ``holdout``: the spec's final periods kept out of the likelihood."""
    checks = approximate_checks() if approximate else mcmc_checks(result)
    hold = np.zeros(len(data.periods), bool)
    if holdout:
        hold[-holdout:] = True
    fit_stats = {}
    for k, name in enumerate(effects.outcomes):
        own, r2, mape = _outcome_checks(data.kpi[..., k], effects, k, hold)
        checks += [dataclasses.replace(c, name=f"{c.name}[{name}]") for c in own]
        fit_stats[name] = {"r2": r2, "mape": mape}
    overall = worst([c.status for c in checks])
    subject = "Health review (approximate fit)" if approximate else "Health review"
    health = HealthReport(checks, overall, summarise(checks, subject), approximate).to_dict()
    return health, _diagnostics(result, fit_stats, approximate, {c.name: c.value for c in checks})


def mcmc_checks(result) -> list[Check]:
    """The single-fit convergence checks over every varying scalar of the joint posterior."""
    chains, draws = int(result.diagnostics["chains"]), int(result.diagnostics["draws"])
    post = {name: np.asarray(v).reshape((chains, draws) + np.shape(v)[1:]) for name, v in result.draws.items()}
    return convergence_checks(*stack_scalars(post), sampler_stats(result, chains, draws))


def sampler_stats(result, chains: int, draws: int) -> dict[str, np.ndarray]:
    """``{diverging, energy}`` [chain, draw] as the review reads them: the engine's per-transition record.

    A result without it (made before the engine kept energy) still has the number of divergences: the checks use
    only their count and share of draws, so a mask with that many set gives the same verdict; BFMI then says
    energy was not recorded (warn) rather than guessing."""
    if getattr(result, "sampler", None):
        return {name: np.asarray(v).reshape(chains, draws) for name, v in result.sampler.items()}
    div = np.zeros(chains * draws, bool)
    div[: int(result.diagnostics["divergences"])] = True
    return {"diverging": div.reshape(chains, draws)}


def _outcome_checks(y: np.ndarray, effects, k: int, hold: np.ndarray) -> tuple[list[Check], float, float]:
    mask = np.isfinite(y)
    fit_cells, hold_cells = mask & ~hold[:, None], mask & hold[:, None]
    yhat = effects.mu_mean[..., k]
    y0 = np.where(mask, y, 0.0)
    eff = effects.per_outcome[k]
    mape = check_mape(y0, yhat, fit_cells)
    r2 = check_r2(y0, yhat, fit_cells)
    checks = [r2, mape, check_durbin_watson(y0, yhat, fit_cells)]
    if hold_cells.any():
        checks.append(check_holdout_mape(y0, yhat, hold_cells, mape.value if mape.value is not None else np.nan))
    checks.append(check_negative_baseline(eff.baseline, fit_cells))
    checks.append(
        check_roi(
            eff.roi, list(eff.channels), spend_total=eff.spend_total, kpi_total=np.asarray(eff.fitted_total, float)
        )
    )
    return checks, r2.value, mape.value


def _diagnostics(result, fit_stats: dict[str, dict], approximate: bool, review: dict[str, Any]) -> dict[str, Any]:
    """The headline numbers of the JSON contract (worst outcome's R² and MAPE; each outcome's under
    ``outcomes``) and the sampler's own figures."""
    d = result.diagnostics
    r2 = [s["r2"] for s in fit_stats.values() if s["r2"] is not None]
    mape = [s["mape"] for s in fit_stats.values() if s["mape"] is not None]
    out: dict[str, Any] = {
        "r2": min(r2) if r2 else None,
        "mape": max(mape) if mape else None,
        "outcomes": fit_stats,
        "wall_time_s": round(float(d["wall_time"]), 3),
        "approximate": approximate,
        "method": "nuts_multi",
        "steps_per_draw": float(d["steps_per_draw"]),
    }
    if not approximate:
        # The review's R-hat and ESS (rank-normalised, every varying scalar) as the single fit's headline
        # (fit.headline._mcmc_headline): the engine's split R-hat over latent sites printed 1.005 beside a review
        # warning at 1.020. The engine's figures stand in only where the review has none.
        wall = float(d["wall_time"])
        rhat = review.get("max_rhat") if review.get("max_rhat") is not None else d["max_rhat"]
        ess = review.get("min_bulk_ess") if review.get("min_bulk_ess") is not None else d["min_ess"]
        out.update(
            max_rhat=_finite(rhat),
            min_ess_bulk=_finite(ess),
            divergences=int(d["divergences"]),
            ess_per_s=_finite(ess / wall) if wall > 0 else None,
        )
    return out


def _finite(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


__all__ = ["mcmc_checks", "multi_health", "sampler_stats"]
