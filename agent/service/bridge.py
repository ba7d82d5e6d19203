"""The CLI contract over HTTP, one definition: a route turns its request into the command line it stands for and
runs that command's handler, so the API returns exactly the JSON object ``mmm-agent COMMAND --json`` prints (same
fields, same refusals). Only what a command line cannot carry (an uploaded file, a spec in the body) is handled
by the route itself."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.cli.main import UsageError, build_parser
from agent.service.guards import RequestRefused
from mmm_core.spec import ModelSpec


@functools.cache
def _parser():
    return build_parser()


def run_command(store_path: Path, argv: Sequence[str]) -> dict[str, Any]:
    """``mmm-agent --store STORE ARGV --json`` in this process; returns the command's JSON object."""
    try:
        args = _parser().parse_args(["--store", str(store_path), *argv])
    except UsageError as exc:
        raise RequestRefused(exc.message, f"The command behind this route: `{exc.usage.strip()}`") from None
    return args.handler(args)


def options(**values: Any) -> list[str]:
    """``--name value`` pairs for the given options (underscores become dashes); None and False are left out,
    True is a bare flag, a list repeats the option."""
    out: list[str] = []
    for name, value in values.items():
        flag = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            out.append(flag)
        elif isinstance(value, list):
            for item in value:
                out += [flag, str(item)]
        else:
            out += [flag, str(value)]
    return out


def with_spec_file(store_path: Path, spec: ModelSpec, argv_before: Sequence[str], argv_after: Sequence[str]):
    """Run a command that takes a spec FILE (``spec lock``, ``spec amend``) on the spec sent in the body."""
    with tempfile.TemporaryDirectory(prefix="mmm-api-spec-") as folder:
        path = Path(folder) / "spec.yaml"
        path.write_text(spec.to_yaml(), encoding="utf-8")
        return run_command(store_path, [*argv_before, str(path), *argv_after])
