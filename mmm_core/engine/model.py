"""The MMM as a plain NumPyro model function, and `predict`: the same mean function applied to stored draws.

Scaled-KPI mean (additive; multiplicative uses it as the log of the mean):

    mu[t,g] = intercept[g] + trend[t,g] + fourier[t] @ gamma_fourier + controls[t,g] @ gamma_control
              + sum_c beta[g,c] * sat_c(adstock_c(spend[t,g,c]))

A national regressor (``config.national``) reads the national series in every geo (``spend[t,g,c]`` is then the
same for all g) and has one ``beta[c]`` for all geos.

Speed comes from geometry: hierarchies are non-centred (the geo media effects may be sampled centred where that
mixes better: ``config.geo_effects``, ``engine.centring``), media coefficients are log-normal around a prior
median placed by the data scaling (``ScaledData.beta_loc``), saturation half-points live in units of mean
spend with a prior near the observed range. Above all, the sampled media coefficient is the *effect at the
channel's typical spend* (``media_effect = beta * sat(1)``, 1 = mean non-zero spend), which the data pin
down directly; the ceiling ``beta = media_effect / sat(1)`` is derived. Sampling the ceiling instead makes
beta and the half-point trade off along a curved ridge (a large half-point with a huge ceiling fits the same
data), which costs NUTS long trajectories and divergences. Likewise the level, the trend slopes and the
seasonality are sampled as totals of the linear predictor, the baseline's own derived by subtracting the media
term's mean / projection (``engine.axes``): a trending or seasonal channel no longer trades off against them.
"""

from __future__ import annotations

from functools import lru_cache, partial

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from mmm_core.engine import transforms as tf
from mmm_core.engine.axes import media_axes
from mmm_core.engine.config import ModelConfig
from mmm_core.engine.controls import control_params
from mmm_core.engine.curves import channel_flags, saturated_curves, saturation
from mmm_core.engine.data import ScaledData, scaled_spend
from mmm_core.engine.experiments import experiment_likelihood
from mmm_core.engine.mediation import mediated_terms, mediator_model
from mmm_core.engine.trend import trend_increments

# Keys of the natural-scale parameters `predict` reads (each with a leading draw axis there).
PARAM_KEYS = (
    "intercept",
    "trend_slope",
    "trend_delta",
    "gamma_fourier",
    "gamma_control",
    "beta",
    "adstock_alpha",
    "adstock_theta",
    "sat_half",
    "hill_slope",
    "sigma",
)
# Natural-scale mediator parameters (only in models with mediators; see engine.mediation).
MEDIATOR_KEYS = ("med_a", "med_b", "med_gamma", "med_rho", "med_sigma")
# Quantiles of HalfNormal(1) and the standard normal's 99th percentile: `geo_spread_prior` keeps the half-normal's.
_HALFNORMAL_MEDIAN, _HALFNORMAL_Q99, _Z99 = 0.6744898, 2.5758293, 2.3263479
# Parameters a multi-outcome model may share across outcomes (engine.multi_model): passed in via ``shared``.
ADSTOCK_KEYS = ("adstock_alpha", "adstock_theta")
SATURATION_KEYS = ("sat_half", "hill_slope")


def _geo_effect(name: str, loc, scale: float, n_geos: int):
    """A per-geo baseline coefficient [G] (intercept, trend), independent across geos.

    Why no hierarchy here: with the KPI scaled per geo these are near-identical across geos *and* each geo's
    own weeks pin its value down precisely. A non-centred hierarchy on strongly identified groups creates the
    correlation it is meant to remove (z_g moves with tau), which cost ~360 leapfrog steps per draw on
    8 geos x 156 weeks; independent priors cost nothing. Pooling is applied where it matters: media effects.
    """
    if n_geos == 1:
        return jnp.broadcast_to(numpyro.sample(name + "_mu", dist.Normal(loc, scale)), (1,))
    return numpyro.sample(name + "_geo", dist.Normal(loc, scale).expand([n_geos]).to_event(1))


def _channel_array(config: ModelConfig, name: str, n_channels: int) -> np.ndarray:
    return np.array(config.per_channel(name, n_channels), dtype=float)


