"""The chat UI driven end to end in headless Chromium: `mmm-agent ui` runs as a subprocess on a free port with a
temporary store and app root; the test uploads the bundled demo file, clicks through the guided setup, approves
the lock and a quick fit (a queued job a worker process fits, while the chat answers), asks about ROI, and checks
the answer, a Plotly chart, live progress, that no request leaves localhost, and that a second browser context
gets its own thread.

Skipped (with the reason) where Debian's Chromium is not installed; `.ci/run` installs it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from ui_server import explained_timeouts, ui_server

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
DEMO = REPO / "data" / "demo_national.csv"
SHOTS = REPO / "mmm_store" / "ui_screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WELCOME = "Bayesian marketing-mix analyst"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) "
        "to run the browser tests (.ci/run does this)",
    ),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    with ui_server(tmp_path_factory.mktemp("ui")) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, url: str, requests: list[str]):
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_selector(f"text={WELCOME}", timeout=30_000)  # typing earlier is dropped
    return context, page


def _click(page, label: str, timeout: float = 30_000) -> None:
    button = page.get_by_role("button", name=label, exact=True).last
    button.wait_for(state="visible", timeout=timeout)
    button.click()


def _ask(page, text: str) -> None:
    page.locator("#chat-input").fill(text)
    page.locator("#chat-submit").click()


def _upload_set_up_and_lock(page) -> None:
    """Upload the demo file, answer the guided setup with its buttons, lock the spec and approve the lock."""
    page.locator("#upload-button-input").set_input_files(str(DEMO))
    page.wait_for_timeout(500)
    _ask(page, "load this file")
    page.wait_for_selector("text=inferred role", timeout=30_000)
    assert page.get_by_text("Search_Spend").count() >= 1  # the description table with roles
    _click(page, "Set up a model")
    page.wait_for_selector("text=Question — KPI", timeout=30_000)
    assert page.get_by_text("Spec preview").count() >= 1
    for label, question in (
        ("Keep", "Question — channels"),
        ("Keep all channels", "Question — controls"),
        ("Keep controls", "Question — seasonality"),
        ("Keep", "Question — holdout"),
        ("No holdout", "is complete"),
    ):
        _click(page, label)
        page.wait_for_selector(f"text={question}", timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "setup_confirm.png"))
    _click(page, "Lock this spec")
    _click(page, "Approve")


def test_upload_setup_lock_fit_and_ask(server: dict, browser) -> None:
    requests: list[str] = []
    context, page = _open(browser, server["url"], requests)
    try:
        with explained_timeouts(page, server["log"]):
            _upload_set_up_and_lock(page)
            page.wait_for_selector("text=Quick fit (approximate, ~20 s)", timeout=30_000)
            _click(page, "Quick fit (approximate, ~20 s)")
            _click(page, "Approve")
            page.wait_for_selector("text=/queued as job job_\\w+/", timeout=30_000)  # the turn ends at once
            page.wait_for_selector("text=/Fitting… \\d+%/", timeout=60_000)  # live progress from the job row
            page.get_by_role("button", name="Cancel fit", exact=True).wait_for(state="visible", timeout=10_000)
            # The chat answers while the worker process fits (the turn that queued the fit has ended).
            _ask(page, "What is the ROI of TV?")
            page.wait_for_selector("text=/TV is not in the data/", timeout=30_000)
            assert page.get_by_text("Known channels: Email, Local, Search, Social").count() >= 1
            answered_during_fit = page.get_by_text("Fit succeeded").count() == 0
            page.wait_for_selector("text=/elapsed 0:0[2-9]/", timeout=30_000)  # ... and it updates
            page.screenshot(path=str(SHOTS / "fit_progress.png"))
            page.wait_for_selector("text=/Fit succeeded/", timeout=90_000)
            page.wait_for_selector("text=/Fit fit_\\w+ finished in/", timeout=30_000)  # the fit summary follows
            assert page.get_by_role("button", name="Cancel fit", exact=True).count() == 0  # gone once the job ended
            assert answered_during_fit
            _ask(page, "What is the ROI of Search?")
            page.wait_for_selector("text=/Search returned/", timeout=30_000)
            page.wait_for_selector(".js-plotly-plot", timeout=30_000)
            page.screenshot(path=str(SHOTS / "roi_of_search.png"))
            assert page.locator(".js-plotly-plot").count() >= 1
            _ask(page, "/report")
            page.wait_for_selector("text=/Report for fit_\\w+ is ready|report is not available yet/", timeout=60_000)
            if page.get_by_text("is ready").count():
                link = page.locator("a[download^='report_fit_']").last  # the download link
                link.wait_for(timeout=10_000)
                got = page.request.get(link.get_attribute("href"))
                assert got.ok and "<html" in got.text()[:2000].lower()
    finally:
        context.close()
    with sqlite3.connect(server["store"] / "ui_history.sqlite") as conn:  # the thread was persisted
        tools_used = {r[0] for r in conn.execute("SELECT name FROM steps WHERE type = 'tool'")}
        assert conn.execute("SELECT count(*) FROM threads").fetchone()[0] >= 1
    assert {"lock_spec", "fit_model", "roi"} <= tools_used
    _assert_fit_ran_as_a_queued_job(server)
    foreign = sorted({urlparse(u).hostname for u in requests} - {"127.0.0.1", "localhost"})
    assert foreign == [], f"requests left localhost: {foreign}"


def _assert_fit_ran_as_a_queued_job(server: dict) -> None:
    """The UI's fit was a job (queued → running → succeeded) that a worker process, not the UI server, fitted."""
    from mmm_core import jobs
    from mmm_core.ledger.fits import fit_record
    from mmm_core.store import Store

    store = Store(server["store"] / "mmm.duckdb")
    [job] = jobs.list_jobs(store).jobs
    assert job.state == "succeeded" and job.attempts == 1 and job.request.quick
    assert job.pid != server["pid"] and job.created_at <= job.claimed_at <= job.finished_at
    assert fit_record(store, job.fit_id).status == "succeeded"


