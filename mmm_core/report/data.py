"""The results JSON of a report: every number the report shows, collected once from the stored fit.

Prose, tables and charts are all rendered from this one dict, so "every number in the report appears in the
results" is checkable (:func:`mmm_core.report.build.build_report` runs that check on its own prose). Bulky series
used only by charts live under ``charts``; the prose is checked against everything else (a smaller pool makes
the check stricter).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from mmm_core import effects, ledger
from mmm_core.answers import results
from mmm_core.answers.mediation import mediation
from mmm_core.answers.planning import stored_plans
from mmm_core.data.queries import describe, kpi_by
from mmm_core.effects.draws import period_labels
from mmm_core.effects.intervals import stats
from mmm_core.fit import artifacts
from mmm_core.fit.job import fit_summary
from mmm_core.fit.oos import stored_out_of_sample
from mmm_core.jsonable import to_jsonable
from mmm_core.outputs import write_atomic
from mmm_core.report.controls import controls_block
from mmm_core.report.experiments import experiments_block
from mmm_core.report.long_term import long_term_block, long_term_irf
from mmm_core.store import Store

BREAKEVEN_ROI = 1.0  # one KPI unit per unit of spend: below it a channel does not pay back (KPI in money)
PREDICTIVE_DRAWS = 400  # draws for the fitted-vs-observed band: enough for stable 90% bounds, cheap to predict
CURVE_DRAWS = 300
SATURATION_RATIO = 0.5  # mROI below half the average ROI: the channel is clearly on the flat part of its curve


def collect(store: Store, fit_id: str, allow_unhealthy: bool = False) -> dict[str, Any]:
    """Everything the report states about ``fit_id``, as plain JSON-able data."""
    # refuses an unhealthy fit unless allowed; each channel carries its identifiability label and its ROI prior
    roi = results.roi(store, fit_id, allow_unhealthy=allow_unhealthy, show_prior=True)
    eff = results.effect_draws(store, fit_id)
    level, method = roi["interval"]["level"], roi["interval"]["method"]
    locked = ledger.get_spec(store, roi["provenance"]["spec_id"])
    post = results.load_posterior(store, fit_id)
    out: dict[str, Any] = {
        "fit": fit_block(store, fit_id, roi),
        "provenance": roi["provenance"],
        "spec": spec_block(locked),
        "ledger": ledger_block(store, locked),
        "data": _data_block(store, locked, eff),
        "health": health_block(store, fit_id),
        "roi": {k: roi[k] for k in ("channels", "media_share", "interval", "n_draws")},
        "ranking": _ranking(eff, level, method, {ch: c["identifiability"] for ch, c in roi["channels"].items()}),
        "contributions": _contribution_totals(eff, level, method),
        "mediation": _mediation(store, fit_id, locked, allow_unhealthy),
        "comparison": roi.get("comparison"),  # the declared model comparison, when the spec has one
        "experiments": experiments_block(store, fit_id, locked, roi, level, method),  # lift tests, when used
        "controls": controls_block(store, fit_id, locked, allow_unhealthy),  # classes and selection, when declared
        "long_term": long_term_block(store, fit_id, locked, allow_unhealthy),  # brand VAR, when the spec has one
        "optimizer": optimizer_block(store, fit_id),
        "thresholds": {"roi_breakeven": BREAKEVEN_ROI},
        "charts": {
            "fitted": _fitted_series(post, locked, level, method),
            "contributions": _contribution_series(eff),
            "spend": _spend_series(post),
            "curves": _curves(post, level, method),
            "long_term_irf": long_term_irf(store, fit_id, locked, level, method),
        },
    }
    out["findings"] = _findings(out)
    return to_jsonable(out)


# --- blocks ----------------------------------------------------------------------------------------------------


def fit_block(store: Store, fit_id: str, roi: dict[str, Any]) -> dict[str, Any]:
    meta = artifacts.load_meta(artifacts.fit_dir(store, fit_id))
    summary = fit_summary(store, fit_id)
    settings = meta.get("settings", {})
    return {
        "fit_id": fit_id,
        "spec_id": summary["spec_id"],
        "engine": meta.get("engine"),
        "method": meta.get("method"),
        "mode": summary.get("mode"),
        "approximate": bool(meta.get("approximate")),
        "label": meta.get("label"),
        "interval": roi["interval"],
        "n_draws": roi.get("n_draws"),
        "settings": {k: settings.get(k) for k in ("chains", "warmup", "draws", "seed", "target_accept")},
        "elapsed_s": summary.get("elapsed_s"),
        "started_at": summary.get("started_at"),
        "finished_at": summary.get("finished_at"),
    }


def spec_block(locked: ledger.LockedSpec) -> dict[str, Any]:
    s = locked.spec
    return {
        "spec_id": locked.spec_id,
        "version": locked.version,
        "sha256": locked.sha256,
        "rationale": locked.rationale,
        "locked_at": locked.locked_at.isoformat() if locked.locked_at else None,
        "kpi": s.kpi,
        "likelihood": s.likelihood,
        "noise": s.noise,
        "media": [
            {
                "name": m.name,
                "variable": m.variable,
                "adstock": m.adstock.type,
                "l_max": m.adstock.l_max,
                "saturation": m.saturation.type,
                "prior": m.effect_prior.type,
                "prior_median": m.effect_prior.median,
            }
            for m in s.media
        ],
        "controls": [c.name for c in s.controls],
        "mediators": [m.name for m in s.mediators],
        "trend": s.trend.type,
        "fourier_order": s.seasonality.fourier_order,
        "geo_pooling": s.geo.pooling,
        "holdout_last_n": s.holdout.last_n,
    }


def ledger_block(store: Store, locked: ledger.LockedSpec) -> dict[str, Any]:
    """Every spec version and fit tried on the dataset, flagged where changed after results were seen."""
    rep = ledger.ledger_report(store, locked.dataset_id)
    specs = [
        {
            k: row.get(k)
            for k in (
                "spec_id",
                "version",
                "parent_id",
                "sha256",
                "rationale",
                "amendment_reason",
                "post_hoc",
                "locked_at",
                "changes",
            )
        }
        | {"current": row["spec_id"] == locked.spec_id}
        for row in rep["specs"]
    ]
    fits = [
        {k: f.get(k) for k in ("fit_id", "spec_id", "spec_version", "mode", "status", "finished_at")}
        for f in rep["fits"]
    ]
    refusals = [e for e in rep["events"] if e["kind"] == "refusal"]
    return {
        "specs": specs,
        "fits": fits,
        "n_specs": len(specs),
        "n_fits": len(fits),
        "n_post_hoc": sum(bool(s["post_hoc"]) for s in specs),
        "n_refusals": len(refusals),
        "dataset_disclosure": rep["disclosure"],
    }


def _data_block(store: Store, locked: ledger.LockedSpec, eff: effects.EffectDraws) -> dict[str, Any]:
    kpi_total = float(kpi_by(store, locked.dataset_id, locked.spec.kpi, "period")["total"].sum())
    return dataset_block(store, locked, eff) | {"kpi": locked.spec.kpi, "kpi_total": kpi_total}


def dataset_block(store: Store, locked: ledger.LockedSpec, eff: effects.EffectDraws) -> dict[str, Any]:
    """The data section's fields every report has (single or several outcomes): the dataset, its periods and
    geographies, channels, controls and spend with shares — ``eff`` gives channels and spend in model order."""
    d = describe(store, locked.dataset_id)
    spend = {ch: float(v) for ch, v in zip(eff.channels, eff.spend_total)}
    total = sum(spend.values())
    geos = [g for g in d["geographies"] if g]
    return {
        "dataset_id": d["dataset_id"],
        "name": d["name"],
        "fingerprint": d["fingerprint"],
        "frequency": d["frequency"],
        "periods": d["periods"],
        "geographies": geos or ["national"],
        "n_geos": max(1, len(geos)),
        "channels": list(eff.channels),
        "n_channels": len(eff.channels),
        "controls": [c.name for c in locked.spec.controls],
        "n_controls": len(locked.spec.controls),
        "spend": spend,
        "spend_total": total,
        "spend_share": {ch: (v / total if total > 0 else None) for ch, v in spend.items()},
    }


def health_block(store: Store, fit_id: str) -> dict[str, Any]:
    h = results.health(store, fit_id)
    gate = h.get("gate") or {}
    checks = [{k: c.get(k) for k in ("name", "status", "value", "threshold", "reason")} for c in h["checks"]]
    holdout = next((c for c in h["checks"] if c["name"] == "holdout_mape"), None)
    return {
        "overall": h["overall"],
        "summary": h["summary"],
        "checks": checks,
        "n_fail": sum(c["status"] == "fail" for c in checks),
        "n_warn": sum(c["status"] == "warn" for c in checks),
        "gate": {
            "blocking": gate.get("blocking"),
            "summary": gate.get("summary"),
            "n_checks": len(gate.get("checks", [])),
            "checks": [{k: c.get(k) for k in ("name", "status", "value", "reason")} for c in gate.get("checks", [])],
        },
        "diagnostics": h.get("diagnostics") or {},
        "out_of_sample": stored_out_of_sample(store, fit_id),  # rolling-origin validation, when it was run
        "holdout": (
            {
                "mape": holdout["value"],
                "in_sample_mape": (holdout.get("details") or {}).get("in_sample_mape"),
                "status": holdout["status"],
                "reason": holdout["reason"],
            }
            if holdout
            else None
        ),
    }


def _ranking(eff: effects.EffectDraws, level: float, method: str, labels: dict[str, Any]) -> dict[str, Any]:
    """Best/worst channel (with a caveat when not identified), P(best)/P(worst) and the pairwise matrix."""
    bw = effects.best_worst(eff, level, method, labels=labels)
    pairwise = {
        a: {b: (None if a == b else effects.compare(eff, a, b, level, method)["prob"]) for b in eff.channels}
        for a in eff.channels
    }
    return {
        "best": bw["best"],
        "worst": bw["worst"],
        "p_best": bw["p_best"],
        "p_worst": bw["p_worst"],
        "pairwise": pairwise,
    }


def _contribution_totals(eff: effects.EffectDraws, level: float, method: str) -> dict[str, Any]:
    rows = effects.contribution_rows(eff, "channel", level, method)
    fitted = effects.summarize(eff.fitted_total, level, method)
    media = effects.summarize(eff.media_total, level, method)
    return {"by_channel": rows, "fitted_total": fitted, "media_total": media}


def _mediation(
    store: Store, fit_id: str, locked: ledger.LockedSpec, allow_unhealthy: bool = False
) -> dict[str, Any] | None:
    """Mediation results when the spec has mediators, else None."""
    if not locked.spec.mediators:
        return None
    return mediation(store, fit_id, allow_unhealthy=allow_unhealthy)


def optimizer_block(store: Store, fit_id: str) -> dict[str, Any] | None:
    """The newest optimizer recommendation stored beside the fit (``mmm_core.answers.planning``), if any was run."""
    plans = stored_plans(store, fit_id, "optimize")
    if not plans:
        return None
    keep = (
        "plan_id",
        "allocation",
        "expected_kpi",
        "vs_current",
        "binding",
        "optimality_verified",
        "warnings",
        "horizon_periods",
        "budget",
        "approximate",
        "label",
        "current",
        "decision",
    )
    return {k: plans[-1].get(k) for k in keep} | {"n_plans": len(plans)}


# --- chart series (not part of the prose's grounding pool) -------------------------------------------------


def _fitted_series(post, locked: ledger.LockedSpec, level: float, method: str) -> dict[str, Any]:
    """Observed KPI vs the model's expected KPI per period (summed over geos) with its interval."""
    thin = post.thin(PREDICTIVE_DRAWS)
    mu = np.asarray(thin.predict()["mu"], np.float64).sum(axis=2)  # [S, T]
    s = stats(mu, level, method)
    data = post.data
    observed = np.where(data.kpi_mask, data.kpi, 0.0).sum(axis=1)
    seen = data.kpi_mask.any(axis=1)
    last_n = locked.spec.holdout.last_n
    periods = list(period_labels(data.periods))
    return {
        "periods": periods,
        "observed": [float(v) if ok else None for v, ok in zip(observed, seen)],
        "mean": s["mean"],
        "lo": s["lo"],
        "hi": s["hi"],
        "n_draws": thin.n_draws,
        "holdout_start": periods[-last_n] if last_n else None,
    }


