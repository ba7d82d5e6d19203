"""The examples in docstrings run: every module of mmm_core, tools and agent that has a ``>>>`` line.

Only those modules are imported (``pytest --doctest-modules`` would import every module, and importing the
Chainlit app, agent/ui/app.py, starts Chainlit's config machinery in the current folder).
"""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("mmm_core", "tools", "agent")
# Importing it registers Chainlit handlers and writes Chainlit's files into the working folder.
UNSAFE_TO_IMPORT = {"agent.ui.app"}
EXAMPLE = re.compile(r"^\s*>>> ", re.MULTILINE)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_with_examples() -> list[str]:
    found = []
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if EXAMPLE.search(path.read_text(encoding="utf-8")):
                found.append(_module_name(path))
    return found


MODULES = modules_with_examples()


def test_the_examples_are_found() -> None:
    # The four modules with examples today; a module losing them all would silently shrink this suite.
    assert {
        "mmm_core.effects.intervals",
        "mmm_core.spec.schema",
        "mmm_core.engine.transforms",
        "mmm_core.synth.transforms",
    } <= set(MODULES)
    assert not UNSAFE_TO_IMPORT & set(MODULES), "move the example out of the Chainlit app module"


@pytest.mark.parametrize("name", [m for m in MODULES if m not in UNSAFE_TO_IMPORT])
def test_docstring_examples_pass(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has a '>>>' line that doctest does not run (not in a docstring?)"
    assert result.failed == 0, f"{result.failed} docstring example(s) in {name} failed (see captured stdout)"
