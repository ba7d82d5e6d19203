"""The byte-level pass over a CSV file before anything is parsed: the size limit, empty and binary files (with
the fix for files often uploaded by mistake), UTF-8 validity, quote balance, blank lines, and the first and last
lines that :mod:`mmm_core.data.read` checks next.

Line numbers are 1-based with the header on line 1.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from mmm_core.errors import MFFValidationError

MAX_BYTES_ENV = "MMM_AGENT_MAX_FILE_BYTES"
DEFAULT_MAX_BYTES = 2 * 1024**3

_CHUNK = 8 * 1024 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024  # the CSV reader's block size: a longer line cannot be parsed anyway
_BOM = b"\xef\xbb\xbf"

# Magic numbers of files people often upload by mistake, with the fix to suggest.
_MAGIC = {
    b"PAR1": "It is a Parquet file: give it a .parquet extension.",
    b"PK\x03\x04": "It looks like a ZIP archive or an Excel workbook: export the sheet as CSV (UTF-8).",
    b"\x1f\x8b": "It is gzip-compressed: decompress it first.",
    b"\xd0\xcf\x11\xe0": "It looks like an old Excel workbook: export the sheet as CSV (UTF-8).",
}


@dataclass
class ByteScan:
    size: int
    header_line: str
    last_line: str | None  # None: longer than MAX_LINE_BYTES, not checked
    last_line_no: int
    quotes_balanced: bool
    blank_lines: list[int]
    ends_with_newline: bool


def max_file_bytes(max_bytes: int | None) -> int:
    """The size limit: the argument, else ``$MMM_AGENT_MAX_FILE_BYTES``, else 2 GB."""
    if max_bytes is not None:
        return int(max_bytes)
    env = os.environ.get(MAX_BYTES_ENV)
    return int(env) if env else DEFAULT_MAX_BYTES


def check_file(path: Path, limit: int) -> int:
    """Refuse a missing, oversized or empty file before opening it. Returns its size in bytes."""
    if not path.is_file():
        raise MFFValidationError(
            f"File {path} does not exist or is not a file.", "Check the path.", code="file_not_found", file=str(path)
        )
    size = path.stat().st_size
    if size > limit:
        raise MFFValidationError(
            f"File {path.name} is {size:,} bytes, over the limit of {limit:,} bytes.",
            f"Split the file, or raise the limit with max_bytes or ${MAX_BYTES_ENV}.",
            code="file_too_large",
            file=str(path),
            value=size,
        )
    if size == 0:
        raise MFFValidationError(
            f"File {path.name} is empty (0 bytes).",
            "Export the data again; the file has no header and no rows.",
            code="empty_file",
            file=str(path),
        )
    return size


def scan_bytes(path: Path) -> ByteScan:
    """One streaming pass: binary content, UTF-8 validity, quote balance, blank lines, first and last line."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(min(size, 65536))
        _refuse_binary(head, path)
        handle.seek(0)
        lines_before, offset, pending, quotes, tail = 0, 0, b"", 0, b""
        blank: list[int] = []
        while chunk := handle.read(_CHUNK):
            if b"\x00" in chunk:
                at = offset + chunk.index(b"\x00")
                line = lines_before + chunk.count(b"\n", 0, at - offset) + 1
                raise _binary_error(path, f"a NUL byte at byte offset {at} (line {line})")
            pending = _check_utf8(pending + chunk, offset - len(pending), lines_before, path, tail)
            quotes += chunk.count(b'"')
            blank.extend(
                lines_before + chunk.count(b"\n", 0, m.start()) + 2 for m in re.finditer(rb"\n\r?(?=\n)", chunk)
            )
            if tail.endswith(b"\n") and chunk.startswith((b"\n", b"\r\n")):
                blank.append(lines_before + 1)
            lines_before += chunk.count(b"\n")
            offset += len(chunk)
            tail = (tail + chunk)[-65536:]
        if pending:
            raise _utf8_error(path, offset - len(pending), lines_before + 1, pending[:1])
        if not head.removeprefix(_BOM).strip():
            raise MFFValidationError(
                f"File {path.name} contains only blank space.",
                "Export the data again.",
                code="empty_file",
                file=str(path),
            )
        header_line = _first_line(handle, path)
        last, trailing_newlines = _last_line(handle, size)
    last_line_no = lines_before + 1 - trailing_newlines
    blank = [b for b in blank if b < last_line_no]  # trailing blank lines change nothing
    return ByteScan(size, header_line, last, last_line_no, quotes % 2 == 0, blank, tail.endswith(b"\n"))


