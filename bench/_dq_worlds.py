"""Generating processes for the decision-quality benchmark: our synth presets plus worlds that are not our model.

Each world is a :class:`~mmm_core.synth.dgp.World`, so its true response to any plan is
:func:`mmm_core.optimizer.truth.truth_response` and its data go through the ordinary ingest → spec → fit path.

Beyond the presets (``national_small``: Hill, 2 years, 6% noise; ``national_logistic``: logistic truth), the
processes written here break the fitted model's assumptions on purpose:

- ``issue_national``: the case of issue 15 — 3 years, flighted TV, always-on Search whose spend follows the
  KPI's own yearly cycle (collinear with seasonality), always-on Social, bursty Display, flighted Radio; 3% noise.
- ``logistic_bursty``: 4 years, logistic saturation (the model fits Hill), bursty and flighted channels, 10% noise.
- ``geo_hill``: 4 geos × 2 years, Hill with steep slopes, always-on seasonal Search, 4% noise.
- ``near_optimal``: 2 years; the recent mix is already within ~1% of the true optimum (the "keep it" case).
- ``underfunded``: 3 years; one channel with a high, well-identified return (strong spend variation) is starved.
"""

from __future__ import annotations

import numpy as np

from mmm_core.synth import generate
from mmm_core.synth import patterns as pat
from mmm_core.synth.dgp import World, adstocked, calibrate, kpi, simulate
from mmm_core.synth.presets import SMALL_CONTROLS, ChannelSpec, Preset

Ch = ChannelSpec

ISSUE_NATIONAL = Preset(
    "issue_national",
    "156 weeks, 5 channels: flighted TV, Search collinear with seasonality, Social, bursty Display, flighted Radio",
    156,
    1,
    (
        Ch("TV", "onoff", 20000.0, 1.6, 0.5, 1.2, 1.0),
        Ch("Search", "steady", 8000.0, 2.4, 0.05, 1.0, 0.9),
        Ch("Social", "steady", 5000.0, 1.3, 0.2, 1.4, 0.9),
        Ch("Display", "steady", 3000.0, 0.5, 0.1, 1.0, 0.8),
        Ch("Radio", "onoff", 4000.0, 0.8, 0.3, 1.0, 1.1),
    ),
    SMALL_CONTROLS,
    media_share=0.3,
    noise_frac=0.03,
    extra={"collinear": ("Search",), "bursty": ("Display",)},
)

LOGISTIC_BURSTY = Preset(
    "logistic_bursty",
    "208 weeks, 4 channels, logistic truth, bursty and flighted spend, 10% noise",
    208,
    1,
    (
        Ch("TV", "onoff", 15000.0, 1.4, 0.5, 1.0, 1.0, saturation="logistic"),
        Ch("Search", "trend", 7000.0, 2.2, 0.1, 1.0, 0.8, saturation="logistic"),
        Ch("Display", "steady", 3000.0, 0.7, 0.1, 1.0, 1.2, saturation="logistic"),
        Ch("Social", "seasonal", 4000.0, 1.1, 0.2, 1.0, 0.7, saturation="logistic"),
    ),
    SMALL_CONTROLS,
    noise_frac=0.10,
    extra={"bursty": ("Display",)},
)

GEO_HILL = Preset(
    "geo_hill",
    "4 geos x 104 weeks, 4 channels, Hill slopes up to 2.5, seasonal Search collinear with the KPI cycle, 4% noise",
    104,
    4,
    (
        Ch("Search", "steady", 6000.0, 2.5, 0.05, 1.0, 1.0),
        Ch("TV", "onoff", 12000.0, 1.2, 0.5, 2.5, 1.2),
        Ch("Social", "seasonal", 4000.0, 1.4, 0.2, 1.5, 0.8),
        Ch("Radio", "onoff", 3000.0, 0.7, 0.3, 2.0, 1.0),
    ),
    SMALL_CONTROLS,
    noise_frac=0.04,
    extra={"collinear": ("Search",)},
)

NEAR_OPTIMAL = Preset(
    "near_optimal",
    "104 weeks, 4 channels whose recent mix is set to within ~1% of the true optimum, 5% noise",
    104,
    1,
    (
        Ch("Search", "seasonal", 5000.0, 2.0, 0.1, 1.0, 1.0),
        Ch("TV", "onoff", 9000.0, 1.5, 0.4, 1.2, 1.0),
        Ch("Social", "trend", 4000.0, 1.6, 0.2, 1.3, 1.0),
        Ch("Radio", "onoff", 3000.0, 1.2, 0.3, 1.0, 1.0),
    ),
    SMALL_CONTROLS,
    noise_frac=0.05,
    extra={"near_optimal": True},
)

