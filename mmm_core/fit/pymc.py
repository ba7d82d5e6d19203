"""The second engine inside the fit job: pymc-marketing's `MMM` built from the same locked spec.

It exists for triangulation ("do two engines agree on ROI?") and as the benchmark baseline. Its answers are
ROI, contributions and comparisons; response curves and the optimizer need a predict function and therefore
the primary (NumPyro) engine. The health review has the sampler checks and the ROI plausibility check; fit
quality (R², MAPE, Durbin–Watson) would need pymc-marketing's slow posterior predictive and is reported as not
computed rather than guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from mmm_core.effects.draws import EffectDraws, period_labels
from mmm_core.errors import FitRefusedError
from mmm_core.fit.records import FitOutcome, FitSettings
from mmm_core.fit.review import Check, HealthReport, _mcmc_checks, check_roi, summarise, worst

PYMC_LIMITS = (
    "pymc-marketing fits answer ROI, contributions and comparisons; response curves, scenarios and the "
    "optimizer need the numpyro engine."
)


def _require_installed() -> None:
    """pymc-marketing is an optional extra: without it the fit is refused with the install command, not reported
    as a bug in mmm-agent (the import error is kept in the message, so the fit row names the real cause)."""
    try:
        import pymc_marketing  # noqa: F401  # lazy: seconds of import, and only this engine needs it
    except ImportError as exc:
        raise FitRefusedError(
            f"The pymc-marketing engine is not installed ({type(exc).__name__}: {exc}).",
            "Install the optional engine with `pip install 'mmm-agent[pymc]'` (`make dev` installs it), "
            "or fit with the default engine: --engine numpyro.",
            code="engine_not_installed",
        ) from exc


def fit_with_pymc_marketing(data, config, settings: FitSettings, report: Callable[[float, str], None]) -> FitOutcome:
    # lazy: the engine imports JAX and pymc-marketing (seconds); only a pymc-marketing fit needs them
    from mmm_core.engine import EngineConfigError
    from mmm_core.engine.pymc_engine import check_expressible, fit_pymc_marketing

    _require_installed()
    if settings.quick:
        raise FitRefusedError(
            "Quick mode is only available with the numpyro engine.",
            "Drop --quick, or use --engine numpyro.",
            code="quick_needs_numpyro",
        )
    if config.mediators:  # fitting without them would silently drop part of the spec (the peer's bug)
        raise FitRefusedError(
            "pymc-marketing cannot express mediators (media → mediator → KPI).",
            "Fit this spec with the default engine: --engine numpyro.",
            code="not_expressible",
        )
    if config.experiments:  # likewise: a lift test must enter the likelihood or the fit must say it cannot
        raise FitRefusedError(
            "This pymc-marketing bridge does not pass lift tests (the spec's experiments) into its likelihood.",
            "Fit this spec with the default engine: --engine numpyro.",
            code="not_expressible",
        )
    if config.control_selection:  # likewise: a selection prior it cannot express must not become a plain prior
        raise FitRefusedError(
            "This pymc-marketing bridge does not express control selection (horseshoe / spike-and-slab / lasso).",
            "Fit this spec with the default engine: --engine numpyro.",
            code="not_expressible",
        )
    data, config, differences = _triangulation_inputs(data, config)
    try:
        check_expressible(data, config)
    except EngineConfigError as exc:
        raise FitRefusedError(
            f"pymc-marketing cannot express this spec: {exc.message}", exc.hint, code="not_expressible"
        ) from exc
    report(0.05, "sampling with pymc-marketing (NUTS via numpyro; no live progress from this engine)")
    result = fit_pymc_marketing(
        data,
        config,
        chains=settings.chains,
        warmup=settings.warmup,
        draws=settings.draws,
        seed=settings.seed,
        sampler="numpyro",
        target_accept=settings.target_accept,
    )
    report(0.9, "collecting contributions and the health review")
    effects = effect_draws_from_samples(result, data)
    health = _health(result, effects, data)
    diagnostics = {
        "wall_time_s": round(result.wall_time, 3),
        "approximate": False,
        "method": result.method,
        "periods_fitted": result.extra.get("periods_fitted"),
        "differences_from_spec": differences,
    }
    diagnostics.update(
        {k: v for k, v in result.diagnostics().items() if k in ("max_rhat", "min_ess_bulk", "divergences", "ess_per_s")}
    )
    samples = {k: result.flat(k) for k in ("roi", "contribution_total")}
    used = settings.ran_with(result.extra.get("target_accept"))
    return FitOutcome(result, samples, effects, health.to_dict(), None, diagnostics, used)


def _triangulation_inputs(data, config):
    """Same structure, pymc-marketing's own priors: the spec's ROI priors and control signs have no counterpart
    there. The differences are returned so they are stated with the fit, never silently dropped."""
    differences = []
    if config.roi is not None or config.effect_share is not None:
        differences.append("ROI priors of the spec replaced by pymc-marketing's default media priors")
        config = replace(config, roi=None, effect_share=None)
    if any(s != 0 for s in (config.control_sign or data.control_sign)):
        differences.append("control sign constraints dropped (pymc-marketing's controls are unconstrained)")
        config = replace(config, control_sign=())
        data = replace(data, control_sign=(0,) * len(data.control_names))
    return data, config, differences


def effect_draws_from_samples(result, data):
    """EffectDraws from pymc-marketing's channel contributions (training periods; mROI not available)."""
    contrib = result.flat("channel_contribution").astype(np.float32)  # [S, T', G, C]
    keep = _kept_periods(data, contrib.shape[1])
    spend = data.spend[keep]
    s = contrib.shape[0]
    nan_s = np.full(s, np.nan, np.float32)
    return EffectDraws(
        channels=tuple(data.channels),
        geos=tuple(data.geos),
        periods=period_labels(data.periods[keep]),
        spend_total=spend.sum(axis=(0, 1)),
        spend_geo=spend.sum(axis=0),
        contribution_period=contrib.sum(axis=2),
        contribution_geo=contrib.sum(axis=1),
        contribution_total=contrib.sum(axis=(1, 2)),
        mroi=np.full((s, len(data.channels)), np.nan, np.float32),
        baseline=np.full((s, contrib.shape[1], len(data.geos)), np.nan, np.float32),
        fitted_total=nan_s,
        media_total=nan_s,
        label=result.label,
        computation="pymc-marketing",
    )


def _kept_periods(data, n_kept: int) -> np.ndarray:
    keep = np.zeros(len(data.periods), bool)
    keep[:n_kept] = True  # pymc-marketing is fitted on the leading periods; a holdout is the tail
    return keep


def _health(result, effects, data):
    checks = _mcmc_checks(result.idata, None)
    checks.append(
        Check(
            "fit_quality",
            "warn",
            None,
            "not computed",
            "R², MAPE and Durbin–Watson are not computed for the pymc-marketing engine (they need its "
            "slow posterior predictive); compare with a numpyro fit of the same spec.",
        )
    )
    kpi_total = float(np.sum(np.where(data.kpi_mask, data.kpi, 0.0)))  # its fitted_total is not computed
    checks.append(check_roi(effects.roi, list(data.channels), spend_total=effects.spend_total, kpi_total=kpi_total))
    overall = worst([c.status for c in checks])
    return HealthReport(checks, overall, summarise(checks, "Health review (pymc-marketing)"), False)
