"""Control selection on synthetic truth, through the product path (synth → ingest → spec with every candidate
declared `class: precision` and a selection prior → lock → NUTS → `controls` and ROI answers).

``sparse_controls`` has 20 candidate precision controls of which 3 matter, 17 have no effect. What 156 weeks can
tell is measured per seed by :func:`evidence`: each control's |t| in a least-squares fit with the model's own
structure (intercept, linear trend, Fourier order 2) and the true media curves. True controls: 2.7-5.0 (seed 0),
3.7-7.5 (seed 1), 5.1-6.1 (seed 2); strongest null: 1.8, 3.5, 3.0. On seed 1 the null Humidity (3.5) ties with
Sports_Final (3.7): its chance correlation with the noise (-0.18) and with the seasonal terms (-0.35, -0.37), which
the model must estimate, give it the evidence of a real control (against the oracle residual, with the true
baseline removed, it has |t| 2.3). No prior that treats the candidates alike can tell these two apart, so the
checks below ask of each true control only what its evidence allows. Each method is checked on three seeds:

1. Not excluded with confidence: every true control's posterior mean inclusion (1 - kappa for the horseshoe, the
   inclusion probability for the spike-and-slab) is at least half its prior mean (horseshoe p0 / D = 0.15,
   spike-and-slab 0.3): the data did not argue it away.
2. Kept: a true control whose evidence exceeds every null's by ``TIE`` (half a standard error) or more is "kept"
   (mean inclusion ≥ 0.5).
3. Separated: such a true control's inclusion is at least ``MARGIN`` above every null of chance-level evidence
   (|t| < ``CHANCE``). A null above that looks like a real control to any method, and 1 - kappa saturates near
   1 (normal means: |t| 3.5 gives ~0.8, |t| 5.5 ~0.93), so no margin is asked against it.
4. Nulls without evidence (|t| < ``NO_EVIDENCE``) are "shrunk to ~0". In the normal-means reading of kappa
   (posterior mean of 1 - kappa given |t| and n·tau²/sigma² ≤ 1) |t| = 1.5 gives at most 0.45; a null with more
   evidence may fairly be kept (the horseshoe keeps 1-2 per seed, each with |t| ≥ 1.8).
5. Media ROI coverage: the true ROI inside the 90% interval for most channels, per fit, with the allowance of
   ``recovery_support`` (2 misses of 4 at a 1% false-alarm rate) and its z checks. Selection must not cost the
   media effects their calibration.
6. Clean sampling: divergences below 1% of draws (the health review's "warn" line), for both methods.

Measured (2 × 500 + 500, loaded machine; figures in the README): the horseshoe 0 divergences at 38-48 leapfrog
steps per draw, true 0.84-0.97, nulls at most 0.56 / 0.85 (Humidity, the tie) / 0.69, max R-hat 1.014, media ROI
|z| ≤ 1.68 (this test, all three seeds passing); the spike-and-slab (engine only, same draws) 0 divergences at
16-20 steps, true 0.67-1.0 except Sports_Final on seed 1 (0.26: tied, not excluded), nulls at most 0.08 / 0.50
(Humidity) / 0.09. A fit costs ~75 s of CPU, ~10 of them sampling: compilation and the Laplace start dominate.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from recovery_support import LEVEL, Recovery, assert_recovered

from mmm_core import ledger
from mmm_core.answers.controls import KEEP_AT, KEPT, SHRUNK, controls
from mmm_core.answers.results import effect_draws, roi
from mmm_core.data.ingest import ingest
from mmm_core.fit.job import run_fit
from mmm_core.spec import init_spec
from mmm_core.spec.schema import ModelSpec
from mmm_core.store import Store
from mmm_core.synth import write
from mmm_core.synth.controls import SPARSE_TRUE
from mmm_core.synth.dgp import kpi, saturated
from mmm_core.synth.make import generate

METHODS = ("horseshoe", "spike_slab")
SEEDS = (0, 1, 2)
EXPECTED_NONZERO = 3
PRIOR_INCLUSION = {"horseshoe": EXPECTED_NONZERO / 20, "spike_slab": 0.3}  # prior mean inclusion per control
MAX_DIVERGENT_SHARE = 0.01
# 2 chains x 500 draws (the spec's default is 1,000 each): seed 0 at 1,000/1,000 took ~15 minutes on a loaded
# 2-core machine, which is pytest-timeout's limit; half the draws keep one fit inside it.
WARMUP = DRAWS = 500
CHAINS = 2  # the spec's default
TIE = 0.5  # |t| apart by less than half a standard error: the data cannot rank the two
MARGIN = 0.2
NO_EVIDENCE = 1.5
CHANCE = 2.5  # |t| a null reaches by chance in ~1% of cases (two-sided normal); ~1 in 5 seeds has one of 17
SEASON_PERIOD, SEASON_ORDER = 52.18, 2  # the drafted spec's seasonality for weekly data (spec.draft)
TRUE = {name for name, _, _ in SPARSE_TRUE}


@cache
def evidence(seed: int) -> dict[str, float]:
    """|t| of each control in a least-squares fit of the KPI on the model's structure (intercept, linear trend,
    Fourier terms) with the true media curves as regressors: what the data say about each control."""
    world = generate("sparse_controls", seed).world
    y = kpi(world)[0]
    t = np.arange(y.size)
    season = [f(2 * np.pi * k * t / SEASON_PERIOD) for k in range(1, SEASON_ORDER + 1) for f in (np.sin, np.cos)]
    x = world.controls[0]
    x = (x - x.mean(0)) / x.std(0)
    design = np.column_stack([np.ones_like(y), t / t.size, *season, saturated(world, world.spend)[0], x])
    coef, res, *_ = np.linalg.lstsq(design, y, rcond=None)
    cov = np.linalg.inv(design.T @ design) * res[0] / (y.size - design.shape[1])
    stat = np.abs(coef / np.sqrt(np.diag(cov)))[-x.shape[1] :]
    return {c.name: float(v) for c, v in zip(world.preset.controls, stat, strict=True)}


def _selected_spec(store: Store, dataset_id: str, method: str) -> ModelSpec:
    data = init_spec(store, dataset_id).model_dump(mode="json")
    data["controls"] = [{**c, "class": "precision"} for c in data["controls"]]
    extra = {"expected_nonzero": EXPECTED_NONZERO} if method == "horseshoe" else {}
    data["control_selection"] = {"method": method} | extra
    return ModelSpec.parse(data)


def _fit(tmp: Path, method: str, seed: int, warmup: int, draws: int) -> tuple[dict, Recovery, dict]:
    """The ``controls`` answer, the ROI recovery and the sampler's diagnostics of one NUTS fit."""
    folder = tmp / f"sparse_{method}_{seed}"
    store = Store(folder / "mmm.duckdb")
    csv, truth_path = write("sparse_controls", seed, folder / "sparse.csv", folder / "truth.json")
    ds = ingest(store, csv)
    spec = _selected_spec(store, ds.dataset_id, method)
    assert len(spec.controls) == 20
    locked = ledger.lock(store, spec, "control selection recovery")
    summary = run_fit(store, locked.spec_id, warmup=warmup, draws=draws, seed=seed)
    fit_id = summary["fit_id"]
    table = roi(store, fit_id, interval=LEVEL, allow_unhealthy=True)["channels"]
    eff = effect_draws(store, fit_id)
    truth = json.loads(Path(truth_path).read_text())["channels"]
    rec = Recovery.from_draws(
        eff.channels,
        eff.roi,
        [truth[n]["roi"] for n in eff.channels],
        lo=[table[n]["roi"]["lo"] for n in eff.channels],
        hi=[table[n]["roi"]["hi"] for n in eff.channels],
        label=f"sparse#{seed}/{method}",
    )
    return controls(store, fit_id, allow_unhealthy=True), rec, summary["diagnostics"]


