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
    p.add_argument("--fit", default=None, help="fit id to answer from (default: latest succeeded fit)")
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


def _fit_for(args: argparse.Namespace, store: Any) -> str | None:
    if args.fit:
        return args.fit
    from mmm_core.fit.job import latest_fit

    return latest_fit(store)


def _ask(args: argparse.Namespace) -> dict[str, Any]:
    session = _session(args)
    fit = args.fit or (None if session.state().get("fit_id") else _fit_for(args, session.store))
    record = session.ask(args.text, approve=args.approve, fit_id=fit)
    if record.get("pending_approval") and not args.approve:
        record["hint"] = f"Re-run with --approve --session {session.session_id} to allow it."
    return record


def _render(record: dict[str, Any]) -> str:
    lines = [record["answer"]]
    if record.get("hint"):
        lines.append(f"({record['hint']})")
    lines.append(f"[session {record['session']}{'' if record['grounded'] else ' · NOT grounded'}]")
    return "\n".join(lines)


def _chat(args: argparse.Namespace) -> dict[str, Any]:
    session = _session(args)
    fit = _fit_for(args, session.store)
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
