r"""The long-term (brand) system of the brand presets: media build brand metrics, brand metrics lift base sales.

On top of the short-term world of ``mmm_core.synth.dgp`` (baseline, controls, saturating short-term media, noise),
weekly, national, channel c, metrics m = (Awareness, Consideration) as deviations ``y[t]`` from their base levels::

    x[t,c]  = Σ_l w_c[l] * spend[t-l, c]                       adstocked spend (the channel's own adstock; linear)
    y[t]    = Phi @ y[t-1] + L @ x[t] + e[t],   e ~ N(0, diag(ar_sd²)),   y[-1] = 0 for the media part
    Phi     = [[rho_A, 0], [k_AC, rho_C]]                       awareness feeds next week's consideration
    brand_sales[t] = lam @ y[t]                                 part of base sales
    Sales[t] = short-term KPI[t] + brand_sales[t]
    observed metric[t] = base_level + y[t] + N(0, obs_sd²)     every week, or first week of each month (survey)

Why linear in adstocked spend on the brand path (saturation stays on the short-term path): the long-term ROI per
unit of spend is then one number whatever the spend level, so the truth's impulse response *is* the long-term
ROI of every dollar, and the VAR-X the engine fits (adstocked media as exogenous inputs) is correctly specified —
a recovery test then measures the estimator, not a misspecification.

Everything on the brand path is linear, so two computations of a channel's long-term effect must agree exactly
(``tests/test_long_term_synth.py``): the impulse response (IRF) of base sales to $1 of spend, cumulated, and the
counterfactual "sales minus sales with the channel's spend set to 0", run past the end of the data with no spend.
The truth's long-term ROI is the IRF cumulated over ``BrandSpec.horizon`` weeks (the spec's default horizon).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_core.synth import patterns as pat
from mmm_core.synth.dgp import World, adstocked, kpi, simulate
from mmm_core.synth.presets import BrandSpec, Preset

BURN_IN = 104  # weeks of the metrics' own movement simulated before the data start (stationary at week 0)


@dataclass
class BrandWorld:
    """A short-term ``World`` plus the brand system's true parameters and noise draws."""

    base: World  # the short-term world (its KPI has no brand sales)
    phi: np.ndarray  # [2, 2] metric transition
    load: np.ndarray  # [2, C] metric points per unit of adstocked spend
    lam: np.ndarray  # [2] sales per metric point
    own: np.ndarray  # [T, 2] the metrics' own movement (AR part driven by e), points
    obs_noise: np.ndarray  # [T, 2] measurement error of the observed metrics
    observed: np.ndarray  # [T] bool: weeks on which the metrics are observed

    @property
    def spec(self) -> BrandSpec:
        return self.base.preset.brand

    @property
    def preset(self) -> Preset:
        return self.base.preset

    @property
    def channel_names(self) -> list[str]:
        return self.base.channel_names

    @property
    def periods(self) -> list[str]:
        return self.base.periods


def simulate_brand(preset: Preset, seed: int, rng: np.random.Generator) -> BrandWorld:
    """Draw the short-term world, then the brand system's noise, then calibrate loadings to the target ROIs."""
    base = simulate(preset, seed, rng)
    spec = preset.brand
    t_n = preset.n_weeks
    phi = transition(spec)
    shocks = rng.normal(0.0, 1.0, (BURN_IN + t_n, 2)) * np.array(spec.ar_sd)
    own = propagate(phi, shocks)[BURN_IN:]
    obs_noise = rng.normal(0.0, 1.0, (t_n, 2)) * np.array(spec.obs_sd)
    observed = pat.first_week_of_month(base.periods) if spec.survey else np.ones(t_n, dtype=bool)
    lam = np.array(spec.sales_per_point) * float(kpi(base).mean())
    world = BrandWorld(base, phi, np.zeros((2, len(preset.channels))), lam, own, obs_noise, observed)
    world.load = _calibrated_loadings(world)
    return world


def transition(spec: BrandSpec) -> np.ndarray:
    """``Phi``: each metric's own persistence, and awareness feeding next week's consideration."""
    return np.array([[spec.rho[0], 0.0], [spec.awareness_to_consideration, spec.rho[1]]])


def propagate(phi: np.ndarray, inputs: np.ndarray) -> np.ndarray:
    """``y[t] = phi @ y[t-1] + inputs[t]`` from ``y[-1] = 0``; inputs ``[T, 2]``."""
    out = np.zeros_like(inputs, dtype=float)
    prev = np.zeros(inputs.shape[1])
    for t in range(len(inputs)):
        prev = phi @ prev + inputs[t]
        out[t] = prev
    return out


