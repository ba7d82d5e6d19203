"""Data the engine fits: `ModelData` in the user's units, `ScaledData` on the unit scale NUTS likes.

Scaling (why: parameters of order one give NUTS a round posterior, so fewer leapfrog steps per draw):
spend is divided by the mean of its non-zero values per geo and channel (so "1.0" means a typical active
period, and saturation half-points are multiples of it); KPI by its mean over observed cells per geo (so
the intercept is near one minus the media share in every geo, and geos of very different size share
priors); controls are standardised per geo; time runs from 0 to 1. The factors are kept so every result
maps back to KPI and spend units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

import jax
import numpy as np

from mmm_core.engine import transforms as tf
from mmm_core.engine.config import EngineConfigError, ModelConfig
from mmm_core.engine.trend import trend_basis


@dataclass(frozen=True, eq=False)
class ModelData:
    """A panel in the user's units. Axes: T periods, G geos (1 for national), C channels, K controls.

    ``spend`` [T,G,C] raw spend, 0 where absent; ``kpi`` [T,G] (any value where ``kpi_mask`` is False);
    ``kpi_mask`` [T,G] True where the KPI was observed (ragged panels); ``controls`` [T,G,K];
    ``control_sign`` per control (+1/-1/0); ``holdout_mask`` [T] True for periods kept out of the likelihood.
    """

    periods: np.ndarray
    geos: tuple[str, ...]
    channels: tuple[str, ...]
    spend: np.ndarray
    kpi: np.ndarray
    kpi_mask: np.ndarray | None = None
    controls: np.ndarray | None = None
    control_names: tuple[str, ...] = ()
    control_sign: tuple[int, ...] = ()
    holdout_mask: np.ndarray | None = None
    mediators: np.ndarray | None = None  # [T,G,M] NaN where not observed (all NaN for a latent mediator)
    mediator_names: tuple[str, ...] = ()
    # Channels observed only nationally that enter as national regressors; their ``spend`` is the national series
    # split across geos by a fixed key (bookkeeping: totals over geos are the national spend, counted once).
    national_channels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        t, g, c = len(self.periods), len(self.geos), len(self.channels)
        spend = np.asarray(self.spend, dtype=float)
        kpi = np.asarray(self.kpi, dtype=float)
        if spend.shape != (t, g, c) or kpi.shape != (t, g):
            raise EngineConfigError(
                f"spend {spend.shape} / kpi {kpi.shape} do not match T={t}, G={g}, C={c}.",
                hint="spend is [periods, geos, channels], kpi is [periods, geos].",
            )
        mask = np.isfinite(kpi) if self.kpi_mask is None else np.asarray(self.kpi_mask, bool) & np.isfinite(kpi)
        controls = np.zeros((t, g, 0)) if self.controls is None else np.asarray(self.controls, dtype=float)
        if controls.shape[:2] != (t, g) or controls.shape[2] != len(self.control_names):
            raise EngineConfigError(f"controls {controls.shape} do not match names {self.control_names}.")
        if not np.all(np.isfinite(spend)) or np.any(spend < 0):
            raise EngineConfigError("Spend must be finite and non-negative.", hint="Use 0 where absent.")
        object.__setattr__(self, "spend", spend)
        object.__setattr__(self, "kpi", kpi)
        object.__setattr__(self, "kpi_mask", mask)
        object.__setattr__(self, "controls", controls)
        object.__setattr__(self, "geos", tuple(self.geos))
        object.__setattr__(self, "channels", tuple(self.channels))
        object.__setattr__(self, "control_names", tuple(self.control_names))
        if self.holdout_mask is not None:
            object.__setattr__(self, "holdout_mask", np.asarray(self.holdout_mask, bool).reshape(t))
        med = (
            np.zeros((t, g, 0))
            if self.mediators is None
            else np.asarray(self.mediators, dtype=float).reshape(t, g, len(self.mediator_names))
        )
        object.__setattr__(self, "mediators", med)
        object.__setattr__(self, "mediator_names", tuple(self.mediator_names))
        object.__setattr__(self, "national_channels", tuple(self.national_channels))
        unknown = set(self.national_channels) - set(self.channels)
        if unknown:
            raise EngineConfigError(f"National channels {sorted(unknown)} are not among {self.channels}.")

    @property
    def shape(self) -> tuple[int, int, int]:
        return len(self.periods), len(self.geos), len(self.channels)

    @classmethod
    def national(cls, periods, channels, spend, kpi, controls=None, control_names=(), **kw) -> "ModelData":
        """Build from national arrays: spend [T,C], kpi [T], controls [T,K]."""
        ctrl = None if controls is None else np.asarray(controls, float)[:, None, :]
        return cls(
            periods=np.asarray(periods),
            geos=("national",),
            channels=tuple(channels),
            spend=np.asarray(spend, float)[:, None, :],
            kpi=np.asarray(kpi, float)[:, None],
            controls=ctrl,
            control_names=tuple(control_names),
            **kw,
        )


@jax.tree_util.register_dataclass
@dataclass(frozen=True, eq=False)
class ScaledData:
    """What the model sees (a JAX pytree, so it is a traced argument: one compiled kernel per shape).

    Arrays: ``spend`` [T,G,C] and ``spend_lagged`` [L,T,G,C] in units of mean non-zero spend; ``kpi`` [T,G]
    divided by ``kpi_scale`` [G] (1.0 in unobserved cells); ``obs_mask`` [T,G] cells in the likelihood
    (observed and not held out); ``controls`` [T,G,K] standardised (``control_mean``/``control_sd`` [G,K]);
    ``t`` [T] in [0,1]; ``fourier`` [T,F]; ``changepoint_basis`` [T,J] (``engine.trend``);
    ``spend_scale`` [G,C]; ``beta_loc`` [G,C] log prior median of each channel's effect at typical spend
    (mean non-zero spend), as a share of mean KPI. Mediators (M = 0 without any): ``mediator`` [T,G,M]
    standardised by ``mediator_mean``/``mediator_sd`` [M] over observed training cells (0 elsewhere),
    ``mediator_mask`` [T,G,M] cells in the mediator likelihood; ``kpi_sd`` [G] sd of the scaled KPI over
    training cells (turns a KPI effect in "KPI sds" into scaled-KPI units). Lift tests (E = 0 without any):
    ``experiment_spend`` [E,T,G] the tested channel's scaled spend with the test's spend change added,
    ``experiment_window`` [E,T] 1.0 for the periods its predicted lift counts.
    """

    spend: np.ndarray
    spend_lagged: np.ndarray
    kpi: np.ndarray
    obs_mask: np.ndarray
    controls: np.ndarray
    t: np.ndarray
    fourier: np.ndarray
    changepoint_basis: np.ndarray
    kpi_scale: np.ndarray
    spend_scale: np.ndarray
    control_mean: np.ndarray
    control_sd: np.ndarray
    beta_loc: np.ndarray
    mediator: np.ndarray
    mediator_mask: np.ndarray
    mediator_mean: np.ndarray
    mediator_sd: np.ndarray
    kpi_sd: np.ndarray
    experiment_spend: np.ndarray
    experiment_window: np.ndarray
    channels: tuple[str, ...] = field(default=(), metadata=dict(static=True))
    geos: tuple[str, ...] = field(default=(), metadata=dict(static=True))
    control_names: tuple[str, ...] = field(default=(), metadata=dict(static=True))
    control_sign: tuple[int, ...] = field(default=(), metadata=dict(static=True))

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.spend.shape

    def arrays(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.metadata.get("static")}


def spend_scale(spend: np.ndarray) -> np.ndarray:
    """Mean non-zero spend per geo and channel [G,C]; a geo without spend on a channel borrows the channel's."""
    nonzero = spend > 0
    counts = nonzero.sum(axis=0)
    per_geo = np.where(counts > 0, spend.sum(axis=0) / np.maximum(counts, 1), np.nan)
    total = nonzero.sum(axis=(0, 1))
    if np.any(total == 0):
        raise EngineConfigError("A channel has no spend at all.", hint="Drop channels with zero spend.")
    per_channel = spend.sum(axis=(0, 1)) / total
    return np.where(np.isnan(per_geo), per_channel[None, :], per_geo)