def _first_line(handle: BinaryIO, path: Path) -> str:
    """Line 1 however long (a wide header of 8,000 variables passes 64 KiB), up to ``MAX_LINE_BYTES``."""
    handle.seek(0)
    line = handle.readline(MAX_LINE_BYTES + 1)
    if len(line) > MAX_LINE_BYTES:
        raise MFFValidationError(
            f"File {path.name}: line 1 is longer than {MAX_LINE_BYTES >> 20} MiB; it cannot be a header.",
            "Export the data as CSV with one record per line.",
            code="line_too_long",
            file=str(path),
            row=1,
        )
    return line.removeprefix(_BOM).decode("utf-8", errors="replace").splitlines()[0] if line.strip() else ""


def _last_line(handle: BinaryIO, size: int) -> tuple[str | None, int]:
    """The last non-empty line (None when longer than ``MAX_LINE_BYTES``: not checked rather than misjudged as
    cut off) and how many line breaks follow it, read backwards from the end in blocks."""
    end, data = size, b""
    while end > 0 and len(data) <= MAX_LINE_BYTES + 4:
        start = max(0, end - 65536)
        handle.seek(start)
        data = handle.read(end - start) + data
        end = start
        body = data.rstrip(b"\r\n")
        if body and (b"\n" in body or end == 0):
            trailing = data[len(body) :].count(b"\n")
            line = body.rsplit(b"\n", 1)[-1]
            return line.removeprefix(_BOM).decode("utf-8", errors="replace").rstrip("\r"), trailing
    return None, data[len(data.rstrip(b"\r\n")) :].count(b"\n")


def _refuse_binary(head: bytes, path: Path) -> None:
    for magic, hint in _MAGIC.items():
        if head.startswith(magic):
            raise MFFValidationError(
                f"File {path.name} is binary, not CSV text.", hint, code="binary_file", file=str(path), row=1
            )
    control = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")
    found = control.findall(head)
    if len(found) > max(8, len(head) // 100):  # a few stray control bytes are text with a typo, many are binary
        first = control.search(head).start()
        raise _binary_error(
            path,
            f"{len(found)} control bytes in the first {len(head)} bytes, the first at "
            f"byte offset {first} (line {head.count(b'\n', 0, first) + 1})",
        )


def _binary_error(path: Path, what: str) -> MFFValidationError:
    return MFFValidationError(
        f"File {path.name} looks binary, not CSV text: {what}.",
        "Export the data as a UTF-8 CSV text file (or Parquet with a .parquet name).",
        code="binary_file",
        file=str(path),
    )


def _check_utf8(data: bytes, base: int, lines_before: int, path: Path, prev_tail: bytes) -> bytes:
    """Decode a chunk; returns an incomplete multi-byte sequence at its end to be prefixed to the next one."""
    try:
        data.decode("utf-8")
        return b""
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            try:
                data[: exc.start].decode("utf-8")
                return data[exc.start :]
            except UnicodeDecodeError as inner:
                exc = inner
        line = lines_before + data.count(b"\n", 0, exc.start) + 1
        raise _utf8_error(path, base + exc.start, line, data[exc.start : exc.start + 1]) from None


def _utf8_error(path: Path, offset: int, line: int, byte: bytes) -> MFFValidationError:
    return MFFValidationError(
        f"File {path.name} is not valid UTF-8: byte 0x{byte.hex()} at byte offset {offset} (line {line}).",
        "Save the file as UTF-8 (e.g. Excel: 'CSV UTF-8'; iconv -f latin1 -t utf-8 in.csv > out.csv).",
        code="not_utf8",
        file=str(path),
        row=line,
        value=f"0x{byte.hex()}",
    )
