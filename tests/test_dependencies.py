"""Dependencies stated honestly: every third-party import is declared, every declared dependency is used, and
``constraints.txt`` pins the whole installed tree at the versions pyproject pins.

Imports are read with ``ast`` (nothing is imported) and mapped to distributions through the installed files'
RECORDs, so ``langgraph.checkpoint.sqlite`` counts for langgraph-checkpoint-sqlite, not for langgraph.
"""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import sys
import sysconfig
import tomllib
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
FIRST_PARTY = {"mmm_core", "tools", "agent", "prompts"}
# Runtime dependencies no module imports by name, each with the place that needs it.
NAMED_AT_RUN_TIME = {
    "h5netcdf": "the NetCDF engine fit/artifacts.py names for posterior.nc (xarray loads it by name)",
    "h5py": "h5netcdf's HDF5 backend (h5netcdf declares it only as an extra)",
    "sqlalchemy": "Chainlit's SQLAlchemyDataLayer (agent/ui/app.py; [asyncio] brings greenlet); chainlit lacks it",
}
# Dev tools run as programs or pytest plugins, not imported.
DEV_TOOLS = {"pytest-timeout", "pytest-randomly", "pytest-xdist", "ruff", "nutpie"}  # nutpie: pymc loads it by name


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirements: list[str]) -> dict[str, str]:
    out = {}
    for req in requirements:
        name, _, version = req.partition("==")
        assert version, f"{req}: pin the direct dependency with =="
        out[norm(re.sub(r"\[.*\]", "", name))] = version
    return out


RUNTIME = pinned(PYPROJECT["project"]["dependencies"])
EXTRAS = {extra: pinned(reqs) for extra, reqs in PYPROJECT["project"]["optional-dependencies"].items()}


def imports(folders: tuple[str, ...]) -> set[str]:
    """Dotted names of every absolute third-party import in the folders' modules (top level and in functions)."""
    local = {p.stem for f in folders for p in (ROOT / f).rglob("*.py")}
    found = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Import):
                    found |= {a.name for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module)
    top = {n.split(".")[0] for n in found}
    return {n for n in found if n.split(".")[0] in top - set(sys.stdlib_module_names) - FIRST_PARTY - local}


def installed_distributions() -> list[md.Distribution]:
    """The distributions installed in this environment's site-packages. Not ``md.distributions()`` over sys.path:
    once something imports setuptools, its ``_vendor`` folder (with e.g. tomli 2.4.0) joins sys.path, and the
    verdict would depend on which test ran first."""
    folders = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return list(md.distributions(path=sorted(folders)))


@lru_cache(maxsize=1)
def module_owners() -> dict[str, str]:
    """Installed module path (``a/b/c``) → the distribution whose RECORD lists it."""
    owners = {}
    for dist in installed_distributions():
        for file in dist.files or ():
            parts = file.parts
            if file.suffix == ".py" and parts[0] not in ("..", "bin"):
                key = "/".join(parts[:-1] if parts[-1] == "__init__.py" else [*parts[:-1], file.stem])
                owners.setdefault(key, norm(dist.metadata["Name"]))
    return owners


def distribution_of(module: str) -> str:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):  # the deepest installed package that holds the module
        owner = module_owners().get("/".join(parts[:n]))
        if owner:
            return owner
    raise AssertionError(f"{module} is imported but no installed distribution provides it")


def test_every_runtime_import_is_a_declared_dependency() -> None:
    needed = {m: distribution_of(m) for m in imports(("mmm_core", "tools", "agent"))}
    optional = set(EXTRAS["pymc"]) | set(EXTRAS["fleet"])  # second engine, Ray: imported lazily where used
    assert {m: d for m, d in needed.items() if d not in RUNTIME and d not in optional} == {}


def test_every_declared_dependency_is_used() -> None:
    used = {distribution_of(m) for m in imports(("mmm_core", "tools", "agent"))}
    assert set(RUNTIME) - used - set(NAMED_AT_RUN_TIME) == set()
    assert set(NAMED_AT_RUN_TIME) <= set(RUNTIME)
    assert set(EXTRAS["pymc"]) <= used


def test_tests_and_benchmarks_import_only_declared_packages() -> None:
    declared = set(RUNTIME) | set(EXTRAS["dev"])
    needed = {m: distribution_of(m) for m in imports(("tests", "bench"))}
    assert {m: d for m, d in needed.items() if d not in declared} == {}
    used = set(needed.values()) | {distribution_of(m) for m in imports(("mmm_core", "tools", "agent"))}
    assert set(EXTRAS["dev"]) - used - DEV_TOOLS == set()


def dependency_tree() -> set[str]:
    """mmm-agent[dev,pymc] and everything it requires, transitively, as far as it is installed here."""
    seen, todo = set(), ["mmm-agent"]
    while todo:
        name = todo.pop()
        try:
            requires = md.requires(name) or []
        except md.PackageNotFoundError:  # a requirement whose marker excludes this platform
            continue
        seen.add(name)
        for req in requires:
            if name != "mmm-agent" and "extra ==" in req:  # another package's optional extras are not installed
                continue
            dep = norm(re.match(r"[A-Za-z0-9._-]+", req).group())
            if dep not in seen:
                todo.append(dep)
    return seen - {"mmm-agent"}


def test_constraints_pin_the_whole_tree_at_the_pyproject_versions() -> None:
    lines = [x.strip() for x in (ROOT / "constraints.txt").read_text().splitlines()]
    pins = {norm(k): v for k, v in (x.split("==", 1) for x in lines if x and not x.startswith("#"))}
    for name, version in {**RUNTIME, **EXTRAS["dev"], **EXTRAS["pymc"]}.items():
        assert pins.get(name) == version, f"{name}: pyproject {version}, constraints.txt {pins.get(name)}"
    # Every package of the tree is pinned at the version installed here (the dev venv is built from the pins).
    installed = {norm(d.metadata["Name"]): d.version for d in installed_distributions()}
    tree = dependency_tree()
    assert len(tree) > 100
    assert {name: installed[name] for name in tree if pins.get(name) != installed[name]} == {}
