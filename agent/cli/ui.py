"""`mmm-agent ui [--port P] [--host H]`: the Chainlit chat UI, headless, on localhost by default.

The app root (Chainlit's config, translations and uploaded files) is ``$CHAINLIT_APP_ROOT`` when set, else
``<store dir>/ui``; the committed config is copied there, so the command works from any directory and never
writes into the repository. With ``MMM_AGENT_PASSWORD`` set, the UI asks for a login (any user name, that
password); Chainlit then needs ``CHAINLIT_AUTH_SECRET``, which is derived from the password when not given.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from agent.cli.main import add_command

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, common, "ui", "Start the chat UI (Chainlit) on localhost.", "mmm-agent ui --port 8000", _ui)
    p.epilog += (
        "\n\nEnvironment:\n  MMM_AGENT_STORE       store file (or --store)\n"
        "  MMM_AGENT_MODEL       chat model offered in the settings (default offline)\n"
        "  MMM_AGENT_PASSWORD    require a login: any user name, this password; each user name has\n"
        "                        its own chat history\n"
        "  CHAINLIT_AUTH_SECRET  signs login tokens; derived from the password when unset (set your own\n"
        "                        to rotate logins without changing the password)\n"
        "  CHAINLIT_APP_ROOT     Chainlit's folder (config, uploads); default <store dir>/ui"
    )
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default 127.0.0.1; anything else exposes the UI to the network)",
    )


def ui_environment(store_arg: str | None, environ: dict[str, str]) -> dict[str, str]:
    """The environment the Chainlit process runs in: store, app root and (with a password) the auth secret."""
    # CLI convention (mmm_core/__init__.py): `--help` imports this module; these cost ~15 ms and ~0.5 s
    from agent.ui.data import SECRET_ENV, auth_secret, prepare_app_root
    from mmm_core.store import resolve_store_path

    env = dict(environ)
    store = resolve_store_path(store_arg or env.get("MMM_AGENT_STORE")).absolute()
    env["MMM_AGENT_STORE"] = str(store)
    root = Path(env.get("CHAINLIT_APP_ROOT") or store.parent / "ui").resolve()
    root.mkdir(parents=True, exist_ok=True)
    env["CHAINLIT_APP_ROOT"] = str(prepare_app_root(root))
    secret = auth_secret(env)
    if secret:
        env[SECRET_ENV] = secret
    return env


def _ui(args: argparse.Namespace) -> dict[str, Any]:
    env = ui_environment(getattr(args, "store", None), dict(os.environ))
    Path(env["MMM_AGENT_STORE"]).parent.mkdir(parents=True, exist_ok=True)
    if args.host not in LOCAL_HOSTS:
        print(
            f"warning: binding to {args.host} exposes the UI beyond this machine"
            + ("" if env.get("MMM_AGENT_PASSWORD") else " without a password (set MMM_AGENT_PASSWORD)"),
            file=sys.stderr,
        )
    app = str(Path(__file__).resolve().parents[1] / "ui" / "entry" / "chainlit_app.py")  # why: its docstring
    print(f"mmm-agent UI on http://{args.host}:{args.port} (store {env['MMM_AGENT_STORE']})", file=sys.stderr)
    sys.stderr.flush()
    # exec: the server becomes this process, so Ctrl-C and `kill PID` reach it directly.
    os.execve(
        sys.executable,
        [sys.executable, "-m", "chainlit", "run", app, "--headless", "--host", args.host, "--port", str(args.port)],
        env,
    )
    return {}  # not reached