def test_a_full_fit_cancelled_from_the_chat_is_reported_with_its_error(browser, tmp_path: Path) -> None:
    """Its own server: the module's server holds exactly the one job of the upload test."""
    from mmm_core import jobs
    from mmm_core.ledger.fits import fit_record
    from mmm_core.store import Store

    with ui_server(tmp_path) as srv:
        context, page = _open(browser, srv["url"], [])
        try:
            with explained_timeouts(page, srv["log"]):
                _upload_set_up_and_lock(page)
                _click(page, "Full fit (NUTS)")
                _click(page, "Approve")
                page.wait_for_selector("text=/Fitting… \\d+%/", timeout=60_000)
                _click(page, "Cancel fit")
                page.wait_for_selector("text=/Cancel asked for job job_\\w+/", timeout=30_000)
                # the job's error is quoted as code, without backticks
                ended = "text=/Fit job job_\\w+ cancelled: cancelled: Job \\w+ was cancelled while/"
                page.wait_for_selector(ended, timeout=60_000)
                page.wait_for_selector("text=/Fit cancelled after/", timeout=10_000)
        finally:
            context.close()
        store = Store(srv["store"] / "mmm.duckdb")
        [job] = jobs.list_jobs(store).jobs
        assert job.state == "cancelled" and job.cancel_requested and not job.request.quick
        assert job.pid != srv["pid"] and fit_record(store, job.fit_id).status == "failed"


def test_second_context_gets_its_own_thread(server: dict, browser) -> None:
    first: list[str] = []
    ctx1, page1 = _open(browser, server["url"], first)
    ctx2 = None
    try:
        _ask(page1, "what can you do?")
        page1.wait_for_selector("text=what can you do?", timeout=30_000)
        page1.wait_for_timeout(1500)
        ctx2, page2 = _open(browser, server["url"], [])
        page2.wait_for_timeout(1500)
        # exact=True: case-sensitive, whole text, so the welcome's starter button "What can you do?" (shown while
        # the store has no dataset, i.e. when this test runs before the upload test) is not taken for the message.
        assert page2.get_by_text("what can you do?", exact=True).count() == 0
        _ask(page2, "describe the dataset")
        page2.wait_for_selector("text=describe the dataset", timeout=30_000)
        page1.wait_for_timeout(1000)
        assert page1.get_by_text("describe the dataset", exact=True).count() == 0
        t1 = page1.evaluate("() => window.location.href")
        t2 = page2.evaluate("() => window.location.href")
        assert t1 != t2 or "/thread/" not in t1
    finally:
        ctx1.close()
        if ctx2 is not None:
            ctx2.close()


def test_password_login_when_a_password_is_set(tmp_path: Path) -> None:
    """MMM_AGENT_PASSWORD turns on login (the auth secret is derived by `mmm-agent ui`); wrong passwords fail."""
    import urllib.error
    from urllib.parse import urlencode

    with ui_server(tmp_path, MMM_AGENT_PASSWORD="s3cret") as srv:
        with urllib.request.urlopen(srv["url"] + "/auth/config", timeout=5) as resp:
            cfg = json.load(resp)
        assert cfg["requireLogin"] and cfg["passwordAuth"]

        def login(password: str) -> int:
            body = urlencode({"username": "alice", "password": password}).encode()
            try:
                with urllib.request.urlopen(urllib.request.Request(srv["url"] + "/login", data=body), timeout=5) as r:
                    return r.status
            except urllib.error.HTTPError as exc:
                return exc.code

        assert login("wrong") == 401
        assert login("s3cret") == 200
