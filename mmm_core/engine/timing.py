"""Where a fit's time goes: wall and CPU seconds per phase, and what JAX compiled or loaded from its cache.

CPU time (``time.process_time``: every thread of the process) is reported beside wall time because the
machines these fits run on are shared: wall time measures the load as much as the code, CPU time much less.
JAX's counters come from its monitoring events (``jax.monitoring``), so they count what really happened:
``backend_compiles`` (XLA compilations, the costly part), ``cache_hits`` (executables loaded from the persistent
compilation cache instead), ``cache_writes`` (compiled and written there), and the seconds spent tracing,
lowering and compiling; ``kernels_loaded`` / ``kernels_compiled``: the big kernels ``engine.executables`` loaded
whole from disk (no trace, no lowering) or had to compile.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

_EVENTS = {
    "/jax/compilation_cache/cache_hits": "cache_hits",
    "/jax/compilation_cache/cache_misses": "cache_writes",
}
_DURATIONS = {
    "/jax/core/compile/jaxpr_trace_duration": "trace",
    "/jax/core/compile/jaxpr_to_mlir_module_duration": "lower",
    "/jax/core/compile/backend_compile_duration": "backend_compile",
}
_COUNTS: Counter = Counter()
_SECONDS: Counter = Counter()
_installed = False


@dataclass
class PhaseTimer:
    """Accumulates ``{phase: {"wall_s", "cpu_s"}}`` in the order phases first run (a phase may run twice)."""

    phases: dict[str, dict[str, float]] = field(default_factory=dict)
    _compiles_at_start: dict[str, float] | None = None

    def count_compiles(self) -> None:
        """Start counting JAX compilations (``compiles()`` then gives those since this call)."""
        self._compiles_at_start = compile_counters()

    def compiles(self) -> dict[str, float] | None:
        if self._compiles_at_start is None:
            return None
        return counter_delta(self._compiles_at_start, compile_counters())

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - wall, time.process_time() - cpu)

    def add(self, name: str, wall_s: float, cpu_s: float) -> None:
        row = self.phases.setdefault(name, {"wall_s": 0.0, "cpu_s": 0.0})
        row["wall_s"] += wall_s
        row["cpu_s"] += cpu_s

    def merge(self, other: dict[str, dict[str, float]], prefix: str = "") -> None:
        for name, row in other.items():
            self.add(prefix + name, row["wall_s"], row["cpu_s"])

    def to_dict(self) -> dict[str, dict[str, float]]:
        return {k: {m: round(v, 3) for m, v in row.items()} for k, row in self.phases.items()}


def _on_event(event: str, **_: object) -> None:
    if event in _EVENTS:
        _COUNTS[_EVENTS[event]] += 1


def _on_duration(event: str, duration: float, **_: object) -> None:
    if event in _DURATIONS:
        _SECONDS[_DURATIONS[event]] += duration
        if event.endswith("backend_compile_duration"):
            _COUNTS["backend_compiles"] += 1


def compile_counters() -> dict[str, float]:
    """JAX compilation counts and seconds so far in this process (listeners installed on the first call, so
    call it once before the work to be counted, and again after; the difference is that work's)."""
    global _installed
    if not _installed:
        from jax import monitoring  # lazy: callers decide when JAX loads; this module must stay light

        monitoring.register_event_listener(_on_event)
        monitoring.register_event_duration_secs_listener(_on_duration)
        _installed = True
    out: dict[str, float] = {k: _COUNTS[k] for k in ("backend_compiles", "cache_hits", "cache_writes")}
    out.update({f"{k}_s": round(_SECONDS[k], 3) for k in ("trace", "lower", "backend_compile")})
    from mmm_core.engine import executables  # lazy: imports JAX, loaded by now (see above)

    out.update({f"kernels_{k}": v for k, v in executables.stats().items()})  # whole kernels loaded / compiled
    return out


def counter_delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {k: round(after[k] - before[k], 3) for k in after}
