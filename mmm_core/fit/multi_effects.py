"""Effects of a multi-outcome fit (issue 22): per-outcome and weighted-total effect draws, the stored summaries of
outcomes and cross-effects, and the artifact that keeps them.

Every contribution is the engine's counterfactual (``engine.multi_model.predict_multi``): a channel's (or a
control's) direct term on an outcome plus what it moves through every cross-effect whose source it drives. The
model is additive, so those per-channel terms *are* the counterfactuals (``computation="separable"``); marginal
ROI is the response of the weighted total to +1% spend on one channel, re-predicted through the cross-effects.

The weighted total (Σ_k weight_k × outcome_k, weights from ``outcomes.weights``; 1 each by default) is an ordinary
``EffectDraws``: stored as the fit's ``effects.npz`` and ``posterior_summary`` rows, so every single-KPI reader
(roi, contributions, SQL over the posterior) reads the total. Each outcome's own draws go to ``outcomes.npz``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mmm_core.effects.draws import MROI_STEP, EffectDraws, draw_chunks, period_labels
from mmm_core.effects.intervals import stats
from mmm_core.fit.multi_controls import control_counterfactuals

F32 = np.float32
ARTIFACT = "outcomes.npz"
SEP = "__"  # outcome index and field name in the artifact's keys: "o1__contribution_total"


@dataclass(frozen=True, eq=False)
class MultiEffects:
    """Per-outcome effect draws (KPI units of each outcome), the weighted total, and the cross-effect draws:
    ``kappa`` [S,E] (target units per source unit), ``routed`` [S,E] (each effect's term summed over the grid, in
    target units), ``control_total`` [S,Kc,K] (each control's contribution against the control at 0, routed
    effects included: ``fit.multi_controls``), ``resid_corr`` [S,K,K];
    ``mu_mean`` [T,G,K] the posterior mean of each outcome's mean (what the fit checks compare with the data)."""

    outcomes: tuple[str, ...]
    weights: np.ndarray
    per_outcome: tuple[EffectDraws, ...]
    total: EffectDraws
    kappa: np.ndarray
    routed: np.ndarray
    control_names: tuple[str, ...]
    control_total: np.ndarray
    resid_corr: np.ndarray
    mu_mean: np.ndarray
    control_zero_in_range: np.ndarray  # [Kc] 0 lies within the control's observed values (a supported what-if)


