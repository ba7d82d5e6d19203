"""Engine set-up: importing the engine changes nothing; ``setup()`` alone sets host devices and the compilation
cache, idempotently, says when JAX started too early; sampling works without it (chains vectorised).

JAX reads its device count once per process, so every check that needs a fresh JAX runs in a subprocess with a
clean environment (no XLA_FLAGS, JAX_* or MMM_AGENT_* variables, HOME in a temporary folder).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mmm_core.engine as engine
from mmm_core.engine.setup import (
    CACHE_ENV,
    HOST_DEVICES_ENV,
    MIN_CACHED_COMPILE_SECS,
    EngineSetupError,
    cache_dir_setting,
    requested_host_devices,
)

ROOT = Path(__file__).resolve().parents[1]
ENGINE_MODULES = (
    "config",
    "curves",
    "data",
    "idata",
    "kernels",
    "mediation",
    "model",
    "posterior",
    "pymc_engine",
    "quick",
    "result",
    "sampling",
    "setup",
    "timing",
    "transforms",
)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("XLA_", "JAX_", "MMM_AGENT_"))}
    return {**keep, "HOME": str(home), "PYTHONPATH": str(ROOT), **extra}


def run_py(code: str, env: dict[str, str]) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object as its last line."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_prints_no_xla_flags_in_a_clean_env(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import mmm_core.engine, os; print(os.environ.get('XLA_FLAGS'))"],
        env=clean_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "None"


def test_importing_the_whole_engine_changes_nothing(tmp_path: Path) -> None:
    out = run_py(
        f"""
        import importlib, json, os
        import jax  # imported first so its own defaults are the reference
        from jax._src import xla_bridge

        env0, config0 = dict(os.environ), dict(jax.config.values)
        import mmm_core.engine as engine
        for name in {ENGINE_MODULES!r}:
            importlib.import_module("mmm_core.engine." + name)
        for name in engine.__all__:  # the lazily resolved facade names, too
            getattr(engine, name)
        env1, config1 = dict(os.environ), dict(jax.config.values)
        print(json.dumps({{
            "env": sorted(k for k in env0.keys() | env1.keys() if env0.get(k) != env1.get(k)),
            "config": sorted(k for k in config0 if config0[k] != config1.get(k)),
            "backend_started": xla_bridge.backends_are_initialized(),
            "home": sorted(str(p) for p in __import__("pathlib").Path(os.environ["HOME"]).rglob("*")),
        }}))
        """,
        clean_env(tmp_path / "home"),
    )
    assert out == {"env": [], "config": [], "backend_started": False, "home": []}


def test_setup_sets_devices_and_cache_once(tmp_path: Path) -> None:
    cache = tmp_path / "jax_cache"
    out = run_py(
        f"""
        import json, os, warnings
        warnings.simplefilter("error")  # a second call must not warn
        from mmm_core.engine.setup import setup
        first = setup(host_devices=3, cache_dir={str(cache)!r})
        second = setup(host_devices=3, cache_dir={str(cache)!r})
        import jax
        print(json.dumps({{
            "same": first == second,
            "devices": jax.local_device_count(),
            "flags": os.environ["XLA_FLAGS"],
            "cache": jax.config.jax_compilation_cache_dir,
            "min_secs": jax.config.jax_persistent_cache_min_compile_time_secs,
            "record": [second.host_devices, second.requested_devices, second.backend_started_before],
        }}))
        """,
        clean_env(tmp_path, XLA_FLAGS="--xla_cpu_enable_fast_math=false --xla_force_host_platform_device_count=7"),
    )
    assert out["same"] and out["devices"] == 3 and out["record"] == [3, 3, False]
    # The count is replaced, never appended; the caller's other flags survive.
    assert out["flags"].split() == ["--xla_force_host_platform_device_count=3", "--xla_cpu_enable_fast_math=false"]
    assert out["cache"] == str(cache) and out["min_secs"] == MIN_CACHED_COMPILE_SECS


def test_environment_variables_are_the_defaults(tmp_path: Path) -> None:
    """MMM_AGENT_HOST_DEVICES and MMM_AGENT_JAX_CACHE, with JAX already imported (not started): config.update."""
    out = run_py(
        """
        import json
        import jax
        from mmm_core.engine.setup import setup
        rec = setup()
        print(json.dumps({"devices": jax.local_device_count(), "cache": jax.config.jax_compilation_cache_dir,
                          "record_cache": rec.cache_dir}))
        """,
        clean_env(tmp_path, **{HOST_DEVICES_ENV: "2", CACHE_ENV: "off"}),
    )
    assert out == {"devices": 2, "cache": None, "record_cache": None}


def test_setup_after_jax_started_says_so(tmp_path: Path) -> None:
    out = run_py(
        """
        import json, warnings
        import jax
        jax.numpy.zeros(1).block_until_ready()  # the backend starts with JAX's single CPU device
        from mmm_core.engine.setup import setup
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            late = setup(host_devices=2, cache_dir="off")
            enough = setup(host_devices=1, cache_dir="off")
        print(json.dumps({"late": [late.host_devices, late.requested_devices, late.backend_started_before],
                          "enough": enough.host_devices, "warnings": [str(w.message) for w in caught],
                          "categories": [w.category.__name__ for w in caught]}))
        """,
        clean_env(tmp_path),
    )
    assert out["late"] == [1, 2, True] and out["enough"] == 1
    assert out["categories"] == ["RuntimeWarning"]  # one warning: for the call asking for more than JAX has
    assert "started before mmm_core.engine.setup() with 1 CPU device" in out["warnings"][0]


def test_sampling_without_setup_vectorises_chains(tmp_path: Path) -> None:
    """A library user who never calls setup(): two chains run vectorised on JAX's one device, correctly.

    The subprocess gets the session's compilation cache through JAX's own variable (not through setup(), which
    would also set the device count), so only a cold cache pays the ~15 s compile."""
    folder = cache_dir_setting()  # the folder conftest's setup() chose
    cache = {"JAX_COMPILATION_CACHE_DIR": folder, "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"} if folder else {}
    out = run_py(
        f"""
        import json, sys
        sys.path.insert(0, {str(ROOT / "tests")!r})
        import numpy as np
        from test_engine import simulate
        from mmm_core.engine import ModelConfig, sample_nuts
        from mmm_core.engine.sampling import chain_method
        data, _ = simulate(t=40)
        fit = sample_nuts(data, ModelConfig(), chains=2, warmup=20, draws=20, seed=0)
        print(json.dumps({{"method": fit.extra["chain_method"], "shape": list(fit.samples["beta"].shape),
                          "finite": bool(np.isfinite(fit.samples["beta"]).all()),
                          "chains_differ": bool(np.any(fit.samples["beta"][0] != fit.samples["beta"][1])),
                          "one_chain": chain_method(1)}}))
        """,
        clean_env(tmp_path, **cache),
    )
    assert out == {
        "method": "vectorized",
        "shape": [2, 20, 1, 4],
        "finite": True,
        "chains_differ": True,
        "one_chain": "parallel",
    }


@pytest.mark.parametrize("raw", ["0", "-2", "four", "2.5"])
def test_bad_device_counts_are_refused(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv(HOST_DEVICES_ENV, raw)
    with pytest.raises(EngineSetupError) as exc:
        requested_host_devices()
    assert HOST_DEVICES_ENV in exc.value.hint


def test_argument_beats_environment_beats_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(HOST_DEVICES_ENV, raising=False)
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert requested_host_devices() == 4
    assert cache_dir_setting() == str(tmp_path / ".cache" / "mmm-agent" / "jax")
    monkeypatch.setenv(HOST_DEVICES_ENV, "6")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "c"))
    assert requested_host_devices() == 6 and cache_dir_setting() == str(tmp_path / "c")
    assert requested_host_devices(2) == 2 and cache_dir_setting("off") is None


def test_facade_exports_match_its_table() -> None:
    assert sorted(engine.__all__) == sorted(engine._EXPORTS)
    assert all(getattr(engine, name) is not None for name in engine.__all__)
    with pytest.raises(AttributeError):
        engine.no_such_name  # noqa: B018
