"""The benchmarks' fits spread over Ray (bench/_ray_map.py): without --ray they run here in order, as before; with
it each call is a Ray task in its own process that imports the bench modules by name."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import _dq_fit  # noqa: E402
import _ray_map  # noqa: E402

HAS_RAY = importlib.util.find_spec("ray") is not None


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    _ray_map.add_options(parser)
    return parser.parse_args(list(argv))


def test_without_ray_the_calls_run_here_in_order() -> None:
    calls = [(Path("/c"), "a", 1, "quick"), (Path("/c"), "b", 2, "nuts")]
    assert not _args().ray
    out = list(_ray_map.fan_out(_dq_fit.cache_path, calls, _args()))
    assert out == [(c, _dq_fit.cache_path(*c)) for c in calls]


@pytest.mark.slow
@pytest.mark.skipif(not HAS_RAY, reason="Ray is not installed (pip install ray)")
def test_with_ray_each_call_is_a_task_that_imports_the_bench_modules() -> None:
    calls = [(Path("/c"), f"world{i}", i, "quick") for i in range(4)]
    out = dict(_ray_map.fan_out(_dq_fit.cache_path, calls, _args("--ray", "--cpus-per-fit", "0.5")))
    assert out == {c: _dq_fit.cache_path(*c) for c in calls}  # every call back, whatever the finishing order
