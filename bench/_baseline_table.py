"""Ours against the fair pymc-marketing baselines (``_pymc_labs``) of one run: min and median bulk ESS/s, whether each
side converged, and the ratios. ESS is counted over every scalar of each model's free parameters, as measured:
poor mixing shows in the min. A side converged when max R-hat <= 1.01 and at most 1% of its draws diverged (the
criterion issue 20 sets for ours, applied to both)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from _pymc_labs import BaselineFit, ess_rhat, fit_baseline, labs_target_accept

MAX_RHAT = 1.01
MAX_DIVERGENT_SHARE = 0.01


@dataclass(frozen=True)
class Side:
    name: str
    draws: str
    n_draws: int
    wall: float
    min_ess: float
    median_ess: float
    max_rhat: float
    divergences: int
    steps_per_draw: float
    target_accept: float
    roi: np.ndarray  # posterior mean per channel

    @property
    def converged(self) -> bool:
        return self.max_rhat <= MAX_RHAT and 0 <= self.divergences <= MAX_DIVERGENT_SHARE * self.n_draws


def ours_side(fit, free: list[str], roi_draws: np.ndarray) -> Side:
    min_ess, med_ess, rhat = ess_rhat({k: fit.samples[k] for k in free})
    d = fit.diagnostics(free)
    roi = roi_draws.reshape(-1, roi_draws.shape[-1]).mean(0)
    return Side(
        "mmm-agent NumPyro NUTS",
        f"{fit.chains}x({fit.warmup}+{fit.draws})",
        fit.chains * fit.draws,
        fit.wall_time,
        min_ess,
        med_ess,
        rhat,
        d.get("divergences", 0),
        fit.extra["mean_tree_steps"],
        fit.extra["target_accept"],
        roi,
    )


def baseline_side(b: BaselineFit, chains: int, draws: int, target_accept: float) -> Side:
    roi = b.roi.reshape(-1, b.roi.shape[-1]).mean(0)
    return Side(
        b.name,
        b.draws,
        chains * draws,
        b.wall,
        b.min_ess,
        b.median_ess,
        b.max_rhat,
        b.divergences,
        b.steps_per_draw,
        target_accept,
        roi,
    )


def run_baselines(data, config, a) -> list[Side]:
    """Every ``--baseline VARIANT:SAMPLER`` of the command line, in order, with the run's chains and draws."""
    sides, ta = [], labs_target_accept(a.target_accept)
    for spec in a.baseline:
        variant, _, sampler = spec.partition(":")
        b = fit_baseline(data, config, variant, sampler, a.chains, a.warmup, a.draws, a.seed, ta)
        print(f"  {b.name}: {b.wall:.1f} s", flush=True)
        sides.append(baseline_side(b, a.chains, a.draws, ta))
    return sides


def print_baseline(ours: Side, baselines: list[Side], roi_true: dict, channels: list[str]) -> None:
    sides = [ours, *baselines]
    head = (
        f"{'engine':36s} {'draws':>12s} {'wall s':>7s} {'minESS':>7s} {'medESS':>7s} {'min/s':>6s} {'med/s':>6s} "
        f"{'R-hat':>6s} {'div':>4s} {'steps':>5s} {'accept':>6s}  converged"
    )
    print("\nfair geo baseline (ESS over every scalar of each model's free parameters; wall includes compiling)")
    print(head + "\n" + "-" * len(head))
    for s in sides:
        print(
            f"{s.name:36s} {s.draws:>12s} {s.wall:7.1f} {s.min_ess:7.0f} {s.median_ess:7.0f} {s.min_ess / s.wall:6.2f} "
            f"{s.median_ess / s.wall:6.2f} {s.max_rhat:6.3f} {s.divergences:4d} {s.steps_per_draw:5.1f} "
            f"{s.target_accept:6.2f}  "
            f"{'yes' if s.converged else 'NO'}"
        )
    for b in baselines:
        verdict = "" if b.converged else f" — {b.name} did NOT converge: its ESS describes draws that are not usable"
        print(
            f"ours / {b.name}: median ESS/s x{(ours.median_ess / ours.wall) / (b.median_ess / b.wall):.1f}, "
            f"min ESS/s x{(ours.min_ess / ours.wall) / (b.min_ess / b.wall):.1f}, "
            f"wall x{b.wall / ours.wall:.1f}{verdict}"
        )
    if not ours.converged:
        print("NOTE: ours did not converge at these draws (max R-hat > 1.01 or > 1% divergent): ratios are not valid.")
    print(
        "posterior mean ROI vs truth: "
        + "; ".join(
            f"{c} {roi_true[c]:.2f}: " + "/".join(f"{s.roi[i]:.2f}" for s in sides) for i, c in enumerate(channels)
        )
    )
