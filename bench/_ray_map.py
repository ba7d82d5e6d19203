"""The benchmarks' many fits on Ray (``--ray``, ``--ray-address``), one task per fit, each in its own process with
its own store and JAX cache; without ``--ray`` they run one after another here, as before.

A benchmark fit makes its own throw-away store, so its task needs nothing from the driver but its arguments, and
only its result comes back. Tasks import the bench modules by name: the workers get this checkout on their
``PYTHONPATH`` (on a cluster, the nodes need the repository at the same path).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ray", action="store_true", help="spread the fits over Ray (default: one after another)")
    parser.add_argument("--ray-address", help="an existing Ray cluster (default $RAY_ADDRESS, else a local runtime)")
    parser.add_argument("--cpus-per-fit", type=float, default=1.0, help="CPUs Ray reserves per fit (default 1)")


def fan_out(fn: Callable[..., Any], calls: Sequence[tuple], args: argparse.Namespace) -> Iterator[tuple[tuple, Any]]:
    """``(call, fn(*call))`` for every call: here in order, or on Ray as each task finishes."""
    if not getattr(args, "ray", False) and not getattr(args, "ray_address", None):
        for call in calls:
            yield call, fn(*call)
        return
    import ray  # lazy: optional, only with --ray

    path = os.pathsep.join([str(BENCH), str(ROOT), os.environ.get("PYTHONPATH", "")])
    ray.init(
        address=args.ray_address or os.environ.get("RAY_ADDRESS"),
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": path}},
    )
    try:
        task = ray.remote(num_cpus=args.cpus_per_fit, max_calls=1)(fn)  # a fresh process (own JAX state) per fit
        pending = {task.remote(*call): call for call in calls}
        while pending:
            [ready], _ = ray.wait(list(pending), num_returns=1)
            yield pending.pop(ready), ray.get(ready)
    finally:
        ray.shutdown()
