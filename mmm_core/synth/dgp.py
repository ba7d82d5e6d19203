"""The data-generating process behind ``mmm_core.synth.make`` (formulas in that module's docstring).

Two halves, kept apart so counterfactuals are exact: :func:`simulate` draws every random quantity once and
calibrates the coefficients into a :class:`World`; :func:`kpi` is a deterministic function of a World and a
spend array, so "the KPI with channel c's spend set to zero, all else (noise included) equal" is just
``kpi(world, spend_with_c_zeroed)``.

Array shapes: spend ``[G, T, C]``, controls ``[G, T, K]``, KPI ``[G, T]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmm_core.synth import patterns as pat
from mmm_core.synth.controls import confound_spend
from mmm_core.synth.presets import Preset
from mmm_core.synth.transforms import L_MAX, adstock, delayed_weights, geometric_weights, hill, logistic

LN3 = float(np.log(3.0))


@dataclass
class World:
    """Everything needed to recompute the KPI: the data, the noise draws and the true parameters."""

    preset: Preset
    seed: int
    periods: list[str]
    geos: list[str]
    geo_scale: np.ndarray  # [G], sums to 1: a geo's share of national population/spend/KPI
    spend: np.ndarray  # [G, T, C], rounded to cents (the values written to the file)
    controls: np.ndarray  # [G, T, K]
    control_center: np.ndarray  # [K]
    weights: np.ndarray  # [C, L_MAX] adstock weights
    k: np.ndarray  # [G, C] Hill K (spend units) or logistic half-saturation point ln(3)/lam
    beta: np.ndarray  # [G, C] direct-path coefficient (KPI units at full saturation)
    beta_national: np.ndarray  # [C]
    geo_mult: np.ndarray  # [G, C] lognormal geo deviations of beta
    intercept: np.ndarray  # [G]
    baseline_shape: np.ndarray  # [T]: 1 + trend + seasonality
    control_coef: np.ndarray  # [G, K]
    noise: np.ndarray  # [G, T] Gaussian KPI noise
    noise_sd: np.ndarray  # [G]
    med_b: np.ndarray  # [C] media -> mediator coefficients (% points at full saturation); zeros if none
    gamma: np.ndarray  # [G] KPI per mediator point; zeros if no mediator
    med_noise: np.ndarray  # [G, T] latent AR(1) deviations of the mediator
    med_obs_noise: np.ndarray  # [G, T] survey error (applied to observed rows only)
    observed: np.ndarray  # [T] bool: periods on which the mediator is observed

    @property
    def channel_names(self) -> list[str]:
        return [c.name for c in self.preset.channels]

    @property
    def control_names(self) -> list[str]:
        return [c.name for c in self.preset.controls]


def channel_weights(preset: Preset) -> np.ndarray:
    """Adstock weights per channel, ``[C, L_MAX]``."""
    return np.stack(
        [
            delayed_weights(c.alpha, c.theta) if c.adstock == "delayed" else geometric_weights(c.alpha)
            for c in preset.channels
        ]
    )


def adstocked(spend: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Adstock every channel of ``spend [G, T, C]`` along time."""
    out = np.empty_like(spend, dtype=float)
    for c in range(spend.shape[2]):
        out[:, :, c] = adstock(spend[:, :, c].T, weights[c]).T
    return out


def saturated(world: World, spend: np.ndarray) -> np.ndarray:
    """``sat_c(adstock_c(spend))`` in [0, 1), ``[G, T, C]``, with the world's fixed K (not refitted to ``spend``)."""
    x = adstocked(spend, world.weights)
    out = np.empty_like(x)
    for c, ch in enumerate(world.preset.channels):
        k = world.k[:, c][:, None]
        out[:, :, c] = logistic(x[:, :, c], LN3 / k) if ch.saturation == "logistic" else hill(x[:, :, c], ch.slope, k)
    return out


def mediator_latent(world: World, spend: np.ndarray) -> np.ndarray:
    """True (latent) mediator every week ``[G, T]``: ``a + sum_c b_c sat_c + AR(1) deviation``."""
    base = world.preset.mediator.base if world.preset.mediator else 0.0
    return base + saturated(world, spend) @ world.med_b + world.med_noise


