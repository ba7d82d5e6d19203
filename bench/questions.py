"""Question-corpus accuracy per category, for the tuning set and the fresh held-out set, and the count of answers
about an entity or period other than the one asked (target: fresh held-out ≥ 97%, zero wrong-entity/period).

The tuning set is the first corpus, including its former held-out half (its failures were read while tuning); the
held-out set is the fresh one written afterwards (tests/questions/templates_fresh.py). Runs every question of
tests/questions/corpus.jsonl through the real agent graph on a quick fit of data/demo_mediated.csv (about 10 s to
fit, then about half a second per question). Prints a table, then one JSON object; ``--failures tune`` also lists
the tuning set's failures (never look at the fresh held-out set's to tune).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", choices=["tune"], help="list the tuning set's failures")
    args = parser.parse_args()
    from questions import generate, run

    from mmm_core.engine.setup import setup

    setup()
    with tempfile.TemporaryDirectory() as tmp:
        runner = run.Runner(run.fitted_store(Path(tmp)))
        t0 = time.perf_counter()
        outcomes = [runner.ask(item) for item in generate.load()]
        elapsed = time.perf_counter() - t0
    summary = run.summarise(outcomes)
    acc = summary["accuracy"]
    cats = sorted({c for half in acc.values() for c in half if c != "ALL"}) + ["ALL"]
    print(f"{'category':24} {'tune (incl. old held-out)':>26} {'fresh held-out':>16}")
    for cat in cats:
        cells = [acc.get(s, {}).get(cat) for s in ("tune", "heldout")]
        shown = [f"{c[1]}/{c[2]} {c[0]:6.1%}" if c else "-" for c in cells]
        print(f"{cat:24} {shown[0]:>26} {shown[1]:>16}")
    print(f"wrong entity: {summary['wrong_entity']}  wrong period: {summary['wrong_period']}")
    if args.failures:
        for o in outcomes:
            if not o.ok and o.item["split"] == "tune":
                print(f"[{o.item['cat']}] {o.item['q']!r}: {o.failures}")
    out = {
        "questions": len(outcomes),
        "seconds_per_question": round(elapsed / max(len(outcomes), 1), 3),
        "tune": acc.get("tune", {}).get("ALL"),
        "heldout": acc.get("heldout", {}).get("ALL"),
        "wrong_entity": summary["wrong_entity"],
        "wrong_period": summary["wrong_period"],
    }
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
