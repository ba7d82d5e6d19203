"""Reading an MFF file into a raw frame of strings, refusing files that are not what they claim to be.

Everything here happens before a single value is interpreted: after the byte-level checks of
:mod:`mmm_core.data.file_scan` (size, empty and binary files, UTF-8), the delimiter, a truncated last line, the
header. The result is a :class:`RawFrame` — the eight MFF columns as
strings (or already-typed columns from Parquet) plus the file line of each row, so that every later complaint
can name the exact line.

Line numbers are 1-based with the header on line 1; they assume no line breaks inside quoted fields. For
Parquet files, "row" is the 1-based record number.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from mmm_core.data.file_scan import ByteScan, scan_bytes
from mmm_core.data.frame import (
    DIMENSION_COLUMNS,
    FRAME_NAMES,
    MFF_COLUMNS,
    REQUIRED_COLUMNS,
    RawFrame,
    normalise_header,
)
from mmm_core.data.wide import wide_to_long
from mmm_core.errors import MFFValidationError

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def read_csv_raw(path: Path, fmt: str) -> RawFrame:
    """Read a CSV file (MFF long or wide) into strings after the byte-level checks."""
    scan = scan_bytes(path)
    delimiter = _sniff_delimiter(scan.header_line, path)
    header = _parse_line(scan.header_line, delimiter)
    if fmt == "mff":  # the format sniff: nothing of a file that is not an MFF is ever quoted back
        _map_mff_header(header, str(path))
    _check_last_line(scan, header, delimiter, path)
    table = _read_table(path, header, delimiter, scan)
    if table.num_rows == 0:
        raise MFFValidationError(
            f"File {path.name} has a header but no data rows.",
            "Export the data rows too; line 1 is the only line.",
            code="header_only",
            file=str(path),
            row=1,
        )
    frame = table.to_pandas()
    lines = _line_numbers(len(frame), scan.blank_lines)
    warnings = [] if delimiter == "," else [f"Read as a {_DELIMITER_NAMES[delimiter]}-delimited file."]
    if not scan.ends_with_newline:  # a cut inside the last value ('9.' for '9.99') would look valid
        warnings.append(f"The file does not end with a line break; check that line {scan.last_line_no} is complete.")
    if fmt == "wide":
        return wide_to_long(frame, lines, str(path), delimiter == ";", warnings)
    return _long_raw(frame, lines, str(path), decimal_comma=delimiter == ";", warnings=warnings)


def read_parquet_raw(path: Path, fmt: str) -> RawFrame:
    """Read an MFF Parquet file; typed columns (dates, floats) are kept as they are."""
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise MFFValidationError(
            f"File {path.name} is not a readable Parquet file: {exc}",
            "Write it again with pandas.DataFrame.to_parquet or pyarrow.",
            code="binary_file",
            file=str(path),
        ) from exc
    _refuse_nested_columns(table, path)
    if table.num_rows == 0:
        raise MFFValidationError(
            f"File {path.name} has columns but no rows.", "Write the data rows too.", code="header_only", file=str(path)
        )
    frame = table.to_pandas()
    frame.columns = [str(c) for c in frame.columns]
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    if fmt == "wide":
        return wide_to_long(frame.astype(str).where(frame.notna(), ""), lines, str(path), False, [])
    return _long_raw(frame, lines, str(path), decimal_comma=False, warnings=[])


def _refuse_nested_columns(table: pa.Table, path: Path) -> None:
    """A list, struct, map or binary column would turn into text like "['Sales']" or "b'TV'": refuse it."""
    for field in table.schema:
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if pa.types.is_nested(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            raise MFFValidationError(
                f"File {path.name}: column '{_short(field.name)}' holds {kind} values; MFF cells are plain text, "
                "numbers or dates.",
                "Write the column as strings (e.g. df[col] = df[col].str[0] for one-element lists) and save again.",
                code="nested_column",
                file=str(path),
                row=1,
                column=field.name,
            )


def _long_raw(
    frame: pd.DataFrame, lines: np.ndarray, file: str, *, decimal_comma: bool, warnings: list[str]
) -> RawFrame:
    headers = _map_mff_header(list(frame.columns), file)
    out = pd.DataFrame({FRAME_NAMES[c]: frame[h] for c, h in headers.items()})
    for dim in DIMENSION_COLUMNS:  # absent dimension columns mean "not broken down by this dimension"
        name = FRAME_NAMES[dim]
        out[name] = "" if name not in out else _clean_text(out[name])
    out["variable_name"] = _clean_text(out["variable_name"])
    out["line"] = lines
    return RawFrame(out, file, "mff", headers, decimal_comma, warnings)


def _clean_text(series: pd.Series) -> pd.Series:
    """Dimension and variable names as trimmed strings; missing cells become ''."""
    if not pd.api.types.is_string_dtype(series):  # Parquet may hold numbers or all-null columns here
        series = series.astype(object).where(series.notna(), "")
    return series.fillna("").astype(str).str.strip()


def _map_mff_header(columns: list[str], file: str) -> dict[str, str]:
    """Canonical column -> the file's header for it; refuses unknown, duplicated or missing columns."""
    known = {normalise_header(c): c for c in MFF_COLUMNS}
    mapping: dict[str, str] = {}
    unknown = []
    for position, header in enumerate(columns, start=1):
        canonical = known.get(normalise_header(header))
        if canonical is None:
            unknown.append(f"'{_short(header)}' (column {position})")
        elif canonical in mapping:
            raise MFFValidationError(
                f"{_name(file)}: columns '{mapping[canonical]}' and '{header}' both mean {canonical}.",
                "Keep one of them.",
                code="duplicate_column",
                file=file,
                row=1,
                column=header,
            )
        else:
            mapping[canonical] = header
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping]
    if missing:  # the format sniff failed: name our columns, quote nothing of the file's (it may be any file)
        found = f"recognised: {', '.join(mapping)}" if mapping else "none of them is an MFF column"
        raise MFFValidationError(
            f"{_name(file)}: line 1 is not an MFF header: required column(s) {', '.join(missing)} missing "
            f"({len(columns)} field(s), {found}).",
            "Add the missing column(s); Period, VariableName and VariableValue are required, the dimension "
            "columns Geography, Product, Campaign, Outlet, Creative are optional (use --format wide for one "
            "column per variable).",
            code="missing_column" if mapping else "not_mff",
            file=file,
            row=1,
            column=missing[0],
        )
    if unknown:  # an MFF header with extra columns: quoting their (shortened) names is what the user needs
        raise MFFValidationError(
            f"{_name(file)}: unknown column(s) {', '.join(unknown)} in the header on line 1.",
            f"An MFF file has only the columns {', '.join(MFF_COLUMNS)}; remove or rename the others "
            "(use --format wide for one column per variable).",
            code="unknown_column",
            file=file,
            row=1,
            column=unknown[0].split("'")[1],
        )
    return mapping


