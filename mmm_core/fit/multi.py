"""Fitting a multi-outcome spec (issue 22): spec + stored data → ``MultiData``/``MultiOutcomeConfig`` → joint NUTS
(``engine.multi_model.fit_multi``) → effects (``fit.multi_effects``) → health review → registration.

``run_fit`` hands a spec with an ``outcomes`` block here (``fit.job``). Registration is the single-KPI one
(``job.register_outcome``: artifacts, the weighted total's summary and draws, the ledger) plus this module's tables
(``outcome_summary``, ``cross_effect_summary``), written first and removed again if registration fails; readers
only read tables of succeeded fits, so rows of a fit still running are never seen.

What differs from a single-KPI fit, and why:

- Priors: the spec's ROI priors are stated on its ``kpi``; outcome k gets them scaled by the ratio of its mean to
  that KPI's mean (the draft's rule "media drive a fixed share of the KPI", applied to each outcome).
- Pre-fit gate: the single-KPI gate on each outcome's own model, merged (``fit.multi_gate``); a blocking check
  stops the fit as it stops a single one. After the fit, the convergence review (R-hat, ESS, divergences, BFMI,
  same thresholds) and each outcome's fit checks (R², MAPE, Durbin–Watson, baseline) decide its health.
- Identifiability labels (``fit.multi_identifiability``): the single-KPI rules per (outcome, channel) and for the
  weighted total, and per cross-effect, stored in the health JSON as a single fit stores its labels.
- Quick mode is a short NUTS run (one chain, ``QUICK_DRAWS`` warm-up and draws, fewer if asked), labelled
  approximate: there is no Laplace approximation of the joint model.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mmm_core import ledger
from mmm_core.data.products import product_panel
from mmm_core.data.queries import panel
from mmm_core.engine.mass import resolve_target_accept
from mmm_core.engine.timing import PhaseTimer
from mmm_core.errors import FitRefusedError
from mmm_core.fit.inputs import model_config, model_data
from mmm_core.fit.multi_effects import (
    ARTIFACT,
    CROSS_COLUMNS,
    OUTCOME_COLUMNS,
    artifact_arrays,
    compute_multi_effects,
    cross_rows,
    outcome_rows,
)
from mmm_core.fit.multi_gate import multi_gate, refuse_if_blocked
from mmm_core.fit.multi_identifiability import assess as assess_identifiability
from mmm_core.fit.multi_review import multi_health
from mmm_core.fit.records import FitOutcome, FitSettings
from mmm_core.store import Store

QUICK_DRAWS = 200  # warm-up and draws of a quick multi-outcome fit (one chain): enough to see the fit's shape
NUTS_LABEL = "NUTS (full Bayesian posterior, several outcomes jointly)"
QUICK_LABEL = "short NUTS run (1 chain, {draws} draws; approximate — not for decisions)"  # the draws it ran


@dataclass(frozen=True)
class MultiInputs:
    """The engine's inputs of a multi-outcome spec (``data``/``config``) and the spec's cross-effects in the
    config's order (the stored summaries name them by outcome)."""

    data: Any  # engine.outcomes.MultiData
    config: Any  # engine.outcomes.MultiOutcomeConfig
    cross_effects: tuple


@dataclass(frozen=True)
class JobSteps:
    """The pieces of ``fit.job`` a multi-outcome fit reuses, handed in by ``run_fit`` (``fit.job`` imports this
    module; importing it back would be a cycle): registration, the fit's summary, the error record, progress marks."""

    register: Callable[..., dict[str, Any]]  # job.register_outcome
    summary: Callable[[Store, str], dict[str, Any]]  # job.fit_summary
    error_dict: Callable[[BaseException], dict[str, Any]]
    gate_end: float
    sampling_end: float


@dataclass(frozen=True)
class MultiResultInfo:
    """What registration reads of an engine result (``fit.job._register``: meta.json, the posterior file)."""

    approximate: bool
    label: str
    engine: str = "numpyro"
    method: str = "nuts_multi"
    idata: Any = None  # the joint draws are stored as samples.npz; there is no ArviZ object


