"""Control selection on synthetic truth, through the product path (synth → ingest → spec with every candidate
declared `class: precision` and a selection prior → lock → NUTS → `controls` and ROI answers).

``sparse_controls`` has 20 candidate precision controls of which 3 matter, 17 have no effect. Against the oracle
residual (true media and baseline removed) the three have t = 3.9-7.1 on seeds 0-2 and the strongest null
|t| = 1.7 (seed 0), 2.7 (seed 1), 2.6 (seed 2). Each method in ``METHODS`` is checked on three data seeds:

1. Separation: every true control's posterior mean inclusion (1 - kappa for the horseshoe, the inclusion
   probability for the spike-and-slab) is above every null control's, by a margin of 0.2. Spike-and-slab, seed 2
   (2 x 500 draws): true 0.96-0.98, nulls at most 0.08.
2. Verdicts: the three true controls are "kept"; at most two of the 17 nulls per seed are. A null that correlates
   with the residual by chance (|t| ≈ 2.5, one or two per seed above) may fairly be kept; more than two means the
   prior is not shrinking.
3. Media ROI coverage: the true ROI inside the 90% interval for most channels, per fit, with the allowance of
   ``recovery_support`` (2 misses of 4 at a 1% false-alarm rate) and its z checks. Selection must not cost the
   media effects their calibration. (Pooling the seeds would need one test running three fits, beyond
   pytest-timeout's 15 minutes on a loaded machine.)
4. Clean sampling, for the default method (spike-and-slab): divergences below 1% of draws, the health review's
   "warn" line (measured: 0-1 in 1,000). The horseshoe is not held to it: 15-291 divergences per fit (two runs
   per seed; draws differ between processes) with 68-74 leapfrog steps per draw (spike-and-slab: 16-32), also
   with its global scale fixed by the noise level instead of tied to the sampled sigma (38 on seed 0) — its
   funnel, which target_accept 0.99 cut (58 → 35 in an earlier measurement) but did not remove.

Seed 1 is a known miss for both methods, kept visible as a strict xfail: the data rank Humidity (a null whose
chance correlation with the residual is |t| = 2.7) with or above Sports_Final (a rare event: 2.4% of mean KPI
per sd). The horseshoe keeps both (inclusion 0.86 vs 0.83-0.85); the spike-and-slab drops Sports_Final
(0.26-0.28) and keeps Humidity in one of two runs (0.46-0.50). A spike-and-slab with a learned slab scale
keeps Sports_Final (0.72) but Humidity too (0.85), with R-hat 1.03: no prior tried separates this seed, so it is
the data's miss. If a change fixes it, the strict marker fails and must go.
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

_SEED_1 = pytest.mark.xfail(
    strict=True, reason="sparse_controls seed 1: Humidity's chance correlation ranks with Sports_Final (docstring)"
)
METHODS = ("spike_slab", "horseshoe")
CASES = [pytest.param(m, s, marks=_SEED_1 if s == 1 else ()) for m in METHODS for s in (0, 1, 2)]
CLEAN = {"spike_slab"}  # methods held to clean sampling (point 4)
MAX_DIVERGENT_SHARE = 0.01
# 2 chains x 500 draws (the spec's default is 1,000 each): seed 0 at 1,000/1,000 took ~15 minutes on a loaded
# 2-core machine, which is pytest-timeout's limit; half the draws keep one fit inside it.
WARMUP = DRAWS = 500
CHAINS = 2  # the spec's default
MARGIN = 0.2
MAX_NULL_KEPT = 2
TRUE = {name for name, _, _ in SPARSE_TRUE}


def _selected_spec(store: Store, dataset_id: str, method: str) -> ModelSpec:
    data = init_spec(store, dataset_id).model_dump(mode="json")
    data["controls"] = [{**c, "class": "precision"} for c in data["controls"]]
    data["control_selection"] = {"method": method} | ({"expected_nonzero": 3} if method == "horseshoe" else {})
    return ModelSpec.parse(data)


def _fit(tmp: Path, method: str, seed: int, warmup: int, draws: int) -> tuple[dict, Recovery, int]:
    """The ``controls`` answer, the ROI recovery and the number of divergent transitions of one NUTS fit."""
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
    return controls(store, fit_id, allow_unhealthy=True), rec, int(summary["diagnostics"]["divergences"])


def _inclusion(answer: dict) -> dict[str, float]:
    """Posterior mean inclusion per control: 1 - kappa (horseshoe) or the inclusion probability."""
    return {n: r["inclusion_probability"] if "shrinkage" not in r else 1.0 - r["shrinkage"] for n, r in answer.items()}


def _check_selection(answer: dict) -> None:
    rows = answer["controls"]
    inclusion = _inclusion(rows)
    true_min = min(inclusion[n] for n in TRUE)
    null_max = max(v for n, v in inclusion.items() if n not in TRUE)
    assert true_min - null_max >= MARGIN, inclusion
    assert all(rows[n]["verdict"] == KEPT for n in TRUE), inclusion
    assert sum(rows[n]["verdict"] == KEPT for n in rows if n not in TRUE) <= MAX_NULL_KEPT, inclusion


@pytest.mark.slow
@pytest.mark.parametrize(("method", "seed"), CASES)
def test_selection_keeps_the_three_and_media_rois_cover(tmp_path: Path, method: str, seed: int) -> None:
    answer, rec, divergences = _fit(tmp_path, method, seed, warmup=WARMUP, draws=DRAWS)
    inclusion = {n: round(v, 3) for n, v in _inclusion(answer["controls"]).items()}
    print(f"{method} seed {seed}: inclusion {inclusion}; divergences {divergences}; ROI {rec.table()}")  # with -s
    _check_selection(answer)
    assert_recovered(rec)
    if method in CLEAN:
        assert divergences < MAX_DIVERGENT_SHARE * CHAINS * DRAWS, divergences
