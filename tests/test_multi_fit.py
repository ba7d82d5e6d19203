"""A multi-outcome fit end to end through the CLI (issue 22): spec init --kpi A,B → lock → fit → roi --json →
cross-effects --json → outcome-effects --json, on the two_products preset with a short NUTS run (quick mode:
one chain of 40 draws — enough for the contract and the bookkeeping, not for recovery, which
tests/test_multi_recovery.py checks)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from agent.cli.main import main
from mmm_core.store import Store

KPIS = "Sales_Single,Sales_Multi"
CANNIBALISATION = {
    "source": "Sales_Multi",
    "target": "Sales_Single",
    "type": "cannibalisation",
    "modulator": "Promo_Multi",
}


def run(capsys, store: str, *argv: str, ok: bool = True) -> dict:
    code = main(["--store", store, *argv, "--json"])
    out, err = capsys.readouterr()
    assert (code == 0) == ok, err or out
    return json.loads(out.strip().splitlines()[-1])  # an error is a JSON object on stdout too


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> dict:
    """One quick two-outcome fit for the whole module (the fit dominates the time)."""
    from mmm_core.synth.make import write

    tmp = tmp_path_factory.mktemp("multi_fit")
    csv, _ = write("two_products", 0, tmp / "tp.csv")
    store = str(tmp / "mmm.duckdb")
    capsys = _Capture()
    ds = capsys.run(store, "ingest", str(csv), "--name", "tp")["dataset_id"]
    draft = tmp / "spec.yaml"
    init = capsys.run(store, "spec", "init", ds, "--kpi", KPIS, "--out", str(draft))
    data = yaml.safe_load(draft.read_text())
    data["outcomes"].update(cross_effects=[CANNIBALISATION], control_outcomes={"Promo_Multi": ["Sales_Multi"]})
    draft.write_text(yaml.safe_dump(data))
    locked = capsys.run(store, "spec", "lock", str(draft), "--rationale", "two products, promo cannibalises")
    fit = capsys.run(store, "fit", locked["spec_id"], "--quick", "--draws", "40", "--seed", "0")
    return {"store": store, "init": init, "fit": fit, "dataset": ds}


class _Capture:
    """`main` with stdout captured, for a module-scoped fixture (pytest's capsys is function-scoped)."""

    def run(self, store: str, *argv: str) -> dict:
        import contextlib
        import io

        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = main(["--store", store, *argv, "--json"])
        assert code == 0, buf.getvalue()
        return json.loads(buf.getvalue().strip().splitlines()[-1])


def test_init_drafts_the_outcomes_block(fitted) -> None:
    spec = fitted["init"]["spec"]
    assert spec["kpi"] == "Sales_Single" and spec["outcomes"]["kpis"] == KPIS.split(",")
    assert any("Several outcomes fitted jointly" in n for n in fitted["init"]["notes"])


def test_fit_succeeds_with_per_outcome_checks(fitted) -> None:
    fit = fitted["fit"]
    gate = fit["gate"]  # the single-KPI gate on each outcome, merged (mmm_core.fit.multi_gate)
    assert not gate["blocking"] and "2 outcomes" in gate["summary"]
    assert {"data_adequacy[Sales_Single]", "data_adequacy[Sales_Multi]"} <= {c["name"] for c in gate["checks"]}
    assert fit["status"] == "succeeded" and fit["approximate"]
    names = {c["name"] for c in fit["health"]["checks"]}
    assert {"r2[Sales_Single]", "r2[Sales_Multi]", "max_rhat"} <= names
    assert set(fit["diagnostics"]["outcomes"]) == set(KPIS.split(","))


def test_roi_json_has_outcomes_beside_the_weighted_total(fitted, capsys) -> None:
    r = run(capsys, fitted["store"], "roi", fitted["fit"]["fit_id"])
    assert set(r["outcomes"]) == set(KPIS.split(",")) and set(r["channels"]) == {"TV", "Search", "Social", "Display"}
    for ch, total in r["channels"].items():  # weights 1: the total is the sum of the outcomes
        per = sum(o["channels"][ch]["contribution"]["mean"] for o in r["outcomes"].values())
        assert total["contribution"]["mean"] == pytest.approx(per, rel=1e-4)
        per_roi = sum(o["channels"][ch]["roi"]["mean"] for o in r["outcomes"].values())
        assert total["roi"]["mean"] == pytest.approx(per_roi, rel=1e-4)


STATUSES = {"identified", "weak", "prior"}


def test_roi_labels_every_outcome_channel_and_the_total(fitted, capsys) -> None:
    r = run(capsys, fitted["store"], "roi", fitted["fit"]["fit_id"])
    for o in r["outcomes"].values():
        assert {c["identifiability"]["status"] for c in o["channels"].values()} <= STATUSES
    assert {c["identifiability"]["status"] for c in r["channels"].values()} <= STATUSES  # not "not assessed"
    code = main(["--store", fitted["store"], "roi", fitted["fit"]["fit_id"]])
    text = capsys.readouterr().out
    assert code == 0 and text.count("identifiability") == 3  # the total's table and each outcome's
    label = r["outcomes"]["Sales_Multi"]["channels"]["TV"]["identifiability"]["label"]
    assert label in text.split("Sales_Multi (weight 1)")[1]


def test_health_stores_the_outcome_and_cross_labels(fitted) -> None:
    health = fitted["fit"]["health"]
    assert set(health["outcome_identifiability"]) == set(KPIS.split(","))
    assert len(health["cross_identifiability"]) == 1


def test_cross_effects_json(fitted, capsys) -> None:
    r = run(capsys, fitted["store"], "cross-effects", fitted["fit"]["fit_id"])
    (e,) = r["effects"]
    assert {k: e[k] for k in ("source", "target", "type", "modulator")} == CANNIBALISATION
    assert e["lo"] <= e["mean"] <= e["hi"] <= 0  # cannibalisation: kappa < 0 by its prior
    assert e["routed"]["mean"] < 0 and r["residual_correlation"][0]["a"] == "Sales_Single"
    assert e["identifiability"]["causes"] == []  # the promotion switches the effect on and off: not collinear


def test_outcome_effects_route_the_promotion(fitted, capsys) -> None:
    r = run(capsys, fitted["store"], "outcome-effects", fitted["fit"]["fit_id"], "Promo_Multi")
    promo = r["drivers"]["Promo_Multi"]["outcomes"]
    cross = run(capsys, fitted["store"], "cross-effects", fitted["fit"]["fit_id"])["effects"][0]
    # Switching the promotion off switches its cannibalisation off: what it takes from single-pack is the whole
    # routed volume of the effect it modulates (it enters single-pack only through that effect).
    assert promo["Sales_Single"]["contribution"]["mean"] == pytest.approx(cross["routed"]["mean"], rel=1e-3)
    assert promo["Sales_Multi"]["contribution"]["mean"] > 0
    assert "Price" in run(capsys, fitted["store"], "outcome-effects", fitted["fit"]["fit_id"])["controls_not_shown"]


def test_tables_hold_the_summaries(fitted) -> None:
    with Store(fitted["store"]).connect() as conn:
        rows = conn.execute(
            "SELECT outcome, quantity, count(*) FROM outcome_summary WHERE fit_id = ? GROUP BY 1, 2 ORDER BY 1, 2",
            [fitted["fit"]["fit_id"]],
        ).fetchall()
        cross = conn.execute(
            "SELECT quantity, lo <= mean AND mean <= hi FROM cross_effect_summary WHERE fit_id = ? ORDER BY 1",
            [fitted["fit"]["fit_id"]],
        ).fetchall()
    assert ("Sales_Multi", "roi", 4) in rows and ("Sales_Single", "residual_correlation", 1) in rows
    assert cross == [("kappa", True), ("routed", True)]


def test_single_outcome_fit_says_so(demo_fit, capsys) -> None:
    err = run(capsys, str(demo_fit["store"].path), "cross-effects", demo_fit["fit_id"], ok=False)
    assert err["error"]["code"] == "single_outcome" and "has one outcome" in err["error"]["message"]
    assert "outcomes" not in run(capsys, str(demo_fit["store"].path), "roi", demo_fit["fit_id"])


def test_multi_fit_refuses_curves_with_a_reason(fitted) -> None:
    from mmm_core.answers.results import load_posterior
    from mmm_core.errors import FitRefusedError

    with pytest.raises(FitRefusedError, match="several outcomes"):
        load_posterior(Store(fitted["store"]), fitted["fit"]["fit_id"])


def test_weights_total_the_outcomes(fitted) -> None:
    from mmm_core.answers.outcome_tables import multi_effects
    from mmm_core.answers.results import effect_draws

    store = Store(fitted["store"])
    eff = multi_effects(store, fitted["fit"]["fit_id"], effect_draws(store, fitted["fit"]["fit_id"]))
    total = sum(w * e.contribution_total.astype(float) for w, e in zip(eff.weights, eff.per_outcome, strict=True))
    assert np.allclose(eff.total.contribution_total, total, rtol=1e-5)


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("does the multipack promo cannibalise single-pack?", "cross_effects"),
        ("is there a halo from premium onto value?", "cross_effects"),
        ("which outcome does TV lift most?", "outcome_effects"),
        ("what is the brand halo of TV?", "long_term"),  # a brand halo stays the long-term question
    ],
)
def test_router_intents(question: str, intent: str) -> None:
    from agent.models.router import route

    assert route(question, ["TV", "Search", "Social", "Display"]).intent == intent


