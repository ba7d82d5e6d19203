"""Pre-fit mediator checks: each fires on data built to trip it and passes on a healthy monthly survey; the
whole path (ingest → spec → lock → run_fit) blocks a mediator with fewer survey points than parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mmm_core import ledger, synth
from mmm_core.data.ingest import ingest
from mmm_core.errors import MMMError
from mmm_core.fit.gate import run_gate
from mmm_core.fit.gate_mediators import equation_parameters, media_r2, mediator_gate
from mmm_core.fit.job import run_fit
from mmm_core.spec import init_spec
from mmm_core.store import Store

T, G, C = 156, 1, 3
CHANNELS = ["TV", "Search", "Social"]


def panel(seed: int = 0, every: int = 4, own_noise: float = 1.0):
    """Spend [T,G,C] and a survey mediator seen every ``every``-th week: 2·TV + Social + own AR-free noise."""
    rng = np.random.default_rng(seed)
    spend = rng.gamma(4.0, 0.25, size=(T, G, C))
    med = 2 * spend[..., 0] + spend[..., 2] + own_noise * rng.standard_normal((T, G))
    med[np.arange(T) % every != 0] = np.nan
    return spend, med[..., None]


def run(spend, med, kind="sparse", feeds=(0, 2), carry=False, train=None):
    train = np.ones(spend.shape[:2], bool) if train is None else train
    checks = mediator_gate(med, train, spend, ["Awareness"], [kind], [list(feeds)], [carry], CHANNELS)
    return {c.name.split(":")[0]: c for c in checks}


def test_a_monthly_survey_passes_every_check():
    checks = run(*panel())
    assert set(checks) == {
        "mediator_observations",
        "mediator_variance",
        "mediator_time_spread",
        "mediator_media_explained",
    }
    assert all(c.status == "pass" for c in checks.values()), checks
    assert checks["mediator_observations"].value == 39  # 156 weeks, one in four


@pytest.mark.parametrize(("every", "status"), [(40, "fail"), (20, "warn"), (4, "pass")])
def test_observation_count_against_the_equation(every: int, status: str) -> None:
    """Feeds TV and Social, one geo: 2 effects + 1 level + gamma + sigma = 5 parameters. Every 40th week
    leaves 4 observations (< 5: fail), every 20th 8 (< 12: warn)."""
    assert equation_parameters(2, 1, False) == 5 and equation_parameters(2, 3, True) == 8
    check = run(*panel(every=every))["mediator_observations"]
    assert check.status == status
    if status == "fail":
        assert "4 observed value(s)" in check.reason and "5 parameters" in check.reason and "latent" in check.reason


def test_holdout_cells_do_not_count_as_observations() -> None:
    spend, med = panel(every=1)
    train = np.zeros((T, G), bool)
    train[:4] = True
    assert run(spend, med, train=train)["mediator_observations"].status == "fail"


def test_a_constant_mediator_blocks_and_blocks_the_gate() -> None:
    spend, med = panel()
    med[np.isfinite(med)] = 31.0
    checks = run(spend, med)
    assert checks["mediator_variance"].status == "fail" and "never changes" in checks["mediator_variance"].reason
    rep = run_gate(
        spend,
        spend.sum(-1),
        np.ones((T, G), bool),
        np.zeros((T, G, 0)),
        CHANNELS,
        [],
        20,
        extra_checks=list(checks.values()),
    )
    assert rep.blocking and "mediator_variance:Awareness" in rep.summary


def test_observations_bunched_in_one_stretch_warn() -> None:
    spend, med = panel(every=1)
    med[30:] = np.nan  # 30 weeks of 156 observed, all at the start
    checks = run(spend, med)
    assert checks["mediator_observations"].status == "pass"
    assert checks["mediator_time_spread"].status == "warn" and "19%" in checks["mediator_time_spread"].reason


def test_a_mediator_that_is_only_media_warns_and_names_the_channels() -> None:
    spend, med = panel(own_noise=0.0)
    check = run(spend, med)["mediator_media_explained"]
    assert check.status == "warn" and check.value > 0.999
    assert "TV, Social" in check.reason and "direct and indirect" in check.reason
    assert run(*panel(own_noise=1.0))["mediator_media_explained"].value < 0.95


def test_media_r2_absorbs_geo_levels() -> None:
    """Geo levels far apart must not count as explained variation: they are the equation's per-geo level."""
    rng = np.random.default_rng(1)
    spend = rng.gamma(4.0, 0.25, size=(50, 1))
    geo = np.repeat([0, 1], 25)
    values = 100.0 * geo + rng.standard_normal(50)  # unrelated to spend within each geo
    assert media_r2(values, spend, geo) < 0.2


def test_a_latent_mediator_always_warns() -> None:
    spend, med = panel()
    checks = run(spend, np.full_like(med, np.nan), kind="latent")
    assert list(checks) == ["mediator_latent"] and checks["mediator_latent"].status == "warn"


def test_the_fit_job_blocks_a_survey_with_too_few_points(tmp_path: Path) -> None:
    """`mediated` with Awareness kept on 4 survey weeks and fed by all 5 channels (5 + 1 + 2 = 8 parameters):
    run_fit stops before sampling, names the check, and records no succeeded fit."""
    frame = synth.generate("mediated", 0).frame
    survey = frame.index[frame.VariableName == "Awareness"]
    frame = frame.drop(survey[4:])
    frame.to_csv(tmp_path / "data.csv", index=False)
    store = Store(tmp_path / "mmm.duckdb")
    ds = ingest(store, tmp_path / "data.csv", name="few_waves")
    locked = ledger.lock(store, init_spec(store, ds.dataset_id), "test: mediator gate")
    with pytest.raises(MMMError) as err:
        run_fit(store, locked.spec_id, quick=True, seed=0)
    assert err.value.code == "gate_blocked" and "mediator_observations:Awareness" in str(err.value)
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM fits WHERE status = 'succeeded'").fetchone()[0] == 0
