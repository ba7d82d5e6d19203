"""Health-review checks for mediator equations: warn when a mediator is weakly identified.

Why these three signals: a mediator seen on a handful of periods, or never (latent), can only be estimated
through its priors; and when the posterior of its KPI effect (gamma) or of the media → mediator effects (b)
is about as wide as the prior, the direct / indirect split is the prior speaking, not the data. Each is a
warning, not a failure: the total effect of a channel is still identified by the KPI equation.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import truncnorm

from mmm_core.engine.mediation import HALFNORMAL_MEDIAN
from mmm_core.engine.posterior import Posterior
from mmm_core.fit.checks import Check, HealthReport, summarise, worst

MIN_OBSERVATIONS = 12  # fewer observed cells than this: a mediator equation with C + 3 parameters is fragile
HALFNORMAL_SD = 0.6028  # sd of HalfNormal(1)
PRIOR_RATIO = 0.8  # posterior sd / prior sd above this: the data barely moved the prior


def gamma_prior_sd(med) -> float:
    """Sd of the KPI-effect prior: Normal(kpi_mean, kpi_sd), truncated at 0 for a positive mediator."""
    if med.kpi_sign != "positive":
        return float(med.kpi_sd)
    return float(truncnorm.std(-med.kpi_mean / med.kpi_sd, np.inf, loc=med.kpi_mean, scale=med.kpi_sd))


def _prior_ratio_gamma(post: Posterior, m: int) -> float:
    return float(np.std(post.params["med_gamma"][:, m]) / gamma_prior_sd(post.config.mediators[m]))


def _prior_ratio_b(post: Posterior, m: int) -> dict[str, float]:
    """Per feeding channel: posterior sd / prior sd of b on its prior's scale (log scale for positive b)."""
    med = post.config.mediators[m]
    b = np.asarray(post.params["med_b"][:, m, :], np.float64)
    out = {}
    for c in med.channels:
        if med.sign == "positive" and med.effect_prior == "halfnormal":
            ratio = np.std(b[:, c]) / (med.effect_median / HALFNORMAL_MEDIAN * HALFNORMAL_SD)
        elif med.sign == "positive":
            ratio = np.std(np.log(np.maximum(b[:, c], 1e-12))) / med.effect_sigma
        else:
            ratio = np.std(b[:, c]) / (med.effect_median * np.exp(med.effect_sigma))
        out[post.data.channels[c]] = float(ratio)
    return out


def mediator_checks(post: Posterior) -> list[Check]:
    """One check per mediator: ``mediator_identification`` (pass or warn, with the reasons in ``details``)."""
    checks = []
    mask = np.asarray(post.scaled.mediator_mask)
    for m, med in enumerate(post.config.mediators):
        n_obs = int(mask[..., m].sum())
        reasons = []
        if med.kind == "latent":
            reasons.append("it is latent (never observed): its effects rest on the priors you gave")
        elif n_obs < MIN_OBSERVATIONS:
            reasons.append(f"only {n_obs} observed period(s) (fewer than {MIN_OBSERVATIONS})")
        g_ratio = _prior_ratio_gamma(post, m)
        if g_ratio > PRIOR_RATIO:
            reasons.append(f"its effect on the KPI is barely learned (posterior sd = {g_ratio:.0%} of the prior's)")
        b_ratio = _prior_ratio_b(post, m)
        flat = [c for c, r in b_ratio.items() if r > PRIOR_RATIO]
        if flat:
            reasons.append("media → mediator effects barely learned for " + ", ".join(flat))
        status = "warn" if reasons else "pass"
        reason = (
            (
                f"Mediator {med.name} is weakly identified: "
                + "; ".join(reasons)
                + ". Read its direct/indirect split with care; totals are unaffected."
            )
            if reasons
            else f"Mediator {med.name}: {n_obs} observed periods; its effects are informed by the data."
        )
        checks.append(
            Check(
                f"mediator_identification:{med.name}",
                status,
                g_ratio,
                f"≥ {MIN_OBSERVATIONS} observations, posterior/prior sd ≤ {PRIOR_RATIO}",
                reason,
                {
                    "mediator": med.name,
                    "type": med.kind,
                    "observations": n_obs,
                    "kpi_effect_prior_ratio": g_ratio,
                    "media_effect_prior_ratio": b_ratio,
                },
            )
        )
    return checks


def add_mediator_checks(health: HealthReport, post: Posterior) -> HealthReport:
    """``health`` with the mediator checks appended (overall status and summary recomputed)."""
    checks = list(health.checks) + mediator_checks(post)
    subject = "Health review (approximate fit)" if health.approximate else "Health review"
    return HealthReport(checks, worst([c.status for c in checks]), summarise(checks, subject), health.approximate)
