"""Issue 18 item 3 in the real Chainlit app (headless Chromium): a wide file whose channel columns carry no metric word
loads with no media; the settings panel's Media field declares TV and Search; the guided setup then drafts them.

Skipped (with the reason) where Debian's Chromium is not installed, as tests/test_ui_browser.py is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from test_mff_support import weeks, write_lines
from ui_server import explained_timeouts, ui_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
BARE = ["Date,TV,Search,Price,Sales"] + [
    f"{p},{100 + 3 * i},{50 + (i % 4)},{9 + i % 2},{1000 + 5 * i}" for i, p in enumerate(weeks(30))
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser tests",
    ),
]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, Path, Path]]:
    """A page on a fresh `mmm-agent ui`, the file to upload and the server's log."""
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("ui_roles")
    with ui_server(tmp) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 1400}).new_page()
        page.goto(srv["url"])
        page.wait_for_selector("text=Bayesian marketing-mix analyst", timeout=30_000)
        yield page, write_lines(tmp / "bare.csv", BARE), tmp / "server.log"
        browser.close()


def test_media_declared_in_the_settings_fields_drive_the_guided_setup(session) -> None:
    page, bare, server_log = session
    with explained_timeouts(page, server_log):
        _declare_media_and_set_up(page, bare)
    preview = page.locator("table").last.inner_text()
    assert "Search, TV" in preview and "Price" in preview  # declared channels; Price stays a control


def _declare_media_and_set_up(page, bare: Path) -> None:
    page.locator("#upload-button-input").set_input_files(str(bare))
    page.wait_for_timeout(500)
    page.locator("#chat-input").fill("load this file")
    page.locator("#chat-submit").click()
    page.wait_for_selector("text=inferred role", timeout=30_000)
    page.wait_for_selector("text=/No media variable found: choose them in the settings panel/", timeout=10_000)
    page.locator("#chat-settings-open-modal").click()
    page.wait_for_selector("text=Media (declare)", timeout=10_000)
    page.locator("[role=dialog] input[role=combobox]").first.click()  # the Media field
    for name in ("TV", "Search"):
        page.get_by_role("option", name=name, exact=True).first.click()
        page.wait_for_timeout(200)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_selector("text=Roles declared", timeout=30_000)
    assert page.get_by_text("TV: declared media (channel TV; was control).").count() == 1
    # Chainlit sends a message's text before its buttons, and the settings handler ends with "Settings applied":
    # pressing "Set up a model" before then could press the load message's older button mid-handler.
    page.wait_for_selector("text=/Settings applied: chat model/", timeout=30_000)
    page.get_by_role("button", name="Set up a model", exact=True).last.click()
    page.wait_for_selector("text=Question — KPI", timeout=30_000)
