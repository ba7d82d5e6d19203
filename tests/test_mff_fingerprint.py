"""Issue 18: the fingerprint is the canonical content (model variables, channels, periods, geos, values), not the
file layout — and stores fingerprinted before that keep verifying, re-ingesting and fitting as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_mff_channels import OUTLETS, outlet_layout, outlet_layout_wide, seed_style
from test_mff_support import write_lines

from mmm_core import ledger
from mmm_core.data.fingerprint import layout_fingerprint
from mmm_core.data.ingest import ingest
from mmm_core.errors import TamperError
from mmm_core.spec.draft import init_spec
from mmm_core.store import Store


def _wide_of_seed(n: int = 8) -> list[str]:
    """seed_style() as a wide CSV: one column per VariableName, no Outlet."""
    rows = [line.split(",") for line in seed_style(n)[1:]]
    names = list(dict.fromkeys(r[6] for r in rows))
    periods = list(dict.fromkeys(r[0] for r in rows))
    value = {(r[0], r[6]): r[7] for r in rows}
    return ["Date,Geography," + ",".join(names)] + [
        f"{p},National," + ",".join(value[(p, n)] for n in names) for p in periods
    ]


def test_outlet_layout_and_wide_headers_give_the_same_fingerprint_and_channels(tmp_path: Path) -> None:
    long = ingest(Store(tmp_path / "l.duckdb"), write_lines(tmp_path / "long.csv", outlet_layout()))
    wide = ingest(Store(tmp_path / "w.duckdb"), write_lines(tmp_path / "wide.csv", outlet_layout_wide()), fmt="wide")
    assert wide.fingerprint == long.fingerprint
    assert wide.channels == long.channels and [c.channel for c in long.channels] == list(OUTLETS)


def test_seed_style_outlets_and_wide_columns_give_the_same_fingerprint(tmp_path: Path) -> None:
    long = ingest(Store(tmp_path / "l.duckdb"), write_lines(tmp_path / "seed.csv", seed_style()))
    wide = ingest(Store(tmp_path / "w.duckdb"), write_lines(tmp_path / "wide.csv", _wide_of_seed()), fmt="wide")
    assert wide.fingerprint == long.fingerprint and wide.channels == long.channels


def test_a_metric_on_one_outlet_is_named_like_the_wide_column(tmp_path: Path) -> None:
    """'Spend' on Outlet TV alone is 'TV Spend' (as a wide 'TV Spend' column): same variable, same fingerprint."""
    long_lines = [line for line in outlet_layout() if ",Spend," not in line or ",TV,," in line]
    tv = 2 + OUTLETS.index("TV")
    rows = [line.split(",") for line in outlet_layout_wide()[1:]]
    wide_lines = ["Date,Region,TV Spend,Sales"] + [",".join([r[0], r[1], r[tv], r[-1]]) for r in rows]
    long = ingest(Store(tmp_path / "l.duckdb"), write_lines(tmp_path / "long.csv", long_lines))
    wide = ingest(Store(tmp_path / "w.duckdb"), write_lines(tmp_path / "wide.csv", wide_lines), fmt="wide")
    assert [(c.channel, c.spend) for c in long.channels] == [("TV", ["TV Spend"])]
    assert "'Spend' on Outlet 'TV' is the model variable 'TV Spend'." in long.rollups
    assert wide.fingerprint == long.fingerprint


def test_a_different_channel_or_value_changes_the_fingerprint(tmp_path: Path) -> None:
    base = ingest(Store(tmp_path / "a.duckdb"), write_lines(tmp_path / "a.csv", seed_style())).fingerprint
    renamed = [line.replace(",TV,", ",Television,") for line in seed_style()]
    assert ingest(Store(tmp_path / "b.duckdb"), write_lines(tmp_path / "b.csv", renamed)).fingerprint != base
    changed = seed_style()
    changed[1] = changed[1].rsplit(",", 1)[0] + ",101.5"
    assert ingest(Store(tmp_path / "c.duckdb"), write_lines(tmp_path / "c.csv", changed)).fingerprint != base


@pytest.fixture
def legacy(tmp_path: Path) -> tuple[Store, Path, str, str]:
    """A dataset as a store from before the canonical scheme has it: its layout fingerprint recorded, and a spec
    locked on that value."""
    store = Store(tmp_path / "store" / "mmm.duckdb")
    path = write_lines(tmp_path / "seed.csv", seed_style(12))
    result = ingest(store, path, name="seed")
    with store.connect() as conn:
        old = layout_fingerprint(conn, f"(SELECT * FROM mff_rows WHERE dataset_id = '{result.dataset_id}')")
        conn.execute("UPDATE datasets SET fingerprint = ? WHERE id = ?", [old, result.dataset_id])
    assert old != result.fingerprint
    spec_id = ledger.lock(store, init_spec(store, "seed"), "locked before the canonical fingerprint").spec_id
    return store, path, old, spec_id


def test_a_pre_canonical_dataset_keeps_its_fingerprint_and_its_locks(legacy) -> None:
    store, path, old, spec_id = legacy
    assert ledger.get_spec(store, spec_id).data_fingerprint == old
    assert ledger.verify_ledger(store).ok  # recomputed in the scheme it was recorded with: no false alarm
    ledger.begin_fit(store, spec_id)  # the fit-time row check passes
    again = ingest(store, path, name="seed again")
    assert again.already_present and again.fingerprint == old  # recognised, not duplicated, not re-fingerprinted


def test_altered_rows_of_a_pre_canonical_dataset_are_still_caught(legacy) -> None:
    store, _, old, spec_id = legacy
    with store.connect() as conn:
        conn.execute("UPDATE mff_rows SET value = value + 1 WHERE variable_name = 'TV_Spend'")
    report = ledger.verify_ledger(store)
    assert not report.ok and not report.datasets[0].ok
    with pytest.raises(TamperError) as exc:
        ledger.begin_fit(store, spec_id)
    assert exc.value.code == "data_tampered" and old in exc.value.message