def compute_multi_effects(result, data, *, approximate: bool, label: str) -> MultiEffects:
    """Effect draws of a ``MultiFitResult`` on its ``MultiData`` (draws predicted in memory-bounded chunks)."""
    # lazy: JAX, as every engine import of the fit path
    from mmm_core.engine.multi_model import predict_multi

    params, sd, config = result.params(), result.scaled, result.config
    spend = np.asarray(data.spend, float)
    n_s = int(np.shape(params["kappa"])[0])
    t, g, c = spend.shape
    k_n = config.n_outcomes
    step = draw_chunks(n_s, t * g * c * k_n * 3)
    parts: list[dict[str, np.ndarray]] = []
    for start in range(0, n_s, step):
        sub = {name: np.asarray(v)[start : start + step] for name, v in params.items()}
        base = predict_multi(sub, sd, config)
        parts.append(_chunk(base, sub, sd, config, spend, predict_multi))
    acc = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    spend_total = spend.sum(axis=(0, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        mroi = np.where((spend_total > 0)[:, None], acc["mroi_num"] / (MROI_STEP * spend_total)[None, :, None], np.nan)
    common = dict(
        channels=tuple(data.channels),
        geos=tuple(data.geos),
        periods=period_labels(data.periods),
        spend_total=spend_total,
        spend_geo=spend.sum(axis=0),
        approximate=approximate,
        label=label,
        computation="separable",
    )
    per = tuple(_effects(acc, mroi, k, common) for k in range(k_n))
    weights = config.weight_array()
    return MultiEffects(
        outcomes=tuple(config.outcomes),
        weights=weights,
        per_outcome=per,
        total=_weighted(per, mroi, weights, common),
        kappa=np.asarray(params["kappa"], float),
        routed=acc["routed"],
        control_names=tuple(data.control_names),
        control_total=acc["control_total"],
        resid_corr=np.asarray(params["resid_corr"], float),
        mu_mean=acc["mu_sum"].sum(axis=0) / n_s,
        control_zero_in_range=_zero_in_range(data.controls),
    )


def _zero_in_range(controls) -> np.ndarray:
    """[Kc] whether 0 lies within each control's observed values: the rule ``engine.multi_model.control_reference``
    applies, on the raw values (a control is shown against 0 only where that is a what-if the data contain)."""
    if controls is None:
        return np.zeros(0, bool)
    x = np.asarray(controls, float)
    return (np.nanmin(x, axis=(0, 1)) <= 0) & (np.nanmax(x, axis=(0, 1)) >= 0)


def _chunk(base: dict, sub: dict, sd, config, spend: np.ndarray, predict) -> dict[str, np.ndarray]:
    """One chunk's reductions: per-outcome sums over the grid, and the +1% re-predictions for marginal ROI."""
    contrib = base["contributions"]  # [s,T,G,C,K]
    mroi_num = np.empty(contrib.shape[:1] + contrib.shape[3:])  # [s,C,K]
    for c in range(spend.shape[2]):
        more = spend.copy()
        more[..., c] *= 1.0 + MROI_STEP
        mroi_num[:, c] = (predict(sub, sd, config, spend_override=more)["mu"] - base["mu"]).sum(axis=(1, 2))
    return {
        "period": contrib.sum(axis=2).astype(F32),  # [s,T,C,K]
        "geo": contrib.sum(axis=1).astype(F32),  # [s,G,C,K]
        "baseline": base["baseline"].astype(F32),  # [s,T,G,K]
        "fitted": base["mu"].sum(axis=(1, 2)),  # [s,K]
        "mu_sum": base["mu"].sum(axis=0, keepdims=True),  # [1,T,G,K], summed over the chunk's draws
        "mroi_num": mroi_num,
        "routed": base["cross"].sum(axis=(2, 3)),  # [s,E]
        "control_total": control_counterfactuals(sub, sd, config, base["direct"]),  # [s,Kc,K], vs the control at 0
    }


def _effects(acc: dict, mroi: np.ndarray, k: int, common: dict) -> EffectDraws:
    period = acc["period"][..., k]
    return EffectDraws(
        contribution_period=period,
        contribution_geo=acc["geo"][..., k],
        contribution_total=period.sum(axis=1),
        mroi=mroi[..., k].astype(F32),
        baseline=acc["baseline"][..., k],
        fitted_total=acc["fitted"][:, k].astype(F32),
        media_total=period.sum(axis=(1, 2)).astype(F32),  # additive: the joint media effect is the sum
        **common,
    )


def _weighted(per: tuple[EffectDraws, ...], mroi: np.ndarray, w: np.ndarray, common: dict) -> EffectDraws:
    def total(name: str) -> np.ndarray:
        return sum(wk * np.asarray(getattr(e, name), np.float64) for wk, e in zip(w, per, strict=True)).astype(F32)

    arrays = ("contribution_period", "contribution_geo", "contribution_total", "baseline", "fitted_total")
    return EffectDraws(
        **{name: total(name) for name in arrays},
        mroi=(mroi * w).sum(axis=-1).astype(F32),
        media_total=total("media_total"),
        **common,
    )


# --- the artifact -----------------------------------------------------------------------------------------------

_DRAW_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(EffectDraws)
    if f.name not in ("channels", "geos", "periods", "approximate", "label", "computation")
)


def artifact_arrays(eff: MultiEffects) -> dict[str, np.ndarray]:
    """What ``outcomes.npz`` holds: every outcome's effect draws (keys ``o{k}__field``) and the cross draws."""
    out: dict[str, np.ndarray] = {
        f"o{k}{SEP}{name}": np.asarray(getattr(e, name)) for k, e in enumerate(eff.per_outcome) for name in _DRAW_FIELDS
    }
    out.update(
        outcomes=np.array(eff.outcomes, dtype=str),
        weights=eff.weights,
        kappa=eff.kappa.astype(F32),
        routed=eff.routed.astype(F32),
        control_names=np.array(eff.control_names, dtype=str),
        control_total=eff.control_total.astype(F32),
        resid_corr=eff.resid_corr.astype(F32),
        mu_mean=eff.mu_mean,
        control_zero_in_range=eff.control_zero_in_range,
    )
    return out


def load_multi_effects(folder: Path, total: EffectDraws) -> MultiEffects:
    """Read ``outcomes.npz`` of a fit folder; ``total`` is the fit's stored (weighted) effect draws."""
    with np.load(Path(folder) / ARTIFACT, allow_pickle=False) as z:
        names = tuple(z["outcomes"].tolist())
        labels = {f.name: getattr(total, f.name) for f in dataclasses.fields(EffectDraws) if f.name not in _DRAW_FIELDS}
        per = tuple(
            EffectDraws(**labels, **{name: z[f"o{k}{SEP}{name}"] for name in _DRAW_FIELDS}) for k in range(len(names))
        )
        return MultiEffects(
            outcomes=names,
            weights=z["weights"],
            per_outcome=per,
            total=total,
            kappa=z["kappa"],
            routed=z["routed"],
            control_names=tuple(z["control_names"].tolist()),
            control_total=z["control_total"],
            resid_corr=z["resid_corr"],
            mu_mean=z["mu_mean"],
            control_zero_in_range=z["control_zero_in_range"],
        )


# --- the stored summaries ---------------------------------------------------------------------------------------

OUTCOME_COLUMNS = ("fit_id", "outcome", "quantity", "channel", "mean", "sd", "lo", "hi", "interval", "method")
CROSS_COLUMNS = (
    "fit_id", "source", "target", "type", "lag", "modulator", "quantity", "mean", "sd", "lo", "hi", "interval", "method"
)  # fmt: skip


def outcome_rows(eff: MultiEffects, fit_id: str, level: float, method: Any) -> list[tuple]:
    """``outcome_summary`` rows: ROI, contribution and mROI per channel and outcome, each control's contribution,
    and the residual correlation of each pair of outcomes (``channel`` = the other outcome)."""
    rows = []

    def add(outcome: str, quantity: str, names, draws: np.ndarray) -> None:
        s = stats(draws, level, method)
        for i, name in enumerate(names):
            vals = [float(s[key][i]) for key in ("mean", "sd", "lo", "hi")]
            rows.append((fit_id, outcome, quantity, name, *vals, level, method))

    for k, (name, e) in enumerate(zip(eff.outcomes, eff.per_outcome, strict=True)):
        add(name, "roi", e.channels, e.roi)
        add(name, "contribution", e.channels, e.contribution_total)
        add(name, "mroi", e.channels, e.mroi)
        if eff.control_names:
            add(name, "control_contribution", eff.control_names, eff.control_total[..., k])
        others = list(range(k + 1, len(eff.outcomes)))
        if others:
            add(name, "residual_correlation", [eff.outcomes[j] for j in others], eff.resid_corr[:, k, others])
    return rows


def cross_rows(eff: MultiEffects, cross_effects, fit_id: str, level: float, method: Any) -> list[tuple]:
    """``cross_effect_summary`` rows: each effect's kappa and its routed volume (target units over the grid).
    ``cross_effects``: the spec's, in the engine's order (sorted by source, target)."""
    rows = []
    for i, e in enumerate(cross_effects):
        for quantity, draws in (("kappa", eff.kappa[:, i]), ("routed", eff.routed[:, i])):
            s = stats(draws, level, method)
            vals = [float(s[key]) for key in ("mean", "sd", "lo", "hi")]
            rows.append((fit_id, e.source, e.target, e.type, e.lag, e.modulator, quantity, *vals, level, method))
    return rows


__all__ = [
    "ARTIFACT",
    "CROSS_COLUMNS",
    "OUTCOME_COLUMNS",
    "MultiEffects",
    "artifact_arrays",
    "compute_multi_effects",
    "cross_rows",
    "load_multi_effects",
    "outcome_rows",
]