def _media_params(data: ScaledData, config: ModelConfig, shared: dict | None = None) -> dict:
    """Sample media effects [G,C], adstock and saturation parameters [C] on interpretable scales.

    ``shared`` (multi-outcome models, ``engine.multi_model``): adstock (ADSTOCK_KEYS) and/or saturation
    (SATURATION_KEYS) parameters already sampled once for several outcomes; those present are used instead of
    sampling this outcome's own. Sites are sampled in the same order as always (effects, adstock, saturation)."""
    shared = shared or {}
    n_c = data.spend.shape[2]
    effect = _media_effects(data, config)
    adstock = {k: shared[k] for k in ADSTOCK_KEYS} if "adstock_alpha" in shared else adstock_params(config, n_c)
    sat = {k: shared[k] for k in SATURATION_KEYS} if "sat_half" in shared else saturation_params(config, n_c)
    _, hill = channel_flags(config, n_c)
    satur = saturation(1.0, sat["hill_slope"], sat["sat_half"], hill)
    beta = numpyro.deterministic("beta", effect / satur[None, :])
    return dict(beta=beta, **adstock, **sat)


def _media_effects(data: ScaledData, config: ModelConfig):
    """Media effect at typical spend (x = 1) [G,C], a share of mean KPI: log-normal, pooled across geos."""
    n_t, n_g, n_c = data.spend.shape
    z_c = numpyro.sample("beta_z", dist.Normal(0.0, 1.0).expand([n_c]).to_event(1))
    beta_sd = _channel_array(config, "beta_log_sd", n_c)
    log_beta = data.beta_loc + beta_sd * z_c[None, :]
    # A national regressor has one coefficient for every geo: it keeps the shared log_beta under any pooling.
    geo_level = ~np.array(config.per_channel("national", n_c), bool)[None, :]
    if n_g > 1 and config.pooling == "partial":
        tau = numpyro.sample("beta_tau", geo_spread_prior(config.geo_sd))
        if config.geo_effects == "centred" and geo_level.any():
            return jnp.exp(_centred_geo_effects(jnp.broadcast_to(log_beta, (n_g, n_c)), tau, geo_level[0]))
        z_gc = numpyro.sample("beta_geo_z", dist.Normal(0.0, 1.0).expand([n_g, n_c]).to_event(2))
        log_beta = log_beta + tau * z_gc * geo_level
    elif n_g > 1 and config.pooling == "none":
        z_gc = numpyro.sample("beta_geo_z", dist.Normal(0.0, 1.0).expand([n_g, n_c]).to_event(2))
        log_beta = jnp.where(geo_level, data.beta_loc + beta_sd * z_gc, log_beta)
    return jnp.exp(log_beta)


def _centred_geo_effects(log_beta, tau, geo_level: np.ndarray):
    """Log media effects [G,C] with each geo-level channel's geo deviations sampled centred: ``beta_geo_log``
    [G, geo-level channels] ~ Normal(log beta_c, tau) — the same model as the non-centred ``beta_geo_z``.

    Why both forms: where the data pin each geo x channel cell down (posterior sd well below tau, PyMC Labs'
    medium_business) the non-centred z_gc must move with tau and the chain crawls (at 2 x (1000 + 1000): 62 leapfrog
    steps per draw and min bulk ESS 3.3 per 1,000 gradients, against 30 and 21.8 centred); where the data say little
    (geo_medium: each cell's posterior sd ~ tau) the centred form has the funnel (seed 0: 106 steps and 0.28, against
    30 and 24.0). ``beta_geo_z`` is recorded as a deterministic (0 for national channels, which have no deviation
    here) so the draws read the same whichever form was sampled."""
    idx = np.flatnonzero(geo_level)
    loc = log_beta[:, idx]
    log_geo = numpyro.sample("beta_geo_log", dist.Normal(loc, tau).to_event(2))
    z = jnp.zeros(log_beta.shape).at[:, idx].set((log_geo - loc) / tau)
    numpyro.deterministic("beta_geo_z", z)
    return log_beta.at[:, idx].set(log_geo)


