"""The synthetic generator's *true* response to a spend plan, as a :class:`Response` with one draw.

Used to check the optimizer against a known optimum and to score a fitted model's recommendation by what it
would really deliver. It follows the generator's maths (``synth_dgp``: normalised adstock weights per
channel, Hill or logistic saturation with K in spend units per geo, direct ``beta`` plus the mediated path
``gamma * b_c``) and the optimizer's planning semantics (``optimizer_response``: recent spend, then the plan
flat over the horizon; KPI counted over the horizon only).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mmm_core.engine import transforms as tf
from mmm_core.optimizer.response import Response, cell_layout, flat_path, recent_window, spend_variation
from mmm_core.synth.dgp import World
from mmm_core.synth.multi import MultiWorld, components


def _truth_fn(amounts, args, static):
    logistic, periods = static
    path = flat_path(args["recent"], args["embed"], amounts, periods)  # spend units, [L + N, G, C]
    n_l = args["weights"].shape[1]
    lagged = tf.lag_tensor(path, n_l)  # [L, T', G, C]
    x = jnp.einsum("ltgc,cl->tgc", lagged, args["weights"])[-periods:]
    k = args["k"][None]
    sat = jnp.where(
        jnp.asarray(logistic), tf.logistic_saturation(x, tf.LN3 / k), tf.hill_saturation(x, args["slope"], k)
    )
    per = jnp.einsum("tgc,gc->c", sat, args["coef"])[None]  # [1, C]
    return per.sum(-1), per


def truth_response(world: World, periods: int = 13, geo_split: str = "recent") -> Response:
    """The true media KPI over the next ``periods`` periods of ``world`` for any plan (S = 1)."""
    spend = world.spend.transpose(1, 0, 2)  # generator [G, T, C] -> engine layout [T, G, C]
    geos = tuple(g or "national" for g in world.geos)
    window = recent_window(spend, min(periods, spend.shape[0]))
    layout = cell_layout(window, spend, tuple(world.channel_names), geos, geo_split == "optimize")
    chans = world.preset.channels
    coef = world.beta + world.gamma[:, None] * world.med_b[None, :]  # direct + mediated KPI per unit of sat
    args = {
        "recent": jnp.asarray(recent_window(spend, world.weights.shape[1]), jnp.float32),
        "embed": jnp.asarray(layout["embed"], jnp.float32),
        "weights": jnp.asarray(world.weights, jnp.float32),
        "k": jnp.asarray(world.k, jnp.float32),
        "slope": jnp.asarray([c.slope for c in chans], jnp.float32),
        "coef": jnp.asarray(coef, jnp.float32),
    }
    logistic = tuple(c.saturation == "logistic" for c in chans)
    return Response(
        _truth_fn,
        (logistic, int(periods)),
        args,
        tuple(world.channel_names),
        layout["cells"],
        layout["cell_channel"],
        layout["cell_share"],
        window.sum(axis=1).mean(axis=0),
        layout["cell_range"],
        int(periods),
        1,
        None,
        False,
        "ground truth (synthetic generator)",
        (),
        spend_variation(spend),
    )


def true_media_kpi(world: World, channel_amounts: dict[str, float], periods: int = 13) -> float:
    """True horizon media KPI of a plan given as channel totals (recent geo split)."""
    resp = truth_response(world, periods)
    amounts = np.array([float(channel_amounts.get(c, 0.0)) for c in resp.channels])
    return float(resp.evaluate(resp.to_cells(amounts))[0][0])


def true_multi_media_kpi(
    world: MultiWorld, channel_amounts: dict[str, float], periods: int = 13, weights: np.ndarray | None = None
) -> float:
    """True weighted media-driven KPI over the next ``periods`` periods of a multi-outcome world, for a plan given as
    channel totals (recent geo split, flat per period), with the response's semantics
    (``optimizer.multi_response``): carry-over of recent spend included, cross-effects routed (the generator's own
    ``synth.multi.components``), controls and modulators held at their mean over the recent window. Media-driven:
    the media terms plus what cross-effects route of them (the routed total minus its value without any spend).
    ``weights`` [K]: the objective's (default 1 each)."""
    spend = world.spend.transpose(1, 0, 2)  # [T, G, C]
    n_t, n_g, n_c = spend.shape
    names = tuple(world.channel_names)
    window = recent_window(spend, min(periods, n_t))
    layout = cell_layout(window, spend, names, tuple(world.geos), False)
    amounts = np.array([float(channel_amounts.get(c, 0.0)) for c in names])
    plan = (layout["embed"] @ amounts).reshape(n_g, n_c) / periods
    path = np.concatenate([world.spend, np.broadcast_to(plan[:, None], (n_g, periods, n_c))], axis=1)  # [G, T', C]
    recent_controls = world.controls[:, -window.shape[0] :].mean(axis=1, keepdims=True)
    controls = np.concatenate([world.controls, np.repeat(recent_controls, periods, axis=1)], axis=1)
    with_media, without = components(world, path, controls), components(world, np.zeros_like(path), controls)
    media = with_media["media"].sum(axis=2) + with_media["routed"] - without["routed"]  # [G, T', K]
    w = np.ones(media.shape[2]) if weights is None else np.asarray(weights, float)
    return float(media[:, n_t:].sum(axis=(0, 1)) @ w)