def scaled_spend(spend, scale: np.ndarray, national: np.ndarray) -> np.ndarray:
    """Raw spend [..., T, G, C] in the model's units: divided by ``scale`` [G, C]; a national channel (``national``
    [C] bool) reads its national total — the sum over geos divided by the sum of its geo scales — in every geo.

    Why the sums: a national series split by a fixed key w_g has per-geo scale w_g * S, so the total over geos over
    the summed scale is the national series over S whatever the split, and a plan that moves the channel's spend
    between geos cannot change what a national channel's curve reads.
    """
    spend = np.asarray(spend, float)
    out = spend / scale
    if national.any():
        total = spend[..., national].sum(axis=-2, keepdims=True) / scale[:, national].sum(axis=0)
        out[..., national] = np.broadcast_to(total, out[..., national].shape)
    return out


def fourier_features(n_periods: int, order: int, period: float) -> np.ndarray:
    """[T, 2*order] sin/cos of the period index: yearly seasonality as a smooth Fourier series."""
    idx = np.arange(n_periods)[:, None] * 2 * math.pi * np.arange(1, order + 1)[None, :] / period
    return np.concatenate([np.sin(idx), np.cos(idx)], axis=1) if order else np.zeros((n_periods, 0))


def training_mask(data: ModelData, config: ModelConfig) -> np.ndarray:
    """Cells in the likelihood: observed, not in ``holdout_mask``, not among the last ``config.holdout``."""
    t = len(data.periods)
    held = np.zeros(t, bool) if data.holdout_mask is None else data.holdout_mask.copy()
    if config.holdout:
        held[t - config.holdout :] = True
    return data.kpi_mask & ~held[:, None]


