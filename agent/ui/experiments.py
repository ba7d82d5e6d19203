"""Experiment files in the chat UI: an attached CSV whose header has the lift-test columns (``Channel, Start, End,
SpendChange, Lift, LiftSE`` — matched like MFF's) is stored as the session dataset's lift tests, exactly as
``mmm-agent experiments add`` does, instead of being ingested as data.

Pure functions over plain data (no Chainlit import), so they are tested without a browser; ``agent/ui/app.py``
calls them from its upload handler.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.ui.safe_text import md_name
from agent.ui.setup import error_text
from mmm_core.data.experiments import REQUIRED, add_experiments
from mmm_core.data.frame import normalise_header
from mmm_core.data.queries import list_datasets
from mmm_core.errors import MMMError
from mmm_core.store import Store

# Geography may be left out of an upload's header only if empty everywhere; the rest identify the format.
_MARKERS = {normalise_header(c) for c in REQUIRED if c != "Geography"}


def is_experiment_file(path: Path) -> bool:
    """Whether ``path`` is a CSV whose header names every lift-test column (Geography aside)."""
    if path.suffix.lower() != ".csv":
        return False
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        header = {normalise_header(h.strip().strip("\"'")) for h in fh.readline().split(",")}
    return _MARKERS <= header


def upload_dataset(store: Store, described: dict[str, Any] | None) -> str | None:
    """The dataset the tests belong to: the session's (last uploaded or described), else the store's newest."""
    if described and described.get("dataset_id"):
        return str(described["dataset_id"])
    known = list_datasets(store)
    return known[-1]["id"] if known else None


def upload_text(store: Store, dataset_id: str | None, path: Path, name: str) -> str:
    """Store the file's tests for ``dataset_id`` and say what was stored and how a model comes to use them; a
    refusal is shown in full (file, row, column, value, fix)."""
    if dataset_id is None:
        return (
            f"**{md_name(name)}** holds lift tests, but there is no dataset to attach them to: upload the data first."
        )
    try:
        out = add_experiments(store, dataset_id, path)
    except MMMError as exc:
        return error_text(exc, name, doing=f"Could not store the lift tests of {md_name(name)}")
    rows = [
        f"| {e['experiment_id']} | {md_name(e['channel'])} | {md_name(e['geography'])} | {e['start']} … {e['end']} | "
        f"{e['spend_change']:,.0f} | {e['lift']:,.0f} ± {e['lift_se']:,.0f} | {e['type']} |"
        for e in out["experiments"]
    ]
    table = "\n".join(
        [
            "| test | channel | geography | window | spend change | lift ± se | type |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    head = f"Stored {len(out['added'])} lift test(s) from {md_name(name)} for dataset {dataset_id}"
    if out["already_present"]:
        head += f" ({len(out['already_present'])} were already stored)"
    rule = (
        "A model uses them only once its spec lists them: a spec drafted from now on includes them (remove any you "
        "do not want before locking); adding them to a locked spec is an amendment, disclosed as post hoc once it "
        "has results."
    )
    return f"{head}. Tests stored for this dataset:\n\n{table}\n\n{rule}"


__all__ = ["is_experiment_file", "upload_dataset", "upload_text"]
