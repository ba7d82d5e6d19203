"""Batch sources beyond specs × datasets: a declared comparison's members and a fit's out-of-sample folds, each a
fit of its own (run here by a queue worker's code in this process, quick fits on a tiny dataset); the batch
record refuses what cannot run before anything is queued; members and folds never become the default fit."""

from __future__ import annotations

import json

import pytest
from service_support import locked_tiny_spec

from mmm_core import jobs, ledger
from mmm_core.errors import MMMError
from mmm_core.fit.job import latest_fit, run_fit
from mmm_core.fit.oos import out_of_sample, stored_out_of_sample
from mmm_core.jobs import variants
from mmm_core.jobs.batch import BatchRequest, expand
from mmm_core.jobs.execute import run_job
from mmm_core.ledger.fits import fit_record
from mmm_core.spec import ModelSpec, init_spec
from mmm_core.store import Store


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    """A tiny dataset with its default spec fitted (quick), and the same spec declaring a Hill member."""
    folder = tmp_path_factory.mktemp("sources")
    store = Store(folder / "mmm.duckdb")
    ids = locked_tiny_spec(store, folder)
    fit = run_fit(store, ids["spec_id"], quick=True, draws=100, seed=0)
    spec = init_spec(store, ids["dataset_id"], kpi="Sales")
    declared = ModelSpec.parse(
        {**spec.model_dump(mode="json"), "comparison": {"members": [{"name": "hill", "saturation": "hill"}]}}
    )
    compared = ledger.lock(store, declared, "fleet test: Hill beside logistic").spec_id
    return {"store": store, "fit_id": fit["fit_id"], "compared": compared, **ids}


def _run_all(store: Store, requests: list[jobs.FitRequest]) -> list[jobs.Job]:
    worker = jobs.Worker.here()
    ids = [jobs.submit(store, r).job_id for r in requests]
    return [run_job(store, jobs.claim(store, worker, job_id=i), worker) for i in ids]


def test_a_comparison_batch_fits_every_member_as_its_own_fit(world) -> None:
    store = world["store"]
    requests = expand(store, BatchRequest(comparisons=[world["compared"]], quick=True, draws=100, seed=1))
    assert [(r.spec_id, r.member, r.quick) for r in requests] == [
        (world["compared"], "spec", True),
        (world["compared"], "hill", True),
    ]
    done = _run_all(store, requests)
    assert [j.state for j in done] == ["succeeded", "succeeded"], [j.error for j in done]
    spec_fit, hill_fit = (fit_record(store, j.fit_id) for j in done)
    assert spec_fit.settings["member"] == "spec" and "saturation" not in spec_fit.settings
    assert hill_fit.settings["member"] == "hill" and hill_fit.settings["saturation"] == "hill"
    assert "comparison" not in (spec_fit.health or {})  # the spec as written, without running the comparison
    assert latest_fit(store) == world["fit_id"]  # a member answers only when named


def test_an_out_of_sample_batch_fits_each_fold_and_puts_the_validation_together(world) -> None:
    store = world["store"]
    requests = expand(store, BatchRequest(folds=[world["fit_id"]], origins=2))
    assert [(r.spec_id, r.fold.origin, r.fold.origins) for r in requests] == [
        (world["spec_id"], 1, 2),
        (world["spec_id"], 2, 2),
    ]
    done = _run_all(store, requests)
    assert [j.state for j in done] == ["succeeded", "succeeded"], [j.error for j in done]
    folds = [fit_record(store, j.fit_id) for j in done]
    source = fit_record(store, world["fit_id"])
    for j, fold in enumerate(folds, start=1):
        assert fold.settings["fold_of"] == world["fit_id"] and fold.settings["origin"] == j
        assert fold.mode == source.mode and fold.settings["seed"] == source.settings["seed"]
        assert fold.health[variants.FOLD_HEALTH_KEY]["origin"] == j
    cuts = [f.health[variants.FOLD_HEALTH_KEY]["train_periods"] for f in folds]
    horizon = folds[0].health[variants.FOLD_HEALTH_KEY]["horizon"]
    assert cuts[0] - cuts[1] == horizon > 0  # origin 2 trains on one horizon less
    [validation] = variants.assemble_folds(store, done)
    assert validation["fit_id"] == world["fit_id"] and [o["origin"] for o in validation["origins"]] == [1, 2]
    assert 0 <= validation["coverage_90"] <= 1 and validation["status"] in ("pass", "warn")
    # a quick fit's validation is approximate: returned, not stored where `health` would show it as the real one
    assert validation["stored"] is False and stored_out_of_sample(store, world["fit_id"]) is None
    assert latest_fit(store) == world["fit_id"]  # a fold (fitted on less data) never answers by default


