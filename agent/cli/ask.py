"""`mmm-agent ask "TEXT"` (one chat turn) and `mmm-agent chat` (terminal REPL asking y/n at approvals)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from agent.cli.main import add_command, open_store


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        common,
        "ask",
        "One chat turn with the analyst (offline model unless $MMM_AGENT_MODEL).",
        'mmm-agent ask "What is the ROI of Search?" --session s1 --json',
        _ask,
        _render,
    )
    p.add_argument("text", help="the question or request")
    p.add_argument("--session", default=None, help="session id (a new one is created when omitted)")
    p.add_argument(
        "--fit", default=None, help="fit id to answer from (default: the newest pre-registered full fit; see README)"
    )
    p.add_argument(
        "--approve", action="store_true", help="approve lock/amend/fit requested in this turn (declined otherwise)"
    )
    p.add_argument("--model", default=None, help="chat model, e.g. openai:gpt-4o (default $MMM_AGENT_MODEL or offline)")
    c = add_command(
        sub,
        common,
        "chat",
        "Terminal chat with the analyst; asks y/n before lock and fit.",
        "mmm-agent chat --session s1",
        _chat,
    )
    c.add_argument("--session", default=None, help="session id to continue")
    c.add_argument("--fit", default=None, help="fit id to answer from")
    c.add_argument("--model", default=None, help="chat model (default $MMM_AGENT_MODEL or offline)")


def _session(args: argparse.Namespace):
    from agent.session import Session

    return Session(open_store(args), session_id=args.session, model=args.model)


def _fit_for(args: argparse.Namespace, store: Any, session_fit: str | None = None):  # -> FitChoice | None
    """The fit that answers: ``--fit``, else the session's own fit, else the store's default fit (the rule in
    ``mmm_core.ledger.default_fit``: the newest pre-registered full fit, or a stated fallback)."""
    from mmm_core.errors import NotFoundError
    from mmm_core.ledger.default_fit import default_fit, named_fit

    if args.fit:
        return named_fit(store, args.fit)
    if session_fit:
        try:
            return named_fit(store, session_fit, source="session")
        except NotFoundError:  # a session continued on another store: its fit is not here
            pass
    return default_fit(store)


def _ask(args: argparse.Namespace) -> dict[str, Any]:
    session = _session(args)
    session_fit = session.state().get("fit_id")
    choice = _fit_for(args, session.store, session_fit)
    # A new session (or --fit) is told its fit; a continuing session keeps the one it has.
    record = session.ask(args.text, approve=args.approve, fit_id=args.fit or (None if session_fit else _id(choice)))
    if record.get("pending_approval") and not args.approve:
        record["hint"] = f"Re-run with --approve --session {session.session_id} to allow it."
    after = session.state().get("fit_id")
    if after and (choice is None or after != choice.fit_id):  # this turn fitted or switched: that fit answered
        choice = _fit_for(argparse.Namespace(fit=None), session.store, after)
    if choice is not None:
        record["fit"] = choice.to_dict()
    record["fit_read"] = _reads_a_fit(session.store, record)
    return record


def _reads_a_fit(store: Any, record: dict[str, Any]) -> bool:
    """Whether this turn's answer came from a fit: a tool that reads one (it takes ``fit_id``) or a fit run. A
    data question, the ledger or a setup step is answered without one, and must not be labelled as if it were."""
    from tools import build_tools  # lazy: the tool set is built only after a turn, never at start-up

    reads = {t.name for t in build_tools(store) if "fit_id" in (t.args or {})} | {"fit_model"}
    return any(c["name"] in reads for c in record.get("tool_calls") or [])


def _id(choice: Any) -> str | None:
    return choice.fit_id if choice is not None else None


def _render(record: dict[str, Any]) -> str:
    lines = [record["answer"]]
    if record.get("hint"):
        lines.append(f"({record['hint']})")
    fit = record.get("fit")
    if fit and record.get("fit_read", True):
        lines.append(f"[answered from {fit['description']}]" + (f" {fit['reason']}" if fit.get("reason") else ""))
    elif fit:  # say which fit results would come from, without claiming it answered this turn
        lines.append(f"[answered without reading a fit; results come from {fit['description']}]")
    lines.append(f"[session {record['session']}{'' if record['grounded'] else ' · NOT grounded'}]")
    return "\n".join(lines)


def _chat(args: argparse.Namespace) -> dict[str, Any]:
    session = _session(args)
    choice = _fit_for(args, session.store, session.state().get("fit_id"))
    fit = _id(choice)
    if choice is not None:
        print(f"Answering from {choice.describe()}." + (f" {choice.reason}" if choice.reason else ""), file=sys.stderr)
    print(f"mmm-agent chat — session {session.session_id}. Type 'help', or 'quit' to leave.", file=sys.stderr)

    def approve(action: dict[str, Any]) -> bool:
        print(action.get("description") or action["name"], file=sys.stderr)
        return input("Approve? [y/N] ").strip().casefold() in ("y", "yes")

    turns = 0
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            break
        if text.casefold() in ("quit", "exit", "q"):
            break
        if not text:
            continue
        record = session.ask(text, approve=approve, fit_id=fit if turns == 0 else None)
        turns += 1
        print(record["answer"] + ("" if record["grounded"] else "\n(warning: not grounded)"))
    return {"session": session.session_id, "turns": turns}
