"""A dense mass matrix for mid-sized posteriors, estimated from draws once a diagonal one has mixed.

Why: on geo panels (geo_medium: 129 latent dimensions) the posterior keeps linear correlations a diagonal mass
matrix cannot absorb — a channel's effect, Hill slope and half-point move together (correlation -0.7), condition
number ~26 — and NUTS under a diagonal mass then takes depth-5 trees (30 leapfrog steps per draw on geo_medium seed
0). NumPyro's dense adaptation fixes the geometry but not its own warm-up: its early windows estimate 129 x 129
covariances from 25-100 draws, and iterations 100-450 ran at the tree-depth limit (~1,000 steps each).

So the warm-up is staged (``staged_schedule``): a diagonal warm-up, then draws at that fixed diagonal mass, then a
short step-size-only warm-up with the dense mass those draws give, and the sampling at that dense mass. A sample
covariance of ~1,000 draws in 129 dimensions is itself ill-conditioned by noise (Marchenko-Pastur: eigenvalues of a
sample correlation of iid draws spread over (1 ± sqrt(p/n))^2): used raw, 2 x 250 draws gave 28.8 steps per draw
(2 x 500: 15.3), and Ledoit-Wolf shrinkage to the identity (intensity 0.42) 31.0, shrinking the real ridges with the
noise. ``denoised_covariance`` keeps only the correlation's eigenvalues outside that
noise band (the few real ridges) and sets the rest to 1: the classic eigenvalue clipping of random-matrix theory
(Laloux et al. 1999), with the band of iid draws. Autocorrelated draws have a wider band, so some noise
directions survive (~30 of 129 eigenvalues just outside it on geo_medium): harmless, a ±20% error in the variance
of a direction. Wider bands were measured worse: with n the ESS of the squared deviations (~400 of 1,000) or the
slowest coordinate's ESS, the narrow directions that limit the step size (geo_medium seed 0: eigenvalues 0.08 and
0.21) fell inside the band and were lost — 29 steps per draw, as with no dense stage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Shares of the warm-up: the diagonal warm-up, the draws the dense mass is estimated from, and the dense mass's
# step-size warm-up (what stays, 0.15). Draws: enough for p/n <= 1/4 at the geo sizes the staging is used for.
DIAGONAL_SHARE, DRAWS_SHARE = 0.35, 0.5
# NUTS target acceptance of a staged fit (and of any fit that sets none: DEFAULT_TARGET_ACCEPT). Why lower for the
# staged ones: at 0.9, with a mass close to the posterior covariance, the step size sits at the edge where 15 leapfrog
# steps no longer reach the U-turn (a depth-4 tree): geo_medium seed 0 with the covariance of 2,000 sampling draws as
# its mass took 15.0 steps per draw at step size 0.236, with the staged estimate 19.9 — some trees one doubling
# deeper. At 0.85 the step is ~10% longer: 2 x (1000 + 1000), 0.9 -> 0.85, over geo_medium seeds 0-5 and PyMC Labs'
# medium_business, steps per draw 19.9/15.0/15.1/22.8/22.4/16.6/15.0 -> 15.0 on all but seed 4 (22.4 -> 20.6), min
# bulk ESS per 1,000 whole-fit gradients better on 6 of 7 (mean 11.4 -> 13.1), 0 divergences in all 14 runs.
STAGED_TARGET_ACCEPT, DEFAULT_TARGET_ACCEPT = 0.85, 0.9
# Draws over both chains per latent dimension below which the staging is not used (noise band too wide to keep
# anything but the diagonal: (1 + sqrt(1/4))^2 = 2.25 at this bound).
MIN_DRAWS_PER_DIM = 4


def resolve_target_accept(asked: float | None, staged: bool = False) -> float:
    """NUTS target acceptance: the one asked for, else the engine's (STAGED_TARGET_ACCEPT for a staged warm-up)."""
    if asked is not None:
        return asked
    return STAGED_TARGET_ACCEPT if staged else DEFAULT_TARGET_ACCEPT


@dataclass(frozen=True)
class StagedSchedule:
    """Iterations of each stage (each a multiple of the chunk): diagonal warm-up, draws at the diagonal mass (for
    the dense estimate), dense step-size warm-up; they add up to the fit's warm-up."""

    diagonal: int
    estimate: int
    dense: int


def staged_schedule(warmup: int, chunk: int) -> StagedSchedule:
    """The warm-up split into the three stages, each a whole number of chunks (``chunk`` divides ``warmup``)."""
    n = warmup // chunk
    diagonal = max(1, round(DIAGONAL_SHARE * n))
    estimate = max(1, round(DRAWS_SHARE * n))
    dense = n - diagonal - estimate
    if dense < 1:
        raise ValueError(f"warm-up of {warmup} iterations in chunks of {chunk} is too short to stage")
    return StagedSchedule(diagonal * chunk, estimate * chunk, dense * chunk)


def wants_staging(n_latent: int, chains: int, warmup: int, low: int, high: int) -> bool:
    """Stage the warm-up (diagonal, then dense from draws) for ``low < n_latent <= high`` latent dimensions when
    the draws of the estimate stage number at least MIN_DRAWS_PER_DIM per dimension."""
    draws = chains * DRAWS_SHARE * warmup
    return low < n_latent <= high and draws >= MIN_DRAWS_PER_DIM * n_latent


@dataclass(frozen=True)
class DenseEstimate:
    """The inverse mass matrix [D,D] and what went into it: draws pooled, the noise band's edges, and the
    correlation eigenvalues kept outside it."""

    covariance: np.ndarray
    draws: int
    band: tuple[float, float]
    kept: tuple[float, ...]

    def record(self) -> dict:
        return dict(
            draws=self.draws,
            noise_band=[round(float(b), 3) for b in self.band],
            kept_eigenvalues=[round(v, 3) for v in self.kept],
        )


def denoised_covariance(draws: np.ndarray) -> DenseEstimate:
    """Covariance [D,D] of ``draws`` [chains, n, D] (pooled within chains) with the correlation's noise removed.

    Each chain is centred on its own mean (a between-chain offset is not posterior spread). The correlation's
    eigenvalues inside the Marchenko-Pastur band of p = D, n = chains x n iid draws are set to 1, those outside
    kept; the result is rescaled to unit diagonal and to each coordinate's sample variance."""
    chains, n, d = draws.shape
    x = (draws - draws.mean(axis=1, keepdims=True)).reshape(chains * n, d)
    sd = x.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    gamma = d / (chains * n)
    band = ((1 - np.sqrt(gamma)) ** 2 if gamma < 1 else 0.0, (1 + np.sqrt(gamma)) ** 2)
    lam, vec = np.linalg.eigh(np.corrcoef(x.T) if d > 1 else np.ones((1, 1)))
    outside = (lam < band[0]) | (lam > band[1])
    clean = (vec * np.where(outside, lam, 1.0)) @ vec.T
    unit = np.sqrt(np.diag(clean))
    corr = clean / np.outer(unit, unit)
    return DenseEstimate(corr * np.outer(sd, sd), chains * n, band, tuple(np.sort(lam[outside]).tolist()))
