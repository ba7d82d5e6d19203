"""The decision rule: recommend a move only when the posterior supports it, else say so and why.

An argmax over the posterior mean is not a decision: when the curves are uncertain it lands wherever the
noise puts the mean, and the paired P(better) of that point is often 0.6–0.8 (issue 15: P = 0.78, −5.1% on the
truth). The rule:

1. candidates: the straight path current → optimum (within the trust region, steps of ``1/STEPS``), the
   risk-aware moves of :mod:`mmm_core.optimizer.frontier` (maximisers of mean − λ·sd of the paired gain, and
   partial moves towards them; with a per-channel allowance also of the gain as this rule judges it, the judged
   moves) and its simple moves (swaps between two channels, one channel up or down), each
   scored against the current mix at this budget, paired by draw, with extrapolation widening (``explain.widen``);
2. a candidate qualifies when P(better) ≥ ``min_prob_better`` *and* the expected gain ≥ ``min_gain`` × the
   current mix's expected media KPI, judging each channel's change of contribution spread wider around its median
   by that channel's allowance for a model that is not the truth (:mod:`mmm_core.optimizer.allowance`: by what
   the data can pin of its curve); a quick fit, or a request with ``spread_factor``, judges the whole paired
   difference with one allowance instead (``APPROXIMATE_SPREAD``, the user's; see the constants below);
3. the recommendation is the qualifying candidate with the largest expected gain (the optimum itself, a partial
   step of the path, or a risk-aware move), or the current mix when none qualifies — with the reason: which
   channels' curves carry the uncertainty of the optimum's gain and what evidence would settle it.

Why the path is kept: when the posterior agrees on the optimum's direction the path reaches further than a
risk-averse point; why the risk-aware moves were added: P(better) is nearly the same at every step of one path
(the gain is first-order in the step), so when the optimum's direction relies on uncertain curves no step of it
passes, while another direction (the clearly starved channel alone) can.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mmm_core.optimizer.allowance import widen_by_channel
from mmm_core.optimizer.explain import summary
from mmm_core.optimizer.frontier import Candidate
from mmm_core.optimizer.response import Response
from mmm_core.optimizer.scenarios import Evaluation, evaluate

STEPS = 20  # path resolution: 5% of the move
# The rule judges the paired differences (plan − current, per draw) spread SPREAD times wider around their median.
# Why: a posterior is calibrated only if the model is right, and real truths are not our model (logistic vs Hill,
# spend collinear with seasonality, ...). Sized on bench/decision_quality.py's tuning seeds 0–4 only (7 generating
# processes × 2 budgets = 70 plans, full NUTS), with the risk-aware candidates — plans worse than the current mix
# on the truth / P(better) ≥ 0.9 moves truly better / share of the true uplift within the trust region captured:
#   spread 1: 16% / 81% / 50%;  1.5: 10% / 85% / 44%;  2: 0% / 100% / 38%;  3: 0% / 100% / 28%.
# It was the default until the per-channel allowance (``allowance``) replaced it: the smallest factor with no
# harmful plan on the tuning seeds, but one factor for all channels cannot tell a confident, wrong curve from a
# confident, right one. It remains the allowance of a response without identifiability evidence (hand-built).
SPREAD = 2.0
# An approximate (quick, Laplace) posterior is narrower than NUTS (at spread 1 it claimed P(better) 0.94 for a
# plan 1.4% worse on the near-optimal truth where NUTS kept the mix); it keeps the former, wider allowance.
APPROXIMATE_SPREAD = 3.0
LOW_VARIATION = 0.25  # coefficient of variation of a channel's weekly spend below which its curve is unpinned


@dataclass(frozen=True)
class Rule:
    """``enabled`` False = the plain argmax (the previous behaviour, kept for contrast and for known truths)."""

    enabled: bool = True
    min_prob_better: float = 0.9
    min_gain: float = 0.005
    spread: float = 1.0  # the rule judges differences spread this much wider around their median (see SPREAD)
    risk_aware: bool = True  # the risk-aware and simple moves of ``frontier`` are candidates (False: the path only)
    allowance: tuple[float, ...] | None = None  # per channel (``allowance``); when set it replaces ``spread``


@dataclass
class Decision:
    status: str  # "optimum" | "partial" | "risk_aware" | "keep"
    step: float
    cells: np.ndarray
    plan: Evaluation
    record: dict


def decide(
    r: Response,
    rule: Rule,
    reference: Evaluation,
    start_cells: np.ndarray,
    opt_cells: np.ndarray,
    allowed: Callable[[np.ndarray], bool] = lambda cells: True,
    extra: list[Candidate] | None = None,
) -> Decision:
    """Apply ``rule`` to the path from ``start_cells`` to ``opt_cells`` and the ``extra`` (risk-aware)
    candidates; ``reference`` is the current mix.

    ``start_cells`` is the current mix itself, or, when the user's bounds exclude it, the nearest allocation they
    allow; ``allowed`` says whether a candidate meets every constraint (a minimum total change can rule out the
    short steps). "Keep" is then the smallest allowed step."""
    optimum = evaluate(r, r.to_channels(opt_cells), "optimum", cells=opt_cells)
    base = float(np.mean(reference.total))
    threshold = rule.min_gain * abs(base)
    full = _score(optimum, reference, threshold, rule)
    start_is_current = bool(np.allclose(r.to_channels(start_cells), reference.amounts, rtol=1e-9, atol=1e-9))
    if not rule.enabled:
        record = _record(rule, "optimum", 1.0, full, full, threshold, base, start_is_current)
        return Decision("optimum", 1.0, opt_cells, optimum, record)
    steps = [k / STEPS for k in range(STEPS, -1, -1)]
    path = [Candidate(start_cells + t * (opt_cells - start_cells), None, t, "path") for t in steps]
    path = [c for c in path if c.step == 1.0 or allowed(c.cells)]
    moves = [c for c in path if c.step > 0] + [c for c in extra or [] if allowed(c.cells)]
    best = None  # the qualifying candidate with the largest expected gain
    for cand in moves:
        path_optimum = cand.kind == "path" and cand.step == 1.0
        ev = optimum if path_optimum else evaluate(r, r.to_channels(cand.cells), "recommended", cells=cand.cells)
        score = _score(ev, reference, threshold, rule)
        if score["qualifies"] and (best is None or score["gain"]["mean"] > best[2]["gain"]["mean"]):
            best = (cand, ev, score)
    if best is None:  # keep: the current mix itself (exactly), or the allowed point nearest to it
        cand = path[-1]
        exact = start_is_current and cand.step == 0.0
        ev = reference if exact else evaluate(r, r.to_channels(cand.cells), "recommended", cells=cand.cells)
        best, status = (cand, ev, _score(ev, reference, threshold, rule)), "keep"
    else:
        cand = best[0]
        status = "risk_aware" if cand.kind != "path" else "optimum" if cand.step == 1.0 else "partial"
    cand, plan, score = best
    record = _record(rule, status, cand.step, score, full, threshold, base, start_is_current)
    record |= {"risk_aversion": cand.risk_aversion, "move": cand.kind}
    if rule.allowance is not None:
        record["rule"]["allowance"] = dict(zip(r.channels, rule.allowance))
    if status != "optimum":
        record["why"] = why_not(r, optimum, reference, full, rule)
    return Decision(status, cand.step, cand.cells, plan, record)


def _score(plan: Evaluation, reference: Evaluation, threshold: float, rule: Rule) -> dict:
    delta = plan.total - reference.total
    if rule.allowance is not None:
        delta = widen_by_channel(delta, plan.per_channel - reference.per_channel, np.asarray(rule.allowance))
    elif rule.spread != 1.0:
        centre = np.median(delta)
        delta = centre + rule.spread * (delta - centre)
    p, gain = float(np.mean(delta > 0)), float(np.mean(delta))
    return {
        "prob_better": p,
        "gain": summary(delta),
        "qualifies": bool(p >= rule.min_prob_better and gain >= threshold and gain > 0),
    }


def _record(
    rule: Rule,
    status: str,
    step: float,
    chosen: dict,
    full: dict,
    threshold: float,
    base: float,
    start_is_current: bool,
) -> dict:
    def share(g: dict) -> float | None:
        return float(g["mean"] / base) if base else None

    return {
        "status": status,
        "rule": {
            "enabled": rule.enabled,
            "min_prob_better": rule.min_prob_better,
            "min_gain_share": rule.min_gain,
            "min_gain": threshold,
            "spread": rule.spread,
            "risk_aware": rule.risk_aware,
        },
        "step": step,
        "start_is_current": start_is_current,
        "prob_better": chosen["prob_better"],
        "gain": chosen["gain"],
        "gain_share": share(chosen["gain"]),
        "optimum": {"prob_better": full["prob_better"], "gain": full["gain"], "gain_share": share(full["gain"])},
        "summary": _summary(status, step, chosen, full, rule, threshold, start_is_current),
    }


def _sentence(status: str, step: float, chosen: dict, full: dict, rule: Rule, threshold: float) -> str:
    if status == "optimum":
        return (
            f"Recommended: the optimum beats the current mix with probability {chosen['prob_better']:.2f} and an "
            f"expected gain of {chosen['gain']['mean']:,.0f} (threshold {threshold:,.0f})."
        )
    if status == "risk_aware":
        return (
            f"Recommended: a cautious move the posterior agrees on — it beats the current mix with probability "
            f"{chosen['prob_better']:.2f} and an expected gain of {chosen['gain']['mean']:,.0f} (threshold "
            f"{threshold:,.0f}); the full optimum relies on uncertain curves (P(better) {full['prob_better']:.2f})."
        )
    if status == "partial":
        return (
            f"Recommended: {step:.0%} of the move towards the optimum — the largest step that beats the current "
            f"mix with probability ≥ {rule.min_prob_better:.2f} and a gain ≥ {threshold:,.0f}; the full move "
            f"has P(better) {full['prob_better']:.2f}."
        )
    return (
        f"Keep the current mix: no candidate move (towards the optimum or a risk-aware one) beats it with "
        f"probability ≥ {rule.min_prob_better:.2f} and an expected gain ≥ {threshold:,.0f} (the optimum: P(better) "
        f"{full['prob_better']:.2f}, expected gain {full['gain']['mean']:,.0f})."
    )


def _summary(status, step, chosen, full, rule, threshold, start_is_current: bool) -> str:
    text = _sentence(status, step, chosen, full, rule, threshold)
    if start_is_current:
        return text
    if status == "keep":
        text = text.replace("Keep the current mix", "Stay as close to the current mix as the limits allow", 1)
    return text + _OUTSIDE


_OUTSIDE = (
    " The current mix at this budget is outside the allowed limits (your bounds, the trust region or the observed "
    "spend range), so the recommendation is the allocation nearest to it that they allow."
)


def why_not(r: Response, optimum: Evaluation, reference: Evaluation, full: dict, rule: Rule) -> dict:
    """Which channels' curves make the optimum's gain uncertain, and what evidence would settle each."""
    diff = optimum.per_channel - reference.per_channel  # [S, C] contribution change per channel
    spread = diff.std(axis=0) * optimum.factor  # extrapolated channels count with their widened spread
    moved = optimum.amounts - reference.amounts
    order = [c for c in np.argsort(-spread) if abs(moved[c]) > 1e-3 * max(optimum.amounts.sum(), 1e-300)]
    total = float(np.sum(spread[order] ** 2)) or 1.0
    channels, acc = [], 0.0
    for c in order:
        channels.append(_channel_reason(r, c, moved[c], diff[:, c], optimum.factor[c], spread[c] ** 2 / total))
        acc += spread[c] ** 2 / total
        if acc >= 0.7:  # the channels that carry most of the gain's uncertainty
            break
    small = full["gain"]["mean"] < rule.min_gain * abs(float(np.mean(reference.total)))
    return {
        "gain_too_small": bool(small),
        "uncertain_channels": channels,
        "evidence": [c["evidence"] for c in channels],
    }


def _channel_reason(r: Response, c: int, moved: float, diff: np.ndarray, factor: float, share: float) -> dict:
    ch = r.channels[c]
    cv = None if r.spend_cv is None else float(r.spend_cv[c])
    if factor > 1.0 + 1e-6:
        evidence = (
            f"{ch}: the move takes it outside the spend levels observed; a test at that level (a few weeks or "
            "a geo holdout) would show whether the curve holds there."
        )
    elif cv is not None and cv < LOW_VARIATION:
        evidence = (
            f"{ch}: its weekly spend barely varied (coefficient of variation {cv:.2f}), so its curve is not "
            f"pinned by data; more variation in its spend (pulsed weeks) or a lift test on {ch} would settle it."
        )
    else:
        evidence = f"{ch}: a lift test on {ch} (e.g. a geo holdout) would pin its return near the current level."
    return {
        "channel": ch,
        "change": float(moved),
        "contribution_change": summary(diff),
        "prob_contribution_up": float(np.mean(diff > 0)),
        "share_of_uncertainty": float(share),
        "spend_cv": cv,
        "evidence": evidence,
    }
