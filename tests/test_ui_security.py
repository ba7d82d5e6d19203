"""The UI's walls (issue 14, items 2 and 6): login rate limit, no any-origin CORS, names that cannot carry markup.

The rate limit and CORS are checked with real HTTP requests against a started `mmm-agent ui` (password set), the
pieces also one by one: the limiter on a fake clock, the shipped and migrated config, the Markdown escaping.
"""

from __future__ import annotations

import json
import re
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from ui_server import ui_server

from agent.ui import setup as ui_setup
from agent.ui.charts import plain
from agent.ui.data import app_asset, prepare_app_root
from agent.ui.login_limit import LoginLimiter
from agent.ui.safe_text import md_name, neutralise

PASSWORD = "correct horse battery staple"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_blocks_after_five_failures_for_a_minute_and_success_resets() -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    for _ in range(4):
        limiter.failed("u")
        assert limiter.retry_after("u") == 0.0
    limiter.failed("u")
    assert limiter.retry_after("u") == pytest.approx(60.0)
    assert limiter.retry_after("other") == 0.0
    clock.now += 30
    assert limiter.retry_after("u") == pytest.approx(30.0)
    clock.now += 30.5
    assert limiter.retry_after("u") == 0.0  # the oldest failure left the window
    limiter.failed("v")
    limiter.succeeded("v")
    assert limiter._failures.get("v") is None


def test_shipped_config_accepts_only_localhost_origins() -> None:
    origins = tomllib.loads(app_asset("config.toml").read_text())["project"]["allow_origins"]
    assert origins and "*" not in origins
    assert all(urllib.parse.urlparse(o).hostname in ("127.0.0.1", "localhost") for o in origins)


def test_an_older_any_origin_config_is_migrated_and_other_edits_kept(tmp_path: Path) -> None:
    config = tmp_path / ".chainlit" / "config.toml"
    config.parent.mkdir(parents=True)
    old = app_asset("config.toml").read_text()
    old = re.sub(r"^allow_origins = .*$", 'allow_origins = ["*"]', old, flags=re.MULTILINE)
    config.write_text(old.replace('name = "mmm-agent"', 'name = "my team"'))
    prepare_app_root(tmp_path)
    project = tomllib.loads(config.read_text())
    assert "*" not in project["project"]["allow_origins"] and project["UI"]["name"] == "my team"


HOSTILE = "[win](http://127.0.0.1:9/x) ![p](http://127.0.0.1:9/p.png) <img src=x onerror=alert(1)> `x` *y* | z"


def test_names_in_ui_markdown_render_as_text() -> None:
    described = {
        "name": HOSTILE,
        "dataset_id": "ds_1",
        "geographies": [HOSTILE],
        "periods": {"count": 1},
        "variables": [{"name": HOSTILE, "role": "media", "channel": HOSTILE, "coverage": 1.0}],
    }
    pages = [
        ui_setup.describe_table(described),
        ui_setup.greeting({"dataset": {"name": HOSTILE, "id": "ds_1"}}),
        ui_setup.spec_preview({"kpi": HOSTILE, "channels": [HOSTILE], "controls": [], "mediators": []}),
        neutralise(f"An answer that quotes {HOSTILE} and keeps `code [x](y)`"),
    ]
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    for page in pages:
        html = renderer.render(neutralise(page))
        assert "<a " not in html and "<img" not in html, html
    table = renderer.render(ui_setup.describe_table(described))
    assert table.count("<td>") == 4, "a | in a name must not add table cells"
    assert md_name("Paid_Social") == "Paid_Social" and neutralise("R-hat < 1.01") == "R-hat \\< 1.01"


def test_chart_labels_cannot_carry_plotly_markup() -> None:
    assert plain('<a href="http://e">x</a>') == '&lt;a href="http://e"&gt;x&lt;/a&gt;'
    assert plain("Search & Social") == "Search &amp; Social" and plain("TV") == "TV"


# --- a started UI -------------------------------------------------------------------------------------------


def _request(url: str, method: str = "GET", data: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def _login(url: str, user: str, password: str):
    body = urllib.parse.urlencode({"username": user, "password": password}).encode()
    return _request(f"{url}/login", "POST", body, {"Content-Type": "application/x-www-form-urlencoded"})


@pytest.fixture(scope="module")
def ui_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with ui_server(tmp_path_factory.mktemp("ui_security"), timeout=90.0, MMM_AGENT_PASSWORD=PASSWORD) as srv:
        yield srv["url"]


def test_cors_does_not_grant_a_foreign_origin_credentials(ui_url: str) -> None:
    evil = "http://evil.example"
    status, headers, _ = _request(f"{ui_url}/project/settings", headers={"Origin": evil, "Cookie": "x=1"})
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower.get("access-control-allow-origin") not in (evil, "*"), lower
    status, headers, _ = _request(
        f"{ui_url}/login",
        "OPTIONS",
        headers={"Origin": evil, "Access-Control-Request-Method": "POST"},
    )
    lower = {k.lower(): v for k, v in headers.items()}
    assert lower.get("access-control-allow-origin") != evil and status >= 400
    status, headers, _ = _request(
        f"{ui_url}/login",
        "OPTIONS",
        headers={"Origin": "http://localhost:8000", "Access-Control-Request-Method": "POST"},
    )
    lower = {k.lower(): v for k, v in headers.items()}
    assert status == 200 and lower.get("access-control-allow-origin") == "http://localhost:8000"


def test_login_is_refused_after_five_failures_even_with_the_password(ui_url: str) -> None:
    assert _login(ui_url, "ana", PASSWORD)[0] == 200  # the password works
    codes = [_login(ui_url, "bob", "guess-%d" % i)[0] for i in range(5)]
    assert codes == [401] * 5
    status, _, body = _login(ui_url, "bob", PASSWORD)
    assert status == 429
    detail = json.loads(body)["detail"]
    assert "Too many failed logins" in detail and "try again in" in detail
