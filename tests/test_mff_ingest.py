"""Ingest of valid files: fingerprints, re-ingest, layouts (BOM, ';', wide, Parquet), atomicity, concurrency."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from test_mff_support import HEADER, mff_lines, store_snapshot, weeks, write_lines

import mmm_core.data.ingest as mff
from mmm_core.data.ingest import ingest
from mmm_core.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store" / "mmm.duckdb")


def test_ingest_reports_the_dataset(store: Store, tmp_path: Path) -> None:
    result = ingest(store, write_lines(tmp_path / "shop.csv", mff_lines(n_weeks=8)))
    assert result.name == "shop" and result.dataset_id.startswith("ds_")
    assert (result.rows, result.periods, result.variables) == (64, 8, 4)
    assert result.frequency == "W" and str(result.period_start) == "2024-01-01"
    assert str(result.period_end) == "2024-02-19"
    assert result.geographies == ["North", "South"] and not result.already_present
    with store.connect() as conn:
        assert conn.execute("SELECT n_rows, frequency FROM datasets").fetchone() == (64, "W")
        assert conn.execute("SELECT count(*) FROM mff_rows").fetchone()[0] == 64
        assert conn.execute("SELECT count(*) FROM variables").fetchone()[0] == 4


def test_fingerprint_ignores_row_order_header_case_and_format(store: Store, tmp_path: Path) -> None:
    lines = mff_lines()
    base = ingest(store, write_lines(tmp_path / "a.csv", lines)).fingerprint
    shuffled = lines[1:]
    random.Random(3).shuffle(shuffled)
    upper = "PERIOD,geography,Product,campaign,OUTLET,Creative,variable name,Variable_Value"
    assert (
        ingest(Store(tmp_path / "s2.duckdb"), write_lines(tmp_path / "b.csv", [upper, *shuffled])).fingerprint == base
    )
    frame = pd.read_csv(tmp_path / "a.csv", keep_default_na=False, dtype={"VariableValue": float})
    frame.sample(frac=1, random_state=1).to_parquet(tmp_path / "c.parquet")
    assert ingest(Store(tmp_path / "s3.duckdb"), tmp_path / "c.parquet").fingerprint == base


def test_parquet_with_typed_columns(store: Store, tmp_path: Path) -> None:
    frame = pd.read_csv(write_lines(tmp_path / "a.csv", mff_lines()), keep_default_na=False)
    frame["Period"] = pd.to_datetime(frame["Period"])
    frame["VariableValue"] = frame["VariableValue"].astype(float)
    frame.to_parquet(tmp_path / "typed.parquet")
    csv_fp = ingest(store, tmp_path / "a.csv").fingerprint
    assert ingest(Store(tmp_path / "t.duckdb"), tmp_path / "typed.parquet").fingerprint == csv_fp


def test_reingest_is_reported_not_duplicated(store: Store, tmp_path: Path) -> None:
    first = ingest(store, write_lines(tmp_path / "a.csv", mff_lines()))
    before = store_snapshot(store)
    again = ingest(store, write_lines(tmp_path / "copy.csv", mff_lines()), name="other")
    assert again.already_present and again.dataset_id == first.dataset_id and again.name == "a"
    assert any("already stored" in w for w in again.warnings)
    assert store_snapshot(store) == before


def test_ragged_variable_is_allowed_and_reported(store: Store, tmp_path: Path) -> None:
    extra = [f"{p},North,,,Radio,,Radio_Spend,5" for p in weeks(8)]
    result = ingest(store, write_lines(tmp_path / "r.csv", [*mff_lines(), *extra]))
    assert result.ragged == ["Radio_Spend"]
    assert any("Radio_Spend" in w for w in result.warnings)


def test_utf8_bom_is_accepted(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join(mff_lines()) + "\n").encode())
    plain = ingest(Store(tmp_path / "p.duckdb"), write_lines(tmp_path / "plain.csv", mff_lines()))
    assert ingest(store, path).fingerprint == plain.fingerprint


def test_semicolon_file_with_decimal_commas_is_read_correctly(store: Store, tmp_path: Path) -> None:
    lines = [row.replace(",", ";") for row in mff_lines()]
    european = [lines[0]] + [row.rsplit(";", 1)[0] + ";" + row.rsplit(";", 1)[1].replace(".", ",") for row in lines[1:]]
    european[3] = european[3].rsplit(";", 1)[0] + ";1.000,0"  # thousands grouping: 1000
    result = ingest(store, write_lines(tmp_path / "eu.csv", european))
    plain = ingest(Store(tmp_path / "p.duckdb"), write_lines(tmp_path / "plain.csv", mff_lines()))
    assert result.fingerprint == plain.fingerprint
    assert any("decimal comma" in w for w in result.warnings)


def test_semicolon_file_with_decimal_points_is_read_correctly(store: Store, tmp_path: Path) -> None:
    lines = [row.replace(",", ";") for row in mff_lines()]
    plain = ingest(Store(tmp_path / "p.duckdb"), write_lines(tmp_path / "plain.csv", mff_lines()))
    assert ingest(store, write_lines(tmp_path / "semi.csv", lines)).fingerprint == plain.fingerprint


def test_dimension_columns_may_be_absent(store: Store, tmp_path: Path) -> None:
    lines = ["Period,VariableName,VariableValue"]
    for i, p in enumerate(weeks(6)):
        lines += [f"{p},TV_Spend,{10 + i}", f"{p},Sales,{100 + i}"]
    result = ingest(store, write_lines(tmp_path / "narrow.csv", lines))
    assert result.geographies == [""] and result.rows == 12
    with store.connect() as conn:
        assert conn.execute("SELECT DISTINCT outlet, product FROM mff_rows").fetchall() == [("", "")]


def test_wide_csv_matches_the_same_content_in_mff(store: Store, tmp_path: Path) -> None:
    wide = ["Date,Region,TV_Spend,Sales"] + [f"{p},North,{10 + i},{100 + i}" for i, p in enumerate(weeks(6))]
    long = [HEADER] + [
        row
        for i, p in enumerate(weeks(6))
        for row in (f"{p},North,,,,,TV_Spend,{10 + i}", f"{p},North,,,,,Sales,{100 + i}")
    ]
    wide_result = ingest(store, write_lines(tmp_path / "wide.csv", wide), fmt="wide")
    long_result = ingest(Store(tmp_path / "l.duckdb"), write_lines(tmp_path / "long.csv", long))
    assert wide_result.fingerprint == long_result.fingerprint
    assert wide_result.rows == 12 and wide_result.geographies == ["North"]


def test_wide_csv_empty_cells_are_unobserved(store: Store, tmp_path: Path) -> None:
    wide = ["week,TV_Spend,Sales,Awareness"] + [
        f"{p},{i},{100 + i},{'0.3' if i % 4 == 0 else ''}" for i, p in enumerate(weeks(12))
    ]
    result = ingest(store, write_lines(tmp_path / "w.csv", wide), fmt="wide")
    assert result.rows == 12 * 2 + 3
    with store.connect() as conn:
        assert conn.execute("SELECT role FROM variables WHERE name = 'Awareness'").fetchone() == ("mediator",)


def test_wide_csv_bad_value_names_its_column(store: Store, tmp_path: Path) -> None:
    wide = ["Date,TV_Spend,Sales"] + [f"{p},{i},{'n/a' if i == 3 else 100}" for i, p in enumerate(weeks(6))]
    with pytest.raises(mff.MFFValidationError) as info:
        ingest(store, write_lines(tmp_path / "w.csv", wide), fmt="wide")
    assert (info.value.code, info.value.row, info.value.column, info.value.value) == ("non_numeric", 5, "Sales", "n/a")


def test_monthly_and_day_first_dates(store: Store, tmp_path: Path) -> None:
    months = [f"15/{m:02d}/2023" for m in range(1, 13)]  # only day-first reads 15/01/2023
    lines = ["Period,VariableName,VariableValue"] + [
        r for i, d in enumerate(months) for r in (f"{d},TV_Spend,{i}", f"{d},Sales,{i * 2}")
    ]
    result = ingest(store, write_lines(tmp_path / "m.csv", lines))
    assert result.frequency == "M" and result.periods == 12
    assert str(result.period_start) == "2023-01-15" and str(result.period_end) == "2023-12-15"


def test_crash_inside_the_transaction_leaves_store_unchanged(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(store, write_lines(tmp_path / "first.csv", mff_lines(n_weeks=6)))
    before = store_snapshot(store)

    def crash(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(mff, "_insert_variables", crash)  # after datasets and mff_rows were written
    with pytest.raises(RuntimeError):
        ingest(store, write_lines(tmp_path / "second.csv", mff_lines(n_weeks=9)))
    assert store_snapshot(store) == before


def test_two_processes_ingest_into_one_store(tmp_path: Path) -> None:
    store_path = tmp_path / "shared" / "mmm.duckdb"
    Store(store_path)
    files = [write_lines(tmp_path / f"f{n}.csv", mff_lines(n_weeks=n)) for n in (30, 31)]
    code = (
        "import sys; from mmm_core.store import Store; from mmm_core.data.ingest import ingest; "
        "print(ingest(Store(sys.argv[1]), sys.argv[2]).dataset_id)"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(store_path), str(f)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    with Store(store_path).connect() as conn:
        names = sorted(r[0] for r in conn.execute("SELECT name FROM datasets").fetchall())
    assert names == ["f30", "f31"]


def test_crlf_and_tab_delimited_files(store: Store, tmp_path: Path) -> None:
    plain = ingest(Store(tmp_path / "p.duckdb"), write_lines(tmp_path / "plain.csv", mff_lines())).fingerprint
    (tmp_path / "crlf.csv").write_bytes(("\r\n".join(mff_lines()) + "\r\n").encode())
    assert ingest(store, tmp_path / "crlf.csv").fingerprint == plain
    tabbed = write_lines(tmp_path / "tab.tsv", [row.replace(",", "\t") for row in mff_lines()])
    assert ingest(Store(tmp_path / "t.duckdb"), tabbed).fingerprint == plain


def test_line_numbers_count_blank_lines(store: Store, tmp_path: Path) -> None:
    lines = mff_lines()
    lines = [*lines[:5], "", "", *lines[5:]]
    lines[20] = lines[20].rsplit(",", 1)[0] + ",oops"  # file line 21, after two blank lines
    with pytest.raises(mff.MFFValidationError) as info:
        ingest(store, write_lines(tmp_path / "b.csv", lines))
    assert (info.value.code, info.value.row, info.value.value) == ("non_numeric", 21, "oops")
