"""A spec's declared comparison, run as part of its fit: every member is a full NUTS fit of the same data
(registered as its own fit, linked to the parent), combined by the rule locked with the spec.

Rule ``stacking_loo``: PSIS-LOO of each member's pointwise KPI log-likelihood, then stacking weights (Yao,
Vehtari, Simpson & Gelman 2018, via ``arviz.compare(method="stacking")``): the weights of the mixture of the
members' predictive distributions that predicts left-out periods best. Stacking, not "pick the best": when two
curve families fit equally well, both keep weight and the combined ROI carries the curve uncertainty that a
single model's narrow interval hides.

The combined ROI is the mixture of the members' ROI draws in proportion to the weights
(:func:`mixture_indices`); the answers rebuild it from the members' stored draws at any interval.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mmm_core import ledger
from mmm_core.effects.intervals import summarize
from mmm_core.fit.records import FitOutcome, FitSettings
from mmm_core.ledger.fits import fit_record
from mmm_core.spec.comparison import BASE_MEMBER, ComparisonMember
from mmm_core.spec.media import Adstock, Saturation
from mmm_core.spec.schema import ModelSpec
from mmm_core.store import Store

PARETO_K_MAX = 0.7  # above it a point's PSIS estimate is unreliable (Vehtari et al. 2024, "Pareto smoothed IS")


def pareto_k_limit(n_draws: int) -> float:
    """The sample-size-dependent reliability threshold min(1 - 1/log10(S), 0.7) of Vehtari et al. (2024)."""
    return min(1.0 - 1.0 / np.log10(max(n_draws, 11)), PARETO_K_MAX)


@dataclass(frozen=True)
class FitSteps:
    """The fit job's own stages, handed in by ``fit.job`` (which calls this module; importing it back would be a
    cycle): sample, review, register, the error record of a failure, and the progress fraction to report at."""

    sample: Callable[..., Any]
    review: Callable[..., FitOutcome]
    register: Callable[..., None]
    error_dict: Callable[[BaseException], dict[str, Any]]
    progress_at: float


@dataclass(frozen=True)
class MemberResult:
    """One fitted member: its fit id, overrides, pointwise log-likelihood [chains, draws, N], ROI and
    contribution draws [S, C], and whether its own health review passed."""

    name: str
    fit_id: str
    overrides: dict[str, str]
    log_lik: np.ndarray
    roi: np.ndarray
    contribution: np.ndarray
    healthy: bool


def member_spec(spec: ModelSpec, member: ComparisonMember) -> ModelSpec:
    """The spec with the member's curve families on every channel. Priors that both families share (half-life,
    half-saturation, l_max) are kept; a prior only the new family has (Hill slope, peak delay) takes its spec
    default."""
    media = []
    for m in spec.media:
        update: dict[str, Any] = {}
        if member.saturation is not None and member.saturation != m.saturation.type:
            update["saturation"] = Saturation(type=member.saturation, half_saturation=m.saturation.half_saturation)
        if member.adstock is not None and member.adstock != m.adstock.type:
            update["adstock"] = Adstock(type=member.adstock, l_max=m.adstock.l_max, half_life=m.adstock.half_life)
        media.append(m.model_copy(update=update))
    return spec.model_copy(update={"media": media, "comparison": None})


def spec_of_fit(spec: ModelSpec, settings: dict[str, Any]) -> ModelSpec:
    """The model a stored fit actually is: the locked spec, or for a comparison member (its settings name the
    member) the spec with that member's families. Whatever rebuilds a fit's model from its spec goes through
    here, so a member's draws are never read through the parent's curves."""
    name = settings.get("member")
    if not name or spec.comparison is None:
        return spec
    member = next((m for m in spec.comparison.members if m.name == name), None)
    return spec if member is None else member_spec(spec, member)


def overrides_of(member: ComparisonMember) -> dict[str, str]:
    return {k: v for k, v in (("saturation", member.saturation), ("adstock", member.adstock)) if v is not None}


def log_lik_of(outcome: FitOutcome, data) -> np.ndarray:
    """[chains, draws, N] pointwise KPI log-likelihood of a NUTS outcome."""
    from mmm_core.engine.posterior import Posterior  # lazy: JAX, as in fit.job

    ll = Posterior.from_fit(outcome.result, data).kpi_log_likelihood()
    return ll.reshape(outcome.result.chains, outcome.result.draws, ll.shape[-1])


def member_result(name: str, fit_id: str, overrides: dict, outcome: FitOutcome, data) -> MemberResult:
    eff = outcome.effects
    return MemberResult(
        name,
        fit_id,
        overrides,
        log_lik_of(outcome, data),
        np.asarray(eff.roi, np.float64),
        np.asarray(eff.contribution_total, np.float64),
        outcome.health.get("overall") != "fail",
    )


ARVIZ_METHOD = {"stacking_loo": "stacking", "pseudo_bma_loo": "pseudo-BMA"}  # deterministic (no bootstrap)


def stacking_weights(members: list[MemberResult], rule: str = "stacking_loo") -> dict[str, dict[str, float]]:
    """Per member: the rule's ``weight`` (sum 1), ``elpd_loo`` with its ``se``, the difference to the best member
    ``elpd_diff`` with its ``dse``, ``p_loo`` and the number of points whose Pareto k exceeds
    :func:`pareto_k_limit` (LOO is unreliable there; stated, not hidden)."""
    import arviz as az  # lazy: ~1 s, only comparison fits need it

    datas = {}
    for m in members:
        n_chains, n_draws, _ = m.log_lik.shape
        datas[m.name] = az.from_dict(
            {"posterior": {"ll_mean": m.log_lik.mean(axis=-1)}, "log_likelihood": {"kpi": m.log_lik}},
        )
    with warnings.catch_warnings():  # ArviZ warns about high Pareto k; the count is recorded per member instead
        warnings.simplefilter("ignore", UserWarning)
        table = az.compare(datas, method=ARVIZ_METHOD[rule], round_to="none")  # "auto" rounds elpd to 2 digits
        loos = {m.name: az.loo(datas[m.name], pointwise=True) for m in members}
    out = {}
    for m in members:
        k = np.asarray(loos[m.name].pareto_k)
        limit = pareto_k_limit(m.log_lik.shape[0] * m.log_lik.shape[1])
        out[m.name] = {
            "weight": float(table.loc[m.name, "weight"]),
            "elpd_loo": float(table.loc[m.name, "elpd"]),
            "se": float(table.loc[m.name, "se"]),
            "elpd_diff": float(table.loc[m.name, "elpd_diff"]),
            "dse": float(table.loc[m.name, "dse"]),
            "p_loo": float(table.loc[m.name, "p"]),
            "pareto_k_high": int(np.sum(k > limit)),
            "pareto_k_limit": round(float(limit), 3),
            "n_points": int(k.size),
        }
    total = sum(v["weight"] for v in out.values())
    for v in out.values():  # the optimiser's weights sum to 1 up to rounding; make it exact
        v["weight"] = v["weight"] / total
    return out


def mixture_indices(weights: list[float], sizes: list[int], n: int) -> list[np.ndarray]:
    """Draw indices taken from each member for an ``n``-draw mixture: counts by largest remainder of
    ``weight × n``, indices evenly spaced through each member's draws (deterministic, no random seed)."""
    raw = np.asarray(weights, float) * n
    counts = np.floor(raw).astype(int)
    counts[np.argsort(-(raw - counts))[: n - counts.sum()]] += 1
    return [np.linspace(0, size - 1, c).round().astype(int) for c, size in zip(counts, sizes, strict=True)]


