"""A fit as a job: ledger gatekeeping → pre-fit gate → sampling with progress → health review → effects →
artifacts → registration. Any failure marks the job failed (re-runnable) and leaves no half-written fit.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from mmm_core import ledger
from mmm_core.effects.tables import compute_effects
from mmm_core.engine.timing import PhaseTimer
from mmm_core.errors import GateError, MMMError, NotFoundError
from mmm_core.fit import artifacts, identifiability
from mmm_core.fit.gate import run_gate
from mmm_core.fit.gate_mediators import mediator_gate
from mmm_core.fit.headline import health_and_headline, holdout_mask
from mmm_core.fit.identifiability import prior_roi_draws
from mmm_core.fit.inputs import model_config, model_data
from mmm_core.fit.prior_check import n_parameters, prior_predictive
from mmm_core.fit.pymc import fit_with_pymc_marketing
from mmm_core.fit.records import FitOutcome, FitSettings
from mmm_core.fit.registration import error_dict as _error_dict
from mmm_core.fit.registration import register as _register
from mmm_core.ledger.default_fit import default_fit
from mmm_core.ledger.fits import fit_record
from mmm_core.store import Store

Progress = Callable[[float, str], None]
# Share of the progress bar each phase takes (sampling dominates the wall time).
GATE_END, SAMPLING_END = 0.05, 0.9
_PHASE_STARTS = (0.0, GATE_END, SAMPLING_END)
PROGRESS_WRITE_EVERY_S = 1.0
COMPILE_AHEAD_ENV = "MMM_AGENT_COMPILE_AHEAD"  # "1": compile the sampler's kernels on background threads


def run_fit(
    store: Store,
    spec_id: str,
    *,
    quick: bool = False,
    engine: str = "numpyro",
    chains: int | None = None,
    warmup: int | None = None,
    draws: int | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Fit a locked spec; returns ``{fit_id, status, approximate, label, diagnostics, health, gate, elapsed_s,
    provenance}``. Raises ``FitRefusedError``/``GateError``/``TamperError`` with the fit recorded as failed."""
    t0 = time.perf_counter()
    # The ledger checks before sampling and the registration after it are short bursts of store operations: each
    # is pinned (one DuckDB instance, see store_pin); sampling in between holds nothing.
    with store.pinned():
        fit_id, spec, settings = start_fit(
            store, spec_id, quick=quick, engine=engine, chains=chains, warmup=warmup, draws=draws, seed=seed
        )
    report = _reporter(store, fit_id, progress)
    if getattr(spec, "outcomes", None) is not None:  # several KPIs: fit.multi samples, reviews and registers them
        from mmm_core.fit.multi import JobSteps, run_multi_fit  # lazy: JAX; only multi-outcome specs

        steps = JobSteps(register_outcome, fit_summary, _error_dict, GATE_END, SAMPLING_END)
        return run_multi_fit(store, fit_id, spec, settings, report, progress, t0, steps)
    timer = PhaseTimer()
    try:
        outcome = _fit(store, fit_id, spec, settings, report, timer)
    except BaseException as exc:
        ledger.fail_fit(store, fit_id, _error_dict(exc))
        raise
    elapsed = time.perf_counter() - t0
    with store.pinned():
        _register(store, fit_id, outcome, elapsed, timer)
        summary = fit_summary(store, fit_id)
    if progress is not None:  # the ledger row is closed now; only the caller hears the end
        progress(1.0, f"done in {elapsed:.1f} s")
    return summary


def start_fit(store: Store, spec_id: str, *, quick: bool = False, engine: str = "numpyro", **overrides: Any):
    """Ledger checks, then the fit recorded 'running': ``(fit_id, spec, settings)``; overrides: chains, warmup..."""
    try:
        spec = ledger.get_spec(store, spec_id).spec  # tamper check before anything else
    except NotFoundError:
        # A draft path or an unknown id: begin_fit owns the refusal (explains how to lock, logs it).
        ledger.begin_fit(store, spec_id, engine=engine, mode="quick" if quick else "nuts")
        raise
    settings = FitSettings.resolve(spec, quick=quick, engine=engine, **overrides)
    fit_id = ledger.begin_fit(store, spec_id, engine=engine, mode=settings.mode, settings=settings.to_dict())
    artifacts.remove_stale_staging(artifacts.fit_dir(store, fit_id).parent)  # left by fits killed mid-write
    return fit_id, spec, settings


