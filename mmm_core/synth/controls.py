"""Synthetic worlds for control selection (issue 22): many candidate controls of which few matter, and a
confounder that drives both media spend and the KPI.

``sparse_controls``: 156 weeks, national, the four ``national_small`` channels and 20 candidate *precision*
controls (they move the KPI, never spend): 3 matter (``SPARSE_TRUE``), 17 have no effect at all. A selection
prior must keep the 3, shrink the 17, and leave the media ROIs where they were.

``confounded_control``: the same channels with ``Distribution`` as a confounder: every channel's spend rises with
distribution (spend × exp(``CONFOUNDER_ELASTICITY`` × its standardised value), as a brand spends more where it is
stocked) and distribution lifts sales. Dropping it from the model hands its effect to media — the reason the spec
refuses to put a confounder under selection. Two nuisance precision controls sit beside it.

The confounder acts through :func:`confound_spend`, called by ``synth.dgp.simulate`` before calibration, so the
true ROIs still hold exactly for the confounded spend. The controls are (name, kind, effect) rows of
``synth.presets.ControlSpec``; ``synth.presets`` builds the two presets from them.
"""

from __future__ import annotations

import numpy as np

# The three controls that matter in ``sparse_controls`` (effect per typical unit, share of the intercept). Against the
# oracle residual (true media and baseline removed) their t is 3.9-7.1 on data seeds 0-2, while by chance a null
# control reaches |t| 2.3-2.7 in each seed: the honest difficulty of real candidate lists.
SPARSE_TRUE = (
    ("Consumer_Confidence", "index", 0.05),
    ("Sports_Final", "event", 0.15),
    ("Gas_Price", "index", -0.04),
)
# Seventeen candidates with no effect: mean-reverting indices and 0/1 events, the shapes real candidate lists have.
_NULL_INDEX = (
    "Rainfall",
    "Pollen",
    "Wind",
    "Humidity",
    "Sunshine",
    "Fuel_Index",
    "Unemployment_Claims",
    "Stock_Index",
    "Traffic_Index",
    "Flu_Index",
    "Footfall_Index",
    "Mobility_Index",
)
_NULL_EVENT = ("School_Break", "Local_Election", "Festival", "Road_Works", "Concert")
SPARSE_NULL = tuple((n, "index", 0.0) for n in _NULL_INDEX) + tuple((n, "event", 0.0) for n in _NULL_EVENT)

SPARSE_DESCRIPTION = "156 weeks, national, 4 channels, 20 candidate precision controls of which 3 matter"

CONFOUNDER = "Distribution"
CONFOUNDER_ELASTICITY = 0.3  # log spend per standard deviation of the confounder: ±30% swings, as seen in CPG data

CONFOUNDED = ((CONFOUNDER, "index", 0.08), ("Rainfall", "index", 0.0), ("Festival", "event", 0.0))
CONFOUNDED_DESCRIPTION = "156 weeks, national, 4 channels; Distribution drives both spend and sales, 2 null controls"
CONFOUNDED_EXTRA = {"confounder": CONFOUNDER, "elasticity": CONFOUNDER_ELASTICITY}


def confound_spend(preset, spend: np.ndarray, controls: np.ndarray) -> np.ndarray:
    """Spend ``[G, T, C]`` scaled by the preset's confounder (unchanged for a preset without one): every channel's
    spend × exp(elasticity × standardised confounder), rounded to cents like every spend the generator writes.
    ``preset``: a ``synth.presets.Preset`` (this module is a leaf below it, so it is not imported here)."""
    name = preset.extra.get("confounder")
    if name is None:
        return spend
    k = [c.name for c in preset.controls].index(name)
    x = controls[:, :, k]
    z = (x - x.mean()) / x.std()
    return np.round(spend * np.exp(float(preset.extra["elasticity"]) * z)[:, :, None], 2)


__all__ = ["CONFOUNDED", "CONFOUNDER", "SPARSE_NULL", "SPARSE_TRUE", "confound_spend"]
