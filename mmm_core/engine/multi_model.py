"""The multi-outcome MMM (issue 22): several KPIs, shared or own media curves, cross-effects, LKJ residuals.

Per outcome k (scaled KPI, mean 1 per geo; sites under the prefix ``o{k}/``), the single-outcome model's own
pieces (``engine.model.sample_params`` / ``media_curves`` / ``baseline_term``) give

    mu_k[t,g] = intercept_k[g] + trend_k + season + controls_k @ gamma_k + sum_c beta_k[g,c] sat(adstock(spend))
                + sum over cross-effects e into k of kappa_e * m_t * D_source[t - lag] * scale_source / scale_k

Shared across outcomes when the config says so (sites without prefix): adstock (``share_adstock``, default on),
saturation (``share_saturation``, default off), the Fourier coefficients of seasonality (``share_seasonality``,
default on; in scaled units, so a shared season moves each outcome by the same share of its mean). Residuals:
per cell a K-variate normal, covariance diag(sigma_k) · LKJ(eta) · diag(sigma_k) (``engine.residuals``).

``predict_multi`` applies the same mean to stored draws in KPI units: each outcome's direct terms through
``engine.model.predict`` (the very code single-outcome fits use), then the cross-effects' routing
(``engine.cross.route``) per channel and per control, so contributions are exact counterfactuals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache, partial

import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.diagnostics import effective_sample_size, split_gelman_rubin
from numpyro.infer import MCMC, NUTS, init_to_median

from mmm_core.engine.cross import cross_params, route, unit_ratios
from mmm_core.engine.mass import resolve_target_accept
from mmm_core.engine.model import (
    PARAM_KEYS,
    adstock_params,
    baseline_term,
    media_curves,
    predict,
    sample_params,
    saturation_params,
)
from mmm_core.engine.outcomes import MultiData, MultiOutcomeConfig, MultiScaled, scale_multi
from mmm_core.engine.residuals import residual_correlation, residual_likelihood
from mmm_core.engine.sampling import DENSE_MASS_MAX, chain_method


def outcome_prefix(k: int) -> str:
    """Site prefix of outcome ``k``'s own parameters (``o0/beta``, ...)."""
    return f"o{k}"


def _shared_params(sd: MultiScaled, config: MultiOutcomeConfig) -> dict:
    """Parameters sampled once for every outcome (no prefix), per the config's sharing flags."""
    base, first = config.base, sd.outcomes[0]
    n_c, n_f = first.spend.shape[2], first.fourier.shape[1]
    shared = {}
    if config.share_adstock:
        shared.update(adstock_params(base, n_c))
    if config.share_saturation:
        shared.update(saturation_params(base, n_c))
    if config.share_seasonality:
        prior = dist.Normal(0.0, base.seasonality_sd).expand([n_f]).to_event(1)
        shared["gamma_fourier"] = (
            numpyro.sample("gamma_fourier", prior) if n_f else numpyro.deterministic("gamma_fourier", jnp.zeros(0))
        )
    return shared


def control_reference(o) -> jnp.ndarray:
    """[G,Kc] the level each control's driven term is measured from, in the outcome's standardised control units:
    the control at 0 where 0 lies within its observed values (a promotion, an event), else its mean (a price).

    Why it matters: the scaled model centres controls, which only moves the level of the outcome's own mean; but a
    cross-effect routes the source's driven part ``kappa * m_t * D``, so D's reference is part of the model. A
    promotion's push on its own product is measured against "no promotion", not against an average week."""
    ref = -o.control_mean / o.control_sd
    lo, hi = jnp.min(o.controls, axis=0), jnp.max(o.controls, axis=0)
    return jnp.where((lo <= ref + 1e-4) & (ref - 1e-4 <= hi), ref, 0.0)


def _masked_mean(x, mask):
    w = mask.astype(x.dtype)
    return jnp.sum(x * w, axis=0) / jnp.maximum(jnp.sum(w, axis=0), 1.0)


