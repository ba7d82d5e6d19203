"""The model-error allowance per channel: how much wider the decision rule judges each channel's part of a gain.

A posterior is calibrated only if the model is right, and the truths a user faces are not our model. A single
allowance for every channel (the former default: the paired gain judged twice as wide) cannot tell "confident
and wrong" from "confident and right", so it either lets a confidently wrong move through or blocks a move into
a channel the data pin well. What the fit knows about each channel can: a channel whose spend moved a lot and
independently of everything else the model uses has its curve pinned by data, and its posterior is judged nearly
as it is; a channel whose spend follows the seasons, the trend, a control or another channel, or barely moved,
has a curve the data cannot pin, and a move that relies on it is judged much wider.

The rule: channel ``c``'s change of contribution (plan − current mix, per draw) is spread ``k_c`` times wider
around its median before the channels are summed into the gain the rule judges, with

    k_c = BASE · (1 + DATA_CAUSE · [c has an identifiability data cause] + LOW_VARIATION · max(0, 1 − cv_c / FULL_CV))

The data causes are those of :mod:`mmm_core.fit.identifiability` (its thresholds: confounding R² ≥ 0.75 with
seasonality / trend / controls, |r| ≥ 0.85 with another channel, spend CV < 0.2, few active periods); ``cv_c``
is the coefficient of variation of the channel's weekly spend (``Response.spend_cv``). A channel calibrated by an
observed lift test has no data cause: the test, not the spend pattern, pins it (not benchmarked: no benchmark
world has lift tests).

Sized on bench/decision_quality.py's tuning seeds 0–4 only (7 generating processes × 2 budgets = 70 plans, full
NUTS), with the candidates of :mod:`mmm_core.optimizer.frontier`: over a grid of BASE 1–1.5, DATA_CAUSE 0–2,
LOW_VARIATION 0–3 the plans worse than the current mix were 0 wherever DATA_CAUSE ≥ 1 and LOW_VARIATION ≥ 2 (and
at BASE 1.25 for DATA_CAUSE ≥ 1, LOW_VARIATION ≥ 1); without either term 10–16% of plans were worse. The default
is inside that harm-free region rather than on its edge (BASE 1 with the same weights captured 58% of the
reachable uplift but its neighbour LOW_VARIATION 1 harmed 3% of plans): 51% captured, 0 harmful, against 38%
for the single allowance 2 with the same candidates. Held-out seeds 5–9, measured once: 47% captured (single
allowance 2: 45%), 48 of 49 moves with P(better) ≥ 0.9 truly better, and 1 of 70 plans worse than the current mix
(the near-optimal world at +20%: 3% of the budget moved, claimed +1.3% at P = 0.95, true −0.21%, below the 0.5%
materiality threshold), where the single allowance 2 had none.

The judged moves of :mod:`mmm_core.optimizer.frontier` (this allowance inside the risk-aware objective) were
added on the tuning seeds (53% captured, 0 harmful, 48/48) and measured once on a second held-out set, seeds
10–14, fitted afterwards (17 of its 35 worlds fitted in time: seeds 10 and 14 whole, seed 11's three national
presets; 34 plans): 0 plans worse than the current mix, 64% of the reachable uplift captured, 28 of 28 moves with
P(better) ≥ 0.9 truly better (the previous optimizer: 50% of plans worse, worst −23.7%). Re-scored on the old
held-out near-optimal world, the −0.21% plan at +20% remains (a raw risk-aware point, P = 0.95).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core.fit.identifiability import channel_data

BASE = 1.25  # every channel: a quarter wider than the posterior says (the well-identified ones too)
DATA_CAUSE = 1.0  # + this × BASE when the spend pattern gives the data no way to pin the curve
LOW_VARIATION = 2.0  # + up to this × BASE as the spend's coefficient of variation falls from FULL_CV to 0
FULL_CV = 0.5  # a channel whose weekly spend varies ±50% or more around its mean gets no low-variation term


def data_causes(post: Any) -> tuple[tuple[str, ...], ...]:
    """Per channel, the identifiability data causes of a fitted posterior (empty for a lift-tested channel)."""
    data, config = post.data, post.config
    n_c = len(data.channels)
    season = (config.seasonality_period, config.seasonality_order) if config.seasonality_order else None
    evidence = channel_data(
        data.spend,
        list(data.channels),
        half_lives=config.per_channel("half_life", n_c),
        l_max=config.channel_l_max or (config.l_max,) * n_c,
        controls=data.controls,
        seasonality=season,
        trend=config.trend != "none",
    )
    tested = {e.channel for e in config.experiments if e.observed}
    return tuple(() if c in tested else tuple(evidence[ch].causes) for c, ch in enumerate(data.channels))


def channel_allowance(causes: tuple[tuple[str, ...], ...] | None, spend_cv: np.ndarray | None) -> np.ndarray | None:
    """``k_c`` per channel (see the module docstring); None when the response does not carry the evidence."""
    if causes is None or spend_cv is None:
        return None
    weak = np.array([1.0 if c else 0.0 for c in causes])
    low = np.clip(1.0 - np.asarray(spend_cv, float) / FULL_CV, 0.0, 1.0)
    return BASE * (1.0 + DATA_CAUSE * weak + LOW_VARIATION * low)


def widen_by_channel(delta: np.ndarray, per_channel: np.ndarray, allowance: np.ndarray) -> np.ndarray:
    """The paired gain ``delta`` [S] with each channel's contribution change ``per_channel`` [S, C] spread
    ``allowance`` [C] times wider around its median (draw by draw, so the channels' correlations are kept)."""
    centred = per_channel - np.median(per_channel, axis=0, keepdims=True)
    return delta + centred @ (np.asarray(allowance, float) - 1.0)