def multi_inputs(store: Store, spec) -> MultiInputs:
    """Map a locked multi-outcome spec onto the engine: spend and controls as a single fit reads them, one KPI
    column per outcome, the modulators, per-outcome ROI priors and the cross-effects by index."""
    from mmm_core.engine.outcomes import (  # lazy: JAX; answers import fit modules without fitting
        CrossEffectConfig,
        MultiData,
        MultiOutcomeConfig,
    )

    block = spec.outcomes
    single = model_data(store, spec)
    kpi = _outcome_kpis(store, spec, single)
    names, controls = block.names, list(single.control_names)
    modulators = sorted({e.modulator for e in block.cross_effects if e.modulator})
    base = model_config(spec, single)
    config = MultiOutcomeConfig(
        outcomes=tuple(names),
        base=base,
        share_adstock=block.share_adstock,
        share_saturation=block.share_saturation,
        share_seasonality=block.share_seasonality,
        lkj_eta=float(block.residual_correlation.lkj_eta),
        cross_effects=tuple(
            CrossEffectConfig(
                source=names.index(e.source),
                target=names.index(e.target),
                kind=e.type,
                lag=e.lag,
                modulator=modulators.index(e.modulator) if e.modulator else None,
                prior_scale=float(e.prior_scale),
            )
            for e in block.cross_effects
        ),
        weights=tuple(block.weight(n) for n in names),
        outcome_controls=tuple(tuple(controls.index(c) for c in block.controls_of(n, controls)) for n in names)
        if block.control_outcomes
        else (),
        outcome_bases=_outcome_bases(base, single, kpi),
    )
    data = MultiData(
        periods=single.periods,
        geos=single.geos,
        channels=single.channels,
        spend=single.spend,
        kpi=kpi,
        controls=single.controls,
        control_names=single.control_names,
        modulators=_modulators(store, spec, single, modulators),
        modulator_names=tuple(modulators),
    )
    return MultiInputs(data, config, tuple(block.cross_effects))


def _on_grid(values: np.ndarray, raw_geos: list[str], geos: tuple[str, ...]) -> np.ndarray:
    """[T, G', V] on the stored geography labels → [T, G, V] on the model's geos (labels it does not model, such as
    a national row folded into geos, are left out)."""
    out = np.full((values.shape[0], len(geos), values.shape[2]), np.nan)
    for j, label in enumerate(raw_geos):
        if (label or "national") in geos:
            out[:, geos.index(label or "national")] = values[:, j]
    return out


def _outcome_kpis(store: Store, spec, single) -> np.ndarray:
    """[T, G, K]: each outcome variable, or the kpi per product; NaN where an outcome is not observed."""
    block = spec.outcomes
    if block.kpis:
        grid = panel(store, spec.dataset_id, list(block.kpis))
        return _on_grid(grid.values, grid.geos, single.geos)
    grid = panel(store, spec.dataset_id, [spec.kpi])
    values = product_panel(store, spec.dataset_id, spec.kpi, block.products, grid.geos, grid.periods)
    return _on_grid(values, grid.geos, single.geos)


def _modulators(store: Store, spec, single, names: list[str]) -> np.ndarray | None:
    if not names:
        return None
    grid = panel(store, spec.dataset_id, names)
    values = _on_grid(grid.values, grid.geos, single.geos)
    if np.isnan(values).any():
        t, g, k = np.argwhere(np.isnan(values))[0]
        raise FitRefusedError(
            f"Modulator {names[k]!r} has no value in period {pd.Timestamp(single.periods[t]).date()} (geography "
            f"{single.geos[g]!r}); a cross-effect's modulator must be observed in every period and geography.",
            "Fill the gap (0 where the promotion did not run) and re-ingest, or drop the modulator with a reason.",
            code="modulator_missing_values",
        )
    return values


def _outcome_bases(base, single, kpi: np.ndarray) -> tuple:
    """Each outcome's config: the spec's ROI priors scaled from its kpi's mean to the outcome's mean."""
    ref = float(np.nanmean(np.where(single.kpi_mask, single.kpi, np.nan)))
    out = []
    for k in range(kpi.shape[2]):
        factor = float(np.nanmean(kpi[..., k])) / ref if ref > 0 else 1.0
        if not np.isfinite(factor) or factor <= 0:
            raise FitRefusedError(
                f"Outcome #{k + 1} has no positive observed values; its ROI priors cannot be set.",
                "Check the outcome's rows with `mmm-agent describe DATASET`.",
                code="outcome_not_observed",
            )
        out.append(dataclasses.replace(base, roi=tuple(r * factor for r in base.roi)))
    return tuple(out)


# --- the job ----------------------------------------------------------------------------------------------------


