"""Compiled kernels kept on disk whole, so a later process skips tracing, lowering and compiling them.

JAX's persistent compilation cache (``engine.setup``) only saves the XLA compile: every process still traces the
model (NumPyro's trace of every site, the NUTS tree, their gradients) and lowers it to StableHLO before it can
look the executable up. For a national fit that was most of the start-up of a warm process (measured in
``diagnostics.jax_compiles``: ~80 lookups, every one a hit, after ~4 s of tracing and lowering). Here the
*compiled* executable of each big kernel (the NUTS chunk, its initialisation, the Laplace start, constraining,
the prior predictive) is serialised (``jax.experimental.serialize_executable``) under a key of everything that
determines it, and loaded by the next process with the same key instead of being traced at all.

The key: the kernel's name and static settings (the model configuration's ``repr``, warm-up length, ...), the
abstract signature of its arguments (tree structure, shapes, dtypes), the JAX / jaxlib / NumPyro versions, the
backend and its devices, XLA_FLAGS, and a fingerprint of the engine's source files (plus any module the caller
names): a code change gives new keys, never a stale kernel. A missing, unreadable or incompatible entry falls
back to compiling (and rewrites it). The folder is ``executables/`` inside JAX's compilation cache folder, so
``MMM_AGENT_JAX_CACHE=off`` turns both off; its trust level is the same as that cache's (it holds executables).

``compile_ahead`` starts a kernel's XLA compilation on a background thread, for a caller that knows which kernels a
fit will ask for before it needs them (``engine.ahead``): XLA compiles with the GIL released, so on a cold cache the
NUTS kernels compile while the prior predictive and the Laplace start compile and run. Tracing and lowering stay
on the calling thread (NumPyro's effect handlers are a process-wide stack: two threads tracing models at once
corrupt it, measured: "all sites must have unique names"). ``compiled`` with the same key waits for that result.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import jax
import numpyro
from jax.experimental import serialize_executable

_FOLDER = "executables"
_FORMAT = 2  # bump when the stored tuple changes, or to retire entries an older version wrote
_STATS = {"loaded": 0, "compiled": 0, "compiled_ahead": 0, "trimmed": 0}
_IN_PROCESS: dict[str, Callable] = {}  # key -> executable: a second call in one process touches no disk
_PENDING: dict[str, tuple[Future, Path | None]] = {}  # key -> (background compile, where to save it)
# Two workers: the machines these fits run on have 2+ cores, and the big kernels number 3-5 per fit.
_POOL: dict[str, ThreadPoolExecutor] = {}
AHEAD_WORKERS = 2
# The kernel budget. Every compiled XLA:CPU executable maps its machine code into the process (~20 memory maps for a
# small function, ~1,400 for one fit's kernels, measured), and JAX's caches and ``_IN_PROCESS`` keep them for the
# life of the process. Linux allows vm.max_map_count maps per process (65,530 by default); past it the code
# allocation fails and XLA dies with a segmentation fault — measured: the fast test suite (~100 fits in one process)
# crashed at 83% in CI. A long-lived process (UI, service, worker, test run) therefore drops its kept kernels once
# it uses this share of the allowance; a later call recompiles a dropped kernel (from the disk caches: seconds).
MAP_SHARE = 0.5


def stats() -> dict[str, int]:
    """Kernels loaded whole from disk and kernels compiled in this process (for a fit's diagnostics)."""
    return dict(_STATS)


def compiled(
    name: str,
    fn: Any,
    args: Sequence[Any],
    static: Any = (),
    sources: Sequence[str] = (),
    kwargs: dict | None = None,
    before_trace: Callable[[], Any] | None = None,
) -> Callable:
    """``fn.lower(*args, **kwargs).compile()`` (``fn`` a ``jax.jit`` or ``jax.pmap`` function), from disk when a
    process compiled the same kernel before. Call the result with the dynamic arguments only (``kwargs`` are
    ``fn``'s static keywords). ``static``: everything closed over that changes the kernel (its ``repr`` goes
    into the key, so it must show every value). ``sources``: files of the caller's modules whose code is traced.
    ``before_trace``: run first when ``fn`` must be traced (a kernel whose trace needs another's to have run).
    A kernel ``compile_ahead`` started is waited for here."""
    kwargs = kwargs or {}
    key = _key(name, args, kwargs, static, tuple(sources))
    if key in _PENDING:
        return _finish(key)
    if key in _IN_PROCESS:
        return _IN_PROCESS[key]
    trim_if_crowded()
    path, exe = _from_disk(name, key)
    if exe is None:
        if before_trace is not None:
            before_trace()
        return _keep(key, path, *_compile_fresh(fn.lower(*args, **kwargs)))
    _IN_PROCESS[key] = exe
    return exe


def trim_if_crowded() -> bool:
    """Drop every compiled kernel this process keeps (``_IN_PROCESS`` and JAX's own caches) when its memory maps
    exceed ``MAP_SHARE`` of the system's allowance (``MAP_SHARE``'s comment says why); True when it did. Callers
    holding a kernel keep it (only the caches let go). Not while a background compile runs, nor where the counts
    are unknown (no /proc: other systems)."""
    used, limit = memory_maps()
    if used is None or limit is None or used < MAP_SHARE * limit or _PENDING:
        return False
    _IN_PROCESS.clear()
    jax.clear_caches()
    gc.collect()  # an executable in a reference cycle would keep its code mapped until the next collection
    _STATS["trimmed"] += 1
    return True


def memory_maps() -> tuple[int | None, int | None]:
    """(memory maps this process uses, the per-process limit) from /proc; None where unknown."""
    try:
        with open("/proc/self/maps", "rb") as fh:
            used = fh.read().count(b"\n")
    except OSError:
        return None, None
    return used, _map_limit()


@lru_cache(maxsize=1)
def _map_limit() -> int | None:
    try:
        return int(Path("/proc/sys/vm/max_map_count").read_text())
    except (OSError, ValueError):
        return None


def _keep(key: str, path, exe: Callable, fresh: bool) -> Callable:
    """A kernel just compiled: counted, written to disk when this process compiled it (not served by JAX's own
    cache), and kept in memory."""
    _STATS["compiled"] += 1
    if fresh and path is not None:
        _save(path, exe)
    _IN_PROCESS[key] = exe
    return exe


def compile_ahead(
    name: str,
    fn: Any,
    args: Sequence[Any],
    static: Any = (),
    sources: Sequence[str] = (),
    kwargs: dict | None = None,
    before_trace: Callable[[], Any] | None = None,
) -> bool:
    """What ``compiled`` would do with the same arguments, but the XLA compilation runs on a background thread;
    ``compiled`` waits for it. ``args`` may be ``jax.ShapeDtypeStruct`` leaves (only shapes and dtypes count).
    A kernel already in memory or on disk is only loaded. True when a compilation was started."""
    kwargs = kwargs or {}
    key = _key(name, args, kwargs, static, tuple(sources))
    if key in _PENDING or key in _IN_PROCESS:
        return False
    trim_if_crowded()
    path, exe = _from_disk(name, key)
    if exe is not None:
        _IN_PROCESS[key] = exe
        return False
    if before_trace is not None:
        before_trace()
    lowered = fn.lower(*args, **kwargs)  # here, not on the worker: tracing is not thread-safe (module docstring)
    _cache_hits()  # its listener installed here: workers only read the count
    if "pool" not in _POOL:
        _POOL["pool"] = ThreadPoolExecutor(AHEAD_WORKERS, thread_name_prefix="mmm-compile")
    _PENDING[key] = (_POOL["pool"].submit(_compile_fresh, lowered), path)
    return True


def _finish(key: str) -> Callable:
    """The result of a background compilation (its error, if it failed, is raised here, to the kernel's user)."""
    future, path = _PENDING.pop(key)
    exe, fresh = future.result()
    _STATS["compiled_ahead"] += 1
    return _keep(key, path, exe, fresh)


def _from_disk(name: str, key: str) -> tuple[Path | None, Callable | None]:
    """(where the kernel is kept, the kernel loaded from there or None); (None, None) with the cache off."""
    folder = _folder()
    if folder is None:
        return None, None
    path = folder / f"{name}-{key}.bin"
    exe = _load(path)
    if exe is not None:
        _STATS["loaded"] += 1
    return path, exe


def _compile_fresh(lowered) -> tuple[Callable, bool]:
    """Compile: ``(executable, really compiled here?)``.

    An executable JAX loaded from its own persistent cache serialises without some of its functions (XLA:CPU;
    measured: the next process died with "Function xor_xor_fusion not found"), so only a real compilation may be
    written here. A hit in JAX's cache (counted by its monitoring event) is used as it is and not written: that
    kernel stays as fast as before (JAX's cache) until its program changes and a real compile writes it here.
    With compilations running at once on other threads, their hits count too: a fresh kernel may then go
    unwritten (the next process compiles it again), never the reverse."""
    hits = _cache_hits()
    exe = lowered.compile()
    return exe, _cache_hits() == hits


_HITS = {"n": 0, "listening": False}


def _cache_hits() -> int:
    """JAX persistent-cache hits so far in this process (a monitoring listener installed on first use)."""
    if not _HITS["listening"]:

        def count(event: str, **_: object) -> None:
            if event == "/jax/compilation_cache/cache_hits":
                _HITS["n"] += 1

        jax.monitoring.register_event_listener(count)
        _HITS["listening"] = True
    return _HITS["n"]


def _folder() -> Path | None:
    root = jax.config.jax_compilation_cache_dir
    return Path(root) / _FOLDER if root else None


def _key(name: str, args, kwargs: dict, static: Any, sources: tuple[str, ...]) -> str:
    leaves, tree = jax.tree_util.tree_flatten((tuple(args), kwargs))
    # arrays by shape and dtype; anything else (a static keyword such as a step count) by value
    avals = [(tuple(x.shape), str(x.dtype)) if hasattr(x, "dtype") else repr(x) for x in leaves]
    parts = (
        _FORMAT,
        name,
        repr(static),
        str(tree),
        repr(avals),
        _environment(),
        _source_fingerprint(sources),
        # the global JAX options that change what a trace lowers to
        (jax.config.jax_enable_x64, jax.config.jax_default_matmul_precision, jax.config.jax_threefry_partitionable),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


@lru_cache(maxsize=1)
def _environment() -> str:
    devices = jax.devices()
    return repr(
        (
            jax.__version__,
            metadata.version("jaxlib"),  # by distribution: jaxlib is jax's, not a declared dependency
            numpyro.__version__,
            sys.version_info[:3],
            devices[0].platform,
            len(devices),
            getattr(devices[0], "device_kind", ""),
            os.environ.get("XLA_FLAGS", ""),
        )
    )


@lru_cache(maxsize=32)
def _source_fingerprint(extra: tuple[str, ...]) -> str:
    """sha256 of the engine package's source files and ``extra``: the code a kernel's trace runs through."""
    engine = Path(__file__).resolve().parent
    files = sorted(engine.glob("*.py")) + sorted(Path(p).resolve() for p in extra)
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _load(path: Path) -> Callable | None:
    try:
        _initialise_custom_calls()
        with open(path, "rb") as fh:
            fmt, payload, in_tree, out_tree, device_ids = pickle.load(fh)
        if fmt != _FORMAT:
            return None
        by_id = {d.id: d for d in jax.devices()}
        devices = [by_id[i] for i in device_ids]
        return serialize_executable.deserialize_and_load(payload, in_tree, out_tree, execution_devices=devices)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 — any unreadable or incompatible entry: compile again and overwrite it
        return None


@lru_cache(maxsize=1)
def _initialise_custom_calls() -> None:
    """Register the CPU LAPACK kernels the executables may call (a dense mass matrix's Cholesky factor, the Laplace
    start's eigen-decomposition). JAX does it while *lowering* a linear-algebra op, which a loaded kernel never
    does: without this, the first such call in a fresh process jumps to an unset pointer (the process died with a
    segmentation fault, measured). ``jax.export`` does the same on deserialisation; if a JAX release moves the
    private function, the AttributeError makes every load fall back to compiling."""
    from jax._src.lax import linalg  # lazy: private JAX module, the one jax.export itself uses for this

    linalg.initialize_lapack()


def _save(path: Path, exe) -> None:
    """Atomic write (temp file + rename): a concurrent fit reads a whole entry or none. Failing to write (read-only
    or full disk, a kernel JAX cannot serialise) only costs the next process a compile."""
    try:
        payload, in_tree, out_tree = serialize_executable.serialize(exe)
        device_ids = [d.id for d in exe._executable._unloaded_executable.device_list]
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".bin")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((_FORMAT, payload, in_tree, out_tree, device_ids), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 — see the docstring: a cache write is never worth failing a fit
        if "tmp" in locals():
            Path(tmp).unlink(missing_ok=True)
