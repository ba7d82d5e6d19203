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
