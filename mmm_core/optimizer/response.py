"""Response functions: "horizon KPI from media, per posterior draw, as a function of a spend plan".

The optimizer core never sees a model; it sees a :class:`Response`. ``fn(amounts, args, static)`` is a pure,
jittable JAX function of the plan ``amounts`` [J] (one amount per *cell*: a channel, or a geo × channel pair
when geos are optimised; totals over the horizon, in spend units) returning ``(total [S], per_channel [S, C])``:
the media-driven KPI over the horizon for each of S draws (S = 1 for a known truth). ``fn`` and ``static`` are
hashable so one compiled kernel serves every call with the same shapes.

Planning semantics (the same for every response):

- the horizon is the ``periods`` periods right after the data; spend is **flat** within it (amount / periods
  per period; a cell's amount is split over geos by the channel's recent geo split unless geos are optimised);
- carry-over is included: the spend path is the last ``l_max`` observed periods followed by the plan, adstock
  runs over the whole path, and only the KPI of the horizon periods is counted (recent spend still working in
  the horizon is therefore part of every plan's KPI, and the plan's own effect past the horizon end is not).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np

from mmm_core.engine import transforms as tf
from mmm_core.engine.config import ModelConfig
from mmm_core.engine.curves import adstock_config, adstock_weights, channel_flags, saturation
from mmm_core.errors import MMMError
from mmm_core.optimizer.allowance import data_causes

ResponseFn = Callable[[jnp.ndarray, Any, Any], tuple[jnp.ndarray, jnp.ndarray]]


@dataclass(frozen=True, eq=False)
class Response:
    """A plan → horizon-KPI map plus the facts about the data the explanations need.

    ``cell_channel`` [J]: channel index of each cell; ``cell_share`` [J]: the cell's share of its channel in
    the recent geo split (1.0 when cells are channels); ``recent_level`` [C]: mean spend per period of each
    channel over the recent window; ``cell_range`` [J, 2]: observed per-period spend range of each cell;
    ``baseline`` [S] or None: projected non-media KPI over the horizon; ``spend_cv`` [C] or None: coefficient of
    variation of each channel's per-period spend over the data (how much the data could pin its curve);
    ``data_causes`` [C] or None: each channel's identifiability data causes (``allowance.data_causes``: spend
    confounded with seasonality, trend, controls or another channel, little variation, few active periods).
    """

    fn: ResponseFn
    static: Any
    args: Any
    channels: tuple[str, ...]
    cells: tuple[str, ...]
    cell_channel: np.ndarray
    cell_share: np.ndarray
    recent_level: np.ndarray
    cell_range: np.ndarray
    periods: int
    n_draws: int
    baseline: np.ndarray | None = None
    approximate: bool = False
    label: str = ""
    notes: tuple[str, ...] = field(default=())
    spend_cv: np.ndarray | None = None
    data_causes: tuple[tuple[str, ...], ...] | None = None
    outcomes: Any = None  # optimizer.outcomes.OutcomeView when the KPI is a weighted sum of several outcomes

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    def to_cells(self, channel_amounts: np.ndarray) -> np.ndarray:
        """Channel totals [C] → cell amounts [J] with the recent geo split."""
        return np.asarray(channel_amounts, float)[self.cell_channel] * self.cell_share

    def to_channels(self, cell_amounts: np.ndarray) -> np.ndarray:
        """Cell amounts [J] → channel totals [C]."""
        return np.bincount(self.cell_channel, weights=np.asarray(cell_amounts, float), minlength=len(self.channels))

    @property
    def dtype(self):
        """The float type the response computes in (float32, or float64 inside :func:`precise`)."""
        return jax.tree.leaves(self.args)[0].dtype

    def evaluate(self, cell_amounts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(total [S], per_channel [S, C])`` as NumPy float64 for a plan in cell amounts."""
        total, per = _evaluate(self.fn, self.static, jnp.asarray(cell_amounts, self.dtype), self.args)
        return np.asarray(total, float), np.asarray(per, float)


