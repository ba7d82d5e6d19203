"""Long-term effects: base sales from step 1, the VAR-X of step 2, impulse responses, long-term and total ROI.

- **Base sales** per step-1 draw: the observed KPI minus that draw's media contributions, summed over geographies
  (what the system this learns from calls base sales: it keeps the movements step 1 left in its residuals, which
  is where a slow brand effect lives when step 1's trend is a line). A period with an unobserved KPI cell is
  missing, as are brand-metric periods without a survey; the VAR treats both as latent (``engine.bvar``).
- **Media input**: each channel's national spend through the step-1 draw's own adstock, in sds of that series.
- **Impulse response** of channel c: the response of every series to $1 of spend in period 0, per draw, over
  ``horizon`` periods. **Long-term ROI** = the base-sales response cumulated over the horizon (KPI per unit of
  spend). **Total ROI** = short + long per joint draw: each VAR draw is paired with the short-term ROI of the
  step-1 draw whose base sales it was fitted on. **Long share** = long / total per draw.
- **Explosive draws** (companion eigenvalue modulus >= 1) are excluded from every summary and counted; when
  most draws are explosive no ROI is summarised at all (``summarised: false`` with the reason).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mmm_core.effects.intervals import interval_info, summarize

if TYPE_CHECKING:
    from mmm_core.engine.bvar import VARDraws, VARInputs, VARSettings
    from mmm_core.engine.posterior import Posterior

MOSTLY_EXPLOSIVE = 0.5  # above this share of explosive draws, nothing is summarised as an ROI
STATIONARITY = ("detrend", "difference", "levels")


@dataclass(frozen=True)
class LongTermDraws:
    """Joint draws of the long-term model (S pooled VAR draws). Per $ of spend: ``long_roi`` [S,C],
    ``short_roi`` [S,C] (the paired step-1 draw's), ``irf`` [S,H,N,C] (series: base sales in KPI units, then
    each metric in its own units). ``max_modulus`` [S]; ``imputation`` [S]; ``step1_draw`` [K]."""

    channels: tuple[str, ...]
    series: tuple[str, ...]
    horizon: int
    long_roi: np.ndarray
    short_roi: np.ndarray
    irf: np.ndarray
    max_modulus: np.ndarray
    imputation: np.ndarray
    step1_draw: np.ndarray
    diagnostics: dict

    @property
    def stable(self) -> np.ndarray:
        return self.max_modulus < 1.0

    @property
    def explosive_share(self) -> float:
        return float(np.mean(~self.stable))

    @property
    def summarised(self) -> bool:
        return self.explosive_share <= MOSTLY_EXPLOSIVE

    @property
    def total_roi(self) -> np.ndarray:
        return self.short_roi + self.long_roi

    @property
    def long_share(self) -> np.ndarray:
        total = self.total_roi
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(total != 0, self.long_roi / np.where(total != 0, total, 1.0), np.nan)


def base_sales(post: Posterior, draws: np.ndarray) -> np.ndarray:
    """[K,T] observed KPI minus media contributions, summed over geos, for step-1 draws ``draws`` (NaN where a
    period has an unobserved KPI cell)."""
    from mmm_core.engine.posterior import Posterior  # lazy: JAX (~1.5 s); reading stored draws never needs it

    params = {k: np.asarray(v)[draws] for k, v in post.params.items()}
    contrib = Posterior(params, post.data, post.scaled, post.config).predict()["contributions"].sum(-1)
    kpi = np.where(post.data.kpi_mask, post.data.kpi, np.nan)
    return (kpi[None] - contrib).sum(axis=2)  # a NaN cell makes its period NaN


def adstocked_media(post: Posterior, draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(x, weights)``: national adstocked spend [K,T,C] and the adstock weights [K,L,C] of each step-1 draw."""
    from mmm_core.engine.curves import adstock_weights  # lazy: JAX, as in base_sales

    spend = post.data.spend.sum(axis=1)  # [T,C]
    n_t, n_c = spend.shape
    keys = ("adstock_alpha", "adstock_theta")
    weights = np.stack(
        [np.asarray(adstock_weights({k: post.params[k][d] for k in keys}, post.config, n_c), np.float64) for d in draws]
    )
    lagged = np.stack([np.vstack([np.zeros((lag, n_c)), spend[: n_t - lag]]) for lag in range(weights.shape[1])])
    return np.einsum("ltc,klc->ktc", lagged, weights), weights


def deterministic_terms(post: Posterior, stationarity: str) -> np.ndarray:
    """[T,D] regressors of every VAR equation: intercept; a linear time trend for 'detrend'; step 1's seasonality
    and controls (national), which base sales still carry and which are not brand dynamics."""
    if stationarity not in STATIONARITY:
        raise ValueError(f"stationarity must be one of {STATIONARITY}, not {stationarity!r}")
    n_t = post.data.spend.shape[0]
    cols = [np.ones(n_t)]
    if stationarity == "detrend":
        cols.append(np.linspace(-1.0, 1.0, n_t))
    season = np.asarray(post.scaled.fourier, np.float64)
    controls = np.asarray(post.scaled.controls, np.float64).mean(axis=1)
    return np.column_stack(cols + [season, controls])


