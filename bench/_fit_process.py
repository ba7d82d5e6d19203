"""Whole-process timing of ``mmm-agent fit``: what a user waits for, not just the sampler.

The case (``_fit_case``: national, 156 weeks, 5 channels, default spec, 2 chains x 1000 warm-up + 1000 draws) is
fitted by the real command in a child process, twice on one fresh JAX compilation cache: ``cold`` (an empty
cache, as after installing) and ``warm`` (the cache the first run filled, as for every later fit). Wall time is
measured around the child; CPU time (user + system, all threads) from the OS, which depends much less on how
loaded the machine is. The fit's own phase table (``diagnostics.phases``, wall and CPU per phase) and JAX's
compile counters (``diagnostics.jax_compiles``, with ``kernels_loaded`` / ``kernels_compiled``: the big kernels
``engine.executables`` loaded whole or compiled) come back in its ``--json`` output. A quiet-machine wall estimate is
printed with its method (:func:`quiet_wall_estimate`).

Beside ours, the same command with ``--engine pymc-marketing`` (pymc-marketing's MMM sampled by numpyro; same data,
chains, warm-up and draws from the same spec), cold (its own fresh cache) and warm: whole-process ESS/s of both in
one run, the ratio, and whether each target of issue 20 is met on this machine (``TARGETS``), with the load
average before and after every run (a loaded machine's wall time measures the load as much as the code).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The order phases run in (the stored diagnostics have their keys sorted).
PHASE_ORDER = (
    "inputs",
    "engine_import",
    "prior_predictive",
    "gate",
    "nuts_prepare",
    "nuts_compile",
    "nuts_warmup",
    "nuts_sampling",
    "nuts_constrain",
    "effects",
    "identifiability",
    "review",
    "artifacts",
    "tables",
)


def _command() -> list[str]:
    script = Path(sys.executable).with_name("mmm-agent")
    return [str(script)] if script.exists() else [sys.executable, "-m", "agent.cli"]


# Issue 20's targets for the national case: whole-process wall seconds warm and cold, ours / pymc-marketing ESS/s.
TARGETS = {"warm_wall_s": 10.0, "cold_wall_s": 20.0, "ess_ratio": 5.0}


def run_fit_process(store: Path, spec_id: str, cache: Path, engine: str = "numpyro") -> dict:
    """One ``mmm-agent fit`` in a child process: wall, CPU, the load average before and after, and the fit's JSON."""
    env = {**os.environ, "MMM_AGENT_JAX_CACHE": str(cache)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(
        [*_command(), "--store", str(store), "fit", spec_id, "--engine", engine, "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"mmm-agent fit failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr[-2000:]}")
    out = _fit_json(proc.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "load": (load_before, os.getloadavg()[0]), "fit": out}


def _fit_json(stdout: str) -> dict:
    """The command's ``--json`` answer: pymc-marketing's sampler prints a progress bar to stdout before it."""
    start = 0 if stdout.startswith("{") else stdout.find("\n{") + 1
    return json.loads(stdout[start:])


def whole_process(folder: Path | None = None, pymc: bool = True) -> dict[str, dict]:
    """Cold then warm fit of the case, ours then (``pymc``) pymc-marketing's, each engine on its own fresh JAX
    cache; returns ``{"cold": run, "warm": run, "pymc cold": run, "pymc warm": run}``."""
    from _fit_case import prepare

    work = Path(folder or tempfile.mkdtemp(prefix="fit_speed_"))
    store, spec_id = prepare(work / "case")
    runs = {}
    engines = [("", "numpyro")] + ([("pymc ", "pymc-marketing")] if pymc else [])
    for prefix, engine in engines:
        cache = work / f"jax_cache_{engine}"  # fresh: the cold run fills it
        for label in ("cold", "warm"):
            r = runs[prefix + label] = run_fit_process(store, spec_id, cache, engine)
            print(
                f"  {engine} {label}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU "
                f"(load {r['load'][0]:.1f} -> {r['load'][1]:.1f})",
                flush=True,
            )
    return runs


def print_whole_process(runs: dict[str, dict]) -> None:
    ours = {k: v for k, v in runs.items() if not k.startswith("pymc")}
    _print_phases(ours)
    _print_targets(runs)


def _print_phases(runs: dict[str, dict]) -> None:
    labels = list(runs)
    head = f"{'phase':18s}" + "".join(f" {lb + ' wall':>10s} {lb + ' CPU':>9s}" for lb in labels)
    print("\nmmm-agent fit as a whole process (national 156 weeks x 5 channels, 2 x (1000 + 1000)):")
    print(head + "\n" + "-" * len(head))
    phases = [r["fit"]["diagnostics"].get("phases", {}) for r in runs.values()]
    names = [p for p in PHASE_ORDER if any(p in ph for ph in phases)]
    names += sorted({p for ph in phases for p in ph} - set(names))
    for name in names:
        cells = "".join(
            f" {ph.get(name, {}).get('wall_s', 0):10.2f} {ph.get(name, {}).get('cpu_s', 0):9.2f}" for ph in phases
        )
        print(f"{name:18s}{cells}")
    rest = [
        (r["wall"] - sum(v["wall_s"] for v in ph.values()), r["cpu"] - sum(v["cpu_s"] for v in ph.values()))
        for r, ph in zip(runs.values(), phases, strict=True)
    ]
    print(f"{'start, ledger, exit':18s}" + "".join(f" {w:10.2f} {c:9.2f}" for w, c in rest))
    print(f"{'whole process':18s}" + "".join(f" {r['wall']:10.2f} {r['cpu']:9.2f}" for r in runs.values()))
    quiet = [quiet_wall_estimate(r["cpu"], ph) for r, ph in zip(runs.values(), phases, strict=True)]
    print(f"{'quiet estimate':18s}" + "".join(f" {q:10.2f} {'':9s}" for q in quiet))
    for label, r in runs.items():
        d = r["fit"]["diagnostics"]
        ess = d.get("min_ess_bulk") or float("nan")
        print(
            f"{label}: min bulk ESS {ess:.0f}, max R-hat {d.get('max_rhat', float('nan')):.3f}, divergences "
            f"{d.get('divergences')}; whole-process ESS/s {ess / r['wall']:.1f} (wall), {ess / r['cpu']:.1f} (CPU); "
            f"JAX {d.get('jax_compiles')}"
        )
    print(
        "Loaded machine? Compare CPU columns: wall time there measures the load as much as the code. 'quiet "
        f"estimate' = whole-process CPU minus the share of the NUTS chunks that {PARALLEL_CHAINS} chains on "
        f"{PARALLEL_CHAINS} free cores run in parallel; an upper bound when kernels compile ahead on other threads "
        "(cold: counted as if one after the other)."
    )


def _ess_per_s(run: dict, clock: str = "wall") -> float:
    ess = run["fit"]["diagnostics"].get("min_ess_bulk") or float("nan")
    return ess / run[clock]


def _print_targets(runs: dict[str, dict]) -> None:
    """Whole-process ESS/s of both engines, the ratios, and each target met or not (wall on this machine)."""
    print("\nwhole process, same data / chains / warm-up / draws (min bulk ESS over free parameters per wall second):")
    for label, r in runs.items():
        d = r["fit"]["diagnostics"]
        print(
            f"  {label:11s} {r['wall']:7.1f} s wall {r['cpu']:7.1f} s CPU  min ESS {d.get('min_ess_bulk') or 0:6.0f}  "
            f"R-hat {d.get('max_rhat') or float('nan'):.3f}  {_ess_per_s(r):7.1f} ESS/s  "
            f"load {r['load'][0]:.1f} -> {r['load'][1]:.1f}"
        )
    verdicts = [
        ("warm wall", runs["warm"]["wall"], "<=", TARGETS["warm_wall_s"]),
        ("cold wall", runs["cold"]["wall"], "<=", TARGETS["cold_wall_s"]),
    ]
    for label in ("cold", "warm"):
        if f"pymc {label}" in runs:
            ratio = _ess_per_s(runs[label]) / _ess_per_s(runs[f"pymc {label}"])
            verdicts.append((f"ESS/s ours / pymc-marketing ({label})", ratio, ">=", TARGETS["ess_ratio"]))
            cpu = _ess_per_s(runs[label], "cpu") / _ess_per_s(runs[f"pymc {label}"], "cpu")
            print(f"  ESS per CPU second, ours / pymc-marketing ({label}): {cpu:.2f} (depends less on the load)")
    for name, value, op, target in verdicts:
        met = value <= target if op == "<=" else value >= target
        print(f"  target {name} {op} {target:g}: {value:.2f} -> {'met' if met else 'NOT met'} on this machine")
    loads = [x for r in runs.values() for x in r["load"]]
    print(f"  load average (1 min) during the runs: {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores")


PARALLEL_CHAINS = 2  # the case's chains, each on its own host device (pmap): on a quiet 2-core machine, in parallel
_PARALLEL_PHASES = ("nuts_warmup", "nuts_sampling")


def quiet_wall_estimate(cpu_s: float, phases: dict[str, dict[str, float]], cores: int = PARALLEL_CHAINS) -> float:
    """Wall seconds the process would take alone on ``cores`` cores: its CPU seconds, with the sampling chunks'
    CPU divided among the chains that run at once. An estimate either way: it leaves out waiting on the disk (not
    CPU), and counts a loaded machine's CPU seconds, which run slower than a quiet one's (shared caches)."""
    parallel = sum(phases.get(p, {}).get("cpu_s", 0.0) for p in _PARALLEL_PHASES)
    return cpu_s - parallel + parallel / max(1, min(cores, PARALLEL_CHAINS))
