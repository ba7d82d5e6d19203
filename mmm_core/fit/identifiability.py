"""Per-channel identifiability: can the data tell this channel's effect apart from everything else?

Two kinds of evidence, computed at fit time and stored with the fit (``health["identifiability"]``):

* **Data** (before looking at the posterior): the channel's adstocked spend, summed over geos, against what the
  model also uses to explain the KPI — the yearly Fourier terms, the trend, the controls and every other channel —
  plus how much its spend moves at all. A channel whose spend *is* the seasonal cycle gives the model no way to
  split the KPI's seasonal swing between the two; no amount of sampling fixes that.
* **Posterior**: contraction of the ROI from prior to posterior,
  ``1 − width_90(log ROI | data) / width_90(log ROI | prior)``. Widths of central 90 % intervals of log ROI,
  not standard deviations: ROI priors are log-normal-like, whose raw-scale sd is set by the far right tail (and,
  estimated from a few hundred prior draws, by its single largest draw); an interval width on the log scale is
  scale-free (KPI units cancel) and robust. The prior draws are the prior-predictive ROI the gate already
  computes, so the saturation and adstock uncertainty that widens the effective ROI prior is included.

Thresholds (module constants, each with its reason):
  confounding R² ≥ 0.75 with seasonality / trend / controls (one regression each; VIF ≥ 4: the effect's
      standard error at least doubles against an orthogonal design, and over three quarters of the channel's
      movement is shared with the other term)
  pairwise |r| ≥ 0.85 with another channel (r² ≈ 0.72, the same bar for a single regressor)
  spend CV < 0.2: spend moves less than ±20 % around its mean; with media ~20 % of the KPI that is a ~4 %
      KPI signal, inside typical weekly noise (3–10 %), so the effect is hard to separate from the intercept
  active share < 10 % or fewer than 8 active periods: too few observations carry the effect at all
  contraction < 0.3: the posterior interval is still over 70 % as wide as the prior's → ``prior-dominated``
  contraction < 0.5 with no data cause → ``weakly identified: wide posterior``

A channel with a data cause is ``weakly identified: <cause>`` unless its posterior is prior-dominated (the
stronger statement); the causes are reported either way. National aggregation is deliberate: it is the variation
every geo shares; in a geo panel, differences between geos identify more than this measures, so for geo data the
data part is conservative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from mmm_core.fit.experiment_check import calibrated_labels

CONFOUND_R2 = 0.75
CHANNEL_ABS_R = 0.85
MIN_CV = 0.2
MIN_ACTIVE_SHARE, MIN_ACTIVE_PERIODS = 0.10, 8
PRIOR_DOMINATED, IDENTIFIED = 0.3, 0.5

IDENTIFIED_LABEL, PRIOR_LABEL = "identified", "prior-dominated"
FIXES = {
    "seasonality": "vary its spend against the seasonal cycle (e.g. a flight in a low season) or run a lift test",
    "trend": "vary its spend independently of the trend (pause or pulse it) or run a lift test",
    "controls": "vary its spend independently of the correlated control(s) or run a lift test",
    "channel": "move the two channels' budgets independently (stagger their flights) or run a lift test",
    "little spend variation": "vary its spend (pulses or a pause of a few weeks)",
    "few active periods": "a longer series with more active periods, or a lift test",
    "wide posterior": "run a lift test and use it as an ROI prior, or a longer series",
    PRIOR_LABEL: "run a lift test (and use it as the ROI prior); a longer series or more spend variation helps",
}


@dataclass(frozen=True)
class ChannelData:
    """Data-side evidence for one channel (no posterior needed)."""

    seasonality_r2: float | None
    trend_r2: float | None
    controls_r2: float | None
    max_channel_r: float | None
    max_channel: str | None
    cv: float
    active_share: float
    n_active: int
    causes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ChannelIdentifiability:
    """The label of one channel with its evidence and the fix; ``to_dict`` is what is stored with the fit."""

    label: str
    status: str  # identified | weak | prior
    causes: list[str]
    fix: str | None
    contraction: float | None
    data: ChannelData
    prior: dict[str, float] | None = None  # {"median", "log_sd"} of the prior-predictive ROI

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return _clean(d)


def _clean(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_clean(v) for v in x]
    if isinstance(x, float | np.floating):
        return round(float(x), 4) if np.isfinite(x) else None
    return x


# ------------------------------------------------------------------------------------------- data side
def adstock_geometric(x: np.ndarray, half_life: float, l_max: int) -> np.ndarray:
    """Geometric carry-over of ``x`` [T] with the given half-life (periods), truncated at ``l_max`` lags."""
    alpha = 0.5 ** (1.0 / max(half_life, 1e-6))
    out = np.zeros_like(x, dtype=float)
    for lag in range(max(l_max, 1)):
        out[lag:] += alpha**lag * x[: len(x) - lag]
    return out


def fourier_terms(n: int, period: float, order: int) -> np.ndarray:
    """[T, 2·order] sin/cos terms of the yearly cycle (the model's seasonality basis)."""
    t = np.arange(n, dtype=float)[:, None]
    k = np.arange(1, order + 1, dtype=float)[None, :]
    ang = 2 * np.pi * k * t / period
    return np.concatenate([np.sin(ang), np.cos(ang)], axis=1)


def r2_on(y: np.ndarray, x: np.ndarray | None) -> float | None:
    """R² of the least-squares fit of ``y`` on ``x`` (with an intercept); None without regressors or variation."""
    if x is None or x.size == 0 or x.shape[1] == 0:
        return None
    yc = y - y.mean()
    sst = float(yc @ yc)
    if sst <= 0:
        return None
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    return float(max(0.0, 1.0 - (resid @ resid) / sst))


def channel_data(
    spend: np.ndarray,
    channels: Sequence[str],
    *,
    half_lives: Sequence[float],
    l_max: Sequence[int],
    controls: np.ndarray | None = None,
    seasonality: tuple[float, int] | None = (52.1775, 2),
    trend: bool = True,
) -> dict[str, ChannelData]:
    """Data-side evidence per channel. ``spend`` [T,G,C] (or [T,C]); ``controls`` [T,G,K] (or [T,K]);
    ``seasonality`` (period in periods, Fourier order) or None when the model has no seasonality;
    ``half_lives`` the adstock half-life (prior median) per channel."""
    s = np.asarray(spend, dtype=float)
    national = s.sum(axis=1) if s.ndim == 3 else s  # [T, C]
    n = national.shape[0]
    ads = np.column_stack(
        [adstock_geometric(national[:, c], half_lives[c], l_max[c]) for c in range(national.shape[1])]
    )
    season = fourier_terms(n, *seasonality) if seasonality and seasonality[1] > 0 else None
    time = np.linspace(0.0, 1.0, n)[:, None] if trend else None
    ctrl = _national_controls(controls)
    corr = _channel_corr(ads)
    out = {}
    for c, name in enumerate(channels):
        out[name] = _one_channel(national[:, c], ads[:, c], c, corr, list(channels), season, time, ctrl)
    return out


def _national_controls(controls: np.ndarray | None) -> np.ndarray | None:
    if controls is None:
        return None
    k = np.asarray(controls, dtype=float)
    k = k.mean(axis=1) if k.ndim == 3 else k
    k = np.nan_to_num(k)
    keep = np.ptp(k, axis=0) > 0 if k.size else np.zeros(0, bool)
    return k[:, keep] if keep.any() else None


def _channel_corr(ads: np.ndarray) -> np.ndarray:
    sd = ads.std(axis=0)
    ok = sd > 0
    corr = np.zeros((ads.shape[1], ads.shape[1]))
    if ok.sum() > 1:
        corr[np.ix_(ok, ok)] = np.corrcoef(ads[:, ok], rowvar=False)
    np.fill_diagonal(corr, 0.0)
    return corr


def _one_channel(raw, ads, c, corr, names, season, time, ctrl) -> ChannelData:
    mean = float(raw.mean())
    cv = float(raw.std() / mean) if mean > 0 else 0.0
    n_active = int(np.sum(raw > 0))
    active = n_active / max(len(raw), 1)
    r2s = {"seasonality": r2_on(ads, season), "trend": r2_on(ads, time), "controls": r2_on(ads, ctrl)}
    causes = [k for k, v in r2s.items() if v is not None and v >= CONFOUND_R2]
    j = int(np.argmax(np.abs(corr[c]))) if len(names) > 1 else None
    max_r = float(corr[c, j]) if j is not None else None
    if max_r is not None and abs(max_r) >= CHANNEL_ABS_R:
        causes.append(f"collinear with {names[j]}")
    if cv < MIN_CV:
        causes.append("little spend variation")
    if active < MIN_ACTIVE_SHARE or n_active < MIN_ACTIVE_PERIODS:
        causes.append("few active periods")
    return ChannelData(
        r2s["seasonality"],
        r2s["trend"],
        r2s["controls"],
        max_r,
        names[j] if j is not None else None,
        cv,
        active,
        n_active,
        causes,
    )


# ------------------------------------------------------------------------------------------- posterior side
def _log_width(draws: np.ndarray) -> float:
    x = np.asarray(draws, dtype=float)
    x = np.log(x[np.isfinite(x) & (x > 0)])
    if x.size < 10:
        return float("nan")
    lo, hi = np.quantile(x, [0.05, 0.95])
    return float(hi - lo)


def contraction(posterior_roi: np.ndarray, prior_roi: np.ndarray) -> float:
    """``1 − width90(log ROI posterior) / width90(log ROI prior)``; NaN when either cannot be measured.
    Negative values (a posterior wider than the prior) are kept: they say the prior was not even the limit."""
    post, prior = _log_width(posterior_roi), _log_width(prior_roi)
    if not (np.isfinite(post) and np.isfinite(prior)) or prior <= 0:
        return float("nan")
    return 1.0 - post / prior


def prior_summary(prior_roi: np.ndarray) -> dict[str, float] | None:
    """Median and robust log-sd (90 % width / 3.29) of prior ROI draws: enough to draw any prior interval."""
    x = np.asarray(prior_roi, dtype=float)
    x = x[np.isfinite(x) & (x > 0)]
    if x.size < 10:
        return None
    return {"median": float(np.median(x)), "log_sd": _log_width(x) / 3.29}


def label(data: ChannelData, contraction_value: float | None) -> tuple[str, str, str | None]:
    """``(label, status, fix)`` from the data causes and the contraction (see the module docstring)."""
    k = contraction_value if contraction_value is not None and np.isfinite(contraction_value) else None
    cause_fix = _cause_fix(data.causes[0]) if data.causes else None
    if k is not None and k < PRIOR_DOMINATED:  # the data cause, when there is one, says what would help
        return PRIOR_LABEL, "prior", cause_fix or FIXES[PRIOR_LABEL]
    if data.causes:
        return f"weakly identified: {', '.join(data.causes)}", "weak", cause_fix
    if k is not None and k < IDENTIFIED:
        return "weakly identified: wide posterior", "weak", FIXES["wide posterior"]
    return IDENTIFIED_LABEL, "identified", None


def _cause_fix(cause: str) -> str:
    return FIXES["channel"] if cause.startswith("collinear") else FIXES[cause]


def assess(
    data: dict[str, ChannelData],
    posterior_roi: np.ndarray | None,
    prior_roi: np.ndarray | None,
) -> dict[str, ChannelIdentifiability]:
    """One label per channel (in ``data``'s order); ``posterior_roi`` / ``prior_roi`` are [S, C] draws."""
    out = {}
    for c, (name, d) in enumerate(data.items()):
        k = None
        if posterior_roi is not None and prior_roi is not None:
            k = contraction(posterior_roi[:, c], prior_roi[:, c])
        text, status, fix = label(d, k)
        prior = prior_summary(prior_roi[:, c]) if prior_roi is not None else None
        out[name] = ChannelIdentifiability(text, status, list(d.causes), fix, k, d, prior)
    return out


def prior_roi_draws(prior_predictive: dict[str, Any], spend: np.ndarray) -> np.ndarray:
    """[S, C] ROI under the prior: prior-predictive contribution summed over the grid / total spend."""
    contrib = np.asarray(prior_predictive["media_contribution"], dtype=float).sum(axis=(1, 2))
    total = np.asarray(spend, dtype=float).sum(axis=(0, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, contrib / np.where(total > 0, total, 1.0), np.nan)


def for_fit(data: Any, config: Any, posterior_roi: np.ndarray, prior_roi: np.ndarray | None) -> dict[str, Any]:
    """Identifiability of every channel of a fit (engine ``ModelData`` and ``ModelConfig``), JSON-ready."""
    n_c = len(data.channels)
    l_max = config.channel_l_max or (config.l_max,) * n_c
    season = (config.seasonality_period, config.seasonality_order) if config.seasonality_order else None
    evidence = channel_data(
        data.spend,
        list(data.channels),
        half_lives=config.per_channel("half_life", n_c),
        l_max=l_max,
        controls=data.controls,
        seasonality=season,
        trend=config.trend != "none",
    )
    labels = {name: v.to_dict() for name, v in assess(evidence, posterior_roi, prior_roi).items()}
    return calibrated_labels(labels, config.experiments, list(data.channels), IDENTIFIED)  # lift tests say so
