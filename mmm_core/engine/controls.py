"""Priors of the control coefficients ``gamma_control`` [K]: the effect of one control sd as a share of mean KPI.

Controls outside any selection (every control, unless the config carries a ``ControlSelectionConfig``) get the
plain prior: Normal(0, ``control_sd``), or a half-normal times the sign where the spec constrains the sign. The
sites of that case are the ones fits always had, so a model without selection is numerically unchanged.

Selected controls (the spec allows only *precision* controls: those that move the KPI but not media spend) get a
sparsity prior, each in coordinates where NUTS sees latent variables of about unit scale:

- ``horseshoe`` (regularized, Piironen & Vehtari 2017): gamma_k | scales ~ N(0, s_k²), s_k = tau · lambda~_k with
  lambda~_k² = c² lambda_k² / (c² + tau² lambda_k²); tau ~ HalfCauchy(tau0 · sigma), tau0 = p0 / (D - p0) / sqrt(n)
  (p0 expected non-zero of D selected, n observed cells, sigma the model's noise sd); lambda_k ~ HalfCauchy(1);
  c² ~ InvGamma(df/2, df·s²/2). Each half-Cauchy is a · sqrt(b) with a ~ HalfNormal(1), b ~ InvGamma(1/2, 1/2).
  Shrinkage factor kappa_k = 1 / (1 + n · s_k² / sigma²) (the controls are standardised); inclusion = 1 - kappa:
  with an orthogonal design the posterior mean of gamma_k is (1 - kappa_k) times its least-squares estimate, so
  1 - kappa is the share of the data's estimate the prior lets through, and its sum is P&V's m_eff.
  Coordinates: gamma_k = s_k · sqrt(kappa_k) · w_k with w_k ~ N(0, 1/sqrt(kappa_k)) — the same law, gamma_k | s_k ~
  N(0, s_k²). s_k · sqrt(kappa_k) = 1 / sqrt(1/s_k² + n/sigma²) is about s_k for a control the prior shrinks (so w
  is the usual non-centred z) and about sigma / sqrt(n), the coefficient's standard error, for one the data pin
  (so w is centred: it stays put while tau and lambda_k move). The plain non-centred form (gamma = s · z,
  z ~ N(0, 1)) is right for the nulls but bends the pinned controls onto the ridge z = gamma / s: on
  ``sparse_controls`` (2 × 500 draws, dense mass) it gave 15 and 291 divergences (seeds 0 and 1) at 102 and 66
  leapfrog steps per draw (seed 1: one chain stuck, min bulk ESS of gamma 7; a diagonal mass matrix: 9 at 116
  steps); these coordinates 0 divergences on seeds 0-2 at 38-48 steps per draw, min bulk ESS 666-717 (15-17 per
  1,000 gradients, against 0.1 and 4). A partially non-centred parameterisation in the sense of Papaspiliopoulos,
  Roberts & Sköld (2007), weighted by kappa itself. Tried and not kept: half-t(3) local scales (5 divergences at
  64 steps on seed 1, but 7 nulls kept instead of 1). Both runs at target_accept 0.9: no higher target needed.
- ``spike_slab``: gamma_k ~ p·N(0, slab²) + (1 - p)·N(0, spike²) (continuous, so NUTS can move between them);
  per draw, inclusion = P(slab | gamma_k), whose posterior mean is the posterior inclusion probability. The slab
  scale is fixed: on ``sparse_controls`` it sampled with 0-1 divergences at 16-32 steps per draw; a learned slab
  (negligible + HalfNormal(slab)) lowered bulk ESS to 90 and R-hat rose to 1.03 on seed 1, not kept.
- ``lasso`` (Bayesian LASSO, Park & Casella 2008): gamma_k = b · sqrt(2 e_k) · z_k, e_k ~ Exp(1), z_k ~ N(0, 1)
  — exactly Laplace(0, b) but smooth at 0; b ~ HalfNormal(slab). Inclusion per draw = |gamma_k| > negligible.

A sign-constrained selected control uses a half-normal z times its sign, and the half-normal mixture for the
spike-and-slab. The per-draw ``control_inclusion`` [K] (1 for unselected controls) is recorded only when a
selection is configured; ``mmm_core.answers.controls`` summarises it.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from mmm_core.engine.config import ControlSelectionConfig, ModelConfig
from mmm_core.engine.data import ScaledData

INCLUSION_SITE = "control_inclusion"
# Scales and scale-mixture auxiliaries of a selection prior: hyperparameters, not coefficients the data must
# identify, so the pre-fit gate's parameter count (``fit.prior_check.n_parameters``) leaves them out — a
# horseshoe over 20 controls adds 20 coefficients, not 63 parameters.
HYPER = {"hyperparameter": True}


def control_params(data: ScaledData, config: ModelConfig, sigma) -> jnp.ndarray:
    """gamma_control [K]. ``sigma`` [G]: the residual sd (scaled KPI), the horseshoe's reference scale."""
    n_k = data.controls.shape[2]
    signs = np.array(data.control_sign or (0,) * n_k, int)
    sel = config.control_selection
    selected = np.array(sel.selected if sel else (), int)
    plain = np.setdiff1d(np.arange(n_k), selected)
    gamma = _plain(jnp.zeros(n_k), signs, plain, config.control_sd)
    if sel is None:
        return numpyro.deterministic("gamma_control", gamma)
    n_obs = jnp.sum(data.obs_mask.astype(jnp.float32))
    sel_signs = signs[selected]
    g_sel, inc_sel = SELECTORS[sel.method](sel, sel_signs, jnp.mean(sigma), n_obs)
    gamma = gamma.at[selected].set(g_sel)
    numpyro.deterministic(INCLUSION_SITE, jnp.ones(n_k).at[selected].set(inc_sel))
    return numpyro.deterministic("gamma_control", gamma)


