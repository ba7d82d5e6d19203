"""What a control (e.g. a promotion) moves in each outcome of a multi-outcome fit: its counterfactual against the
control at 0 — for a 0/1 promotion flag, the promotion not run (issue 22: "the multipack promotion took Z from
single-pack").

The effect of *not running* the promotion is its term relative to 0 — ``gamma · x / sd`` in the outcome's units —
plus what that moves through cross-effects. When the control is also a cross-effect's modulator
(the promotion switches the cannibalisation on), switching it off removes the whole routed term of that effect
too, not only its own part. Routing is linear in the driven part for fixed modulators (``engine.cross.route``), so

    Δ_k = own0_j,k + route(D, m)_k − route(D − own0_j, m with modulator j at 0)_k

is exact, with ``D`` the driven part of every outcome as the model computes it (media + control terms measured
from ``engine.multi_model.control_reference``: 0 where observed, else the mean).
"""

from __future__ import annotations

import numpy as np


def control_counterfactuals(params: dict, sd, config, direct_media: np.ndarray) -> np.ndarray:
    """[s, Kc, K] each control's contribution to each outcome (KPI units, summed over the grid) against the control
    at 0. ``params``: a chunk of multi-outcome draws; ``sd``: the ``MultiScaled``; ``direct_media``
    [s,T,G,C,K] (``predict_multi``'s ``direct``)."""
    from mmm_core.engine.cross import route  # lazy: JAX; the fit path only
    from mmm_core.engine.multi_model import control_reference, outcome_params  # lazy: JAX, as above

    n_ctrl, n_k = sd.n_controls, config.n_outcomes
    kappa = np.asarray(params["kappa"], float)
    mods = np.asarray(sd.modulators, float)
    centred, from_zero = [], []
    for k, o in enumerate(sd.outcomes):
        idx = list(config.controls_of(k, n_ctrl))
        gamma = np.asarray(outcome_params(params, k)["gamma_control"], float)  # [s, own controls]
        scale = np.asarray(o.kpi_scale, float)[None, None, :, None]
        z = np.asarray(o.controls, float)  # (x - mean) / sd
        shift = (np.asarray(o.control_mean, float) / np.asarray(o.control_sd, float))[None]  # mean / sd
        ref = np.asarray(control_reference(o), float)[None]  # where the model measures D's control terms from
        a = np.zeros(gamma.shape[:1] + z.shape[:2] + (n_ctrl,))
        b = np.zeros_like(a)
        on = np.asarray(sd.exists, float)[None, ..., k, None]  # a product not on sale: no term, nothing routed
        a[..., idx] = np.einsum("tgj,sj->stgj", z - ref, gamma) * scale * on
        b[..., idx] = np.einsum("tgj,sj->stgj", z + shift, gamma) * scale * on  # x / sd: the term relative to x = 0
        centred.append(a)
        from_zero.append(b)
    driven = [direct_media[..., k].sum(-1)[..., None] + centred[k].sum(-1, keepdims=True) for k in range(n_k)]
    into, _ = route(config, kappa, driven, mods, xp=np, exists=sd.exists)
    out = np.zeros((kappa.shape[0], n_ctrl, n_k))
    for j, name in enumerate(sd.control_names):
        off = mods.copy()
        if name in sd.modulator_names:  # the promotion off also switches off the effects it modulates
            off[..., sd.modulator_names.index(name)] = 0.0
        less = [driven[k] - from_zero[k][..., j : j + 1] for k in range(n_k)]
        into_off, _ = route(config, kappa, less, off, xp=np, exists=sd.exists)
        for k in range(n_k):
            out[:, j, k] = (from_zero[k][..., j] + into[k][..., 0] - into_off[k][..., 0]).sum(axis=(1, 2))
    return out


__all__ = ["control_counterfactuals"]