def compute_long_term(
    post: Posterior,
    short_roi: np.ndarray,
    metrics: np.ndarray,
    metric_names: tuple[str, ...],
    settings: VARSettings,
    horizon: int,
    stationarity: str,
    imputations: int,
) -> LongTermDraws:
    """Fit the VAR on ``imputations`` step-1 draws and turn it into per-$ responses and ROIs.

    ``short_roi`` [S1,C]: step 1's ROI draws; ``metrics`` [T,M] national brand metrics (NaN where unobserved)."""
    from mmm_core.engine.bvar import VARInputs, fit_var  # lazy: JAX, as in base_sales

    step1 = np.unique(np.linspace(0, post.n_draws - 1, imputations).round().astype(int))
    x, weights = adstocked_media(post, step1)
    x_sd = x.std(axis=(0, 1))
    x_sd = np.where(x_sd > 0, x_sd, 1.0)
    y = np.concatenate([base_sales(post, step1)[..., None], np.broadcast_to(metrics, (len(step1),) + metrics.shape)], 2)
    inputs = VARInputs(
        y=y,
        media=x / x_sd,
        det=deterministic_terms(post, stationarity),
        series=("base_sales",) + tuple(metric_names),
        channels=tuple(post.channels),
    )
    fitted = fit_var(inputs, settings)
    return long_term_draws(fitted, weights / x_sd, inputs, horizon, short_roi[step1], step1)


def long_term_draws(
    fitted: VARDraws, pulse: np.ndarray, inputs: VARInputs, horizon: int, short_k: np.ndarray, step1: np.ndarray
) -> LongTermDraws:
    """Per-$ impulse responses and ROIs from a fitted VAR; ``pulse`` [K,L,C] the x path of $1 per imputation."""
    from mmm_core.engine.bvar import impulse_responses  # lazy: JAX, as in base_sales

    irf = impulse_responses(fitted, pulse[fitted.imputation], horizon) * fitted.scale[None, None, :, None]
    return LongTermDraws(
        channels=inputs.channels,
        series=inputs.series,
        horizon=horizon,
        long_roi=irf[:, :, 0, :].sum(axis=1),
        short_roi=short_k[fitted.imputation],
        irf=irf.astype(np.float32),
        max_modulus=fitted.max_modulus,
        imputation=fitted.imputation,
        step1_draw=step1,
        diagnostics=fitted.diagnostics,
    )


def save_long_term(d: LongTermDraws) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` artifact (written by the fit's registration)."""
    out = {k: np.asarray(v) for k, v in asdict(d).items() if isinstance(v, np.ndarray)}
    meta = {"channels": list(d.channels), "series": list(d.series), "horizon": d.horizon, "diagnostics": d.diagnostics}
    return out | {"meta_json": np.array(json.dumps(meta))}


def load_long_term(path: Path) -> LongTermDraws | None:
    """The stored draws of a fit, None when the fit has no long-term model."""
    if not path.exists():
        return None
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(str(arrays.pop("meta_json")))
    return LongTermDraws(
        channels=tuple(meta["channels"]),
        series=tuple(meta["series"]),
        horizon=int(meta["horizon"]),
        diagnostics=meta["diagnostics"],
        **arrays,
    )


def long_term_table(d: LongTermDraws, level: float, method: str) -> dict[str, Any]:
    """``channels{NAME: {short_roi, long_roi, total_roi, long_share, irf_sales}}`` over stable draws, each
    ``{mean, median, sd, lo, hi}`` (``irf_sales``: ``{mean, lo, hi}`` lists over the horizon), plus ``horizon``,
    ``interval`` and ``stability``; when most draws are explosive every channel carries ``summarised: false``
    and the reason instead of ROIs."""
    keep = d.stable
    stability = {
        "explosive_share": d.explosive_share,
        "explosive_draws": int((~keep).sum()),
        "draws": int(keep.size),
        "max_modulus_median": float(np.median(d.max_modulus)),
        "rule": "draws whose VAR companion matrix has an eigenvalue of modulus >= 1 are excluded from every summary",
    }
    body = {"horizon": d.horizon, "interval": interval_info(level, method), "stability": stability}
    if not d.summarised:
        reason = (
            f"{d.explosive_share:.0%} of the VAR draws are explosive (a shock would grow without bound), so no "
            "long-term ROI is summarised"
        )
        body["channels"] = {c: {"summarised": False, "reason": reason} for c in d.channels}
        return body
    s = lambda x: summarize(x[keep], level, method)  # noqa: E731
    channels = {}
    for c, name in enumerate(d.channels):
        channels[name] = {
            "summarised": True,
            "short_roi": s(d.short_roi[:, c]),
            "long_roi": s(d.long_roi[:, c]),
            "total_roi": s(d.total_roi[:, c]),
            "long_share": s(d.long_share[:, c]),
            "irf_sales": _irf_band(d.irf[keep, :, 0, c], level, method),
        }
    body["channels"] = channels
    return body


def _irf_band(irf: np.ndarray, level: float, method: str) -> dict[str, list[float]]:
    """Per period of the horizon: mean and interval of the base-sales response to $1 (``irf`` [S,H])."""
    rows = [summarize(irf[:, h], level, method) for h in range(irf.shape[1])]
    return {key: [float(r[key]) for r in rows] for key in ("mean", "lo", "hi")}