def register_outcome(store: Store, fit_id: str, outcome: FitOutcome, elapsed: float, timer=None) -> dict[str, Any]:
    """Register an outcome computed in another process (a Ray task of `fit-many`); returns the fit's summary."""
    _register(store, fit_id, outcome, elapsed, timer)
    return fit_summary(store, fit_id)


def _reporter(store: Store, fit_id: str, progress: Progress | None) -> Progress:
    """Progress to the ledger (for `fit status` in other processes) and to ``progress`` (this process's caller).

    Ledger writes come at most every PROGRESS_WRITE_EVERY_S, phase starts always: each write opens the store and
    commits (~20-50 ms, a fsync), and a warm national fit's sampling chunks arrive every ~0.3 s. The caller hears
    every step."""
    last = [-math.inf]

    def report(fraction: float, message: str) -> None:
        now = time.monotonic()
        if fraction in _PHASE_STARTS or now - last[0] >= PROGRESS_WRITE_EVERY_S:
            ledger.update_fit_progress(store, fit_id, round(float(fraction), 4), message)
            last[0] = now
        if progress is not None:
            progress(fraction, message)

    return report


def _fit(store: Store, fit_id: str, spec, settings: FitSettings, report: Progress, timer: PhaseTimer) -> FitOutcome:
    report(0.0, "building model inputs")
    with timer.phase("inputs"):
        data = model_data(store, spec)
        config = model_config(spec, data)
    outcome = sample_and_review(data, config, settings, report, timer)
    if getattr(spec, "long_term", None) is not None and settings.engine == "numpyro":
        from mmm_core.fit.long_term import attach_long_term  # lazy: JAX; only specs with a long_term block

        outcome = attach_long_term(store, spec, data, outcome, report, timer)
    if settings.engine == "pymc-marketing" or spec.comparison is None:
        return outcome
    from mmm_core.fit.comparison import FitSteps, attach_comparison  # lazy: only specs declaring a comparison

    steps = FitSteps(_sample, _review, _register, _error_dict, SAMPLING_END)
    return attach_comparison(store, fit_id, spec, settings, outcome, data, report, steps)


def sample_and_review(data, config, settings: FitSettings, report: Progress, timer: PhaseTimer) -> FitOutcome:
    """Gate, sampling and health review of model inputs: needs no store (a Ray task runs it on a shipped copy)."""
    if settings.engine == "pymc-marketing":
        return fit_with_pymc_marketing(data, config, settings, report)
    with timer.phase("engine_import"):
        from mmm_core.engine import scale_data  # lazy: JAX (~0.7 s); fit_summary/latest_fit users must not pay it

        scaled = scale_data(data, config)
    timer.count_compiles()
    with timer.phase("compile_ahead"):  # the sampler's kernels compile on other threads from here on
        _compile_ahead(scaled, config, settings)
    with timer.phase("prior_predictive"):
        prior = prior_predictive(scaled, config, seed=settings.seed)  # shared: the gate and identifiability use it
    with timer.phase("gate"):
        gate = _gate(data, scaled, config, prior)
    report(GATE_END, "pre-fit gate: " + gate.summary)
    if gate.blocking:
        raise GateError(
            f"The pre-fit gate stopped the fit: {gate.summary}", _gate_hint(gate), code="gate_blocked"
        ).with_detail({"gate": gate.to_dict()})
    result = _sample(scaled, config, settings, report)
    timer.merge(result.extra.get("phases", {}), prefix="nuts_")
    return _review(data, result, settings, gate.to_dict(), report, prior_roi_draws(prior, data.spend), timer)


def _compile_ahead(scaled, config, settings: FitSettings) -> None:
    """Opt-in (``MMM_AGENT_COMPILE_AHEAD=1``): the overlap was not measurable on the loaded 2-core machine. (The
    segmentation fault once seen in a test process with background compiles was that process running out of
    memory maps — ``engine.executables.trim_if_crowded`` — not these compiles.)"""
    if os.environ.get(COMPILE_AHEAD_ENV) != "1":
        return
    from mmm_core.engine.ahead import compile_fit_ahead, compile_quick_ahead  # lazy: JAX, as in _fit

    if settings.quick:
        compile_quick_ahead(scaled, config, settings.draws)
    else:
        compile_fit_ahead(
            scaled, config, settings.chains, settings.warmup, settings.draws, target_accept=settings.target_accept
        )