def kpi(world: World, spend: np.ndarray | None = None, mediator_spend: np.ndarray | None = None) -> np.ndarray:
    """The KPI ``[G, T]`` given ``spend`` on the direct path and ``mediator_spend`` on the media -> mediator path
    (each defaults to the observed spend). Noise draws are the world's own, so differences are exact."""
    spend = world.spend if spend is None else spend
    mediator_spend = spend if mediator_spend is None else mediator_spend
    base = world.intercept[:, None] * world.baseline_shape[None, :]
    ctrl = np.einsum("gtk,gk->gt", world.controls - world.control_center, world.control_coef)
    media = np.einsum("gtc,gc->gt", saturated(world, spend), world.beta)
    mediated = world.gamma[:, None] * mediator_latent(world, mediator_spend) if world.preset.mediator else 0.0
    return base + ctrl + media + mediated + world.noise


def simulate(preset: Preset, seed: int, rng: np.random.Generator) -> World:
    """Draw the data and noise, then calibrate coefficients to the preset's target ROIs and media share."""
    t_n, g_n = preset.n_weeks, preset.n_geos
    periods = pat.week_starts(t_n)
    geos = [""] if g_n == 1 else [f"Geo{i + 1:02d}" for i in range(g_n)]
    scale = np.ones(1) if g_n == 1 else _geo_scale(g_n, rng)
    spend = _spend(preset, scale, rng)
    controls, center = _controls(preset, periods, rng)
    spend = confound_spend(preset, spend, controls)  # unchanged unless a control drives spend (synth.controls)
    weights = channel_weights(preset)
    mean_x = adstocked(spend, weights).mean(axis=1)  # [G, C]
    k = np.array([c.k_ratio for c in preset.channels])[None, :] * mean_x
    geo_mult = (
        np.ones((1, len(preset.channels)))
        if g_n == 1
        else rng.lognormal(0.0, preset.geo_beta_sd, (g_n, len(preset.channels)))
    )
    t = np.arange(t_n, dtype=float)
    shape = (
        1.0
        + preset.trend * t / (t_n - 1)
        + preset.season_sin * np.sin(2 * np.pi * t / pat.WEEKS_PER_YEAR)
        + preset.season_cos * np.cos(2 * np.pi * t / pat.WEEKS_PER_YEAR)
    )
    med = preset.mediator
    med_noise = np.stack([pat.ar1(t_n, med.rho, med.ar_sd, rng) for _ in range(g_n)]) if med else np.zeros((g_n, t_n))
    med_obs_noise = rng.normal(0.0, med.obs_sd if med else 0.0, (g_n, t_n))
    zeros_c = np.zeros(len(preset.channels))
    world = World(
        preset,
        seed,
        periods,
        geos,
        scale,
        spend,
        controls,
        center,
        weights,
        k,
        beta=np.zeros_like(k),
        beta_national=zeros_c,
        geo_mult=geo_mult,
        intercept=np.zeros(g_n),
        baseline_shape=shape,
        control_coef=np.zeros((g_n, len(preset.controls))),
        noise=np.zeros((g_n, t_n)),
        noise_sd=np.zeros(g_n),
        med_b=zeros_c,
        gamma=np.zeros(g_n),
        med_noise=med_noise,
        med_obs_noise=med_obs_noise,
        observed=pat.first_week_of_month(periods),
    )
    calibrate(world)
    expected = kpi(world)  # noise still zero here
    world.noise_sd = preset.noise_frac * expected.mean(axis=1)
    world.noise = rng.normal(0.0, 1.0, (g_n, t_n)) * world.noise_sd[:, None]
    return world


