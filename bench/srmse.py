"""Contribution SRMSE per channel x geo, as PyMC Labs' MMM benchmark defines it, on our look-alike presets.

SRMSE of one channel in one geo = RMSE over weeks of the posterior-mean contribution series against the true
contribution series, divided by the mean absolute true contribution; the figure is the average over channel x geo.
True contributions are exact counterfactuals of the generator (KPI minus KPI with that channel's spend at 0, noise
held fixed; ``mmm_core.synth.counterfactual``).

Data: ``national_small`` mirrors PyMC Labs' ``small_business`` ("start-up") and ``geo_medium`` their
``medium_business`` ("mature") in shape (weeks, geos, channels, controls), not draw for draw: their generator
(``pymc-labs/mmm-param-recovery``) is not run here. Their published figures are printed beside ours for orientation,
not as a same-data comparison.

    python bench/srmse.py                                   # both presets, 2 x (1000 + 1000)
    python bench/srmse.py --preset geo_medium --warmup 500 --draws 500
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# PyMC Labs' published contribution SRMSE (their benchmark's "start-up" = small_business, "mature" =
# medium_business), quoted in issue 20.
PUBLISHED = {
    "national_small": {"pymc-marketing": 0.41, "Meridian": 0.70},
    "geo_medium": {"pymc-marketing": 0.15, "Meridian": 0.59},
}
MIRRORS = {"national_small": "small_business (start-up)", "geo_medium": "medium_business (mature)"}


@dataclass(frozen=True)
class SrmseResult:
    preset: str
    srmse: float  # mean over channel x geo
    per_channel: dict[str, float]  # mean over geos
    wall: float
    max_rhat: float
    min_ess: float
    divergences: int


def srmse(estimate: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """SRMSE per (geo, channel) of contribution series ``estimate`` and ``truth`` [T,G,C] → [G,C].

    >>> t = np.ones((4, 1, 1)); srmse(t * 1.5, t).round(3).tolist()
    [[0.5]]
    """
    rmse = np.sqrt(np.mean((estimate - truth) ** 2, axis=0))
    scale = np.mean(np.abs(truth), axis=0)
    return rmse / np.where(scale > 0, scale, np.nan)


def true_contributions(synth_data) -> np.ndarray:
    """Exact per-channel contribution series [T,G,C] of a ``SynthData``: KPI minus the channel-off counterfactual."""
    from mmm_core.synth import counterfactual

    full = counterfactual(synth_data)  # [G,T], nothing switched off
    names = synth_data.world.channel_names
    return np.stack([(full - counterfactual(synth_data, [c])).T for c in names], axis=-1)


def run(preset: str, seed: int, chains: int, warmup: int, draws: int) -> SrmseResult:
    from _bench_data import load

    from mmm_core import synth
    from mmm_core.engine import ModelConfig, sample_nuts

    data, _, _ = load(preset, seed)
    truth = true_contributions(synth.generate(preset, seed))
    config = ModelConfig()
    fit = sample_nuts(data, config, chains=chains, warmup=warmup, draws=draws, seed=seed)
    estimate = fit.predict()["contributions"].mean(axis=0)  # posterior mean [T,G,C]
    per_cell = srmse(estimate, truth)
    d = fit.diagnostics()
    return SrmseResult(
        preset=preset,
        srmse=float(np.nanmean(per_cell)),
        per_channel=dict(zip(data.channels, np.nanmean(per_cell, axis=0).tolist())),
        wall=fit.wall_time,
        max_rhat=d.get("max_rhat", float("nan")),
        min_ess=d["min_ess_bulk"],
        divergences=d.get("divergences", 0),
    )


def _print(results: list[SrmseResult], draws: str) -> None:
    head = f"{'preset (mirrors)':44s} {'ours':>6s} {'pymc-marketing':>15s} {'Meridian':>9s}  NUTS {draws}"
    print("\ncontribution SRMSE, mean over channel x geo (published figures: PyMC Labs, their data)")
    print(head + "\n" + "-" * len(head))
    for r in results:
        pub = PUBLISHED[r.preset]
        print(
            f"{r.preset + ' (' + MIRRORS[r.preset] + ')':44s} {r.srmse:6.2f} {pub['pymc-marketing']:15.2f} "
            f"{pub['Meridian']:9.2f}  {r.wall:.0f} s, R-hat {r.max_rhat:.3f}, min ESS {r.min_ess:.0f}, "
            f"{r.divergences} divergences"
        )
    for r in results:
        print(f"  {r.preset} per channel: " + ", ".join(f"{c} {v:.2f}" for c, v in r.per_channel.items()))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", choices=sorted(PUBLISHED), action="append")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chains", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1000)
    p.add_argument("--draws", type=int, default=1000)
    a = p.parse_args()
    from mmm_core.engine.setup import setup

    setup()  # before JAX starts: one device per chain
    t0 = time.perf_counter()
    results = [run(name, a.seed, a.chains, a.warmup, a.draws) for name in a.preset or sorted(PUBLISHED, reverse=True)]
    _print(results, f"{a.chains} x ({a.warmup} + {a.draws})")
    print(f"\ntotal {time.perf_counter() - t0:.0f} s (loaded shared machine: wall times are indicative)")


if __name__ == "__main__":
    main()
