"""What every tool shares: compact, size-capped JSON results; typed errors as data; default ids from the session.

Tools never compute a number themselves — they call ``mmm_core`` and pass its plain data on. A result larger
than ``MAX_CHARS`` is cut down (long lists truncated, with a note saying how to get the rest by id), because every
tool output is stored in the session checkpoint and read by a model on every later step.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mmm_core import ledger
from mmm_core.data.queries import list_datasets, resolve_dataset
from mmm_core.errors import MMMError, NotFoundError
from mmm_core.fit.job import latest_fit
from mmm_core.jsonable import to_jsonable as core_jsonable
from mmm_core.store import Store

MAX_CHARS = 4000
# A budget plan is one answer that must arrive whole (decision, money, binding bounds, warnings, allocation): with
# several extrapolation warnings it passes 4,000 characters, and a cut there would drop the decision itself.
PLAN_MAX_CHARS = 6000
_LIST_KEEP = (20, 10, 5, 3)  # successively harsher truncation of long lists until the result fits


def to_jsonable(value: Any) -> Any:
    """Plain JSON types (see `mmm_core.jsonable`), floats rounded to 6 significant digits: the answers never
    quote more, and it keeps checkpoints small."""
    return core_jsonable(value, digits=6)


def _truncate_lists(value: Any, keep: int) -> Any:
    if isinstance(value, dict):
        return {k: _truncate_lists(v, keep) for k, v in value.items()}
    if isinstance(value, list) and len(value) > keep:
        return [_truncate_lists(v, keep) for v in value[:keep]] + [f"… {len(value) - keep} more items cut"]
    if isinstance(value, list):
        return [_truncate_lists(v, keep) for v in value]
    return value


def cap(payload: dict[str, Any], limit: int = MAX_CHARS) -> str:
    """JSON text of ``payload`` no longer than ``limit`` characters (truncating lists, then dropping bulky keys)."""
    data = to_jsonable(payload)
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    if len(text) <= limit:
        return text
    for keep in _LIST_KEEP:
        cut = _truncate_lists(data, keep)
        cut["truncated"] = (
            f"Result cut to fit {limit} characters; ask for a narrower breakdown or "
            "use the ids above with a more specific tool."
        )
        text = json.dumps(cut, separators=(",", ":"), ensure_ascii=False)
        if len(text) <= limit:
            return text
    # Last resort: leave out the bulkiest nested fields, largest first, until it fits — dropping every nested field
    # at once lost a plan's allocation when only its warnings made it too long. Ids, provenance and scalars stay.
    return _drop_bulkiest(_truncate_lists(data, _LIST_KEEP[-1]), limit)


def _drop_bulkiest(data: dict[str, Any], limit: int) -> str:
    def size(key: str) -> int:
        return len(json.dumps(data[key], separators=(",", ":"), ensure_ascii=False))

    nested = [k for k, v in data.items() if isinstance(v, (list, dict)) and k != "provenance"]
    dropped: list[str] = []
    text = ""
    for key in sorted(nested, key=size, reverse=True):
        del data[key]
        dropped.append(key)
        data["truncated"] = f"Result too large to show in full; left out: {', '.join(dropped)}."
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if len(text) <= limit:
            return text
    return text[:limit]


def error_payload(exc: MMMError) -> dict[str, Any]:
    return {"error": {"code": exc.code, "message": exc.message, "hint": exc.hint}}


def run_tool(work: Callable[[], dict[str, Any]], limit: int = MAX_CHARS) -> str:
    """Run a tool body; typed errors become ``{"error": {...}}`` data the model can explain to the user."""
    try:
        return cap(work(), limit)
    except MMMError as exc:
        return cap(error_payload(exc), limit)


def state_of(runtime: Any) -> dict[str, Any]:
    """The agent state seen by a tool (empty when a tool is called outside a graph, e.g. in unit tests)."""
    state = getattr(runtime, "state", None)
    return state if isinstance(state, dict) else {}


def resolve_fit(store: Store, fit_id: str | None, runtime: Any = None) -> str:
    """Explicit id → the session's fit → the store's latest succeeded fit."""
    fit = fit_id or state_of(runtime).get("fit_id") or latest_fit(store)
    if not fit:
        raise NotFoundError(
            "There is no succeeded fit in this store yet.",
            "Lock a spec and fit it first (say 'fit the model').",
            code="no_fit",
        )
    return fit


def resolve_dataset_id(store: Store, dataset: str | None, runtime: Any = None) -> str:
    """Explicit id/name → the session's dataset → the dataset of the latest fit → the newest dataset."""
    if dataset:
        return resolve_dataset(store, dataset)["id"]
    state = state_of(runtime)
    if state.get("dataset_id"):
        return state["dataset_id"]
    for fit in (state.get("fit_id"), latest_fit(store)):
        if fit:
            try:
                return ledger.get_spec(store, ledger.get_fit(store, fit)["spec_id"]).dataset_id
            except NotFoundError:
                continue  # a stale or foreign fit id must not hide the store's data
    known = list_datasets(store)
    if not known:
        raise NotFoundError(
            "The store holds no dataset yet.", "Load one: `mmm-agent ingest FILE.csv` (MFF format).", code="no_dataset"
        )
    return known[-1]["id"]
