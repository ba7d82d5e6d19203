"""Media curves shared by the KPI and mediator equations: saturation(adstock(spend)) per channel.

Its own module so that ``engine.model`` and ``engine.mediation`` both build on it without importing each other.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from mmm_core.engine import transforms as tf
from mmm_core.engine.config import ModelConfig


def channel_flags(config: ModelConfig, n_channels: int) -> tuple[np.ndarray, np.ndarray]:
    """Static masks: which channels use delayed adstock, which use Hill saturation."""
    delayed = np.array([a == "delayed" for a in config.per_channel("adstock", n_channels)])
    hill = np.array([s == "hill" for s in config.per_channel("saturation", n_channels)])
    return delayed, hill


def saturation(x, hill_slope, sat_half, hill: np.ndarray):
    """Hill or logistic saturation per channel (``hill`` is a static [C] mask), half-point ``sat_half``."""
    if hill.all():
        return tf.hill_saturation(x, hill_slope, sat_half)
    if not hill.any():
        return tf.logistic_saturation(x, tf.LN3 / sat_half)
    return jnp.where(hill, tf.hill_saturation(x, hill_slope, sat_half), tf.logistic_saturation(x, tf.LN3 / sat_half))


def adstock_weights(params: dict, config: ModelConfig, n_channels: int) -> jnp.ndarray:
    """Adstock weights [L,C] of one draw (sum 1 per channel): also the long-term model's media input."""
    delayed, _ = channel_flags(config, n_channels)
    alpha = params["adstock_alpha"]
    w = tf.geometric_weights(alpha, config.l_max)
    if delayed.any():  # static branch: mixed types pay for both weight kinds only when asked for
        w = jnp.where(delayed[None], tf.delayed_weights(alpha, params["adstock_theta"], config.l_max), w)
    if config.channel_l_max:  # per-channel maximum lags: cut the weights and renormalise
        w = w * config.lag_mask(n_channels)
        w = w / jnp.sum(w, axis=0, keepdims=True)
    return w


def adstock_config(config: ModelConfig) -> ModelConfig:
    """Only the fields :func:`adstock_weights` reads, as a hashable config (a static argument of jitted callers; a
    full config may hold lists or experiment arrays). Kept beside the function so the two change together."""
    adstock = config.adstock if isinstance(config.adstock, str) else tuple(config.adstock)
    return ModelConfig(adstock=adstock, l_max=config.l_max, channel_l_max=tuple(config.channel_l_max))


def saturated_curves(params: dict, spend_lagged, config: ModelConfig) -> jnp.ndarray:
    """sat(adstock(spend)) per channel [T,G,C] (no coefficient): shared by the KPI and mediator equations."""
    n_c = spend_lagged.shape[-1]
    _, hill = channel_flags(config, n_c)
    x = tf.adstock_from_lags(spend_lagged, adstock_weights(params, config, n_c))
    return saturation(x, params["hill_slope"], params["sat_half"], hill)
