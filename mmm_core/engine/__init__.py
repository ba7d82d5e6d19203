"""The NumPyro/JAX MMM engine (primary) and the pymc-marketing engine (second opinion, benchmark baseline).

Importing this package prepares JAX *before* it initialises, which is why it must happen early:

- ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` (N = max(2, CPU count), at most 8) so NUTS chains
  run in parallel on CPU — only if JAX is not imported yet and the flag is not already set;
- JAX's persistent compilation cache under ``$MMM_AGENT_JAX_CACHE`` (default ``~/.cache/mmm-agent/jax``;
  ``off`` disables) so a second process fitting the same shape skips compilation.

Public API::

    from mmm_core.engine import ModelData, ModelConfig, scale_data, sample_nuts, sample_quick, predict
"""

from __future__ import annotations

import os
import sys


def _configure_devices() -> None:
    flags = os.environ.get("XLA_FLAGS", "")
    if "jax" in sys.modules or "xla_force_host_platform_device_count" in flags:
        return
    n = max(2, min(os.cpu_count() or 2, 8))
    os.environ["XLA_FLAGS"] = f"{flags} --xla_force_host_platform_device_count={n}".strip()


def enable_compilation_cache(path: str | None = None) -> str | None:
    """Turn on JAX's persistent compilation cache at ``path`` (or the default); returns the path used."""
    import jax

    path = path or os.environ.get("MMM_AGENT_JAX_CACHE") or os.path.expanduser("~/.cache/mmm-agent/jax")
    if path == "off":
        return None
    os.makedirs(path, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", path)
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.2)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return path


_configure_devices()
enable_compilation_cache()

from mmm_core.engine.config import EngineConfigError, ModelConfig  # noqa: E402
from mmm_core.engine.data import ModelData, ScaledData, scale_data  # noqa: E402
from mmm_core.engine.model import PARAM_KEYS, mmm_model, predict  # noqa: E402
from mmm_core.engine.quick import sample_quick  # noqa: E402
from mmm_core.engine.result import APPROXIMATE_LABEL, FitResult  # noqa: E402
from mmm_core.engine.sampling import sample_nuts  # noqa: E402

__all__ = [
    "ModelData",
    "ScaledData",
    "ModelConfig",
    "EngineConfigError",
    "scale_data",
    "mmm_model",
    "predict",
    "PARAM_KEYS",
    "sample_nuts",
    "sample_quick",
    "FitResult",
    "APPROXIMATE_LABEL",
    "enable_compilation_cache",
    "fit_pymc_marketing",
]


def fit_pymc_marketing(*args, **kwargs):
    """Lazy wrapper: `mmm_core.engine.pymc_engine.fit_pymc_marketing` (imports PyMC only when called)."""
    from mmm_core.engine.pymc_engine import fit_pymc_marketing as _fit

    return _fit(*args, **kwargs)