def mix(draws: list[np.ndarray], weights: list[float]) -> np.ndarray:
    """The weighted mixture of members' draws [S_m, ...] as one [S, ...] array (S = the largest member's)."""
    n = max(d.shape[0] for d in draws)
    idx = mixture_indices(weights, [d.shape[0] for d in draws], n)
    return np.concatenate([d[i] for d, i in zip(draws, idx, strict=True)])


def comparison_record(
    members: list[MemberResult], scores: dict, channels: list[str], rule: str, level: float, method: str
) -> dict[str, Any]:
    """What the parent fit stores (``health.comparison``): the rule, each member (fit id, overrides, weight,
    LOO, health, ROI) and the combined ROI and contribution at the spec's interval."""
    w = [scores[m.name]["weight"] for m in members]

    def per_channel(draws: np.ndarray) -> dict[str, Any]:
        return {ch: summarize(draws[:, c], level, method) for c, ch in enumerate(channels)}

    return {
        "rule": rule,
        "members": [
            {
                "name": m.name,
                "fit_id": m.fit_id,
                "overrides": m.overrides,
                "healthy": m.healthy,
                **scores[m.name],
                "roi": per_channel(m.roi),
            }
            for m in members
        ],
        "combined": {
            "roi": per_channel(mix([m.roi for m in members], w)),
            "contribution": per_channel(mix([m.contribution for m in members], w)),
        },
        "interval": {"level": level, "method": method},
    }


