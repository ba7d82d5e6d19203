"""Control classes and Bayesian control selection in a spec, with the causal rule that decides what may be selected.

Each control may carry a ``class`` (causal role):

- ``precision``: moves the KPI but not media spend (weather, fuel prices, minor events). Leaving it out costs only
  precision, so a selection prior may shrink it to ~0.
- ``confounder``: drives media spend *and* the KPI (distribution, price, competitor media). Shrinking it hands its
  effect to the media it moves with and biases every ROI, so it is always in the model.
- ``core``: part of the baseline structure (a structural break, a store-count step); always in.
- ``mediator``: on the media → KPI path (awareness, traffic). Always in; as a control it absorbs the part of media
  effects that flows through it (declare it under ``mediators`` to split direct and indirect effects).

A control without a class is in the model with the plain prior, as before classes existed, and is never selected.

``control_selection`` puts a sparsity prior on precision controls only (by default on all of them):
``spike_slab`` (continuous spike-and-slab; ``prior_inclusion``; the default: cheapest and sharpest on chance
controls), ``horseshoe`` (regularized horseshoe; ``expected_nonzero`` is the prior guess of how many matter) or
``lasso`` (Bayesian LASSO). Naming any other control is refused with the reason. Both fields are omitted from the
canonical JSON when absent, so specs locked before them keep their hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

from pydantic import Field, model_validator

from mmm_core.engine.config import ControlSelectionConfig
from mmm_core.spec.media import StrictModel

ControlClass = Literal["precision", "confounder", "core", "mediator"]


class Classified(Protocol):
    """A spec control as this module reads it (``mmm_core.spec.schema.Control``, which imports this module)."""

    name: str
    class_: str | None


SELECTABLE = "precision"

# Why a control of each class is never selected: the refusal names the control and gives this reason.
NOT_SELECTABLE = {
    "confounder": "a confounder drives media spend as well as the KPI; a selection prior may shrink it to ~0, which "
    "hands its effect to the media it moves with and biases every media effect, so confounders always stay in",
    "core": "a core component is part of the baseline structure (like trend and seasonality) and always stays in",
    "mediator": "a mediator lies on the media → KPI path; shrinking it changes what the media effects mean, so "
    "mediators always stay in",
    None: "it has no class; selection applies only to controls declared `class: precision` (they move the KPI but "
    "not media spend)",
}

# The analyst-facing meaning of each class (reports, `controls` answers).
CLASS_MEANING = {
    "precision": "moves the KPI, not media spend: may be selected",
    "confounder": "drives media spend and the KPI: always in (dropping it would bias media effects)",
    "core": "baseline structure: always in",
    "mediator": "on the media → KPI path: always in, absorbs the media effect that flows through it",
    None: "unclassified: always in, plain prior",
}


class ControlSelection(StrictModel):
    """Bayesian selection over precision controls. Effects are in shares of mean KPI per control sd."""

    # Default spike_slab, measured on sparse_controls (20 candidates, 3 matter; seeds 0-2, 2 x 500 draws): both
    # priors sample with 0 divergences, the spike-and-slab at 16-20 leapfrog steps per draw against the horseshoe's
    # 38-48; its chance nulls stay at 0.08 or below where the data separate them (horseshoe: up to 0.57 and 0.71,
    # keeping 1-2 nulls per seed). Its one miss is a tie in the data (seed 1: Sports_Final 0.26 beside a null with
    # the same evidence), which the horseshoe keeps (0.85) along with the null. Figures in the README.
    method: Literal["horseshoe", "spike_slab", "lasso"] = Field(
        "spike_slab",
        description="'spike_slab' (continuous spike-and-slab: a posterior inclusion probability per control; "
        "the sharpest verdicts on controls that do not matter), 'horseshoe' (regularized horseshoe: a shrinkage "
        "factor per control; keeps a real control the data cannot tell from a chance one, at the cost of "
        "keeping some chance ones and ~2.5x the sampling work) or 'lasso' (Bayesian LASSO, many small effects). "
        "Default 'spike_slab'.",
    )
    controls: list[str] = Field(
        default_factory=list,
        description="Controls to select among; each must be declared `class: precision`. Default: every "
        "precision control.",
    )
    expected_nonzero: float | None = Field(
        None,
        gt=0,
        description="Horseshoe: how many of the selected controls you expect to matter (sets the global scale, "
        "Piironen & Vehtari). Default min(3, half of them). Must be below their number.",
    )
    slab_scale: float = Field(
        0.3,
        gt=0,
        description="Prior sd of a kept control's effect (share of mean KPI per control sd); the plain control "
        "prior's scale. Default 0.3.",
    )
    slab_df: float = Field(4.0, gt=0, description="Horseshoe slab degrees of freedom (2: heavier tails). Default 4.")
    prior_inclusion: float = Field(
        0.3, gt=0, lt=1, description="Spike-and-slab: prior probability that a control matters. Default 0.3."
    )
    negligible: float = Field(
        0.005,
        gt=0,
        description="Effect size that counts as ~0 (share of mean KPI per control sd): the spike's scale and the "
        "lasso's inclusion threshold. Default 0.005 (half a percent of mean KPI per sd).",
    )

    @model_validator(mode="after")
    def _sorted(self) -> ControlSelection:
        if len(set(self.controls)) != len(self.controls):
            raise ValueError("a control is listed twice in control_selection.controls")
        object.__setattr__(self, "controls", sorted(self.controls))  # order carries no meaning
        return self


def selected_names(controls: Sequence[Classified], selection: ControlSelection) -> list[str]:
    """The controls under selection: those named, or every precision control."""
    return list(selection.controls) or [c.name for c in controls if c.class_ == SELECTABLE]


def selection_problems(controls: Sequence[Classified], selection: ControlSelection | None) -> list[str]:
    """Why this selection cannot be honoured (empty when it can): unknown or non-precision controls, nothing to
    select, an expected non-zero count for a method other than the horseshoe, or one not below the number
    selected."""
    if selection is None:
        return []
    by_name = {c.name: c for c in controls}
    problems = [
        f"control_selection.controls names {n!r}, which is not a control of this spec"
        for n in selection.controls
        if n not in by_name
    ]
    for name in selection.controls:
        cls = by_name[name].class_ if name in by_name else SELECTABLE
        if cls != SELECTABLE:
            what = f"declared a {cls}" if cls else "unclassified"
            problems.append(f"control {name!r} cannot be selected: it is {what}, and {NOT_SELECTABLE[cls]}")
    chosen = selected_names(controls, selection)
    if not chosen:
        problems.append(
            "control_selection has no control to select: declare the controls that move the KPI but not media "
            "spend as `class: precision`, or remove control_selection"
        )
    if selection.expected_nonzero is not None and selection.method != "horseshoe":
        problems.append(
            f"control_selection.expected_nonzero applies to the horseshoe only, and the method is "
            f"{selection.method!r}{' (the default)' if 'method' not in selection.model_fields_set else ''}: set "
            "`method: horseshoe`, or drop expected_nonzero (the spike-and-slab's guess is prior_inclusion)"
        )
    elif chosen and selection.method == "horseshoe" and expected_nonzero(selection, len(chosen)) >= len(chosen):
        problems.append(
            f"control_selection.expected_nonzero ({selection.expected_nonzero:g}) must be below the {len(chosen)} "
            "selected control(s)"
        )
    return problems


def expected_nonzero(selection: ControlSelection, n_selected: int) -> float:
    """The stated guess, or min(3, half the selected controls)."""
    return float(selection.expected_nonzero) if selection.expected_nonzero else min(3.0, n_selected / 2)


def selection_config(spec: Any) -> ControlSelectionConfig | None:
    """A ``ModelSpec``'s selection in the engine's terms (control indices in the spec's control order)."""
    sel = spec.control_selection
    if sel is None:
        return None
    names = [c.name for c in spec.controls]
    chosen = selected_names(spec.controls, sel)
    return ControlSelectionConfig(
        method=sel.method,
        selected=tuple(names.index(n) for n in chosen),
        expected_nonzero=expected_nonzero(sel, len(chosen)),
        slab_scale=float(sel.slab_scale),
        slab_df=float(sel.slab_df),
        prior_inclusion=float(sel.prior_inclusion),
        negligible=float(sel.negligible),
    )


__all__ = [
    "CLASS_MEANING",
    "NOT_SELECTABLE",
    "ControlClass",
    "ControlSelection",
    "expected_nonzero",
    "selected_names",
    "selection_config",
    "selection_problems",
]
