"""Mediator equations (media → mediator → KPI) as a NumPyro sub-model, and their part of `predict`.

For mediator m (standardised: mediator sd units, see ``ScaledData.mediator``), geo g, period t::

    path[t,g,m] = a[g,m] + carry_m( sum_c b[m,c] * f_c(spend_c)[t,g] )
    mediator[t,g,m] ~ Normal(path[t,g,m], sigma_m)          only on observed cells (``mediator_mask``)
    KPI gains   gamma_m * kpi_sd[g] * M[t,g,m],   M = the observed value where observed, else ``path``

- ``f_c = sat_c(adstock_c(x)) / sat_c(1)``: the *same* adstock and saturation parameters as the channel's
  direct KPI term, normalised so 1.0 = the channel at typical (mean non-zero) spend. One response shape per
  channel, two coefficients: ``beta`` (direct) and ``b`` (into the mediator).
- ``b[m,c]`` is structurally 0 for channels not feeding m; positive sign → LogNormal(median, sigma) prior,
  none → Normal(0, median·e^sigma). ``gamma_m`` ~ Normal(kpi_mean, kpi_sd) in KPI sds per mediator sd,
  truncated at 0 for a positive mediator (default): with b ≥ 0 and gamma ≥ 0 no channel's total effect can
  turn negative through the mediator.
- ``carry_m``: optional AR(1) carry-over of the media-driven part, ``s_t = rho s_{t-1} + (1-rho) x_t``
  (normalised so a constant input keeps its level: ``b`` keeps its meaning); rho = 0 without carry-over.
- Why observed values in the KPI where we have them: the mediator's movement *not* explained by media is
  what separates gamma from the direct effects (with only the mean path, the KPI sees one linear
  combination of the same media curves and the direct/indirect split would rest on the priors alone).
  Between survey points (``sparse``) and for ``latent`` mediators the equation's mean path stands in.
  (Tried: carrying the nearest survey residual into the weeks around it, decayed as an AR(1); on synth
  `mediated_single` it made the KPI effect *less* certain, so it is not used.)
- The intercept ``a`` is derived from a sampled level (mean of the path over observed cells), as in the KPI
  equation: ``a`` and always-on media effects are otherwise strongly anti-correlated.

Counterfactuals (`predict(..., mediator_spend=...)`) hold the observed residuals ``M - path`` fixed (noise
fixed, as in the synthetic truth), so removing a channel changes M exactly by the change of its mean path.
"""

from __future__ import annotations

from statistics import NormalDist

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from mmm_core.engine.config import ModelConfig
from mmm_core.engine.curves import channel_flags, saturated_curves, saturation
from mmm_core.engine.data import ScaledData

HALFNORMAL_MEDIAN = 0.6745  # median of HalfNormal(1)


def feeds(config: ModelConfig, n_channels: int) -> np.ndarray:
    """Static [M,C] bool: channel c feeds mediator m."""
    out = np.zeros((len(config.mediators), n_channels), bool)
    for m, med in enumerate(config.mediators):
        out[m, list(med.channels)] = True
    return out


def normalised_curves(params: dict, spend_lagged, config: ModelConfig) -> jnp.ndarray:
    """f_c [T,G,C] = sat(adstock(spend)) / sat(1): the channel's media curve, 1.0 at typical spend."""

    _, hill = channel_flags(config, spend_lagged.shape[-1])
    sat1 = saturation(1.0, params["hill_slope"], params["sat_half"], hill)
    return saturated_curves(params, spend_lagged, config) / sat1


def carry(x: jnp.ndarray, rho: jnp.ndarray) -> jnp.ndarray:
    """AR(1) smoothing along time of x [T,G,M,...] with rho [M]: s_t = rho s_{t-1} + (1 - rho) x_t, s_-1 = 0."""
    r = rho.reshape(rho.shape + (1,) * (x.ndim - 3))

    def step(s, xt):
        s = r * s + (1.0 - r) * xt
        return s, s

    _, out = jax.lax.scan(step, jnp.zeros_like(x[0]), x)
    return out


def channel_parts(params: dict, curves: jnp.ndarray, config: ModelConfig) -> jnp.ndarray:
    """Media-driven mediator path per channel [T,G,M,C] from curves [T,G,C] (shared) or [M,T,G,C] (per
    mediator: each mediator may see a different spend in a counterfactual)."""
    per_m = curves[:, :, None, :] if curves.ndim == 3 else jnp.moveaxis(curves, 0, 2)
    x = params["med_b"][None, None] * per_m
    if any(m.carryover for m in config.mediators):
        x = carry(x, params["med_rho"])
    return x


