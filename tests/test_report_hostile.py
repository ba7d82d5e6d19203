"""A report built from hostile names runs no script and carries no markup (issue 14, item 2).

Channels named ``<script>…</script>``, ``<img onerror=…>``, a Markdown link and a ``</script>`` breakout, a dataset
named as a script, a rationale and an amendment reason with markup: the HTML report and the Markdown report
(rendered by a CommonMark renderer that lets raw HTML through, as many viewers do) are opened in headless Chromium
and no script of ours may run, no injected element may exist, and every name must still read as written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from mmm_core import ledger
from mmm_core.data.ingest import ingest
from mmm_core.fit.job import run_fit
from mmm_core.report import build_report
from mmm_core.report.render import md_escape, md_safe
from mmm_core.spec import Seasonality, init_spec
from mmm_core.store import Store

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"
CHROMIUM = "/usr/bin/chromium"
HOSTILE_OUTLETS = {
    "Email_Spend": "<script>window.__pwned=1</script>",
    "Local_Spend": '<img src=x onerror="window.__pwned=2">',
    "Search_Spend": '[click](javascript:window.__pwned=3) <a href="http://127.0.0.1:9/x">link</a>',
    "Social_Spend": "</script><script>window.__pwned=4</script>",
}
DATASET = "<script>window.__pwned=5</script>"
RATIONALE = "</script><script>window.__pwned=6</script> rationale"
REASON = "<img src=y onerror=window.__pwned=7> ![t](http://127.0.0.1:9/track.png) reason"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("hostile")
    frame = pd.read_csv(DEMO, keep_default_na=False)
    for variable, outlet in HOSTILE_OUTLETS.items():
        frame.loc[frame["VariableName"] == variable, "Outlet"] = outlet
    csv = tmp / "hostile.csv"
    frame.to_csv(csv, index=False)
    store = Store(tmp / "store" / "mmm.duckdb")
    ds = ingest(store, csv, name=DATASET)
    locked = ledger.lock(store, init_spec(store, ds.dataset_id), RATIONALE)
    amended = locked.spec.model_copy(update={"seasonality": Seasonality(fourier_order=3)})
    v2 = ledger.amend(store, locked.spec_id, amended, REASON)
    fit = run_fit(store, v2.spec_id, quick=True, seed=1)["fit_id"]
    html = build_report(store, fit, tmp / "out" / "report.html", allow_unhealthy=True)
    md = build_report(store, fit, tmp / "out" / "report.md", fmt="md", allow_unhealthy=True)
    return {"tmp": tmp, "html": Path(html["path"]), "md": Path(md["path"])}


def test_the_channels_really_carry_the_hostile_names(hostile: dict) -> None:
    text = hostile["html"].read_text()
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in text  # present, escaped
    assert "<script>window.__pwned" not in text and "<img" not in text  # every occurrence is escaped text


def test_markdown_report_escapes_names(hostile: dict) -> None:
    text = hostile["md"].read_text()
    assert not re.search(r"(?<!\\)<(script|img|/script)", text), "an unescaped tag in the Markdown"
    assert not re.search(r"(?<!\\)\]\(", text), "an unescaped link or image in the Markdown"
    assert "\\<script\\>window.\\_\\_pwned" not in text  # underscores are left alone: names read as typed
    assert "\\<script\\>window.__pwned=1\\</script\\>" in text


def test_md_escape_and_md_safe_keep_ordinary_names_and_prose_unchanged() -> None:
    for name in ("TV", "Paid_Social", "Search 2", "Email-Q1", "Café"):
        assert md_escape(name) == name
    assert md_safe("**Search** has the highest ROI: `fit_1` (0.5–0.9).") == (
        "**Search** has the highest ROI: `fit_1` (0.5–0.9)."
    )
    assert md_safe("see [x](http://e) <b>") == "see \\[x\\](http://e) \\<b\\>"


def _chromium_visit(page_path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(page_path.as_uri())
            page.wait_for_timeout(1500)  # let image errors fire and Plotly draw
            found = page.evaluate(
                """() => {
                    const injected = 'window.__pwned';
                    const links = [...document.querySelectorAll('a')];
                    return {
                        pwned: window.__pwned === undefined ? null : window.__pwned,
                        imgs: document.querySelectorAll('img').length,
                        jsLinks: links.filter(a => a.href.startsWith('javascript')).length,
                        extLinks: links.filter(a => a.href.startsWith('http')).length,
                        hostileScripts: [...document.scripts].filter(s => s.text.trim().startsWith(injected)).length,
                        text: document.body.innerText,
                    };
                }"""
            )
            found["dialogs"] = dialogs
            return found
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} not found: apt-get install chromium")
def test_no_script_runs_when_the_html_report_is_opened(hostile: dict) -> None:
    found = _chromium_visit(hostile["html"])
    assert found["pwned"] is None and not found["dialogs"], found["pwned"]
    assert found["imgs"] == 0 and found["jsLinks"] == 0 and found["hostileScripts"] == 0
    assert found["extLinks"] == 0, "a name made a link (Plotly reads <a href> in chart labels)"
    for name in (*HOSTILE_OUTLETS.values(), DATASET, RATIONALE.split(" ")[0]):
        assert name in found["text"], f"{name!r} should read as written"


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} not found: apt-get install chromium")
def test_no_script_runs_when_the_markdown_report_is_viewed_as_html(hostile: dict) -> None:
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(hostile["md"].read_text())
    page = hostile["tmp"] / "md_view.html"
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}</body></html>")
    found = _chromium_visit(page)
    assert found["pwned"] is None and not found["dialogs"]
    assert found["imgs"] == 0 and found["jsLinks"] == 0 and found["hostileScripts"] == 0
    assert "<script>window.__pwned=1</script>" in found["text"] and "[click](javascript:" in found["text"]
