"""Files the product writes on request (``--out``): never over the store, never half-written.

One rule for every command that takes an output path (report, spec drafts, synthetic data, plans): the path may
not be the store file, its DuckDB side files, or anything the store keeps in its folder (artifacts, drafts, chat
sessions, UI history and UI files live there), an existing file is kept unless the caller says ``force``, and the
bytes land through a temporary file and a rename, so a crash leaves either the old file or the new one.

Other files in the store's folder are allowed on purpose: ``--store ./project.duckdb`` puts the store in the
project folder, and refusing every report written there would push users to ``--force`` habits instead.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from mmm_core.errors import MMMError


class OutputRefusedError(MMMError):
    code = "output_refused"


class DiskFullError(MMMError):
    code = "disk_full"


# DuckDB reports a full disk in its own exceptions (IOException, or TransactionException at COMMIT) with the
# operating system's text; Python's OSError carries the errno.
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_FULL_TEXT = ("no space left on device", "disk quota exceeded", "disk full")


def is_disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from) says the disk or quota is full."""
    seen: BaseException | None = exc
    for _ in range(5):  # the cause chain; bounded, a cycle must not hang error handling
        if seen is None:
            return False
        if isinstance(seen, OSError) and seen.errno in _FULL_ERRNOS:
            return True
        if any(text in str(seen).lower() for text in _FULL_TEXT):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def disk_full_error(exc: BaseException, doing: str, where: str | Path, kept: str) -> DiskFullError | None:
    """A clean ``disk_full`` error for a failure that is one (None otherwise): what was being done, where, and
    what state was kept, so the user frees space instead of reporting a bug."""
    if not is_disk_full(exc):
        return None
    folder = Path(where).expanduser().absolute()
    folder = folder if folder.is_dir() else folder.parent
    return DiskFullError(
        f"The disk is full: {doing} failed ({exc}). {kept}",
        f"Free space on the disk holding {folder} (see `df -h {folder}`), then run the command again.",
    )


# What the store keeps beside its file (mmm_core.store, spec.edits, agent.session, agent.ui): never an output.
STATE_ENTRIES = ("artifacts", "drafts", "ui", "sessions.sqlite", "ui_history.sqlite", ".files", ".chainlit")


def _is_state(target: Path, store_file: Path) -> bool:
    """Whether ``target`` is a store side file (``mmm.duckdb.wal``) or lies in one of the store's state entries."""
    try:
        first = target.relative_to(store_file.parent).parts[0]
    except (ValueError, IndexError):
        return False
    names = (store_file.name, *STATE_ENTRIES)
    return any(first == n or first.startswith((n + ".", n + "-")) for n in names)


def check_output_path(out: str | Path, store_path: str | Path, force: bool = False) -> Path:
    """The resolved output path, or ``OutputRefusedError`` naming why it may not be written."""
    target = Path(out).expanduser().resolve()
    store_file = Path(store_path).expanduser().resolve()
    store_dir = store_file.parent
    if target == store_file:
        raise OutputRefusedError(
            f"Refused to write {out}: it is the store file ({store_file}); writing there would destroy every dataset,"
            " spec and fit.",
            "Choose another file name, e.g. --out report.html.",
        )
    if _is_state(target, store_file):
        raise OutputRefusedError(
            f"Refused to write {out}: it belongs to the store's folder ({store_dir}), where the store keeps its "
            "artifacts, drafts, sessions and history.",
            "Write outside that folder, e.g. --out ./report.html.",
        )
    if target.is_dir():
        raise OutputRefusedError(f"Refused to write {out}: it is a folder.", "Name a file, e.g. --out report.html.")
    if target.exists() and not force:
        raise OutputRefusedError(
            f"Refused to overwrite {out}: the file exists.",
            "Choose a new name, or pass --force to replace it.",
        )
    return target


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and an atomic rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); a report is a document to share: keep the old mode, else 0644
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
