"""The child process that runs one sandboxed query (``python -m mmm_core.data.sql_worker``).

Why a process: DuckDB's ``memory_limit`` bounds its buffer manager, not every allocation — ``SELECT
len(range(3000000000))`` grows past any limit and ignores ``interrupt()``. A child process gets an address-space
limit (``RLIMIT_AS``) that no query can pass, and the parent can kill it when the time limit is reached.

Protocol: the parent writes a JSON header line (sql, limits) and then two Arrow IPC streams (the dataset's rows,
then its variables) — and, when ``header["posterior"]``, four more (a fit's thinned draws, its summary rows, its
outcome and cross-effect summaries) — to stdin; the child writes one JSON object to stdout: ``{"ok": {...}}``
or ``{"error": {"kind", "message", "hint"}}``.
"""

from __future__ import annotations

import json
import resource
import sys
import threading
from typing import Any, BinaryIO

import duckdb
import pyarrow as pa

VIEWS = ("mff", "variables", "wide")


def main() -> None:
    header = json.loads(sys.stdin.buffer.readline())
    _limit_address_space(header["address_space_bytes"])
    rows = _read_table(sys.stdin.buffer)
    roles = _read_table(sys.stdin.buffer)
    posterior = tuple(_read_table(sys.stdin.buffer) for _ in range(4)) if header.get("posterior") else None
    try:
        result = {"ok": run(rows, roles, header, posterior)}
    except duckdb.InterruptException:
        result = {"error": {"kind": "time", "message": "", "hint": ""}}
    except (duckdb.OutOfMemoryException, MemoryError):
        result = {"error": {"kind": "memory", "message": "", "hint": ""}}
    except duckdb.Error as exc:
        result = {"error": {"kind": "duckdb", "message": str(exc), "hint": ""}}
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()


def run(
    rows: pa.Table, roles: pa.Table, header: dict[str, Any], posterior: tuple[pa.Table, ...] | None = None
) -> dict[str, Any]:
    """Build the relations, wall the connection off, run the one SELECT and cap the result."""
    con = duckdb.connect(":memory:")
    # Walls: one thread, a buffer limit, no spilling (the temp directory was the one folder DuckDB still let a
    # locked connection read), then no external access and a locked configuration.
    con.execute(f"SET memory_limit = '{int(header['memory_bytes'])}B'")
    con.execute("SET threads = 1")
    con.execute("SET temp_directory = ''")
    _load(con, rows, roles, header["wide_columns"])
    if posterior is not None:
        _load_posterior(con, *posterior)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    timer = threading.Timer(header["timeout_s"], con.interrupt)
    timer.start()
    try:
        cur = con.execute(header["sql"])
        columns = [d[0] for d in cur.description]
        out, truncated = _capped(cur, header["max_rows"], header["max_bytes"])
    finally:
        timer.cancel()
        con.close()
    return {"columns": columns, **out, "truncated": truncated}


def _load(con: duckdb.DuckDBPyConnection, rows: pa.Table, roles: pa.Table, wide_columns: int) -> None:
    con.register("_rows", rows)
    con.register("_roles", roles)
    con.execute("CREATE TABLE mff AS SELECT * FROM _rows")
    con.execute("CREATE TABLE variables AS SELECT * FROM _roles")
    con.unregister("_rows")
    con.unregister("_roles")
    # One column per model variable: a VariableName limited to its Outlet when the ingest split it by Outlet
    # (`Spend` on TV and on Search are the variables `TV Spend` and `Search Spend`, never one summed column).
    variables = con.execute("SELECT name, source, outlet FROM variables ORDER BY name").fetchall()
    if not variables or len(variables) > wide_columns:
        # A very wide dataset gets no `wide` view: thousands of pivot columns exhaust memory on any query. The
        # parent refuses queries that name `wide` for such datasets with a hint before this process starts.
        con.execute("CREATE VIEW wide AS SELECT DISTINCT period, geography FROM mff")
        return
    pivot = ", ".join(
        f"sum(value) FILTER (WHERE {_rows_of(source, outlet)}) AS {_ident(name)}" for name, source, outlet in variables
    )
    con.execute(
        f"CREATE VIEW wide AS SELECT period, geography, {pivot} FROM mff GROUP BY ALL ORDER BY period, geography"
    )


def _load_posterior(
    con: duckdb.DuckDBPyConnection, draws: pa.Table, summary: pa.Table, outcome: pa.Table, cross: pa.Table
) -> None:
    """One fit's posterior: ROI and contribution draws as two relations (one measure each, same draw ids, so a
    joint question joins them on channel, chain and draw), its summary rows, and its per-outcome and
    cross-effect summaries (empty for a one-KPI fit)."""
    tables = {"_draws": draws, "_summary": summary, "_outcome": outcome, "_cross": cross}
    for name, table in tables.items():
        con.register(name, table)
    con.execute("CREATE TABLE roi_draws AS SELECT fit_id, channel, chain, draw, roi, mroi FROM _draws")
    con.execute("CREATE TABLE contribution_draws AS SELECT fit_id, channel, chain, draw, contribution FROM _draws")
    con.execute("CREATE TABLE posterior_summary AS SELECT * FROM _summary")
    con.execute("CREATE TABLE outcome_summary AS SELECT * FROM _outcome")
    con.execute("CREATE TABLE cross_effect_summary AS SELECT * FROM _cross")
    for name in tables:
        con.unregister(name)


def _capped(cur: duckdb.DuckDBPyConnection, max_rows: int, max_bytes: int) -> tuple[dict[str, Any], bool]:
    """Up to ``max_rows`` rows and ``max_bytes`` of JSON, whichever comes first; says which limit cut it."""
    rows: list[list[Any]] = []
    size = 0
    while True:
        batch = cur.fetchmany(256)
        if not batch:
            return {"rows": rows, "cut_by": None}, False
        for row in batch:
            cells = [_cell(v) for v in row]
            size += len(json.dumps(cells, default=str))
            if len(rows) >= max_rows:
                return {"rows": rows, "cut_by": "rows"}, True
            if size > max_bytes:
                return {"rows": rows, "cut_by": "bytes"}, True
            rows.append(cells)


def _cell(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return str(value)


def _read_table(stream: BinaryIO) -> pa.Table:
    with pa.ipc.open_stream(stream) as reader:
        return reader.read_all()


def _limit_address_space(limit: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _rows_of(source: str, outlet: str | None) -> str:
    condition = f"variable_name = {_literal(source)}"
    return condition if outlet is None else f"{condition} AND outlet = {_literal(outlet)}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


if __name__ == "__main__":
    main()
