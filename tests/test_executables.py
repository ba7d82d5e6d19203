"""Big kernels kept on disk whole (engine.executables): a new process loads them instead of tracing, lowering and
compiling, draws the same numbers, and never writes (or trips on) an executable it could not run."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from test_engine_setup import clean_env, run_py

from mmm_core.engine import executables

_QUICK_FIT = """
    import hashlib, json
    import numpy as np
    from mmm_core.engine.setup import setup
    setup(cache_dir={cache!r})
    from test_engine import simulate
    from mmm_core.engine import ModelConfig, sample_quick, executables
    data, _ = simulate(t=52)
    fit = sample_quick(data, ModelConfig(), seed=3, draws=50)
    beta = np.ascontiguousarray(fit.samples["beta"], np.float32)
    print(json.dumps({{**executables.stats(), "beta": hashlib.sha256(beta.tobytes()).hexdigest()}}))
"""


def test_a_new_process_loads_the_kernels_whole_and_draws_the_same_numbers(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = clean_env(tmp_path / "home", PYTHONPATH=f"{Path(__file__).parent}:{Path(__file__).parents[1]}")
    code = _QUICK_FIT.format(cache=str(cache))
    first = run_py(code, env)
    assert first["compiled"] >= 1 and first["loaded"] == 0
    written = sorted(p.name for p in (cache / "executables").glob("*.bin"))
    assert len(written) == first["compiled"]
    loaded = run_py(code, env)
    assert loaded["loaded"] == first["compiled"] and loaded["compiled"] == 0
    # JAX's own cache holds these kernels too: an executable it loads serialises incompletely on CPU (the process
    # loading it died: "Function ... not found"), so one served from there is used but never written.
    shutil.rmtree(cache / "executables")
    from_jax_cache = run_py(code, env)
    assert from_jax_cache["compiled"] == first["compiled"] and from_jax_cache["loaded"] == 0
    assert not list((cache / "executables").glob("*.bin"))
    assert first["beta"] == loaded["beta"] == from_jax_cache["beta"]


def _salt() -> np.float32:
    """A constant unique to this run, baked into a test kernel: the JAX persistent cache of an earlier run (shared
    folder on a developer's machine) cannot hold its program, so the compile is real and the entry is written."""
    return np.float32(1.0 + uuid.uuid4().int % 1_000_003 / 1e7)


def test_an_unreadable_entry_is_compiled_again_and_rewritten(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(executables, "_folder", lambda: tmp_path)
    monkeypatch.setattr(executables, "_IN_PROCESS", {})
    salt = _salt()  # a program no earlier run put in JAX's own cache (a kernel served from there is never written)
    fn = jax.jit(lambda x: jnp.tanh(x) * 2.0 + salt)
    x = np.arange(5, dtype=np.float32)
    expected = np.tanh(x) * 2.0 + salt
    np.testing.assert_allclose(executables.compiled("tanh_twice", fn, (x,), static="test")(x), expected, rtol=1e-6)
    (entry,) = tmp_path.glob("tanh_twice-*.bin")
    entry.write_bytes(b"not a pickle")
    monkeypatch.setattr(executables, "_IN_PROCESS", {})
    before = executables.stats()
    np.testing.assert_allclose(executables.compiled("tanh_twice", fn, (x,), static="test")(x), expected, rtol=1e-6)
    after = executables.stats()
    assert after["compiled"] == before["compiled"] + 1 and after["loaded"] == before["loaded"]
    monkeypatch.setattr(executables, "_IN_PROCESS", {})
    np.testing.assert_allclose(executables.compiled("tanh_twice", fn, (x,), static="test")(x), expected, rtol=1e-6)
    assert executables.stats()["loaded"] == after["loaded"] + 1


def test_a_different_shape_or_setting_is_a_different_kernel(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(executables, "_folder", lambda: tmp_path)
    monkeypatch.setattr(executables, "_IN_PROCESS", {})
    salt = _salt()  # as above: a program new to JAX's own cache
    fn = jax.jit(lambda x: x + salt)
    executables.compiled("plus_one", fn, (np.zeros(3, np.float32),), static="a")
    executables.compiled("plus_one", fn, (np.zeros(4, np.float32),), static="a")
    executables.compiled("plus_one", fn, (np.zeros(3, np.float32),), static="b")
    executables.compiled("plus_one", fn, (np.zeros(3, np.float32),), static="a")  # the first one again
    assert len(list(tmp_path.glob("plus_one-*.bin"))) == 3