def sample_mediator_params(data: ScaledData, config: ModelConfig) -> dict:
    """Sites of the mediator equations; returns ``med_b`` [M,C], ``med_gamma`` [M], ``med_rho`` [M],
    ``med_sigma`` [M] and ``med_level`` [G,M] (mean path over observed cells)."""
    n_t, n_g, n_c = data.spend.shape
    meds = config.mediators
    n_m = len(meds)
    rows, cols = np.nonzero(feeds(config, n_c))
    median = np.array([meds[m].effect_median for m in rows])
    sigma = np.array([meds[m].effect_sigma for m in rows])
    kind = np.array(["none" if meds[m].sign == "none" else meds[m].effect_prior for m in rows])
    b_flat = jnp.zeros(rows.size)
    # Non-centred: unit-scale sites, so NUTS sees the same geometry for every prior scale.
    free = np.flatnonzero(kind != "halfnormal")
    if free.size:
        z = numpyro.sample("med_b_z", dist.Normal(0.0, 1.0).expand([free.size]).to_event(1))
        lognormal = jnp.exp(np.log(median[free]) + sigma[free] * z)
        b_flat = b_flat.at[free].set(
            jnp.where(kind[free] == "lognormal", lognormal, median[free] * np.exp(sigma[free]) * z)
        )
    half = np.flatnonzero(kind == "halfnormal")
    if half.size:  # scale placed so the prior median is the balanced one (HalfNormal median = 0.674 scale)
        h = numpyro.sample("med_b_half", dist.HalfNormal(1.0).expand([half.size]).to_event(1))
        b_flat = b_flat.at[half].set(balanced_median(data, config, rows, cols)[half] / HALFNORMAL_MEDIAN * h)
    b = numpyro.deterministic("med_b", jnp.zeros((n_m, n_c)).at[rows, cols].set(b_flat))
    gamma = numpyro.deterministic("med_gamma", _sample_gamma(meds))
    rho = jnp.zeros(n_m)
    carried = np.array([m.carryover for m in meds])
    if carried.any():
        r = numpyro.sample("med_rho_raw", dist.Beta(2.0, 2.0).expand([int(carried.sum())]).to_event(1))
        rho = rho.at[np.flatnonzero(carried)].set(r)
    rho = numpyro.deterministic("med_rho", rho)
    sig = numpyro.sample("med_sigma", dist.HalfNormal(1.0).expand([n_m]).to_event(1))
    level = numpyro.sample("med_level", dist.Normal(0.0, 1.0).expand([n_g, n_m]).to_event(2))
    return dict(med_b=b, med_gamma=gamma, med_rho=rho, med_sigma=sig, med_level=level)


def balanced_median(data: ScaledData, config: ModelConfig, rows: np.ndarray, cols: np.ndarray) -> jnp.ndarray:
    """Prior median of each (mediator, channel) effect b [len(rows)] under which, a priori, the channel's
    indirect effect at typical spend equals its direct one: b = direct / (n_mediators_fed x median gamma x kpi_sd).

    Why not one median for every channel: the indirect effect at typical spend is gamma x kpi_sd x b whatever
    the channel's size, while its direct prior scales with the channel (``beta_loc``). With one b median a small
    channel's prior indirect effect dwarfs its direct one and a large channel's is negligible, so where the
    survey cannot split the paths the share mediated comes out high for small channels and low for large ones
    (synth `mediated`, seeds 0-2: Print, truly unmediated, 0.55-0.69; TV, 80% mediated, 0.57-0.79). The direct
    prior already carries half of the channel's total (``fit.inputs.DIRECT_PRIOR_SHARE``); this gives the other
    half to the mediator path, so the prior split is even for every channel. Used for the default (half-normal)
    prior; a median the user states is used as stated."""
    direct = jnp.exp(data.beta_loc).mean(axis=0)  # prior median direct effect at typical spend, scaled KPI [C]
    n_fed = feeds(config, data.spend.shape[-1]).sum(axis=0)  # mediators each channel feeds [C]
    gamma_median = np.array([_gamma_median(m) for m in config.mediators])
    return direct[cols] / (n_fed[cols] * gamma_median[rows] * jnp.mean(data.kpi_sd))


