"""Narrative report: sections, grounded prose, offline HTML, disclosure of what was tried, CLI, tool, browser."""

from __future__ import annotations

import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mmm_core import ledger
from mmm_core.data.ingest import ingest
from mmm_core.fit.job import run_fit
from mmm_core.grounding import extract_numbers, ungrounded
from mmm_core.report import build_report
from mmm_core.spec import Seasonality, init_spec
from mmm_core.store import Store

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"
CHROMIUM = "/usr/bin/chromium"
EXPECTED = ["summary", "disclosure", "data", "health", "contributions", "roi", "curves", "optimizer", "method"]
AMEND_REASON = "more seasonal flexibility after seeing residuals"


class Page(HTMLParser):
    """Sections, prose text per section, visible text, attributes with URLs and scripts of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[str] = []
        self.prose: dict[str, str] = {}
        self.section_text: dict[str, str] = {}
        self.visible: list[str] = []
        self.urls: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.links: list[dict[str, str]] = []
        self._stack: list[tuple[str, str | None]] = []  # (tag, prose-section or None)
        self._section: str | None = None
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("src", "href"):
            if key in a:
                self.urls.append((tag, key, a[key]))
        if tag == "link":
            self.links.append(a)
        if tag == "section":
            self._section = a.get("id")
            self.sections.append(a.get("id", ""))
        if tag in ("script", "style"):
            self._in = tag
            self.scripts.append("") if tag == "script" else None
        prose = a.get("data-section") if "prose" in a.get("class", "").split() else None
        if tag not in ("br", "meta", "link", "img", "input"):
            self._stack.append((tag, prose))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in = None
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
            return
        if self._in == "style":
            return
        self.visible.append(data)
        if self._section:
            self.section_text[self._section] = self.section_text.get(self._section, "") + data
        prose = next((p for _, p in reversed(self._stack) if p), None)
        if prose:
            self.prose[prose] = self.prose.get(prose, "") + data


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A pre-registered quick fit (v1), then a post-hoc amendment (v2) fitted too, on the bundled demo data."""
    tmp = tmp_path_factory.mktemp("report")
    store = Store(tmp / "mmm.duckdb")
    ds = ingest(store, DEMO, name="demo")
    locked = ledger.lock(store, init_spec(store, ds.dataset_id), "default spec for the report test")
    fit1 = run_fit(store, locked.spec_id, quick=True, seed=1)["fit_id"]
    amended = locked.spec.model_copy(update={"seasonality": Seasonality(fourier_order=3)})
    v2 = ledger.amend(store, locked.spec_id, amended, AMEND_REASON)
    fit2 = run_fit(store, v2.spec_id, quick=True, seed=1)["fit_id"]
    html = build_report(store, fit1, tmp / "out" / "report.html")
    return {"store": store, "tmp": tmp, "fit1": fit1, "fit2": fit2, "v1": locked, "v2": v2, "html": html}


def test_every_section_present_in_order(fx: dict) -> None:
    page = parse(Path(fx["html"]["path"]))
    assert page.sections == EXPECTED == fx["html"]["sections"]
    assert "mediation" not in page.sections  # the demo spec has no mediators
    assert page.sections.index("disclosure") == 1  # prominent: right after the executive summary
    for sid in EXPECTED:
        assert len(page.prose.get(sid, "").strip()) > 40, sid


def test_prose_numbers_are_in_the_results(fx: dict) -> None:
    out = fx["html"]
    assert out["grounded"] and out["ungrounded"] == [] and out["numbers_checked"] > 30
    results = json.loads(Path(out["results_path"]).read_text())
    page = parse(Path(out["path"]))
    prose = "\n".join(page.prose.values())
    assert len(extract_numbers(prose)) >= out["numbers_checked"] * 0.8
    assert ungrounded(prose, [results]) == []
    # Tables and headings too: no number on the page comes from anywhere but the results.
    assert ungrounded("\n".join(page.visible), [results]) == []


def test_html_is_self_contained(fx: dict) -> None:
    path = Path(fx["html"]["path"])
    page = parse(path)
    external = [(t, k, u) for t, k, u in page.urls if u.lower().startswith(("http://", "https://", "//"))]
    assert external == []
    assert all(u.startswith("#") for _, _, u in page.urls)  # only in-page navigation
    assert page.links == []  # no stylesheets or fonts fetched
    big = [s for s in page.scripts if len(s) > 1_000_000]
    assert len(big) == 1 and "plotly" in big[0][:2000].lower()  # plotly.js inline, exactly once
    assert sum(s.count("Plotly.newPlot") for s in page.scripts) >= 7
    # Outside the library itself (whose bundle mentions its CDN for map data it never loads here), no URL at all.
    rest = path.read_text(encoding="utf-8").replace(big[0], "")
    assert "http://" not in rest and "https://" not in rest


