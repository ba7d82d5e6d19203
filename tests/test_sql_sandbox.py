"""Read-only SQL: every refusal case is enforced by DuckDB (statement type, external access), plus limits."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from mmm_core.data import sql_sandbox
from mmm_core.data.sql_sandbox import query
from mmm_core.errors import QueryLimitError, QueryRefusedError
from mmm_core.store import Store


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "mmm.duckdb")
    rows = [
        ("2024-01-01", "", "TV", "TV_Spend", 10.0),
        ("2024-01-08", "", "TV", "TV_Spend", 12.0),
        ("2024-01-01", "", "", "Sales", 100.0),
        ("2024-01-08", "", "", "Sales", 120.0),
    ]
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO datasets VALUES ('ds_1', 'demo', 'fp', 'x', 'mff', 4, 'W', '2024-01-01', '2024-01-08', now())"
        )
        for period, geo, outlet, name, value in rows:
            conn.execute(
                "INSERT INTO mff_rows VALUES ('ds_1', ?, ?, '', '', ?, '', ?, ?)", [period, geo, outlet, name, value]
            )
        conn.execute(
            "INSERT INTO variables (dataset_id, name, role, channel, coverage, n_obs, geo_coverage, ragged, total) "
            "VALUES ('ds_1', 'TV_Spend', 'media', 'TV', 1, 2, 1, false, 22), "
            "('ds_1', 'Sales', 'kpi', NULL, 1, 2, 1, false, 220)"
        )
    return store


def test_select_over_the_views(store: Store) -> None:
    wide = query(store, "demo", "SELECT period, Sales, TV_Spend FROM wide ORDER BY period")
    assert wide["columns"] == ["period", "Sales", "TV_Spend"]
    assert wide["rows"] == [["2024-01-01", 100.0, 10.0], ["2024-01-08", 120.0, 12.0]]
    roles = query(store, "ds_1", "SELECT name, role FROM variables ORDER BY name")
    assert roles["rows"] == [["Sales", "kpi"], ["TV_Spend", "media"]]


@pytest.mark.parametrize(
    "sql, kind",
    [
        ("INSERT INTO mff SELECT * FROM mff", "INSERT"),
        ("UPDATE mff SET value = 0", "UPDATE"),
        ("DELETE FROM mff", "DELETE"),
        ("CREATE TABLE x AS SELECT 1", "CREATE"),
        ("DROP TABLE mff", "DROP"),
        ("ALTER TABLE mff ADD COLUMN z INT", "ALTER"),
        ("ATTACH '/tmp/other.duckdb'", "ATTACH"),
        ("DETACH memory", "DETACH"),
        ("COPY mff TO '/tmp/out.csv'", "COPY"),
        ("EXPORT DATABASE '/tmp/exp'", "EXPORT"),
        ("INSTALL httpfs", "LOAD"),
        ("LOAD httpfs", "LOAD"),
        ("SET threads = 1", "SET"),
        ("PRAGMA version", "PRAGMA"),
        ("CALL pragma_version()", "CALL"),
    ],
)
def test_non_select_statements_are_refused_by_type(store: Store, sql: str, kind: str) -> None:
    with pytest.raises(QueryRefusedError) as err:
        query(store, "demo", sql)
    assert f"{kind} statement" in err.value.message
    assert err.value.code == "query_refused"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_csv_auto('/etc/hostname')",
        "SELECT * FROM read_parquet('https://example.com/x.parquet')",
        "SELECT * FROM read_json('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM sniff_csv('/etc/passwd')",
    ],
)
def test_file_and_url_functions_are_refused_by_duckdb(store: Store, sql: str) -> None:
    with pytest.raises(QueryRefusedError) as err:
        query(store, "demo", sql)
    assert "outside the dataset" in err.value.message


def test_replacement_scan_of_a_file_path_is_refused(store: Store) -> None:
    # A quoted path is never read: a known file extension is refused by DuckDB, another is an unknown table.
    with pytest.raises(QueryRefusedError, match="outside the dataset"):
        query(store, "demo", "SELECT * FROM '/etc/passwd.csv'")
    with pytest.raises(QueryRefusedError, match="does not exist"):
        query(store, "demo", "SELECT * FROM '/etc/passwd'")


def test_multiple_statements_refused(store: Store) -> None:
    with pytest.raises(QueryRefusedError, match="Exactly one statement"):
        query(store, "demo", "SELECT 1; DROP TABLE mff")


def test_the_store_itself_is_not_reachable(store: Store) -> None:
    # The sandbox holds a copy of one dataset; other tables of the store do not exist there.
    with pytest.raises(QueryRefusedError):
        query(store, "demo", "SELECT * FROM specs")
    databases = query(store, "demo", "SELECT path FROM duckdb_databases() WHERE path IS NOT NULL")
    assert str(store.path) not in str(databases["rows"])


def test_row_limit_truncates(store: Store) -> None:
    result = query(store, "demo", "SELECT * FROM range(50)", max_rows=10)
    assert len(result["rows"]) == 10 and result["truncated"] is True


def test_time_limit_interrupts(store: Store) -> None:
    with pytest.raises(QueryLimitError, match="limit"):
        query(store, "demo", "SELECT count(*) FROM range(1000000000) a, range(100000) b", timeout_s=0.5)


def test_syntax_error_is_reported(store: Store) -> None:
    with pytest.raises(QueryRefusedError) as err:
        query(store, "demo", "SELEC 1")
    assert err.value.code == "query_syntax"


def test_runaway_allocation_is_stopped_by_the_memory_wall(store: Store) -> None:
    # DuckDB's buffer limit does not bound this list, and interrupt() does not stop it: only the child's
    # address-space limit does, well inside the time limit.
    started = time.monotonic()
    with pytest.raises(QueryLimitError, match="memory limit") as err:
        query(store, "demo", "SELECT len(range(3000000000))", timeout_s=20, memory_bytes=256 * 1024**2)
    assert time.monotonic() - started < 20
    assert "Narrow it" in err.value.hint


def test_large_aggregation_is_stopped_by_the_memory_limit(store: Store) -> None:
    with pytest.raises(QueryLimitError, match="memory limit"):
        query(
            store, "demo", "SELECT string_agg(repeat('x', 1000), ',') FROM range(10000000)", memory_bytes=128 * 1024**2
        )


def test_results_are_capped_in_bytes(store: Store) -> None:
    out = query(store, "demo", "SELECT repeat('x', 10000) FROM range(100)", max_bytes=50_000)
    assert out["truncated"] is True and out["byte_limit"] == 50_000
    assert 0 < len(out["rows"]) < 10


def test_the_callers_temp_folder_is_not_readable(store: Store, tmp_path: Path, monkeypatch) -> None:
    # DuckDB lets a locked connection read its temp directory (by default <cwd>/.tmp): spilling is off in the
    # sandbox, and the child runs in an empty folder of its own.
    (tmp_path / ".tmp").mkdir()
    (tmp_path / ".tmp" / "secret.csv").write_text("a\n1\n")
    monkeypatch.chdir(tmp_path)
    for sql in ("SELECT * FROM read_csv('.tmp/secret.csv')", f"SELECT * FROM read_csv('{tmp_path}/.tmp/secret.csv')"):
        with pytest.raises(QueryRefusedError):
            query(store, "demo", sql)


def test_a_very_wide_dataset_gets_no_wide_view(store: Store, monkeypatch) -> None:
    monkeypatch.setattr(sql_sandbox, "MAX_WIDE_COLUMNS", 1)
    with pytest.raises(QueryRefusedError, match="variables") as err:
        query(store, "demo", "SELECT * FROM wide LIMIT 1")
    assert "mff" in err.value.hint
    # The long rows stay queryable, and a string that merely says 'wide' is not a reference to the view.
    assert query(store, "demo", "SELECT count(*) AS n, 'wide' AS label FROM mff")["rows"] == [[4, "wide"]]


def test_wide_keeps_one_column_per_outlet_when_the_variable_name_is_shared(tmp_path: Path) -> None:
    from mmm_core.data.ingest import ingest

    lines = ["Period,Geography,Product,Campaign,Outlet,Creative,VariableName,VariableValue"]
    for week in range(12):
        day = (dt.date(2024, 1, 1) + dt.timedelta(weeks=week)).isoformat()
        lines += [f"{day},,,,TV,,Spend,{100 + week}", f"{day},,,,Search,,Spend,{10 + week}", f"{day},,,,,,Sales,1000"]
    path = tmp_path / "outlets.csv"
    path.write_text("\n".join(lines) + "\n")
    store = Store(tmp_path / "mmm.duckdb")
    dataset = ingest(store, path, name="outlets").dataset_id
    names = [r[0] for r in query(store, dataset, "SELECT name FROM variables WHERE role = 'media' ORDER BY 1")["rows"]]
    assert len(names) == 2
    columns = ", ".join(f'"{n}"' for n in names)
    out = query(store, dataset, f"SELECT {columns} FROM wide ORDER BY period LIMIT 1")
    assert sorted(out["rows"][0]) == [10.0, 100.0]  # one column per outlet, never the 110 of a summed `Spend`