def _contribution_series(eff: effects.EffectDraws) -> dict[str, Any]:
    """Posterior-mean contribution per period of each channel and the baseline (stacked-area chart)."""
    by_channel = eff.contribution_period.mean(axis=0, dtype=np.float64)  # [T, C]
    baseline = eff.baseline.sum(axis=2, dtype=np.float64).mean(axis=0)
    return {
        "periods": list(eff.periods),
        "baseline": baseline,
        "channels": {ch: by_channel[:, i] for i, ch in enumerate(eff.channels)},
    }


def _spend_series(post) -> dict[str, Any]:
    spend = np.asarray(post.data.spend, np.float64).sum(axis=1)  # [T, C]
    return {
        "periods": list(period_labels(post.data.periods)),
        "channels": {ch: spend[:, i] for i, ch in enumerate(post.channels)},
    }


def _curves(post, level: float, method: str) -> dict[str, Any]:
    return {
        ch: effects.response_curve(post, ch, level=level, method=method, max_draws=CURVE_DRAWS) for ch in post.channels
    }


# --- findings: the few facts the executive summary states ----------------------------------------------------


def _findings(r: dict[str, Any]) -> dict[str, Any]:
    chans = r["roi"]["channels"]
    below = [ch for ch, c in chans.items() if c["roi"]["hi"] is not None and c["roi"]["hi"] < BREAKEVEN_ROI]
    above = [ch for ch, c in chans.items() if c["roi"]["lo"] is not None and c["roi"]["lo"] > BREAKEVEN_ROI]
    spend_top = max(r["data"]["spend"], key=r["data"]["spend"].get)
    best = r["ranking"]["best"]["channel"]
    by_median = sorted(chans, key=lambda ch: -(chans[ch]["roi"]["median"] or 0.0))
    runner_up = next((ch for ch in by_median if ch != best), None)
    # "Saturating": the next unit earns less than half of what the average unit earned.
    saturating = [
        ch
        for ch, c in chans.items()
        if c["mroi"]["mean"] is not None
        and c["roi"]["mean"]
        and c["roi"]["mean"] > 0
        and c["mroi"]["mean"] < SATURATION_RATIO * c["roi"]["mean"]
    ]
    return {
        "best": best,
        "worst": r["ranking"]["worst"]["channel"],
        "runner_up": runner_up,
        "best_vs_runner_up": r["ranking"]["pairwise"][best][runner_up] if runner_up else None,
        "below_breakeven": below,
        "above_breakeven": above,
        "largest_spend": spend_top,
        "unclear": [ch for ch in chans if ch not in below and ch not in above],
        "saturating": saturating,
    }


def grounding_pool(res: dict[str, Any]) -> dict[str, Any]:
    """The results the prose may quote: everything except the chart series."""
    return {k: v for k, v in res.items() if k != "charts"}


def dump(res: dict[str, Any], path: Path) -> Path:
    return write_atomic(path, json.dumps(res, indent=1, default=str))
