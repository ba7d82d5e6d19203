"""Hostile or unlucky files at ingest (issue 14, item 6), through the real CLI where the user would meet them.

A full disk is a disk-full error with a hint and stores nothing; long lines are not "truncated"; a value whose sum
overflows is refused; a list-typed Parquet column is refused; a file that is not an MFF (a symlink to a system
file, a CSV of secrets) is refused without quoting a byte of it.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from agent.cli.main import main
from mmm_core.data import ingest as ingest_module
from mmm_core.data.ingest import ingest
from mmm_core.store import Store

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo_national.csv"


def _cli(capsys, store: Path, *argv: str) -> tuple[int, dict, str]:
    capsys.readouterr()
    code = main(["--store", str(store), *argv, "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def _counts(store: Path) -> tuple[int, int, int]:
    with Store(store).connect() as conn:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("datasets", "mff_rows", "variables")
        )


def test_disk_full_ingest_is_a_disk_full_error_and_stores_nothing(capsys, tmp_path: Path, monkeypatch) -> None:
    store = tmp_path / "store" / "mmm.duckdb"
    real = ingest_module._insert_variables

    def full_after_rows(conn, dataset_id, roles):  # rows are in, then the disk fills (DuckDB's own wording)
        real(conn, dataset_id, roles)
        raise duckdb.IOException(f'Could not write file "{store}.wal": No space left on device')

    monkeypatch.setattr(ingest_module, "_insert_variables", full_after_rows)
    code, payload, _ = _cli(capsys, store, "ingest", str(DEMO))
    error = payload["error"]
    assert code == 2 and error["code"] == "disk_full", error
    assert "No space left on device" in error["message"] and "Nothing was stored" in error["message"]
    assert "df -h" in error["hint"] and "bug" not in error["hint"]
    assert _counts(store) == (0, 0, 0)


def test_lines_longer_than_64_kib_are_not_refused_as_truncated(tmp_path: Path) -> None:
    frame = pd.read_csv(DEMO, keep_default_na=False, dtype=str)
    long_campaign = "Spring-" + "x" * 70_000
    frame.loc[frame.index[-1], "Campaign"] = long_campaign  # the last line is 70 KB long
    path = tmp_path / "long_last_line.csv"
    frame.to_csv(path, index=False)
    store = Store(tmp_path / "s" / "mmm.duckdb")
    result = ingest(store, path, name="long")
    with store.connect() as conn:
        stored = conn.execute("SELECT max(length(campaign)) FROM mff_rows").fetchone()[0]
    assert result.rows == len(frame) and stored == len(long_campaign)


def test_a_wide_header_longer_than_64_kib_is_read_whole(tmp_path: Path) -> None:
    periods = pd.date_range("2024-01-01", periods=12, freq="W-MON").strftime("%Y-%m-%d")
    columns = {"Date": periods, "Sales": [100.0 + i for i in range(12)], "TV_Spend": [10.0] * 12}
    controls = {f"Control_with_a_rather_long_name_{i:05d}": [float(i % 7 + j) for j in range(12)] for i in range(2500)}
    frame = pd.DataFrame({**columns, **controls})
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    header_bytes = len(path.read_text().splitlines()[0])
    assert header_bytes > 65536
    result = ingest(Store(tmp_path / "s" / "mmm.duckdb"), path, name="wide", fmt="wide")
    assert result.variables == 2502


@pytest.mark.parametrize("value", ["1.7e308", "-2e18", "1e19"])
def test_a_value_whose_sum_overflows_is_refused_at_ingest(capsys, tmp_path: Path, value: str) -> None:
    text = DEMO.read_text().splitlines()
    at = next(i for i, line in enumerate(text) if ",Search_Spend," in line)
    text[at] = text[at].rsplit(",", 1)[0] + "," + value
    path = tmp_path / "huge.csv"
    path.write_text("\n".join(text) + "\n")
    store = tmp_path / "s" / "mmm.duckdb"
    code, payload, _ = _cli(capsys, store, "ingest", str(path))
    error = payload["error"]
    assert code == 2 and error["code"] == "value_out_of_range", error
    assert f"line {at + 1}" in error["message"] and "Search_Spend" in error["message"]
    assert _counts(store) == (0, 0, 0)


def test_a_list_typed_parquet_variable_name_is_refused_never_stored_as_a_list(capsys, tmp_path: Path) -> None:
    frame = pd.read_csv(DEMO, keep_default_na=False)
    table = pa.table(
        {
            "Period": frame["Period"],
            "VariableName": pa.array([[v] for v in frame["VariableName"]], type=pa.list_(pa.string())),
            "VariableValue": frame["VariableValue"],
        }
    )
    path = tmp_path / "listy.parquet"
    pq.write_table(table, path)
    store = tmp_path / "s" / "mmm.duckdb"
    code, payload, _ = _cli(capsys, store, "ingest", str(path))
    assert code == 2 and payload["error"]["code"] == "nested_column", payload
    assert "VariableName" in payload["error"]["message"]
    assert _counts(store) == (0, 0, 0)


def test_a_dictionary_encoded_parquet_variable_name_is_stored_as_text(tmp_path: Path) -> None:
    frame = pd.read_csv(DEMO, keep_default_na=False)[["Period", "VariableName", "VariableValue"]]
    frame["VariableName"] = frame["VariableName"].astype("category")
    path = tmp_path / "categorical.parquet"
    frame.to_parquet(path, index=False)
    store = Store(tmp_path / "s" / "mmm.duckdb")
    ingest(store, path, name="cat")
    with store.connect() as conn:
        names = {r[0] for r in conn.execute("SELECT DISTINCT variable_name FROM mff_rows").fetchall()}
    assert "Sales" in names and not any("[" in n for n in names)


SECRET_LINES = [
    "root:x:0:0:s3cr3t-token-9f2a:/root:/bin/bash",  # a passwd-like file: no delimiter at all
    "user,password\nadmin,hunter2-9f2a",  # a CSV, but not an MFF
    'api_key;value\nprod;"unterminated-9f2a',  # a CSV with an open quote, which used to quote its last line
    "Period,Secret-9f2a\n2024-01-01,x",  # some columns, none an MFF value column
]


@pytest.mark.parametrize("content", SECRET_LINES)
def test_a_refused_non_mff_file_is_never_quoted(capsys, tmp_path: Path, content: str) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(content + "\n")
    link = tmp_path / "data.csv"
    link.symlink_to(secret_file)  # the attack: a symlink named like data
    code, payload, err = _cli(capsys, tmp_path / "s" / "mmm.duckdb", "ingest", str(link))
    assert code == 2, payload
    said = json.dumps(payload) + err
    assert "9f2a" not in said and "hunter2" not in said and "root:x" not in said, said


def test_a_real_system_file_through_a_symlink_is_not_echoed(capsys, tmp_path: Path) -> None:
    system = Path("/etc/passwd")
    if not system.is_file():
        pytest.skip("no /etc/passwd here")
    link = tmp_path / "sales.csv"
    link.symlink_to(system)
    code, payload, err = _cli(capsys, tmp_path / "s" / "mmm.duckdb", "ingest", str(link))
    first = system.read_text().splitlines()[0]
    assert code == 2 and first not in json.dumps(payload) + err and first[:12] not in json.dumps(payload) + err


def test_any_command_meeting_a_full_disk_says_so_instead_of_reporting_a_bug(capsys, tmp_path, monkeypatch) -> None:
    def full(*_args, **_kwargs):
        raise duckdb.TransactionException('Failed to commit: Could not write file "s.wal": No space left on device')

    monkeypatch.setattr("mmm_core.data.queries.list_datasets", full)
    code, payload, err = _cli(capsys, tmp_path / "s" / "mmm.duckdb", "datasets")
    assert code == 2 and payload["error"]["code"] == "disk_full" and "df -h" in payload["error"]["hint"]
    assert "Traceback" not in err
