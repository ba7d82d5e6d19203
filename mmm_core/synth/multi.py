r"""Synthetic data with several KPIs and known cross-effects (issue 22): presets ``two_products`` (+ ``_null``,
``_geo``; truths in ``mmm_core.synth.presets.MultiSpec``).

Process (weekly; geo g, week t, channel c, control j, outcome k)::

    KPI_k[g,t] = intercept[g,k] * (1 + trend_k*t/(T-1) + s1*sin(2πt/52.18) + s2*cos(2πt/52.18))     baseline
               + D_k[g,t] + eps[g,t,k]
    D_k[g,t]   = Σ_c beta[g,c,k] * sat_{c,k}(adstock_c(spend[g,·,c]))[t]                            media
               + Σ_j coef[g,j,k] * (z[g,t,j] - center[j])                                             controls
               + Σ_{e: target k} kappa_e * m_e[g,t] * D_{source e}[g,t - lag_e]                         routed
    eps[g,t,:] ~ Normal(0, diag(sd[g]) · R · diag(sd[g])),  R = [[1, r], [r, 1]],  sd[g,k] = noise_frac * mean KPI

Adstock is the same for every outcome (one carry-over per channel; TV's is *delayed*, peaked at lag 1, which
the engine's geometric default does not contain); saturation differs per outcome (half-points times
``k_scale[k]``; multipack's is logistic, not the Hill the engine defaults to). The promotion ``Promo_Multi`` is
2-week bursts every ~8 weeks (25% of weeks): it lifts multipack and, through the cross-effect modulated by it,
takes ``|kappa|`` of multipack's driven sales from single-pack in promotion weeks.

Ragged outcomes: a ``missing`` span that starts at week 0 is "not on sale yet" (to the end: not sold in that geo
at all); one after the first observed week is a measurement gap. An outcome *exists* from its first observed week
in a geo onward (``exists``; past the data, as in the last week — the engine's rule, ``engine.outcomes.launched``).
Where it does not exist its KPI is 0: no baseline, media or control terms, no noise, and nothing routed from it
(a multipack not on sale takes nothing from single-pack) or into it.

Calibration: each channel's beta per outcome meets its *direct* ROI exactly over the cells where the outcome
exists; intercepts put direct media at ``media_share`` of each outcome. The truth's per-outcome ROIs are
counterfactual (KPI minus KPI with the channel's spend set to 0, noise fixed), so they include what cross-effects
route; they and ``kpi_total`` count every cell where the outcome exists (gaps included: sales happen there, they
are only not measured). Missing cells are left out of the frame.

MFF: each KPI is its own variable (``Sales_Single``, ``Sales_Multi``; empty Outlet), spends ``<Channel>_Spend``
on Outlet ``<Channel>``, controls with empty Outlet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mmm_core.synth import patterns as pat
from mmm_core.synth.dgp import LN3, _geo_scale, _spend, adstocked, channel_weights
from mmm_core.synth.presets import CrossTruth, MultiSpec, Preset
from mmm_core.synth.transforms import hill, logistic


@dataclass
class MultiWorld:
    """Everything needed to recompute every KPI (axes: G geos, T weeks, C channels, J controls, K outcomes)."""

    preset: Preset
    seed: int
    periods: list[str]
    geos: list[str]
    spend: np.ndarray  # [G,T,C]
    controls: np.ndarray  # [G,T,J]
    control_center: np.ndarray  # [J]
    weights: np.ndarray  # [C,L]
    k: np.ndarray  # [G,C,K] saturation half-points (adstocked spend units)
    beta: np.ndarray  # [G,C,K]
    intercept: np.ndarray  # [G,K]
    baseline_shape: np.ndarray  # [T,K]
    control_coef: np.ndarray  # [G,J,K]
    noise: np.ndarray  # [G,T,K]
    noise_sd: np.ndarray  # [G,K]
    observed: np.ndarray  # [G,T,K]

    @property
    def spec(self) -> MultiSpec:
        return self.preset.extra["multi"]

    @property
    def channel_names(self) -> list[str]:
        return [c.name for c in self.preset.channels]

    @property
    def control_names(self) -> list[str]:
        return [c.name for c in self.preset.controls]

    def exists(self, n_t: int | None = None) -> np.ndarray:
        """[G,T,K] 1.0 from each outcome's first observed week in each geo onward (0 before it and where never
        observed); ``n_t`` > T extends it past the data as in the last week (a plan's horizon)."""
        on = np.maximum.accumulate(self.observed, axis=1).astype(float)
        n_t = on.shape[1] if n_t is None else n_t
        return np.concatenate([on, np.repeat(on[:, -1:], max(n_t - on.shape[1], 0), axis=1)], axis=1)[:, :n_t]


def saturated(world: MultiWorld, spend: np.ndarray) -> np.ndarray:
    """sat_{c,k}(adstock_c(spend)) ``[G,T,C,K]`` with the world's fixed half-points."""
    x = adstocked(spend, world.weights)[..., None]
    k = world.k[:, None]
    kinds = np.array([s == "logistic" for s in world.spec.saturation])
    slopes = np.array([c.slope for c in world.preset.channels])[None, None, :, None]
    return np.where(kinds, logistic(x, LN3 / k), hill(x, slopes, k))


def components(world: MultiWorld, spend: np.ndarray | None = None, controls: np.ndarray | None = None) -> dict:
    """Media [G,T,C,K], controls [G,T,J,K], routed [G,T,K] and cross terms (one [G,T] per effect), noise-free."""
    spend = world.spend if spend is None else spend
    controls = world.controls if controls is None else controls
    on = world.exists(spend.shape[1])  # [G,T,K]
    media = saturated(world, spend) * world.beta[:, None] * on[:, :, None]
    ctrl = (controls - world.control_center)[..., None] * world.control_coef[:, None] * on[:, :, None]
    driven = media.sum(2) + ctrl.sum(2)
    routed, terms = np.zeros_like(driven), []
    names = list(world.spec.outcomes)
    for e in world.spec.cross:  # presets list effects sources-first
        src, tgt = names.index(e.source), names.index(e.target)
        m = controls[..., world.control_names.index(e.modulator)] if e.modulator else np.ones(driven.shape[:2])
        source = (driven[..., src] + routed[..., src]) * on[..., src]
        lagged = np.concatenate([np.zeros_like(source[:, : e.lag]), source[:, : source.shape[1] - e.lag]], axis=1)
        terms.append(e.kappa * m * lagged * on[..., tgt])
        routed[..., tgt] += terms[-1]
    return dict(media=media, controls=ctrl, routed=routed, cross=terms)


def kpi(world: MultiWorld, spend: np.ndarray | None = None, controls: np.ndarray | None = None) -> np.ndarray:
    """Every KPI [G,T,K] (noise included, the world's own draws): differences are exact counterfactuals."""
    c = components(world, spend, controls)
    base = world.intercept[:, None, :] * world.baseline_shape[None]
    return (base + world.noise) * world.exists() + c["media"].sum(2) + c["controls"].sum(2) + c["routed"]


def _controls(preset: Preset, periods: list[str], rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Controls [G,T,J]: ``bursts`` are 2-week promotions every ~8 weeks, others as in the single-KPI presets."""
    t_n, g_n = preset.n_weeks, preset.n_geos
    out, center = np.empty((g_n, t_n, len(preset.controls))), np.zeros(len(preset.controls))
    for j, ctl in enumerate(preset.controls):
        if ctl.kind == "bursts":
            z = ((np.arange(t_n) + rng.integers(0, 8)) % 8 < 2).astype(float)
            out[:, :, j] = z[None]
            continue
        z = pat.control_series(ctl.kind, t_n, rng, periods)
        out[:, :, j] = z[None]
        center[j] = z.mean()
    return out, center


def simulate_multi(preset: Preset, seed: int, rng: np.random.Generator) -> MultiWorld:
    """Draw spend, controls and noise; calibrate betas to the direct ROIs and intercepts to the media share."""
    spec: MultiSpec = preset.extra["multi"]
    t_n, g_n, k_n = preset.n_weeks, preset.n_geos, len(spec.outcomes)
    periods = pat.week_starts(t_n)
    geos = [""] if g_n == 1 else [f"Geo{i + 1:02d}" for i in range(g_n)]
    scale = np.ones(1) if g_n == 1 else _geo_scale(g_n, rng)
    spend = _spend(preset, scale, rng)
    controls, center = _controls(preset, periods, rng)
    weights = channel_weights(preset)
    mean_x = adstocked(spend, weights).mean(axis=1)
    k = np.array([c.k_ratio for c in preset.channels])[None, :, None] * mean_x[..., None] * np.array(spec.k_scale)
    t = np.arange(t_n, dtype=float)
    season = preset.season_sin * np.sin(2 * np.pi * t / pat.WEEKS_PER_YEAR)
    season += preset.season_cos * np.cos(2 * np.pi * t / pat.WEEKS_PER_YEAR)
    shape = 1.0 + np.array(spec.trend)[None, :] * (t / (t_n - 1))[:, None] + season[:, None]
    world = MultiWorld(
        preset, seed, periods, geos, spend, controls, center, weights, k,
        beta=np.zeros((g_n, len(preset.channels), k_n)),
        intercept=np.zeros((g_n, k_n)),
        baseline_shape=shape,
        control_coef=np.zeros((g_n, len(preset.controls), k_n)),
        noise=np.zeros((g_n, t_n, k_n)),
        noise_sd=np.zeros((g_n, k_n)),
        observed=_observed(spec, g_n, t_n),
    )  # fmt: skip
    _calibrate(world, scale)
    on = world.exists()
    world.noise_sd = preset.noise_frac * kpi(world).sum(axis=1) / np.maximum(on.sum(axis=1), 1.0)  # where sold
    corr = np.array([[1.0 if a == b else spec.noise_corr for b in range(k_n)] for a in range(k_n)])
    z = rng.standard_normal((g_n, t_n, k_n)) @ np.linalg.cholesky(corr).T
    world.noise = z * world.noise_sd[:, None, :]
    return world


def _calibrate(world: MultiWorld, scale: np.ndarray) -> None:
    """Betas meet each channel's direct ROI per outcome; intercepts put direct media at the media share."""
    p, spec = world.preset, world.spec
    sat = saturated(world, world.spend) * world.exists()[:, :, None]  # [G,T,C,K], where the outcome is sold
    roi = np.array([spec.roi[c.name] for c in p.channels])  # [C,K]
    target = roi * world.spend.sum(axis=(0, 1))[:, None]
    national = target / np.einsum("gtck,g->ck", sat, scale)
    world.beta = national[None] * scale[:, None, None]
    weekly_media = target.sum(axis=0) / p.n_weeks  # [K]
    typical = np.array([1.0 if c.kind in ("event", "bursts") else world.controls[..., j].std() for j, c in
                        enumerate(p.controls)])  # fmt: skip
    rel = np.array([spec.control_effects[c.name] for c in p.controls]) / typical[:, None]  # [J,K]
    mean_ctrl = np.einsum("g,gj->j", scale, (world.controls - world.control_center).mean(axis=1))
    non_media = weekly_media * (1.0 - p.media_share) / p.media_share
    intercept = non_media / (world.baseline_shape.mean(axis=0) + mean_ctrl @ rel)
    world.intercept = intercept[None] * scale[:, None]
    world.control_coef = intercept[None, None] * rel[None] * scale[:, None, None]


def _observed(spec: MultiSpec, g_n: int, t_n: int) -> np.ndarray:
    mask = np.ones((g_n, t_n, len(spec.outcomes)), bool)
    for outcome, g, first, last in spec.missing:
        mask[g, first : last + 1, spec.outcomes.index(outcome)] = False
    return mask


def truth(world: MultiWorld) -> dict[str, Any]:
    """Ground truth (JSON-able): counterfactual ROI per outcome and channel, cross-effects with their totals."""
    spec, p = world.spec, world.preset
    sales = kpi(world)
    spend_total = world.spend.sum(axis=(0, 1))
    roi, direct = {}, {}
    comp = components(world)
    for c, name in enumerate(world.channel_names):
        cut = world.spend.copy()
        cut[..., c] = 0.0
        lift = (sales - kpi(world, cut)).sum(axis=(0, 1))
        roi[name] = dict(zip(spec.outcomes, (lift / spend_total[c]).round(6).tolist()))
        direct[name] = dict(zip(spec.outcomes, (comp["media"][..., c, :].sum((0, 1)) / spend_total[c]).round(6)))
    return {
        "preset": p.name,
        "seed": world.seed,
        "description": p.description,
        "kpis": list(spec.outcomes),
        "frequency": "weekly",
        "periods": len(world.periods),
        "geos": [g for g in world.geos if g] or [""],
        "roi": roi,
        "roi_direct": {c: {k: float(v) for k, v in d.items()} for c, d in direct.items()},
        "cross_effects": [_cross(e, term) for e, term in zip(spec.cross, comp["cross"])],
        "residual_corr": spec.noise_corr,
        "kpi_total": dict(zip(spec.outcomes, sales.sum(axis=(0, 1)).round(2).tolist())),
        "observed_share": dict(zip(spec.outcomes, world.observed.mean(axis=(0, 1)).round(4).tolist())),
    }


def _cross(e: CrossTruth, term: np.ndarray) -> dict[str, Any]:
    return dict(source=e.source, target=e.target, type=e.kind, kappa=e.kappa, lag=e.lag, modulator=e.modulator,
                total=round(float(term.sum()), 2))  # fmt: skip


def to_frame(world: MultiWorld, block) -> pd.DataFrame:
    """The observed data as an MFF long frame; ``block`` is ``synth.make._block`` (one variable's rows)."""
    sales = np.round(kpi(world), 2)
    blocks = [
        block(world, name, "", sales[..., k], world.observed[..., k]) for k, name in enumerate(world.spec.outcomes)
    ]
    blocks += [block(world, f"{n}_Spend", n, world.spend[:, :, c]) for c, n in enumerate(world.channel_names)]
    blocks += [block(world, n, "", world.controls[:, :, j]) for j, n in enumerate(world.control_names)]
    return pd.concat(blocks, ignore_index=True)


__all__ = ["MultiWorld", "components", "kpi", "simulate_multi", "to_frame", "truth"]
