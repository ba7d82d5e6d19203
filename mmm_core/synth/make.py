r"""Synthetic marketing-mix data with exact ground truth, for demos and recovery tests.

``generate(preset, seed)`` returns the data as an MFF long frame plus a JSON-able truth; ``write`` puts both on
disk. Same preset and seed give byte-identical files (one ``numpy.random.Generator(seed)`` drives every draw).

Data-generating process (weekly; geo g, week t = 0..T-1, channel c, control k)
--------------------------------------------------------------------------------
KPI::

    Sales[g,t] = intercept[g] * (1 + trend*t/(T-1) + s1*sin(2πt/52.18) + s2*cos(2πt/52.18))      baseline
               + Σ_k coef[g,k] * (z[g,t,k] - center[k])                                        controls
               + Σ_c beta[g,c] * sat_c(adstock_c(spend[g,·,c]))[t]                             direct media
               + gamma[g] * M[g,t]                                                             mediated media
               + eps[g,t],   eps ~ Normal(0, noise_sd[g]²),  noise_sd[g] = 6% of geo g's mean KPI

Adstock (l_max = 8, weights normalised to sum 1 so adstocked spend stays in spend units; spend before the first
week is 0): geometric ``w_l ∝ alpha^l``, or delayed (Jin et al. 2017, enterprise "Video" channels)
``w_l ∝ alpha^((l-theta)^2)``.

Saturation, with K in adstocked-spend units and set per geo to ``k_ratio × mean_t adstocked spend[g]`` (so a
channel's curvature does not depend on the geo's size): Hill ``x^s / (x^s + K^s)``, or logistic
``(1 - e^{-lam x}) / (1 + e^{-lam x})`` with ``lam = ln 3 / K`` (half saturation at K); ``national_logistic`` only.

Geo presets: geo_scale[g] (population share, sums to 1) multiplies spend, intercept, control coefficients and
``beta[g,c] = beta_national[c] × LogNormal(0, 0.2)[g,c] × geo_scale[g]`` (partial pooling of effects).

Mediator (``mediated``, ``mediated_single``, ``mediated_survey``; "Awareness", % points)::

    M[g,t] = base + Σ_c b[c] * sat_c(adstock_c(spend))[t] + u[g,t],   u AR(1): u_t = rho u_{t-1} + N(0, ar_sd²)

observed only on the first week start of each month (with survey error N(0, obs_sd²)); Sales uses the latent M
every week. A channel's indirect contribution is ``gamma Σ b_c sat_c``; ``share_mediated`` = indirect / total.

Calibration: each channel's beta (and b) are solved so that the true ROI (total contribution / total spend)
equals the preset's target exactly; the intercept puts media at ``media_share`` (30–40%) of the KPI.
Contribution = counterfactual difference (KPI minus KPI with that channel's spend set to 0, noise fixed); the
model is additive in channels, so it equals ``Σ beta·sat(adstock)`` (+ the mediated part). See ``counterfactual``.

MFF layout: ``Sales`` (empty Outlet), ``<Channel>_Spend`` on Outlet ``<Channel>``, controls (empty Outlet),
``Awareness`` rows only on observed weeks. Period = ISO Monday; Geography '' for national presets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mmm_core.errors import MMMError
from mmm_core.outputs import write_atomic
from mmm_core.synth import brand, multi
from mmm_core.synth.dgp import World, kpi, mediator_latent, simulate
from mmm_core.synth.presets import FIXED, PRESETS, build
from mmm_core.synth.truth import build_brand_truth, build_truth

MFF_COLUMNS = ["Period", "Geography", "Product", "Campaign", "Outlet", "Creative", "VariableName", "VariableValue"]

__all__ = ["PRESETS", "SynthData", "counterfactual", "describe_presets", "generate", "write"]


@dataclass
class SynthData:
    """A synthetic dataset: the MFF ``frame``, its ``truth`` (JSON-able) and the ``world`` that made it."""

    frame: pd.DataFrame
    truth: dict[str, Any]
    world: World


def describe_presets() -> dict[str, str]:
    """Preset name -> one-line description."""
    return {
        name: (FIXED[name].description if name in FIXED else build(name, np.random.default_rng(0)).description)
        for name in PRESETS
    }


def generate(preset: str, seed: int = 0) -> SynthData:
    """Simulate ``preset`` with ``seed``; raises ``MMMError(code="unknown_preset")`` for an unknown name."""
    if preset not in PRESETS:
        raise MMMError(
            f"Unknown synthetic preset {preset!r}.", f"Choose one of: {', '.join(PRESETS)}.", code="unknown_preset"
        )
    rng = np.random.Generator(np.random.PCG64(seed))
    chosen = build(preset, rng)
    if chosen.brand is not None:  # a long-term preset: the brand system sits on top of a short-term world
        bw = brand.simulate_brand(chosen, int(seed), rng)
        return SynthData(brand.to_frame(bw, to_frame(bw.base)), build_brand_truth(bw), bw)
    if "multi" in chosen.extra:  # several KPIs with cross-effects (issue 22): mmm_core.synth.multi
        mw = multi.simulate_multi(chosen, int(seed), rng)
        return SynthData(multi.to_frame(mw, _block), multi.truth(mw), mw)
    world = simulate(chosen, int(seed), rng)
    return SynthData(to_frame(world), build_truth(world), world)


def counterfactual(data: SynthData, zero: Sequence[str] = (), path: str = "all") -> np.ndarray:
    """The KPI ``[geo, period]`` with the spend of channels ``zero`` set to 0, everything else (noise included)
    unchanged. ``path``: ``all`` (both paths), ``direct`` (mediator keeps the real spend) or ``indirect``
    (only the media -> mediator path loses the spend)."""
    w = data.world
    idx = [w.channel_names.index(c) for c in zero]
    cut = w.spend.copy()
    cut[:, :, idx] = 0.0
    direct, mediated = {"all": (cut, cut), "direct": (cut, w.spend), "indirect": (w.spend, cut)}[path]
    return kpi(w, direct, mediated)


def to_frame(world: World) -> pd.DataFrame:
    """The world's observed data as an MFF long frame (one block per variable, geo-major inside)."""
    g_n, t_n = len(world.geos), len(world.periods)
    blocks = [_block(world, "Sales", "", np.round(kpi(world), 2))]
    for c, name in enumerate(world.channel_names):
        blocks.append(_block(world, f"{name}_Spend", name, world.spend[:, :, c]))
    for k, name in enumerate(world.control_names):
        blocks.append(_block(world, name, "", world.controls[:, :, k]))
    if world.preset.mediator:
        survey = np.round(mediator_latent(world, world.spend) + world.med_obs_noise, 2)
        mask = np.broadcast_to(world.observed[None, :], (g_n, t_n))
        blocks.append(_block(world, world.preset.mediator.name, "", survey, mask))
    return pd.concat(blocks, ignore_index=True)


