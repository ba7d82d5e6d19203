"""What a non-editable install gets: the built wheel carries every prompt, template and UI asset, and the code in
it finds them (importlib.resources) and renders a report with no repository in sight.

The wheel is built from a copy of the working tree (``pip wheel --no-deps --no-build-isolation --no-index``,
~2 s). "Installing" a pure-Python wheel is unpacking it, so the render check unpacks it and runs Python with
``-S`` (no site: the dev venv's editable-install hook is not loaded) and only the unpacked wheel plus the dev
venv's site-packages on the path. The clean-venv install of the runtime dependencies is ``make demo-runtime``
(run by ``.ci/run``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "mmm_core", "tools", "agent", "prompts")
UI_ASSETS = {"agent/ui/assets/config.toml", "agent/ui/assets/theme.json", "agent/ui/assets/chainlit.md"}


def _files(folder: Path) -> set[str]:
    return {
        p.relative_to(ROOT).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src, dist = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("dist")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q"]
    subprocess.run([*cmd, str(src), "-w", str(dist)], check=True, capture_output=True, timeout=120)
    (built,) = dist.glob("mmm_agent-*.whl")
    return built


def test_wheel_ships_every_prompt_and_ui_asset(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    prompts = _files(ROOT / "prompts")
    assert len([p for p in prompts if not p.endswith(".py")]) >= 60  # system.md, help, answers/, report/**
    assert prompts - names == set()
    assert UI_ASSETS - names == set()
    code = set().union(*(_files(ROOT / pkg) for pkg in ("mmm_core", "tools", "agent")))
    assert {p for p in code if p.endswith(".py")} - names == set()  # no package dropped (each has __init__.py)
    assert not {n for n in names if n.split("/")[0] in ("tests", "bench", "data")}


RENDER = """
import json, sys
from pathlib import Path
site, store, fit_id = sys.argv[1:4]
import agent, mmm_core, prompts
assert all(m.__file__.startswith(site) for m in (agent, mmm_core, prompts)), "not the wheel's code"
from mmm_core.prompts_loader import prompt_resource
from mmm_core.report.render import environment
from agent.models.answers import env as answers_env, render
from agent.graph import system_prompt
from agent.report_prose import rewrite_prompt
from agent.ui.data import prepare_app_root

def templates(folder):
    node = prompt_resource(folder)
    for child in node.iterdir():
        if child.is_dir():
            yield from (f"{child.name}/{t}" for t in templates(f"{folder}/{child.name}".strip("/")))
        elif child.name.endswith(".j2"):
            yield child.name

report_templates = sorted(templates("report"))
for name in report_templates:
    environment().get_template(name)
answer_templates = sorted(templates("answers"))
for name in answer_templates:
    answers_env().get_template("answers/" + name)
from mmm_core.report import build_report
from mmm_core.store import Store
out = build_report(Store(store), fit_id, Path("report.html"), allow_unhealthy=True)
prepare_app_root(Path("ui"))
print(json.dumps({
    "report_templates": len(report_templates), "answer_templates": len(answer_templates),
    "system_prompt": len(system_prompt()), "help": len(render("help.md.j2", tools=["roi"], missing=[])),
    "rewrite": len(rewrite_prompt("roi", "Search returned 1.76.")), "grounded": out["grounded"],
    "report_bytes": Path(out["path"]).stat().st_size,
    "ui": sorted(str(p) for p in Path("ui").rglob("*") if p.is_file()),
}))
"""


def test_the_installed_wheel_renders_a_report_outside_the_repo(wheel: Path, demo_fit: dict, tmp_path: Path) -> None:
    site, work = tmp_path / "site", tmp_path / "work"
    zipfile.ZipFile(wheel).extractall(site)
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(site), sysconfig.get_paths()["purelib"]])
    args = [str(site), str(demo_fit["store"].path), demo_fit["fit_id"]]
    proc = subprocess.run(
        [sys.executable, "-S", "-c", RENDER, *args], cwd=work, env=env, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    shipped = [p for p in _files(ROOT / "prompts") if p.endswith(".j2")]
    assert got["report_templates"] == sum(p.startswith("prompts/report/") for p in shipped)
    assert got["answer_templates"] == sum(p.startswith("prompts/answers/") for p in shipped)
    assert got["system_prompt"] > 500 and got["help"] > 0 and got["rewrite"] > 0
    assert got["grounded"] is True and got["report_bytes"] > 10_000
    assert got["ui"] == ["ui/.chainlit/config.toml", "ui/chainlit.md", "ui/public/theme.json"]