def lag_tensor_np(x: np.ndarray, l_max: int) -> np.ndarray:
    """NumPy twin of `transforms.lag_tensor` (data preparation runs eagerly; JAX would compile each op)."""
    out = np.zeros((l_max,) + x.shape, dtype=x.dtype)
    for lag in range(l_max):
        out[lag, lag:] = x[: x.shape[0] - lag]
    return out


def _prior_median_saturation(spend_s: np.ndarray, config: ModelConfig, mask: np.ndarray) -> np.ndarray:
    """Mean over training periods of the media curve at the prior medians, [G,C] (to place beta priors)."""
    c = spend_s.shape[2]
    delayed = np.array([a == "delayed" for a in config.per_channel("adstock", c)])
    # Same half-life convention as the model: exponent 2 for delayed adstock (halving h periods after the peak).
    alpha = 0.5 ** (1.0 / np.array(config.per_channel("half_life", c), float) ** np.where(delayed, 2.0, 1.0))
    delay = np.array(config.per_channel("delay", c), float)
    lags = np.arange(config.l_max)[:, None]
    w = np.where(delayed[None], alpha[None] ** ((lags - delay[None]) ** 2), alpha[None] ** lags)
    w = w * config.lag_mask(c)
    w = w / w.sum(axis=0, keepdims=True)
    x = np.einsum("ltgc,lc->tgc", lag_tensor_np(spend_s, config.l_max), w)
    k = np.array(config.per_channel("half_point", c), float)
    slope = np.array(config.per_channel("hill_slope", c), float)
    hill = np.array([s == "hill" for s in config.per_channel("saturation", c)])

    def curve(v):
        v = np.asarray(v, float)
        with np.errstate(divide="ignore"):
            h = np.where(v > 0, 1.0 / (1.0 + (k / np.where(v > 0, v, 1.0)) ** slope), 0.0)
        return np.where(hill, h, np.tanh(tf.LN3 / k * v / 2.0))

    # Relative to the curve at typical spend (x = 1): the model samples the effect at that level.
    sat = curve(x) / curve(np.ones(c))
    rows = mask.any(axis=1) if mask.any() else np.ones(len(x), bool)
    return sat[rows].mean(axis=0), sat, rows