def multi_model(sd: MultiScaled, config: MultiOutcomeConfig, observed: bool = True) -> None:
    """NumPyro model of ``config`` on ``sd``; ``observed=False`` samples the KPIs (prior predictive)."""
    shared = _shared_params(sd, config)
    params, media, driven = [], [], []
    for k, o in enumerate(sd.outcomes):
        with numpyro.handlers.scope(prefix=outcome_prefix(k), divider="/"):
            cfg = config.config_for(k, sd.n_controls)
            p = sample_params(o, cfg, shared)
            m = media_curves(p, o.spend_lagged, cfg).sum(-1)
            ctrl = jnp.einsum("tgk,k->tg", o.controls - control_reference(o)[None], p["gamma_control"])
        params.append(p)
        media.append(m)
        driven.append((m + ctrl)[..., None])
    kappa = cross_params(config)
    # A product not on sale moves nothing: its driven part is routed only where it exists (``sd.exists``); its own
    # mean there is never in the likelihood (those cells are unobserved, so outside every pattern group).
    incoming, _ = route(config, kappa, driven, sd.modulators, unit_ratios(sd.kpi_scale), exists=sd.exists)
    mu, sigma = [], []
    for k, (o, p) in enumerate(zip(sd.outcomes, params)):
        # As in the single-outcome model: the sampled level is the mean of the linear predictor; the intercept is
        # derived by subtracting the mean driven term (media and what cross-effects route in) over fitted cells.
        moved = media[k] + incoming[k][..., 0]
        with numpyro.handlers.scope(prefix=outcome_prefix(k), divider="/"):
            p["intercept"] = numpyro.deterministic("intercept", p["level"] - _masked_mean(moved, o.obs_mask))
        mu.append(baseline_term(p, o) + moved)
        sigma.append(p["sigma"])
    chol = residual_correlation(config.n_outcomes, config.lkj_eta)
    kpi = jnp.stack([o.kpi for o in sd.outcomes], axis=-1)
    residual_likelihood(
        jnp.stack(mu, -1), jnp.stack(sigma, -1), kpi, chol, sd.patterns, sd.pattern_t, sd.pattern_g, observed
    )


@dataclass
class MultiFitResult:
    """Draws of a multi-outcome fit. ``draws``: site → [S, ...] (S = chains × draws, chain-major), every sample
    site and deterministic; ``diagnostics``: max_rhat, min_ess (bulk, over latent sites), divergences,
    steps_per_draw, wall_time, chain_method, chains, warmup, draws, seed."""

    draws: dict[str, np.ndarray]
    diagnostics: dict
    scaled: MultiScaled
    config: MultiOutcomeConfig
    data: MultiData | None = None
    # [chain, draw] per-transition sampler statistics the health review reads (diverging, energy: BFMI)
    sampler: dict[str, np.ndarray] | None = None

    def params(self) -> dict[str, np.ndarray]:
        """Every draw, the input of :func:`predict_multi`."""
        return self.draws

    def outcome_params(self, k: int) -> dict[str, np.ndarray]:
        """Outcome ``k``'s natural-scale parameters (PARAM_KEYS) for ``engine.model.predict`` (direct terms)."""
        return outcome_params(self.draws, k)

    def kappa(self) -> np.ndarray:
        """[S, E] cross-effects, target KPI units per source KPI unit."""
        return self.draws["kappa"]


def outcome_params(draws: dict, k: int) -> dict[str, np.ndarray]:
    """PARAM_KEYS of outcome ``k`` from multi-outcome draws: its own site, else the shared one."""
    prefix = outcome_prefix(k) + "/"
    return {key: draws[prefix + key] if prefix + key in draws else draws[key] for key in PARAM_KEYS}


@lru_cache(maxsize=16)
def _bound(config: MultiOutcomeConfig):
    return partial(multi_model, config=config)


def fit_multi(
    data: MultiData | MultiScaled,
    config: MultiOutcomeConfig,
    *,
    chains: int = 2,
    warmup: int = 1000,
    draws: int = 1000,
    seed: int = 0,
    target_accept: float | None = None,
    dense_mass: bool | None = None,
) -> MultiFitResult:
    """Sample the posterior with NUTS (NumPyro's MCMC, chains ``parallel`` when JAX has a device per chain).

    Chains start at the prior medians of the unit-scale sites; ``dense_mass`` (default: at most
    ``sampling.DENSE_MASS_MAX`` latent dimensions) adapts a full mass matrix, as single-outcome fits do."""
    t0 = time.perf_counter()
    sd = data if isinstance(data, MultiScaled) else scale_multi(data, config)
    model = _bound(config)
    latent = _latent_sites(model, sd)
    if dense_mass is None:
        dense_mass = sum(latent.values()) <= DENSE_MASS_MAX
    target = resolve_target_accept(target_accept)
    kernel = NUTS(model, target_accept_prob=target, init_strategy=init_to_median, dense_mass=dense_mass)
    method = chain_method(chains)
    mcmc = MCMC(
        kernel, num_warmup=warmup, num_samples=draws, num_chains=chains, chain_method=method, progress_bar=False
    )
    mcmc.run(jax.random.PRNGKey(seed), sd, extra_fields=("num_steps", "diverging", "energy"))
    grouped = {k: np.asarray(v) for k, v in mcmc.get_samples(group_by_chain=True).items()}
    extra = mcmc.get_extra_fields(group_by_chain=True)
    diagnostics = _diagnostics(grouped, extra, latent=set(latent))
    diagnostics.update(
        wall_time=time.perf_counter() - t0,
        chain_method=method,
        chains=chains,
        warmup=warmup,
        draws=draws,
        seed=seed,
        dense_mass=dense_mass,
    )
    flat = {k: v.reshape((chains * draws,) + v.shape[2:]) for k, v in grouped.items()}
    sampler = {name: np.asarray(extra[name]) for name in ("diverging", "energy")}
    return MultiFitResult(flat, diagnostics, sd, config, data if isinstance(data, MultiData) else None, sampler)