def _block(
    world: World, variable: str, outlet: str, values: np.ndarray, mask: np.ndarray | None = None
) -> pd.DataFrame:
    """Rows of one variable: values ``[G, T]`` flattened geo-major; ``mask`` keeps observed cells only."""
    g_n, t_n = values.shape
    periods = np.tile(np.array(world.periods, dtype=object), g_n)
    geos = np.repeat(np.array(world.geos, dtype=object), t_n)
    vals = values.reshape(-1)
    if mask is not None:
        keep = mask.reshape(-1)
        periods, geos, vals = periods[keep], geos[keep], vals[keep]
    n = len(vals)
    empty = np.full(n, "", dtype=object)
    return pd.DataFrame(
        {
            "Period": periods,
            "Geography": geos,
            "Product": empty,
            "Campaign": empty,
            "Outlet": np.full(n, outlet, dtype=object),
            "Creative": empty,
            "VariableName": np.full(n, variable, dtype=object),
            "VariableValue": vals,
        }
    )


def write(preset: str, seed: int, out: Path, truth_path: Path | None = None) -> tuple[Path, Path | None]:
    """Write the dataset to ``out`` (Parquet if it ends ``.parquet``, else CSV) and the truth JSON to
    ``truth_path`` when given. Returns both paths."""
    data = generate(preset, seed)
    out = Path(out)
    if out.suffix.lower() == ".parquet":
        write_atomic(out, data.frame.to_parquet(None, index=False))
    else:
        write_atomic(out, data.frame.to_csv(index=False, lineterminator="\n"))
    if truth_path is not None:
        truth_path = write_atomic(Path(truth_path), json.dumps(data.truth, indent=1) + "\n")
    return out, truth_path