def calibrate(world: World) -> None:
    """Set beta, the mediator coefficients, gamma, intercept and control coefficients in place.

    Each channel's total true contribution is ``roi_c * total spend_c``; a share ``share_mediated_c`` of it flows
    through the mediator. Everything is linear in the coefficients, so the targets are met exactly.
    """
    p, s = world.preset, world.geo_scale
    sat = saturated(world, world.spend)  # [G, T, C]
    target = np.array([c.roi for c in p.channels]) * world.spend.sum(axis=(0, 1))
    share = np.array([c.share_mediated for c in p.channels]) if p.mediator else np.zeros(len(p.channels))
    pooled = np.einsum("gtc,gc,g->c", sat, world.geo_mult, s)
    world.beta_national = (1.0 - share) * target / pooled
    world.beta = world.beta_national[None, :] * world.geo_mult * s[:, None]
    weekly_media = target.sum() / p.n_weeks
    if p.mediator:
        indirect = share * target
        gamma = indirect.sum() / (p.n_weeks * p.mediator.media_points)
        world.gamma = gamma * s
        world.med_b = indirect / (gamma * np.einsum("gtc,g->c", sat, s))
    _calibrate_baseline(world, weekly_media)


def _calibrate_baseline(world: World, weekly_media: float) -> None:
    """Intercept so that media is ``media_share`` of average national KPI; control coefficients scale with it."""
    p, s = world.preset, world.geo_scale
    typical = np.array(
        [1.0 if c.kind in ("event", "holiday") else world.controls[..., k].std() for k, c in enumerate(p.controls)]
    )
    rel = np.array([c.effect for c in p.controls]) / typical  # per unit of the control, per unit of intercept
    mean_ctrl = np.einsum("g,gk->k", s, (world.controls - world.control_center).mean(axis=1))
    non_media = weekly_media * (1.0 - p.media_share) / p.media_share
    mediator_level = world.gamma.sum() * (p.mediator.base if p.mediator else 0.0)
    intercept = (non_media - mediator_level) / (world.baseline_shape.mean() + rel @ mean_ctrl)
    if intercept <= 0:  # a preset table error: the mediator alone would exceed the non-media KPI
        raise ValueError(f"preset {p.name}: non-positive intercept {intercept}")
    world.intercept = intercept * s
    world.control_coef = intercept * rel[None, :] * s[:, None]


def _geo_scale(g_n: int, rng: np.random.Generator) -> np.ndarray:
    """Geo population shares: lognormal sizes (a few big metros, many small regions), summing to 1."""
    size = rng.lognormal(0.0, 0.6, g_n)
    return size / size.sum()


def _spend(preset: Preset, scale: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """National shape per channel, split by geo scale with 10% geo-week noise, rounded to cents."""
    t_n, g_n = preset.n_weeks, len(scale)
    out = np.empty((g_n, t_n, len(preset.channels)))
    for c, ch in enumerate(preset.channels):
        shape = pat.spend_shape(ch.pattern, t_n, rng, ch.start_week)
        geo_noise = np.ones((g_n, t_n)) if g_n == 1 else rng.lognormal(0.0, 0.1, (g_n, t_n))
        out[:, :, c] = ch.mean_spend * scale[:, None] * shape[None, :] * geo_noise
    return np.round(out, 2)


def _controls(preset: Preset, periods: list[str], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Controls ``[G, T, K]``: events are national; continuous controls get 3% geo-week variation. Continuous
    controls are centred on their overall mean (events on 0) so the intercept stays the average baseline."""
    t_n, g_n = preset.n_weeks, preset.n_geos
    out = np.empty((g_n, t_n, len(preset.controls)))
    center = np.zeros(len(preset.controls))
    for k, ctl in enumerate(preset.controls):
        z = pat.control_series(ctl.kind, t_n, rng, periods)
        if ctl.kind in ("event", "holiday"):
            out[:, :, k] = z[None, :]
            continue
        geo = np.ones((g_n, t_n)) if g_n == 1 else rng.lognormal(0.0, 0.03, (g_n, t_n))
        out[:, :, k] = np.round(z[None, :] * geo, 2)
        center[k] = out[:, :, k].mean()
    return out, center


__all__ = ["L_MAX", "World", "kpi", "mediator_latent", "saturated", "simulate"]
