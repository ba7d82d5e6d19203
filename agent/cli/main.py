"""Entry point of `mmm-agent`: global options, command registry, and the JSON/error contract.

Each command module exposes ``register(subparsers, common)`` and sets ``handler=`` (returns a JSON-able dict)
and optionally ``render=`` (dict -> human text) on its parser. Heavy libraries are imported inside handlers so
that `mmm-agent --help` and light commands start fast.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from mmm_core.engine.setup import setup as setup_engine  # light: sets the environment, imports no JAX
from mmm_core.errors import MMMError

COMMAND_MODULES = (
    "agent.cli.data",
    "agent.cli.specs",
    "agent.cli.fitting",
    "agent.cli.demo",
    "agent.cli.planning",
    "agent.cli.ask",
    "agent.cli.ui",
    "agent.cli.report",
    "agent.cli.mediation",
    "agent.cli.controls",
    "agent.cli.outcomes",
    "agent.cli.long_term",
    "agent.cli.verify",
    "agent.cli.experiments",
    "agent.cli.jobs",
    "agent.cli.serve",
    "agent.cli.fleet",
)

# Commands that only read the store or write a record: short, never sampling, never waiting on another process.
# Each runs with the store pinned (``Store.pinned``): their ~5-15 store operations join one DuckDB instance instead
# of creating one each (~30 ms apiece). Fits, the demo, workers, servers and chat (which pins each tool call
# itself and waits on the user) are not pinned: another process must be able to use the store meanwhile.
PINNED_COMMANDS = frozenset(
    {
        "roi", "compare", "contributions", "mediation", "optimize", "scenario", "report", "health", "controls",
        "cross-effects", "outcome-effects", "long-term", "experiments", "describe", "datasets", "query", "ledger",
        "show", "verify", "init", "lock", "amend",
    }
)  # fmt: skip

EXIT_USER_ERROR = 2
EXIT_INTERNAL = 1


class UsageError(Exception):
    """A command line argparse cannot parse; ``main`` reports it in the ``--json`` contract (exit 2)."""

    def __init__(self, prog: str, message: str, usage: str) -> None:
        super().__init__(message)
        self.prog, self.message, self.usage = prog, message, usage


class Parser(argparse.ArgumentParser):
    """argparse prints usage and exits on a bad command line; here it raises instead, so that a script asking for
    ``--json`` still gets exactly one JSON error object (sub-command parsers inherit this class)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self.prog, message, self.format_usage())


def _common_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print exactly one JSON object on stdout"
    )
    common.add_argument(
        "--store", default=argparse.SUPPRESS, help="store file (default ./mmm_store/mmm.duckdb or $MMM_AGENT_STORE)"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_parser()
    parser = Parser(
        prog="mmm-agent",
        description="A conversational analyst for Bayesian Marketing Mix Modeling.",
        epilog="Example: mmm-agent demo   |   mmm-agent --store s.duckdb ingest data/demo_national.csv --json",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real import error inside an existing module must surface
                raise
            continue
        module.register(sub, common)
    return parser


def add_answer_options(parser: argparse.ArgumentParser) -> None:
    """The options every answer about a fit takes: interval mass and method, and the unhealthy-fit override."""
    parser.add_argument("--interval", type=float, help="interval mass (default: the spec's, usually 0.9)")
    parser.add_argument("--method", choices=["equal_tailed", "hdi"], help="interval method (default: the spec's)")
    parser.add_argument("--allow-unhealthy", action="store_true", help="answer even if the health review failed")


def add_command(
    sub: Any,
    common: argparse.ArgumentParser,
    name: str,
    help_text: str,
    example: str,
    handler: Callable[[argparse.Namespace], dict[str, Any]],
    render: Callable[[dict[str, Any]], str] | None = None,
) -> argparse.ArgumentParser:
    """Register one sub-command with the shared options and an example in its --help."""
    parser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        parents=[common],
        epilog=f"Example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=_pinned(handler) if name in PINNED_COMMANDS else handler, render=render)
    return parser


def _pinned(handler: Callable[[argparse.Namespace], dict[str, Any]]) -> Callable[[argparse.Namespace], dict[str, Any]]:
    """``handler`` run with its store pinned open (see ``PINNED_COMMANDS``)."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> dict[str, Any]:
        with open_store(args).pinned():
            return handler(args)

    return run


def add_force_option(parser: argparse.ArgumentParser) -> None:
    """``--force`` for commands that write files: replace an existing output (never the store or its folder)."""
    parser.add_argument(
        "--force", action="store_true", help="replace an existing output file (the store and its folder never)"
    )


def checked_output(args: argparse.Namespace, path: str | None) -> Any:
    """``path`` resolved after :func:`mmm_core.outputs.check_output_path` against this command's store (None stays
    None): refused when it is the store, inside the store's folder, or an existing file without ``--force``."""
    from mmm_core.outputs import check_output_path
    from mmm_core.store import resolve_store_path

    if path is None:
        return None
    store_path = resolve_store_path(getattr(args, "store", None)).expanduser().absolute()
    return check_output_path(path, store_path, force=getattr(args, "force", False))


def open_store(args: argparse.Namespace):  # -> mmm_core.store.Store, imported lazily
    from mmm_core.store import Store

    return Store(getattr(args, "store", None))


def _emit_error(args: argparse.Namespace, code: str, message: str, hint: str) -> None:
    if getattr(args, "json", False):
        print(json.dumps({"error": {"code": code, "message": message, "hint": hint}}))
    print(f"error [{code}]: {message}", file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(exc.usage.rstrip(), file=sys.stderr)
        _emit_error(
            argparse.Namespace(json="--json" in argv),
            "usage",
            f"{exc.prog}: {exc.message}",
            f"See `{exc.prog} --help` for the options it takes.",
        )
        return EXIT_USER_ERROR
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        setup_engine()  # before any command: JAX reads its device count once, when it starts
        payload = args.handler(args)
    except MMMError as exc:
        _emit_error(args, exc.code, exc.message, exc.hint)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        _emit_error(args, "interrupted", "Interrupted by the user.", "Run the command again.")
        return 130
    except Exception as exc:  # an unexpected failure is still reported in the contract's shape
        full = _disk_full(args, exc)
        if full is not None:  # any command can meet a full disk: the user's to fix, not a bug to report
            _emit_error(args, full.code, full.message, full.hint)
            return EXIT_USER_ERROR
        traceback.print_exc(file=sys.stderr)
        _emit_error(
            args,
            "internal",
            f"{type(exc).__name__}: {exc}",
            "This is a bug in mmm-agent; please report it with the command you ran.",
        )
        return EXIT_INTERNAL
    if getattr(args, "json", False):
        print(json.dumps(payload, default=str))
    else:
        render = args.render or _default_render
        print(render(payload))
    return getattr(args, "exit_code", 0)  # a command that worked but found a problem (verify) says so here


def _disk_full(args: argparse.Namespace, exc: BaseException) -> MMMError | None:
    from mmm_core.outputs import disk_full_error
    from mmm_core.store import resolve_store_path

    where = resolve_store_path(getattr(args, "store", None)).expanduser().absolute()
    return disk_full_error(exc, f"`mmm-agent {args.command}`", where, "Transactions in the store were rolled back.")


def _default_render(payload: dict[str, Any]) -> str:
    return json.dumps(payload, indent=2, default=str)


if __name__ == "__main__":
    sys.exit(main())
