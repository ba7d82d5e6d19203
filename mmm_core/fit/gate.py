"""Pre-fit gate: refuse to fit a model that cannot answer the question, and say why in plain words.

Pure functions over arrays (no engine import): ``spend [T, G, C]``, ``kpi [T, G]``, ``kpi_mask [T, G]`` (True =
observed), ``controls [T, G, K]``. Pass the arrays *as the model will see them* for the scale check; the other
data checks are scale-free. A ``fail`` is blocking: the fit job stops and shows the reasons.

Thresholds (each justified where it is used):
  observations per parameter       fail < 2, warn < 4
  KPI observed share               fail < 25 %, warn < 50 %
  channel all-zero / never varies  fail
  pairwise spend correlation       fail > 0.98 (within-geo, over time)
  channel VIF                      warn > 10, fail > 30
  spend / KPI magnitude            warn outside 1e-3 … 1e3 (median non-zero value)
  prior predictive mean KPI        warn when its central 90 % misses 0.1× … 10× the observed mean
  prior predictive negative KPI    warn when > 20 % of mass is negative and the KPI never is
  prior median media share         warn outside 0.1 % … 90 %
  media flat under the prior       fail when a channel's transformed series is flat in > 50 % of prior draws
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mmm_core.fit.checks import Check, Status, magnitude, passed, summarise
from mmm_core.fit.gate_prior import prior_checks, time_std, usable_channels


@dataclass(frozen=True)
class GateReport:
    checks: list[Check]
    blocking: bool
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {"blocking": self.blocking, "summary": self.summary, "checks": [c.to_dict() for c in self.checks]}

    def check(self, name: str) -> Check:
        """The check called ``name`` (KeyError when absent)."""
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)


def _within_geo(spend: np.ndarray) -> np.ndarray:
    """Spend demeaned within each geo and flattened to ``[T*G, C]``: geo intercepts absorb level differences
    between geos, so only variation over time inside a geo identifies a channel."""
    return (spend - spend.mean(axis=0, keepdims=True)).reshape(-1, spend.shape[-1])


# ---------------------------------------------------------------------------------------------- data checks
def check_finite(spend: np.ndarray, kpi: np.ndarray, kpi_mask: np.ndarray, controls: np.ndarray) -> Check:
    """NaN/inf anywhere the model reads, or negative spend, make the likelihood undefined or meaningless."""
    thr = "no NaN/inf in spend, controls or observed KPI; spend ≥ 0"
    problems = []
    if not np.isfinite(spend).all():
        problems.append("spend has missing or infinite values (use 0 for no spend)")
    if (np.nan_to_num(spend) < 0).any():
        problems.append("spend has negative values")
    if not np.isfinite(controls).all():
        problems.append("controls have missing or infinite values (impute or drop the control)")
    if not np.isfinite(kpi[kpi_mask]).all():
        problems.append("observed KPI cells have missing values (mark them unobserved in the mask)")
    if problems:
        return Check("finite_inputs", "fail", float(len(problems)), thr, "; ".join(problems).capitalize() + ".")
    return passed("finite_inputs", 0.0, thr, "All inputs are finite and spend is non-negative.")


def check_data_adequacy(kpi_mask: np.ndarray, n_parameters: int) -> Check:
    """Observed KPI cells per free parameter. Unpenalised regression asks for 10–20 observations per
    coefficient (Harrell's rule of thumb); our priors carry part of that load, so we only warn below 4 — a
    judgement call that lets the standard national case (104 weeks, 4 channels, ~25 parameters) through while
    flagging models that have outgrown their data. Below 2 per parameter most parameters are informed by the
    prior alone, and the fit would report the priors back as findings: blocking."""
    n_obs = int(np.asarray(kpi_mask, bool).sum())
    ratio = n_obs / max(n_parameters, 1)
    thr = "fail < 2 observations per parameter, warn < 4"
    msg = f"{n_obs} observed KPI values for {n_parameters} parameters ({ratio:.1f} per parameter)"
    if ratio < 2:
        return Check(
            "data_adequacy",
            "fail",
            ratio,
            thr,
            f"Too little data: {msg}. The data cannot inform most "
            "parameters. Use more periods or geos, fewer channels (merge small ones), or pool geos.",
        )
    if ratio < 4:
        return Check(
            "data_adequacy",
            "warn",
            ratio,
            thr,
            f"Thin data: {msg}. Results will lean on the priors; state them clearly or simplify the model.",
        )
    return passed("data_adequacy", ratio, thr, f"Enough data: {msg}.")


def check_kpi_observed(kpi_mask: np.ndarray) -> Check:
    """Ragged panels are fine, but when most cells are missing the geo/period effects are barely identified."""
    share = float(np.asarray(kpi_mask, bool).mean()) if np.size(kpi_mask) else 0.0
    thr = "fail < 25 % observed, warn < 50 %"
    if share < 0.25:
        return Check(
            "kpi_missing",
            "fail",
            share,
            thr,
            f"Only {share:.0%} of KPI cells are observed: drop geos or periods with no KPI, or check the KPI mapping.",
        )
    if share < 0.5:
        return Check(
            "kpi_missing",
            "warn",
            share,
            thr,
            f"Only {share:.0%} of KPI cells are observed; geo and period effects will be weakly identified.",
        )
    return passed("kpi_missing", share, thr, f"{share:.0%} of KPI cells are observed.")


def check_kpi_variance(kpi: np.ndarray, kpi_mask: np.ndarray) -> Check:
    """A KPI that never changes has nothing for media to explain."""
    y = np.asarray(kpi, float)[np.asarray(kpi_mask, bool)]
    y = y[np.isfinite(y)]
    sd = float(y.std()) if y.size else 0.0
    thr = "fail when the observed KPI is constant"
    if sd <= 1e-12 * max(1.0, float(np.abs(y).mean()) if y.size else 1.0):
        return Check(
            "kpi_variance",
            "fail",
            sd,
            thr,
            "The KPI never varies: there is nothing for media to explain. Check the KPI column and its mapping.",
        )
    return passed("kpi_variance", sd, thr, "The KPI varies.")


def check_channel_spend(spend: np.ndarray, channel_names: Sequence[str]) -> list[Check]:
    """Two checks per panel: channels with no spend at all, and channels whose spend never changes over time in
    any geo (constant spend is indistinguishable from the intercept)."""
    total = np.abs(spend).sum(axis=(0, 1))
    zero = [channel_names[c] for c in range(spend.shape[2]) if total[c] == 0]
    sd = time_std(spend).max(axis=0)  # largest within-geo temporal std per channel
    level = np.abs(spend).mean(axis=(0, 1))
    flat = [channel_names[c] for c in range(spend.shape[2]) if total[c] > 0 and sd[c] <= 1e-9 * level[c]]
    zthr, vthr = "fail when a channel's spend is zero everywhere", "fail when spend never changes over time"
    z = (
        Check(
            "channel_all_zero",
            "fail",
            float(len(zero)),
            zthr,
            f"Channel(s) {', '.join(zero)} have no spend "
            "at all: there is nothing to estimate. Drop them from the spec.",
            {"channels": zero},
        )
        if zero
        else passed("channel_all_zero", 0.0, zthr, "Every channel has some spend.")
    )
    v = (
        Check(
            "channel_zero_variance",
            "fail",
            float(len(flat)),
            vthr,
            f"Channel(s) {', '.join(flat)} never "
            "vary: their effect cannot be separated from the intercept. Drop them or add variation "
            "(e.g. geo tests, flighting).",
            {"channels": flat},
        )
        if flat
        else passed("channel_zero_variance", 0.0, vthr, "Every channel's spend varies over time.")
    )
    return [z, v]


def check_duplicate_channels(spend: np.ndarray, channel_names: Sequence[str], limit: float = 0.98) -> Check:
    """Two spend series correlated above 0.98 (within geo, over time) are, for the model, one channel: their
    split of credit is set by the priors, not the data (VIF of such a pair ≈ 25)."""
    idx = np.flatnonzero(usable_channels(spend))
    thr = f"fail when within-geo correlation > {limit}"
    if idx.size < 2:
        return passed("duplicate_channels", None, thr, "Fewer than two varying channels; nothing to compare.")
    corr = np.corrcoef(_within_geo(spend[..., idx]), rowvar=False)
    pairs = [
        (channel_names[idx[i]], channel_names[idx[j]], float(corr[i, j]))
        for i in range(idx.size)
        for j in range(i + 1, idx.size)
        if corr[i, j] > limit
    ]
    top = float(np.max(corr[np.triu_indices(idx.size, 1)]))
    if pairs:
        names = "; ".join(f"{a} & {b} (r = {r:.3f})" for a, b, r in pairs)
        return Check(
            "duplicate_channels",
            "fail",
            top,
            thr,
            f"Near-duplicate channels: {names}. The data cannot "
            "tell them apart; merge each pair into one channel (or give one an experiment-based prior).",
            {"pairs": [[a, b, r] for a, b, r in pairs]},
        )
    return passed("duplicate_channels", top, thr, f"No near-duplicate channels (max correlation {top:.2f}).")


def variance_inflation(x: np.ndarray) -> np.ndarray:
    """VIF_j = 1 / (1 − R²_j) of each column regressed on the others: the diagonal of the inverse correlation
    matrix. A singular matrix gives infinite VIFs."""
    corr = np.corrcoef(x, rowvar=False)
    if np.linalg.cond(corr) > 1e12:
        return np.full(corr.shape[0], np.inf)
    return np.diag(np.linalg.inv(corr))


def check_collinearity(spend: np.ndarray, channel_names: Sequence[str]) -> Check:
    """VIF of each channel's spend on the others (within geo). VIF > 10 is the textbook sign of troublesome
    collinearity (Kutner et al.): the channel's interval is over 3× wider than if it were independent. Above 30
    (R² > 0.97 on the other channels; Belsley–Kuh–Welsch use 30 for the condition index) the data cannot allocate
    credit within the set and the ROI split will be the priors' choice."""
    idx = np.flatnonzero(usable_channels(spend))
    thr = "warn VIF > 10, fail VIF > 30"
    if idx.size < 2:
        return passed("collinearity", None, thr, "Fewer than two varying channels; no collinearity to assess.")
    vif = variance_inflation(_within_geo(spend[..., idx]))
    v = float(np.max(vif))
    high = [channel_names[idx[i]] for i in np.argsort(-vif) if vif[i] > 10]
    details = {"vif": {channel_names[idx[i]]: float(vif[i]) for i in range(idx.size)}}
    if v > 30:
        return Check(
            "collinearity",
            "fail",
            v,
            thr,
            f"Channels {', '.join(high)} move together (max VIF "
            f"{v:.0f}): the data cannot split credit between them. Merge them, drop one, or add "
            "informative ROI priors / experiments for them.",
            details,
        )
    if v > 10:
        return Check(
            "collinearity",
            "warn",
            v,
            thr,
            f"Channels {', '.join(high)} are collinear (max VIF {v:.0f}):"
            " their ROIs will have wide, correlated intervals; compare them with care.",
            details,
        )
    return passed("collinearity", v, thr, f"Channels are distinguishable (max VIF {v:.1f}).", **details)


def check_controls(controls: np.ndarray, control_names: Sequence[str]) -> Check:
    """A control that never varies over time is a second intercept: unidentified, it only slows sampling."""
    thr = "fail when a control never changes over time"
    if controls.size == 0 or controls.shape[-1] == 0:
        return passed("control_zero_variance", None, thr, "No controls.")
    flat = [control_names[k] for k in range(controls.shape[2]) if time_std(controls[..., k]).max() <= 1e-12]
    if flat:
        return Check(
            "control_zero_variance",
            "fail",
            float(len(flat)),
            thr,
            f"Control(s) {', '.join(flat)} never change over time: they duplicate the intercept. Drop them.",
            {"controls": flat},
        )
    return passed("control_zero_variance", 0.0, thr, "Every control varies over time.")


def check_scale(spend: np.ndarray, kpi: np.ndarray, kpi_mask: np.ndarray) -> Check:
    """Our saturation and coefficient priors are on unit scale (half-saturation near spend ≈ 1). Spend or KPI
    whose typical non-zero value is beyond 1e3 or below 1e-3 would put every prior orders of magnitude away
    from the data. A warning, not a block: the engine scales by the mean by default, and the prior-predictive
    check (``media_flat_under_prior``) decides whether the scaled model is sound."""
    s = np.abs(spend[np.isfinite(spend) & (spend != 0)])
    y = np.abs(kpi[np.asarray(kpi_mask, bool) & np.isfinite(kpi)])
    y = y[y != 0]
    s_med = float(np.median(s)) if s.size else math.nan
    y_med = float(np.median(y)) if y.size else math.nan
    thr = "warn when median non-zero spend or KPI is outside 1e-3 … 1e3"
    off = [
        f"{lab} ~{magnitude(v)}"
        for lab, v in (("spend", s_med), ("KPI", y_med))
        if math.isfinite(v) and not 1e-3 <= v <= 1e3
    ]
    details = {"median_spend": s_med, "median_kpi": y_med}
    if off:
        return Check(
            "scale",
            "warn",
            s_med,
            thr,
            f"Inputs are in raw units ({', '.join(off)}). With priors on "
            "unit scale, saturation would be reached from the first dollar. Let the engine scale spend and "
            "KPI by their means (default), or set priors in raw units.",
            details,
        )
    return passed("scale", s_med, thr, "Spend and KPI are on a unit-like scale.", **details)


def _scale_check(
    spend: np.ndarray, kpi: np.ndarray, mask: np.ndarray, model_inputs: tuple[np.ndarray, np.ndarray] | None
) -> Check:
    if model_inputs is None:
        return check_scale(spend, kpi, mask)
    seen_spend, seen_kpi = (np.asarray(a, float) for a in model_inputs)
    return check_scale(seen_spend, seen_kpi, mask & np.isfinite(seen_kpi))


# ---------------------------------------------------------------------------------------------- public entry
def run_gate(
    spend: np.ndarray,
    kpi: np.ndarray,
    kpi_mask: np.ndarray,
    controls: np.ndarray,
    channel_names: Sequence[str],
    control_names: Sequence[str],
    n_parameters: int,
    prior_predictive: Mapping[str, np.ndarray] | None = None,
    extra_checks: Sequence[Check] = (),
    model_inputs: tuple[np.ndarray, np.ndarray] | None = None,
) -> GateReport:
    """Run every pre-fit check. ``prior_predictive`` (optional) holds prior draws: ``kpi [S, T, G]`` in the
    same units as ``kpi``, ``media_contribution [S, T, G, C]`` and ``media_features [S, T, G, C]`` (the
    saturated, adstocked media); missing keys skip their checks. ``extra_checks`` (e.g. the mediator checks of
    ``gate_mediators``) join the report. ``model_inputs`` = (spend, KPI) as the model sees them (after the
    engine's scaling): the scale check reads those, so it warns only when scaling is actually off (issue 18);
    without them it reads the raw arrays. ``blocking`` is True when any check fails."""
    spend, kpi = np.asarray(spend, float), np.asarray(kpi, float)
    mask = np.asarray(kpi_mask, bool) & np.isfinite(kpi)
    controls = np.asarray(controls, float).reshape(spend.shape[0], spend.shape[1], -1)
    names, cnames = list(channel_names), list(control_names)
    checks = [check_finite(spend, kpi, np.asarray(kpi_mask, bool), controls)]
    spend = np.nan_to_num(spend)
    checks += [check_data_adequacy(mask, n_parameters), check_kpi_observed(mask), check_kpi_variance(kpi, mask)]
    checks += check_channel_spend(spend, names)
    checks += [
        check_duplicate_channels(spend, names),
        check_collinearity(spend, names),
        check_controls(np.nan_to_num(controls), cnames),
        _scale_check(spend, kpi, mask, model_inputs),
    ]
    if prior_predictive is not None:
        checks += prior_checks(prior_predictive, spend, kpi, mask, names)
    checks += list(extra_checks)
    blocking = any(c.status == "fail" for c in checks)
    head = "Gate: BLOCKED" if blocking else "Gate: clear to fit"
    return GateReport(checks, blocking, summarise(checks, head))


__all__ = ["GateReport", "run_gate", "Check", "Status"]
