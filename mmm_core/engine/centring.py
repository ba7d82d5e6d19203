"""Centred or non-centred geo media effects (``ModelConfig.geo_effects``), chosen before sampling by a pilot.

The two forms are the same model. Which one NUTS crosses cheaply depends on how firmly the data pin each geo x
channel effect down relative to the between-geo spread tau: weakly (our geo_medium preset) the non-centred form
is cheap and the centred one has the funnel; firmly (PyMC Labs' medium_business) the non-centred deviations must
move with tau and the chain crawls. No summary of the data measured before the fit told the two apart (a per-cell
least-squares standard error, the Laplace variance at the mode), so "auto" measures the sampler itself: each form
runs the first PILOT_ITERATIONS warm-up iterations of the real fit, from its own Laplace start, and the one with
fewer leapfrog steps per iteration over the pilot's second half carries on — its pilot chunks are its warm-up,
nothing is repeated. The pilot's only cost is the form not kept: its Laplace start, its 50 iterations and, on a
cold cache, its kernels. Leapfrog steps per iteration, not wall time, so a loaded machine does not bias the choice.

Why iterations 25-50: measured at 2 x (1000 + 1000) from the Laplace start, the wrong form runs into NumPyro's
tree-depth limit (~1,000 steps per iteration) from about iteration 25 until the first mass-matrix update (100),
the right one stays under ~110 (geo_medium seed 0: centred 992 vs non-centred 87 over iterations 25-50;
medium_business: non-centred 944 vs centred 23): a ten-fold gap, which later windows narrow (iterations 125-250:
119 vs 46, 100 vs 62) while the loser's cost keeps growing. The first 25 iterations mislead (geo_medium: centred
50 vs 87, the step size not yet adapted). Fits with a pilot run in chunks of at most PILOT_CHUNK iterations so the
choice can be made after 50 (the draws are the same: the chunks only set when Python looks at them). On data not
used to pick the window: geo_medium seed 2, centred 890 vs 104 (non-centred kept: 28 steps per draw against 66,
R-hat 1.011 against 1.089); bench/_bench_data.py's own geo_medium-shaped panel, both forms at the limit (1013 vs
1023): a tie, so the default, which was right (54 steps against 232) — there the pilot did not discriminate.
The pilot's cost at 2 x (1000 + 1000): 44,000-61,000 gradients (+33-41% of a non-centred geo_medium fit, +13% on
the other panel); on medium_business the kept centred fit with its pilot took 194,000 gradients against 417,000.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Callable

import numpy as np

from mmm_core.engine.config import ModelConfig

FORMS = ("noncentred", "centred")
# Warm-up iterations both forms run before the choice (rounded up to whole chunks, at most the warm-up), measured
# over their second half; and the longest chunk of a fit with a pilot (the module docstring says why 50).
PILOT_ITERATIONS = 50
PILOT_CHUNK = 25
# The centred form is kept only when it needs at most this share of the non-centred form's steps: non-centred is
# the default that has served every preset, and steps per iteration early in warm-up are noisy (a tie goes to the
# default). The gaps measured were ten-fold either way.
CENTRED_MAX_STEP_RATIO = 0.8


@dataclass(frozen=True)
class GeoPilot:
    """What the pilot measured and chose. Steps are leapfrog steps per iteration, averaged over the chains and the
    pilot's iterations from ``measured_from`` on; ``extra_gradients`` are the discarded form's leapfrog steps (all
    chains), ``extra_wall_s`` its Laplace start, kernels and chunks (wall, so load-dependent)."""

    chosen: str
    iterations: int
    measured_from: int
    steps_noncentred: float
    steps_centred: float
    divergences_noncentred: int
    divergences_centred: int
    extra_gradients: int
    extra_wall_s: float

    def summary(self) -> str:
        return (
            f"geo effects sampled {self.chosen} (pilot: {self.steps_centred:.1f} centred vs "
            f"{self.steps_noncentred:.1f} non-centred leapfrog steps per iteration over warm-up iterations "
            f"{self.measured_from}-{self.iterations})"
        )

    def to_dict(self) -> dict:
        return asdict(self) | {"summary": self.summary()}


@dataclass
class FormRun:
    """One form's chains after the pilot: what the sampler needs to carry on with it, and what it cost."""

    form: str
    runner: dict
    state: object
    steps: np.ndarray  # [chains, pilot iterations] leapfrog steps
    diverging: np.ndarray  # [chains, pilot iterations]
    wall_s: float
    laplace_start: bool  # the chains started from the Laplace approximation