def test_tools_and_answers(fitted) -> None:
    from agent.models.answers import compose
    from tools import build_tools

    tools = {t.name: t for t in build_tools(Store(fitted["store"]))}
    fit_id = fitted["fit"]["fit_id"]
    cross = json.loads(tools["cross_effects"].invoke({"fit_id": fit_id}))
    text = compose("cross_effects", cross, {"intent": "cross_effects"}, [])
    assert "Sales_Multi → Sales_Single (cannibalisation, when Promo_Multi is on)" in text
    weak = {"label": "weakly identified: collinear", "status": "weak", "causes": ["collinear"], "fix": "a modulator"}
    cross["effects"][0]["identifiability"] = weak
    text = compose("cross_effects", cross, {"intent": "cross_effects"}, [])
    assert "Identifiability: weakly identified: collinear. To pin it down: a modulator." in text
    lift = json.loads(tools["outcome_effects"].invoke({"fit_id": fit_id, "channel": "TV"}))
    assert list(lift["drivers"]) == ["TV"]
    text = compose("outcome_effects", lift, {"intent": "outcome_effects"}, [])
    assert f"TV lifts {lift['drivers']['TV']['lifts_most']} most" in text
    roi = json.loads(tools["roi"].invoke({"fit_id": fit_id, "channel": "TV"}))
    text = compose("roi", roi, {"intent": "roi", "channel": "TV"}, [])
    assert "TV on Sales_Single: ROI" in text and "TV on Sales_Multi: ROI" in text
    roi["outcomes"]["Sales_Multi"]["channels"]["TV"]["identifiability"] = {
        "label": "prior-dominated",
        "status": "prior",
        "causes": ["trend"],
    }
    text = compose("roi", roi, {"intent": "roi", "channel": "TV"}, [])
    assert "TV on Sales_Multi" in text and "— prior-dominated (likely cause: trend)" in text


