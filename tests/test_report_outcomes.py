"""The report of a multi-outcome fit (issue 22, item 5): it builds, says what `roi --json` and `cross-effects --json`
say (per-outcome ROI with intervals, the weighted total and its weights, cross-effects in words with intervals),
says "not distinguishable from zero" exactly when an interval spans 0, carries the disclosure, shows curves and a
stored plan of the weighted total, and escapes an outcome named as a script.

One quick two_products fit (1 chain of 40 draws) for the module; its multipack outcome carries a hostile name, so
every section is rendered with it. The single-KPI report is covered, unchanged, by tests/test_report*.py.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from agent.cli.main import main
from mmm_core.grounding import ungrounded
from mmm_core.report.build import MULTI_SECTIONS, build_report
from mmm_core.report.render import amount, interval, md_escape, ratio, render_prose
from mmm_core.store import Store

HOSTILE = "<script>window.__pwned=1</script>"
SINGLE = "Sales_Single"
KPIS = f"{SINGLE},{HOSTILE}"


def cli(store: str, *argv: str) -> dict:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["--store", store, *argv, "--json"])
    assert code == 0, buf.getvalue()
    return json.loads(buf.getvalue().strip().splitlines()[-1])


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A quick two-outcome fit with a cannibalisation switched on by the multipack promotion; the HTML and Markdown
    reports before any plan, then the chat tool's report after an optimisation."""
    from mmm_core.synth.make import write

    tmp = tmp_path_factory.mktemp("report_outcomes")
    csv, _ = write("two_products", 0, tmp / "tp.csv")
    frame = pd.read_csv(csv, keep_default_na=False)
    frame.loc[frame["VariableName"] == "Sales_Multi", "VariableName"] = HOSTILE
    frame.to_csv(tmp / "hostile.csv", index=False)
    store = str(tmp / "mmm.duckdb")
    ds = cli(store, "ingest", str(tmp / "hostile.csv"), "--name", "two products")["dataset_id"]
    draft = tmp / "spec.yaml"
    cli(store, "spec", "init", ds, "--kpi", KPIS, "--out", str(draft))
    spec = yaml.safe_load(draft.read_text())
    cross = {"source": HOSTILE, "target": SINGLE, "type": "cannibalisation", "modulator": "Promo_Multi"}
    spec["outcomes"].update(cross_effects=[cross], control_outcomes={"Promo_Multi": [HOSTILE]})
    draft.write_text(yaml.safe_dump(spec))
    locked = cli(store, "spec", "lock", str(draft), "--rationale", "two products, promo cannibalises")
    fit = cli(store, "fit", locked["spec_id"], "--quick", "--draws", "40", "--seed", "0")["fit_id"]
    html = build_report(Store(store), fit, tmp / "out" / "report.html")
    md = build_report(Store(store), fit, tmp / "out" / "report.md", fmt="md")
    return {"store": store, "fit": fit, "locked": locked, "html": html, "md": md, "tmp": tmp}


def results_of(out: dict) -> dict:
    return json.loads(Path(out["results_path"]).read_text())


def md_section(text: str, title: str) -> str:
    """The Markdown of one section (from its heading to the next)."""
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_report_builds_with_the_multi_outcome_sections(fx: dict) -> None:
    html, md = fx["html"], fx["md"]
    assert html["sections"] == [sid for sid, _ in MULTI_SECTIONS] == md["sections"]  # the spec has controls
    assert html["grounded"] and md["grounded"] and html["numbers_checked"] > 60
    page = Path(html["path"]).read_text()
    for chart in ("outcome_roi", "cross_forest", "lifts", "fitted", "curves"):
        assert f'id="chart-{chart}"' in page, chart
    assert "significant" not in Path(md["path"]).read_text().lower()  # intervals, never significance


def test_every_number_on_the_markdown_page_is_in_the_results(fx: dict) -> None:
    text = Path(fx["md"]["path"]).read_text()
    assert ungrounded(text, [results_of(fx["md"])]) == []


