"""The kernel budget (engine.executables.trim_if_crowded): a long-lived process that compiles kernel after kernel
lets go of them before it runs out of memory maps. Without it, every compiled executable's machine code stayed
mapped for the life of the process, and the fast test suite (~100 fits in one process) died with a segmentation
fault once the maps reached Linux's per-process limit (vm.max_map_count).

Each case runs in a fresh interpreter: the map counts of this test process depend on every test before it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_engine_setup import clean_env, run_py

from mmm_core.engine import executables

_COMPILE_MANY = """
    import json
    import numpy as np
    from mmm_core.engine.setup import setup
    setup(cache_dir="off")
    import jax, jax.numpy as jnp
    from mmm_core.engine import executables

    x = np.arange(8, dtype=np.float32)
    base = executables.memory_maps()[0]
    for i in range(40):
        f = jax.jit(lambda x, i=i: jnp.sin(x) * i + jnp.cumsum(x) ** 2)
        executables.compiled(f"k{{i}}", f, (x,), static=i)(x)
    grown, limit = executables.memory_maps()
    before = executables.stats()["trimmed"]
    executables.MAP_SHARE = {share}
    kept = executables.compiled("k0", None, (x,), static=0)  # in memory: no compile, so no check either
    f = jax.jit(lambda x: x * 3.0)
    out = executables.compiled("after", f, (x,), static="after")(x)
    print(json.dumps(dict(
        base=base, grown=grown, after=executables.memory_maps()[0], trimmed=executables.stats()["trimmed"] - before,
        kept=len(executables._IN_PROCESS), right=bool(np.allclose(out, x * 3.0)), k0_alive=bool(np.allclose(
            kept(x), np.cumsum(x) ** 2)),
    )))
"""


def _run(tmp_path: Path, share: str) -> dict:
    env = clean_env(tmp_path / "home", PYTHONPATH=f"{Path(__file__).parent}:{Path(__file__).parents[1]}")
    return run_py(_COMPILE_MANY.format(share=share), env)


@pytest.mark.skipif(executables.memory_maps()[0] is None, reason="needs /proc (Linux): the limit is Linux's")
def test_a_crowded_process_lets_go_of_its_kernels_and_still_computes(tmp_path: Path) -> None:
    # The share is set so the process counts as crowded now: the next fresh compile must trim first.
    out = _run(tmp_path, share="(grown - 1) / limit")
    growth = out["grown"] - out["base"]
    assert growth >= 40 * 4, out  # each kernel maps its code (~8 maps each measured): the thing being bounded
    assert out["trimmed"] == 1 and out["kept"] == 1, out  # all dropped, then the one compiled after the trim
    # Most of the growth is released (the kernel compiled after the trim and JAX's own small helpers come back).
    assert out["after"] - out["base"] < 0.3 * growth, out
    assert out["right"] and out["k0_alive"], out  # a kernel a caller still holds keeps working


@pytest.mark.skipif(executables.memory_maps()[0] is None, reason="needs /proc (Linux): the limit is Linux's")
def test_below_the_share_nothing_is_dropped(tmp_path: Path) -> None:
    out = _run(tmp_path, share="0.5")
    assert out["trimmed"] == 0 and out["kept"] == 41, out
    assert out["after"] >= out["grown"], out