def _plain(gamma, signs: np.ndarray, idx: np.ndarray, sd: float):
    """The prior every control had before selection existed (same site names, same order)."""
    free, signed = idx[signs[idx] == 0], idx[signs[idx] != 0]
    if free.size:
        g = numpyro.sample("gamma_control_free", dist.Normal(0.0, sd).expand([free.size]).to_event(1))
        gamma = gamma.at[free].set(g)
    if signed.size:
        g = numpyro.sample("gamma_control_pos", dist.HalfNormal(sd).expand([signed.size]).to_event(1))
        gamma = gamma.at[signed].set(g * signs[signed])
    return gamma


def _unit(name: str, signs: np.ndarray, sd=1.0):
    """Normal(0, sd) per selected control; half-normal times the sign where the sign is constrained (not |z|,
    which would give NUTS two mirror modes to cross). ``sd``: a scalar or one per selected control."""
    free, signed = np.flatnonzero(signs == 0), np.flatnonzero(signs != 0)
    sd = jnp.broadcast_to(sd, (signs.size,))
    z = jnp.zeros(signs.size)
    if free.size:
        z = z.at[free].set(numpyro.sample(name, dist.Normal(0.0, sd[free]).to_event(1)))
    if signed.size:
        pos = numpyro.sample(name + "_pos", dist.HalfNormal(sd[signed]).to_event(1))
        z = z.at[signed].set(pos * signs[signed])
    return z


def _half_cauchy(name: str, shape: tuple[int, ...]):
    """HalfCauchy(1) as a · sqrt(b), a ~ HalfNormal(1), b ~ InvGamma(1/2, 1/2) (same law, no Cauchy funnel)."""
    a = numpyro.sample(name + "_a", dist.HalfNormal(1.0).expand(shape).to_event(len(shape)), infer=HYPER)
    b = numpyro.sample(name + "_b", dist.InverseGamma(0.5, 0.5).expand(shape).to_event(len(shape)), infer=HYPER)
    return a * jnp.sqrt(b)


def _horseshoe(sel: ControlSelectionConfig, signs: np.ndarray, sigma, n_obs):
    d = signs.size
    tau0 = sel.expected_nonzero / (d - sel.expected_nonzero) / jnp.sqrt(n_obs)
    tau = numpyro.deterministic("control_tau", tau0 * sigma * _half_cauchy("control_tau", ()))
    lam = _half_cauchy("control_lambda", (d,))
    c2 = sel.slab_scale**2 * numpyro.sample(
        "control_slab", dist.InverseGamma(sel.slab_df / 2, sel.slab_df / 2), infer=HYPER
    )
    prior_var = tau**2 * c2 * lam**2 / (c2 + tau**2 * lam**2)  # tau² lambda~²: gamma_k | scales ~ N(0, this)
    kappa = 1.0 / (1.0 + n_obs * prior_var / sigma**2)
    # Shrinkage-scaled coordinates (module docstring): gamma = sqrt(prior_var · kappa) · w, w ~ N(0, 1/sqrt(kappa)).
    gamma = jnp.sqrt(prior_var * kappa) * _unit("control_w", signs, 1.0 / jnp.sqrt(kappa))
    return gamma, 1.0 - kappa


def _spike_slab(sel: ControlSelectionConfig, signs: np.ndarray, sigma, n_obs):
    p, scales = sel.prior_inclusion, jnp.array([sel.negligible, sel.slab_scale])
    mix = dist.Categorical(probs=jnp.array([1.0 - p, p]))
    free, signed = np.flatnonzero(signs == 0), np.flatnonzero(signs != 0)
    gamma = jnp.zeros(signs.size)
    if free.size:
        comp = dist.Normal(jnp.zeros(2), scales)
        g = numpyro.sample("control_ss_free", dist.MixtureSameFamily(mix, comp).expand([free.size]).to_event(1))
        gamma = gamma.at[free].set(g)
    if signed.size:
        comp = dist.HalfNormal(scales)
        g = numpyro.sample("control_ss_pos", dist.MixtureSameFamily(mix, comp).expand([signed.size]).to_event(1))
        gamma = gamma.at[signed].set(g * signs[signed])
    # P(slab | gamma) per draw: the same for a half-normal mixture (both halves double the density equally).
    slab = p * jnp.exp(dist.Normal(0.0, sel.slab_scale).log_prob(gamma))
    spike = (1.0 - p) * jnp.exp(dist.Normal(0.0, sel.negligible).log_prob(gamma))
    return gamma, slab / (slab + spike)


def _lasso(sel: ControlSelectionConfig, signs: np.ndarray, sigma, n_obs):
    b = numpyro.sample("control_lasso_scale", dist.HalfNormal(sel.slab_scale), infer=HYPER)
    e = numpyro.sample("control_lasso_mix", dist.Exponential(1.0).expand([signs.size]).to_event(1), infer=HYPER)
    gamma = b * jnp.sqrt(2.0 * e) * _unit("control_z", signs)
    return gamma, (jnp.abs(gamma) > sel.negligible).astype(jnp.float32)


SELECTORS = {"horseshoe": _horseshoe, "spike_slab": _spike_slab, "lasso": _lasso}

__all__ = ["INCLUSION_SITE", "SELECTORS", "control_params"]