def geo_spread_prior(geo_sd: float) -> dist.Distribution:
    """Prior of ``beta_tau``, the between-geo spread of log media effects: log-normal with HalfNormal(geo_sd)'s
    median and 99th percentile (``geo_sd`` = 0.3: median 0.20, 98% between 0.05 and 0.77).

    Why not the half-normal itself: its density stays positive at 0, so when the data say little about each
    geo's deviation (geo_medium: each cell's posterior spread equals tau's) the non-centred deviations stop
    mattering as tau -> 0 and the chain wanders down a funnel — the log of tau had a heavy left tail (skew -1.8,
    kurtosis 6.7) and the worst ESS per gradient of the model. A zero-avoiding prior for a hierarchical scale
    (Chung et al. 2013) removes that tail: min ESS per 1,000 gradients 6.2 -> 19.5 (seed 0) and 12.2 -> 24.0
    (seed 1) at 2 x (300 + 300). The cost: it rules out a spread below ~5% — geo effects equal to within a few
    percent then come out a few percent apart, well inside their posterior spread."""
    return dist.LogNormal(np.log(geo_sd * _HALFNORMAL_MEDIAN), np.log(_HALFNORMAL_Q99 / _HALFNORMAL_MEDIAN) / _Z99)


def adstock_params(config: ModelConfig, n_c: int) -> dict:
    """Sample the adstock parameters [C]: decay ``adstock_alpha`` and peak lag ``adstock_theta``."""
    delayed, _ = channel_flags(config, n_c)
    # Decay rate on the logit scale, centred on the half-life prior median: logit(alpha) is linear in log alpha
    # near 0, where a log-half-life parameter would be exponential (sharp curvature → divergences).
    # Geometric w_l = alpha^l halves after h periods when alpha = 0.5^(1/h); delayed w_l = alpha^((l - theta)^2)
    # halves h periods after its peak when alpha = 0.5^(1/h^2) (the spec's definition): exponent 1 or 2.
    power = np.where(delayed, 2.0, 1.0)
    alpha0 = 0.5 ** (1.0 / _channel_array(config, "half_life", n_c) ** power)
    # Delta method: d log(half-life) / d logit(alpha) = (1 - alpha) / (power * -log(alpha)) at the prior median.
    logit_sd = _channel_array(config, "half_life_log_sd", n_c) * power * -np.log(alpha0) / (1.0 - alpha0)
    z_a = numpyro.sample("adstock_z", dist.Normal(0.0, 1.0).expand([n_c]).to_event(1))
    alpha = numpyro.deterministic("adstock_alpha", jax.nn.sigmoid(np.log(alpha0 / (1 - alpha0)) + logit_sd * z_a))
    numpyro.deterministic("half_life", (np.log(0.5) / jnp.log(alpha)) ** (1.0 / power))
    theta = jnp.zeros(n_c)
    if delayed.any():
        d0 = _channel_array(config, "delay", n_c)[delayed]
        d_sd = _channel_array(config, "delay_sd", n_c)[delayed]
        d = numpyro.sample("delay", dist.TruncatedNormal(d0, d_sd, low=0.0, high=config.l_max - 1.0).to_event(1))
        theta = theta.at[np.flatnonzero(delayed)].set(d)
    theta = numpyro.deterministic("adstock_theta", theta)
    return dict(adstock_alpha=alpha, adstock_theta=theta)


def saturation_params(config: ModelConfig, n_c: int) -> dict:
    """Sample the saturation parameters [C]: half-point ``sat_half`` (mean spend units) and ``hill_slope``."""
    _, hill = channel_flags(config, n_c)
    k0 = np.log(_channel_array(config, "half_point", n_c))
    sat_half = numpyro.sample(
        "sat_half", dist.LogNormal(k0, _channel_array(config, "half_point_log_sd", n_c)).to_event(1)
    )
    slope = jnp.ones(n_c)
    if hill.any():
        s0 = np.log(_channel_array(config, "hill_slope", n_c))[hill]
        s_sd = _channel_array(config, "hill_slope_log_sd", n_c)[hill]
        s = numpyro.sample("hill_slope_raw", dist.LogNormal(s0, s_sd).to_event(1))
        slope = slope.at[np.flatnonzero(hill)].set(s)
    slope = numpyro.deterministic("hill_slope", slope)
    return dict(sat_half=sat_half, hill_slope=slope)


