"""Long-term effects through the real path: synth (brand presets) → ingest → spec init --brand-metrics → lock →
run_fit (step 1 MMM + step 2 VAR) → `long_term_answer` / `mmm-agent long-term FIT_ID --json`.

Fast: one quick fit (MAP + Laplace step 1, a short VAR run on 4 imputations) for the contract, the artifact, the
health checks and the CLI. Slow: NUTS recovery over data seeds — `brand` seeds 0-2 (step 1 converged and its
short-term ROIs; long-term coverage and the split pooled over seeds) and the null world `brand_none` seeds 0-1
(long-term intervals include 0). One fit per (preset, seed), about 2 minutes each at 2 x (500 + 500).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mmm_core import ledger, synth
from mmm_core.answers.long_term import long_term_answer
from mmm_core.answers.mediation import SPLIT_IDENTIFIED, SPLIT_WEAK
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


def _fit(tmp: Path, preset: str, quick: bool, brand: bool = True, seed: int = 0) -> dict:
    data = synth.generate(preset, seed)
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
        assert c["split"]["bound"] == "lower"  # the two-step design reads the long share low: stated, not hidden
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


def test_the_analyst_answers_from_the_long_term_model(quick, capsys):
    # Through the real graph and tool: the answer carries the numbers of the long-term answer, not "not summarised"
    # (the tool once dropped the 'summarised' flag, so every channel read as unsummarised).
    from agent.cli.main import main

    store = str(quick["store"].path)
    code = main(["--store", store, "ask", "what is TV's long-term effect?", "--fit", quick["fit_id"]])
    text = capsys.readouterr().out
    tv = long_term_answer(quick["store"], quick["fit_id"], allow_unhealthy=True)["channels"]["TV"]
    assert code == 0 and "- TV: short-term ROI" in text and "not summarised" not in text, text
    assert f"{tv['long_roi']['mean']:.2f}" in text or f"{tv['long_roi']['mean']:.3g}" in text, text


def test_a_fit_without_a_long_term_block_is_refused_with_the_fix(tmp_path):
    plain = _fit(tmp_path, "brand", quick=True, brand=False)
    with pytest.raises(MMMError) as err:
        long_term_answer(plain["store"], plain["fit_id"], allow_unhealthy=True)
    assert err.value.code == "no_long_term" and "--brand-metrics" in err.value.hint


# --- slow: recovery over data seeds -------------------------------------------------------------------------
# Each (preset, seed) is fitted once per session and shared by the per-seed test and the pooled test, so the pooled
# test is instant after the per-seed ones and, run alone, does the fits itself (its own timeout).
BRAND_SEEDS, NULL_SEEDS = (0, 1, 2), (0, 1)
_FITS: dict[tuple[str, int], dict] = {}


def _sweep_fit(tmp_factory: pytest.TempPathFactory, preset: str, seed: int) -> dict:
    if (preset, seed) not in _FITS:
        _FITS[preset, seed] = _fit(tmp_factory.mktemp(f"lt_{preset}_{seed}"), preset, quick=False, seed=seed)
        r = _FITS[preset, seed]
        r["answer"] = long_term_answer(r["store"], r["fit_id"], allow_unhealthy=True)
    return _FITS[preset, seed]


def _covered(r: dict, key: str, value: dict | None = None) -> dict[str, bool]:
    truth = r["truth"]["channels"]
    out = {}
    for ch, c in r["answer"]["channels"].items():
        t = truth[ch][key] if value is None else value[ch]
        out[ch] = c[key]["lo"] <= t <= c[key]["hi"]
    return out


@pytest.mark.slow
@pytest.mark.parametrize("seed", BRAND_SEEDS)
def test_step_one_converges_and_recovers_short_roi_on_the_brand_truth(tmp_path_factory, seed):
    """The drafted step 1 (a local level: the brand sales it does not model are a slow wander, which a line cannot
    follow — the linear step 1 failed its review on seed 0, R-hat 1.17) converges, and its short-term ROIs cover
    the truth for at least 3 of 4 channels (all four covered has probability 0.66 with 90% intervals)."""
    r = _sweep_fit(tmp_path_factory, "brand", seed)
    checks = {c["name"]: c for c in r["fit"]["health"]["checks"]}
    assert r["answer"]["provenance"] and checks["max_rhat"]["value"] < 1.05, checks["max_rhat"]
    assert checks["divergences"]["status"] != "fail", checks["divergences"]
    assert sum(_covered(r, "short_roi").values()) >= 3, r["answer"]["channels"]


@pytest.mark.slow
@pytest.mark.timeout(900 * len(BRAND_SEEDS))
def test_long_term_recovery_pooled_over_seeds(tmp_path_factory):
    """Long-term ROI inside its 90% interval for at least 75% of channel x seed pairs (9 of 12): with calibrated
    90% intervals, 9 or more of 12 has probability 0.97, so a miss means miscalibration, not bad luck.

    The split, as the answer states it: a lower bound (``split.bound``). Step 1's adstock cannot tell the first
    weeks of a brand response (the truth's metrics respond in the week of the spend) from a short-term effect, so
    it takes them as short-term (TV short ROI 0.98 / 1.11 / 1.12 vs 0.8, seeds 0-2) and the long share reads low:
    TV 0.55 [0.41, 0.67], 0.49 [0.31, 0.62] and 0.40 [0.19, 0.59] vs 2/3. NUTS draws differ between processes, and
    in another process seed 1 came out 0.50 [0.33, 0.63]: 0.30 wide, "identified" by width and 17 points low. The
    issue asked for ±15 points where the design identifies the split; this design does not give that point, and
    the answer says so (a lower bound) instead of claiming it. What the test asks of every split identified by
    width (``answers.mediation.SPLIT_IDENTIFIED``, 90% interval at most 0.3 wide) is that the bound holds: its
    median at most 5 points above the truth. The share's posterior sd is about 0.09 and its measured shortfall
    12-27 points, so a lower-bound estimator breaches +5 points with probability about 1% per seed, an unbiased
    one about 30%. For TV, what the design delivers on every seed: its long-term effect detected (interval above
    0) and its split at least weakly identified (``SPLIT_WEAK``). Social's and Radio's splits (long ROI 0.5 and
    0.25 on a sixth and a tenth of the spend) are intervals several units wide, never identified."""
    runs = [_sweep_fit(tmp_path_factory, "brand", s) for s in BRAND_SEEDS]
    hits = [ok for r in runs for ok in _covered(r, "long_roi").values()]
    assert sum(hits) >= 0.75 * len(hits), [r["answer"]["channels"] for r in runs]
    for r in runs:
        for ch, c in r["answer"]["channels"].items():
            share = c["long_share"]
            if share["hi"] - share["lo"] <= SPLIT_IDENTIFIED:
                assert c["split"]["bound"] == "lower" and c["split"]["label"] == "identified", (ch, c["split"])
                assert share["median"] <= r["truth"]["channels"][ch]["long_share"] + 0.05, (ch, share)
        tv = r["answer"]["channels"]["TV"]
        assert tv["long_roi"]["lo"] > 0.0, tv["long_roi"]
        assert tv["long_share"]["hi"] - tv["long_share"]["lo"] <= SPLIT_WEAK, tv["long_share"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", NULL_SEEDS)
def test_no_brand_effect_gives_intervals_that_include_zero(tmp_path_factory, seed):
    """No media -> brand path: at least 3 of 4 long-term intervals include 0 per seed (all four, 0.66 at nominal
    coverage), and over both seeds at least 7 of 8 (0.81) — a spurious effect shows as several intervals off 0."""
    runs = [_sweep_fit(tmp_path_factory, "brand_none", s) for s in NULL_SEEDS[: NULL_SEEDS.index(seed) + 1]]
    zero = {ch: 0.0 for ch in runs[-1]["truth"]["channels"]}
    assert sum(_covered(runs[-1], "long_roi", zero).values()) >= 3, runs[-1]["answer"]["channels"]
    assert np.isfinite(runs[-1]["answer"]["stability"]["explosive_share"])
    if len(runs) == len(NULL_SEEDS):
        pooled = [ok for r in runs for ok in _covered(r, "long_roi", zero).values()]
        assert sum(pooled) >= len(pooled) - 1, [r["answer"]["channels"] for r in runs]
