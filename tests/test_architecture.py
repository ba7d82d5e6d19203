"""The house's shape: no import cycles (module-level *or* inside functions), layers that only point down.

Imports are read from the source with ``ast`` (nothing is imported), so a cycle hidden behind a function-level
import is found as surely as one at the top of a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("mmm_core", "tools", "agent")

# mmm_core's domain packages, lowest first: a package may import only packages to its left (and the root
# leaves). Two packages of one rank do not import each other.
CORE_LAYERS: list[set[str]] = [
    {"root"},
    {"data", "synth", "engine"},
    {"spec"},
    {"ledger"},
    {"effects"},
    {"fit"},
    {"optimizer", "jobs"},
    {"answers"},
    {"report"},
]
LLM_LIBRARIES = ("langchain", "langchain_core", "langgraph", "chainlit", "openai", "anthropic", "ollama", "fastapi")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _all_modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            out[_module_name(path)] = path
    return out


MODULES = _all_modules()


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every imported module name in the file (top-level and inside functions), with its line."""
    tree = ast.parse(path.read_text(), filename=str(path))
    this = _module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            # `from pkg import sub` depends on the submodule when `sub` is one, else on `pkg` itself.
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((sub if sub in MODULES else base, node.lineno))
    return found


def _internal_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        deps = set()
        for target, _ in _imports(path):
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            # Python runs a package's __init__ before any submodule: that parent edge is implied, not a cycle.
            if target and target != name and not name.startswith(target + "."):
                deps.add(target)
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _core_package(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "root"
    return parts[1] if f"mmm_core.{parts[1]}" in MODULES and (ROOT / "mmm_core" / parts[1]).is_dir() else "root"


def _rank(package: str) -> int:
    return next(i for i, layer in enumerate(CORE_LAYERS) if package in layer)


def test_no_import_cycles_anywhere() -> None:
    assert _cycles(_internal_graph()) == []


def test_cycle_finder_finds_a_planted_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_every_core_package_has_a_layer() -> None:
    packages = {p.name for p in (ROOT / "mmm_core").iterdir() if (p / "__init__.py").exists()}
    placed = set().union(*CORE_LAYERS)
    assert packages <= placed, f"place {sorted(packages - placed)} in CORE_LAYERS"


def test_core_packages_import_only_downwards() -> None:
    wrong = []
    for name, deps in _internal_graph().items():
        if not name.startswith("mmm_core"):
            continue
        mine = _core_package(name)
        for dep in deps:
            if not dep.startswith("mmm_core"):
                continue
            theirs = _core_package(dep)
            if theirs != mine and _rank(theirs) >= _rank(mine):
                wrong.append(f"{name} ({mine}) imports {dep} ({theirs})")
    assert wrong == []


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("mmm_core", ("tools", "agent", *LLM_LIBRARIES)), ("tools", ("agent", "chainlit", "fastapi"))],
)
def test_layers_point_down(package: str, forbidden: tuple[str, ...]) -> None:
    wrong = []
    for name, path in MODULES.items():
        if name.split(".")[0] != package:
            continue
        for target, line in _imports(path):
            if target.split(".")[0] in forbidden:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert wrong == []


# --- imports at the top (the policy is in mmm_core/__init__.py) ---
LAZY_MARK = "# lazy:"


def _import_runs(func: ast.AST) -> list[list[ast.stmt]]:
    """Runs of consecutive import statements in every statement list inside ``func``."""
    runs: list[list[ast.stmt]] = []
    for node in ast.walk(func):
        for field in ("body", "orelse", "finalbody"):
            run: list[ast.stmt] = []
            stmts = getattr(node, field, None)
            for stmt in stmts if isinstance(stmts, list) else []:
                if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                    run.append(stmt)
                    continue
                if run:
                    runs.append(run)
                run = []
            if run:
                runs.append(run)
    return runs


def _unmarked_function_imports(source: str) -> list[tuple[int, str]]:
    lines = source.splitlines()
    found = set()
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for run in _import_runs(func):
            if not _run_marked(lines, run[0].lineno, run[-1].end_lineno or run[-1].lineno):
                found.update((node.lineno, lines[node.lineno - 1].strip()) for node in run)
    return sorted(found)


def _run_marked(lines: list[str], first: int, last: int) -> bool:
    above = first - 1
    while above >= 1 and lines[above - 1].strip().startswith("#"):
        above -= 1
    return any(LAZY_MARK in line for line in lines[above:last])


def test_core_imports_sit_at_the_top_unless_marked_lazy() -> None:
    unmarked = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for name, path in sorted(MODULES.items())
        if name.split(".")[0] == "mmm_core"
        for line, text in _unmarked_function_imports(path.read_text())
    ]
    assert unmarked == [], "move these to the top of the file, or mark them '# lazy: <reason>' (mmm_core/__init__.py)"


def test_lazy_import_check_finds_an_unmarked_one() -> None:
    source = (
        "import os\n\n\ndef f():\n    import json\n    x = 1\n    # lazy: JAX is slow; one reason for the group\n"
        "    import jax\n\n    from numpyro.infer import Predictive\n    y = 2\n    import yaml  # lazy: optional\n"
        "    from pathlib import Path\n    z = 3\n    import numpy\n\n    async def g():\n        if x:\n"
        "            from pathlib import Path\n"
    )
    assert _unmarked_function_imports(source) == [
        (5, "import json"),
        (15, "import numpy"),
        (19, "from pathlib import Path"),
    ]
