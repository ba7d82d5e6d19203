"""Cross-effects between outcomes: their priors, and the routing of a source's driven KPI into its target.

A cross-effect e adds to its target's mean ``kappa_e * m_t * D_source[t - lag]``: D is the source's *driven* part
(media terms, control terms and whatever flows into the source through other cross-effects — everything but
level, trend and seasonality), kappa is in target KPI units per source KPI unit, m_t the modulator's raw value
(1 without one). The routing is linear in D, so a channel's (or a control's) counterfactual contribution to an
outcome is its direct term there plus ``kappa * m_t * lag(its contribution to the source)`` summed over the
effects, applied in topological order (``MultiOutcomeConfig.order``); the same function routes the model's
totals (scaled units, inside NumPyro) and ``predict_multi``'s per-channel terms (KPI units, NumPy).

Priors: cannibalisation kappa = -HalfNormal(prior_scale), halo +HalfNormal, spillover Normal(0, prior_scale).
Identification (why intervals can be wide): when the same channels drive source and target directly, kappa
through media is collinear with the target's own media effects; kappa is pinned mainly by what moves the source
alone — a modulator (a promotion on the source) or a control entering the source only.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist

from mmm_core.engine.outcomes import CrossEffectConfig, MultiOutcomeConfig

KAPPA_SITE = "kappa"


def cross_params(config: MultiOutcomeConfig):
    """Sample every cross-effect's kappa; returns [E] (also recorded as the deterministic site ``kappa``)."""
    values = [_kappa(i, e) for i, e in enumerate(config.cross_effects)]
    return numpyro.deterministic(KAPPA_SITE, jnp.stack(values) if values else jnp.zeros(0))


def _kappa(i: int, e: CrossEffectConfig):
    if e.kind == "spillover":
        return numpyro.sample(f"cross{i}", dist.Normal(0.0, e.prior_scale))
    size = numpyro.sample(f"cross{i}_size", dist.HalfNormal(e.prior_scale))
    return -size if e.kind == "cannibalisation" else size


def lagged(x, lag: int, xp=jnp):
    """``x`` [..., T, G, X] shifted ``lag`` periods later along T (0 before the first period)."""
    if lag == 0:
        return x
    pad = xp.zeros_like(x[..., :lag, :, :])
    return xp.concatenate([pad, x[..., :-lag, :, :]], axis=-3)


def modulator_values(e: CrossEffectConfig, modulators, xp=jnp):
    """m_t [T,G] of cross-effect ``e``: the modulator's raw values (``modulators`` [T,G,P]), or ones."""
    if e.modulator is None:
        return xp.ones(modulators.shape[:2], dtype=modulators.dtype)
    return modulators[..., e.modulator]


def route(config: MultiOutcomeConfig, kappa, driven: list, modulators, unit_ratio=None, xp=jnp, exists=None):
    """Apply every cross-effect to ``driven`` (one array per outcome, [..., T, G, X]) in topological order.

    Returns (incoming, terms): per outcome what is routed into it (shape of its driven part), and per effect its
    term [..., T, G, X] in target units. ``kappa`` [..., E]: its leading draw axes match ``driven``'s. The
    trailing axis X (1 for totals, channels or controls) is routed independently — so per-channel routing sums
    to the routed total. ``unit_ratio`` [G, K, K] converts source to target units (the scaled model:
    ``unit_ratios(kpi_scale)``); None in KPI units. ``exists`` [T, G, K] (``MultiScaled.exists``; None = every
    outcome everywhere): a source routes nothing where it is not on sale (its driven part there is not sales),
    and a target receives nothing where it is not."""
    incoming = [xp.zeros_like(d) for d in driven]
    terms: dict[int, object] = {}
    for i in config.order():
        e = config.cross_effects[i]
        k = kappa[..., i].reshape(kappa.shape[:-1] + (1, 1, 1))
        m = modulator_values(e, modulators, xp)[..., None]
        ratio = 1.0 if unit_ratio is None else unit_ratio[:, e.source, e.target][:, None]
        source = driven[e.source] + incoming[e.source]
        if exists is not None:
            source = source * exists[..., e.source, None]
            m = m * exists[..., e.target, None]
        terms[i] = k * m * ratio * lagged(source, e.lag, xp)
        incoming[e.target] = incoming[e.target] + terms[i]
    return incoming, [terms[i] for i in range(len(config.cross_effects))]


def unit_ratios(kpi_scale: np.ndarray) -> np.ndarray:
    """[G, K, K] scaled source units → scaled target units: kpi_scale[g, src] / kpi_scale[g, tgt]."""
    return kpi_scale[:, :, None] / kpi_scale[:, None, :]


__all__ = ["KAPPA_SITE", "cross_params", "lagged", "modulator_values", "route", "unit_ratios"]
