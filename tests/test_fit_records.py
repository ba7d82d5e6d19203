"""The typed records between fit stages: settings resolved once, a fit row decoded once."""

from __future__ import annotations

import pytest

from mmm_core import ledger
from mmm_core.errors import MMMError, NotFoundError
from mmm_core.fit.records import FitSettings
from mmm_core.ledger.fits import fit_record


def test_settings_come_from_the_spec_with_overrides(demo_fit: dict) -> None:
    spec = ledger.get_spec(demo_fit["store"], demo_fit["spec_id"]).spec
    full = FitSettings.resolve(spec, chains=4, seed=7)
    assert (full.chains, full.seed, full.warmup, full.draws) == (4, 7, spec.sampler.warmup, spec.sampler.draws)
    assert full.mode == "nuts" and full.interval_level == spec.interval.level
    quick = FitSettings.resolve(spec, quick=True, chains=4, warmup=500)
    assert (quick.chains, quick.warmup, quick.mode) == (1, 0, "quick")  # quick mode: one chain, no warm-up
    # The stored shape is the one the ledger and meta.json have always had.
    assert list(full.to_dict()) == ["engine", "quick", "chains", "warmup", "draws", "seed", "target_accept", "interval"]
    assert full.to_dict()["interval"] == {"level": spec.interval.level, "method": spec.interval.method}
    # The spec leaves the target acceptance to the engine; a fit records the one its sampler used.
    assert spec.sampler.target_accept is None and full.target_accept is None
    assert full.ran_with(0.85).target_accept == 0.85 and full.ran_with(None) is full
    with pytest.raises(MMMError) as e:
        FitSettings.resolve(spec, engine="stan")
    assert e.value.code == "unknown_engine"


def test_a_fit_row_is_decoded_once_into_a_record(demo_fit: dict) -> None:
    store, fit_id = demo_fit["store"], demo_fit["fit_id"]
    fit = fit_record(store, fit_id)
    assert (fit.id, fit.spec_id, fit.dataset_id, fit.status) == (
        fit_id,
        demo_fit["spec_id"],
        demo_fit["dataset_id"],
        "succeeded",
    )
    assert fit.settings["quick"] is True and fit.mode == "quick"
    assert isinstance(fit.diagnostics, dict) and "r2" in fit.diagnostics
    assert fit.health["overall"] in ("pass", "warn", "fail") and fit.error is None
    assert fit.unhealthy == (fit.health["overall"] == "fail")
    assert all(isinstance(name, str) for name in fit.failed_checks)
    with pytest.raises(NotFoundError):
        fit_record(store, "fit_missing")
