"""One test per ingest validation rule: the error code, the exact problem named, and the store untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_mff_support import HEADER, file_digest, mff_lines, store_snapshot, weeks, write_lines

from mmm_core.data.ingest import ingest
from mmm_core.errors import MFFValidationError
from mmm_core.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """A store that already holds one dataset, so 'unchanged' is a real claim."""
    s = Store(tmp_path / "store" / "mmm.duckdb")
    ingest(s, write_lines(tmp_path / "good.csv", mff_lines()))
    return s


def refuse(store: Store, path: Path, code: str, *fragments: str, **kwargs) -> MFFValidationError:
    """Ingest must fail with ``code``, name every fragment, and leave the store file as it was."""
    before, digest = store_snapshot(store), file_digest(store.path)
    with pytest.raises(MFFValidationError) as info:
        ingest(store, path, **kwargs)
    err = info.value
    assert err.code == code, f"{err.code}: {err}"
    text = f"{err.message} {err.hint}"
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert err.hint, "every refusal names the fix"
    assert file_digest(store.path) == digest
    assert store_snapshot(store) == before
    return err


def with_line(lines: list[str], index: int, new: str) -> list[str]:
    """Replace line ``index`` (0-based; file line index + 1)."""
    return [*lines[:index], new, *lines[index + 1 :]]


def test_empty_file(store: Store, tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"")
    refuse(store, tmp_path / "e.csv", "empty_file", "e.csv", "0 bytes")


def test_header_only(store: Store, tmp_path: Path) -> None:
    err = refuse(store, write_lines(tmp_path / "h.csv", [HEADER]), "header_only", "h.csv", "no data rows")
    assert err.row == 1


def test_file_over_size_limit(store: Store, tmp_path: Path) -> None:
    path = write_lines(tmp_path / "big.csv", mff_lines())
    refuse(store, path, "file_too_large", "big.csv", "limit of 1,000 bytes", max_bytes=1000)


def test_size_limit_from_environment(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMM_AGENT_MAX_FILE_BYTES", "500")
    refuse(store, write_lines(tmp_path / "big.csv", mff_lines()), "file_too_large", "limit of 500 bytes")


def test_missing_column(store: Store, tmp_path: Path) -> None:
    lines = [",".join(row.split(",")[:7]) for row in mff_lines()]
    err = refuse(store, write_lines(tmp_path / "m.csv", lines), "missing_column", "VariableValue", "line 1")
    assert err.column == "VariableValue"


def test_unknown_column(store: Store, tmp_path: Path) -> None:
    lines = [row + (",Notes" if i == 0 else ",x") for i, row in enumerate(mff_lines())]
    err = refuse(store, write_lines(tmp_path / "u.csv", lines), "unknown_column", "'Notes' (column 9)")
    assert err.column == "Notes"


def test_duplicate_column(store: Store, tmp_path: Path) -> None:
    lines = [row + (",variable name" if i == 0 else ",x") for i, row in enumerate(mff_lines())]
    refuse(store, write_lines(tmp_path / "d.csv", lines), "duplicate_column", "VariableName", "variable name")


def test_unparseable_period(store: Store, tmp_path: Path) -> None:
    lines = mff_lines()
    bad = with_line(lines, 6, "2024-13-45,North,,,,,Sales,1000")
    err = refuse(
        store,
        write_lines(tmp_path / "p.csv", bad),
        "unparseable_period",
        "line 7",
        "Period",
        "'2024-13-45'",
        "YYYY-MM-DD",
    )
    assert (err.row, err.column, err.value) == (7, "Period", "2024-13-45")


def test_ambiguous_day_month_order(store: Store, tmp_path: Path) -> None:
    months = [f"01/{m:02d}/2023" for m in range(1, 13)]  # 1 Jan..1 Dec, or 1 Jan..12 Jan?
    lines = ["Period,VariableName,VariableValue"] + [
        r for i, d in enumerate(months) for r in (f"{d},TV_Spend,{i}", f"{d},Sales,{i * 2}")
    ]
    err = refuse(
        store,
        write_lines(tmp_path / "a.csv", lines),
        "ambiguous_period",
        "line 4",
        "'01/02/2023'",
        "day/month or month/day",
        "YYYY-MM-DD",
    )
    assert err.row == 4


def test_mixed_frequency_monthly_dates_in_weekly_data(store: Store, tmp_path: Path) -> None:
    # A monthly survey dated on the 1st of February (a Thursday) among Monday weeks.
    lines = [*mff_lines(), "2024-02-01,North,,,,,Awareness,0.31"]
    err = refuse(store, write_lines(tmp_path / "f.csv", lines), "mixed_frequency", "line 66", "2024-02-01", "Thursday")
    assert err.row == 66


def test_irregular_frequency(store: Store, tmp_path: Path) -> None:
    dates = ["2024-01-01", "2024-01-04", "2024-01-14", "2024-01-19", "2024-02-02"]
    lines = [HEADER] + [f"{d},,,,,,Sales,{i}" for i, d in enumerate(dates)] + [f"{d},,,,,,TV_Spend,1" for d in dates]
    refuse(
        store,
        write_lines(tmp_path / "i.csv", lines),
        "irregular_frequency",
        "i.csv",
        "Period",
        "2024-01-14",
        "10 day(s)",
    )


def test_period_gap_names_missing_period(store: Store, tmp_path: Path) -> None:
    missing = weeks(8)[3]
    lines = [row for row in mff_lines() if not row.startswith(missing)]
    err = refuse(store, write_lines(tmp_path / "g.csv", lines), "period_gap", f"no row for period {missing}", "weekly")
    assert err.value == missing


def test_non_numeric_value(store: Store, tmp_path: Path) -> None:
    bad = with_line(mff_lines(), 10, f"{weeks(8)[2]},North,,,,,Sales,abc")
    err = refuse(
        store, write_lines(tmp_path / "n.csv", bad), "non_numeric", "line 11", "VariableValue", "'abc'", "Sales"
    )
    assert (err.row, err.column, err.value) == (11, "VariableValue", "abc")


def test_empty_value(store: Store, tmp_path: Path) -> None:
    bad = with_line(mff_lines(), 10, f"{weeks(8)[2]},North,,,,,Sales,")
    refuse(store, write_lines(tmp_path / "v.csv", bad), "missing_value", "line 11", "is empty")


@pytest.mark.parametrize("token", ["NaN", "inf", "-Infinity"])
def test_nan_and_inf(store: Store, tmp_path: Path, token: str) -> None:
    bad = with_line(mff_lines(), 12, f"{weeks(8)[2]},North,,,,,Price,{token}")
    err = refuse(store, write_lines(tmp_path / "x.csv", bad), "non_finite", "line 13", f"'{token}'")
    assert err.row == 13


def test_duplicate_key_names_both_lines(store: Store, tmp_path: Path) -> None:
    lines = mff_lines()
    lines.append(lines[3].replace(",1000", ",1234"))  # Sales, North, first week again
    err = refuse(
        store,
        write_lines(tmp_path / "k.csv", lines),
        "duplicate_key",
        "lines 4",
        "and 66",
        "'Sales'",
        "2024-01-01",
        "Keep one row",
    )
    assert err.row == 4


def test_negative_spend(store: Store, tmp_path: Path) -> None:
    bad = with_line(mff_lines(), 5, f"{weeks(8)[1]},North,,,TV,,TV_Spend,-5")
    err = refuse(store, write_lines(tmp_path / "s.csv", bad), "negative_spend", "line 6", "-5", "TV_Spend")
    assert err.row == 6


def test_no_kpi_candidate(store: Store, tmp_path: Path) -> None:
    lines = [row for row in mff_lines() if ",Sales," not in row and ",Price," not in row]
    refuse(store, write_lines(tmp_path / "k.csv", lines), "no_kpi_candidate", "every variable is media", "TV_Spend")


def test_truncated_last_line_fewer_fields(store: Store, tmp_path: Path) -> None:
    lines = mff_lines()
    lines[-1] = lines[-1][:15]
    err = refuse(
        store,
        write_lines(tmp_path / "t.csv", lines, newline_at_end=False),
        "truncated_last_line",
        f"last line {len(lines)}",
        "2 field(s)",
    )
    assert err.row == len(lines)


def test_truncated_last_line_unterminated_quote(store: Store, tmp_path: Path) -> None:
    lines = [*mff_lines(), f'{weeks(8)[0]},"West,,,,,Sales,1']
    refuse(
        store,
        write_lines(tmp_path / "q.csv", lines, newline_at_end=False),
        "truncated_last_line",
        "never closed",
        f"line {len(lines)}",
    )


def test_wrong_field_count_in_the_middle(store: Store, tmp_path: Path) -> None:
    bad = with_line(mff_lines(), 20, f"{weeks(8)[4]},North,,,,,Sales,1,extra")
    err = refuse(store, write_lines(tmp_path / "w.csv", bad), "wrong_field_count", "line 21", "9 field(s)")
    assert err.row == 21


def test_non_utf8_names_byte_offset_and_line(store: Store, tmp_path: Path) -> None:
    text = "\n".join(with_line(mff_lines(), 3, f"{weeks(8)[0]},M\u00fcnchen,,,,,Sales,1")) + "\n"
    data = text.encode("latin-1")
    offset = data.index(b"\xfc")
    path = tmp_path / "l.csv"
    path.write_bytes(data)
    err = refuse(store, path, "not_utf8", f"byte offset {offset}", "line 4", "0xfc", "UTF-8")
    assert err.row == 4


def test_binary_garbage(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes((HEADER + "\n").encode() + bytes(range(256)) * 20)
    refuse(store, path, "binary_file", "garbage.csv", "binary")


def test_excel_workbook_named_csv(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 200)
    refuse(store, path, "binary_file", "Excel")


def test_missing_variable_name(store: Store, tmp_path: Path) -> None:
    bad = with_line(mff_lines(), 8, f"{weeks(8)[1]},North,,,,,,3")
    refuse(store, write_lines(tmp_path / "mv.csv", bad), "missing_variable_name", "line 9", "VariableName")


def test_semicolon_file_with_mixed_decimal_separators_is_refused(store: Store, tmp_path: Path) -> None:
    lines = [row.replace(",", ";") for row in mff_lines()]
    lines = [row.replace(";1000", ";1000,5") if i == 3 else row for i, row in enumerate(lines)]  # 9.99 elsewhere
    refuse(store, write_lines(tmp_path / "eu.csv", lines), "ambiguous_decimal", "line 3", "'50.0'", "decimal commas")


def test_missing_file(store: Store, tmp_path: Path) -> None:
    refuse(store, tmp_path / "nope.csv", "file_not_found", "nope.csv")


def test_period_with_time_of_day(store: Store, tmp_path: Path) -> None:
    bad = with_line(mff_lines(), 2, f"{weeks(8)[0]} 13:30,North,,,,,Search_Spend,50")
    err = refuse(store, write_lines(tmp_path / "tm.csv", bad), "unparseable_period", "line 3", "time of day")
    assert err.row == 3


def test_semicolon_file_with_only_thousands_like_dots_is_refused(store: Store, tmp_path: Path) -> None:
    lines = ["Period;VariableName;VariableValue"]
    for i, p in enumerate(weeks(6)):
        lines += [f"{p};TV_Spend;{i + 1}.500", f"{p};Sales;12"]  # 1.500 = 1500 or 1.5?
    refuse(store, write_lines(tmp_path / "dots.csv", lines), "ambiguous_decimal", "line 2", "'1.500'", "thousands")


def test_decimal_comma_in_comma_file_is_refused_not_misread(store: Store, tmp_path: Path) -> None:
    bad = with_line(mff_lines(), 4, f"{weeks(8)[0]},North,,,,,Price,9,99")
    refuse(store, write_lines(tmp_path / "dc.csv", bad), "wrong_field_count", "line 5", "decimal comma")
