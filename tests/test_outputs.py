"""Output paths: the store and its folder are never written; existing files need --force; writes are atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmm_core.outputs import OutputRefusedError, check_output_path, write_atomic


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    path = tmp_path / "mmm_store" / "mmm.duckdb"
    path.parent.mkdir()
    path.write_bytes(b"DUCK")
    return path


def test_the_store_file_is_refused_even_with_force(store_file: Path) -> None:
    with pytest.raises(OutputRefusedError, match="store file") as err:
        check_output_path(store_file, store_file, force=True)
    assert err.value.code == "output_refused" and "--out" in err.value.hint
    assert store_file.read_bytes() == b"DUCK"


def test_a_relative_or_symlinked_path_to_the_store_is_refused(store_file: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(store_file.parent)
    with pytest.raises(OutputRefusedError, match="store file"):
        check_output_path("mmm.duckdb", store_file, force=True)
    link = tmp_path / "innocent.html"
    link.symlink_to(store_file)
    with pytest.raises(OutputRefusedError, match="store file"):
        check_output_path(link, store_file, force=True)


def test_anything_inside_the_store_folder_is_refused(store_file: Path) -> None:
    for inside in ("artifacts/fit_1/report.html", "ui_history.sqlite", "sessions.sqlite"):
        with pytest.raises(OutputRefusedError, match="store's folder"):
            check_output_path(store_file.parent / inside, store_file, force=True)


def test_an_existing_file_needs_force(store_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert check_output_path(out, store_file) == out.resolve()
    out.write_text("old")
    with pytest.raises(OutputRefusedError, match="exists") as err:
        check_output_path(out, store_file)
    assert "--force" in err.value.hint
    assert check_output_path(out, store_file, force=True) == out.resolve()


def test_a_folder_is_refused(store_file: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputRefusedError, match="folder"):
        check_output_path(tmp_path, store_file, force=True)


def test_atomic_write_replaces_whole_and_leaves_no_temp_files(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    write_atomic(out, "first")
    write_atomic(out, b"second")
    assert out.read_text() == "second"
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(out, 12345)  # type: ignore[arg-type]  # not str/bytes: fails before the rename
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_side_files_and_state_entries_of_a_bare_store_are_refused_other_files_allowed(tmp_path: Path) -> None:
    store = tmp_path / "project.duckdb"  # `--store ./project.duckdb`: the store shares the project folder
    store.write_bytes(b"DUCK")
    for state in ("project.duckdb.wal", "drafts/d.yaml", "ui/public/x.css", "sessions.sqlite-wal", "artifacts"):
        with pytest.raises(OutputRefusedError, match="store's folder"):
            check_output_path(tmp_path / state, store, force=True)
    assert check_output_path(tmp_path / "report.html", store) == (tmp_path / "report.html").resolve()


def test_atomic_write_gives_a_new_file_a_shareable_mode_and_keeps_an_old_files_mode(tmp_path: Path) -> None:
    new = write_atomic(tmp_path / "new.html", "x")
    assert new.stat().st_mode & 0o777 == 0o644
    old = tmp_path / "old.html"
    old.write_text("x")
    old.chmod(0o600)
    write_atomic(old, "y")
    assert old.stat().st_mode & 0o777 == 0o600
