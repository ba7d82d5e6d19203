"""Explicit JAX set-up for the engine: host devices for parallel chains and the persistent compilation cache.

Nothing here runs at import. ``setup()`` is called once by each entry point (the CLI's ``main``, the chat UI,
``tests/conftest.py``, the bench scripts) before JAX initialises its backend; a library user who never calls
it still gets correct results (chains then run vectorised on JAX's single CPU device, and nothing is cached
on disk).

- Host devices: ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` (NumPyro's ``set_host_device_count``
  pattern), N from ``host_devices=``, else ``$MMM_AGENT_HOST_DEVICES``, else ``DEFAULT_HOST_DEVICES``. The
  count is read here only. The default is fixed rather than the CPU count because a fit with more chains
  than devices is vectorised on one device instead of mapped over devices, and the two paths draw different
  (equally valid) numbers: with a fixed default, the same data, config and seed give the same draws on every
  machine.
- Compilation cache: ``cache_dir=``, else ``$MMM_AGENT_JAX_CACHE``, else ``~/.cache/mmm-agent/jax``; ``off``
  disables it. JAX creates the folder on its first write.

When JAX is not imported yet, both settings go into the environment JAX reads at import and at backend start,
so calling ``setup()`` costs no JAX import (the CLI's light commands stay fast).
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from mmm_core.errors import MMMError

HOST_DEVICES_ENV = "MMM_AGENT_HOST_DEVICES"
CACHE_ENV = "MMM_AGENT_JAX_CACHE"
DEFAULT_HOST_DEVICES = 4  # covers the default 2 chains and the common 4; more chains: set the variable
DEFAULT_CACHE_DIR = "~/.cache/mmm-agent/jax"
CACHE_OFF = "off"
_DEVICE_FLAG = re.compile(r"--xla_force_host_platform_device_count=\S*")
# Every compilation is written, the small eager ops included: a fit runs ~190 of them (slicing, the prior
# predictive, the effects), ~50 ms each to compile but ~1 ms to load, so a 0.2 s floor cost a warm national fit
# ~3 s of CPU recompiling them in every process (measured; the whole cache of a national fit is ~2 MB).
MIN_CACHED_COMPILE_SECS = 0.0
_CACHE_CONFIG = {
    "jax_persistent_cache_min_compile_time_secs": MIN_CACHED_COMPILE_SECS,
    "jax_persistent_cache_min_entry_size_bytes": 0,
}


class EngineSetupError(MMMError):
    code = "engine_setup"


@dataclass(frozen=True)
class EngineSetup:
    """What ``setup()`` arranged. ``host_devices``: devices JAX has (or will have once it starts);
    ``requested_devices``: what was asked for; ``backend_started_before``: JAX had already started, so the
    device count could not change; ``cache_dir``: the compilation cache folder, None when off."""

    host_devices: int
    requested_devices: int
    cache_dir: str | None
    backend_started_before: bool


def requested_host_devices(host_devices: int | None = None) -> int:
    """The device count to use: the argument, else ``$MMM_AGENT_HOST_DEVICES``, else the default."""
    raw = host_devices if host_devices is not None else os.environ.get(HOST_DEVICES_ENV) or DEFAULT_HOST_DEVICES
    try:
        n = int(raw)
    except (TypeError, ValueError):
        n = 0
    if n < 1:
        raise EngineSetupError(
            f"Host device count {raw!r} is not a positive whole number.",
            hint=f"Set {HOST_DEVICES_ENV} to the number of chains to run in parallel, e.g. 4.",
        )
    return n


def cache_dir_setting(cache_dir: str | os.PathLike | None = None) -> str | None:
    """The compilation cache folder: the argument, else ``$MMM_AGENT_JAX_CACHE``, else the default; None = off."""
    raw = os.fspath(cache_dir) if cache_dir is not None else os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR
    return None if raw == CACHE_OFF else os.path.abspath(os.path.expanduser(raw))


def backend_started() -> bool:
    """Has JAX started its backend (after which the device count is fixed for the process)?"""
    if "jax" not in sys.modules:
        return False
    # lazy: JAX is already imported here (checked above); private module, no public equivalent exists
    from jax._src import xla_bridge

    return xla_bridge.backends_are_initialized()


def setup(host_devices: int | None = None, cache_dir: str | os.PathLike | None = None) -> EngineSetup:
    """Prepare JAX for the engine. Idempotent; call before any JAX computation (imports are fine).

    If JAX already started with fewer devices than requested, nothing can change that: a ``RuntimeWarning``
    says so, the returned record carries the real count, and fits with more chains run vectorised."""
    wanted = requested_host_devices(host_devices)
    folder = cache_dir_setting(cache_dir)
    started = backend_started()
    if started:
        have = _device_count()
        if have < wanted:
            warnings.warn(
                f"JAX started before mmm_core.engine.setup() with {have} CPU device(s) (asked: {wanted}); chains "
                f"beyond {have} run vectorised on one device. Call setup() before the first JAX computation.",
                RuntimeWarning,
                stacklevel=2,
            )
    else:
        have = wanted
        _set_device_flag(wanted)
    _configure_cache(folder)
    return EngineSetup(host_devices=have, requested_devices=wanted, cache_dir=folder, backend_started_before=started)


def _device_count() -> int:
    import jax  # lazy: only reached when JAX is already imported and started

    return jax.local_device_count()


def _set_device_flag(n: int) -> None:
    """Replace (never append) the device-count flag in XLA_FLAGS: repeated calls leave one flag."""
    others = _DEVICE_FLAG.sub("", os.environ.get("XLA_FLAGS", "")).split()
    os.environ["XLA_FLAGS"] = " ".join([f"--xla_force_host_platform_device_count={n}", *others])


def _configure_cache(folder: str | None) -> None:
    settings = {"jax_compilation_cache_dir": folder, **_CACHE_CONFIG} if folder else {"jax_compilation_cache_dir": None}
    if "jax" in sys.modules:
        import jax  # lazy: already imported; setup() itself never loads JAX (the CLI runs it for every command)

        for name, value in settings.items():
            jax.config.update(name, value)
        return
    for name, value in settings.items():  # read by JAX when it is imported
        if value is None:
            os.environ.pop(name.upper(), None)
        else:
            os.environ[name.upper()] = str(value)


@contextmanager
def foreign_jax_globals(x64: bool) -> Iterator[None]:
    """Run code of another JAX user (pymc's JAX sampler) with its precision, and undo its global changes.

    Importing PyTensor's JAX backend sets ``jax_enable_x64`` for the whole process (to match its floatX) and
    ``pymc.sampling.jax`` rewrites XLA_FLAGS to 100 devices; left in place, every later NumPyro fit in the
    process would run in float64 (other numbers for the same seed) and kernels compiled before would be
    called with the wrong dtypes. The flag and the variable are restored on exit."""
    import jax  # lazy: only pymc-marketing fits use this; the module itself must not load JAX

    x64_before = jax.config.jax_enable_x64
    flags_before = os.environ.get("XLA_FLAGS")
    try:
        with jax.enable_x64(x64):
            yield
    finally:
        jax.config.update("jax_enable_x64", x64_before)
        if flags_before is None:
            os.environ.pop("XLA_FLAGS", None)
        else:
            os.environ["XLA_FLAGS"] = flags_before