def _beta_loc(data: ModelData, spend_s, kpi_scale, sp_scale, config: ModelConfig, mask) -> np.ndarray:
    """Log prior median [G,C] of the media effect at typical spend, from an effect-share or ROI prior."""
    c = len(data.channels)
    mean_sat, sat, rows = _prior_median_saturation(spend_s, config, mask)
    mean_sat = np.maximum(mean_sat, 1e-3)
    if config.roi is not None:
        roi = np.array(config.per_channel("roi", c), float)
        spend_total = data.spend[rows].sum(axis=0)  # [G,C]
        sat_total = np.maximum(sat[rows].sum(axis=0), 1e-3)
        beta = roi[None] * spend_total / (kpi_scale[:, None] * sat_total)
        national = np.array(config.per_channel("national", c), bool)
        if national.any():  # one coefficient for all geos: the national ROI over the national curve and KPI
            pooled = roi * spend_total.sum(axis=0) / (kpi_scale[:, None] * sat_total).sum(axis=0)
            beta = np.where(national[None], pooled[None], beta)
    else:
        share = (
            np.array(config.per_channel("effect_share", c), float)
            if config.effect_share is not None
            else np.full(c, config.media_share_total / c)
        )
        beta = share[None] / mean_sat
    return np.log(np.maximum(beta, 1e-6))


def _scale_mediators(data: ModelData, mask: np.ndarray) -> dict[str, np.ndarray]:
    """Standardise each mediator over its observed training cells (pooled over geos: a per-geo intercept in
    the mediator equation absorbs level differences). A latent mediator has no cells: mean 0, sd 1."""
    med = data.mediators
    obs = np.isfinite(med) & mask[..., None]
    n = obs.sum(axis=(0, 1))
    vals = np.where(obs, med, 0.0)
    mean = np.where(n > 0, vals.sum(axis=(0, 1)) / np.maximum(n, 1), 0.0)
    var = np.where(obs, (med - mean) ** 2, 0.0).sum(axis=(0, 1)) / np.maximum(n - 1, 1)
    sd = np.where((n > 1) & (var > 1e-12), np.sqrt(var), 1.0)
    f32 = np.float32
    return dict(
        mediator=np.where(obs, (vals - mean) / sd, 0.0).astype(f32),
        mediator_mask=obs,
        mediator_mean=mean.astype(f32),
        mediator_sd=sd.astype(f32),
    )


def _experiment_arrays(data: ModelData, config: ModelConfig, sp_scale: np.ndarray) -> dict[str, np.ndarray]:
    """Each test's counterfactual spend of its channel, scaled like the fitted spend, and the periods it counts.

    A test report gives a total, not a weekly plan. An increase is spread evenly over the window's periods; a
    decrease (go-dark, holdout) in proportion to what the cell spent in each period — it withholds the spend that
    was planned, so a full go-dark removes all of it rather than overdrawing quiet weeks. A decrease larger than
    the cell's spend in the window is refused, not clipped."""
    t, g, c = data.shape
    national = np.array(config.per_channel("national", c), bool)
    spend, window = np.zeros((len(config.experiments), t, g)), np.zeros((len(config.experiments), t))
    for i, e in enumerate(config.experiments):
        test = data.spend.copy()
        test[e.start : e.end + 1, :, e.channel] += _spread(np.asarray(e.spend), test[e.start : e.end + 1, :, e.channel])
        if np.any(test[..., e.channel] < -1e-9):
            raise EngineConfigError(
                f"Experiment {e.name!r} withholds more spend than {data.channels[e.channel]!r} had in its window.",
                hint="Check SpendChange: a go-dark's change is at most minus the cell's spend over the window.",
            )
        spend[i] = scaled_spend(np.maximum(test, 0.0), sp_scale, national)[..., e.channel]
        window[i, e.start : (t if e.until < 0 else e.until + 1)] = 1.0
    return dict(experiment_spend=spend.astype(np.float32), experiment_window=window.astype(np.float32))


