"""Offline `ask` latency on a fitted model, warm process: p50/p95 over a mix of questions; target p95 ≤ 1.5 s.

Prints one JSON object. Uses a real quick fit of the bundled demo data.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

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
]


def main(rounds: int = 5) -> dict:
    from test_agent_fixtures import fitted_store

    from agent.session import Session
    from mmm_core.engine.setup import setup

    setup()  # before the fixture's fit starts JAX: devices and compilation cache as the CLI has them

    with tempfile.TemporaryDirectory() as tmp:
        fx = fitted_store(Path(tmp))  # a real quick fit of the demo data
        session = Session(fx.store)  # SQLite checkpointer at <store dir>/sessions.sqlite, as the CLI uses
        session.ask("help", fit_id=fx.fit_id)  # warm-up: imports, graph compile, first queries
        times, grounded = [], 0
        for _ in range(rounds):
            for q in QUESTIONS:
                t0 = time.perf_counter()
                rec = session.ask(q)
                times.append(time.perf_counter() - t0)
                grounded += rec["grounded"]
        times.sort()
        p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
        return {
            "bench": "ask_latency",
            "fit": fx.fit_id,
            "n": len(times),
            "p50_s": round(statistics.median(times), 4),
            "p95_s": round(p95, 4),
            "max_s": round(times[-1], 4),
            "grounded_share": grounded / len(times),
            "target_p95_s": 1.5,
            "ok": p95 <= 1.5,
        }


if __name__ == "__main__":
    print(json.dumps(main()))