def test_outcome_roi_equals_roi_json(fx: dict) -> None:
    roi = cli(fx["store"], "roi", fx["fit"])
    res = results_of(fx["html"])["outcomes"]
    assert res["names"] == [SINGLE, HOSTILE]
    for name in res["names"]:
        assert res["by_outcome"][name]["channels"] == roi["outcomes"][name]["channels"]
        assert res["by_outcome"][name]["weight"] == roi["outcomes"][name]["weight"] == 1.0
    assert res["total"]["channels"] == roi["channels"]
    text = md_section(Path(fx["md"]["path"]).read_text(), "ROI and contribution by outcome")
    tables = text.split("**Weighted total**")
    for name in res["names"]:
        table = tables[0].split(f"**{md_escape(name)}** (weight 1)", 1)[1].split("\n\n**", 1)[0]
        for ch, c in roi["outcomes"][name]["channels"].items():
            row = f"| {ch} | {amount(c['spend'])} | {interval(c['contribution'], 'amount')} | "
            assert row in table and f"| {ratio(c['roi']['mean'])} | {ratio(c['roi']['lo'])} – " in table
    for ch, c in roi["channels"].items():
        roi_cells = f"{ratio(c['roi']['mean'])} | {ratio(c['roi']['lo'])} – {ratio(c['roi']['hi'])} |"
        assert f"| {ch} | {amount(c['spend'])} | {interval(c['contribution'], 'amount')} | " in tables[1]
        assert roi_cells in tables[1]
    summary = md_section(Path(fx["md"]["path"]).read_text(), "Executive summary")
    assert "(1 each: the spec declares no weights)" in summary  # the weights of the total are stated


def test_cross_effects_in_words_with_intervals(fx: dict) -> None:
    cross = cli(fx["store"], "cross-effects", fx["fit"])
    (e,) = cross["effects"]
    assert e["hi"] < 0  # cannibalisation clearly away from 0 in this world
    text = Path(fx["md"]["path"]).read_text()
    section = md_section(text, "Cross-effects between outcomes")
    taken = interval({"mean": -e["routed"]["mean"], "lo": -e["routed"]["hi"], "hi": -e["routed"]["lo"]}, "amount")
    sentence = f"**{md_escape(HOSTILE)} took {taken} units from {SINGLE}** over the data while Promo_Multi was on"
    assert sentence in section and sentence in md_section(text, "Executive summary")
    assert f"moved {SINGLE} by {interval(e, 'ratio')} units" in section
    assert f"| {interval(e, 'ratio')} | {interval(e['routed'], 'amount')} | {e['verdict']} |" in section
    bullets = [ln for ln in section.splitlines() if ln.startswith("- ")]
    assert bullets and not any("not distinguishable" in ln for ln in bullets)
    corr = cross["residual_correlation"][0]
    assert f"{interval(corr, 'ratio')}" in md_section(text, "Residual correlation between outcomes")


def test_an_interval_spanning_zero_is_not_distinguishable_from_zero(fx: dict) -> None:
    """Same results, the effect's and a channel's intervals moved to span 0: the words change, and only there."""
    from mmm_core.report.outcomes import _cross_block, _lifts

    res = results_of(fx["html"])
    effect = copy.deepcopy(res["cross_effects"]["effects"][0])
    raw = {k: effect[k] for k in ("source", "target", "type", "lag", "modulator")}
    kappa = {"mean": -0.05, "median": -0.05, "sd": 0.1, "lo": -0.2, "hi": 0.1}
    spans = {**raw, **kappa, "routed": {"mean": -50.0, "lo": -300.0, "hi": 150.0}, "verdict": "x"}
    res["cross_effects"] = _cross_block({"effects": [spans], "residual_correlation": [], "units": "u"})
    drivers = {"TV": {"kind": "channel", "lifts_most": SINGLE, "outcomes": {SINGLE: {"contribution": kappa}}}}
    res["lifts"] = _lifts({"drivers": drivers, "controls_counterfactual": "c", "controls_not_shown": {}})
    res["findings"]["clear_effects"], res["findings"]["unclear_effects"] = [], res["cross_effects"]["effects"]
    section = render_prose("cross_effects", res)
    assert f"is **not distinguishable from zero**: {interval(kappa)} {SINGLE} units per" in section
    assert " took " not in section and " added " not in section
    assert "Not distinguishable from zero with these data" in render_prose("summary", res)
    assert f"TV moved {SINGLE} by {interval(kappa, 'amount')}, not distinguishable from zero" in render_prose(
        "outcomes", res
    )
    assert "significant" not in (section + render_prose("summary", res)).lower()