def attach_comparison(
    store: Store,
    parent_id: str,
    spec: ModelSpec,
    settings: FitSettings,
    parent: FitOutcome,
    data,
    report,
    steps: FitSteps,
) -> FitOutcome:
    """The parent's outcome with ``health["comparison"]``: the full comparison for a NUTS fit; for a quick fit
    a record saying it was not run and why (a Laplace approximation has no trustworthy LOO)."""
    if settings.quick:
        record: dict[str, Any] = {
            "rule": spec.comparison.rule,
            "status": "not_run",
            "reason": "quick mode: the comparison needs full NUTS fits of every member (fit without --quick)",
        }
    else:
        record = {"status": "done", **run_comparison(store, parent_id, spec, settings, parent, data, report, steps)}
    return replace(parent, health={**parent.health, "comparison": record})


def run_comparison(
    store: Store,
    parent_id: str,
    spec: ModelSpec,
    settings: FitSettings,
    parent: FitOutcome,
    data,
    report,
    steps: FitSteps,
) -> dict[str, Any]:
    """Fit every declared member (each registered as a fit linked to ``parent_id``), weigh them by the rule and
    return the comparison record for the parent's health."""
    members = [member_result(BASE_MEMBER, parent_id, {}, parent, data)]
    declared = spec.comparison.members
    for i, member in enumerate(declared):
        report(steps.progress_at, f"comparison member {i + 1}/{len(declared)}: {member.name}")
        members.append(_fit_member(store, parent_id, spec, member, settings, data, parent.gate, steps))
    report(steps.progress_at, f"comparison: PSIS-LOO weights ({spec.comparison.rule})")
    scores = stacking_weights(members, spec.comparison.rule)
    return comparison_record(
        members, scores, list(data.channels), spec.comparison.rule, settings.interval_level, settings.interval_method
    )


def _fit_member(store, parent_id, spec, member, settings, data, gate, steps: FitSteps) -> MemberResult:
    """One member: begin a fit of the same locked spec (its settings say which member and whose), sample,
    review, register. Its own failure fails the parent too (the comparison was declared: all or nothing)."""
    from mmm_core.engine import scale_data  # lazy: JAX, as in fit.job
    from mmm_core.fit.identifiability import prior_roi_draws  # lazy: JAX, as above
    from mmm_core.fit.inputs import model_config  # lazy: JAX, as above
    from mmm_core.fit.prior_check import prior_predictive  # lazy: JAX, as above

    t0 = time.perf_counter()
    link = {"parent_fit": parent_id, "member": member.name, **overrides_of(member)}
    parent_spec_id = fit_record(store, parent_id).spec_id
    fit_id = ledger.begin_fit(
        store, parent_spec_id, engine=settings.engine, mode=settings.mode, settings={**settings.to_dict(), **link}
    )
    try:
        config = model_config(member_spec(spec, member), data)
        scaled = scale_data(data, config)
        prior = prior_predictive(scaled, config, seed=settings.seed)
        quiet = lambda f, msg: None  # noqa: E731 - members report through the parent's progress line
        result = steps.sample(scaled, config, settings, quiet)
        outcome = steps.review(data, result, settings, gate, quiet, prior_roi_draws(prior, data.spend))
    except BaseException as exc:
        ledger.fail_fit(store, fit_id, steps.error_dict(exc))
        raise
    steps.register(store, fit_id, outcome, time.perf_counter() - t0)
    return member_result(member.name, fit_id, overrides_of(member), outcome, data)


__all__ = [
    "FitSteps",
    "MemberResult",
    "attach_comparison",
    "member_spec",
    "mix",
    "mixture_indices",
    "run_comparison",
    "spec_of_fit",
    "stacking_weights",
]
