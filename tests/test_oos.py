"""Out-of-sample validation in the health review (issue 16 item 4): rolling-origin holdout, CRPS and interval
coverage on future periods, shown by `mmm-agent health FIT --oos`, stored beside the fit and reused.

Fast: the CRPS and coverage arithmetic against closed forms, the horizon rule, the refusal of quick fits, and one
small NUTS fit (1 chain x 100 draws) validated at one origin. Slow: with the sampler's default draws a
correctly specified model's 90% predictive intervals hold most future weeks, on three seeds.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from mmm_core import ledger, synth
from mmm_core.data.ingest import ingest
from mmm_core.errors import MMMError
from mmm_core.fit import artifacts
from mmm_core.fit.job import run_fit
from mmm_core.fit.oos import ARTIFACT, crps, horizon_for, out_of_sample, score_origin
from mmm_core.spec import Saturation, init_spec
from mmm_core.store import Store


def test_sample_crps_matches_the_closed_form_of_a_normal() -> None:
    rng = np.random.default_rng(0)
    draws = rng.standard_normal((20000, 3))
    y = np.array([0.0, 1.0, -2.0])
    exact = [y_ * (2 * stats.norm.cdf(y_) - 1) + 2 * stats.norm.pdf(y_) - 1 / np.sqrt(np.pi) for y_ in y]
    np.testing.assert_allclose(crps(draws, y), exact, atol=0.01)
    assert crps(np.full((10, 1), 5.0), np.array([5.0]))[0] == pytest.approx(0.0)  # a sure, right forecast


def test_coverage_counts_outcomes_inside_the_predictive_intervals() -> None:
    rng = np.random.default_rng(1)
    draws = rng.standard_normal((4000, 200, 1))
    calibrated = score_origin(draws, rng.standard_normal((200, 1)), np.ones((200, 1), bool))
    assert 0.85 <= calibrated["coverage_90"] <= 0.95 and 0.42 <= calibrated["coverage_50"] <= 0.58
    overconfident = score_origin(0.3 * draws, rng.standard_normal((200, 1)), np.ones((200, 1), bool))
    assert overconfident["coverage_90"] < 0.6 and overconfident["crps"] > calibrated["crps"]
    assert calibrated["n_cells"] == 200


@pytest.mark.parametrize("n, origins, h", [(104, 1, 13), (104, 3, 13), (40, 1, 13), (40, 3, 6), (20, 2, 4)])
def test_the_horizon_keeps_every_origin_inside_the_holdout_limit(n: int, origins: int, h: int) -> None:
    assert horizon_for(n, origins) == h
    assert origins * h < n / 2


def test_the_specs_own_holdout_counts_against_the_room_for_origins() -> None:
    assert horizon_for(104, 1, held_out=13) == 13 and horizon_for(104, 3, held_out=13) == 12
    with pytest.raises(MMMError) as e:
        horizon_for(20, 2, held_out=8)
    assert e.value.code == "oos_no_room"


def test_quick_fits_are_refused_and_origins_are_bounded(demo_fit: dict) -> None:
    with pytest.raises(MMMError) as e:
        out_of_sample(demo_fit["store"], demo_fit["fit_id"])
    assert e.value.code == "oos_needs_nuts"
    with pytest.raises(MMMError, match="origins must be 1 to 3"):
        out_of_sample(demo_fit["store"], demo_fit["fit_id"], origins=4)


def _nuts_fit(tmp: Path, seed: int, chains: int, n: int) -> tuple[Store, str]:
    data = synth.generate("national_small", seed)
    data.frame.to_csv(tmp / "data.csv", index=False)
    store = Store(tmp / "mmm.duckdb")
    ds = ingest(store, tmp / "data.csv", name="national_small")
    spec = init_spec(store, ds.dataset_id)  # Hill curves: the preset's own family (a correctly specified model)
    spec = spec.model_copy(
        update={"media": [m.model_copy(update={"saturation": Saturation(type="hill")}) for m in spec.media]}
    )
    locked = ledger.lock(store, spec, "test: out-of-sample validation")
    return store, run_fit(store, locked.spec_id, chains=chains, warmup=n, draws=n, seed=0)["fit_id"]


def test_health_oos_scores_future_periods_and_stores_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.cli.main import main

    store, fit_id = _nuts_fit(tmp_path, 0, 2, 100)  # 2 chains: the report needs R-hat
    argv = ["--store", str(store.path), "health", fit_id]
    assert main(argv + ["--oos", "--json"]) == 0
    oos = json.loads(capsys.readouterr().out)["out_of_sample"]
    (origin,) = oos["origins"]
    assert origin["horizon"] == 13 and origin["train_periods"] == 104 - 13 and origin["n_cells"] == 13
    assert origin["crps"] > 0 and 0 <= origin["coverage_90"] <= 1 and oos["status"] in ("pass", "warn")
    path = artifacts.fit_dir(store, fit_id) / ARTIFACT
    stamp = path.stat().st_mtime_ns
    assert main(argv) == 0  # shown without --oos once stored, never recomputed by a plain `health`
    text = capsys.readouterr().out
    assert "out-of-sample (rolling origin)" in text and "in 90% interval" in text
    assert path.stat().st_mtime_ns == stamp
    from mmm_core.report.build import build_report

    out = build_report(store, fit_id, tmp_path / "r.md", fmt="md", allow_unhealthy=True)
    text = (tmp_path / "r.md").read_text()
    assert "Out of sample (rolling-origin holdout)" in text and "predictive intervals" in text and out["grounded"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_correct_model_covers_most_future_weeks(tmp_path: Path, seed: int, record_property) -> None:
    store, fit_id = _nuts_fit(tmp_path, seed, 2, 500)
    oos = out_of_sample(store, fit_id, origins=2)
    record_property("oos", oos)
    assert oos["coverage_90"] >= 0.7 and oos["status"] == "pass", oos
    assert oos["crps_relative"] < 0.1, oos  # national_small's noise is 6% of the KPI
