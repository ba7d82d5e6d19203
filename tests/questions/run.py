"""Run corpus questions through the real agent graph on a fitted store and judge each answer against its expected
behaviour: the tool calls made (and their arguments) and the answer text — not just "an answer was produced".

Used by ``tests/test_question_corpus.py`` (pytest, one fitted store per session) and ``bench/questions.py``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "data" / "demo_mediated.csv"
# Calls the offline model makes to learn context (channel names, the current spec) before acting.
CONTEXT = {"describe_dataset", "show_spec"}
APPROVAL = {"lock_spec", "amend_spec", "fit_model"}
# Tools whose answers report numbers about channels or periods (wrong-entity / wrong-period candidates).
DATA_TOOLS = {"roi", "compare_channels", "contributions", "spend_by", "kpi_by", "scenario", "response_curve"}


@dataclass
class Outcome:
    item: dict[str, Any]
    answer: str
    calls: list[dict[str, Any]]
    errors: list[str]
    failures: list[str] = field(default_factory=list)
    wrong_entity: bool = False
    wrong_period: bool = False

    @property
    def ok(self) -> bool:
        return not self.failures


def fitted_store(tmp: Path) -> dict[str, Any]:
    """The corpus dataset ingested, its default spec locked and quick-fitted (about 10 s)."""
    from mmm_core import ledger
    from mmm_core.data.ingest import ingest
    from mmm_core.fit.job import run_fit
    from mmm_core.spec import init_spec
    from mmm_core.store import Store

    store = Store(tmp / "mmm.duckdb")
    ds = ingest(store, DATA, name="demo_mediated")
    locked = ledger.lock(store, init_spec(store, ds.dataset_id), "question corpus: default spec")
    fit = run_fit(store, locked.spec_id, quick=True, seed=0)
    return {"store": store, "dataset_id": ds.dataset_id, "spec_id": locked.spec_id, "fit_id": fit["fit_id"]}


class Runner:
    """One graph on the fitted store; every question in its own fresh conversation."""

    def __init__(self, fx: dict[str, Any]) -> None:
        from langgraph.checkpoint.memory import InMemorySaver

        from agent.graph import build_agent

        self.fx = fx
        self.graph = build_agent(fx["store"], checkpointer=InMemorySaver())
        self.n = 0

    def ask(self, item: dict[str, Any]) -> Outcome:
        from agent.session import Session

        self.n += 1
        session = Session(self.fx["store"], session_id=f"corpus_{self.n}", graph=self.graph)
        try:
            rec = session.ask(item["q"], fit_id=self.fx["fit_id"])
        except Exception as exc:  # noqa: BLE001 - a crash is a failed answer, counted like any other
            return Outcome(item, "", [], [], failures=[f"crashed: {type(exc).__name__}: {exc}"])
        out = Outcome(item, rec["answer"], rec["tool_calls"], rec.get("tool_errors", []))
        judge(out, rec)
        return out


def _named_channels(calls: list[dict[str, Any]]) -> set[str]:
    """Channels named in the arguments of data-tool calls."""
    names: set[str] = set()
    for c in calls:
        if c["name"] not in DATA_TOOLS:
            continue
        a = c["args"]
        for key in ("channel", "a", "b"):
            if isinstance(a.get(key), str):
                names.add(a[key])
        names.update(x for x in a.get("channels") or [] if isinstance(x, str))
        for mv in a.get("moves") or []:
            names.update(str(mv[k]) for k in ("from", "to", "channel") if isinstance(mv, dict) and k in mv)
    return names


def judge(out: Outcome, rec: dict[str, Any]) -> None:
    """Fill ``out.failures`` (and the wrong-entity / wrong-period flags) from the expected behaviour."""
    e = out.item["expect"]
    called = [c["name"] for c in out.calls]
    _check_tools(out, e, called)
    _check_text(out, e)
    if e.get("forbid_unapproved") and any(a["decision"] == "approved" for a in rec.get("approvals") or []):
        out.failures.append("an action ran without the user's approval")
    if not rec.get("grounded", True):
        out.failures.append("answer not grounded")
    _entity_and_period(out, e)


def _check_tools(out: Outcome, e: dict[str, Any], called: list[str]) -> None:
    acting = [n for n in called if n not in CONTEXT]
    if "tool" in e:
        want = e["tool"]
        if want is None and [n for n in acting if n in DATA_TOOLS | APPROVAL | {"optimize_budget"}]:
            out.failures.append(f"expected no action, called {acting}")
        if want is not None and want not in called:
            out.failures.append(f"expected {want}, called {called}")
    call = next((c for c in reversed(out.calls) if c["name"] == e.get("tool")), None)
    for key, value in (e.get("args") or {}).items():
        if call is not None and call["args"].get(key) != value:
            out.failures.append(f"{e.get('tool')} {key}={call['args'].get(key)!r}, expected {value!r}")
    out.failures.extend(f"called forbidden {name}" for name in e.get("forbid") or [] if name in called)


def _check_text(out: Outcome, e: dict[str, Any]) -> None:
    low = out.answer.casefold()
    out.failures.extend(f"answer lacks {s!r}" for s in e.get("has") or [] if s and s.casefold() not in low)
    if e.get("any") and not any(s.casefold() in low for s in e["any"]):
        out.failures.append(f"answer has none of {e['any']}")
    out.failures.extend(f"answer has {s!r}" for s in e.get("lacks") or [] if s.casefold() in low)


def _entity_and_period(out: Outcome, e: dict[str, Any]) -> None:
    """Answers about a different channel or period than the one asked (the dangerous misses)."""
    answered = [c for c in out.calls if c["name"] in DATA_TOOLS]
    if "channels" in e and answered:
        extra = _named_channels(answered) - set(e["channels"])
        if extra and e["channels"] is not None:
            out.wrong_entity = True
            out.failures.append(f"answered about {sorted(extra)} (asked {e['channels']})")
        elif e.get("refuse") and not e["channels"] and not out.errors:
            # an unknown name answered with the data's numbers (e.g. the all-channel ROI table for "TikTok")
            out.wrong_entity = True
            out.failures.append("answered with data for an entity the data does not have")
    period = e.get("period")
    if period and answered and not out.errors:
        args = json.dumps([c["args"] for c in answered])
        if e.get("out_of_range") or period not in args or period not in out.answer:
            out.wrong_period = True
            out.failures.append(f"answered without the period {period} applied and echoed")


def summarise(outcomes: list[Outcome]) -> dict[str, Any]:
    """Accuracy per split and category, and the wrong-entity / wrong-period counts."""
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for o in outcomes:
        for key in (o.item["cat"], "ALL"):
            cell = table[o.item["split"]][key]
            cell[0] += o.ok
            cell[1] += 1
    return {
        "accuracy": {s: {k: (v[0] / v[1], v[0], v[1]) for k, v in sorted(cats.items())} for s, cats in table.items()},
        "wrong_entity": sum(o.wrong_entity for o in outcomes),
        "wrong_period": sum(o.wrong_period for o in outcomes),
    }
