"""Does the model reconcile each lift test with the observational data? A predictive check per test, two ways.

For test e the model predicts a lift with draws ``experiment_lift[s, e]`` (``engine.experiments``); a replicated
measurement adds the test's own error, ``lift_rep = lift_s + N(0, lift_se)``. Reported per test, always with the
measured lift and the model's prediction:

* **Calibrated fit (in-sample):** z = (measured − mean predicted) / sqrt(var predicted + lift_se²) and the two-sided
  tail probability of the measurement under the replicated draws. The posterior has seen the test, so this is
  optimistic: a model flexible enough to bend will reproduce almost any test, including a wrong one.
* **Data alone:** the same z against a fit *without* the tests in the likelihood (the tests still predicted, not
  observed; a quick MAP + Laplace fit, seconds — its interval is approximate, which is all a flag needs). This is
  the real conflict measure: where the KPI data cannot separate the channel (e.g. it moves with the season) the
  data-alone interval is wide and a sound test passes; a test far outside what the data allow is flagged.
  Importance reweighting of the calibrated draws (PSIS-LOO) was tried first and rejected: a precise test dominates
  the posterior and leaves ~2 effective draws.

Thresholds: |z| > 2 in-sample (optimistic, so below the usual 3) or |z| > 3 against the data alone → ``warn``,
naming the test and both numbers. The test stays in the likelihood: flagged, neither dropped nor obeyed silently.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from mmm_core.fit.checks import Check, passed

Z_IN_SAMPLE, Z_DATA_ALONE = 2.0, 3.0


def _z(pred: np.ndarray, y: float, se: float) -> dict[str, float]:
    rep = pred + np.random.default_rng(0).normal(0.0, se, pred.shape)
    tail = 2.0 * min(float(np.mean(rep >= y)), float(np.mean(rep <= y)))
    return {
        "predicted": float(pred.mean()),
        "interval": [float(np.quantile(pred, 0.05)), float(np.quantile(pred, 0.95))],
        "z": float((y - pred.mean()) / math.sqrt(float(pred.var()) + se**2)),
        "tail_probability": min(tail, 1.0),
    }


def experiment_consistency(
    lift_draws: np.ndarray, experiments: Sequence[Any], data_alone_draws: np.ndarray | None = None
) -> list[dict[str, Any]]:
    """Per test (``engine.config.ExperimentConfig``): measured lift, the calibrated prediction and z, and (when
    ``data_alone_draws`` is given) the data-alone prediction and z. Draws [S, E] in KPI units."""
    n = len(experiments)
    draws = np.asarray(lift_draws, float).reshape(-1, n)
    alone = None if data_alone_draws is None else np.asarray(data_alone_draws, float).reshape(-1, n)
    out = []
    for e, exp in enumerate(experiments):
        y, se = float(exp.lift), float(exp.lift_se)
        row = {"experiment": exp.name, "measured_lift": y, "lift_se": se, "calibrated": _z(draws[:, e], y, se)}
        row["data_alone"] = _z(alone[:, e], y, se) if alone is not None else None
        out.append(row)
    return out


def data_alone_lifts(data: Any, config: Any, seed: int = 0, draws: int = 400) -> np.ndarray:
    """[S, E] lift draws of a quick fit with every test predicted but none in the likelihood."""
    from mmm_core.engine import sample_quick  # lazy: JAX, only for fits calibrated on experiments

    tests = tuple(dataclasses.replace(e, observed=False) for e in config.experiments)
    result = sample_quick(data, dataclasses.replace(config, experiments=tests), seed=seed, draws=draws)
    return result.flat("experiment_lift")


def data_alone_roi(data: Any, config: Any, seed: int = 0, draws: int = 400) -> np.ndarray:
    """[S, C] ROI draws of the same quick fit without the tests in the likelihood: the "before calibration" figure
    when no uncalibrated fit of the spec exists (approximate, like every quick fit)."""
    from mmm_core.effects.draws import compute_effects  # lazy: JAX, as in data_alone_lifts
    from mmm_core.engine import sample_quick  # lazy: as above
    from mmm_core.engine.posterior import Posterior  # lazy: as above

    tests = tuple(dataclasses.replace(e, observed=False) for e in config.experiments)
    result = sample_quick(data, dataclasses.replace(config, experiments=tests), seed=seed, draws=draws)
    return compute_effects(Posterior.from_fit(result, data)).roi


def conflicts(row: dict[str, Any]) -> bool:
    """Whether one test's consistency row (``experiment_consistency``) is flagged: |z| > 2 in-sample or > 3
    against the data alone."""
    alone = _z_alone(row)
    return abs(row["calibrated"]["z"]) > Z_IN_SAMPLE or (alone is not None and abs(alone) > Z_DATA_ALONE)


def calibrated_labels(
    labels: dict[str, dict[str, Any]], experiments: Sequence[Any], channels: Sequence[str], identified: float
) -> dict[str, dict[str, Any]]:
    """Identifiability labels (``fit.identifiability``) of channels calibrated by lift tests in the likelihood,
    saying so: ``identified (calibrated by lift test exp_…)`` when the posterior contracted at least ``identified``
    (that module's threshold for an identified channel; the data-side causes such as seasonality stay recorded —
    the test, not the data, resolved them), else the data's label with ``(calibrated by lift test exp_…, still
    wide)``. Each such label gets ``calibrated_by``."""
    out = dict(labels)
    for c, name in enumerate(channels):
        tests = [e.name for e in experiments if e.channel == c and e.observed]
        if not tests or name not in out:
            continue
        entry, by = dict(out[name]), ", ".join(tests)
        k = entry.get("contraction")
        if k is not None and k >= identified:
            entry |= {"label": f"identified (calibrated by lift test {by})", "status": "identified", "fix": None}
        else:
            entry["label"] = f"{entry['label']} (calibrated by lift test {by}, still wide)"
        out[name] = entry | {"calibrated_by": tests}
    return out


def check_experiments(
    lift_draws: np.ndarray,
    experiments: Sequence[Any],
    channels: Sequence[str],
    data_alone_draws: np.ndarray | None = None,
) -> Check:
    """One health check over every test: ``warn`` names each test the model cannot reconcile, with both numbers."""
    rows = experiment_consistency(lift_draws, experiments, data_alone_draws)
    for row, exp in zip(rows, experiments, strict=True):
        row["channel"] = channels[exp.channel]
    bad = [r for r in rows if conflicts(r)]
    worst_z = max((abs(_z_alone(r) or r["calibrated"]["z"]) for r in rows), default=0.0)
    threshold = f"|z| ≤ {Z_IN_SAMPLE:g} calibrated (in-sample), |z| ≤ {Z_DATA_ALONE:g} against the data alone"
    if not bad:
        return passed(
            "experiment_consistency",
            worst_z,
            threshold,
            f"The model reconciles all {len(rows)} lift test(s) with the observational data.",
            experiments=rows,
        )
    reason = (
        "Lift test(s) the model cannot reconcile with the observational data: "
        + "; ".join(_describe(r) for r in bad)
        + ". Check the test's window, cell and spend change; if the test is right, the model may be missing what "
        "it measured (adstock, saturation, a confounder). The test stays in the likelihood — flagged, not obeyed."
    )
    return Check("experiment_consistency", "warn", worst_z, threshold, reason, {"experiments": rows})


def _z_alone(row: dict[str, Any]) -> float | None:
    return row["data_alone"]["z"] if row["data_alone"] is not None else None


def _describe(r: dict[str, Any]) -> str:
    text = (
        f"{r['experiment']} ({r['channel']}): measured {r['measured_lift']:,.0f} ± {r['lift_se']:,.0f}; the "
        f"calibrated model predicts {r['calibrated']['predicted']:,.0f} (z = {r['calibrated']['z']:.1f})"
    )
    if r["data_alone"] is not None:
        lo, hi = r["data_alone"]["interval"]
        text += (
            f", the data alone {r['data_alone']['predicted']:,.0f} (90% {lo:,.0f} … {hi:,.0f}; "
            f"z = {r['data_alone']['z']:.1f})"
        )
    return text


__all__ = [
    "calibrated_labels",
    "check_experiments",
    "conflicts",
    "data_alone_lifts",
    "data_alone_roi",
    "experiment_consistency",
]
