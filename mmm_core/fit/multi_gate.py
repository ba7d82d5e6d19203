"""The pre-fit gate of a multi-outcome spec (issue 22): the single-KPI gate (``fit.gate.run_gate``, its prior
predictive from ``fit.prior_check``) run on each outcome's own model, the reports merged.

Each outcome is gated as the single-outcome model the joint one is built from: its data (``MultiData.
outcome_data``: its KPI, its own controls), its scaled inputs (``MultiScaled.outcomes[k]``, exactly what a single
fit scales) and its config (``config_for``: its ROI priors and controls). What this leaves out is what the joint
model adds — cross-effects (``kappa · m_t · D_source``, bounded by the source's driven part and a prior scale of
0.3) and correlated residuals — which move an outcome's prior predictive little against its own media, trend and
noise, and are judged by the health review after the fit.

Merging: a check that says the same thing for every outcome (spend, collinearity, controls: the outcomes share
them) is reported once; one that differs is reported per outcome as ``name[outcome]``. The gate blocks when any
outcome's does.
"""

from __future__ import annotations

import dataclasses

from mmm_core.errors import GateError
from mmm_core.fit.checks import Check, summarise
from mmm_core.fit.gate import GateReport, run_gate
from mmm_core.fit.prior_check import n_parameters, prior_predictive


def multi_gate(data, sd, config, seed: int = 0) -> GateReport:
    """The merged gate report of ``MultiData`` / ``MultiScaled`` / ``MultiOutcomeConfig``."""
    n_ctrl = sd.n_controls
    per: dict[str, list[Check]] = {}
    for k, name in enumerate(config.outcomes):
        own, scaled, cfg = data.outcome_data(k, config), sd.outcomes[k], config.config_for(k, n_ctrl)
        report = run_gate(
            own.spend,
            own.kpi,
            own.kpi_mask,
            own.controls,
            own.channels,
            own.control_names,
            n_parameters(scaled, cfg),
            prior_predictive(scaled, cfg, seed=seed),
            model_inputs=(scaled.spend, scaled.kpi),
        )
        per[name] = report.checks
    checks = merge_checks(per)
    blocking = any(c.status == "fail" for c in checks)
    head = "Gate: BLOCKED" if blocking else "Gate: clear to fit"
    return GateReport(checks, blocking, summarise(checks, f"{head} ({len(per)} outcomes)"))


def merge_checks(per: dict[str, list[Check]]) -> list[Check]:
    """One check where every outcome's says the same (status and reason), else one per outcome, suffixed."""
    names = list(dict.fromkeys(c.name for checks in per.values() for c in checks))
    out = []
    for name in names:
        found = {o: c for o, checks in per.items() for c in checks if c.name == name}
        same = len(found) == len(per) and len({(c.status, c.reason) for c in found.values()}) == 1
        if same:
            out.append(next(iter(found.values())))
        else:
            out += [dataclasses.replace(c, name=f"{c.name}[{o}]") for o, c in found.items()]
    return out


def refuse_if_blocked(gate: GateReport) -> None:
    """Raise the single fit's ``gate_blocked`` error (with the report as detail) when the gate blocks."""
    if not gate.blocking:
        return
    hint = " ".join(f"{c.name}: {c.reason}" for c in gate.checks if c.status == "fail") or "See the gate checks."
    raise GateError(f"The pre-fit gate stopped the fit: {gate.summary}", hint, code="gate_blocked").with_detail(
        {"gate": gate.to_dict()}
    )


__all__ = ["merge_checks", "multi_gate", "refuse_if_blocked"]
