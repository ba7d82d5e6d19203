"""Recovery of known truth through the whole product path: synth → ingest → default spec → lock → NUTS fit → ROI.

What is asserted and why: the true ROI (contribution / spend, from the generator) must fall inside the fit's
90% interval for most channels. With calibrated 90% intervals and C channels, the number of misses is roughly
Binomial(C, 0.1); even ordinary least squares *given the true transforms* has ROI standard errors of ±1.0
(Search), ±1.4 (Social), ±0.4 (Local) on national_small, because trend and seasonal spend shapes overlap the
baseline. So the tests require coverage of at least C − 1 channels on 4-channel data (P(≥2 misses) ≈ 5% if
calibrated) and C − 2 on 8-channel data (P(≥3 misses) ≈ 4%), and never a wildly wrong channel: every true ROI
lies inside the 99.9% interval. Small draw counts in the fast suite; full counts under ``-m slow``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmm_core import ledger
from mmm_core.answers.results import roi
from mmm_core.data.ingest import ingest
from mmm_core.fit.job import run_fit
from mmm_core.spec import init_spec
from mmm_core.store import Store
from mmm_core.synth import write


def _fit_preset(tmp: Path, preset: str, warmup: int, draws: int) -> tuple[dict, dict, dict]:
    store = Store(tmp / "mmm.duckdb")
    csv, truth_path = write(preset, 0, tmp / f"{preset}.csv", tmp / f"{preset}_truth.json")
    ds = ingest(store, csv)
    locked = ledger.lock(store, init_spec(store, ds.dataset_id), f"recovery test on {preset}")
    fit = run_fit(store, locked.spec_id, warmup=warmup, draws=draws)
    at90 = roi(store, fit["fit_id"], interval=0.9, allow_unhealthy=True)
    at999 = roi(store, fit["fit_id"], interval=0.999, allow_unhealthy=True)
    return json.loads(Path(truth_path).read_text()), at90, at999


def _misses(truth: dict, table: dict) -> list[str]:
    out = []
    for name, row in table["channels"].items():
        true_roi = truth["channels"][name]["roi"]
        if not row["roi"]["lo"] <= true_roi <= row["roi"]["hi"]:
            out.append(f"{name}: true {true_roi:.2f} outside [{row['roi']['lo']:.2f}, {row['roi']['hi']:.2f}]")
    return out


def _assert_recovered(truth: dict, at90: dict, at999: dict, allowed_misses: int) -> None:
    misses = _misses(truth, at90)
    assert len(misses) <= allowed_misses, misses
    assert not _misses(truth, at999), _misses(truth, at999)


def test_national_small_recovery_fast(tmp_path: Path) -> None:
    truth, at90, at999 = _fit_preset(tmp_path, "national_small", warmup=300, draws=300)
    _assert_recovered(truth, at90, at999, allowed_misses=1)


def test_geo_medium_recovery_fast(tmp_path: Path) -> None:
    truth, at90, at999 = _fit_preset(tmp_path, "geo_medium", warmup=150, draws=150)
    _assert_recovered(truth, at90, at999, allowed_misses=2)


@pytest.mark.slow
@pytest.mark.parametrize("preset, allowed", [("national_small", 1), ("geo_medium", 2)])
def test_recovery_full_draws(tmp_path: Path, preset: str, allowed: int) -> None:
    truth, at90, at999 = _fit_preset(tmp_path, preset, warmup=1000, draws=1000)
    _assert_recovered(truth, at90, at999, allowed_misses=allowed)