def _sniff_delimiter(header_line: str, path: Path) -> str:
    """The delimiter is the most frequent of , ; TAB in the header; it decides how every line is split."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:  # not a CSV header: say so without quoting the file (it may be anything)
        raise MFFValidationError(
            f"{path.name}: line 1 ({len(header_line)} characters) has no comma, semicolon or tab; it is not a CSV "
            "header.",
            "Use a comma-separated header such as Period,Geography,...,VariableName,VariableValue.",
            code="missing_column",
            file=str(path),
            row=1,
        )
    return delimiter


def _parse_line(line: str, delimiter: str) -> list[str]:
    fields = next(csv.reader([line], delimiter=delimiter), [])
    return [f.strip().lstrip("\ufeff") for f in fields]


def _check_last_line(scan: ByteScan, header: list[str], delimiter: str, path: Path) -> None:
    """A file cut off mid-write: an unterminated quote, or a last line with fewer fields than the header."""
    if not scan.quotes_balanced:
        raise MFFValidationError(
            f"{path.name}: a quoted field is never closed; the file looks truncated (last line "
            f"{scan.last_line_no}: {(scan.last_line or '')[:80]!r}).",
            "Export the file again completely, or close the quote.",
            code="truncated_last_line",
            file=str(path),
            row=scan.last_line_no,
            value=(scan.last_line or "")[:80],
        )
    if scan.last_line_no <= 1 or scan.last_line is None:  # None: too long to judge here; the reader checks it
        return
    fields = _parse_line(scan.last_line, delimiter)
    if len(fields) < len(header):
        raise MFFValidationError(
            f"{path.name}: the last line {scan.last_line_no} has {len(fields)} field(s), the header has "
            f"{len(header)}; the file looks truncated ({scan.last_line[:80]!r}).",
            "Export the file again completely, or delete the incomplete last line.",
            code="truncated_last_line",
            file=str(path),
            row=scan.last_line_no,
            value=scan.last_line[:80],
        )


def _read_table(path: Path, header: list[str], delimiter: str, scan: ByteScan) -> pa.Table:
    """All columns as strings: interpretation (dates, numbers) happens later, with line numbers at hand."""
    read = pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=16 << 20)
    convert = pacsv.ConvertOptions(
        column_types={h: pa.string() for h in header}, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    try:
        return pacsv.read_csv(
            path, read_options=read, convert_options=convert, parse_options=pacsv.ParseOptions(delimiter=delimiter)
        )
    except pa.ArrowInvalid as exc:
        raise _field_count_error(path, header, delimiter, scan) or MFFValidationError(
            f"{path.name}: cannot be read as CSV: {exc}",
            "Check the quoting and delimiters.",
            code="malformed_csv",
            file=str(path),
        ) from exc


def _field_count_error(path: Path, header: list[str], delimiter: str, scan: ByteScan) -> MFFValidationError | None:
    """Re-read single-threaded to learn the first bad line's number (only on the failure path)."""
    bad: list[pacsv.InvalidRow] = []

    def remember(row: pacsv.InvalidRow) -> str:
        bad.append(row)
        return "skip"

    read = pacsv.ReadOptions(column_names=header, skip_rows=1, use_threads=False)
    try:
        pacsv.read_csv(
            path, read_options=read, parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=remember)
        )
    except pa.ArrowInvalid:
        return None
    if not bad:
        return None
    row = bad[0]
    line = int(_line_numbers(row.number - 1, scan.blank_lines)[-1]) if row.number else None
    return MFFValidationError(
        f"{path.name}: line {line} has {row.actual_columns} field(s), the header has {row.expected_columns} "
        f"({row.text[:80]!r}).",
        "Make every line have as many fields as the header: quote values that contain the delimiter (a decimal "
        "comma in a comma-separated file splits the number; use a decimal point, or ';' as the delimiter).",
        code="wrong_field_count",
        file=str(path),
        row=line,
        value=row.text[:80],
    )


def _line_numbers(n_rows: int, blank_lines: list[int]) -> np.ndarray:
    """File line of each data row: row i is on line i + 2, shifted by blank lines skipped before it."""
    lines = np.arange(2, n_rows + 2, dtype=np.int64)
    for blank in sorted(blank_lines):
        lines[lines >= blank] += 1
    return lines


def _name(file: str) -> str:
    return Path(file).name


def _short(text: str, limit: int = 40) -> str:
    """A header as quoted in a message: enough to find it, never a whole line of the file."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
