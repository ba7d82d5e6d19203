"""The calibration harness (bench/calibration.py), small: its worlds, its arithmetic and one world end to end."""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from _calib_worlds import ALL_FAMILIES, EXTRA_FAMILIES, FAMILIES, draw_preset  # noqa: E402
from calibration import LEVELS, fit_world, summarise  # noqa: E402


def test_worlds_are_reproducible_and_keep_their_family_trait():
    for fam in ALL_FAMILIES:
        a, b = draw_preset(fam, 7), draw_preset(fam, 7)
        assert a == b and a != draw_preset(fam, 8)
        assert fam.channels[0] <= len(a.channels) <= fam.channels[1]
        assert {c.pattern for c in a.channels} <= set(fam.patterns)
        assert {c.saturation for c in a.channels} <= set(fam.saturation)
        assert fam.geos[0] <= a.n_geos <= fam.geos[1] and 0.02 <= a.noise_frac <= 0.10
    logistic = draw_preset(FAMILIES[1], 3)
    assert all(c.saturation == "logistic" and c.adstock == "delayed" and c.theta >= 1 for c in logistic.channels)


def test_the_staged_geo_family_reaches_the_staged_warm_up(tmp_path: Path) -> None:
    """geo_staged exists to calibrate the staged warm-up (engine.mass): through the product's inputs, its smallest
    and largest worlds have 101-400 latent dimensions, and a 2 x (1000 + 1000) fit of them is staged (the default
    families' worlds are dense-mass size, which is why the family was added)."""
    from mmm_core import ledger
    from mmm_core.data.ingest import ingest
    from mmm_core.engine.data import scale_data
    from mmm_core.engine.kernels import model_args, n_latent
    from mmm_core.engine.sampling import chain_plan
    from mmm_core.fit.inputs import model_config, model_data
    from mmm_core.spec import init_spec
    from mmm_core.store import Store
    from mmm_core.synth.dgp import simulate
    from mmm_core.synth.make import to_frame

    (family,) = EXTRA_FAMILIES
    for seed in (1001, 1004):  # 14 geos and 10 geos
        preset = draw_preset(family, seed)
        csv = tmp_path / f"{seed}.csv"
        to_frame(simulate(preset, seed, np.random.default_rng(seed))).to_csv(csv, index=False)
        store = Store(tmp_path / f"{seed}.duckdb")
        locked = ledger.lock(store, init_spec(store, ingest(store, csv).dataset_id), "test")
        data = model_data(store, locked.spec)
        config = model_config(locked.spec, data)
        sd = scale_data(data, config)
        n = n_latent(config, model_args(sd))
        assert 100 < n <= 400, (seed, n)
        assert chain_plan(config, sd, n, 2, 1000, 1000).schedule is not None


def _row(family: str, covers: tuple[bool, bool, bool], est: float, label: str = "identified") -> dict:
    row = {"family": family, "label": label}
    for q in ("roi", "contribution"):
        row |= {f"{q}_true": 2.0, f"{q}_median": est, f"{q}_width90": 0.5}
        row |= {f"{q}_cover{int(lv * 100)}": c for lv, c in zip(LEVELS, covers, strict=True)}
    return row


def test_summary_arithmetic():
    rows = [
        _row("a", (True, True, True), 2.2),
        _row("a", (False, True, True), 3.0),
        _row("b", (False, False, True), 1.0),
    ]
    s = summarise(rows)
    assert list(s) == ["overall", "a", "b", "label:identified"]
    assert s["overall"]["n"] == 3 and s["overall"]["roi_cover90"] == 1.0
    assert s["overall"]["roi_cover50"] == pytest.approx(1 / 3) and s["a"]["roi_cover80"] == 1.0
    assert s["b"]["roi_cover80"] == 0.0
    assert s["a"]["roi_mape"] == pytest.approx((0.1 + 0.5) / 2) and s["overall"]["roi_mape"] == pytest.approx(0.5)


def test_one_world_through_the_product_path(tmp_path):
    args = Namespace(quick=True, chains=1, warmup=100, draws=200)
    rows = fit_world(FAMILIES[3], 1, tmp_path, args)  # flighted
    assert len(rows) == len(draw_preset(FAMILIES[3], 1).channels)
    for r in rows:
        assert r["label"] in ("identified", "weak", "prior") and r["roi_true"] > 0 and r["roi_width90"] > 0
        # nested intervals: covered at 50 % implies covered at 80 % and 90 %
        assert r["roi_cover90"] >= r["roi_cover80"] >= r["roi_cover50"]
