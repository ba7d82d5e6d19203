"""Multi-outcome test helpers: engine data straight from a synthetic world (tests/test_multi_*.py).

The fit path (spec → MultiData) is tested by its own files; these helpers feed the engine the world's arrays so an
engine test fails only for engine reasons."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from mmm_core.engine.config import ModelConfig
from mmm_core.engine.outcomes import CrossEffectConfig, MultiData, MultiOutcomeConfig
from mmm_core.synth.make import generate
from mmm_core.synth.multi import kpi as multi_kpi

# Fast priors for tests: the preset's weekly span, two Fourier orders, no geo pooling beyond partial.
BASE = ModelConfig(half_life=1.0, l_max=8)


def world_data(preset: str = "two_products", seed: int = 0, independent_noise: bool = False):
    """(MultiData, truth, world) of a multi-KPI synthetic preset; Promo_Multi is also the modulator.

    ``independent_noise``: redraw the KPI noise with no correlation across outcomes (same sds), for tests whose
    claim needs independent outcomes; the truth's ROIs are counterfactual differences, unchanged by the noise."""
    synth = generate(preset, seed)
    w = synth.world
    if independent_noise:
        rng = np.random.default_rng(10_000 + seed)
        w.noise = rng.standard_normal(w.noise.shape) * w.noise_sd[:, None, :]
    kpi = np.where(w.observed, _kpi(w), np.nan).transpose(1, 0, 2)  # [T,G,K]
    names = tuple(w.control_names)
    data = MultiData(
        periods=np.array(w.periods),
        geos=tuple(g or "national" for g in w.geos),
        channels=tuple(w.channel_names),
        spend=w.spend.transpose(1, 0, 2),
        kpi=kpi,
        controls=w.controls.transpose(1, 0, 2),
        control_names=names,
        modulators=w.controls[..., [names.index("Promo_Multi")]].transpose(1, 0, 2),
        modulator_names=("Promo_Multi",),
    )
    return data, synth.truth, w


def _kpi(world):
    return np.round(multi_kpi(world), 2)  # the values the MFF frame carries


def spend_share_prior(data: MultiData) -> ModelConfig:
    """BASE with each channel's prior effect share proportional to its spend share (a prior ROI equal across
    channels). Why: the equal split gives a small channel the largest prior ROI; on two_products (Display, 12% of
    spend) that inflated multipack's media and, through it, shrank kappa's estimate (2 x 1000 draws: multipack's
    media contribution 23% over the truth, kappa median -0.24 against -0.30)."""
    share = data.spend.sum(axis=(0, 1)) / data.spend.sum()
    return replace(BASE, effect_share=tuple(float(x) for x in BASE.media_share_total * share))


def product_config(data: MultiData, cross: bool = True, **kw) -> MultiOutcomeConfig:
    """The two_products model: the promotion enters multipack only; single-pack gets it through kappa."""
    names = data.control_names
    single = tuple(i for i, n in enumerate(names) if n != "Promo_Multi")
    effects = (CrossEffectConfig(1, 0, "cannibalisation", modulator=0),) if cross else ()
    cfg = MultiOutcomeConfig(
        outcomes=("Sales_Single", "Sales_Multi"),
        base=spend_share_prior(data),
        cross_effects=effects,
        outcome_controls=(single, tuple(range(len(names)))),
    )
    return replace(cfg, **kw)
