"""The :class:`~mmm_core.optimizer.response.Response` of a multi-outcome fit: the weighted sum over outcomes of the
media-driven KPI over the horizon, cross-effects included.

Per outcome k the media terms are the single-outcome response's (``response._posterior_fn``: carry-over of recent
spend plus the flat plan through the outcome's adstock, its saturation and betas), in outcome k's KPI units. They
are then routed through the cross-effects exactly as the model routes them (``engine.cross.route``, topological
order, lag and modulator): a channel's part on outcome j is its direct term there plus ``kappa · m_t · lag(its part
on the source)``. So a channel whose spend drives multipack, which cannibalises single-pack, is worth its
multipack gain minus the single-pack units it takes, each weighted — the optimizer, the decision rule and every
what-if see the net. The objective is ``Σ_k weight_k · KPI_k`` (weights from the spec's outcomes block).

Horizon semantics beyond the single-outcome ones: a modulator (e.g. a promotion flag) is held at its mean over the
recent window in each geo (the promotion running as often as lately); a lag-1 cross-effect's first horizon period
reads the source's last observed period (recent spend's media only: the plan has not started then). Routed terms
of controls do not depend on the plan and stay in the baseline. An outcome exists over the horizon in a geo iff it
exists in the last period of the data there (``MultiData.planning_exists``): a product not sold there, or not yet
launched, gains nothing from the plan and routes nothing to the others.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mmm_core.engine.cross import route
from mmm_core.engine.curves import channel_flags, saturation
from mmm_core.engine.multi_model import outcome_params
from mmm_core.optimizer.allowance import data_causes
from mmm_core.optimizer.outcomes import OutcomeView
from mmm_core.optimizer.response import (
    SPEND_FLOOR,
    Response,
    adstock_parts,
    cell_layout,
    posterior_response,
    recent_level,
    recent_window,
    spend_variation,
)


def _outcome_parts(amounts, args, static):
    """[S, C, K]: each channel's media-driven KPI over the horizon on each outcome (own KPI units, routed terms
    included). The first modelled period is the last observed one (for lag-1 effects) and is not counted."""
    config, periods, n_controls = static
    n_g, n_c = args["spend_scale"].shape
    plan = (args["embed"] @ amounts).reshape(n_g, n_c) / periods / args["spend_scale"]
    media = []
    for k in range(config.n_outcomes):
        a = k if args["x0"].shape[0] > 1 else 0  # one adstock for all outcomes when it is shared
        x = args["x0"][a] + args["u"][a][:, :, None, :] * plan[None, None] + SPEND_FLOOR
        hill = channel_flags(config.config_for(k, n_controls), n_c)[1]
        sat = saturation(x, args["hill_slope"][:, k, None, None, :], args["sat_half"][:, k, None, None, :], hill)
        on = args["exists"][None, None, :, k, None]  # not planned where the product is not on sale now
        media.append(args["beta"][:, k, None] * sat * args["kpi_scale"][None, None, :, k, None] * on)  # [S,N+1,G,C]
    incoming, _ = route(config, args["kappa"], media, args["modulators"], xp=jnp, exists=args["exists"])
    return jnp.stack([(m + i)[:, 1:].sum(axis=(1, 2)) for m, i in zip(media, incoming)], axis=-1)


def _weighted_fn(amounts, args, static):
    """The objective's response: ``(total [S], per_channel [S, C])`` of the weighted sum over outcomes."""
    per = _outcome_parts(amounts, args, static) @ args["weights"]
    return per.sum(-1), per


def response_of(post, periods: int = 13, geo_split: str = "recent", max_draws: int = 1000) -> Response:
    """The planning response of any fitted posterior: a multi-outcome one's weighted sum (this module), else
    ``response.posterior_response``."""
    if hasattr(post, "multi_config"):
        return multi_posterior_response(post, periods, geo_split, max_draws)
    return posterior_response(post, periods, geo_split, max_draws)