def _inclusion(answer: dict) -> dict[str, float]:
    """Posterior mean inclusion per control: 1 - kappa (horseshoe) or the inclusion probability."""
    return {n: r["inclusion_probability"] if "shrinkage" not in r else 1.0 - r["shrinkage"] for n, r in answer.items()}


def selection_problems(rows: dict, ev: dict[str, float], prior_inclusion: float) -> list[str]:
    """Checks 1-4 of the module docstring; each broken one is named."""
    inc = _inclusion(rows)
    nulls = [n for n in rows if n not in TRUE]
    out = [f"{n} excluded: {inc[n]:.2f}" for n in TRUE if inc[n] < prior_inclusion / 2]
    chance = [k for k in nulls if ev[k] < CHANCE]
    for n in TRUE:
        if all(ev[n] - ev[k] >= TIE for k in nulls):  # a tie with a null exempts n from checks 2 and 3
            out += [f"{n} (|t| {ev[n]:.1f}) not kept: {inc[n]:.2f}"] if rows[n]["verdict"] != KEPT else []
            out += [f"{n} {inc[n]:.2f} vs {k} {inc[k]:.2f}" for k in chance if inc[n] - inc[k] < MARGIN]
    weak = [k for k in nulls if ev[k] < NO_EVIDENCE]
    return out + [f"{k} (|t| {ev[k]:.1f}) kept: {inc[k]:.2f}" for k in weak if rows[k]["verdict"] != SHRUNK]


