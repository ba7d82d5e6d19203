"""Is the size of each channel's effect plausible *for this data*? (the ``implausible_roi`` health check)

ROI magnitudes depend on the KPI's units — units sold or revenue, thousands or ones — so no fixed ROI bound can
be right: ``ROI > 20`` failed a good fit of PyMC Labs' ``small_business`` data (Email's ROI 35.9 in KPI units was
real). What is unit-free is the share of the KPI an ROI implies, ``ROI × spend / KPI total``, and the distance
of the posterior from the prior it was given. So:

  fail  the posterior median of the media share of the KPI is above 1: media would explain more than the whole
        KPI (impossible for an additive decomposition; the baseline must then be negative);
  warn  a channel's posterior median ROI lies outside the central 99.9 % of its prior (|z| > 3.29 on the log
        scale): a prior–data conflict — the data pulled hard against the assumption, or the channel absorbs a
        missing driver; either way the assumption and the data should be looked at together;
  pass  otherwise, whatever the ROI's magnitude.

Without the spend and the KPI total (a caller that cannot provide them) the check is a warn saying it could not
judge — never a pass it did not earn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mmm_core.fit.checks import Check, Status

PRIOR_Z = 3.29  # two-sided 99.9 % of a normal on the log scale
SHARE_FAIL = 1.0
THRESHOLD = f"fail median media share of KPI > {SHARE_FAIL:g}; warn median ROI beyond the prior's central 99.9 %"


def check_roi(
    roi_draws: np.ndarray,
    channel_names: Sequence[str],
    *,
    spend_total: np.ndarray | None = None,
    kpi_total: np.ndarray | float | None = None,
    prior: Sequence[dict[str, float] | None] | None = None,
) -> Check:
    """``roi_draws`` [S,C]; ``spend_total`` [C] in the spend's units; ``kpi_total`` the KPI total over the same
    cells (a scalar or per draw [S]); ``prior`` per channel ``{"median", "log_sd"}`` of its ROI prior."""
    r = np.asarray(roi_draws, dtype=float)
    names = list(channel_names)
    med = np.nanmedian(r, axis=0)
    details: dict = {"median_roi": dict(zip(names, med))}
    if spend_total is None or kpi_total is None or not np.isfinite(np.nanmax(np.asarray(kpi_total, float))):
        return Check("implausible_roi", "warn", None, THRESHOLD, _NO_CONTEXT, details)
    shares = _shares(r, np.asarray(spend_total, float), kpi_total)  # [S, C]
    total = float(np.nanmedian(np.nansum(shares, axis=1)))
    ch_share = np.nanmedian(shares, axis=0)
    details.update({"media_share": total, "channel_share": dict(zip(names, ch_share))})
    conflicts = _prior_conflicts(med, names, prior)
    details["prior_z"] = conflicts
    far = [n for n, z in conflicts.items() if z is not None and abs(z) > PRIOR_Z]
    status: Status = "fail" if total > SHARE_FAIL else ("warn" if far else "pass")
    return Check("implausible_roi", status, total, THRESHOLD, _reason(status, total, ch_share, names, far), details)


_NO_CONTEXT = (
    "ROI plausibility not judged: the spend and KPI totals were not available, and an ROI's size means nothing "
    "without the KPI's units."
)


def _shares(r: np.ndarray, spend: np.ndarray, kpi_total) -> np.ndarray:
    # The KPI total hardly varies between draws (it is the fitted sum); its median keeps any draw count working.
    kpi = float(np.nanmedian(np.asarray(kpi_total, dtype=float)))
    if not np.isfinite(kpi) or kpi == 0:
        return np.full_like(r, np.nan)
    return r * spend[None, :] / kpi


def _prior_conflicts(med: np.ndarray, names: list[str], prior) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for c, name in enumerate(names):
        p = prior[c] if prior is not None and c < len(prior) else None
        if not p or not p.get("log_sd") or med[c] <= 0 or not np.isfinite(med[c]):
            out[name] = None
            continue
        out[name] = float((np.log(med[c]) - np.log(p["median"])) / p["log_sd"])
    return out


def _reason(status: Status, total: float, ch_share: np.ndarray, names: list[str], far: list[str]) -> str:
    if status == "fail":
        order = np.argsort(-np.nan_to_num(ch_share))
        big = [names[i] for i in order if ch_share[i] >= 0.25] or [names[int(order[0])]]
        parts = ", ".join(f"{names[i]} {ch_share[i]:.0%}" for i in order if names[i] in big)
        return (
            f"Implausible ROI: media would explain {total:.0%} of the KPI — more than all of it ({parts}). Check "
            f"the spend units and scaling of {', '.join(big)}, and whether a channel stands in for a missing "
            "driver (promotions, seasonality); and check its ROI prior — a prior set too high forces this."
        )
    if status == "warn":
        return (
            f"The ROI of {', '.join(far)} is far outside its prior (beyond the prior's central 99.9 %): the data "
            "and the assumption disagree. If the spend is right, the prior was wrong — replace it with a "
            "measured one (a lift test); otherwise the channel may be absorbing a missing driver."
        )
    return f"Channel ROIs imply media explain {total:.0%} of the KPI, within the data; none conflicts with its prior."
