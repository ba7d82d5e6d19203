"""Issue 18 item 3: roles the user declares (`spec init --kpi K --media A,B --controls C,D`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_mff_support import weeks, write_lines

from agent.cli.main import main
from mmm_core import ledger
from mmm_core.data import queries
from mmm_core.data.ingest import ingest
from mmm_core.store import Store


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    """The issue's wide file with bare channel names: inferred as controls, no media found."""
    lines = ["Date,TV,Search,Radio,Price,Sales"] + [
        f"{p},{100 + 3 * i},{50 + (i % 4)},{20 + i % 3},{9 + i % 2},{1000 + 5 * i}" for i, p in enumerate(weeks(30))
    ]
    path = tmp_path / "mmm.duckdb"
    result = ingest(Store(path), write_lines(tmp_path / "bare.csv", lines), fmt="wide")
    assert any("--media A,B" in w for w in result.warnings)
    return str(path)


def run(capsys: pytest.CaptureFixture[str], store: str, *argv: str, ok: bool = True) -> dict:
    code = main(["--store", store, *argv, "--json"])
    out, err = capsys.readouterr()
    assert (code == 0) == ok, err
    return json.loads(out.strip().splitlines()[-1]) if ok else {"err": err, "out": out}


def test_without_overrides_spec_init_says_how_to_declare_media(store_path: str, capsys) -> None:
    refused = run(capsys, store_path, "spec", "init", "bare", ok=False)
    assert "no media" in (refused["err"] + refused["out"]).lower()
    assert "--media" in refused["err"] + refused["out"]


def test_declared_media_and_controls_make_the_spec_and_lock(store_path: str, tmp_path: Path, capsys) -> None:
    draft = tmp_path / "spec.yaml"
    argv = ("spec", "init", "bare", "--kpi", "Sales", "--media", "TV, Search", "--controls", "Price")
    init = run(capsys, store_path, *argv, "--out", str(draft))
    spec = init["spec"]
    assert [(m["name"], m["variable"]) for m in spec["media"]] == [("Search", "Search"), ("TV", "TV")]
    assert [c["name"] for c in spec["controls"]] == ["Price"] and spec["kpi"] == "Sales"
    assert any("TV: declared media" in n for n in init["notes"])
    assert any("Controls left out of the model (not in --controls): Radio" in n for n in init["notes"])
    d = queries.describe(Store(store_path), "bare")  # the declaration is the dataset's roles from now on
    assert d["channels"] == ["Search", "TV"] and d["controls"] == ["Price", "Radio"]
    locked = run(capsys, store_path, "spec", "lock", str(draft), "--rationale", "declared roles")
    assert locked["spec_id"]
    events = ledger.ledger_report(Store(store_path), "bare")["events"]
    lock = next(e for e in events if e["kind"] == "lock" and e["spec_id"] == locked["spec_id"])
    # the ledger names the user's declarations apart from what the data said
    assert lock["detail"]["roles"] == {
        "declared": {"Search": "media", "TV": "media"},
        "inferred": {"Price": "control", "Sales": "kpi"},
    }


def test_a_media_variable_can_be_declared_a_control(store_path: str, tmp_path: Path, capsys) -> None:
    run(capsys, store_path, "spec", "init", "bare", "--kpi", "Sales", "--media", "TV,Search,Radio")
    init = run(capsys, store_path, "spec", "init", "bare", "--kpi", "Sales", "--controls", "Radio,Price")
    assert sorted(m["name"] for m in init["spec"]["media"]) == ["Search", "TV"]
    assert [c["name"] for c in init["spec"]["controls"]] == ["Price", "Radio"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (("--media", "TV,Nope"), "no variable 'Nope'"),
        (("--media", "TV", "--controls", "TV"), "both media and control"),
        (("--kpi", "Sales", "--media", "Sales"), "cannot also be media"),
    ],
)
def test_bad_declarations_are_refused(store_path: str, capsys, argv: tuple[str, ...], words: str) -> None:
    refused = run(capsys, store_path, "spec", "init", "bare", *argv, ok=False)
    assert words in refused["err"] + refused["out"]
    assert queries.describe(Store(store_path), "bare")["channels"] == []  # nothing declared on refusal


def test_chat_setup_tool_takes_the_same_declarations(store_path: str) -> None:
    from tools import build_tools

    tools = {t.name: t for t in build_tools(Store(store_path))}
    args = {"dataset": "bare", "kpi": "Sales", "media": ["TV", "Radio"], "controls": ["Price"]}
    draft = json.loads(tools["draft_spec"].invoke(args))
    assert "error" not in draft, draft
    assert sorted(draft["available"]["channels"]) == ["Radio", "TV"]
    assert any("Radio: declared media" in n for n in draft["notes"])
    refused = json.loads(tools["draft_spec"].invoke({"dataset": "bare", "kpi": "Sales", "media": ["Nope"]}))
    assert refused["error"]["code"] == "variable_not_found"


def test_guided_chat_setup_reads_declared_roles_from_the_request(store_path: str) -> None:
    """The offline analyst: "set up a model with media TV, Search ..." drafts exactly those roles (the same tool
    and rule as `spec init --media/--controls`); a listed name the data lacks is refused with the variables."""
    from langgraph.checkpoint.memory import InMemorySaver

    from agent.graph import build_agent
    from agent.models.setup import parse_roles
    from agent.session import Session

    assert parse_roles("set up a model, channels are fine", ["TV", "Search"]) == {}  # no variable named: nothing
    store = Store(store_path)
    session = Session(store, graph=build_agent(store, checkpointer=InMemorySaver()))
    turn = session.ask("set up a model with kpi Sales, media tv, Search and radio and controls Price")
    call = next(c for c in turn["tool_calls"] if c["name"] == "draft_spec")
    assert call["args"]["media"] == ["TV", "Search", "Radio"] and call["args"]["controls"] == ["Price"], call
    assert sorted(queries.describe(store, "bare")["channels"]) == ["Radio", "Search", "TV"]
    other = Session(store, graph=build_agent(store, checkpointer=InMemorySaver()))
    refused = other.ask("set up a model with media TV and Podcasts")
    assert "Podcasts" in refused["answer"] and "not" in refused["answer"].casefold(), refused["answer"]