def _evaluate_impl(fn, static, amounts, args):
    return fn(amounts, args, static)


_evaluate = jax.jit(_evaluate_impl, static_argnums=(0, 1))


def precise(r: Response) -> Response:
    """``r`` computing in float64. Call inside ``jax.enable_x64(True)``: SLSQP's tolerances and the
    optimality check need differences of the objective far below float32's 1e-7 relative resolution."""
    cast = lambda a: jnp.asarray(a, jnp.float64) if jnp.issubdtype(a.dtype, jnp.floating) else a  # noqa: E731
    return replace(r, args=jax.tree.map(cast, r.args))


def flat_path(recent: jnp.ndarray, embed: jnp.ndarray, amounts: jnp.ndarray, periods: int) -> jnp.ndarray:
    """Spend path [L + N, G, C]: ``recent`` [L, G, C] observed, then the plan flat over ``periods``.

    ``embed`` [G*C, J] maps cell amounts to geo × channel totals (the recent geo split, or the identity).
    """
    n_l, n_g, n_c = recent.shape
    plan = (embed @ amounts).reshape(n_g, n_c) / periods
    return jnp.concatenate([recent, jnp.broadcast_to(plan, (periods, n_g, n_c))], axis=0)


def cell_layout(
    recent_spend: np.ndarray,
    all_spend: np.ndarray,
    channels: tuple[str, ...],
    geos: tuple[str, ...],
    optimize_geos: bool,
) -> dict[str, Any]:
    """Cells, the embedding matrix and per-cell observed ranges for spend arrays [T, G, C].

    The recent geo split of a channel is its share of recent spend per geo; a channel without recent spend
    uses its whole-history split (never an equal split: that would be a silent, made-up fallback).
    """
    n_g, n_c = all_spend.shape[1:]
    recent_geo = recent_spend.sum(axis=0)
    whole_geo = all_spend.sum(axis=0)
    split_src = np.where(recent_geo.sum(axis=0, keepdims=True) > 0, recent_geo, whole_geo)
    split = split_src / np.maximum(split_src.sum(axis=0, keepdims=True), 1e-300)  # [G, C]
    if optimize_geos and n_g > 1:
        cells = tuple(f"{geos[g]}/{channels[c]}" for g in range(n_g) for c in range(n_c))
        cell_channel = np.tile(np.arange(n_c), n_g)
        cell_share = split.reshape(-1)
        embed = np.eye(n_g * n_c)
        per_period = all_spend.reshape(all_spend.shape[0], -1)
    else:
        cells, cell_channel, cell_share = tuple(channels), np.arange(n_c), np.ones(n_c)
        embed = np.zeros((n_g * n_c, n_c))
        for g in range(n_g):
            embed[g * n_c + np.arange(n_c), np.arange(n_c)] = split[g]
        per_period = all_spend.sum(axis=1)
    cell_range = np.stack([per_period.min(axis=0), per_period.max(axis=0)], axis=1)
    return dict(cells=cells, cell_channel=cell_channel, cell_share=cell_share, embed=embed, cell_range=cell_range)


def recent_level(spend: np.ndarray, periods: int) -> np.ndarray:
    """Mean spend per period of each channel [C] over the last ``periods`` observed periods (summed over geos):
    the one definition of "the current level" (``scenarios.current_level`` scales it to a horizon)."""
    spend = np.asarray(spend, float)
    return recent_window(spend, min(int(periods), spend.shape[0])).sum(axis=1).mean(axis=0)


def spend_variation(spend: np.ndarray) -> np.ndarray:
    """Coefficient of variation [C] of each channel's per-period spend (summed over geos) over all periods."""
    per = np.asarray(spend, float).sum(axis=1)
    mean = per.mean(axis=0)
    return np.where(mean > 0, per.std(axis=0) / np.maximum(mean, 1e-300), 0.0)