def _gamma_median(med) -> float:
    """Median of a mediator's KPI-effect prior: Normal(kpi_mean, kpi_sd), truncated at 0 when positive (of its
    absolute value when unsigned, where only the magnitude scales b)."""
    norm = NormalDist(med.kpi_mean, med.kpi_sd)
    if med.kpi_sign == "positive":
        below = norm.cdf(0.0)
        return float(norm.inv_cdf(below + (1.0 - below) / 2.0))
    return abs(med.kpi_mean) + HALFNORMAL_MEDIAN * med.kpi_sd


def _sample_gamma(meds) -> jnp.ndarray:
    """KPI effects [M]: non-centred Normal(kpi_mean, kpi_sd) for unconstrained mediators, a Normal truncated at 0
    (sampled on its own scale; NumPyro maps it to unconstrained space) for positive ones."""
    mean = np.array([m.kpi_mean for m in meds], np.float32)
    sd = np.array([m.kpi_sd for m in meds], np.float32)
    pos = np.array([m.kpi_sign == "positive" for m in meds])
    gamma = jnp.zeros(len(meds))
    free = np.flatnonzero(~pos)
    if free.size:
        gz = numpyro.sample("med_gamma_z", dist.Normal(0.0, 1.0).expand([free.size]).to_event(1))
        gamma = gamma.at[free].set(mean[free] + sd[free] * gz)
    signed = np.flatnonzero(pos)
    if signed.size:
        g = numpyro.sample("med_gamma_pos", dist.TruncatedNormal(mean[signed], sd[signed], low=0.0).to_event(1))
        gamma = gamma.at[signed].set(g)
    return gamma


def _observed_mean(x: jnp.ndarray, mask: np.ndarray) -> jnp.ndarray:
    """Mean over time of x [T,G,M] on observed cells (all cells for a mediator never observed in a geo)."""
    w = jnp.asarray(mask, x.dtype)
    n = w.sum(axis=0)
    return jnp.where(n > 0, (x * w).sum(axis=0) / jnp.maximum(n, 1.0), x.mean(axis=0))


def mediator_model(params: dict, data: ScaledData, config: ModelConfig) -> jnp.ndarray:
    """Sample the mediator equations, add their likelihood, return the KPI's mediator term [T,G] (scaled KPI).
    Also stores the mediator parameters in ``params`` (``med_a`` derived from the level)."""
    mp = sample_mediator_params(data, config)
    params.update(mp)
    parts = channel_parts(params, normalised_curves(params, data.spend_lagged, config), config)
    media = parts.sum(-1)  # [T,G,M]
    a = numpyro.deterministic("med_a", mp["med_level"] - _observed_mean(media, data.mediator_mask))
    params["med_a"] = a
    path = a[None] + media
    # Batch shape [T,G,M] (no to_event) so the mask drops unobserved survey cells one by one.
    with numpyro.handlers.mask(mask=data.mediator_mask):
        numpyro.sample("mediator", dist.Normal(path, mp["med_sigma"]), obs=data.mediator)
    used = jnp.where(data.mediator_mask, data.mediator, path)
    return jnp.einsum("tgm,m,g->tg", used, mp["med_gamma"], data.kpi_sd)


def mediated_terms(params: dict, data: ScaledData, config: ModelConfig, med_lagged) -> tuple:
    """For `predict` (one draw): per-channel mediated KPI terms [T,G,C] with each mediator seeing its own
    spend ``med_lagged`` [M,L,T,G,C], and the rest of the mediator term [T,G] (intercepts + the observed
    residuals, held fixed) that joins the baseline. Scaled KPI units."""
    coef = params["med_gamma"][None, :] * data.kpi_sd[:, None]  # [G,M] KPI per mediator sd
    fitted = channel_parts(params, normalised_curves(params, data.spend_lagged, config), config)
    path = params["med_a"][None] + fitted.sum(-1)
    resid = jnp.where(data.mediator_mask, data.mediator - path, 0.0)
    curves = jax.vmap(lambda lag: normalised_curves(params, lag, config))(med_lagged)  # [M,T,G,C]
    parts = channel_parts(params, curves, config)
    per_channel = jnp.einsum("tgmc,gm->tgc", parts, coef)
    rest = jnp.einsum("tgm,gm->tg", params["med_a"][None] + resid, coef)
    return per_channel, rest
