"""Recovery of known truth through the whole product path: synth → ingest → default spec → lock → NUTS fit → ROI.

What is asserted and why (the probabilities are derived in ``recovery_support``): the true ROI (contribution /
spend, from the generator) falls inside the product's 90% interval for most channels, with an allowance of
misses that a calibrated posterior exceeds with probability below 1%; no channel's truth is more than 4
posterior sds (log scale) from the posterior; and the channels' squared z's add up to no more than chi-square's
99.9% quantile. On national_small even ordinary least squares *given the true transforms* has ROI standard
errors of ±1.0 (Search), ±1.4 (Social), ±0.4 (Local), because trend and seasonal spend shapes overlap the
baseline, so one fit's coverage says little: the fast national test pools three datasets (data seeds 0-2, one
compiled kernel, ~4 s per extra fit). geo_medium fits once (a fit is ~1 min on 2 cores). Small draw counts in
the fast suite; full counts under ``-m slow``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from recovery_support import LEVEL, Recovery, assert_recovered

from mmm_core import ledger
from mmm_core.answers.results import effect_draws, roi
from mmm_core.data.ingest import ingest
from mmm_core.fit.job import run_fit
from mmm_core.spec import init_spec
from mmm_core.store import Store
from mmm_core.synth import write

NATIONAL_SEEDS = (0, 1, 2)


def _fit_preset(tmp: Path, preset: str, warmup: int, draws: int, data_seed: int = 0) -> Recovery:
    folder = tmp / f"{preset}_{data_seed}"
    store = Store(folder / "mmm.duckdb")
    csv, truth_path = write(preset, data_seed, folder / f"{preset}.csv", folder / f"{preset}_truth.json")
    ds = ingest(store, csv)
    locked = ledger.lock(store, init_spec(store, ds.dataset_id), f"recovery test on {preset}")
    fit = run_fit(store, locked.spec_id, warmup=warmup, draws=draws)
    table = roi(store, fit["fit_id"], interval=LEVEL, allow_unhealthy=True)["channels"]
    eff = effect_draws(store, fit["fit_id"])
    truth = json.loads(Path(truth_path).read_text())["channels"]
    names = eff.channels
    return Recovery.from_draws(
        names,
        eff.roi,
        [truth[n]["roi"] for n in names],
        lo=[table[n]["roi"]["lo"] for n in names],
        hi=[table[n]["roi"]["hi"] for n in names],
        label=f"{preset}#{data_seed}",
    )


def _national(tmp: Path, warmup: int, draws: int) -> Recovery:
    return Recovery.pooled([_fit_preset(tmp, "national_small", warmup, draws, s) for s in NATIONAL_SEEDS])


def test_national_small_recovery_fast(tmp_path: Path) -> None:
    assert_recovered(_national(tmp_path, warmup=300, draws=300))


def test_geo_medium_recovery_fast(tmp_path: Path) -> None:
    assert_recovered(_fit_preset(tmp_path, "geo_medium", warmup=150, draws=150))


@pytest.mark.slow
def test_national_small_recovery_full_draws(tmp_path: Path) -> None:
    assert_recovered(_national(tmp_path, warmup=1000, draws=1000))


@pytest.mark.slow
def test_geo_medium_recovery_full_draws(tmp_path: Path) -> None:
    assert_recovered(_fit_preset(tmp_path, "geo_medium", warmup=1000, draws=1000))
