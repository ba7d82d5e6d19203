"""Control selection on synthetic truth, through the product path (synth → ingest → spec with every candidate
declared `class: precision` and a horseshoe → lock → NUTS → `controls` and ROI answers).

``sparse_controls`` has 20 candidate precision controls of which 3 matter, 17 have no effect. Against the oracle
residual (true media and baseline removed) the three have t = 3.9-7.1 on seeds 0-2 and the strongest null
|t| = 1.7 (seed 0), 2.7 (seed 1), 2.6 (seed 2). Checked on three data seeds:

1. Separation: every true control's posterior mean inclusion (1 - kappa) is above every null control's, by a
   margin of 0.2. Seed 0 (NUTS, 2 x 1,000 draws): true 0.90-0.95, nulls 0.24-0.31 except Stock_Index 0.56.
2. Verdicts: the three true controls are "kept"; at most two of the 17 nulls per seed are. A null that correlates
   with the residual by chance (|t| ≈ 2.5, one or two per seed above) may fairly be kept; more than two means the
   prior is not shrinking.
3. Media ROI coverage: the true ROI inside the 90% interval for most channels, per fit, with the allowance of
   ``recovery_support`` (2 misses of 4 at a 1% false-alarm rate) and its z checks. Selection must not cost the
   media effects their calibration. (Pooling the seeds would need one test running three fits, beyond
   pytest-timeout's 15 minutes on a loaded machine.)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from recovery_support import LEVEL, Recovery, assert_recovered

from mmm_core import ledger
from mmm_core.answers.controls import KEPT, controls
from mmm_core.answers.results import effect_draws, roi
from mmm_core.data.ingest import ingest
from mmm_core.fit.job import run_fit
from mmm_core.spec import init_spec
from mmm_core.spec.schema import ModelSpec
from mmm_core.store import Store
from mmm_core.synth import write
from mmm_core.synth.controls import SPARSE_TRUE

# Seed 1 is a known miss, kept visible rather than dropped: Humidity (a null whose chance correlation with the
# residual is |t| = 2.7) gets inclusion 0.86 against Sports_Final's 0.83 and four nulls are kept, with 48
# divergences — the horseshoe's funnel, not the data alone (spike-and-slab separates cleanly on seed 0). Strict: if
# a sampler change fixes it, this marker must go.
SEEDS = (
    0,
    pytest.param(1, marks=pytest.mark.xfail(strict=True, reason="horseshoe mixes poorly on sparse_controls seed 1")),
    2,
)
# 2 chains x 500 draws (the spec's default is 1,000 each): seed 0 at 1,000/1,000 took ~15 minutes on a loaded
# 2-core machine, which is pytest-timeout's limit; half the draws keep one fit inside it.
WARMUP = DRAWS = 500
MARGIN = 0.2
MAX_NULL_KEPT = 2
TRUE = {name for name, _, _ in SPARSE_TRUE}


def _selected_spec(store: Store, dataset_id: str) -> ModelSpec:
    data = init_spec(store, dataset_id).model_dump(mode="json")
    data["controls"] = [{**c, "class": "precision"} for c in data["controls"]]
    data["control_selection"] = {"method": "horseshoe", "expected_nonzero": 3}
    return ModelSpec.parse(data)


def _fit(tmp: Path, seed: int, warmup: int, draws: int) -> tuple[dict, Recovery]:
    folder = tmp / f"sparse_{seed}"
    store = Store(folder / "mmm.duckdb")
    csv, truth_path = write("sparse_controls", seed, folder / "sparse.csv", folder / "truth.json")
    ds = ingest(store, csv)
    spec = _selected_spec(store, ds.dataset_id)
    assert len(spec.controls) == 20
    locked = ledger.lock(store, spec, "control selection recovery")
    fit_id = run_fit(store, locked.spec_id, warmup=warmup, draws=draws, seed=seed)["fit_id"]
    table = roi(store, fit_id, interval=LEVEL, allow_unhealthy=True)["channels"]
    eff = effect_draws(store, fit_id)
    truth = json.loads(Path(truth_path).read_text())["channels"]
    rec = Recovery.from_draws(
        eff.channels,
        eff.roi,
        [truth[n]["roi"] for n in eff.channels],
        lo=[table[n]["roi"]["lo"] for n in eff.channels],
        hi=[table[n]["roi"]["hi"] for n in eff.channels],
        label=f"sparse#{seed}",
    )
    return controls(store, fit_id, allow_unhealthy=True), rec


def _check_selection(answer: dict) -> None:
    rows = answer["controls"]
    inclusion = {n: 1.0 - r["shrinkage"] for n, r in rows.items()}
    true_min = min(inclusion[n] for n in TRUE)
    null_max = max(v for n, v in inclusion.items() if n not in TRUE)
    assert true_min - null_max >= MARGIN, inclusion
    assert all(rows[n]["verdict"] == KEPT for n in TRUE), inclusion
    assert sum(rows[n]["verdict"] == KEPT for n in rows if n not in TRUE) <= MAX_NULL_KEPT, inclusion


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_horseshoe_keeps_the_three_and_media_rois_cover(tmp_path: Path, seed: int) -> None:
    answer, rec = _fit(tmp_path, seed, warmup=WARMUP, draws=DRAWS)
    shrinkage = {n: round(r["shrinkage"], 3) for n, r in answer["controls"].items()}
    print(f"seed {seed}: kappa {shrinkage}; ROI {rec.table()}; misses {rec.misses()}")  # the figures, with -s
    _check_selection(answer)
    assert_recovered(rec)