def _seasonality(data: ScaledData, config: ModelConfig, shared: dict):
    n_f = data.fourier.shape[1]
    if "gamma_fourier" in shared:
        return shared["gamma_fourier"]
    if not n_f:
        return numpyro.deterministic("gamma_fourier", jnp.zeros(0))
    return numpyro.sample("gamma_fourier", dist.Normal(0.0, config.seasonality_sd).expand([n_f]).to_event(1))


def sample_params(data: ScaledData, config: ModelConfig, shared: dict | None = None, total_axes: bool = False) -> dict:
    """All sample sites of the model; returns the natural-scale parameters (PARAM_KEYS except ``intercept``,
    which `mmm_model` derives from ``level``) plus ``level``: the mean scaled KPI (or log KPI) per geo.

    ``shared`` (multi-outcome models only): parameters sampled once for several outcomes — ``gamma_fourier``
    and/or the keys of ``_media_params``'s ``shared`` — used instead of this outcome's own sites."""
    shared = shared or {}
    n_t, n_g, n_c = data.spend.shape
    # The KPI is scaled to mean 1 over observed cells, so the level is known to within a few percent.
    level = _geo_effect("level", 1.0 if config.likelihood == "additive" else 0.0, 0.3, n_g)
    slope, gamma_f = jnp.zeros(n_g), jnp.zeros(data.fourier.shape[1])
    if not total_axes:  # else `mmm_model` samples trend and seasonality once the media term is known
        if config.trend != "none":
            slope = _geo_effect("trend", 0.0, config.trend_sd, n_g)
        slope = numpyro.deterministic("trend_slope", slope)
        gamma_f = _seasonality(data, config, shared)
    delta = trend_increments(data.changepoint_basis.shape[1], config)  # kinks or a local level (engine.trend)
    sigma = numpyro.sample("sigma", dist.HalfNormal(config.noise_sd).expand([n_g]).to_event(1))
    return dict(
        level=level,
        trend_slope=slope,
        trend_delta=delta,
        gamma_fourier=gamma_f,
        gamma_control=control_params(data, config, sigma),  # plain or selection priors: engine.controls
        sigma=sigma,
        **_media_params(data, config, shared),
    )


def media_curves(params: dict, spend_lagged, config: ModelConfig) -> jnp.ndarray:
    """Per-channel media terms [T,G,C] on the scaled KPI: beta * sat(adstock(spend)). One draw of params."""
    return params["beta"][None] * saturated_curves(params, spend_lagged, config)


def baseline_term(params: dict, data: ScaledData) -> jnp.ndarray:
    """Non-media part of the scaled mean [T,G]: intercept, trend, seasonality, controls. One draw."""
    t = data.t - 0.5  # centred so the intercept and the slope are nearly uncorrelated
    trend = params["trend_slope"][None, :] * t[:, None] + (data.changepoint_basis @ params["trend_delta"])[:, None]
    season = (data.fourier @ params["gamma_fourier"])[:, None]
    controls = jnp.einsum("tgk,k->tg", data.controls, params["gamma_control"])
    return params["intercept"][None, :] + trend + season + controls


