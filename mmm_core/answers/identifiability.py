"""The identifiability label (and, on request, the prior) beside every ROI an answer gives.

The labels are computed at fit time (``mmm_core.fit.identifiability``) and stored in the fit's health JSON under
``identifiability``; answers only read them. A fit made before labels existed (or by the pymc-marketing engine)
says ``not assessed`` rather than implying the channel is identified.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

NOT_ASSESSED = {
    "label": "not assessed",
    "status": "unknown",
    "causes": [],
    "fix": None,
    "contraction": None,
}


def channel_labels(health: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Channel → compact label ``{label, status, causes, fix, contraction}`` from a fit's stored health JSON."""
    stored = (health or {}).get("identifiability") or {}
    return {ch: {k: v.get(k) for k in NOT_ASSESSED} for ch, v in stored.items()}


def prior_interval(prior: dict[str, Any] | None, level: float) -> dict[str, float] | None:
    """``{median, lo, hi, log_sd}`` of a channel's ROI prior at ``level`` — a log-normal with the median and robust
    log-sd of the prior-predictive ROI draws (the prior the model actually had, saturation and adstock included)."""
    if not prior or not prior.get("median") or prior.get("log_sd") is None:
        return None
    z = NormalDist().inv_cdf(0.5 + level / 2)
    m, sd = float(prior["median"]), float(prior["log_sd"])
    return {"median": m, "lo": m * math.exp(-z * sd), "hi": m * math.exp(z * sd), "log_sd": sd}


def add_identifiability(
    channels: dict[str, dict[str, Any]], health: dict[str, Any] | None, prior_level: float | None
) -> None:
    """Put each channel's label (and with ``prior_level``, its prior interval) into its ROI row, in place."""
    stored = (health or {}).get("identifiability") or {}
    labels = channel_labels(health)
    for name, row in channels.items():
        row["identifiability"] = labels.get(name, dict(NOT_ASSESSED))
        if prior_level is not None:
            row["prior"] = prior_interval((stored.get(name) or {}).get("prior"), prior_level)
