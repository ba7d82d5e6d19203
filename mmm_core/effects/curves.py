"""Curves of one channel from the posterior: the response to scaled spend, and the carry-over by lag.

Both return a full estimate (with interval) at every point, and state the interval and whether the
posterior is approximate, like every other result of :mod:`mmm_core.effects.tables`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mmm_core.effects.draws import PREDICT_BUDGET_FLOATS, _ratio, draw_chunks, mu_sum_diff, sub_posterior
from mmm_core.effects.intervals import DEFAULT_LEVEL, DEFAULT_METHOD, EffectsError, Method, interval_info, stats
from mmm_core.jsonable import to_jsonable

if TYPE_CHECKING:
    from mmm_core.engine.posterior import Posterior

DEFAULT_MULTIPLIERS = np.linspace(0.0, 2.0, 21)
CURVE_MAX_DRAWS = 500  # a curve needs M predictions per draw; 500 draws keep 90% bounds within ~1% of S
# "Is TV saturated?" is read from the next step's return as a share of today's average return (1 = a straight
# line, 0 = flat). Whole interval below one half: the next money earns under half of what money earns on average
# (saturated); whole interval above 0.8: close to a straight line (room to grow); otherwise diminishing.
SATURATED_BELOW, LINEAR_ABOVE = 0.5, 0.8


def _channel_index(post: "Posterior", channel: str) -> int:
    if channel not in post.channels:
        raise EffectsError(f"Unknown channel {channel!r}.", hint=f"Channels in this fit: {', '.join(post.channels)}.")
    return post.channels.index(channel)


def _curve_header(post: "Posterior", level: float, method: Method) -> dict[str, Any]:
    return {
        "interval": interval_info(level, method),
        "approximate": bool(post.approximate),
        "label": post.label,
        "n_draws": post.n_draws,
    }


def curve_draws(post: "Posterior", c: int, multipliers: np.ndarray) -> np.ndarray:
    """[S, M] total KPI gained by spending ``m`` × the observed pattern of channel ``c`` instead of nothing
    (all other channels at their observed spend): ``sum mu(m·spend_c) - sum mu(spend_c = 0)``."""
    spend = np.asarray(post.data.spend, np.float64)
    n_t, n_g, n_c = spend.shape
    size = draw_chunks(post.n_draws, n_t * n_g * (n_c + 2), PREDICT_BUDGET_FLOATS)
    out = []
    for start in range(0, post.n_draws, size):
        sub, real = sub_posterior(post, start, size)
        cols = []
        zero = None
        for m in multipliers:
            scaled = spend.copy()
            scaled[..., c] *= m
            mu = sub.predict(scaled)["mu"]
            if zero is None:  # m = 0 and the counterfactual are the same input: predict it once
                zeroed = spend.copy()
                zeroed[..., c] = 0.0
                zero = mu if m == 0 else sub.predict(zeroed)["mu"]
            cols.append(mu_sum_diff(mu, zero)[:real])
        out.append(np.stack(cols, axis=1))
    return np.concatenate(out)


def response_curve(
    post: "Posterior",
    channel: str,
    multipliers=DEFAULT_MULTIPLIERS,
    level: float = DEFAULT_LEVEL,
    method: Method = DEFAULT_METHOD,
    max_draws: int = CURVE_MAX_DRAWS,
) -> dict[str, Any]:
    """Contribution of ``channel`` if its observed spend pattern (every period and geo) were scaled by each
    multiplier ``m`` — m = 1 is today's spend, m = 0 none.

    Returns ``{channel, multipliers, spend[M], contribution[M]{mean,median,sd,lo,hi}, roi[M] (None at
    m = 0), marginal_roi[M-1] (extra KPI per extra spend between neighbouring points), interval, ...}``.
    Uses at most ``max_draws`` evenly spaced draws (stated as ``n_draws``).
    """
    c = _channel_index(post, channel)
    m = np.asarray(multipliers, np.float64).ravel()
    if m.size == 0 or np.any(m < 0) or not np.all(np.isfinite(m)):
        raise EffectsError("Multipliers must be finite and non-negative.", hint="e.g. numpy.linspace(0, 2, 21).")
    thin = post.thin(max_draws)
    draws = curve_draws(thin, c, m)  # [S, M]
    spend = float(np.asarray(post.data.spend)[..., c].sum()) * m
    roi = _ratio(draws, spend[None, :])
    marginal = _ratio(np.diff(draws, axis=1), np.diff(spend)[None, :])

    def per_point(x: np.ndarray) -> list[dict[str, Any]]:
        s = to_jsonable(stats(x, level, method))
        return [{k: s[k][j] for k in s} for j in range(x.shape[1])]

    return {
        "channel": channel,
        "multipliers": m.tolist(),
        "spend": spend.tolist(),
        "contribution": per_point(draws),
        "roi": per_point(roi),
        "marginal_roi": per_point(marginal) if m.size > 1 else [],
        "at_current_spend": at_current_spend(draws, spend, m, level, method),
        **_curve_header(thin, level, method),
    }


def at_current_spend(draws: np.ndarray, spend: np.ndarray, m: np.ndarray, level: float, method: Method):
    """Where today's spend sits on the curve: its average ROI, the return of the next step (m = 1 to the next
    multiplier) and that return as a share of the average per draw, with a verdict (SATURATED_BELOW,
    LINEAR_ABOVE). None when the multipliers do not hold 1 and a point after it, or the channel spent nothing."""
    at = np.flatnonzero(np.isclose(m, 1.0))
    if at.size == 0 or at[0] + 1 >= m.size or spend[at[0]] <= 0:
        return None
    i = int(at[0])
    average = draws[:, i] / spend[i]
    marginal = (draws[:, i + 1] - draws[:, i]) / (spend[i + 1] - spend[i])
    share = marginal / np.where(average > 0, average, np.nan)
    if np.isnan(share).mean() > 0.5:  # most draws have no positive return: no shape to speak of
        return None
    est = to_jsonable(stats(share[np.isfinite(share)], level, method))
    verdict = "saturated" if est["hi"] < SATURATED_BELOW else "linear" if est["lo"] > LINEAR_ABOVE else "diminishing"
    return {
        "spend": float(spend[i]),
        "step_to": float(m[i + 1]),
        "roi": to_jsonable(stats(average, level, method)),
        "next_step_roi": to_jsonable(stats(marginal, level, method)),
        "next_step_share_of_average": est,
        "verdict": verdict,
    }


def adstock_weight_draws(post: "Posterior", c: int) -> tuple[np.ndarray, str]:
    """[S, L] normalised carry-over weights of channel ``c`` as the model applies them, and the adstock type."""
    from mmm_core.engine import transforms as tf  # lazy: JAX (~1.5 s); reading stored effects never needs it

    cfg = post.config
    n_c = len(post.channels)
    kind = cfg.per_channel("adstock", n_c)[c]
    # The channel's own window (the engine masks weights beyond it and renormalises: the same as computing
    # normalised weights over that window directly).
    per_channel = getattr(cfg, "channel_l_max", ()) or (cfg.l_max if isinstance(cfg.l_max, tuple) else ())
    l_max = per_channel[c] if per_channel else cfg.l_max
    alpha = np.asarray(post.params["adstock_alpha"])[:, c]
    if kind == "delayed":
        theta = np.asarray(post.params["adstock_theta"])[:, c]
        w = tf.delayed_weights(alpha, theta, int(l_max))
    else:
        w = tf.geometric_weights(alpha, int(l_max))
    return np.asarray(w, np.float64).T, kind


def adstock_curve(
    post: "Posterior",
    channel: str,
    l_max: int | None = None,
    level: float = DEFAULT_LEVEL,
    method: Method = DEFAULT_METHOD,
) -> dict[str, Any]:
    """Posterior carry-over of ``channel``: the share of a period's effect felt ``lag`` periods later.

    Weights are the model's own (normalised to sum 1 over the model's window). ``l_max`` only changes what
    is shown: lags beyond the model's window are 0 (the model gives them no weight); a shorter ``l_max``
    truncates. Also ``mean_lag`` (average delay of the effect, periods) and, for geometric adstock,
    ``half_life`` (periods until the weight halves).
    """
    c = _channel_index(post, channel)
    w, kind = adstock_weight_draws(post, c)
    lags = np.arange(w.shape[1], dtype=np.float64)
    mean_lag = w @ lags
    shown = w.shape[1] if l_max is None else int(l_max)
    if shown < 1:
        raise EffectsError("l_max must be at least 1.", hint="e.g. 8 weekly lags.")
    w_shown = np.pad(w, ((0, 0), (0, max(0, shown - w.shape[1]))))[:, :shown]
    s = to_jsonable(stats(w_shown, level, method))
    out: dict[str, Any] = {
        "channel": channel,
        "type": kind,
        "model_l_max": int(w.shape[1]),
        "lags": list(range(shown)),
        "weights": [{k: s[k][j] for k in s} for j in range(shown)],
        "mean_lag": to_jsonable(stats(mean_lag, level, method)),
        **_curve_header(post, level, method),
    }
    if kind == "geometric":
        alpha = np.asarray(post.params["adstock_alpha"], np.float64)[:, c]
        with np.errstate(divide="ignore"):
            out["half_life"] = to_jsonable(stats(np.log(0.5) / np.log(np.clip(alpha, 1e-12, 1 - 1e-12)), level, method))
    else:
        out["peak_delay"] = to_jsonable(
            stats(np.asarray(post.params["adstock_theta"], np.float64)[:, c], level, method)
        )
    return out
