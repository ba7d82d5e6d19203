"""Fitting stage of the decision-quality benchmark: world → CSV → store → default spec → fit → cached Posterior.

Each fit goes through the same doors as a user's (ingest, ``init_spec``, lock, ``run_fit``), so "the default
spec" is the one a user gets. The posterior is pickled per (process, seed, mode) so scoring policies never refits.
"""

from __future__ import annotations

import dataclasses
import pickle
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
from _dq_worlds import world


def cache_path(cache: Path, dgp: str, seed: int, mode: str) -> Path:
    return cache / f"{dgp}_s{seed:02d}_{mode}.pkl"


def fit_one(dgp: str, seed: int, cache: Path, mode: str, chains: int, warmup: int, draws: int) -> dict[str, Any]:
    """Fit ``dgp``/``seed`` unless cached; returns the cached record (``post`` is None when the fit failed)."""
    out = cache_path(cache, dgp, seed, mode)
    if out.exists():
        record = pickle.loads(out.read_bytes())
        if record.get("post") is not None:
            upgrade(record["post"])
        return record
    from mmm_core import ledger
    from mmm_core.answers.results import load_posterior
    from mmm_core.data.ingest import ingest
    from mmm_core.fit.job import run_fit
    from mmm_core.spec import init_spec
    from mmm_core.store import Store
    from mmm_core.synth.make import to_frame

    t0 = time.perf_counter()
    record: dict[str, Any] = {"dgp": dgp, "seed": seed, "mode": mode, "post": None}
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "mmm.duckdb")
        try:
            csv = Path(tmp) / f"{dgp}_{seed}.csv"
            to_frame(world(dgp, seed)).to_csv(csv, index=False, lineterminator="\n")
            ds = ingest(store, csv, name=f"{dgp}_{seed}")
            locked = ledger.lock(store, init_spec(store, ds.dataset_id), "decision-quality benchmark: default spec")
            quick = mode == "quick"
            fit = run_fit(
                store,
                locked.spec_id,
                quick=quick,
                chains=None if quick else chains,
                warmup=None if quick else warmup,
                draws=None if quick else draws,
                seed=seed,
            )
            record |= {
                "post": load_posterior(store, fit["fit_id"]),
                "health": fit.get("health"),
                "diagnostics": fit.get("diagnostics"),
            }
        except Exception as exc:  # a refused or failed fit is a benchmark outcome, recorded, not a crash
            record["error"] = f"{type(exc).__name__}: {exc}"
            record["traceback"] = traceback.format_exc(limit=5)
    record["seconds"] = time.perf_counter() - t0
    cache.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_suffix(".tmp")
    tmp_out.write_bytes(pickle.dumps(record))
    tmp_out.replace(out)
    return record


def upgrade(post) -> None:
    """Give a posterior pickled before a model field existed that field's empty default, in place.

    Why: the 70 cached full-NUTS fits (26 minutes of sampling) predate the lift-test fields (``experiments`` in
    the config, ``experiment_spend``/``experiment_window`` in the data, empty without lift tests) and the
    ``national`` regressor flag; their posteriors are unchanged by fields they did not use, so scoring new
    policies on them needs no refit. A field without a default is not invented: the cache must be rebuilt then.
    """
    scaled = post.scaled
    empty = {
        "experiment_spend": np.zeros((0, *scaled.kpi.shape)),
        "experiment_window": np.zeros((0, scaled.kpi.shape[0])),
    }
    for obj in (scaled, post.config):
        for f in dataclasses.fields(obj):
            if f.name in obj.__dict__:
                continue
            if f.name in empty:
                value = empty[f.name]
            elif f.default is not dataclasses.MISSING:
                value = f.default
            else:
                raise RuntimeError(f"cached fit lacks {type(obj).__name__}.{f.name}; delete the cache to refit")
            object.__setattr__(obj, f.name, value)
