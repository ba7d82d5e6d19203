"""On-disk cache of the fitted purpose classifier, so a new ``ask`` process does not refit it.

Fitting takes 0.3 s on a quiet machine and up to 1.6 s on a loaded one, plus the scipy.optimize import — most of a
cold ``ask``'s own work. The cache key is a hash of everything the fit depends on (the corpus text, the classifier
module's source and the penalty), so a changed corpus or code never reads stale weights: there is no weights file
that can drift from its data. The cache is best effort: an unreadable or unwritable folder means fitting in memory.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

CACHE_ENV = "MMM_AGENT_CACHE"  # folder; "off" disables; default ~/.cache/mmm-agent
DEFAULT_DIR = "~/.cache/mmm-agent"


def cache_dir() -> Path | None:
    value = os.environ.get(CACHE_ENV, DEFAULT_DIR)
    return None if value.strip().lower() == "off" else Path(value).expanduser() / "purpose"


def cache_key(corpus_text: str, module: object, penalty: float) -> str:
    digest = hashlib.sha256()
    for part in (corpus_text, inspect.getsource(module), repr(penalty)):  # type: ignore[arg-type]
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def load(key: str) -> tuple[list[str], np.ndarray, np.ndarray, float] | None:
    """The cached (vocabulary, idf, weights, bias) for ``key``, or None when absent or unreadable."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with np.load(folder / f"{key}.npz", allow_pickle=False) as z:
            return [str(g) for g in z["vocab"]], z["idf"], z["weights"], float(z["bias"])
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):  # absent, foreign or damaged: refit
        return None


def save(key: str, vocab: list[str], idf: np.ndarray, weights: np.ndarray, bias: float) -> None:
    """Write atomically (a temporary file then rename), so a concurrent reader never sees half a file."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".npz.tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, vocab=np.asarray(vocab, dtype=str), idf=idf, weights=weights, bias=np.float64(bias))
        os.replace(tmp, folder / f"{key}.npz")
    except OSError:
        return