def needs_pilot(config: ModelConfig, n_geos: int, n_channels: int) -> bool:
    """True when the choice exists and is left to the pilot: partial pooling of >= 2 geos, a geo-level channel."""
    national = np.array(config.per_channel("national", n_channels), bool)
    return config.geo_effects == "auto" and config.pooling == "partial" and n_geos > 1 and not national.all()


def form_config(config: ModelConfig, form: str) -> ModelConfig:
    """The configuration sampling ``form``. Non-centred keeps ``config`` itself ("auto" samples non-centred), so
    the kernels a fit compiled before the pilot (prior predictive, gate) serve the non-centred chains too."""
    return replace(config, geo_effects="centred") if form == "centred" else config


def pilot_chunks(warmup: int, chunk: int) -> int:
    """Warm-up chunks in the pilot: enough for PILOT_ITERATIONS, never more than the warm-up holds."""
    return min(math.ceil(PILOT_ITERATIONS / chunk), warmup // chunk)


def choose(steps_noncentred: float, steps_centred: float) -> str:
    return "centred" if steps_centred <= CENTRED_MAX_STEP_RATIO * steps_noncentred else "noncentred"


def run_pilot(run_form: Callable[[str], FormRun]) -> tuple[FormRun, GeoPilot]:
    """Run both forms' pilot chunks (``run_form``) and keep the cheaper; returns the kept run and the record."""
    runs = {form: run_form(form) for form in FORMS}
    iterations = runs["noncentred"].steps.shape[1]
    start = iterations // 2
    steps = {f: float(np.mean(r.steps[:, start:])) for f, r in runs.items()}
    chosen = choose(steps["noncentred"], steps["centred"])
    dropped = runs["centred" if chosen == "noncentred" else "noncentred"]
    pilot = GeoPilot(
        chosen=chosen,
        iterations=iterations,
        measured_from=start,
        steps_noncentred=round(steps["noncentred"], 2),
        steps_centred=round(steps["centred"], 2),
        divergences_noncentred=int(runs["noncentred"].diverging.sum()),
        divergences_centred=int(runs["centred"].diverging.sum()),
        extra_gradients=int(dropped.steps.sum()),
        extra_wall_s=round(dropped.wall_s, 2),
    )
    return runs[chosen], pilot


def geo_effects_record(
    sampled: ModelConfig, n_geos: int, n_channels: int, pilot: GeoPilot | None, laplace_start: bool = True
) -> dict | None:
    """The fit's note on its geo effects (``FitResult.extra["geo_effects"]``): the form sampled, why, and the
    pilot's figures; None where there is no choice (one geo, no partial pooling, every channel national)."""
    national = np.array(sampled.per_channel("national", n_channels), bool)
    if sampled.pooling != "partial" or n_geos < 2 or national.all():
        return None
    if pilot is not None:
        return {"form": pilot.chosen, "chosen_by": "pilot", "summary": pilot.summary(), "pilot": pilot.to_dict()}
    form = "centred" if sampled.geo_effects == "centred" else "noncentred"
    if sampled.geo_effects == "auto" and not laplace_start:
        why = "auto without a pilot: the chains start at random, where the pilot does not discriminate"
        return {"form": form, "chosen_by": "size", "summary": f"geo effects sampled {form} ({why})"}
    return {"form": form, "chosen_by": "config", "summary": f"geo effects sampled {form} (as configured)"}