@pytest.mark.slow
def test_a_full_fits_folds_are_stored_as_its_validation_and_health_oos_reuses_them(world) -> None:
    store = world["store"]
    nuts = run_fit(store, world["spec_id"], chains=1, warmup=150, draws=150, seed=3)["fit_id"]
    done = _run_all(store, expand(store, BatchRequest(folds=[nuts], origins=1)))
    assert [j.state for j in done] == ["succeeded"], [j.error for j in done]
    fold = fit_record(store, done[0].fit_id)
    assert fold.mode == "nuts" and (fold.settings["chains"], fold.settings["draws"]) == (1, 150)
    [validation] = variants.assemble_folds(store, done)
    assert validation["stored"] is True and stored_out_of_sample(store, nuts) == validation
    # `health --oos` (origins 1) finds the batch's validation and does not refit
    assert out_of_sample(store, nuts, origins=1)["fold_fits"] == [fold.id]


def test_the_batch_record_refuses_before_anything_is_queued(world) -> None:
    store = world["store"]
    before = jobs.list_jobs(store).counts
    refusals = [
        (BatchRequest(), "empty_batch"),
        (BatchRequest(datasets=[world["dataset_id"]]), "rationale_required"),
        (BatchRequest(specs=[world["spec_id"], "spec_nope"]), "unknown_spec"),
        (BatchRequest(comparisons=[world["spec_id"]]), "no_comparison"),
        (BatchRequest(specs=[world["spec_id"]], folds=["fit_nope"]), "fit_not_found"),
        (BatchRequest(fits=[jobs.FitRequest(spec_id=world["compared"], member="logistic")]), "unknown_member"),
        (
            BatchRequest(
                fits=[
                    jobs.FitRequest(
                        spec_id=world["compared"], fold={"fit_id": world["fit_id"], "origin": 1, "origins": 1}
                    )
                ]
            ),
            "oos_needs_fit",
        ),
    ]
    for batch, code in refusals:
        with pytest.raises(MMMError) as err:
            expand(store, batch)
        assert err.value.code == code, (batch, err.value.to_dict())
    assert jobs.list_jobs(store).counts == before  # nothing queued
    with pytest.raises(ValueError, match="not both"):
        jobs.FitRequest(spec_id="s", member="hill", fold={"fit_id": "f", "origin": 1, "origins": 1})
    with pytest.raises(ValueError, match="origin 3 of 2"):
        jobs.Fold(fit_id="f", origin=3, origins=2)


def test_fit_many_refuses_on_the_command_line_before_queuing(world, capsys) -> None:
    from agent.cli.main import main

    store = world["store"]
    before = jobs.list_jobs(store).counts

    def run(*argv: str) -> tuple[int, dict]:
        code = main(["--store", str(store.path), "fit-many", *argv, "--json"])
        return code, json.loads(capsys.readouterr().out)

    for argv, code, named in (
        ((world["spec_id"], "--origins", "5"), "bad_argument", "--origins"),
        (("--comparison", world["spec_id"]), "no_comparison", world["spec_id"]),
        (("--oos", "fit_nope"), "fit_not_found", "fit_nope"),
        (("--batch", "batch_nope"), "unknown_batch", "batch_nope"),
    ):
        status, out = run(*argv)
        assert status == 2 and out["error"]["code"] == code and named in out["error"]["message"], (argv, out)
    assert jobs.list_jobs(store).counts == before