def recent_window(spend: np.ndarray, n: int) -> np.ndarray:
    """The last ``n`` periods of spend [T, G, C], zero-padded in front when the data are shorter."""
    tail = spend[-n:]
    if tail.shape[0] < n:
        tail = np.concatenate([np.zeros((n - tail.shape[0],) + spend.shape[1:]), tail], axis=0)
    return tail


# --- the posterior's response -------------------------------------------------------------------------------

SPEND_FLOOR = 1e-4  # in units of the channel's mean non-zero spend per period


def _posterior_fn(amounts, args, static):
    """Media KPI over the horizon for every draw, in KPI units (see the module docstring).

    Adstock is linear, so the adstocked spend in the horizon is ``x0 + u * plan``: ``x0`` [S, N, G, C] the
    carry-over of recent spend alone, ``u`` [S, N, C] the share of a flat plan's weight already working in
    each horizon period (both precomputed by :func:`adstock_parts`). Only saturation runs per evaluation,
    which keeps an objective + gradient at 1,000 draws × 64 cells in milliseconds.
    """
    config, periods = static
    n_g, n_c = args["spend_scale"].shape
    plan = (args["embed"] @ amounts).reshape(n_g, n_c) / periods / args["spend_scale"]
    # The floor: a Hill curve with slope < 1 has an infinite marginal at zero spend, which wrecks SLSQP's
    # quasi-Newton model; 1e-4 of a typical period's spend changes no KPI figure.
    x = args["x0"] + args["u"][:, :, None, :] * plan[None, None] + SPEND_FLOOR
    p = args["params"]
    hill = channel_flags(config, n_c)[1]
    sat = saturation(x, p["hill_slope"][:, None, None, :], p["sat_half"][:, None, None, :], hill)
    media = p["beta"][:, None] * sat  # [S, N, G, C] scaled KPI
    scale = args["kpi_scale"]
    if config.likelihood == "additive":
        per = jnp.einsum("sngc,g->sc", media, scale)
        return per.sum(-1), per
    # Multiplicative: KPI = exp(baseline + media); media's part is the KPI above exp(baseline), and a
    # channel's part is the KPI lost when it alone is removed (as in `engine.predict`).
    base = args["base_eta"][:, None, :]
    eta = base + media.sum(-1)
    total = jnp.einsum("sng,g->s", jnp.exp(eta) - jnp.exp(base), scale)
    per = jnp.einsum("sngc,g->sc", jnp.exp(eta)[..., None] - jnp.exp(eta[..., None] - media), scale)
    return total, per


