"""Mediation answers from a stored fit: per channel, direct, indirect (per mediator) and total effects, the
share mediated and the ROI split into direct and indirect — each ``{mean, median, sd, lo, hi}`` with the
interval's definition, the approximate label when it applies, and the provenance of the locked spec.

The draws come from counterfactuals through the whole system (:mod:`mmm_core.effects.mediation`); they are
computed once per fit on first request and stored beside the fit (``mediation.npz``) for the agent and report.

Public API::

    mediation(store, fit_id)            # {fit_id, channels{NAME: {...}}, mediators[...], interval, provenance, ...}
    mediation_table(draws, level, method)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core import ledger
from mmm_core.answers import results
from mmm_core.effects.draws import _ratio
from mmm_core.effects.intervals import DEFAULT_LEVEL, DEFAULT_METHOD, interval_info, summarize
from mmm_core.effects.mediation import MediationDraws, compute_mediation, load_mediation, save_mediation
from mmm_core.errors import MMMError
from mmm_core.fit import artifacts
from mmm_core.store import Store

ARTIFACT = "mediation.npz"

__all__ = ["mediation", "mediation_table", "mediation_draws", "split_identification", "ARTIFACT"]


def _share(indirect: np.ndarray, total: np.ndarray) -> np.ndarray:
    """indirect / total per draw. Unlike a ROI (spend ≥ 0) a draw's total effect may be negative when a sign is
    left free, and the ratio is still reported there; only a zero total gives NaN."""
    total = np.asarray(total, np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total != 0, np.asarray(indirect, np.float64) / np.where(total != 0, total, 1.0), np.nan)


# The split is judged on the central 90% of the share-mediated draws, whatever interval the answer shows (a label
# must not change with the display setting). Within 0.3 the data pin the share to about ±0.15; beyond 0.6 the
# interval spans most of [0, 1] (a flat prior's 90% interval is 0.9 wide) and the split is mostly the priors.
SPLIT_IDENTIFIED, SPLIT_WEAK = 0.3, 0.6
SPLIT_FIX = (
    "more survey points (a weekly or fortnightly survey) or a lift test that measures the channel's effect with "
    "the mediator held fixed would pin it"
)


def split_identification(share: np.ndarray, feeds_any: bool) -> dict[str, Any]:
    """How far the data separate a channel's direct and indirect effects: ``{label, width_90, readable, reason,
    fix}``. ``readable``: the share is narrow enough to be stated as a share (identified or weakly identified);
    otherwise answers show it only as a range.

    >>> split_identification(np.linspace(0.6, 0.8, 101), True)["label"]
    'identified'
    >>> split_identification(np.linspace(0.05, 0.95, 101), True)["label"]
    'not identified by the data'
    """
    if not feeds_any:
        return {
            "label": "direct only",
            "width_90": 0.0,
            "readable": True,
            "reason": "the channel feeds no mediator",
            "fix": None,
        }
    finite = share[np.isfinite(share)]
    lo, hi = np.quantile(finite, [0.05, 0.95]) if finite.size else (np.nan, np.nan)
    width = float(hi - lo)
    if width <= SPLIT_IDENTIFIED:
        return {
            "label": "identified",
            "width_90": width,
            "readable": True,
            "reason": "the 90% interval of the share is narrow",
            "fix": None,
        }
    label = "weakly identified" if width <= SPLIT_WEAK else "not identified by the data"
    reason = (
        f"the 90% interval of the share mediated spans {width:.2f} of the 0-1 range: the mediator's observations "
        "barely separate the direct path from the indirect one, so the split leans on the priors"
    )
    return {"label": label, "width_90": width, "readable": width <= SPLIT_WEAK, "reason": reason, "fix": SPLIT_FIX}


def _channel(d: MediationDraws, c: int, level: float, method: str) -> dict[str, Any]:
    """One channel's entry: effects in KPI units, share mediated per draw, ROI split."""
    s = lambda x: summarize(x, level, method)  # noqa: E731
    total, direct, indirect = d.total[:, c], d.direct[:, c], d.indirect[:, c]
    spend = float(d.spend_total[c])
    feeding = [m for j, m in enumerate(d.mediators) if d.feeds[j, c]]
    share = _share(indirect, total)
    return {
        "spend": spend,
        "feeds": feeding,
        "direct": s(direct),
        "indirect": s(indirect),
        "total": s(total),
        # Per draw, so the interval reflects the joint uncertainty of both parts (not a ratio of means).
        "share_mediated": s(share),
        "split": split_identification(share, bool(feeding)),
        "indirect_by_mediator": {m: s(d.indirect_by[:, j, c]) for j, m in enumerate(d.mediators) if d.feeds[j, c]},
        "roi": {
            "direct": s(_ratio(direct, spend)),
            "indirect": s(_ratio(indirect, spend)),
            "total": s(_ratio(total, spend)),
        },  # the ROI rule of every other answer
    }


def mediation_table(d: MediationDraws, level: float = DEFAULT_LEVEL, method: str = DEFAULT_METHOD) -> dict[str, Any]:
    """The §6 contract body: ``channels{NAME: {spend, feeds, direct, indirect, total, share_mediated,
    indirect_by_mediator{M: ...}, roi{direct, indirect, total}}}`` plus ``mediators``, ``interval``."""
    return {
        "channels": {ch: _channel(d, c, level, method) for c, ch in enumerate(d.channels)},
        "mediators": list(d.mediators),
        "units": "KPI units summed over all periods and geographies",
        "interval": interval_info(level, method),
        "n_draws": d.n_draws,
        "computation": "counterfactual",
    }


def mediation_draws(store: Store, fit_id: str) -> MediationDraws:
    """The fit's stored mediation draws; computed from the posterior (and stored) on first use."""
    folder = artifacts.fit_dir(store, fit_id)
    cached = load_mediation(folder / ARTIFACT)
    if cached is not None:
        return cached
    draws = compute_mediation(results.load_posterior(store, fit_id))
    save_mediation(draws, folder / ARTIFACT)
    return draws


def _described_mediators(store: Store, spec_id: str) -> list[dict[str, Any]]:
    spec = ledger.get_spec(store, spec_id).spec
    if not spec.mediators:
        raise MMMError(
            f"The spec of this fit ({spec_id}) declares no mediators, so there is no mediation to report.",
            "Add a mediator to the spec (spec amend with a reason) and fit again.",
            code="no_mediators",
        )
    return [
        {
            "name": m.name,
            "type": m.type,
            "channels": list(m.channels),
            "carryover": m.carryover,
            "media_effect_sign": m.media_effect_sign,
            "kpi_effect_sign": m.kpi_effect_sign,
        }
        for m in spec.mediators
    ]


def mediation(
    store: Store, fit_id: str, interval: float | None = None, method: str | None = None, allow_unhealthy: bool = False
) -> dict[str, Any]:
    """Direct, indirect (per mediator) and total effect of every channel, with share mediated and ROI split.

    Refuses a fit that failed its health review unless ``allow_unhealthy`` (like every decision answer)."""
    fit = results.decision_fit(store, fit_id, allow_unhealthy)
    described = _described_mediators(store, fit.spec_id)
    frame = results._frame(store, fit, interval, method)
    body = mediation_table(mediation_draws(store, fit_id), frame["level"], frame["method"])
    body["mediators"] = described
    return results._finish(store, frame, body)
