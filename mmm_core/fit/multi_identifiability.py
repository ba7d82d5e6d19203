"""Identifiability labels of a multi-outcome fit (issue 22): per (outcome, channel), for the weighted total, and per
cross-effect — the single-KPI rules of ``fit.identifiability`` (one home: its functions are called, not copied).

Channels, per outcome and for the total: the data side is the channel's spend against what the outcome's model
also uses (seasonality, trend, the outcome's own controls, the other channels) — ``identifiability.for_fit`` on
the outcome's single-outcome data and config. The posterior side compares the posterior ROI with the prior ROI of
the *same* quantity: the reported ROI includes what a channel moves through cross-effects, so the prior draws come
from the joint model's prior (``prior_draws``: every site, cross-effects included) pushed through the same
``predict_multi`` as the posterior.

Cross-effects: a cross-effect routes ``kappa · m_t · D_source`` into its target, where ``D_source`` is the source's
media and control terms. Without a modulator (``m_t = 1``), the media part of that term is the same channels'
spend that already drives the target through its own betas: the data cannot tell kappa from the target's direct
effects (collinear), unless a control enters the source and not the target (a promotion on the source only),
whose push on the source moves the target only through kappa. Such an effect is ``weakly identified`` with that
reason whatever its interval; a posterior that barely narrowed from the prior is ``prior-dominated`` (the stronger
statement), with the same thresholds as channels.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core.fit import identifiability
from mmm_core.fit.identifiability import ChannelData

PRIOR_DRAWS = 200  # as the single-KPI gate's prior predictive (fit.prior_check)
COLLINEAR = "collinear with the target's own media effects (the same channels drive both outcomes, no modulator)"
CROSS_FIX = (
    "declare a modulator (a promotion of the source that switches the effect on), or let a source-only control "
    "(outcomes.control_outcomes) carry it; otherwise read the channels' totals, not this split"
)
WIDE_FIX = "a longer series: more periods where what pins it moves (the modulator on and off, a source-only control)"
_NO_CAUSE = ChannelData(None, None, None, None, None, float("nan"), float("nan"), 0, [])  # posterior side only


def prior_draws(sd, config, seed: int = 0, n_draws: int = PRIOR_DRAWS) -> dict[str, np.ndarray]:
    """Every site of the joint model under its prior (``[S, ...]``, the KPIs' own sites left out): the input of
    ``predict_multi``, as posterior draws are. Compiled whole and kept on disk (``engine.executables``), as the
    single-KPI prior predictive."""
    import jax  # lazy: JAX; answers import fit modules without fitting

    from mmm_core.engine.executables import compiled  # lazy: as jax above

    key = jax.random.PRNGKey(seed)
    run = compiled("multi_prior_draws", _sampler(config, n_draws), (key, sd), (config, n_draws), (__file__,))
    return {name: np.asarray(v) for name, v in run(key, sd).items() if not name.startswith("kpi_")}


def _sampler(config, n_draws: int):
    import jax  # lazy: as in prior_draws
    from numpyro.infer import Predictive

    from mmm_core.engine.multi_model import multi_model

    def run(key, sd):
        return Predictive(multi_model, num_samples=n_draws)(key, sd, config, observed=False)

    return jax.jit(run)


def prior_roi(prior: dict[str, np.ndarray], sd, config, spend: np.ndarray) -> np.ndarray:
    """[S, C, K] each channel's ROI on each outcome under the prior (cross-effects included, as reported)."""
    from mmm_core.engine.multi_model import predict_multi  # lazy: JAX

    contrib = predict_multi(prior, sd, config)["contributions"].sum(axis=(1, 2))  # [S,C,K]
    total = np.asarray(spend, float).sum(axis=(0, 1))[None, :, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, contrib / np.where(total > 0, total, 1.0), np.nan)


def channel_labels(data, config, effects, prior: np.ndarray) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``(total, per_outcome)``: the weighted total's labels (channel → label dict, as a single-KPI fit stores
    them) and each outcome's (outcome → channel → label dict). ``prior`` [S,C,K] from :func:`prior_roi`."""
    n_ctrl = 0 if data.controls is None else np.shape(data.controls)[2]
    per = {
        name: identifiability.for_fit(
            data.outcome_data(k, config), config.config_for(k, n_ctrl), effects.per_outcome[k].roi, prior[..., k]
        )
        for k, name in enumerate(config.outcomes)
    }
    # The total: every control enters some outcome, so its data side is the spend against all of them.
    total = identifiability.for_fit(data, config.base, effects.total.roi, (prior * effects.weights).sum(-1))
    return total, per


def cross_labels(config, data, kappa: np.ndarray, prior_kappa: np.ndarray) -> list[dict[str, Any]]:
    """One label per cross-effect (config order): ``{label, status, causes, fix, contraction}``. ``kappa`` and
    ``prior_kappa`` [S, E] posterior and prior draws."""
    n_ctrl = 0 if data.controls is None else np.shape(data.controls)[2]
    out = []
    for i, e in enumerate(config.cross_effects):
        causes = [] if _pinned(e, config, data, n_ctrl) else [COLLINEAR]
        # exp: contraction() compares widths of log draws, so exp(kappa) gives the width of kappa itself —
        # kappa may have either sign (a spillover), and its prior is on the raw scale.
        k = identifiability.contraction(np.exp(kappa[:, i]), np.exp(prior_kappa[:, i]))
        text, status, fix = identifiability.label(_NO_CAUSE, k)  # the posterior side, as for a channel
        if causes and status != "prior":
            text, status = f"weakly identified: {COLLINEAR}", "weak"
        if status != "identified":  # the single-KPI fixes speak of ROI and lift tests; a kappa is pinned otherwise
            fix = CROSS_FIX if causes else WIDE_FIX
        out.append(
            {
                "label": text,
                "status": status,
                "causes": causes,
                "fix": fix,
                "contraction": round(k, 4) if np.isfinite(k) else None,
            }
        )
    return out


def _pinned(effect, config, data, n_ctrl: int) -> bool:
    """Whether something other than the shared media moves the effect: a modulator that varies, or a control of
    the source that does not enter the target (and varies)."""
    if effect.modulator is not None and np.ptp(np.asarray(data.modulators, float)[..., effect.modulator]) > 0:
        return True
    own = set(config.controls_of(effect.target, n_ctrl))
    source_only = [j for j in config.controls_of(effect.source, n_ctrl) if j not in own]
    return any(np.nanmax(data.controls[..., j]) > np.nanmin(data.controls[..., j]) for j in source_only)


def assess(result, data, effects, seed: int = 0) -> dict[str, Any]:
    """The labels stored in the fit's health JSON: ``identifiability`` (the weighted total, read by every
    single-KPI answer), ``outcome_identifiability`` {outcome: {channel: label}} and ``cross_identifiability``
    (one per cross-effect, spec order)."""
    prior = prior_draws(result.scaled, result.config, seed)
    roi = prior_roi(prior, result.scaled, result.config, data.spend)
    total, per = channel_labels(data, result.config, effects, roi)
    cross = cross_labels(result.config, data, effects.kappa, np.asarray(prior["kappa"], float))
    return {"identifiability": total, "outcome_identifiability": per, "cross_identifiability": cross}


__all__ = ["COLLINEAR", "CROSS_FIX", "WIDE_FIX", "assess", "channel_labels", "cross_labels", "prior_draws", "prior_roi"]
