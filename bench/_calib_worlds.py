"""The generating processes of the calibration harness: random synthetic truths that are *not* the default spec.

The default spec assumes a logistic curve and geometric adstock with one shared prior per channel; these worlds
draw Hill or logistic curves, geometric or delayed (peaked) adstock, trending / seasonal always-on / flighted /
late-starting / steady spend, controls that share the yearly cycle with seasonal spend (``weather``), 2–4 years,
national or geo, noise 2–10 % of the KPI and media 15–40 % of it. Each family fixes what defines it and draws
the rest from the dataset's seed, so a family's datasets differ in everything but their defining trait.

Not covered (said in the harness's output): bursty spend shorter than the synth generator's 3-week flights, and
controls correlated with media by construction other than through the shared yearly cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmm_core.synth.presets import SMALL_CONTROLS, ChannelSpec, ControlSpec, Preset

NAMES = ("Search", "Social", "Video", "Display", "Radio")
WEATHER = ControlSpec("Weather", "weather", 0.05)


@dataclass(frozen=True)
class Family:
    name: str
    patterns: tuple[str, ...]  # spend shapes drawn from (see mmm_core.synth.patterns.spend_shape)
    saturation: tuple[str, ...] = ("hill", "logistic")
    adstock: tuple[str, ...] = ("geometric", "delayed")
    geos: tuple[int, int] = (1, 1)
    weather: bool = False  # a control sharing the yearly cycle
    channels: tuple[int, int] = (3, 5)


FAMILIES = (
    Family("hill_geometric", ("trend", "seasonal", "onoff", "steady"), ("hill",), ("geometric",)),
    Family("logistic_delayed", ("trend", "seasonal", "onoff", "late"), ("logistic",), ("delayed",)),
    Family("seasonal_always_on", ("seasonal", "seasonal", "steady", "onoff"), weather=True),
    Family("flighted", ("onoff", "late")),
    Family("geo", ("trend", "seasonal", "onoff", "late"), geos=(4, 8)),
)
# Not in the default run: geo panels large enough (10-14 geos x 5 channels: 103-135 latent dimensions) for the
# staged warm-up and its target acceptance (``engine.mass``), which the "geo" family's 41-87 dimensions (a dense
# mass) never reach. Staged only with a warm-up of at least 4 x dimensions / chains x 2 (run it at 1000 + 1000).
EXTRA_FAMILIES = (Family("geo_staged", ("trend", "seasonal", "onoff", "late"), geos=(10, 14), channels=(5, 5)),)
ALL_FAMILIES = FAMILIES + EXTRA_FAMILIES


def draw_preset(family: Family, seed: int) -> Preset:
    """One random world of ``family``; ``seed`` fixes every draw."""
    rng = np.random.default_rng([seed, ALL_FAMILIES.index(family)])
    n_c = int(rng.integers(family.channels[0], family.channels[1] + 1))
    channels = tuple(_channel(family, NAMES[i], rng) for i in range(n_c))
    controls = SMALL_CONTROLS + ((WEATHER,) if family.weather else ())
    n_weeks = int(rng.choice([104, 156, 208]))
    return Preset(
        f"calib_{family.name}_{seed}",
        f"calibration world ({family.name}, seed {seed})",
        n_weeks if family.geos[0] == 1 else 104,  # geo panels at 2 years keep a fit near a minute on 2 cores
        int(rng.integers(family.geos[0], family.geos[1] + 1)),
        channels,
        controls,
        media_share=float(np.round(rng.uniform(0.15, 0.4), 3)),
        noise_frac=float(np.round(rng.uniform(0.02, 0.10), 3)),
    )


def _channel(family: Family, name: str, rng: np.random.Generator) -> ChannelSpec:
    pattern = str(rng.choice(family.patterns))
    adstock = str(rng.choice(family.adstock))
    delayed = adstock == "delayed"
    return ChannelSpec(
        name,
        pattern,
        mean_spend=float(np.round(np.exp(rng.uniform(np.log(500), np.log(8000))), -1)),
        roi=float(np.round(np.exp(rng.uniform(np.log(0.3), np.log(4.5))), 2)),
        alpha=float(np.round(rng.uniform(0.2, 0.6) if delayed else rng.uniform(0.05, 0.6), 3)),
        slope=float(np.round(rng.uniform(0.7, 2.0), 3)),
        k_ratio=float(np.round(rng.uniform(0.5, 1.5), 3)),
        saturation=str(rng.choice(family.saturation)),
        adstock=adstock,
        theta=float(np.round(rng.uniform(1.0, 3.0), 2)) if delayed else 0.0,
        start_week=int(rng.integers(20, 60)) if pattern == "late" else 0,
    )
