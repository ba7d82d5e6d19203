"""Commands a new user runs on a multi-outcome fit besides the ones it was built with (issue 22): each either
answers per outcome, labels a total as the weighted total of the outcomes, or refuses with the reason — never a
one-KPI reading of a total, nor one outcome's figure presented as the fit's. One quick two-outcome fit for the
module (tests/test_multi_fit.py's fixture pattern: two_products, spec init --kpi A,B, a modulated cannibalisation,
quick NUTS of 40 draws — the bookkeeping, not recovery)."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest
import yaml

from agent.cli.fitting import _render_fit
from agent.cli.main import main

KPIS = ("Sales_Single", "Sales_Multi")
CANNIBALISATION = {
    "source": "Sales_Multi",
    "target": "Sales_Single",
    "type": "cannibalisation",
    "modulator": "Promo_Multi",
}


def cli(store: str, *argv: str, as_json: bool = True) -> dict | str:
    """``main`` with stdout captured (a module-scoped fixture cannot use capsys); JSON parsed unless text."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["--store", store, *argv, *(["--json"] if as_json else [])])
    out = buf.getvalue()
    assert code == 0, out
    return json.loads(out.strip().splitlines()[-1]) if as_json else out


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> dict:
    from mmm_core.synth.make import write

    tmp = tmp_path_factory.mktemp("multi_commands")
    csv, _ = write("two_products", 0, tmp / "tp.csv")
    store = str(tmp / "mmm.duckdb")
    cli(store, "ingest", str(csv), "--name", "tp")
    draft = tmp / "spec.yaml"
    cli(store, "spec", "init", "tp", "--kpi", ",".join(KPIS), "--out", str(draft))
    data = yaml.safe_load(draft.read_text())
    data["outcomes"].update(cross_effects=[CANNIBALISATION], control_outcomes={"Promo_Multi": ["Sales_Multi"]})
    draft.write_text(yaml.safe_dump(data))
    locked = cli(store, "spec", "lock", str(draft), "--rationale", "two products, promo cannibalises")
    fit = cli(store, "fit", locked["spec_id"], "--quick", "--draws", "40", "--seed", "0")
    return {"store": store, "spec_id": locked["spec_id"], "fit": fit, "fit_id": fit["fit_id"]}


def test_spec_show_names_the_outcomes_not_only_the_first_kpi(fitted) -> None:
    text = cli(fitted["store"], "spec", "show", fitted["spec_id"], as_json=False)
    assert "outcomes (variables, fitted jointly): Sales_Single, Sales_Multi" in text
    assert "shared across outcomes: adstock, seasonality" in text  # the spec's defaults
    assert "cross-effect Sales_Multi → Sales_Single: cannibalisation, when Promo_Multi" in text
    assert "control Promo_Multi enters Sales_Multi only" in text


def test_fit_summary_names_each_outcomes_fit(fitted) -> None:
    """The headline r2/mape of a multi fit are the worst outcome's each (possibly two different outcomes): the
    text names each outcome's own figures instead of one unlabelled pair."""
    stats = fitted["fit"]["diagnostics"]["outcomes"]
    text = _render_fit(fitted["fit"])
    for name in KPIS:
        assert f"  {name}: r2 {stats[name]['r2']:.3g}, mape {stats[name]['mape']:.3g}" in text
    assert not re.search(r"^\s+(mape|r2) ", text, re.M)


def test_contributions_split_by_outcome_and_sum_to_the_total(fitted) -> None:
    for by in ("channel", "period"):
        r = cli(fitted["store"], "contributions", fitted["fit_id"], "--by", by)
        assert "weighted total Sales_Single + Sales_Multi" in r["total_is"]
        assert set(r["outcomes"]) == set(KPIS)
        key = "channel" if by == "channel" else ("channel", "period")
        index = {(row["channel"], row.get("period")): row["mean"] for row in r["rows"]}
        for row_key, total in index.items():  # weights 1: each total row is the sum of the outcomes' rows
            per = sum(
                next(x["mean"] for x in o["rows"] if (x["channel"], x.get("period")) == row_key)
                for o in r["outcomes"].values()
            )
            assert total == pytest.approx(per, rel=1e-4, abs=1e-3), (key, row_key)
    text = cli(fitted["store"], "contributions", fitted["fit_id"], as_json=False)
    assert text.startswith("Total (channels are the weighted total") and "Sales_Multi (weight 1):" in text


