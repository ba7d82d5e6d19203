"""Which lift test to run next: every channel ranked by how much a test of a suggested design is expected to narrow
its ROI interval, with the design (cell spend change in money, periods, geographies) and its expected precision.

The figures come from the fit's own draws (``answers.lift_design``: design, the standard error from the KPI noise
the fit estimated, and a preposterior by importance reweighting — no refit). Ranking is by the expected share of
the 90 % ROI interval the test removes: scale-free, so a channel with a large ROI is not favoured for its units,
and a channel the data already identify gains little by construction. Each suggestion carries the channel's
identifiability label as the reason (why the data cannot pin it down) and the lift tests already calibrating it.

On request (``plan_value``) each suggestion also carries the value of its information for the budget decision
(``answers.plan_value``): how often the test's result would change the optimizer's recommended plan, and the KPI
the changed plan is expected to add. The ranking stays on the ROI interval (the uncertainty every budget answer
rests on, and cheap to compute); the plan value says which of the narrowings would matter for this budget.
"""

from __future__ import annotations

from typing import Any

from mmm_core import ledger
from mmm_core.answers.identifiability import NOT_ASSESSED, channel_labels
from mmm_core.answers.lift_design import LEVEL, LiftDesign, Preposterior, design_for, lift_draws, lift_se, preposterior
from mmm_core.answers.results import decision_fit, effect_draws, load_posterior, provenance
from mmm_core.effects.draws import period_labels
from mmm_core.errors import MMMError
from mmm_core.fit import artifacts
from mmm_core.store import Store

DEFAULT_PERIODS = 6
METHOD_NOTE = (
    "Preposterior on the fit's draws: each test simulated from a posterior draw with the design's standard error "
    "(√2 × the KPI noise the fit estimated over the measured periods and cell geographies), the draws reweighted by "
    "its likelihood; ranked by the expected share of the 90% ROI interval removed. With --plan-value, also how often "
    "the test would change the optimizer's recommended plan and the KPI that change is expected to add."
)


def suggest_experiments(
    store: Store, fit_id: str, periods: int = DEFAULT_PERIODS, allow_unhealthy: bool = False, plan_value: bool = False
) -> dict[str, Any]:
    """Every channel of the fit, best test first (module docstring). ``periods``: the test's length.
    ``plan_value``: also how often each test would change the optimizer's recommended plan and the KPI it is
    expected to add (``answers.plan_value``; a minute or so of optimizer runs)."""
    if periods < 1:
        raise MMMError(f"A test of {periods} periods is not a test.", "Give --weeks N with N ≥ 1.", code="usage")
    fit = decision_fit(store, fit_id, allow_unhealthy)
    meta = artifacts.load_meta(artifacts.fit_dir(store, fit_id))
    post = load_posterior(store, fit_id)
    eff = effect_draws(store, fit_id)
    if eff.n_draws != post.n_draws:  # both are stored from one posterior; a mismatch means a damaged fit folder
        raise MMMError(
            f"Fit {fit_id}'s effect draws ({eff.n_draws}) do not match its posterior draws ({post.n_draws}).",
            "Re-run the fit.",
            code="fit_artifacts_mismatch",
        )
    labels = channel_labels(fit.health)
    tests = ledger.chain(store, fit.spec_id)[-1].spec.experiments
    labels_periods = period_labels(post.data.periods)
    rows, skipped, designs = [], [], []
    for c, channel in enumerate(post.data.channels):
        if eff.spend_total[c] <= 0:  # no spend, no ROI: nothing a test of the model could narrow
            skipped.append(channel)
            continue
        design = design_for(post, c, periods)
        prepost = preposterior(eff.roi[:, c], lift_draws(post, design), lift_se(post, design))
        used = [e.experiment_id for e in tests if e.channel == channel]
        label = labels.get(channel, dict(NOT_ASSESSED))
        rows.append(_row(design, prepost, label, used, labels_periods))
        designs.append((design, prepost.lift_se))
    plan = None
    if plan_value:
        from mmm_core.answers.plan_value import plan_value as value_of  # lazy: the optimizer (JAX), opt-in only

        values, plan = value_of(post, [d for d, _ in designs], [se for _, se in designs])
        for row, value in zip(rows, values, strict=True):
            row["plan_value"] = value
    rows.sort(key=lambda r: -r["precision"]["expected_narrowing"])
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    body = {"dataset_id": fit.dataset_id, "level": LEVEL, "periods": periods, "method": METHOD_NOTE}
    return {
        "fit_id": fit_id,
        **body,
        "suggestions": rows,
        "without_spend": skipped,
        **({"plan": plan} if plan is not None else {}),
        "approximate": bool(meta.get("approximate")),
        "label": meta.get("label"),
        "provenance": provenance(store, fit.spec_id),
    }


def _row(
    design: LiftDesign, p: Preposterior, label: dict[str, Any], used: list[str], periods: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "channel": design.channel,
        "reason": _reason(label, used, p),
        "identifiability": label,
        "calibrated_by": used,
        "design": {
            "type": design.kind,
            "geographies": list(design.geographies),
            "spend_change": round(design.spend_change, 2),
            "periods": design.end - design.start + 1,
            "measured_periods": design.until - design.start + 1,
            "simulated_window": {"start": periods[design.start], "end": periods[design.end]},
            "measured_until": periods[design.until],
        },
        "precision": {
            "lift_predicted": p.lift_predicted,
            "lift_sd": p.lift_sd,
            "lift_se": p.lift_se,
            "roi_median": p.roi_median,
            "roi_interval_before": list(p.interval_before),
            "roi_width_before": p.width_before,
            "roi_expected_width_after": p.expected_width_after,
            "roi_sd_before": p.sd_before,
            "roi_expected_sd_after": p.expected_sd_after,
            "expected_narrowing": p.narrowing,
            "effective_draws": p.effective_draws,
            "method": p.method,
        },
    }


def _reason(label: dict[str, Any], used: list[str], p: Preposterior) -> str:
    """Why this channel is (or is not) worth testing, from its identifiability label and the expected gain."""
    status = label.get("status")
    if status == "prior":
        why = "its ROI is prior-dominated: the data barely moved it from the prior"
    elif status == "weak":
        why = f"it is {label.get('label')}: the data cannot separate its effect well"
    elif status == "identified":
        why = "the data already identify it"
    else:
        why = "its identifiability was not assessed"
    if used:
        why += f"; already calibrated by {', '.join(used)}"
    gain = f"a test is expected to remove {p.narrowing:.0%} of its {LEVEL:.0%} ROI interval"
    if p.lift_sd < p.lift_se:
        gain += " (the test's noise exceeds the model's uncertainty about its lift: a larger or longer test reads more)"
    return f"{why[0].upper()}{why[1:]}; {gain}."


__all__ = ["DEFAULT_PERIODS", "suggest_experiments"]
