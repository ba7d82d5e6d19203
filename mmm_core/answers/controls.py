"""Which controls matter: per control of a stored fit, its class, its effect with an interval, and — for controls
under selection — the shrinkage factor (horseshoe) or the posterior inclusion probability (spike-and-slab, lasso)
with a verdict ("kept" / "shrunk to ~0").

Effects are in the model's control unit: the change of the KPI for one standard deviation of the control, as a
share of mean KPI (``gamma_control``). Inclusion per draw is the engine's ``control_inclusion`` site (see
``mmm_core.engine.controls``), read from the fit's stored posterior.

Public API::

    controls(store, fit_id)   # {fit_id, controls{NAME: {...}}, selection, interval, provenance, ...}
    control_rows(gamma, inclusion, classes, selection, level, method)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mmm_core import ledger
from mmm_core.answers import results
from mmm_core.effects.intervals import interval_info, summarize
from mmm_core.errors import MMMError, NotFoundError
from mmm_core.fit import artifacts
from mmm_core.spec.controls import CLASS_MEANING, expected_nonzero, selected_names
from mmm_core.store import Store

# A selected control is "kept" when its posterior mean inclusion (1 - kappa for the horseshoe) is at least one half:
# the data carry more of its coefficient than the prior shrinks away (Piironen & Vehtari's reading of kappa).
KEEP_AT = 0.5
KEPT, SHRUNK = "kept", "shrunk to ~0"
# A Laplace / ADVI approximation cannot represent a sparsity posterior (spike at 0, heavy tails): on
# sparse_controls quick mode gave kappa ≈ 0.07 for all 20 controls, true and null alike. Its numbers are shown,
# its verdicts are not given.
NOT_JUDGED = "not judged (approximate fit: refit with NUTS)"
MEASURE = {"horseshoe": "shrinkage", "spike_slab": "inclusion_probability", "lasso": "inclusion_probability"}
UNITS = "share of mean KPI per standard deviation of the control"

__all__ = ["KEEP_AT", "KEPT", "NOT_JUDGED", "SHRUNK", "controls", "control_rows"]


def _verdict(inclusion: float | None, cls: str | None, approximate: bool) -> str:
    if inclusion is None:
        return f"always in ({cls or 'unclassified'})"
    if approximate:
        return NOT_JUDGED
    return KEPT if inclusion >= KEEP_AT else SHRUNK


def control_rows(
    gamma: np.ndarray,
    inclusion: np.ndarray | None,
    names: list[str],
    classes: list[str | None],
    selected: list[str],
    method: str | None,
    level: float,
    interval_method: str,
    approximate: bool = False,
) -> dict[str, dict[str, Any]]:
    """Per control: ``{class, meaning, selected, effect{mean, median, sd, lo, hi}, shrinkage | inclusion_probability,
    verdict}``. ``gamma`` and ``inclusion`` are draws [S, K] in ``names`` order (inclusion None without selection);
    ``approximate`` (a quick fit) withholds the verdicts of selected controls."""
    out = {}
    for k, (name, cls) in enumerate(zip(names, classes, strict=True)):
        chosen = name in selected and inclusion is not None
        inc = float(np.mean(inclusion[:, k])) if chosen else None
        row: dict[str, Any] = {
            "class": cls,
            "meaning": CLASS_MEANING[cls],
            "selected": chosen,
            "effect": summarize(gamma[:, k], level, interval_method),
        }
        if chosen and method == "horseshoe":
            row["shrinkage"] = 1.0 - inc  # kappa: 1 = shrunk entirely to 0, 0 = left as the data say
        elif chosen:
            row["inclusion_probability"] = inc
        row["verdict"] = _verdict(inc, cls, approximate)
        out[name] = row
    return out


def _inclusion_draws(store: Store, fit_id: str) -> np.ndarray:
    """``control_inclusion`` [S, K] from the fit's stored posterior (chains merged)."""
    from mmm_core.engine.controls import INCLUSION_SITE  # lazy: the engine package imports JAX (~0.7 s)

    folder = artifacts.fit_dir(store, fit_id)
    if not (folder / artifacts.POSTERIOR_NC).exists():
        raise NotFoundError(
            f"Fit {fit_id} has no stored posterior ({artifacts.POSTERIOR_NC}), where control inclusion is kept.",
            "Re-run the fit; its artifact folder is incomplete.",
            code="artifact_missing",
        )
    x = np.asarray(artifacts.load_idata(folder).posterior[INCLUSION_SITE])
    return x.reshape((-1,) + x.shape[2:])