def test_sql_over_the_posterior_has_each_outcome_and_says_the_draws_are_the_total(fitted) -> None:
    store, fit_id = fitted["store"], fitted["fit_id"]
    roi = cli(store, "roi", fit_id)
    sql = "SELECT outcome, mean FROM outcome_summary WHERE quantity = 'roi' AND channel = 'TV' ORDER BY outcome"
    r = cli(store, "query", "tp", "--fit", fit_id, sql)
    got = dict(r["rows"])
    assert got == pytest.approx({k: roi["outcomes"][k]["channels"]["TV"]["roi"]["mean"] for k in KPIS}, rel=1e-6)
    assert "weighted total" in r["note"] and "outcome_summary" in r["note"]
    cross = cli(store, "query", "tp", "--fit", fit_id, "SELECT source, target, quantity FROM cross_effect_summary")
    assert sorted(cross["rows"]) == [["Sales_Multi", "Sales_Single", q] for q in ("kappa", "routed")]
    assert "note" not in cli(store, "query", "tp", "SELECT count(*) FROM mff")  # no posterior read, no note


def test_media_share_answer_names_the_total_and_each_outcome(fitted) -> None:
    from mmm_core.answers.explain import media_share
    from mmm_core.store import Store

    r = media_share(Store(fitted["store"]), fitted["fit_id"])
    per = sum(o["media_total"]["mean"] for o in r["outcomes"].values())
    assert r["media_total"]["mean"] == pytest.approx(per, rel=1e-4)  # weights 1
    assert r["kpi_is"].startswith("the weighted total Sales_Single + Sales_Multi")
    answer = cli(fitted["store"], "ask", "--fit", fitted["fit_id"], "what share of sales comes from media?")["answer"]
    assert "Here the KPI is the weighted total Sales_Single + Sales_Multi" in answer
    for name in KPIS:
        assert f"- {name}: media explain" in answer


def test_roi_answer_leads_with_the_weighted_total_by_name(fitted) -> None:
    answer = ask(fitted, "what is TV's ROI?")
    assert answer.startswith("TV returned") and "in the weighted total of Sales_Single + Sales_Multi" in answer
    assert "TV on Sales_Single: ROI" in answer and "TV on Sales_Multi: ROI" in answer


def test_compare_gives_each_outcome_beside_the_total(fitted) -> None:
    store, fit_id = fitted["store"], fitted["fit_id"]
    r = cli(store, "compare", fit_id, "TV", "Search")
    roi = cli(store, "roi", fit_id)["outcomes"]
    assert "weighted total" in r["total_is"] and set(r["outcomes"]) == set(KPIS)
    for name, o in r["outcomes"].items():
        assert 0.0 <= o["prob"] <= 1.0
        assert o["roi_a"]["mean"] == pytest.approx(roi[name]["channels"]["TV"]["roi"]["mean"], rel=1e-5)
    text = cli(store, "compare", fit_id, "TV", "Search", as_json=False)
    assert all(f"on {name}: P = " in text for name in KPIS)
    answer = cli(store, "ask", "--fit", fit_id, "is TV better than Search?")["answer"]
    assert "That compares the weighted total" in answer and all(f"- {n}: P(TV ahead)" in answer for n in KPIS)


def ask(fitted: dict, question: str) -> str:
    return cli(fitted["store"], "ask", "--fit", fitted["fit_id"], question)["answer"]


def test_contribution_answer_names_the_total_and_gives_each_outcome(fitted) -> None:
    """'how much did TV contribute to Sales_Multi?' answered the total as 'to the KPI' — a number for the wrong
    outcome; the total is named and each outcome's figure follows."""
    answer = ask(fitted, "how much did TV contribute to Sales_Multi?")
    per = cli(fitted["store"], "roi", fitted["fit_id"])["outcomes"]
    assert "TV contributed" in answer and "to the weighted total of Sales_Single + Sales_Multi" in answer
    for name in KPIS:
        mean = per[name]["channels"]["TV"]["contribution"]["mean"]
        line = next(x for x in answer.splitlines() if x.startswith(f"- TV on {name}: "))
        assert float(line.split(": ")[1].split(" ")[0].replace(",", "")) == pytest.approx(mean, rel=1e-3)


