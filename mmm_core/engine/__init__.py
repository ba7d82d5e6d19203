"""The NumPyro/JAX MMM engine (primary) and the pymc-marketing engine (second opinion, benchmark baseline).

Importing this package changes nothing outside it: no environment variable, no JAX option, no folder. Entry
points call ``mmm_core.engine.setup.setup()`` once, before the first JAX computation, for parallel chains (host
devices) and the persistent compilation cache; without it the engine still works, with chains vectorised on
one device and no disk cache.

Public API::

    from mmm_core.engine import ModelData, ModelConfig, scale_data, sample_nuts, sample_quick, predict
    from mmm_core.engine.setup import setup

The names below resolve on first use (PEP 562), which is the one place JAX is imported lazily on purpose:
every CLI command runs ``setup()`` from ``mmm_core.engine.setup`` before it starts, and importing that module
runs this file; eager imports here would load JAX and NumPyro (~1 s) into commands that never compute. Once a
name is used, its module is imported whole, at its top, as everywhere else in mmm_core.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ModelConfig": "mmm_core.engine.config",
    "EngineConfigError": "mmm_core.engine.config",
    "ModelData": "mmm_core.engine.data",
    "ScaledData": "mmm_core.engine.data",
    "scale_data": "mmm_core.engine.data",
    "mmm_model": "mmm_core.engine.model",
    "predict": "mmm_core.engine.model",
    "PARAM_KEYS": "mmm_core.engine.model",
    "sample_nuts": "mmm_core.engine.sampling",
    "sample_quick": "mmm_core.engine.quick",
    "FitResult": "mmm_core.engine.result",
    "APPROXIMATE_LABEL": "mmm_core.engine.result",
    # pymc_engine imports pymc-marketing (an optional extra) only inside the fit, so this import is light.
    "fit_pymc_marketing": "mmm_core.engine.pymc_engine",
    # Several KPIs (issue 22): records and scaling in engine.outcomes, model/fit/predict in engine.multi_model.
    "CrossEffectConfig": "mmm_core.engine.outcomes",
    "MultiData": "mmm_core.engine.outcomes",
    "MultiOutcomeConfig": "mmm_core.engine.outcomes",
    "scale_multi": "mmm_core.engine.outcomes",
    "MultiFitResult": "mmm_core.engine.multi_model",
    "fit_multi": "mmm_core.engine.multi_model",
    "predict_multi": "mmm_core.engine.multi_model",
}

__all__ = [  # spelled out (not sorted(_EXPORTS)) so linters see the re-exports; test_engine_setup checks both agree
    "APPROXIMATE_LABEL",
    "CrossEffectConfig",
    "EngineConfigError",
    "FitResult",
    "ModelConfig",
    "ModelData",
    "MultiData",
    "MultiFitResult",
    "MultiOutcomeConfig",
    "PARAM_KEYS",
    "ScaledData",
    "fit_multi",
    "fit_pymc_marketing",
    "mmm_model",
    "predict",
    "predict_multi",
    "sample_nuts",
    "sample_quick",
    "scale_data",
    "scale_multi",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # the same names for type checkers and editors
    from mmm_core.engine.config import EngineConfigError, ModelConfig
    from mmm_core.engine.data import ModelData, ScaledData, scale_data
    from mmm_core.engine.model import PARAM_KEYS, mmm_model, predict
    from mmm_core.engine.multi_model import MultiFitResult, fit_multi, predict_multi
    from mmm_core.engine.outcomes import CrossEffectConfig, MultiData, MultiOutcomeConfig, scale_multi
    from mmm_core.engine.pymc_engine import fit_pymc_marketing
    from mmm_core.engine.quick import sample_quick
    from mmm_core.engine.result import APPROXIMATE_LABEL, FitResult
    from mmm_core.engine.sampling import sample_nuts