def _spread(total: np.ndarray, planned: np.ndarray) -> np.ndarray:
    """[W,G] per-period change from the per-geo ``total`` [G] over a window whose planned spend is ``planned``."""
    even = np.broadcast_to(total[None, :] / planned.shape[0], planned.shape)
    own = planned.sum(axis=0)
    share = np.divide(planned, own[None, :], out=np.zeros_like(planned), where=own[None, :] > 0)
    return np.where((total[None, :] < 0) & (own[None, :] > 0), total[None, :] * share, even)


def scale_data(data: ModelData, config: ModelConfig) -> ScaledData:
    """Put ``data`` on the engine's unit scale for ``config`` (validates the config against the data)."""
    t, g, c = data.shape
    config.validate(c, len(data.control_names), t)
    if len(config.mediators) != len(data.mediator_names):
        raise EngineConfigError(
            f"The config has {len(config.mediators)} mediators, the data {len(data.mediator_names)}.",
            hint="One data column per mediator (NaN if latent).",
        )
    mask = training_mask(data, config)
    if mask.sum() < 10:
        raise EngineConfigError("Fewer than 10 observed KPI cells to fit.", hint="Check kpi_mask and holdout.")
    kpi = np.where(data.kpi_mask, data.kpi, np.nan)
    kpi_scale = np.array(
        [
            np.nanmean(np.where(mask[:, j], kpi[:, j], np.nan))
            if mask[:, j].any()
            else np.nanmean(np.where(mask, kpi, np.nan))
            for j in range(g)
        ]
    )
    if config.likelihood == "multiplicative" and np.nanmin(np.where(mask, kpi, np.inf)) <= 0:
        raise EngineConfigError("A multiplicative model needs a positive KPI.", hint="Use likelihood='additive'.")
    if np.any(~np.isfinite(kpi_scale)) or np.any(kpi_scale <= 0):
        raise EngineConfigError("KPI mean is not positive in some geo.", hint="Scaling divides by the KPI mean.")
    sp_scale = spend_scale(data.spend)
    spend_s = scaled_spend(data.spend, sp_scale, np.array(config.per_channel("national", c), bool))
    ctrl = data.controls
    ctrl_mean = ctrl.mean(axis=0)
    ctrl_sd = ctrl.std(axis=0)
    ctrl_sd = np.where(ctrl_sd > 1e-12, ctrl_sd, 1.0)  # a constant control stays 0 instead of dividing by 0
    tt = np.linspace(0.0, 1.0, t)
    f32 = np.float32
    return ScaledData(
        spend=spend_s.astype(f32),
        spend_lagged=lag_tensor_np(spend_s.astype(f32), config.l_max),
        kpi=np.where(mask, kpi / kpi_scale[None], 1.0).astype(f32),
        obs_mask=mask,
        controls=((ctrl - ctrl_mean[None]) / ctrl_sd[None]).astype(f32),
        t=tt.astype(f32),
        fourier=fourier_features(t, config.seasonality_order, config.seasonality_period).astype(f32),
        changepoint_basis=trend_basis(tt, config).astype(f32),  # kinks or a local level (engine.trend)
        kpi_scale=kpi_scale.astype(f32),
        spend_scale=sp_scale.astype(f32),
        control_mean=ctrl_mean.astype(f32),
        control_sd=ctrl_sd.astype(f32),
        beta_loc=_beta_loc(data, spend_s, kpi_scale, sp_scale, config, mask).astype(f32),
        kpi_sd=np.array(
            [np.std(kpi[mask[:, j], j] / kpi_scale[j]) if mask[:, j].sum() > 1 else 1.0 for j in range(g)]
        ).astype(f32),
        **_scale_mediators(data, mask),
        **_experiment_arrays(data, config, sp_scale),
        channels=data.channels,
        geos=data.geos,
        control_names=data.control_names,
        control_sign=tuple(config.control_sign or data.control_sign or (0,) * len(data.control_names)),
    )