def test_health_answer_gives_each_outcomes_fit_and_every_check(fitted) -> None:
    """A multi fit's checks passed the tool's size cap: the later outcomes' checks were cut and the cut note was
    rendered as '- :'; R² and MAPE were the worst of the outcomes each, unlabelled."""
    answer = ask(fitted, "how healthy is the fit?")
    stats = fitted["fit"]["diagnostics"]["outcomes"]
    assert "In-sample fit per outcome:" in answer
    assert all(f"{n} R² {stats[n]['r2']:.3f}" in answer for n in KPIS)
    assert "- :" not in answer and "In-sample R²" not in answer


def test_out_of_sample_answer_reads_each_outcomes_holdout_check() -> None:
    """A multi fit's holdout checks are holdout_mape[NAME]: the answer said 'not checked — this spec holds out no
    final periods' for a spec holding out 8 weeks."""
    from agent.models.answers import render

    def check(name: str, value: float) -> dict:
        return {"name": name, "status": "pass", "value": value, "reason": f"reason {name}"}

    multi = {"checks": [check("r2[A]", 0.9), check("holdout_mape[A]", 0.056), check("holdout_mape[B b]", 0.032)]}
    text = render("answers/out_of_sample.j2", r=multi)
    assert "not checked" not in text and "- A: 5.6% — pass" in text and "- B b: 3.2% — pass" in text
    single = render("answers/out_of_sample.j2", r={"checks": [check("holdout_mape", 0.041)]})
    assert "the forecast error (MAPE) is 4.1% — pass: reason holdout_mape" in single
    assert "not checked" in render("answers/out_of_sample.j2", r={"checks": [check("r2", 0.9)]})


def test_health_tool_keeps_every_check_of_a_multi_fit(fitted) -> None:
    from mmm_core.store import Store
    from tools.result_tools import build

    tool = {t.name: t for t in build(Store(fitted["store"]))}["model_health"]
    out = json.loads(tool.func(fit_id=fitted["fit_id"]))
    names = {c["name"] for c in fitted["fit"]["health"]["checks"]}
    assert "truncated" not in out and {c["name"] for c in out["checks"]} == names


def test_roi_table_and_ranking_keep_the_outcomes(fitted) -> None:
    """All channels' ROI on two outcomes passed 4,000 characters and the per-outcome block was dropped."""
    table = ask(fitted, "what is the ROI of each channel?")
    assert all(f"- TV on {n}: ROI" in table and f"- Search on {n}: ROI" in table for n in KPIS)
    ranking = ask(fitted, "which channel has the best ROI?")
    assert "These figures are the total over outcomes (channels are the weighted total" in ranking


def test_roi_over_a_period_names_the_weighted_total(fitted) -> None:
    """ROI per window or geography reads the total only: it said 'in the KPI' as if one KPI had been fitted."""
    answer = ask(fitted, "what was TV's ROI in 2022?")
    assert "TV returned" in answer and "in the weighted total Sales_Single + Sales_Multi" in answer


def test_synth_help_names_every_preset(capsys) -> None:
    """The help spells the presets out (importing mmm_core.synth would cost every command a second)."""
    from mmm_core.synth.presets import PRESETS

    with pytest.raises(SystemExit):
        main(["synth", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert " | ".join(PRESETS) in text


def test_full_fit_headline_is_the_reviews_rhat_and_ess() -> None:
    """A 2 x 300 NUTS fit printed 'max_rhat 1.01' (the engine's split R-hat over latent sites) while its health
    warned at 1.020 (the review's, over every varying scalar); the single fit's headline is the review's."""
    from types import SimpleNamespace

    from mmm_core.fit.multi_review import _diagnostics

    engine = {"wall_time": 2.0, "steps_per_draw": 7.0, "max_rhat": 1.005, "min_ess": 400.0, "divergences": 2}
    result = SimpleNamespace(diagnostics=engine)
    out = _diagnostics(result, {}, False, {"max_rhat": 1.0199, "min_bulk_ess": 277.0})
    assert (out["max_rhat"], out["min_ess_bulk"], out["ess_per_s"], out["divergences"]) == (1.0199, 277.0, 138.5, 2)
    fallback = _diagnostics(result, {}, False, {"max_rhat": None})
    assert (fallback["max_rhat"], fallback["min_ess_bulk"]) == (1.005, 400.0)
