"""A dataset's fingerprint: SHA-256 over its canonical content, independent of the file's layout.

Canonical content is what the model reads, one line per stored row::

    period(YYYY-MM-DD) US geography US product US campaign US creative US variable US channel US value LF

(US = 0x1F). ``variable`` is the model variable the row belongs to and ``channel`` its media channel ('' for
non-media), both from :func:`mmm_core.data.channels.build_series`: ``Spend`` on Outlet ``TV`` and a wide column
``TV Spend`` are both variable ``TV Spend`` of channel ``TV``, so the same data in long (MFF with Outlet) and
wide form get the same fingerprint. The value is DuckDB's shortest round-trip text of the float with -0.0 made
0.0; lines are sorted bytewise before hashing, so row order, header spelling and CSV/Parquet/wide do not matter.
Declared roles (``spec init --media``) are not part of it: they change how rows are read, not the rows.

Datasets ingested before this scheme recorded the *layout* fingerprint (the stored columns as they are, outlet
included; :func:`layout_fingerprint`). They are never re-fingerprinted — specs locked on them recorded that value —
so :func:`dataset_rows_fingerprint` recomputes a stored dataset in the scheme its recorded fingerprint is in.
The canonical lines depend on the channel rules (``build_series``): a change to those rules is a new scheme, and the
old one must stay here beside ``layout_fingerprint`` for the datasets recorded with it.
"""

from __future__ import annotations

import hashlib
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from mmm_core.data.channels import build_series, series_column

_DIMENSIONS = ("geography", "product", "campaign", "creative")
_LAYOUT_COLUMNS = ("geography", "product", "campaign", "outlet", "creative", "variable_name")


def fingerprint_rows(conn: duckdb.DuckDBPyConnection, table: str) -> str:
    """The canonical fingerprint of the MFF rows in ``table`` (store column names; a table name or a subquery)."""
    pairs = conn.sql(f"SELECT DISTINCT variable_name, outlet FROM {table}").df()
    conn.register("fingerprint_series", _series_of_pairs(pairs))
    try:
        cells = ["strftime(t.period, '%Y-%m-%d')", *(f"t.{c}" for c in _DIMENSIONS), "s.series", "s.channel"]
        return _hash_lines(
            conn,
            f"SELECT {_joined(cells)} AS line FROM {table} t JOIN fingerprint_series s"
            " ON s.variable_name = t.variable_name AND s.outlet = t.outlet",
        )
    finally:
        conn.unregister("fingerprint_series")


def layout_fingerprint(conn: duckdb.DuckDBPyConnection, table: str) -> str:
    """The fingerprint of stores from before the canonical scheme: the stored columns as they are (Outlet and
    VariableName apart), so a long and a wide file of the same data differ. Kept to verify those datasets."""
    cells = ["strftime(period, '%Y-%m-%d')", *_LAYOUT_COLUMNS]
    return _hash_lines(conn, f"SELECT {_joined(cells)} AS line FROM {table}")


def dataset_rows_fingerprint(conn: Any, dataset_id: str) -> str:
    """The fingerprint of the rows stored now for ``dataset_id``, in the scheme its ingest recorded.

    Canonical first; when that is not the recorded value but the layout fingerprint is, the dataset predates the
    canonical scheme and the layout value is returned. Rows changed since ingest match neither, and the canonical
    value is returned — so altered rows are reported whatever the scheme (both are SHA-256 over every row).
    """
    # The id is quoted as a SQL string (it comes from the store, which an attacker may have written).
    quoted = "'" + str(dataset_id).replace("'", "''") + "'"
    rows = f"(SELECT * FROM mff_rows WHERE dataset_id = {quoted})"
    current = fingerprint_rows(conn, rows)
    recorded = [r[0] for r in conn.execute("SELECT fingerprint FROM datasets WHERE id = ?", [dataset_id]).fetchall()]
    if not recorded or recorded[0] == current:
        return current
    legacy = layout_fingerprint(conn, rows)
    return legacy if legacy == recorded[0] else current


def _series_of_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """(VariableName, Outlet) -> model variable and channel, by the same rules as ingest (on distinct pairs only,
    so a million rows cost one small pandas step)."""
    series = build_series(pairs)
    channel = {s.name: s.channel or "" for s in series}
    names = series_column(pairs, series)
    return pd.DataFrame(
        {
            "variable_name": pairs["variable_name"].to_numpy(),
            "outlet": pairs["outlet"].to_numpy(),
            "series": names.to_numpy(),
            "channel": names.map(channel).to_numpy(),
        }
    )


def _joined(cells: list[str]) -> str:
    return " || chr(31) || ".join([*cells, "CAST(value + 0.0 AS VARCHAR)"]) + " || chr(10)"


def _hash_lines(conn: duckdb.DuckDBPyConnection, select: str) -> str:
    lines = conn.sql(f"{select} ORDER BY line").to_arrow_table()
    digest = hashlib.sha256()
    for chunk in lines.column("line").chunks:
        _hash_string_array(digest, chunk)
    return digest.hexdigest()


def _hash_string_array(digest: "hashlib._Hash", chunk: pa.Array) -> None:
    """Feed the array's contiguous character buffer to the hash without building Python strings."""
    if len(chunk) == 0:
        return
    chunk = chunk.cast(pa.large_string())
    _, offsets, chars = chunk.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
    digest.update(memoryview(chars)[int(bounds[0]) : int(bounds[-1])])