def test_controls_per_outcome(fitted, capsys) -> None:
    """`controls` on a multi fit gives each control's effect per outcome it enters (o{k}/gamma_control), never
    one number mixing outcomes (it crashed on the missing single-KPI site before)."""
    from agent.models.answers import compose
    from tools import build_tools

    fit_id = fitted["fit"]["fit_id"]
    out = run(capsys, fitted["store"], "controls", fit_id)
    assert out["outcomes"] == ["Sales_Single", "Sales_Multi"] and out["selection"] is None
    promo = out["controls"]["Promo_Multi"]
    assert promo["effect"] is None and list(promo["outcomes"]) == ["Sales_Multi"]  # control_outcomes honoured
    assert all(len(c["outcomes"]) == 2 for n, c in out["controls"].items() if n != "Promo_Multi")
    est = promo["outcomes"]["Sales_Multi"]
    assert est["lo"] <= est["mean"] <= est["hi"]
    assert main(["--store", fitted["store"], "controls", fit_id]) == 0
    assert "Sales_Multi: " in capsys.readouterr().out
    tools = {t.name: t for t in build_tools(Store(fitted["store"]))}
    got = json.loads(tools["control_selection"].invoke({"fit_id": fit_id}))
    text = compose("control_selection", got, {"intent": "controls"}, [])
    assert "Promo_Multi" in text and "Sales_Multi " in text and "None" not in text