def _gate(data, scaled, config, prior: dict):
    return run_gate(
        data.spend,
        data.kpi,
        data.kpi_mask,
        data.controls,
        data.channels,
        data.control_names,
        n_parameters(scaled, config),
        prior,
        extra_checks=_mediator_checks(data, config),
        model_inputs=(scaled.spend, scaled.kpi),  # the scale check reads what the model sees
    )


def _mediator_checks(data, config) -> list:
    if not config.mediators:
        return []
    from mmm_core.engine.data import training_mask  # lazy: JAX, as in _fit

    meds = config.mediators
    return mediator_gate(
        data.mediators,
        training_mask(data, config),
        data.spend,
        data.mediator_names,
        [m.kind for m in meds],
        [m.channels for m in meds],
        [m.carryover for m in meds],
        data.channels,
    )


def _gate_hint(gate) -> str:
    failed = [c for c in gate.checks if c.status == "fail"]
    return " ".join(f"{c.name}: {c.reason}" for c in failed) or "See the gate checks."


def _sample(scaled, config, settings: FitSettings, report: Progress):
    from mmm_core.engine import sample_nuts, sample_quick  # lazy: JAX, as in _fit

    if settings.quick:
        report(GATE_END, "quick mode: MAP + Laplace approximation")
        return sample_quick(scaled, config, seed=settings.seed, draws=settings.draws)
    span = SAMPLING_END - GATE_END
    return sample_nuts(
        scaled,
        config,
        chains=settings.chains,
        warmup=settings.warmup,
        draws=settings.draws,
        seed=settings.seed,
        target_accept=settings.target_accept,
        progress_callback=lambda f, msg: report(GATE_END + span * f, msg),
    )


def _review(
    data,
    result,
    settings: FitSettings,
    gate: dict[str, Any],
    report: Progress,
    prior_roi: np.ndarray,
    timer: PhaseTimer | None = None,
) -> FitOutcome:
    from mmm_core.engine.posterior import Posterior  # lazy: JAX, as in _fit

    timer = timer or PhaseTimer()
    report(SAMPLING_END, "computing contributions, ROI and the health review")
    with timer.phase("effects"):
        post = Posterior.from_fit(result, data)
        effects = compute_effects(post)
        pred = post.predict()
    holdout = holdout_mask(len(data.periods), result.config.holdout)
    with timer.phase("identifiability"):
        ident = identifiability.for_fit(data, result.config, effects.roi, prior_roi)
    with timer.phase("review"):
        health, diagnostics = health_and_headline(data, result, post, pred, effects, ident, holdout)
    # Stored beside the checks (additive JSON): a label per channel, not a pass/fail of the fit.
    health_dict = {**health.to_dict(), "identifiability": ident}
    used = settings.ran_with(result.extra.get("target_accept"))
    return FitOutcome(result, post.params, effects, health_dict, gate, diagnostics, used)


def fit_summary(store: Store, fit_id: str) -> dict[str, Any]:
    """Status, diagnostics, health and gate of a fit, with the provenance of its spec."""
    fit = fit_record(store, fit_id)
    meta = _meta_or_empty(store, fit_id)
    return {
        "fit_id": fit.id,
        "dataset_id": fit.dataset_id,
        "spec_id": fit.spec_id,
        "engine": fit.engine,
        "mode": fit.mode,
        "status": fit.status,
        "progress": fit.progress,
        "log": fit.log,
        "elapsed_s": fit.elapsed_s,
        "started_at": fit.started_at.isoformat() if fit.started_at else None,
        "finished_at": fit.finished_at.isoformat() if fit.finished_at else None,
        "diagnostics": fit.diagnostics,
        "health": fit.health,
        "gate": fit.gate,
        "error": fit.error,
        "approximate": bool(meta.get("approximate", fit.mode == "quick")),
        "label": meta.get("label"),
        "provenance": ledger.provenance(store, fit.spec_id),
    }


def _meta_or_empty(store: Store, fit_id: str) -> dict[str, Any]:
    try:
        return artifacts.load_meta(artifacts.fit_dir(store, fit_id))
    except MMMError:
        return {}


def latest_fit(store: Store, dataset: str | None = None) -> str | None:
    """The id of the fit that answers when none is named (of ``dataset`` when given): the default-fit rule of
    :func:`mmm_core.ledger.default_fit.default_fit` — the newest pre-registered full fit, else the best fallback."""
    choice = default_fit(store, dataset)
    return choice.fit_id if choice else None