def mmm_model(data: ScaledData, config: ModelConfig, kpi_obs=None) -> None:
    """NumPyro model. ``kpi_obs`` [T,G] on the scaled KPI (``data.kpi``); None samples the prior predictive.

    Cells outside ``data.obs_mask`` (unobserved in a ragged panel, or held out) do not enter the likelihood.
    """
    params = sample_params(data, config, total_axes=True)
    curves = media_curves(params, data.spend_lagged, config)  # [T,G,C]
    media = curves.sum(-1)  # [T,G]
    if config.mediators:  # media → mediator → KPI: sites, mediator likelihood, and the KPI's mediator term
        media = media + mediator_model(params, data, config)
    _baseline_from_totals(params, media, data, config)  # trend and seasonality on the totals' axes
    # Sample the level (mean of the linear predictor) and derive the intercept by subtracting the mean media
    # term over fitted cells: intercept and media effects are otherwise strongly anti-correlated (always-on
    # channels look like baseline), which is the main cause of long NUTS trajectories. Same model, better axes.
    w = data.obs_mask.astype(media.dtype)
    media_mean = jnp.sum(media * w, axis=0) / jnp.maximum(jnp.sum(w, axis=0), 1.0)
    params["intercept"] = numpyro.deterministic("intercept", params["level"] - media_mean)
    eta = baseline_term(params, data) + media
    sigma = params["sigma"][None, :]
    if config.likelihood == "multiplicative":
        noise = dist.LogNormal(eta, sigma)
    elif config.noise == "student_t":
        noise = dist.StudentT(config.student_t_df, eta, sigma)
    else:
        noise = dist.Normal(eta, sigma)
    # Batch shape [T,G] (no to_event) so the mask zeroes the log-density cell by cell.
    with numpyro.handlers.mask(mask=data.obs_mask):
        numpyro.sample("kpi", noise, obs=kpi_obs)
    # Lift tests: the model's own counterfactual of each test against its measurement (engine.experiments).
    experiment_likelihood(params, data, config, curves, eta, observed=kpi_obs is not None)


def _baseline_from_totals(params: dict, media, data: ScaledData, config: ModelConfig) -> None:
    """Sample the trend slopes and the seasonality as *totals* of the linear predictor (baseline + the media
    term's projection on those axes, ``engine.axes``) and derive the baseline's own, recorded as ``trend_slope`` /
    ``gamma_fourier``. Each total's prior is the baseline prior shifted by the media's projection, so the
    baseline coefficients keep exactly their priors (Normal(0, trend_sd), Normal(0, seasonality_sd)) and the
    shift has unit Jacobian: the same model, on axes the data pin down directly."""
    n_g, n_f = data.spend.shape[1], data.fourier.shape[1]
    w = data.obs_mask.astype(media.dtype)
    m_slope, m_season = media_axes(media, jnp.asarray(data.t, media.dtype), jnp.asarray(data.fourier, media.dtype), w)
    slope = jnp.zeros(n_g)
    if config.trend != "none":
        prior = dist.Normal(m_slope, config.trend_sd)
        total = (
            jnp.broadcast_to(numpyro.sample("trend_total_mu", dist.Normal(m_slope[0], config.trend_sd)), (1,))
            if n_g == 1
            else numpyro.sample("trend_total_geo", prior.to_event(1))
        )
        slope = total - m_slope
    params["trend_slope"] = numpyro.deterministic("trend_slope", slope)
    season = jnp.zeros(0)
    if n_f:
        season = numpyro.sample("fourier_total", dist.Normal(m_season, config.seasonality_sd).to_event(1)) - m_season
    params["gamma_fourier"] = numpyro.deterministic("gamma_fourier", season)


@lru_cache(maxsize=64)
def bound_model(config: ModelConfig):
    """``mmm_model`` with ``config`` fixed: a function of (data, kpi_obs) only, as NumPyro kernels want."""

    def model(data: ScaledData, kpi_obs=None) -> None:
        mmm_model(data, config, kpi_obs)

    return model


def _predict_one(params: dict, data: ScaledData, config: ModelConfig, spend_lagged, med_lagged=None) -> dict:
    base = baseline_term(params, data)
    media = media_curves(params, spend_lagged, config)
    if config.mediators:  # per-channel terms gain their mediated parts; the mediator intercepts join the baseline
        med_channel, med_base = mediated_terms(params, data, config, med_lagged)
        media, base = media + med_channel, base + med_base
    scale = data.kpi_scale[None, :]
    if config.likelihood == "additive":
        return dict(mu=(base + media.sum(-1)) * scale, contributions=media * scale[..., None], baseline=base * scale)
    eta = base + media.sum(-1)
    mu = jnp.exp(eta)
    # Multiplicative: a channel's contribution is the KPI lost when that channel alone is removed.
    contrib = mu[..., None] - jnp.exp(eta[..., None] - media)
    return dict(mu=mu * scale, contributions=contrib * scale[..., None], baseline=jnp.exp(base) * scale)


