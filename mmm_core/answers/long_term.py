"""Long-term answers from a stored fit: per channel short-, long- and total ROI and the long-term share, each
``{mean, median, sd, lo, hi}``, with the impulse response of base sales, the VAR's stability and the provenance of
the locked spec.

The draws come from the fit's long-term step (:mod:`mmm_core.fit.long_term`, stored as ``long_term.npz``).
``short_roi`` is summarised over every step-1 draw, exactly as the ROI answer does; ``long_roi``, ``total_roi``
and ``long_share`` over the joint draws (each VAR draw with the step-1 draw it was fitted on), explosive draws
excluded and counted in ``stability``. ``split`` labels whether the data pin the long share down (the mediation
answer's rule: its 90% interval at most 0.3 wide) and carries ``bound: "lower"``: the two-step design reads the
long share low (measured on the brand truth, seeds 0-2: TV 0.40-0.55 against 0.67, each seed low), so even an
identified share is stated as a lower bound.

Public API::

    long_term_answer(store, fit_id)   # {fit_id, channels{NAME: {short_roi, long_roi, total_roi, long_share}},
                                      #  horizon, interval, stability, provenance, ...}
"""

from __future__ import annotations

from typing import Any

from mmm_core import ledger
from mmm_core.answers import results
from mmm_core.answers.mediation import split_identification
from mmm_core.effects.intervals import summarize
from mmm_core.effects.long_term import LongTermDraws, load_long_term, long_term_table
from mmm_core.errors import MMMError
from mmm_core.fit import artifacts
from mmm_core.fit.long_term import ARTIFACT
from mmm_core.store import Store

__all__ = ["SPLIT_BOUND", "long_term_answer", "long_term_draws"]

SPLIT_BOUND = "lower"  # how a long share from the two-step design is to be read (module docstring)


def long_term_draws(store: Store, fit_id: str) -> LongTermDraws:
    """The fit's stored long-term draws; refused (with the fix) when its spec has no ``long_term`` block."""
    fit = results.succeeded_fit(store, fit_id)
    draws = load_long_term(artifacts.fit_dir(store, fit_id) / ARTIFACT)
    if draws is not None:
        return draws
    spec = ledger.get_spec(store, fit.spec_id).spec
    if getattr(spec, "long_term", None) is None:
        raise MMMError(
            f"The spec of fit {fit_id} ({fit.spec_id}) has no long_term block, so there is no long-term model.",
            "Draft one with `mmm-agent spec init DATASET --kpi K --brand-metrics A,B` (or amend the spec with a "
            "long_term block and a reason), lock it and fit again.",
            code="no_long_term",
        )
    raise MMMError(
        f"Fit {fit_id} has no stored long-term draws (it was fitted with an engine or a version without step 2).",
        "Fit the spec again with the default engine: `mmm-agent fit SPEC_ID`.",
        code="long_term_missing",
    )


def long_term_answer(
    store: Store, fit_id: str, interval: float | None = None, method: str | None = None, allow_unhealthy: bool = False
) -> dict[str, Any]:
    """Short-, long- and total ROI per channel with the long-term share (refuses an unhealthy fit unless allowed:
    an implausible long-term ROI fails the health review, so it is never presented as a finding)."""
    fit = results.decision_fit(store, fit_id, allow_unhealthy)
    draws = long_term_draws(store, fit_id)
    frame = results._frame(store, fit, interval, method)
    body = long_term_table(draws, frame["level"], frame["method"])
    eff = results.effect_draws(store, fit_id)
    for c, (name, entry) in enumerate(body["channels"].items()):
        if entry.get("summarised"):  # every step-1 draw, as the ROI answer
            entry["short_roi"] = summarize(eff.roi[:, eff.channel_index(name)], frame["level"], frame["method"])
            # The mediation answer's rule (one home): is the short/long split pinned down by the data? And which
            # way it leans whatever its width: step 1 counts the first weeks of a brand response as short-term
            # (its adstock cannot tell them from a short-term effect), so the long share reads low (SPLIT_BOUND).
            entry["split"] = split_identification(draws.long_share[draws.stable, c], True) | {"bound": SPLIT_BOUND}
    body["units"] = "KPI per unit of spend; long-term = base-sales response cumulated over the horizon"
    body["series"] = list(draws.series)
    body["var"] = draws.diagnostics
    return results._finish(store, frame, body)
