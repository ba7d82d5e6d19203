"""Where the UI keeps its files: the Chainlit app root (config copied from the repo), the chat-history database
(SQLite through Chainlit's ``SQLAlchemyDataLayer``) and the auth secret.

Chainlit writes translations and uploads (``.files/``) into its app root on every start, so the app root lives
next to the store, not in the repository: the committed config, theme and welcome page (``agent/ui/assets``,
package data, so a wheel install has them too) are copied there as ``.chainlit/config.toml``,
``public/theme.json`` and ``chainlit.md``.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

ASSETS = "agent.ui.assets"
# Where each shipped asset goes in the app root (Chainlit's fixed names there).
APP_FILES = {".chainlit/config.toml": "config.toml", "public/theme.json": "theme.json", "chainlit.md": "chainlit.md"}
PASSWORD_ENV = "MMM_AGENT_PASSWORD"
SECRET_ENV = "CHAINLIT_AUTH_SECRET"
HISTORY_FILE = "ui_history.sqlite"

# The documented SQLAlchemyDataLayer schema, in SQLite types, plus the columns Chainlit 2.12 writes that the
# documentation lacks (steps."autoCollapse", "modes", "icon"): without them every step insert fails silently.
SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    "id" TEXT PRIMARY KEY, "identifier" TEXT NOT NULL UNIQUE, "metadata" TEXT NOT NULL, "createdAt" TEXT);
CREATE TABLE IF NOT EXISTS threads (
    "id" TEXT PRIMARY KEY, "createdAt" TEXT, "name" TEXT, "userId" TEXT, "userIdentifier" TEXT, "tags" TEXT,
    "metadata" TEXT, FOREIGN KEY ("userId") REFERENCES users("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS steps (
    "id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, "type" TEXT NOT NULL, "threadId" TEXT NOT NULL,
    "parentId" TEXT, "streaming" BOOLEAN NOT NULL, "waitForAnswer" BOOLEAN, "isError" BOOLEAN,
    "metadata" TEXT, "tags" TEXT, "input" TEXT, "output" TEXT, "createdAt" TEXT, "command" TEXT,
    "start" TEXT, "end" TEXT, "generation" TEXT, "showInput" TEXT, "language" TEXT, "indent" INT,
    "defaultOpen" BOOLEAN, "autoCollapse" BOOLEAN, "modes" TEXT, "icon" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS elements (
    "id" TEXT PRIMARY KEY, "threadId" TEXT, "type" TEXT, "url" TEXT, "chainlitKey" TEXT, "name" TEXT NOT NULL,
    "display" TEXT, "objectKey" TEXT, "size" TEXT, "page" INT, "language" TEXT, "forId" TEXT, "mime" TEXT,
    "props" TEXT, "autoPlay" BOOLEAN, "playerConfig" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS feedbacks (
    "id" TEXT PRIMARY KEY, "forId" TEXT NOT NULL, "threadId" TEXT NOT NULL, "value" INT NOT NULL,
    "comment" TEXT, FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
"""


def ensure_schema(path: Path) -> Path:
    """Create the chat-history tables in the SQLite file ``path`` (idempotent); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.executescript(SCHEMA)
    return path


def history_url(path: Path) -> str:
    """The SQLAlchemy URL of the history file (async driver, as Chainlit's data layer needs)."""
    return f"sqlite+aiosqlite:///{path}"


def app_asset(name: str) -> Traversable:
    """One of the shipped Chainlit files (``config.toml``, ``theme.json``, ``chainlit.md``)."""
    return files(ASSETS).joinpath(name)


ANY_ORIGIN = re.compile(r'^allow_origins\s*=\s*\[\s*"\*"\s*\]\s*$', re.MULTILINE)


def prepare_app_root(root: Path) -> Path:
    """Copy the shipped Chainlit config into ``root`` (kept when already there: a user may edit it), except that
    an older copy's ``allow_origins = ["*"]`` is replaced: any origin with credentials is never safe."""
    for rel, name in APP_FILES.items():
        dst = root / rel
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(app_asset(name).read_bytes())
    config = root / ".chainlit" / "config.toml"
    text = config.read_text(encoding="utf-8")
    if ANY_ORIGIN.search(text):
        safe = next(ln for ln in app_asset("config.toml").read_text().splitlines() if ln.startswith("allow_origins"))
        config.write_text(ANY_ORIGIN.sub(safe, text), encoding="utf-8")
    return root


def auth_secret(environ: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """The JWT secret Chainlit needs when a password is set: ``$CHAINLIT_AUTH_SECRET``, else one derived from
    the password (stable across restarts, so logins survive them; set your own secret to rotate sessions)."""
    if environ.get(SECRET_ENV):
        return environ[SECRET_ENV]
    password = environ.get(PASSWORD_ENV)
    if not password:
        return None
    return hashlib.sha256(f"mmm-agent-ui:{password}".encode()).hexdigest()


_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>", re.IGNORECASE | re.DOTALL)


def offline_html(html: str) -> str:
    """Chainlit's index page without links to other hosts: its ``index.html`` preconnects to Google Fonts and
    loads a KaTeX stylesheet from jsDelivr (``theme.json`` removes only the font stylesheet). Meta tags that
    merely name a URL (og:image) cause no request and stay."""
    return _EXTERNAL_LINK.sub("", html)


def install_offline_html() -> None:
    """Serve ``offline_html`` of the page Chainlit renders (it calls ``server.get_html_template`` per request)."""
    from chainlit import server

    original = server.get_html_template
    if getattr(original, "_mmm_offline", False):
        return

    def template(root_path: str) -> str:
        return offline_html(original(root_path))

    template._mmm_offline = True  # type: ignore[attr-defined]
    server.get_html_template = template