def predict_one(params: dict, data: ScaledData, config: ModelConfig, spend_lagged) -> dict:
    """``predict`` for one draw inside a traced function (``mu`` [T,G], ``contributions`` [T,G,C], ``baseline``
    [T,G], KPI units); every mediator sees ``spend_lagged``."""
    return _predict_one(params, data, config, spend_lagged, _same_spend_per_mediator(spend_lagged, config))


def _same_spend_per_mediator(lagged, config: ModelConfig):
    """The lag tensor each mediator sees when no path has its own spend: the direct path's, once per mediator
    ([M,L,T,G,C]); None without mediators."""
    return jnp.broadcast_to(lagged, (len(config.mediators),) + lagged.shape) if config.mediators else None


@partial(jax.jit, static_argnames=("config",))
def _predict_batch(params: dict, data: ScaledData, config: ModelConfig, spend_lagged, med_lagged=None) -> dict:
    return jax.vmap(lambda p: _predict_one(p, data, config, spend_lagged, med_lagged))(params)


def _lagged(spend, data: ScaledData, config: ModelConfig):
    """Raw spend [...,T,G,C] → lag tensor in the model's units ([L,T,G,C], or [M,L,T,G,C] per mediator)."""
    national = np.array(config.per_channel("national", data.spend.shape[-1]), bool)
    scaled = scaled_spend(spend, np.asarray(data.spend_scale, float), national).astype(np.float32)
    if scaled.ndim == 4:
        return jnp.stack([tf.lag_tensor(jnp.asarray(x), data.spend_lagged.shape[0]) for x in scaled])
    return tf.lag_tensor(jnp.asarray(scaled), data.spend_lagged.shape[0])


def predict(
    params: dict, data: ScaledData, config: ModelConfig, spend_override=None, draw_batch: int = 256, mediator_spend=None
) -> dict[str, np.ndarray]:
    """Mean KPI, per-channel media contributions and baseline, in KPI units, for every draw.

    ``params``: arrays with a leading draw axis S, keys PARAM_KEYS (``FitResult.params()`` gives them).
    ``spend_override``: raw spend [T,G,C] in spend units (e.g. one channel set to 0, or scaled by 1.01)
    replacing the fitted spend. Returns ``mu`` [S,T,G], ``contributions`` [S,T,G,C], ``baseline`` [S,T,G].
    In the additive model ``mu = baseline + contributions.sum(-1)`` exactly. Draws are processed in fixed
    batches (padded) so any S reuses one compiled kernel and memory stays bounded.

    With mediators, ``mediator_spend`` [M,T,G,C] is the raw spend each mediator's equation sees (default: the
    spend of the direct path, ``spend_override`` or the observed one): switching a channel off on one path
    only gives direct and indirect effects (``engine.mediation``).
    """
    keys = PARAM_KEYS + (MEDIATOR_KEYS if config.mediators else ())
    p = {k: jnp.asarray(params[k]) for k in keys}
    lagged = jnp.asarray(data.spend_lagged) if spend_override is None else _lagged(spend_override, data, config)
    if config.mediators and mediator_spend is not None:
        med_lagged = _lagged(mediator_spend, data, config)
    else:
        med_lagged = _same_spend_per_mediator(lagged, config)
    n = p["beta"].shape[0]
    batch = min(draw_batch, n)
    out: dict[str, list] = {"mu": [], "contributions": [], "baseline": []}
    for start in range(0, n, batch):
        chunk = {k: v[start : start + batch] for k, v in p.items()}
        m = chunk["beta"].shape[0]
        if m < batch:  # pad the last batch so the compiled shape never changes
            chunk = {k: jnp.concatenate([v, jnp.repeat(v[-1:], batch - m, axis=0)]) for k, v in chunk.items()}
        res = _predict_batch(chunk, data, config, lagged, med_lagged)
        for k in out:
            out[k].append(np.asarray(res[k][:m]))
    return {k: np.concatenate(v) for k, v in out.items()}