def test_disclosure_and_health(fx: dict) -> None:
    text = Path(fx["md"]["path"]).read_text()
    res = results_of(fx["md"])
    disclosure = md_section(text, "Pre-registration and disclosure")
    assert res["spec"]["sha256"] in disclosure and fx["locked"]["spec_id"] in disclosure
    assert "**Specs tried on this dataset: 1.**" in disclosure
    assert res["provenance"]["disclosure"] in disclosure and res["provenance"]["anchor"] in disclosure
    health = md_section(text, "Model health")
    for name, s in res["health"]["fit_stats"].items():
        assert f"- {md_escape(name)}: R² {100 * s['r2']:.0f}%" in health


def test_hostile_outcome_name_is_escaped(fx: dict) -> None:
    page = Path(fx["html"]["path"]).read_text()
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page  # present, escaped
    assert "<script>window.__pwned" not in page  # nowhere as markup, charts included
    text = Path(fx["md"]["path"]).read_text()
    assert not re.search(r"(?<!\\)<(script|/script)", text), "an unescaped tag in the Markdown"
    assert "\\<script\\>window.__pwned=1\\</script\\>" in text


def test_optimizer_absent_then_a_stored_plan_through_the_chat_tool(fx: dict) -> None:
    from tools import build_tools

    before = md_section(Path(fx["md"]["path"]).read_text(), "Budget optimisation")
    assert "No budget optimisation has been run for this fit" in before
    plan = cli(fx["store"], "optimize", fx["fit"], "--budget", "300000", "--periods", "12")
    tools = {t.name: t for t in build_tools(Store(fx["store"]))}
    out = json.loads(tools["report"].invoke({"fit_id": fx["fit"]}))
    assert Path(out["path"]).exists() and out["grounded"]
    opt = results_of(out)["optimizer"]
    assert opt["plan_id"] == plan["plan_id"] and opt["objective"] == plan["objective"]["description"]
    section = Path(out["path"]).read_text().split('id="optimizer"', 1)[1].split("</section>", 1)[0]
    assert "Objective: the weighted sum of outcomes" in section
    for name, x in plan["outcomes"].items():
        line = f"{name} (weight 1): {interval(x['expected_kpi'], 'amount')}"
        assert line.replace("<", "&lt;").replace(">", "&gt;") in section


CHROMIUM = "/usr/bin/chromium"


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} not found: apt-get install chromium")
def test_html_report_draws_its_charts_and_runs_no_injected_script(fx: dict) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(Path(fx["html"]["path"]).as_uri())
            page.wait_for_timeout(1500)  # let Plotly draw
            found = page.evaluate(
                """() => ({
                    pwned: window.__pwned === undefined ? null : window.__pwned,
                    charts: [...document.querySelectorAll('.js-plotly-plot')].map(d => d.id),
                    drawn: document.querySelectorAll('.js-plotly-plot .main-svg').length,
                    text: document.body.innerText,
                })"""
            )
        finally:
            browser.close()
    assert found["pwned"] is None and errors == []
    assert {"chart-outcome_roi", "chart-cross_forest", "chart-lifts", "chart-fitted"} <= set(found["charts"])
    assert found["drawn"] >= len(found["charts"])
    assert HOSTILE in found["text"]  # the name reads as written