def controls(
    store: Store, fit_id: str, interval: float | None = None, method: str | None = None, allow_unhealthy: bool = False
) -> dict[str, Any]:
    """Every control's class, effect and — under selection — shrinkage or inclusion, with a verdict.

    Refuses a fit without controls, and a fit that failed its health review unless ``allow_unhealthy``."""
    fit = results.decision_fit(store, fit_id, allow_unhealthy)
    spec = ledger.get_spec(store, fit.spec_id).spec
    if not spec.controls:
        raise MMMError(
            f"The spec of fit {fit_id} ({fit.spec_id}) has no controls, so there is nothing to select or report.",
            "Add controls to the spec (spec amend with a reason) and fit again.",
            code="no_controls",
        )
    frame = results._frame(store, fit, interval, method)
    if spec.outcomes is not None:  # several KPIs: each outcome has its own coefficients (no selection there)
        return results._finish(store, frame, _multi_body(store, fit_id, spec, frame))
    gamma = artifacts.load_samples(artifacts.fit_dir(store, fit_id))["gamma_control"]
    sel = spec.control_selection
    chosen = selected_names(spec.controls, sel) if sel else []
    inclusion = _inclusion_draws(store, fit_id) if sel else None
    rows = control_rows(
        gamma,
        inclusion,
        [c.name for c in spec.controls],
        [c.class_ for c in spec.controls],
        chosen,
        sel.method if sel else None,
        frame["level"],
        frame["method"],
        frame["approximate"],
    )
    body = {
        "controls": rows,
        "selection": _selection_block(sel, chosen, rows),
        "units": UNITS,
        "interval": interval_info(frame["level"], frame["method"]),
        "n_draws": int(gamma.shape[0]),
    }
    return results._finish(store, frame, body)


def _multi_body(store: Store, fit_id: str, spec, frame: dict[str, Any]) -> dict[str, Any]:
    """A multi-outcome fit's controls: per control its class and, per outcome it enters, its effect in that
    outcome's units (``o{k}/gamma_control``: one sd as a share of that outcome's mean). ``effect`` is None — one
    number would mix outcomes; a multi spec refuses control selection, so every control is always in."""
    from mmm_core.engine.multi_model import outcome_prefix  # lazy: the engine package imports JAX (~0.7 s)

    samples = artifacts.load_samples(artifacts.fit_dir(store, fit_id))
    names = [c.name for c in spec.controls]
    rows = {
        c.name: {"class": c.class_, "meaning": CLASS_MEANING[c.class_], "selected": False, "effect": None}
        for c in spec.controls
    }
    for row in rows.values():
        row["verdict"] = _verdict(None, row["class"], False)
        row["outcomes"] = {}
    n_draws = 0
    for k, outcome in enumerate(spec.outcomes.names):
        own = spec.outcomes.controls_of(outcome, names)
        gamma = np.asarray(samples[f"{outcome_prefix(k)}/gamma_control"], float)
        n_draws = int(gamma.shape[0])
        for j, name in enumerate(own):
            rows[name]["outcomes"][outcome] = summarize(gamma[:, j], frame["level"], frame["method"])
    return {
        "controls": rows,
        "selection": None,
        "outcomes": list(spec.outcomes.names),
        "units": UNITS.replace("mean KPI", "the outcome's mean"),
        "interval": interval_info(frame["level"], frame["method"]),
        "n_draws": n_draws,
    }


def _selection_block(sel, chosen: list[str], rows: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """The selection's settings and outcome: kept and shrunk controls, and the effective number of non-zero ones
    (the sum of mean inclusions; for the horseshoe, Piironen & Vehtari's m_eff) beside the prior guess."""
    if sel is None:
        return None
    kept = [n for n in chosen if rows[n]["verdict"] == KEPT]
    judged = all(rows[n]["verdict"] != NOT_JUDGED for n in chosen)
    measure = MEASURE[sel.method]
    inclusion = [1.0 - rows[n][measure] if measure == "shrinkage" else rows[n][measure] for n in chosen]
    return {
        "method": sel.method,
        "measure": measure,
        "controls": chosen,
        "expected_nonzero": expected_nonzero(sel, len(chosen)) if sel.method == "horseshoe" else None,
        "prior_inclusion": sel.prior_inclusion if sel.method == "spike_slab" else None,
        "effective_nonzero": float(np.sum(inclusion)),
        "kept": kept,
        "shrunk": [n for n in chosen if rows[n]["verdict"] == SHRUNK],
        "judged": judged,
        "keep_rule": f"kept when the posterior mean inclusion (1 - shrinkage) is at least {KEEP_AT:g}",
    }