def test_disclosure_names_hash_counts_and_amendment(fx: dict) -> None:
    page = parse(Path(fx["html"]["path"]))
    disclosure = page.section_text["disclosure"]
    assert fx["v1"].sha256 in disclosure
    assert "Specs tried on this dataset: 2" in disclosure and "Fits run: 2" in disclosure
    assert AMEND_REASON in disclosure and "changed after results seen" in disclosure
    assert "pre-registered" in disclosure


def test_post_hoc_fit_is_flagged_everywhere(fx: dict) -> None:
    out = build_report(fx["store"], fx["fit2"], fx["tmp"] / "out" / "posthoc.html")
    page = parse(Path(out["path"]))
    disclosure = page.prose["disclosure"]
    assert fx["v2"].sha256 in page.section_text["disclosure"]
    assert (
        "Changed after seeing results" in disclosure and "this is the spec the report's results come from" in disclosure
    )
    assert "Post-hoc spec." in "".join(page.visible)
    assert out["provenance"]["post_hoc"] is True and out["grounded"]


def test_quick_fit_is_labelled_approximate(fx: dict) -> None:
    page = parse(Path(fx["html"]["path"]))
    assert "uncertainty not calibrated" in page.prose["summary"]
    assert "uncertainty not calibrated" in page.prose["method"]
    assert "90%" in page.prose["summary"]  # the interval level is stated with the numbers


def test_optimizer_section_says_not_run_then_shows_a_stored_plan(fx: dict) -> None:
    page = parse(Path(fx["html"]["path"]))
    assert "No budget optimisation has been run" in page.prose["optimizer"]
    from mmm_core.answers.planning import optimize

    plan = optimize(fx["store"], fx["fit2"], 200_000.0, periods=13)
    out = build_report(fx["store"], fx["fit2"], fx["tmp"] / "out" / "plan.md", fmt="md")
    text = Path(out["path"]).read_text()
    assert plan["plan_id"] in text and "Recommended" in text and out["grounded"]


def test_markdown_variant(fx: dict) -> None:
    out = build_report(fx["store"], fx["fit1"], fx["tmp"] / "out" / "report.md", fmt="md")
    text = Path(out["path"]).read_text()
    for title in (
        "Executive summary",
        "Pre-registration and disclosure",
        "Model health",
        "ROI and marginal ROI",
        "Caveats and method",
    ):
        assert f"## {title}" in text
    assert "<script" not in text and "| Email |" in text
    results = json.loads(Path(out["results_path"]).read_text())
    assert out["grounded"] and ungrounded(text, [results]) == []


def test_llm_rewrite_is_kept_only_when_grounded(fx: dict) -> None:
    seen: list[str] = []

    def rewriter(section: str, prose: str) -> str:
        seen.append(section)
        if section == "summary":
            return "The best channel returns 9.87 per unit, trust me."  # an invented number
        return "In plain words: " + prose

    out = build_report(fx["store"], fx["fit1"], fx["tmp"] / "out" / "rewritten.html", llm=rewriter)
    rw = out["rewrite"]
    assert "summary" in rw["rejected"] and "9.87" in rw["rejected"]["summary"]
    assert "roi" in rw["accepted"] and "disclosure" not in seen and "method" not in seen
    page = parse(Path(out["path"]))
    assert "9.87" not in "".join(page.visible)
    assert page.prose["roi"].strip().startswith("In plain words:") and out["grounded"]


def test_offline_rewriter_leaves_prose_unchanged(fx: dict) -> None:
    from agent.models.offline import OfflineChatModel
    from agent.report_prose import llm_rewriter, rewrite_prompt

    rewrite = llm_rewriter(OfflineChatModel())
    assert rewrite("summary", "ROI 1.23 (0.50–2.00).") == "ROI 1.23 (0.50–2.00)."
    assert "Use only numbers that appear in the text" in rewrite_prompt("summary", "x")


def test_cli_report_json(fx: dict, capsys: pytest.CaptureFixture[str]) -> None:
    from agent.cli.main import main

    target = fx["tmp"] / "cli" / "r.md"
    code = main(["--store", str(fx["store"].path), "report", fx["fit1"], "--out", str(target), "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["path"] == str(target) and out["format"] == "md" and target.exists() and out["grounded"]


def test_agent_tool_writes_the_report(fx: dict) -> None:
    from tools import build_tools

    tools = {t.name: t for t in build_tools(fx["store"])}
    out = json.loads(tools["report"].invoke({"fit_id": fx["fit1"]}))
    assert Path(out["path"]).exists() and out["grounded"] and out["provenance"]["spec_id"] == fx["v1"].spec_id


@pytest.mark.browser
def test_report_renders_in_headless_chromium(fx: dict) -> None:
    if not os.path.exists(CHROMIUM) and not shutil.which("chromium"):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); the browser check needs it")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    remote: list[str] = []
    shot = fx["tmp"] / "report.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
            page.goto(Path(fx["html"]["path"]).as_uri())
            page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 7", timeout=30_000)
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert errors == [] and remote == []
    assert shot.stat().st_size > 50_000
