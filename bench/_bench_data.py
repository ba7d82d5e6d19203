"""Self-contained synthetic panels with the synth presets' shapes (used when mmm_core.synth.make is absent).

KPI = baseline (intercept, trend, yearly Fourier) + controls + sum_c beta_c * Hill(geometric adstock(spend_c))
+ noise; adstock l_max 8 with normalised weights; Hill in units of mean non-zero spend. Returns the
`ModelData` and the truth (ROI per channel = total contribution / total spend).
"""

from __future__ import annotations

import numpy as np

from mmm_core.engine import ModelData
from mmm_core.engine import transforms as tf

PRESETS = {"national_small": (1, 104, 4, 2), "geo_medium": (8, 156, 8, 4), "enterprise": (50, 208, 30, 10)}


def _spend(rng, t: int, g: int, c: int) -> np.ndarray:
    """Mixed patterns per channel: trending, seasonal, on/off flighting."""
    tt = np.arange(t)[:, None, None]
    level = rng.uniform(50, 200, size=(1, g, c)) * rng.uniform(0.5, 1.5, size=(1, g, 1))
    kind = np.arange(c) % 3
    trend = 1 + 0.5 * tt / t
    season = 1 + 0.5 * np.sin(2 * np.pi * tt / 52.18 + rng.uniform(0, 6, size=(1, 1, c)))
    on = rng.uniform(size=(t, g, c)) > 0.35
    pattern = np.where(kind == 0, trend, np.where(kind == 1, season, on * 1.4))
    return level * pattern * rng.lognormal(0, 0.25, size=(t, g, c))


def generate(preset: str = "national_small", seed: int = 0) -> tuple[ModelData, dict]:
    g, t, c, k = PRESETS[preset]
    rng = np.random.default_rng(seed)
    spend = _spend(rng, t, g, c)
    scale = spend.sum(0) / (spend > 0).sum(0)
    alpha = rng.uniform(0.0, 0.5, size=c)
    slope = rng.uniform(0.8, 2.0, size=c)
    half = rng.uniform(0.6, 1.5, size=c)
    x = np.asarray(tf.geometric_adstock(spend / scale[None], alpha, l_max=8))
    sat = np.asarray(tf.hill_saturation(x, slope, half))
    base_level = rng.uniform(500, 1500, size=g) * (1.0 if g == 1 else rng.uniform(0.5, 2, size=g))
    beta = base_level[:, None] * rng.uniform(0.04, 0.2, size=(1, c))  # [G,C] ceiling in KPI units
    media = beta[None] * sat  # [T,G,C]
    tt = np.arange(t) / t
    season = 0.1 * np.sin(2 * np.pi * np.arange(t) / 52.18) + 0.05 * np.cos(4 * np.pi * np.arange(t) / 52.18)
    controls = rng.normal(size=(t, g, k))
    gamma_c = rng.normal(0, 0.03, size=k)
    baseline = base_level[None] * (1 + 0.15 * tt[:, None] + season[:, None] + controls @ gamma_c)
    kpi = baseline + media.sum(-1) + rng.normal(0, 0.04, size=(t, g)) * base_level[None]
    roi = media.sum((0, 1)) / spend.sum((0, 1))
    data = ModelData(
        periods=np.arange(t),
        geos=tuple(f"geo_{i}" for i in range(g)) if g > 1 else ("national",),
        channels=tuple(f"ch_{i}" for i in range(c)),
        spend=spend,
        kpi=kpi,
        controls=controls,
        control_names=tuple(f"ctrl_{i}" for i in range(k)),
    )
    truth = {
        "roi": dict(zip(data.channels, roi.tolist())),
        "alpha": alpha.tolist(),
        "slope": slope.tolist(),
        "half_point": half.tolist(),
        "contribution": media.sum((0, 1)).tolist(),
    }
    return data, truth


def load(preset: str, seed: int = 0) -> tuple[ModelData, dict[str, float], str]:
    """(ModelData, true ROI per channel, source): from `mmm_core.synth.make` when present, else `generate` above."""
    try:
        from mmm_core import synth
        from mmm_core.synth.dgp import kpi
    except ImportError:
        data, truth = generate(preset, seed)
        return data, truth["roi"], "bench/_bench_data.py"
    d = synth.generate(preset, seed)
    w = d.world
    geos = tuple(w.geos) if len(w.geos) > 1 or w.geos[0] else ("national",)
    data = ModelData(
        periods=np.array(w.periods, dtype="datetime64[D]"),
        geos=geos,
        channels=tuple(w.channel_names),
        spend=np.transpose(w.spend, (1, 0, 2)),
        kpi=kpi(w, w.spend, w.spend).T,
        controls=np.transpose(w.controls, (1, 0, 2)),
        control_names=tuple(w.control_names),
    )
    roi = {c: float(d.truth["channels"][c]["roi"]) for c in data.channels}
    return data, roi, "mmm_core.synth.make"