def _calibrated_loadings(world: BrandWorld) -> np.ndarray:
    """Loadings ``L`` so that each channel's IRF-based long-term ROI over the horizon equals its target."""
    spec, names = world.spec, world.channel_names
    unknown = sorted(set(spec.long_roi) - set(names))
    if unknown:  # a preset table error, not user input
        raise ValueError(f"preset {world.preset.name}: long_roi names unknown channels {unknown}")
    load = np.zeros((2, len(names)))
    for c, name in enumerate(names):
        share = spec.to_consideration.get(name, 0.0)
        direction = np.array([1.0 - share, share])
        unit = irf(world, c, spec.horizon, direction)["sales"].sum()  # long ROI of a unit loading
        load[:, c] = direction * spec.long_roi.get(name, 0.0) / unit
    return load


def irf(world: BrandWorld, channel: int, horizon: int, loading: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Response over weeks ``0..horizon-1`` to $1 of spend on ``channel`` in week 0: metric points per $
    (``awareness``, ``consideration``) and base sales per $ (``sales``). ``loading`` overrides the channel's own
    (used by the calibration)."""
    weights = world.base.weights[channel]
    x = np.zeros(horizon)
    x[: min(horizon, len(weights))] = weights[:horizon]
    load = world.load[:, channel] if loading is None else loading
    y = propagate(world.phi, np.outer(x, load))
    return {"awareness": y[:, 0], "consideration": y[:, 1], "sales": y @ world.lam}


def media_metrics(world: BrandWorld, spend: np.ndarray, extend: int = 0) -> np.ndarray:
    """The media-driven metric deviations ``[T + extend, 2]`` for national ``spend [T, C]``; spend after the data
    (``extend`` weeks) is zero, so the tail shows the carry-over still to come."""
    padded = np.vstack([spend, np.zeros((extend, spend.shape[1]))])
    x = adstocked(padded[None, :, :], world.base.weights)[0]
    return propagate(world.phi, x @ world.load.T)


def brand_sales(world: BrandWorld, spend: np.ndarray | None = None, extend: int = 0) -> np.ndarray:
    """Base sales from the brand system ``[T + extend]`` (media part plus the metrics' own movement in sample)."""
    spend = world.base.spend[0] if spend is None else spend
    y = media_metrics(world, spend, extend)
    y[: len(world.own)] += world.own
    return y @ world.lam


def sales(world: BrandWorld) -> np.ndarray:
    """The observed KPI (before rounding), national ``[T]``: short-term KPI plus brand sales."""
    return kpi(world.base)[0] + brand_sales(world)


def metrics(world: BrandWorld) -> np.ndarray:
    """True (latent) metric levels ``[T, 2]``: base level + media-driven deviation + own movement."""
    return np.array(world.spec.base_levels) + media_metrics(world, world.base.spend[0]) + world.own


def long_term_counterfactual(world: BrandWorld, zero: Sequence[str], extend: int) -> float:
    """Brand sales lost when ``zero`` channels' spend is set to 0, summed over the data and ``extend`` weeks after
    it (no spend there): the counterfactual definition of their long-term contribution."""
    idx = [world.channel_names.index(c) for c in zero]
    cut = world.base.spend[0].copy()
    cut[:, idx] = 0.0
    return float((brand_sales(world, extend=extend) - brand_sales(world, cut, extend=extend)).sum())


def to_frame(world: BrandWorld, short_frame: pd.DataFrame) -> pd.DataFrame:
    """The MFF frame: ``short_frame`` (the short-term world's rows) with brand sales added to the KPI rows, plus
    one block per brand metric (weekly, or survey weeks only)."""
    frame = short_frame.copy()
    kpi_rows = frame["VariableName"] == "Sales"
    frame.loc[kpi_rows, "VariableValue"] = np.round(sales(world), 2)
    template = frame[kpi_rows].reset_index(drop=True)
    observed = np.round(metrics(world) + world.obs_noise, 2)
    blocks = [frame]
    for m, name in enumerate(world.spec.metrics):
        block = template.assign(VariableName=name, VariableValue=observed[:, m])
        blocks.append(block[world.observed].reset_index(drop=True))
    return pd.concat(blocks, ignore_index=True)


__all__ = [
    "BrandWorld",
    "brand_sales",
    "irf",
    "long_term_counterfactual",
    "media_metrics",
    "metrics",
    "propagate",
    "sales",
    "simulate_brand",
    "to_frame",
]
