"""Offline `ask` latency on a real fit of the bundled demo data: cold and warm, p50/p95; target p95 ≤ 1.5 s.

- **cold**: a new `mmm-agent ask "…" --json` process per question (what a shell user or a script pays: Python
  start, imports, store open, the agent graph, the answer);
- **warm**: the same questions in one process's chat session (what the UI and `chat` pay per turn).

The fit is a full NUTS fit of a locked spec (``--quick`` for a MAP + Laplace fit), so `ask` without ``--fit``
answers from it through the default-fit rule. The machine's load average is reported with the figures: on a
shared machine cold starts scale with it. Prints one JSON object; ``--out FILE`` also writes it.

    python bench/ask_latency.py [--quick] [--rounds 3] [--cold-rounds 1] [--out bench/results/ask_latency.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

DEMO = ROOT / "data" / "demo_national.csv"
TARGET_P95_S = 1.5
QUESTIONS = [
    "What's the ROI of Search?",
    "Which channel is best?",
    "Is Search better than Social?",
    "How much did Email contribute?",
    "total spend by channel",
    "Did the model converge?",
    "describe the data",
    "what did we try?",
    "help",
    "sales by week",
    "Show the contributions over time",
    "What is the ROI of Local?",
]


def _fit_store(folder: Path, quick: bool) -> tuple[Path, str]:
    """A store with the demo data, its default spec locked and fitted (NUTS unless ``quick``)."""
    from mmm_core import ledger
    from mmm_core.data.ingest import ingest
    from mmm_core.fit.job import run_fit
    from mmm_core.spec import init_spec
    from mmm_core.store import Store

    store = Store(folder / "mmm.duckdb")
    ds = ingest(store, DEMO, name="demo")
    locked = ledger.lock(store, init_spec(store, ds.dataset_id), "ask latency bench: default spec")
    settings = {"quick": True} if quick else {"chains": 2, "warmup": 500, "draws": 500}
    fit = run_fit(store, locked.spec_id, seed=0, **settings)
    return store.path, fit["fit_id"]


def _percentiles(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]  # nearest rank
    return {
        "n": len(ordered),
        "p50_s": round(statistics.median(ordered), 3),
        "p95_s": round(p95, 3),
        "max_s": round(ordered[-1], 3),
        "ok": p95 <= TARGET_P95_S,
    }


def cold(store_path: Path, fit_id: str, rounds: int) -> dict:
    """One new process per question; checks each answer came from the expected fit. ``cpu_p50_s``: the median
    CPU time (user + system) of one process, which a loaded machine stretches far less than the wall time."""
    times, cpu, wrong_fit, failed = [], [], 0, 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for _ in range(rounds):
        for q in QUESTIONS:
            argv = [sys.executable, "-m", "agent.cli.main", "--store", str(store_path), "ask", q, "--json"]
            before, t0 = _children_cpu(), time.perf_counter()
            done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
            times.append(time.perf_counter() - t0)
            cpu.append(_children_cpu() - before)
            if done.returncode != 0:
                failed += 1
                continue
            wrong_fit += json.loads(done.stdout).get("fit", {}).get("fit_id") != fit_id
    return {
        **_percentiles(times),
        "cpu_p50_s": round(statistics.median(cpu), 3),
        "failed": failed,
        "answered_from_other_fit": wrong_fit,
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def warm(store_path: Path, fit_id: str, rounds: int) -> dict:
    """The questions in one process's session, after one warm-up turn (imports, graph compile, caches)."""
    from agent.session import Session
    from mmm_core.store import Store

    session = Session(Store(store_path))  # SQLite checkpointer beside the store, as the CLI uses
    session.ask("help", fit_id=fit_id)
    times, cpu, grounded = [], [], 0
    for _ in range(rounds):
        for q in QUESTIONS:
            c0, t0 = time.process_time(), time.perf_counter()
            rec = session.ask(q)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            grounded += rec["grounded"]
    return {
        **_percentiles(times),
        "cpu_p50_s": round(statistics.median(cpu), 3),
        "grounded_share": round(grounded / len(times), 3),
    }


def import_time(repeats: int = 3) -> dict:
    """Seconds to import what `ask` needs (`agent.session`) and to start `mmm-agent --help`, each in a new
    process; medians."""
    code = "import time; t = time.perf_counter(); import agent.session; print(time.perf_counter() - t)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    imports, helps = [], []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        imports.append(float(out.stdout))
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "agent.cli.main", "--help"], capture_output=True, env=env, check=True)
        helps.append(time.perf_counter() - t0)
    return {
        "import_agent_session_s": round(statistics.median(imports), 3),
        "help_s": round(statistics.median(helps), 3),
    }


def main(quick: bool = False, rounds: int = 3, cold_rounds: int = 1) -> dict:
    from mmm_core.engine.setup import setup

    setup()  # before the fit starts JAX: devices and compilation cache as the CLI has them
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        store_path, fit_id = _fit_store(Path(tmp), quick)
        out = {
            "bench": "ask_latency",
            "fit": fit_id,
            "fit_mode": "quick" if quick else "nuts",
            "questions": len(QUESTIONS),
            "target_p95_s": TARGET_P95_S,
            "cold": cold(store_path, fit_id, cold_rounds),
            "warm": warm(store_path, fit_id, rounds),
            "startup": import_time(),
        }
    out["load_average_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    out["cpus"] = os.cpu_count()
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fit with MAP + Laplace instead of NUTS")
    parser.add_argument("--rounds", type=int, default=3, help="warm rounds over the questions (default 3)")
    parser.add_argument("--cold-rounds", type=int, default=1, help="cold rounds (one process per question)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args()
    result = main(args.quick, args.rounds, args.cold_rounds)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