def multi_posterior_response(post, periods: int = 13, geo_split: str = "recent", max_draws: int = 1000) -> Response:
    """The :class:`Response` of a :class:`~mmm_core.engine.multi_posterior.MultiPosterior` (thinned to
    ``max_draws``), with its :class:`OutcomeView` for the per-outcome breakdown."""
    post = post.thin(max_draws)
    data, config = post.multi_data, post.multi_config
    spend = np.asarray(data.spend, float)
    window = recent_window(spend, min(periods, spend.shape[0]))
    layout = cell_layout(window, spend, data.channels, data.geos, geo_split == "optimize")
    baseline_recent = post.predict()["baseline"][:, -window.shape[0] :].mean(axis=1)  # [S, G] weighted KPI
    args = _args(post, spend, window.shape[0], int(periods), layout["embed"])
    mods = ", ".join(data.modulator_names)
    notes = (
        "Non-media KPI projected flat at its mean over the last %d periods (no trend/seasonality "
        "extrapolation)." % window.shape[0],
        post.objective()["description"] + "; cross-effects included (a channel's effect on one outcome moves the "
        "others through them).",
    ) + ((f"Modulators of cross-effects ({mods}) held at their mean over the same periods.",) if mods else ())
    view = OutcomeView(post.outcomes, tuple(float(w) for w in post.weights), _outcome_parts, post.objective())
    return Response(
        _weighted_fn,
        (config, int(periods), post.scaled.n_controls),
        args,
        tuple(data.channels),
        layout["cells"],
        layout["cell_channel"],
        layout["cell_share"],
        recent_level(spend, periods),
        layout["cell_range"],
        int(periods),
        post.n_draws,
        baseline_recent.sum(axis=1) * periods,
        post.approximate,
        post.label,
        notes,
        spend_variation(spend),
        data_causes(post),
        view,
    )


def _args(post, spend: np.ndarray, n_window: int, periods: int, embed: np.ndarray) -> dict:
    """The response's arrays: per-outcome curve parameters [S, K, ...], carry-over parts (one set when adstock is
    shared), kappa, the modulators over the last observed period and the horizon, scales and weights."""
    config, sd = post.multi_config, post.scaled
    n_ctrl = sd.n_controls
    params = [outcome_params(post.params, k) for k in range(config.n_outcomes)]
    first = sd.outcomes[0]
    recent_scaled = recent_window(spend, config.base.l_max) / np.asarray(first.spend_scale, float)[None]
    owners = range(1 if config.share_adstock else config.n_outcomes)
    parts = [
        adstock_parts(params[k], recent_scaled, config.config_for(k, n_ctrl), periods, periods + 1) for k in owners
    ]
    mods = np.asarray(post.multi_data.modulators, float)
    horizon = np.broadcast_to(mods[-n_window:].mean(axis=0), (periods,) + mods.shape[1:])
    stack = lambda key: jnp.asarray(np.stack([np.asarray(p[key]) for p in params], axis=1), jnp.float32)  # noqa: E731
    return {
        "beta": stack("beta"),  # [S, K, G, C]
        "sat_half": stack("sat_half"),  # [S, K, C]
        "hill_slope": stack("hill_slope"),
        "x0": jnp.asarray(np.stack([p[0] for p in parts])),  # [A, S, N + 1, G, C]
        "u": jnp.asarray(np.stack([p[1] for p in parts])),  # [A, S, N + 1, C]
        "kappa": jnp.asarray(post.params["kappa"], jnp.float32),  # [S, E]
        "modulators": jnp.asarray(np.concatenate([mods[-1:], horizon]), jnp.float32),  # [N + 1, G, P]
        "embed": jnp.asarray(embed, jnp.float32),
        "spend_scale": jnp.asarray(first.spend_scale, jnp.float32),
        "kpi_scale": jnp.asarray(sd.kpi_scale, jnp.float32),  # [G, K]
        "exists": jnp.asarray(post.multi_data.planning_exists(), jnp.float32),  # [G, K]
        "weights": jnp.asarray(post.weights, jnp.float32),
    }


__all__ = ["multi_posterior_response", "response_of"]
