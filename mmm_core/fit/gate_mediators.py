"""Pre-fit gate checks for mediator equations (media → mediator → KPI), one set per mediator.

Pure numpy, like ``gate``: ``mediators [T, G, M]`` holds the raw mediator values with NaN where a cell is not
observed (all NaN for a latent mediator), ``train [T, G]`` marks the cells the fit may learn from (holdout
excluded), ``spend [T, G, C]`` the raw spend. What is checked, and why:

  observations       fail when an observed/sparse mediator has fewer observed cells than its equation has
                     parameters (the data cannot pin it; its indirect effect would be the prior's); warn
                     below 12 (the same floor the post-fit review uses)
  variance           fail when the observed mediator never changes (its KPI effect is unidentifiable)
  spread over time   warn when the observed cells cover under a quarter of the training window: the
                     media → mediator link is then learned from one stretch of the spend history only
  explained by media warn when the feeding channels' spend explains > 95 % of the observed mediator's
                     within-geo variation: the mediator then carries no movement of its own, and the split
                     of each channel's effect into direct and indirect rests on the priors
  latent             warn always: a mediator never observed is identified by its priors alone

A latent mediator without priors never reaches the gate (the spec refuses it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mmm_core.fit.checks import Check

MIN_OBSERVATIONS = 12
MIN_TIME_SPREAD = 0.25
MAX_MEDIA_R2 = 0.95


def _name(kind: str, mediator: str) -> str:
    return f"mediator_{kind}:{mediator}"


def equation_parameters(n_feeds: int, n_geos: int, carryover: bool) -> int:
    """Free parameters of one mediator equation: one effect per feeding channel, a level per geo, the KPI
    effect gamma, the noise sd, and rho with carry-over."""
    return n_feeds + n_geos + 2 + int(carryover)


def check_observations(name: str, n_obs: int, n_params: int) -> Check:
    thr = f"fail < parameters of its equation ({n_params}), warn < {MIN_OBSERVATIONS}"
    msg = f"{n_obs} observed value(s) for an equation with {n_params} parameters"
    if n_obs < n_params:
        return Check(
            _name("observations", name),
            "fail",
            float(n_obs),
            thr,
            f"Mediator {name} has too little data: "
            f"{msg}. Its indirect effects would be the priors' guess. Feed it from fewer channels, find "
            "more survey waves, or declare it latent with informative priors.",
            {"mediator": name},
        )
    if n_obs < MIN_OBSERVATIONS:
        return Check(
            _name("observations", name),
            "warn",
            float(n_obs),
            thr,
            f"Mediator {name} is thinly observed: {msg}. Expect wide intervals on its direct/indirect split.",
            {"mediator": name},
        )
    return Check(_name("observations", name), "pass", float(n_obs), thr, f"Mediator {name}: {msg}.", {"mediator": name})


def check_variance(name: str, values: np.ndarray) -> Check:
    thr = "fail when the observed mediator never changes"
    sd = float(np.std(values)) if values.size else 0.0
    if values.size and sd <= 1e-12 * max(1.0, float(np.abs(values).mean())):
        return Check(
            _name("variance", name),
            "fail",
            sd,
            thr,
            f"Mediator {name} never changes where it is "
            "observed: its effect on the KPI cannot be estimated. Check the variable's mapping, or "
            "drop the mediator.",
            {"mediator": name},
        )
    return Check(_name("variance", name), "pass", sd, thr, f"Mediator {name} varies.", {"mediator": name})


def check_time_spread(name: str, observed_periods: np.ndarray, n_train: int) -> Check:
    thr = f"warn when observations span < {MIN_TIME_SPREAD:.0%} of the training periods"
    idx = np.flatnonzero(observed_periods)
    spread = (idx[-1] - idx[0] + 1) / max(n_train, 1) if idx.size else 0.0
    if spread < MIN_TIME_SPREAD:
        return Check(
            _name("time_spread", name),
            "warn",
            spread,
            thr,
            f"Mediator {name} is observed over only "
            f"{spread:.0%} of the training window: its link to media is learned from one stretch of "
            "spend history.",
            {"mediator": name},
        )
    return Check(
        _name("time_spread", name),
        "pass",
        spread,
        thr,
        f"Mediator {name} is observed across {spread:.0%} of the training window.",
        {"mediator": name},
    )


def media_r2(values: np.ndarray, spend: np.ndarray, geo: np.ndarray) -> float:
    """Within-geo R² of the observed mediator ``values [N]`` regressed on feeding channels' ``spend [N, C]``
    (``geo [N]`` index of each row): geo levels are absorbed first, as the equation's per-geo level does."""
    y, x = values.astype(float).copy(), spend.astype(float).copy()
    for g in np.unique(geo):
        rows = geo == g
        y[rows] -= y[rows].mean()
        x[rows] -= x[rows].mean(axis=0)
    tss = float(y @ y)
    if tss <= 0 or x.shape[0] <= x.shape[1] + 1:
        return 0.0
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    return float(1.0 - resid @ resid / tss)


def check_media_explained(name: str, r2: float, feeders: Sequence[str]) -> Check:
    thr = f"warn when feeding channels' spend explains > {MAX_MEDIA_R2:.0%} of the mediator's variation"
    if r2 > MAX_MEDIA_R2:
        return Check(
            _name("media_explained", name),
            "warn",
            r2,
            thr,
            f"Spend on {', '.join(feeders)} explains "
            f"{r2:.0%} of {name}'s movement: it has almost no variation of its own, so the split of "
            "their effects into direct and indirect will lean on the priors.",
            {"mediator": name},
        )
    return Check(
        _name("media_explained", name),
        "pass",
        r2,
        thr,
        f"{name} moves partly on its own (spend explains {r2:.0%}).",
        {"mediator": name},
    )


def check_latent(name: str) -> Check:
    return Check(
        _name("latent", name),
        "warn",
        None,
        "warn for every latent mediator",
        f"Mediator {name} is "
        "latent (never observed): its indirect effects come from the priors you gave, not the data. "
        "Report them as assumptions.",
        {"mediator": name},
    )


def mediator_gate(
    mediators: np.ndarray,
    train: np.ndarray,
    spend: np.ndarray,
    mediator_names: Sequence[str],
    kinds: Sequence[str],
    feeds: Sequence[Sequence[int]],
    carryover: Sequence[bool],
    channel_names: Sequence[str],
) -> list[Check]:
    """Every pre-fit mediator check. ``feeds[m]``: indices of the channels feeding mediator m."""
    t, g, _ = spend.shape
    train = np.asarray(train, bool).reshape(t, g)
    out: list[Check] = []
    for m, name in enumerate(mediator_names):
        if kinds[m] == "latent":
            out.append(check_latent(name))
            continue
        vals = np.asarray(mediators[..., m], float)
        obs = np.isfinite(vals) & train
        n_params = equation_parameters(len(feeds[m]), g, bool(carryover[m]))
        out += [check_observations(name, int(obs.sum()), n_params), check_variance(name, vals[obs])]
        if obs.any():
            out.append(check_time_spread(name, obs.any(axis=1), int(train.any(axis=1).sum())))
            rows, geos = np.nonzero(obs)
            r2 = media_r2(vals[obs], spend[rows, geos][:, list(feeds[m])], geos)
            out.append(check_media_explained(name, r2, [channel_names[c] for c in feeds[m]]))
    return out


__all__ = ["mediator_gate", "media_r2", "equation_parameters"]
