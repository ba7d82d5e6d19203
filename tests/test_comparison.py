"""Model comparison declared in the spec (issue 16 item 4): locked with the spec before any fit, every member
fitted in full and linked to the parent fit, stacking weights from PSIS-LOO, the combined ROI and each member's in
`roi`, the declaration in `ledger` and in the report.

Fast: spec identity and validation, member specs, the mixture rule, and one small comparison fit (2 chains x 100
draws per member on `national_small`). Slow: on data generated with steep Hill curves the Hill member takes the
larger weight, on three seeds.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from mmm_core import ledger
from mmm_core.answers.comparison import tie_note
from mmm_core.data.ingest import ingest
from mmm_core.errors import SpecValidationError
from mmm_core.fit.comparison import MemberResult, member_spec, mix, mixture_indices, stacking_weights
from mmm_core.fit.job import latest_fit, run_fit
from mmm_core.ledger.fits import fit_record
from mmm_core.spec import init_spec
from mmm_core.spec.schema import ModelSpec, canonical_json, spec_sha256
from mmm_core.store import Store
from mmm_core.synth.dgp import simulate
from mmm_core.synth.make import to_frame
from mmm_core.synth.presets import NATIONAL_SMALL
from mmm_core.synth.truth import build_truth

HILL_MEMBER = {"members": [{"name": "hill", "saturation": "hill"}]}
SMALL = dict(chains=2, warmup=100, draws=100, seed=0)  # 2 chains: the report needs R-hat


def _with_comparison(spec: ModelSpec, comparison: dict) -> ModelSpec:
    return ModelSpec.parse({**spec.model_dump(mode="json"), "comparison": comparison})


def _store(tmp: Path, preset, seed: int) -> tuple[Store, str, dict]:
    world = simulate(preset, seed, np.random.default_rng(seed))
    to_frame(world).to_csv(tmp / "data.csv", index=False)
    store = Store(tmp / "mmm.duckdb")
    ds = ingest(store, tmp / "data.csv", name=preset.name)
    return store, ds.dataset_id, build_truth(world)


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("comparison")
    store, dataset_id, truth = _store(tmp, NATIONAL_SMALL, 0)
    spec = _with_comparison(init_spec(store, dataset_id), HILL_MEMBER)
    locked = ledger.lock(store, spec, "test: logistic as drafted vs Hill, declared in advance")
    fit = run_fit(store, locked.spec_id, **SMALL)
    return {"store": store, "dataset_id": dataset_id, "spec_id": locked.spec_id, "fit": fit, "truth": truth}


def test_a_spec_without_comparison_keeps_its_canonical_form_and_a_declared_one_changes_the_hash(demo_fit) -> None:
    spec = ledger.get_spec(demo_fit["store"], demo_fit["spec_id"]).spec
    assert spec.comparison is None and '"comparison"' not in canonical_json(spec)
    declared = _with_comparison(spec, HILL_MEMBER)
    assert spec_sha256(declared) != spec_sha256(spec)
    assert ModelSpec.from_yaml(declared.to_yaml()) == declared
    with pytest.raises(SpecValidationError, match="reserved"):
        _with_comparison(spec, {"members": [{"name": "spec", "saturation": "hill"}]})
    with pytest.raises(SpecValidationError, match="changes nothing"):
        _with_comparison(spec, {"members": [{"name": "same"}]})
    with pytest.raises(SpecValidationError, match="unique"):
        _with_comparison(spec, {"members": [{"name": "a", "adstock": "delayed"}, {"name": "a", "saturation": "hill"}]})
    with pytest.raises(SpecValidationError, match="rule"):
        _with_comparison(spec, {"rule": "pick_the_best", **HILL_MEMBER})


def test_a_member_is_the_spec_with_its_families_replaced_on_every_channel(demo_fit) -> None:
    spec = _with_comparison(ledger.get_spec(demo_fit["store"], demo_fit["spec_id"]).spec, HILL_MEMBER)
    both = spec.comparison.members[0].model_copy(update={"adstock": "delayed"})
    member = member_spec(spec, both)
    assert member.comparison is None
    for old, new in zip(spec.media, member.media, strict=True):
        assert (new.saturation.type, new.adstock.type) == ("hill", "delayed")
        assert new.saturation.slope is not None and new.adstock.peak_delay is not None  # the family's own priors
        assert new.saturation.half_saturation == old.saturation.half_saturation  # shared priors kept
        assert new.adstock.half_life == old.adstock.half_life and new.adstock.l_max == old.adstock.l_max
        assert new.effect_prior == old.effect_prior


def test_the_mixture_takes_draws_in_proportion_to_the_weights() -> None:
    idx = mixture_indices([0.7, 0.3], [1000, 1000], 1000)
    assert [len(i) for i in idx] == [700, 300]
    assert [len(i) for i in mixture_indices([0.3333, 0.3333, 0.3334], [10, 10, 10], 10)] == [3, 3, 4]
    a, b = np.zeros((400, 2)), np.ones((400, 2))
    assert mix([a, b], [0.25, 0.75]).mean() == pytest.approx(0.75)
    assert mix([a, b], [1.0, 0.0]).max() == 0.0


def _member(name: str, log_lik: np.ndarray) -> MemberResult:
    return MemberResult(name, f"fit_{name}", {}, log_lik, np.ones((400, 1)), np.ones((400, 1)), True)


def test_members_that_predict_alike_are_said_to_be_tied_and_pseudo_bma_shares_the_weight() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(-1.0, 0.3, (2, 200, 80))
    alike = [_member(n, base + 0.01 * rng.normal(size=base.shape)) for n in ("spec", "hill", "delayed")]
    for rule in ("stacking_loo", "pseudo_bma_loo"):
        scores = stacking_weights(alike, rule)
        assert sum(v["weight"] for v in scores.values()) == pytest.approx(1.0)
    shared = stacking_weights(alike, "pseudo_bma_loo")
    assert all(abs(v["weight"] - 1 / 3) < 0.05 for v in shared.values())
    note = tie_note([{"name": n, **v} for n, v in shared.items()])
    assert "do not tell" in note and "reflect the rule, not evidence" in note
    worse = [alike[0], _member("hill", base - 0.5)]  # every point predicted worse: a clear loser, no tie
    scores = stacking_weights(worse)
    assert scores["spec"]["weight"] > 0.99 and tie_note([{"name": n, **v} for n, v in scores.items()]) == ""


def test_the_declared_set_is_locked_before_any_fit_and_the_ledger_says_so(
    compared: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    from agent.cli.main import main

    store = compared["store"]
    locked = ledger.get_spec(store, compared["spec_id"])
    assert locked.spec.comparison is not None and '"comparison"' in canonical_json(locked.spec)
    events = ledger.ledger_report(store, compared["dataset_id"])["events"]
    lock_at = next(e["event_id"] for e in events if e["kind"] == "lock")
    assert all(e["event_id"] > lock_at for e in events if e["kind"] == "fit_start")
    assert main(["--store", str(store.path), "ledger", compared["dataset_id"], "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    declared = report["comparisons"][compared["spec_id"]]
    assert "before any result" in declared and "hill (saturation hill)" in declared and "PSIS-LOO" in declared
    assert main(["--store", str(store.path), "ledger", compared["dataset_id"]]) == 0
    assert "Model comparison declared in spec v1" in capsys.readouterr().out


def test_every_member_is_a_registered_fit_linked_to_the_parent(compared: dict) -> None:
    store, fit = compared["store"], compared["fit"]
    record = fit["health"]["comparison"]
    assert record["status"] == "done" and record["rule"] == "stacking_loo"
    names = [m["name"] for m in record["members"]]
    assert names == ["spec", "hill"] and record["members"][0]["fit_id"] == fit["fit_id"]
    member = fit_record(store, record["members"][1]["fit_id"])
    assert member.status == "succeeded" and member.spec_id == compared["spec_id"]
    assert member.settings["parent_fit"] == fit["fit_id"] and member.settings["saturation"] == "hill"
    weights = [m["weight"] for m in record["members"]]
    assert sum(weights) == pytest.approx(1.0, abs=1e-9) and all(0.0 <= w <= 1.0 for w in weights)
    assert all(np.isfinite(m["elpd_loo"]) and m["n_points"] == 104 for m in record["members"])
    assert latest_fit(store) == fit["fit_id"]  # the parent finishes last: answers default to it
    from agent.cli.fitting import _render_fit

    assert f"hill {weights[1]:.2f} ({member.id})" in _render_fit(fit)
    from mmm_core.answers.results import load_posterior

    # Rebuilt from the stored draws, each fit is read through its own curves (the member's are Hill).
    assert set(load_posterior(store, member.id).config.saturation) == {"hill"}
    assert set(load_posterior(store, fit["fit_id"]).config.saturation) == {"logistic"}


def test_roi_gives_the_combined_roi_and_each_members(compared: dict, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.cli.main import main

    store, fit_id = compared["store"], compared["fit"]["fit_id"]
    assert main(["--store", str(store.path), "roi", fit_id, "--allow-unhealthy", "--json", "--interval", "0.8"]) == 0
    out = json.loads(capsys.readouterr().out)
    comp = out["comparison"]
    assert comp["interval"]["level"] == 0.8 and set(comp["combined"]["roi"]) == set(out["channels"])
    for m in comp["members"]:
        assert set(m["roi"]) == set(out["channels"])
    spec_member = comp["members"][0]
    # The 'spec' member is the parent fit itself: the same draws as the main table.
    for ch, est in spec_member["roi"].items():
        assert est["mean"] == pytest.approx(out["channels"][ch]["roi"]["mean"], rel=1e-6)
    assert "before any result" in comp["disclosure"] and "Weights:" in comp["disclosure"]
    assert main(["--store", str(store.path), "roi", fit_id, "--allow-unhealthy"]) == 0
    text = capsys.readouterr().out
    assert "ROI under the declared model comparison" in text and "combined" in text and "hill (w " in text


def test_the_report_has_a_comparison_section(compared: dict, tmp_path: Path) -> None:
    from mmm_core.report.build import build_report

    out = build_report(compared["store"], compared["fit"]["fit_id"], tmp_path / "r.md", fmt="md", allow_unhealthy=True)
    text = (tmp_path / "r.md").read_text()
    assert "comparison" in out["sections"] and "## Model comparison" in text
    assert "before any result" in text and "Combined ROI" in text and out["grounded"]
    build_report(compared["store"], compared["fit"]["fit_id"], tmp_path / "r.html", allow_unhealthy=True)
    html = (tmp_path / "r.html").read_text()
    assert "Model comparison" in html and "Combined ROI" in html and compared["fit"]["fit_id"] in html


def test_a_quick_fit_says_the_comparison_was_not_run(compared: dict) -> None:
    fit = run_fit(compared["store"], compared["spec_id"], quick=True, seed=0)
    record = fit["health"]["comparison"]
    assert record["status"] == "not_run" and "NUTS" in record["reason"]


# Steep S-shaped Hill curves (slope 3) that a logistic curve (concave from zero) cannot follow, 1% noise and
# three years: the data carry a clear signal about the curve family, which is what the test is about. (At 2%
# noise seed 2 did not discriminate: ELPD 370.7 vs 369.9, weights 0.73 / 0.27 — stacking then rightly keeps
# both; at 1% the Hill member's ELPD leads by 19-35 on seeds 0-4 and takes weight 0.98-1.0.)
STEEP_HILL = replace(
    NATIONAL_SMALL,
    name="steep_hill",
    noise_frac=0.01,
    n_weeks=156,
    channels=tuple(replace(c, slope=3.0, k_ratio=1.0) for c in NATIONAL_SMALL.channels),
)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_on_hill_data_the_hill_member_takes_the_larger_weight(tmp_path: Path, seed: int, record_property) -> None:
    store, dataset_id, _ = _store(tmp_path, STEEP_HILL, seed)
    spec = _with_comparison(init_spec(store, dataset_id), HILL_MEMBER)
    assert {m.saturation.type for m in spec.media} == {"logistic"}  # the drafted default is the other family
    locked = ledger.lock(store, spec, "test: logistic vs Hill")
    record = run_fit(store, locked.spec_id, chains=1, warmup=300, draws=300, seed=0)["health"]["comparison"]
    weight = {m["name"]: m["weight"] for m in record["members"]}
    elpd = {m["name"]: m["elpd_loo"] for m in record["members"]}
    record_property("comparison", {"weight": weight, "elpd": elpd})  # the figures, in the JUnit report
    assert weight["hill"] > 0.5 and elpd["hill"] > elpd["spec"], (weight, elpd)


def test_the_analysts_roi_answer_carries_the_declared_comparison(compared: dict) -> None:
    """The chat's ROI tool and template (what the analyst says): the disclosure, the combined ROI beside each
    member's, cut to the asked channel, and every number in the answer grounded in the tool's output. Called below
    the health gate (the 100-draw fixture fit fails it by ESS), as `roi --allow-unhealthy` would."""
    from agent.models.answers import compose
    from mmm_core.answers.results import roi
    from mmm_core.grounding import check
    from tools.result_tools import _roi_body

    store, fit_id = compared["store"], compared["fit"]["fit_id"]
    body = _roi_body(roi(store, fit_id, allow_unhealthy=True), "Search")
    assert set(body["comparison"]["combined"]) == {"Search"}
    assert [m["name"] for m in body["comparison"]["members"]] == ["spec", "hill"]
    text = compose("roi", json.loads(json.dumps(body, default=str)), {"intent": "roi", "kpi": "sales"}, ["Search"])
    assert "before any result" in text and "Search, combined:" in text and "hill" in text, text
    ok, bad = check(text, [body])
    assert ok, (bad, text)