def test_the_checks_can_fail() -> None:
    ev = {n: 5.0 if n in TRUE else 1.0 for n in _inclusion_rows(0.9, 0.1)}
    assert selection_problems(_inclusion_rows(0.9, 0.1), ev, 0.3) == []
    assert any("excluded" in p for p in selection_problems(_inclusion_rows(0.1, 0.05), ev, 0.3))
    assert any("vs" in p for p in selection_problems(_inclusion_rows(0.6, 0.45), ev, 0.3))
    assert any("kept:" in p for p in selection_problems(_inclusion_rows(0.9, 0.6), ev, 0.3))
    tie = ev | {"Humidity": 5.0}  # a null as strong as the true controls: a true control below it is not held to "kept"
    rows = _inclusion_rows(0.3, 0.05) | {"Humidity": _row(0.9)}
    assert not any("not kept" in p for p in selection_problems(rows, tie, 0.3))


def _row(inclusion: float) -> dict:
    return {"inclusion_probability": inclusion, "verdict": KEPT if inclusion >= KEEP_AT else SHRUNK}


def _inclusion_rows(true: float, null: float) -> dict:
    names = list(evidence(0))
    return {n: _row(true if n in TRUE else null) for n in names}


def test_evidence_matches_the_measured_figures() -> None:
    ev = [evidence(s) for s in SEEDS]
    assert [round(min(e[n] for n in TRUE), 1) for e in ev] == [2.7, 3.7, 5.1]
    assert [round(max(v for n, v in e.items() if n not in TRUE), 1) for e in ev] == [1.8, 3.5, 3.0]
    assert max(ev[1], key=lambda n: ev[1][n] if n not in TRUE else 0) == "Humidity"


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("method", METHODS)
def test_selection_keeps_the_three_and_media_rois_cover(tmp_path: Path, method: str, seed: int) -> None:
    answer, rec, diag = _fit(tmp_path, method, seed, warmup=WARMUP, draws=DRAWS)
    inclusion = {n: round(v, 2) for n, v in _inclusion(answer["controls"]).items()}
    print(f"{method} seed {seed}: inclusion {inclusion}; diagnostics {diag}")  # with -s
    print(rec.table())
    assert selection_problems(answer["controls"], evidence(seed), PRIOR_INCLUSION[method]) == []
    assert_recovered(rec)
    assert diag["divergences"] < MAX_DIVERGENT_SHARE * CHAINS * DRAWS, diag["divergences"]
