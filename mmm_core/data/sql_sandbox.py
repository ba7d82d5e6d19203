"""Read-only SQL over one dataset, enforced by DuckDB itself and walled off in a child process.

The user's SQL never touches the store file: the dataset is copied into a private in-memory database in a child
process (``data.sql_worker``) that holds only three relations — ``mff`` (the long rows), ``variables`` (roles) and
``wide`` (one column per variable) — with external access switched off and the configuration locked, so file- and
URL-reading functions, ATTACH, COPY, INSTALL/LOAD and SET fail inside DuckDB. DuckDB's own parser classifies each
statement and only a single SELECT is let through (checked here, before any process starts).

The posterior of one fit (``fit_id``, chosen by the caller: this layer knows no fits' rules) joins them when the
SQL names one of :data:`POSTERIOR_VIEWS` — ``roi_draws`` (fit_id, channel, chain, draw, roi, mroi),
``contribution_draws`` (fit_id, channel, chain, draw, contribution), thinned draws from the store's
``posterior_draws`` table, and ``posterior_summary`` (that fit's rows) — copied into the same walled-off child.
A fit of several outcomes (issue 22) stores its weighted total in those three, and each outcome's and each
cross-effect's summaries in ``outcome_summary`` and ``cross_effect_summary`` (empty for a one-KPI fit); the
answer says so (``note``), since a total read as one outcome's figure would be wrong.

Limits, each stated in the error that enforces it: a time limit (DuckDB's interrupt inside the child, and a kill
from here when that does not stop it), a memory limit (DuckDB's buffer limit plus an address-space limit on the
child, which no allocation can pass), one thread, no spilling to disk, and a cap on the rows and bytes returned.
Datasets with more than ``MAX_WIDE_COLUMNS`` variables get no ``wide`` view (its pivot alone exhausts memory).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from mmm_core.data.queries import resolve_dataset
from mmm_core.errors import QueryLimitError, QueryRefusedError
from mmm_core.store import Store

DEFAULT_MAX_ROWS = 1000
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MEMORY_BYTES = 1024**3  # DuckDB's buffer limit inside the child
DEFAULT_MAX_BYTES = 2 * 1024**2  # JSON size of the rows returned
MAX_WIDE_COLUMNS = 2000
# The child's address space: the buffer limit plus room for Python, pyarrow and DuckDB's own code and arenas.
_ADDRESS_SPACE_HEADROOM = 1536 * 1024**2
_KILL_GRACE_S = 2.0
VIEWS = ("mff", "variables", "wide")
POSTERIOR_VIEWS = ("roi_draws", "contribution_draws", "posterior_summary", "outcome_summary", "cross_effect_summary")
_DRAWS_SQL = "SELECT fit_id, channel, chain, draw, roi, mroi, contribution FROM posterior_draws WHERE fit_id = ?"
_SUMMARY_SQL = (
    "SELECT fit_id, quantity, channel, geo, period, mean, sd, lo, hi, interval, method FROM posterior_summary "
    "WHERE fit_id = ? ORDER BY quantity, channel, geo, period"
)
_OUTCOME_SQL = "SELECT * FROM outcome_summary WHERE fit_id = ? ORDER BY outcome, quantity, channel"
_CROSS_SQL = "SELECT * FROM cross_effect_summary WHERE fit_id = ? ORDER BY source, target, quantity"
MULTI_NOTE = (
    "This fit models several outcomes: roi_draws, contribution_draws and posterior_summary hold their weighted "
    "total; each outcome's ROI, contribution and mROI per channel are in outcome_summary (summaries only: "
    "per-outcome draws are not stored), cross-effects in cross_effect_summary."
)


@dataclass(frozen=True)
class QueryLimits:
    """The walls of one query; the defaults are documented in the README (`query`)."""

    max_rows: int = DEFAULT_MAX_ROWS
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_bytes: int = DEFAULT_MEMORY_BYTES
    max_bytes: int = DEFAULT_MAX_BYTES


def query(
    store: Store,
    dataset: str,
    sql: str,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fit_id: str | None = None,
) -> dict[str, Any]:
    """Run one read-only SELECT over the dataset's views; returns ``{columns, rows, truncated, row_limit}``.

    ``fit_id``: the fit whose posterior the views of :data:`POSTERIOR_VIEWS` show (read only when the SQL names
    one of them; it must be a fit of ``dataset``)."""
    limits = QueryLimits(max_rows, timeout_s, memory_bytes, max_bytes)
    _check_statement(sql)
    ds_id = resolve_dataset(store, dataset)["id"]
    posterior = _posterior_tables(store, ds_id, fit_id) if names_posterior(sql) else None
    rows, roles = _dataset_tables(store, ds_id)
    n_variables = len(set(rows.column("variable_name").to_pylist())) if rows.num_rows else 0
    if n_variables > MAX_WIDE_COLUMNS and _names_wide(sql):
        raise QueryRefusedError(
            f"This dataset has {n_variables:,} variables: the `wide` view (one column each) is not built past "
            f"{MAX_WIDE_COLUMNS:,}.",
            "Query `mff` instead, e.g. SELECT period, value FROM mff WHERE variable_name = 'Sales'.",
            code="query_too_wide",
        )
    out = _run_in_child(sql, [rows, roles, *(posterior or ())], limits)
    cut_by = out.pop("cut_by")
    result = {**out, "row_limit": max_rows}
    if cut_by == "bytes":
        result["byte_limit"] = max_bytes
    if posterior and posterior[2].num_rows:
        result["note"] = MULTI_NOTE
    return result


def names_posterior(sql: str) -> bool:
    """Whether the SQL reads the posterior (names one of :data:`POSTERIOR_VIEWS`): callers pick a fit only then."""
    return _names(sql, POSTERIOR_VIEWS)


def _posterior_tables(store: Store, ds_id: str, fit_id: str | None) -> tuple[pa.Table, ...]:
    """The thinned draws, the summary rows and the outcome and cross-effect summaries (empty for one KPI) of
    ``fit_id``, a fit of dataset ``ds_id``."""
    views = ", ".join(POSTERIOR_VIEWS)
    if not fit_id:
        raise QueryRefusedError(
            f"The posterior views ({views}) need a fit, and no fit of this dataset has succeeded.",
            "Fit a locked spec of this dataset first (`mmm-agent fit SPEC_ID`), or name one with --fit FIT_ID.",
            code="query_no_fit",
        )
    with store.connect() as conn:
        found = conn.execute(
            "SELECT s.dataset_id FROM fits f JOIN specs s ON s.id = f.spec_id WHERE f.id = ?", [fit_id]
        ).fetchall()
        owner = found[0] if found else None
        if owner is None or owner[0] != ds_id:
            raise QueryRefusedError(
                f"Fit {fit_id!r} is not a fit of dataset {ds_id}"
                + (f" (it belongs to {owner[0]})." if owner else " (no such fit)."),
                "Name a fit of this dataset with --fit (`mmm-agent ledger DATASET` lists them).",
                code="query_fit_mismatch",
            )
        draws = conn.sql(_DRAWS_SQL, params=[fit_id]).to_arrow_table()
        summary = conn.sql(_SUMMARY_SQL, params=[fit_id]).to_arrow_table()
        outcome = conn.sql(_OUTCOME_SQL, params=[fit_id]).to_arrow_table()
        cross = conn.sql(_CROSS_SQL, params=[fit_id]).to_arrow_table()
    if draws.num_rows == 0:
        raise QueryRefusedError(
            f"Fit {fit_id} has no stored posterior draws (it has not succeeded, or its artifacts are gone).",
            "Query a succeeded fit with --fit FIT_ID, or fit the spec again.",
            code="query_no_draws",
        )
    return draws, summary, outcome, cross


def _dataset_tables(store: Store, ds_id: str) -> tuple[pa.Table, pa.Table]:
    with store.connect() as conn:
        rows = conn.sql(
            "SELECT period, geography, product, campaign, outlet, creative, variable_name, value "
            "FROM mff_rows WHERE dataset_id = ?",
            params=[ds_id],
        ).to_arrow_table()
        roles = conn.sql(
            "SELECT name, role, channel, coverage, n_obs, ragged, total, coalesce(source, name) AS source, outlet, "
            "metric FROM variables WHERE dataset_id = ?",
            params=[ds_id],
        ).to_arrow_table()
    return rows, roles


def _run_in_child(sql: str, tables: list[pa.Table], limits: QueryLimits) -> dict[str, Any]:
    """``tables``: the dataset's rows and variables, then (when the SQL reads the posterior) draws, summary and
    the outcome and cross-effect summaries."""
    header = {
        "sql": sql,
        "max_rows": limits.max_rows,
        "max_bytes": limits.max_bytes,
        "timeout_s": limits.timeout_s,
        "memory_bytes": limits.memory_bytes,
        "address_space_bytes": limits.memory_bytes + _ADDRESS_SPACE_HEADROOM,
        "wide_columns": MAX_WIDE_COLUMNS,
        "posterior": len(tables) > 2,
    }
    payload = json.dumps(header).encode() + b"\n" + b"".join(_ipc(t) for t in tables)
    # An empty working folder: nothing relative to the caller's folder is within reach of the child.
    with tempfile.TemporaryDirectory(prefix="mmm-sql-") as empty:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "mmm_core.data.sql_worker"],
                input=payload,
                capture_output=True,
                cwd=empty,
                timeout=limits.timeout_s + _KILL_GRACE_S,
                env={**os.environ, "PYTHONPATH": _import_path()},
                check=False,
            )
        except subprocess.TimeoutExpired as exc:  # the interrupt did not stop it: the process was killed
            raise _time_limit(limits) from exc
    if done.returncode != 0 or not done.stdout:
        # No answer: the child died — in practice the address-space limit (a MemoryError or an abort in DuckDB).
        raise _memory_limit(limits)
    answer = json.loads(done.stdout)
    if "ok" in answer:
        return answer["ok"]
    error = answer["error"]
    if error["kind"] == "time":
        raise _time_limit(limits)
    if error["kind"] == "memory":
        raise _memory_limit(limits)
    raise _refusal_or_error(error["message"])


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _import_path() -> str:
    """The folder that holds ``mmm_core`` first, so the child imports the same code as this process."""
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    rest = os.environ.get("PYTHONPATH", "")
    return here + (os.pathsep + rest if rest else "")


def _time_limit(limits: QueryLimits) -> QueryLimitError:
    return QueryLimitError(
        f"The query ran longer than the {limits.timeout_s:g} s limit and was stopped.",
        "Aggregate more (GROUP BY) or filter to fewer rows.",
    )


def _memory_limit(limits: QueryLimits) -> QueryLimitError:
    return QueryLimitError(
        f"The query needed more than the {limits.memory_bytes / 1024**3:g} GB memory limit and was stopped.",
        "Narrow it: filter rows (WHERE), aggregate (GROUP BY), or select fewer columns.",
    )


def _names_wide(sql: str) -> bool:
    return _names(sql, ("wide",))


def _names(sql: str, relations: tuple[str, ...]) -> bool:
    """Whether the SQL names one of ``relations`` (by DuckDB's tokenizer, so a string 'wide' does not count)."""
    pattern = re.compile(r'"?(?:' + "|".join(map(re.escape, relations)) + r')"?(?!\w)', re.IGNORECASE)
    return any(
        pattern.match(sql, start) and kind != duckdb.token_type.string_const for start, kind in duckdb.tokenize(sql)
    )


def _check_statement(sql: str) -> None:
    try:
        with duckdb.connect(":memory:") as parser:
            statements = parser.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefusedError(
            f"The SQL does not parse: {exc}", "Write one SELECT statement.", code="query_syntax"
        ) from exc
    if len(statements) != 1:
        raise QueryRefusedError(
            f"Exactly one statement is allowed; got {len(statements)}.",
            "Send a single SELECT (no ';'-separated statements).",
        )
    kind = statements[0].type
    if kind != duckdb.StatementType.SELECT:
        raise QueryRefusedError(
            f"Only read-only SELECT queries are allowed; this is {_article(kind.name)} {kind.name} statement.",
            f"Query the views {_all_views()} with SELECT. Data changes go through `mmm-agent ingest`.",
        )


def _refusal_or_error(text: str) -> QueryRefusedError:
    if "disabled" in text.lower() or "external access" in text.lower() or "lock_configuration" in text:
        return QueryRefusedError(
            f"Refused: the query tries to reach files, URLs or settings outside the dataset ({text.splitlines()[0]}).",
            f"Only the views {_all_views()} can be read.",
        )
    return QueryRefusedError(
        f"The query failed: {text.splitlines()[0]}",
        f"Check table and column names; the views are {_all_views()}.",
        code="query_error",
    )


def _all_views() -> str:
    return f"{', '.join(VIEWS)} and, over a fit's posterior, {', '.join(POSTERIOR_VIEWS)}"


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"
