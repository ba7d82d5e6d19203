"""Ingest benchmark: a 1,000,000-row MFF CSV (50 geos x 208 weeks x ~96 variables) into a fresh store.

Prints a human line and one JSON line: rows, rows/s, wall seconds (ingest only), peak memory (ru_maxrss).
Target: <= 10 s and <= 2 GB peak on 2 cores.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mmm_core.data.ingest import ingest  # noqa: E402
from mmm_core.store import Store  # noqa: E402

GEOS, WEEKS = 50, 208


def write_mff_csv(path: Path, target_rows: int, seed: int = 0) -> int:
    """A realistic MFF file: per geo and week, media spend on outlets, a KPI and controls."""
    n_vars = max(2, -(-target_rows // (GEOS * WEEKS)))  # round up: at least target_rows
    rng = np.random.default_rng(seed)
    names = ["Sales", "Price"] + [f"Ch{i:02d}_Spend" for i in range(n_vars - 2)]
    outlets = ["", ""] + [f"Ch{i:02d}" for i in range(n_vars - 2)]
    weeks = pd.date_range("2021-01-04", periods=WEEKS, freq="7D").strftime("%Y-%m-%d").to_numpy()
    geos = np.array([f"G{g:02d}" for g in range(GEOS)], dtype=object)
    n = GEOS * WEEKS * n_vars
    frame = pd.DataFrame(
        {
            "Period": np.tile(np.repeat(weeks, n_vars), GEOS),
            "Geography": np.repeat(geos, WEEKS * n_vars),
            "Product": "",
            "Campaign": "",
            "Outlet": np.tile(np.array(outlets, dtype=object), GEOS * WEEKS),
            "Creative": "",
            "VariableName": np.tile(np.array(names, dtype=object), GEOS * WEEKS),
            "VariableValue": np.round(rng.gamma(2.0, 500.0, n), 2),
        }
    )
    frame.to_csv(path, index=False)
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write files here instead of a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        csv_path = work / "bench_mff.csv"
        # Generate in a child process so this process's peak RSS measures the ingest alone.
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            rows = pool.apply(write_mff_csv, (csv_path, args.rows))
        store = Store(work / "bench.duckdb")
        started = time.perf_counter()
        result = ingest(store, csv_path)
        wall = time.perf_counter() - started
        file_mb = round(csv_path.stat().st_size / 2**20, 1)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    figures = {
        "rows": result.rows,
        "generated_rows": rows,
        "file_mb": file_mb,
        "wall_s": round(wall, 2),
        "rows_per_s": round(result.rows / wall),
        "peak_rss_mb": round(peak_mb),
        "variables": result.variables,
        "periods": result.periods,
        "geographies": len(result.geographies),
    }
    print(
        f"ingested {result.rows:,} rows in {wall:.2f} s ({result.rows / wall:,.0f} rows/s), "
        f"peak RSS {peak_mb:,.0f} MB (ingest process)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
