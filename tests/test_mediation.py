"""Mediation through the real path: synth → ingest → init_spec (Awareness as a sparse mediator fed by every
channel) → lock → run_fit → `mediation(store, fit_id)` / `mmm-agent mediation FIT_ID`.

Fast: a quick (MAP + Laplace) fit for the contract, storage, CLI and health, and one small NUTS fit of
`mediated_single` with Awareness fed by TV alone (regression test for the peer's lost indirect effect).
Slow: NUTS recovery on `mediated` and the sparse-survey comparison (3 of 4 survey points dropped).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from test_mediation_split import hill_fit

from mmm_core import ledger, synth
from mmm_core.answers.mediation import ARTIFACT, mediation
from mmm_core.data.ingest import ingest
from mmm_core.errors import MMMError
from mmm_core.fit import artifacts
from mmm_core.fit.job import run_fit
from mmm_core.ledger.fits import fit_record
from mmm_core.spec import Mediator, Saturation, init_spec
from mmm_core.store import Store
from mmm_core.synth.presets import MEDIATED

NUTS = dict(chains=2, warmup=300, draws=300, seed=0)
EST = {"mean", "median", "sd", "lo", "hi"}


def _fit(
    tmp: Path, preset: str, *, quick: bool, keep_every: int = 1, feeds: list[str] | None = None, hill: bool = False
) -> dict:
    """Ingest the preset (optionally keeping every ``keep_every``-th survey point), lock the default spec
    (Awareness fed by ``feeds`` when given; Hill curves, the preset's own family, when ``hill``), fit; returns
    store, fit id and the truth."""
    data = synth.generate(preset, 0)
    frame = data.frame
    if keep_every > 1:
        survey = frame.index[frame.VariableName == "Awareness"]
        frame = frame.drop(survey[np.arange(len(survey)) % keep_every != 0])
    frame.to_csv(tmp / "data.csv", index=False)
    store = Store(tmp / "mmm.duckdb")
    ds = ingest(store, tmp / "data.csv", name=preset)
    spec = init_spec(store, ds.dataset_id)
    assert [(m.name, m.type) for m in spec.mediators] == [("Awareness", "sparse")]
    if feeds is not None:
        spec = spec.model_copy(update={"mediators": [Mediator(name="Awareness", type="sparse", channels=feeds)]})
    if hill:
        spec = spec.model_copy(
            update={"media": [m.model_copy(update={"saturation": Saturation(type="hill")}) for m in spec.media]}
        )
    locked = ledger.lock(store, spec, "test: mediation")
    fit = run_fit(store, locked.spec_id, quick=quick, **({"seed": 0} if quick else NUTS))
    return {"store": store, "fit": fit, "fit_id": fit["fit_id"], "truth": data.truth}


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return _fit(tmp_path_factory.mktemp("med_quick"), "mediated", quick=True)


def test_contract_of_the_mediation_answer(quick: dict) -> None:
    out = mediation(quick["store"], quick["fit_id"], allow_unhealthy=True)
    assert set(out["channels"]) == {"TV", "Search", "Social", "Radio", "Print"}
    for ch in out["channels"].values():
        for key in ("direct", "indirect", "total", "share_mediated"):
            assert set(ch[key]) == EST
        assert set(ch["roi"]) == {"direct", "indirect", "total"} and ch["spend"] > 0
        assert ch["split"]["label"] in {"identified", "weakly identified", "not identified by the data"}
        assert set(ch["indirect_by_mediator"]) == {"Awareness"} and ch["feeds"] == ["Awareness"]
        assert ch["total"]["mean"] == pytest.approx(ch["direct"]["mean"] + ch["indirect"]["mean"], rel=1e-4)
    assert out["interval"]["level"] == 0.9 and out["approximate"] is True and "approximate" in out["label"]
    assert out["mediators"][0] | {"channels": None} == {
        "name": "Awareness",
        "type": "sparse",
        "channels": None,
        "carryover": False,
        "media_effect_sign": "positive",
        "kpi_effect_sign": "positive",
    }
    assert {"spec_id", "spec_sha256", "post_hoc", "specs_tried_on_dataset"} <= set(out["provenance"])
    # The ROI answer's counterfactual contribution is the same whole-system total.
    from mmm_core.answers.results import roi

    table = roi(quick["store"], quick["fit_id"], allow_unhealthy=True)["channels"]
    for name, ch in out["channels"].items():
        assert ch["total"]["mean"] == pytest.approx(table[name]["contribution"]["mean"], rel=1e-3)


def test_results_are_stored_once_and_reused(quick: dict) -> None:
    first = mediation(quick["store"], quick["fit_id"], allow_unhealthy=True)
    path = artifacts.fit_dir(quick["store"], quick["fit_id"]) / ARTIFACT
    assert path.exists()
    stamp = path.stat().st_mtime_ns
    again = mediation(quick["store"], quick["fit_id"], allow_unhealthy=True, interval=0.8)
    assert path.stat().st_mtime_ns == stamp  # not recomputed
    tv1, tv2 = first["channels"]["TV"]["total"], again["channels"]["TV"]["total"]
    assert tv1["mean"] == tv2["mean"] and tv2["hi"] - tv2["lo"] < tv1["hi"] - tv1["lo"]


def test_health_review_carries_the_mediator_identification_check(quick: dict) -> None:
    names = [c["name"] for c in quick["fit"]["health"]["checks"]]
    assert "mediator_identification:Awareness" in names


def test_cli_prints_one_json_object_and_refuses_models_without_mediators(
    quick: dict, demo_fit: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent.cli.main import main

    store = str(quick["store"].path)
    assert main(["--store", store, "mediation", quick["fit_id"], "--allow-unhealthy", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fit_id"] == quick["fit_id"] and "share_mediated" in out["channels"]["TV"]
    assert main(["--store", store, "mediation", quick["fit_id"], "--allow-unhealthy"]) == 0
    text = capsys.readouterr().out
    assert "share mediated" in text and "split" in text
    code = main(
        ["--store", str(demo_fit["store"].path), "mediation", demo_fit["fit_id"], "--allow-unhealthy", "--json"]
    )
    assert code != 0 and json.loads(capsys.readouterr().out)["error"]["code"] == "no_mediators"
    with pytest.raises(MMMError):
        mediation(demo_fit["store"], demo_fit["fit_id"], allow_unhealthy=True)


def test_single_channel_mediator_has_a_nonzero_indirect_effect(tmp_path: Path) -> None:
    """Regression for the peer's bug (a mediator fed by exactly one channel silently lost its indirect effect):
    small NUTS on `mediated_single`, Awareness fed by TV alone; TV's indirect effect interval excludes 0."""
    run = _fit(tmp_path, "mediated_single", quick=False, feeds=["TV"])
    # the spec left the target acceptance to the engine: the fit started with None and records the 0.9 it used
    meta = artifacts.load_meta(artifacts.fit_dir(run["store"], run["fit_id"]))
    assert meta["settings"]["target_accept"] == 0.9
    assert fit_record(run["store"], run["fit_id"]).settings["target_accept"] is None
    out = mediation(run["store"], run["fit_id"], allow_unhealthy=True)
    tv = out["channels"]["TV"]
    # The peer's bug gives exactly 0. Seed 0, 2 x 300 draws: TV indirect ROI 0.98 [0.30, 1.46] (truth 1.44).
    from mmm_core.answers.mediation import mediation_draws

    assert tv["indirect"]["lo"] > 0 and tv["roi"]["indirect"]["lo"] > 0
    draws = mediation_draws(run["store"], run["fit_id"])
    assert np.mean(draws.indirect[:, draws.channels.index("TV")] > 0) >= 0.95
    assert tv["share_mediated"]["lo"] < run["truth"]["channels"]["TV"]["share_mediated"] < tv["share_mediated"]["hi"]
    for ch in ("Search", "Social", "Radio", "Print"):  # not fed: structurally no indirect effect
        assert out["channels"][ch]["indirect"]["hi"] == 0.0 and out["channels"][ch]["feeds"] == []


# The recovery fits use Hill curves, the family `mediated` is generated with. Under the default logistic curve
# TV's total ROI comes out 1.44 [1.17, 1.75] against the true 1.8, with or without the mediator: TV's flights
# pin its effect while on, but the credit for the weeks of decaying adstock depends on the curve's low end,
# which the data barely constrain (least squares with TV's logistic half-point at 0.3 / 0.5 / 1 / 2 × mean
# spend: ROI 1.97 / 1.62 / 1.31 / 1.19 at residual sums within 4% of each other). That is a saturation-family
# question, not a mediation one; these tests check the mediation machinery on a correctly specified model.
@pytest.fixture(scope="module")
def nuts_full(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`mediated` seed 0, default spec with Hill curves, NUTS: the fit of test_mediation_split's seed 0, shared when
    both files run in one process (Makefile SLOW_TOGETHER)."""
    return hill_fit(tmp_path_factory, MEDIATED, 0)


def _covers(est: dict, value: float) -> bool:
    return est["lo"] <= value <= est["hi"]


@pytest.mark.slow
def test_recovery_on_the_mediated_preset(nuts_full: dict) -> None:
    """True share mediated inside the 90% intervals for the mediated channels (TV 0.8, Social 0.4), Social's
    total ROI too. Search has no mediated effect: its b is constrained >= 0, so its share cannot be exactly 0
    in any draw, and the data barely constrain it (a wide, prior-shaped posterior). What must hold is that the
    truth, 0, is consistent with it — its 90% interval reaches down to ~0 (lo < 0.05) — and that it sits well below
    TV's (median under half of TV's). Seed 0, 2 x 300 draws, 30%-media-share priors, balanced mediator prior:
    Search 0.26 [0.024, 0.82], TV 0.74 [0.26, 0.95] (before the balanced prior 0.21 [0.014, 0.81] and 0.69
    [0.25, 0.95]). (A fixed "median < 0.2" bound was one seed's luck: 0.19 under the former priors.)"""
    out, truth = nuts_full["out"], nuts_full["truth"]["channels"]
    for ch in ("TV", "Social"):
        assert _covers(out["channels"][ch]["share_mediated"], truth[ch]["share_mediated"]), ch
    assert _covers(out["channels"]["Social"]["roi"]["total"], truth["Social"]["roi"])
    search = out["channels"]["Search"]["share_mediated"]
    assert search["lo"] < 0.05
    assert search["median"] < out["channels"]["TV"]["share_mediated"]["median"] / 2


@pytest.mark.slow
def test_recovery_of_tv_total_roi(nuts_full: dict) -> None:
    """TV, the most mediated channel (80%): seed 0, 2 x 300 draws, Hill curves: 1.55 [1.23, 1.96] vs 1.8."""
    assert _covers(nuts_full["out"]["channels"]["TV"]["roi"]["total"], nuts_full["truth"]["channels"]["TV"]["roi"])


@pytest.fixture(scope="module")
def nuts_sparse(tmp_path_factory: pytest.TempPathFactory) -> dict:
    run = _fit(tmp_path_factory.mktemp("med_sparse"), "mediated", quick=False, keep_every=4, hill=True)
    return run | {"out": mediation(run["store"], run["fit_id"], allow_unhealthy=True)}


@pytest.mark.slow
def test_sparse_survey_widens_intervals_and_warns(nuts_full: dict, nuts_sparse: dict) -> None:
    """Keeping 1 of 4 survey points (9 left): more uncertainty about TV's indirect effect, and the health review
    warns that the mediator is weakly identified. The indirect ROI is bounded at 0 (b ≥ 0, gamma ≥ 0), so with
    less data its interval slides towards 0 and the bound clips it: its posterior sd and its width relative to
    the median grow, and the share mediated's interval widens outright. Seed 0, balanced mediator prior: sd 0.55
    vs 0.47, width 1.61 vs 1.23 times the median (1.13 vs 1.29). (Under the former one-size b prior the sparse
    fit's indirect ROI collapsed towards 0 — median 0.40 vs 1.02, relative width 2.95 vs 1.23 — and this test
    asked for twice the relative width; the balanced prior keeps it near the truth, 1.44: the ratio is 1.3 now.)"""
    sparse, full = nuts_sparse["out"]["channels"]["TV"], nuts_full["out"]["channels"]["TV"]
    width = lambda e: e["hi"] - e["lo"]  # noqa: E731
    assert sparse["roi"]["indirect"]["sd"] > full["roi"]["indirect"]["sd"]
    relative = lambda e: width(e) / e["median"]  # noqa: E731
    assert relative(sparse["roi"]["indirect"]) > relative(full["roi"]["indirect"])
    assert width(sparse["share_mediated"]) > width(full["share_mediated"])
    warn = [c for c in nuts_sparse["fit"]["health"]["checks"] if c["name"] == "mediator_identification:Awareness"]
    assert warn and warn[0]["status"] == "warn" and "observed period" in warn[0]["reason"]


@pytest.mark.slow
def test_sparse_survey_keeps_the_truth_covered(nuts_sparse: dict) -> None:
    """9 survey points (seed 0, 2 x 300 draws): TV share 0.28 [0.02, 0.89] vs 0.8, total ROI 1.42 [1.04, 2.13]
    vs 1.8. Before the KPI effect of a mediator was constrained positive (the default now), its sign was free
    and with 9 points the share reached [-0.43, 0.73]: the truth fell outside."""
    tv, truth = nuts_sparse["out"]["channels"]["TV"], nuts_sparse["truth"]["channels"]["TV"]
    assert _covers(tv["share_mediated"], truth["share_mediated"]) and _covers(tv["roi"]["total"], truth["roi"])
