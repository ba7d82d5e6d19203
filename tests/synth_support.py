"""A synthetic world (``mmm_core.synth``) as the engine's national ModelData, for engine-level tests."""

from __future__ import annotations

import numpy as np

from mmm_core.engine import ModelData
from mmm_core.synth.dgp import kpi


def national_data(w, **extra) -> ModelData:
    """ModelData of a national world ``w`` (arrays [G,T,...] → [T,G,...]); ``extra``: e.g. mediators."""
    return ModelData(
        periods=np.array(w.periods),
        geos=("national",),
        channels=tuple(w.channel_names),
        spend=w.spend.transpose(1, 0, 2),
        kpi=kpi(w).T,
        controls=w.controls.transpose(1, 0, 2),
        control_names=tuple(w.control_names),
        **extra,
    )