UNDERFUNDED = Preset(
    "underfunded",
    "156 weeks, 4 channels; Search (high, unsaturated return, strongly varied spend) is starved; 2% noise",
    156,
    1,
    (
        Ch("Search", "onoff", 2000.0, 5.0, 0.05, 1.0, 3.0),
        Ch("TV", "steady", 14000.0, 0.6, 0.4, 1.0, 0.5),
        Ch("Social", "seasonal", 5000.0, 1.0, 0.2, 1.0, 0.8),
        Ch("Display", "trend", 4000.0, 0.5, 0.1, 1.0, 0.6),
    ),
    SMALL_CONTROLS,
    noise_frac=0.02,
)

CUSTOM = {p.name: p for p in (ISSUE_NATIONAL, LOGISTIC_BURSTY, GEO_HILL, NEAR_OPTIMAL, UNDERFUNDED)}
PRESET_DGPS = ("national_small", "national_logistic")
DGPS = PRESET_DGPS + tuple(CUSTOM)


def world(dgp: str, seed: int) -> World:
    """The world of generating process ``dgp`` with ``seed`` (deterministic)."""
    if dgp in PRESET_DGPS:
        return generate(dgp, seed).world
    preset = CUSTOM[dgp]
    rng = np.random.Generator(np.random.PCG64(10_000 + seed))
    w = simulate(preset, seed, rng)
    changed = False
    for name in preset.extra.get("collinear", ()):
        _reshape(w, name, _collinear(preset.n_weeks, rng))
        changed = True
    for name in preset.extra.get("bursty", ()):
        _reshape(w, name, _bursty(preset.n_weeks, rng))
        changed = True
    if changed:
        _recalibrate(w, rng)
    if preset.extra.get("near_optimal"):  # after calibration: the truth must not move once the mix is set
        _set_recent_near_optimal(w)
    return w


def _collinear(n: int, rng: np.random.Generator) -> np.ndarray:
    """Always-on spend following the KPI's own yearly cycle (phase of the baseline's sine term), mean 1."""
    t = np.arange(n, dtype=float)
    shape = (1.0 + 0.5 * np.sin(2 * np.pi * t / pat.WEEKS_PER_YEAR)) * rng.lognormal(0.0, 0.08, n)
    return shape / shape.mean()


def _bursty(n: int, rng: np.random.Generator) -> np.ndarray:
    """A low always-on floor with 1–2 week bursts at 4–6× the floor about once every 6 weeks, mean 1."""
    shape = np.full(n, 0.3) * rng.lognormal(0.0, 0.15, n)
    starts = np.flatnonzero(rng.random(n) < 1.0 / 6.0)
    for s in starts:
        shape[s : s + int(rng.integers(1, 3))] *= rng.uniform(4.0, 6.0)
    return shape / shape.mean()


def _reshape(w: World, channel: str, shape: np.ndarray) -> None:
    c = w.channel_names.index(channel)
    spec = w.preset.channels[c]
    geo = w.spend[:, :, c].sum(axis=1) / max(w.spend[:, :, c].sum(), 1e-300)
    w.spend[:, :, c] = np.round(spec.mean_spend * geo[:, None] * shape[None, :], 2)


def _set_recent_near_optimal(w: World) -> None:
    """Scale each channel's last 13 weeks so the recent mix equals the true optimum at that budget (± noise).

    The true optimum is found on the truth itself (S = 1, no trust region, no rule), then the last 13 weeks of
    spend are rescaled per channel to it with ±3% jitter — a mix a good planner would already run."""
    from mmm_core.optimizer import optimize_response  # the optimizer is what defines "optimal" here
    from mmm_core.optimizer.truth import truth_response

    for _ in range(2):  # the optimum depends on the carry-over of the recent weeks: iterate once
        resp = truth_response(w, 13)
        budget = float(resp.recent_level.sum() * 13)
        best = optimize_response(resp, budget, trust_region=None, extrapolate=True, decision_rule=False)
        target = np.array([best.allocation[c] / 13 for c in resp.channels])
        recent = w.spend[:, -13:, :].sum(axis=(0, 1)) / 13
        factor = np.where(recent > 0, target / np.maximum(recent, 1e-300), 1.0)
        factor *= np.random.default_rng(w.seed).uniform(0.97, 1.03, factor.shape)
        w.spend[:, -13:, :] = np.round(w.spend[:, -13:, :] * factor[None, None, :], 2)


def _recalibrate(w: World, rng: np.random.Generator) -> None:
    """Half-saturation points, coefficients and noise after the spend changed (same rules as ``simulate``)."""
    mean_x = adstocked(w.spend, w.weights).mean(axis=1)
    w.k = np.array([c.k_ratio for c in w.preset.channels])[None, :] * mean_x
    w.noise = np.zeros_like(w.noise)
    calibrate(w)
    expected = kpi(w)
    w.noise_sd = w.preset.noise_frac * expected.mean(axis=1)
    w.noise = rng.normal(0.0, 1.0, w.noise.shape) * w.noise_sd[:, None]


def describe() -> dict[str, str]:
    from mmm_core.synth.presets import FIXED

    return {name: (CUSTOM[name].description if name in CUSTOM else FIXED[name].description) for name in DGPS}


__all__ = ["DGPS", "describe", "world"]
