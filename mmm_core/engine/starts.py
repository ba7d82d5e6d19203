"""Where NUTS chains start, and their first inverse mass matrix: the Laplace approximation at the mode, or (a
large panel whose mode has flat directions) one floored standard deviation around the mode."""

from __future__ import annotations

import numpy as np

from mmm_core.engine.config import ModelConfig
from mmm_core.engine.kernels import potential
from mmm_core.engine.quick import laplace, unravel

# Above this many latent dimensions the chains start from NumPyro's uniform start: the Hessian costs one gradient per
# dimension and memory that grows with the panel (quick mode's Laplace on the enterprise panel, ~1,800 dimensions,
# peaked at 3.35 GB). Measured up to geo_medium's 129 dimensions (diagonal mass): warm-up CPU 100 -> 24 s.
LAPLACE_START_MAX = 400
# Cap on the Laplace start's variances (unconstrained space, where the priors are about unit scale): a nearly
# flat direction at the mode must not hand the first warm-up window an absurd mass matrix.
LAPLACE_MAX_VARIANCE = 10.0
# The mode start's per-dimension variances (unconstrained space): flat directions get at most the priors' unit
# scale, and no direction is so narrow that the first warm-up window's steps collapse.
MODE_START_VARIANCE = (1e-4, 1.0)


def laplace_start_point(fns: dict, args, config: ModelConfig, chains: int, seed: int, dense: bool):
    """Chain starts drawn from the Laplace approximation at the mode, and its covariance as the initial inverse
    mass matrix; None when the mode has a flat or saddle direction (or a draw has no finite density).

    Why: from NumPyro's default start (uniform in [-2, 2], identity mass matrix) the first warm-up window runs
    until the first mass-matrix update (iteration 100) on parameters whose posterior scales differ by orders of
    magnitude, at ~550 leapfrog steps per iteration against ~20 afterwards: over half of a national fit's
    sampling time. The mode and its Hessian cost 1,500 gradient steps. Warm-up still adapts step size and mass
    matrix as before, so the posterior is the same; the draws differ only by Monte-Carlo noise."""
    lp = laplace(fns, args, config, seed)
    if not np.isfinite(lp.fun):
        return None
    if lp.n_clipped:  # flat directions: a large panel starts near the mode (``mode_start``), a small one uniformly
        return mode_start(fns, args, lp, chains, seed) if lp.x_map.shape[0] > LAPLACE_START_MAX else None
    w, v = np.linalg.eigh(lp.cov_root @ lp.cov_root.T)
    w = np.clip(w, 0.0, LAPLACE_MAX_VARIANCE)
    cov, root = (v * w) @ v.T, v * np.sqrt(w)
    eps = np.random.default_rng(seed).standard_normal((chains, lp.x_map.shape[0]))
    z = unravel((lp.x_map[None, :] + eps @ root.T).astype(np.float32), lp.shapes)
    if not np.isfinite(np.asarray(potential(fns, z, args))).all():
        return None
    return z, (cov if dense else np.diag(cov)).astype(np.float32)


def mode_start(fns: dict, args, lp, chains: int, seed: int):
    """Chains started one floored-Laplace standard deviation around the mode, that diagonal variance (clipped to
    ``MODE_START_VARIANCE``) as the initial inverse mass matrix; None when a start has no finite density.

    For a Laplace start asked for above ``LAPLACE_START_MAX`` dimensions whose mode has flat directions (the
    enterprise panel: ~500 of ~1,800). Measured there, 2 x (1000 + 1000), non-centred geo effects, target_accept
    0.95, one run on a quiet machine: 1,701 s wall (warm-up 1,326 s), 63 leapfrog steps per draw, bulk ESS min /
    median 389 / 3,841, max R-hat 1.012, 7 divergences; from NumPyro's uniform start (target_accept 0.9, loaded
    machine) 2,598 s (warm-up 2,065 s), 579 / 5,134, R-hat 1.012, 12 divergences. Neither converged by our rule."""
    var = np.clip(np.diag(lp.cov_root @ lp.cov_root.T), *MODE_START_VARIANCE)
    eps = np.random.default_rng(seed).standard_normal((chains, lp.x_map.shape[0]))
    z = unravel((lp.x_map[None, :] + eps * np.sqrt(var)).astype(np.float32), lp.shapes)
    if not np.isfinite(np.asarray(potential(fns, z, args))).all():
        return None
    return z, var.astype(np.float32)