def run_multi_fit(
    store: Store, fit_id: str, spec, settings: FitSettings, report, progress, t0: float, steps: JobSteps
) -> dict[str, Any]:
    """Fit, review and register a multi-outcome spec whose fit ``start_fit`` recorded; returns the fit's summary.
    ``report`` writes progress to the fit's row (and ``progress``, the caller's callback)."""
    timer = PhaseTimer()
    try:
        outcome, inputs, effects = _fit(store, spec, settings, report, timer, steps)
        tables = (
            outcome_rows(effects, fit_id, settings.interval_level, settings.interval_method),
            cross_rows(effects, inputs.cross_effects, fit_id, settings.interval_level, settings.interval_method),
        )
        _insert_tables(store, *tables)
    except BaseException as exc:
        ledger.fail_fit(store, fit_id, steps.error_dict(exc))
        raise
    try:
        steps.register(store, fit_id, outcome, time.perf_counter() - t0, timer)  # fails the fit on its own errors
    except BaseException:
        with contextlib.suppress(Exception):  # best effort, as registration's own clean-up
            _delete_tables(store, fit_id)
        raise
    if progress is not None:
        progress(1.0, f"done in {time.perf_counter() - t0:.1f} s")
    return steps.summary(store, fit_id)


def _fit(store: Store, spec, settings: FitSettings, report, timer: PhaseTimer, steps: JobSteps):
    from mmm_core.engine.multi_model import fit_multi  # lazy: JAX
    from mmm_core.engine.outcomes import scale_multi  # lazy: JAX

    if settings.engine != "numpyro":
        raise FitRefusedError(
            f"A spec with several outcomes is fitted by the numpyro engine only, not {settings.engine!r}.",
            "Fit it with the default engine: `mmm-agent fit SPEC_ID`.",
            code="engine_single_outcome",
        )
    report(0.0, "building model inputs")
    with timer.phase("inputs"):
        inputs = multi_inputs(store, spec)
        scaled = scale_multi(inputs.data, inputs.config)
    run = _run_settings(settings)
    with timer.phase("gate"):
        gate = multi_gate(inputs.data, scaled, inputs.config, seed=run.seed)
    report(steps.gate_end, "pre-fit gate: " + gate.summary)
    refuse_if_blocked(gate)
    report(
        steps.gate_end, f"sampling {len(inputs.config.outcomes)} outcomes jointly ({run.chains} × {run.draws} draws)"
    )
    with timer.phase("nuts"):
        result = fit_multi(
            scaled,
            inputs.config,
            chains=run.chains,
            warmup=run.warmup,
            draws=run.draws,
            seed=run.seed,
            target_accept=run.target_accept,
        )
    report(steps.sampling_end, "computing contributions, ROI and the health review")
    label = QUICK_LABEL.format(draws=run.draws) if run.quick else NUTS_LABEL
    with timer.phase("effects"):
        effects = compute_multi_effects(result, inputs.data, approximate=run.quick, label=label)
    with timer.phase("identifiability"):
        labels = assess_identifiability(result, inputs.data, effects, seed=run.seed)
    with timer.phase("review"):
        health, diagnostics = multi_health(result, inputs.data, effects, spec.holdout.last_n, approximate=run.quick)
    health |= labels  # stored beside the checks, as a single-KPI fit's labels: a label per channel, not a verdict
    outcome = FitOutcome(
        result=MultiResultInfo(approximate=run.quick, label=label),
        samples={name: np.asarray(v) for name, v in result.draws.items()},
        effects=effects.total,
        health=health,
        gate=gate.to_dict(),
        diagnostics=diagnostics,
        settings=run,
        extra_artifacts={ARTIFACT: artifact_arrays(effects)},
    )
    return outcome, inputs, effects


def _run_settings(settings: FitSettings) -> FitSettings:
    """The settings the joint model runs with: quick = one short NUTS chain (module docstring); the engine's
    target acceptance where the spec left it (a joint model's warm-up is never staged)."""
    settings = settings.ran_with(resolve_target_accept(settings.target_accept))
    if not settings.quick:
        return settings
    n = min(settings.draws, QUICK_DRAWS)  # a caller asking for fewer draws (tests) gets fewer
    return dataclasses.replace(settings, chains=1, warmup=n, draws=n)


def _insert_tables(store: Store, outcome: list[tuple], cross: list[tuple]) -> None:
    with store.transaction() as conn:
        for table, columns, rows in (
            ("outcome_summary", OUTCOME_COLUMNS, outcome),
            ("cross_effect_summary", CROSS_COLUMNS, cross),
        ):
            if rows:
                frame = pd.DataFrame(rows, columns=list(columns))
                conn.register("_multi_rows", frame)
                try:
                    conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM _multi_rows")
                finally:
                    conn.unregister("_multi_rows")


def _delete_tables(store: Store, fit_id: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM outcome_summary WHERE fit_id = ?", [fit_id])
        conn.execute("DELETE FROM cross_effect_summary WHERE fit_id = ?", [fit_id])


__all__ = ["JobSteps", "MultiInputs", "MultiResultInfo", "multi_inputs", "run_multi_fit"]
