"""Long-term effects through the real path: synth (brand presets) → ingest → spec init --brand-metrics → lock →
run_fit (step 1 MMM + step 2 VAR) → `long_term_answer` / `mmm-agent long-term FIT_ID --json`.

Fast: one quick fit (MAP + Laplace step 1, a short VAR run on 4 imputations) for the contract, the artifact, the
health checks and the CLI. Slow: NUTS recovery on `brand` and the null world `brand_none`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mmm_core import ledger, synth
from mmm_core.answers.long_term import long_term_answer
from mmm_core.answers.mediation import SPLIT_IDENTIFIED
from mmm_core.data.ingest import ingest
from mmm_core.errors import MMMError
from mmm_core.fit import artifacts
from mmm_core.fit.job import run_fit
from mmm_core.fit.long_term import ARTIFACT
from mmm_core.spec import init_spec
from mmm_core.store import Store

EST = {"mean", "median", "sd", "lo", "hi"}
METRICS = ["Awareness", "Consideration"]
NUTS = dict(chains=2, warmup=500, draws=500, seed=0)


def _fit(tmp: Path, preset: str, quick: bool, brand: bool = True) -> dict:
    data = synth.generate(preset, 0)
    data.frame.to_csv(tmp / "data.csv", index=False)
    store = Store(tmp / "mmm.duckdb")
    ds = ingest(store, tmp / "data.csv", name=preset)
    spec = init_spec(store, ds.dataset_id, brand_metrics=METRICS if brand else None)
    locked = ledger.lock(store, spec, "test: long-term")
    fit = run_fit(store, locked.spec_id, quick=quick, **({"seed": 0} if quick else NUTS))
    return {"store": store, "fit": fit, "fit_id": fit["fit_id"], "truth": data.truth}


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return _fit(tmp_path_factory.mktemp("lt_quick"), "brand", quick=True)


def test_contract_of_the_answer(quick):
    ans = long_term_answer(quick["store"], quick["fit_id"], allow_unhealthy=True)
    assert set(ans["channels"]) == {"TV", "Search", "Social", "Radio"}
    for c in ans["channels"].values():
        assert c["summarised"] is True
        for key in ("short_roi", "long_roi", "total_roi", "long_share"):
            assert EST <= set(c[key]), key
        assert c["split"]["label"] in {"identified", "weakly identified", "not identified by the data"}
        band = c["irf_sales"]
        assert len(band["mean"]) == ans["horizon"] == 24
        assert all(lo <= m <= hi for lo, m, hi in zip(band["lo"], band["mean"], band["hi"], strict=True))
    assert ans["interval"]["level"] == 0.9 and ans["stability"]["draws"] > 0
    prov = ans["provenance"]
    assert prov["spec_sha256"] and prov["specs_tried_on_dataset"] == 1 and ans["fit_id"] == quick["fit_id"]
    assert ans["approximate"] is True  # a quick step 1 says so on every number


def test_stored_with_the_fit_and_reviewed(quick):
    assert (artifacts.fit_dir(quick["store"], quick["fit_id"]) / ARTIFACT).exists()
    names = {c["name"]: c for c in quick["fit"]["health"]["checks"]}
    assert {"long_term_stability", "long_term_plausibility"} <= set(names)
    assert names["long_term_stability"]["details"]["draws"] > 0


def test_cli_json(quick, capsys):
    from agent.cli.main import main

    code = main(["--store", str(quick["store"].path), "long-term", quick["fit_id"], "--json", "--allow-unhealthy"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and set(out["channels"]["TV"]) >= {"short_roi", "long_roi", "total_roi", "long_share"}
    main(["--store", str(quick["store"].path), "long-term", quick["fit_id"], "--allow-unhealthy"])
    text = capsys.readouterr().out
    assert "long-term ROI" in text and "VAR stability" in text


def test_a_fit_without_a_long_term_block_is_refused_with_the_fix(tmp_path):
    plain = _fit(tmp_path, "brand", quick=True, brand=False)
    with pytest.raises(MMMError) as err:
        long_term_answer(plain["store"], plain["fit_id"], allow_unhealthy=True)
    assert err.value.code == "no_long_term" and "--brand-metrics" in err.value.hint


@pytest.mark.slow
def test_recovery_on_the_brand_truth(tmp_path):
    """Long-term ROI within its 90% interval for at least 3 of 4 channels; the long share within ±15 points for
    every channel whose split the data identify.

    Why 3 of 4: with 90% intervals, four independent channels all covered has probability 0.66. "Identified" is
    the mediation answer's rule (one home: ``answers.mediation.SPLIT_IDENTIFIED``): the share's 90% interval is at
    most 0.3 wide, where the data pin the share to about ±0.15; a wider interval is the prior speaking and a point
    tolerance there would be noise. Measured (seed 0, 2x500+500): TV's share 0.50 [0.31, 0.66] vs truth 0.67 —
    0.35 wide, so not identified, and its 17-point miss is reported as such, not asserted away."""
    r = _fit(tmp_path, "brand", quick=False)
    ans = long_term_answer(r["store"], r["fit_id"], allow_unhealthy=True)
    truth = r["truth"]["channels"]
    covered = [
        ch for ch, c in ans["channels"].items() if c["long_roi"]["lo"] <= truth[ch]["long_roi"] <= c["long_roi"]["hi"]
    ]
    assert len(covered) >= 3, ans["channels"]
    for ch, c in ans["channels"].items():
        share = c["long_share"]
        if share["hi"] - share["lo"] <= SPLIT_IDENTIFIED:
            assert abs(share["median"] - truth[ch]["long_share"]) <= 0.15, (ch, share, truth[ch]["long_share"])


@pytest.mark.slow
def test_no_brand_effect_gives_intervals_that_include_zero(tmp_path):
    r = _fit(tmp_path, "brand_none", quick=False)
    ans = long_term_answer(r["store"], r["fit_id"], allow_unhealthy=True)
    for ch, c in ans["channels"].items():
        assert c["long_roi"]["lo"] <= 0.0 <= c["long_roi"]["hi"], (ch, c["long_roi"])
    assert np.isfinite(ans["stability"]["explosive_share"])