def _latent_sites(model, sd: MultiScaled) -> dict[str, int]:
    tr = numpyro.handlers.trace(numpyro.handlers.seed(model, 0)).get_trace(sd)
    return {
        name: int(np.size(site["value"]))
        for name, site in tr.items()
        if site["type"] == "sample" and not site["is_observed"]
    }


def _diagnostics(grouped: dict, extra: dict, latent: set[str]) -> dict:
    """Max split R-hat and min bulk ESS over the latent sites, divergences, leapfrog steps per draw."""
    rhat, ess = [], []
    for name in latent:
        x = grouped[name].reshape(grouped[name].shape[:2] + (-1,))
        x = x[..., x.std(axis=(0, 1)) > 0]  # constant elements (a Cholesky factor's fixed zeros and one) say nothing
        if not x.shape[-1]:
            continue
        if x.shape[0] > 1 and x.shape[1] > 3:
            rhat.append(np.nanmax(split_gelman_rubin(x)))
        ess.append(np.nanmin(effective_sample_size(x)))
    return dict(
        max_rhat=float(max(rhat)) if rhat else float("nan"),
        min_ess=float(min(ess)) if ess else float("nan"),
        divergences=int(np.asarray(extra["diverging"]).sum()),
        steps_per_draw=float(np.asarray(extra["num_steps"]).mean()),
    )


def predict_multi(
    params: dict,
    data: MultiScaled,
    config: MultiOutcomeConfig,
    spend_override=None,
    modulator_override=None,
) -> dict[str, np.ndarray]:
    """Means and contributions of every outcome in KPI units, for every draw (``MultiFitResult.params()``).

    ``spend_override`` [T,G,C] raw spend; ``modulator_override`` [T,G,P] raw modulator values. Returns ``mu``
    [S,T,G,K]; ``direct`` [S,T,G,C,K] each channel's own term; ``contributions`` [S,T,G,C,K] = direct + what
    it moves through cross-effects (the counterfactual of removing the channel's spend); ``control_contributions``
    [S,T,G,Kc,K] likewise per control, measured from :func:`control_reference` (0 where it does not enter);
    ``cross`` [S,E,T,G] each cross-effect's term on its target; ``baseline`` [S,T,G,K] = mu - contributions
    summed over channels. Every output of outcome k is 0 where it does not exist (``MultiScaled.exists``: not
    sold in that geo, or before its launch), so totals over the grid count real sales only."""
    n_ctrl = data.n_controls
    mods = np.asarray(data.modulators if modulator_override is None else modulator_override, float)
    exists = np.asarray(data.exists, float)
    mu_direct, chans, ctrls = [], [], []
    for k, o in enumerate(data.outcomes):
        cfg = config.config_for(k, n_ctrl)
        p = outcome_params(params, k)
        res = predict(p, o, cfg, spend_override=spend_override)
        x = np.asarray(o.controls) - np.asarray(control_reference(o))[None]
        own = np.einsum("tgj,sj->stgj", x, np.asarray(p["gamma_control"]))
        ctrl = np.zeros(own.shape[:3] + (n_ctrl,))
        ctrl[..., list(config.controls_of(k, n_ctrl))] = own * np.asarray(o.kpi_scale)[None, None, :, None]
        on = exists[..., k]
        mu_direct.append(res["mu"] * on)
        chans.append(res["contributions"] * on[..., None])
        ctrls.append(ctrl * on[..., None])
    kappa = np.asarray(params["kappa"], float)
    totals = [c.sum(-1, keepdims=True) + q.sum(-1, keepdims=True) for c, q in zip(chans, ctrls)]
    into, terms = route(config, kappa, totals, mods, xp=np, exists=exists)
    chan_in, _ = route(config, kappa, chans, mods, xp=np, exists=exists)
    ctrl_in, _ = route(config, kappa, ctrls, mods, xp=np, exists=exists)
    mu = np.stack([m + i[..., 0] for m, i in zip(mu_direct, into)], axis=-1)
    contributions = np.stack([c + i for c, i in zip(chans, chan_in)], axis=-1)
    n_s, n_t, n_g = mu.shape[:3]
    cross = np.stack([t[..., 0] for t in terms], axis=1) if terms else np.zeros((n_s, 0, n_t, n_g))
    return dict(
        mu=mu,
        direct=np.stack(chans, axis=-1),
        contributions=contributions,
        control_contributions=np.stack([c + i for c, i in zip(ctrls, ctrl_in)], axis=-1),
        cross=cross,
        baseline=mu - contributions.sum(axis=3),
    )


__all__ = [
    "MultiFitResult",
    "control_reference",
    "fit_multi",
    "multi_model",
    "outcome_params",
    "outcome_prefix",
    "predict_multi",
]
