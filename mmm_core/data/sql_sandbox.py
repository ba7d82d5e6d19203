"""Read-only SQL over one dataset, enforced by DuckDB itself.

The user's SQL never touches the store file: the dataset is copied into a private in-memory database that holds
only three relations — ``mff`` (the long rows), ``variables`` (roles) and ``wide`` (one column per variable) —
and external access is then switched off and the configuration locked, so file- and URL-reading functions,
ATTACH, COPY, INSTALL/LOAD and SET fail inside DuckDB. DuckDB's own parser classifies each statement and only a
single SELECT is let through. Row and time limits bound every query.
"""

from __future__ import annotations

import threading
from typing import Any

import duckdb

from mmm_core.data.queries import resolve_dataset
from mmm_core.errors import QueryLimitError, QueryRefusedError
from mmm_core.store import Store

DEFAULT_MAX_ROWS = 1000
DEFAULT_TIMEOUT_S = 10.0
VIEWS = ("mff", "variables", "wide")


def query(
    store: Store,
    dataset: str,
    sql: str,
    max_rows: int = DEFAULT_MAX_ROWS,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> dict[str, Any]:
    """Run one read-only SELECT over the dataset's views; returns ``{columns, rows, truncated, row_limit}``."""
    sandbox = _sandbox(store, dataset)
    try:
        _check_statement(sandbox, sql)
        timer = threading.Timer(timeout_s, sandbox.interrupt)
        timer.start()
        try:
            cur = sandbox.execute(sql)
            rows = cur.fetchmany(max_rows + 1)
        except duckdb.InterruptException as exc:
            raise QueryLimitError(
                f"The query ran longer than the {timeout_s:g} s limit and was stopped.",
                "Aggregate more (GROUP BY) or filter to fewer rows.",
            ) from exc
        except duckdb.Error as exc:
            raise _refusal_or_error(exc) from exc
        finally:
            timer.cancel()
        columns = [d[0] for d in cur.description]
    finally:
        sandbox.close()
    truncated = len(rows) > max_rows
    return {
        "columns": columns,
        "rows": [[_cell(v) for v in row] for row in rows[:max_rows]],
        "truncated": truncated,
        "row_limit": max_rows,
    }


def _sandbox(store: Store, dataset: str) -> duckdb.DuckDBPyConnection:
    ds_id = resolve_dataset(store, dataset)["id"]
    with store.connect() as conn:
        rows = conn.sql(
            "SELECT period, geography, product, campaign, outlet, creative, variable_name, value "
            "FROM mff_rows WHERE dataset_id = ?",
            params=[ds_id],
        ).to_arrow_table()
        roles = conn.sql(
            "SELECT name, role, channel, coverage, n_obs, ragged, total FROM variables WHERE dataset_id = ?",
            params=[ds_id],
        ).to_arrow_table()
    mem = duckdb.connect(":memory:")
    mem.register("_rows", rows)
    mem.register("_roles", roles)
    mem.execute("CREATE TABLE mff AS SELECT * FROM _rows")
    mem.execute("CREATE TABLE variables AS SELECT * FROM _roles")
    mem.unregister("_rows")
    mem.unregister("_roles")
    names = [r[0] for r in mem.execute("SELECT DISTINCT variable_name FROM mff ORDER BY 1").fetchall()]
    if names:
        # One column per variable, summed over product/campaign/outlet/creative rows.
        pivot_cols = ", ".join(
            f"sum(value) FILTER (WHERE variable_name = {_quote_literal(n)}) AS {_quote_ident(n)}" for n in names
        )
        mem.execute(
            f"CREATE VIEW wide AS SELECT period, geography, {pivot_cols} FROM mff GROUP BY ALL "
            "ORDER BY period, geography"
        )
    else:
        mem.execute("CREATE VIEW wide AS SELECT period, geography FROM mff")
    mem.execute("SET enable_external_access = false")
    mem.execute("SET lock_configuration = true")
    return mem


def _check_statement(sandbox: duckdb.DuckDBPyConnection, sql: str) -> None:
    try:
        statements = sandbox.extract_statements(sql)
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
            f"Query the views {', '.join(VIEWS)} with SELECT. Data changes go through `mmm-agent ingest`.",
        )


def _refusal_or_error(exc: duckdb.Error) -> QueryRefusedError:
    text = str(exc)
    if "disabled" in text.lower() or "external access" in text.lower() or "lock_configuration" in text:
        return QueryRefusedError(
            f"Refused: the query tries to reach files, URLs or settings outside the dataset ({text.splitlines()[0]}).",
            f"Only the views {', '.join(VIEWS)} can be read.",
        )
    return QueryRefusedError(
        f"The query failed: {text.splitlines()[0]}",
        f"Check table and column names; the views are {', '.join(VIEWS)}.",
        code="query_error",
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _cell(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value