def adstock_parts(
    params: dict, recent_scaled: np.ndarray, config, periods: int, keep: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``x0`` [S, N, G, C] (recent spend's carry-over) and ``u`` [S, N, C] (flat plan's weight) per draw, for the
    last ``keep`` periods of the path (default the ``periods`` of the horizon; one more includes the last observed
    period, which a lagged cross-effect reads). The weights are the engine's own (``engine.curves``: geometric or
    delayed, cut at each channel's maximum lag)."""
    n_l, n_g, n_c = recent_scaled.shape
    keep = periods if keep is None else keep
    path0 = np.concatenate([recent_scaled, np.zeros((periods, n_g, n_c))]).astype(np.float32)
    ones = np.concatenate([np.zeros((n_l, 1, n_c)), np.ones((periods, 1, n_c))]).astype(np.float32)
    lag0, lag1 = tf.lag_tensor(path0, config.l_max), tf.lag_tensor(ones, config.l_max)
    draws = {k: jnp.asarray(params[k]) for k in ("adstock_alpha", "adstock_theta")}
    x0, u = _parts_over_draws(draws, lag0, lag1, adstock_config(config), n_c, keep)
    return np.asarray(x0), np.asarray(u)


# Jitted with the adstock settings static, so a second answer with the same shapes reuses its compiled code (a
# closure was compiled anew on every optimizer or scenario call).
@partial(jax.jit, static_argnums=(3, 4, 5))
def _parts_over_draws(draws: dict, lag0, lag1, settings: ModelConfig, n_c: int, keep: int):
    def parts(p):
        w = adstock_weights(p, settings, n_c)
        return tf.adstock_from_lags(lag0, w)[-keep:], tf.adstock_from_lags(lag1, w)[-keep:, 0]

    return jax.lax.map(parts, draws, batch_size=256)


def posterior_response(post, periods: int = 13, geo_split: str = "recent", max_draws: int = 1000) -> Response:
    """The :class:`Response` of a fitted :class:`~mmm_core.engine.posterior.Posterior` (thinned to ``max_draws``).

    The recent window (recent level, recent geo split, baseline projection) is the last ``periods`` observed
    periods. The non-media KPI is projected flat at its recent level (trend and seasonality are *not*
    extrapolated): good enough to put the media effect in context, not a forecast.
    """
    post = post.thin(max_draws)
    data, scaled, config = post.data, post.scaled, post.config
    if geo_split == "optimize" and data.national_channels:
        # A national regressor is one series in every geo: its per-geo "cells" are bookkeeping, not levers.
        raise MMMError(
            f"geo_split='optimize' cannot split national-regressor channels across geos: "
            f"{', '.join(data.national_channels)} enter every geo as one national series.",
            "Plan with geo_split='recent' (the default), or allocate the national rows to geos in the spec "
            "(geo.national_media) and refit.",
            code="optimizer_national_geo_split",
        )
    spend = np.asarray(data.spend, float)
    window = recent_window(spend, min(periods, spend.shape[0]))
    layout = cell_layout(window, spend, data.channels, data.geos, geo_split == "optimize")
    baseline_recent = post.predict()["baseline"][:, -window.shape[0] :].mean(axis=1)  # [S, G] KPI units
    kpi_scale = np.asarray(scaled.kpi_scale, float)
    base_eta = np.log(np.maximum(baseline_recent / kpi_scale[None], 1e-30))
    recent_scaled = recent_window(spend, config.l_max) / np.asarray(scaled.spend_scale, float)[None]
    x0, u = adstock_parts(post.params, recent_scaled, config, int(periods))
    args = {
        "params": {k: jnp.asarray(post.params[k]) for k in ("beta", "sat_half", "hill_slope")},
        "x0": jnp.asarray(x0),
        "u": jnp.asarray(u),
        "embed": jnp.asarray(layout["embed"], jnp.float32),
        "spend_scale": jnp.asarray(scaled.spend_scale, jnp.float32),
        "kpi_scale": jnp.asarray(kpi_scale, jnp.float32),
        "base_eta": jnp.asarray(base_eta, jnp.float32),
    }
    notes = (
        "Non-media KPI projected flat at its mean over the last %d periods (no trend/seasonality "
        "extrapolation)." % window.shape[0],
    )
    return Response(
        _posterior_fn,
        (config, int(periods)),
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
    )


def national_view(r: Response) -> Response:
    """``r`` with each channel's geo cells tied to its recent geo split: one cell per channel.

    Why: the optimum over channel totals at the recent split is a cheap (C variables), close start for the
    geo × channel problem (``core.solve_geo``). Both response kinds map cell amounts through ``args["embed"]``, so
    composing it with the split is the whole change. For solving only: its ``cell_range`` sums the geo cells'
    extremes (wider than the channel's own observed range)."""
    if r.n_cells == len(r.channels):
        return r
    split = np.zeros((r.n_cells, len(r.channels)))
    split[np.arange(r.n_cells), r.cell_channel] = r.cell_share
    args = dict(r.args) | {"embed": jnp.asarray(np.asarray(r.args["embed"], float) @ split, r.dtype)}
    ranges = np.stack([np.bincount(r.cell_channel, r.cell_range[:, k], len(r.channels)) for k in (0, 1)], axis=1)
    return replace(
        r,
        args=args,
        cells=tuple(r.channels),
        cell_channel=np.arange(len(r.channels)),
        cell_share=np.ones(len(r.channels)),
        cell_range=ranges,
    )
