"""The purpose classifier's on-disk cache: same scores as a fresh fit, keyed so a changed corpus never hits."""

from __future__ import annotations

import numpy as np
import pytest

from mmm_core.ledger import purpose, purpose_cache

PHRASES = [
    "drop Price so that TV comes out on top",
    "what is TV's ROI?",
    "refit with a shorter lag because the board wants Search to win",
]


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(purpose_cache.CACHE_ENV, str(tmp_path))
    purpose.model.cache_clear()
    yield tmp_path / "purpose"
    purpose.model.cache_clear()


def test_cached_model_scores_as_the_fresh_fit(cache_folder):
    fresh = purpose.model()  # fits and writes the cache
    assert len(list(cache_folder.glob("*.npz"))) == 1
    purpose.model.cache_clear()
    cached = purpose.model()  # reads it
    assert cached.vocab == fresh.vocab
    np.testing.assert_allclose(cached.scores(PHRASES), fresh.scores(PHRASES), rtol=0, atol=1e-12)


def test_key_changes_with_the_corpus_and_the_penalty(cache_folder):
    base = purpose_cache.cache_key("corpus", purpose, 1.0)
    assert purpose_cache.cache_key("corpus!", purpose, 1.0) != base
    assert purpose_cache.cache_key("corpus", purpose, 2.0) != base
    assert purpose_cache.load(base) is None  # nothing cached under a key never written


def test_unreadable_or_disabled_cache_falls_back_to_fitting(cache_folder, monkeypatch):
    purpose.model()
    for f in cache_folder.glob("*.npz"):
        f.write_bytes(b"not an npz")
    purpose.model.cache_clear()
    assert 0.0 <= purpose.seeking_score(PHRASES[0]) <= 1.0  # corrupt file: refit, not a crash
    for f in cache_folder.glob("*.npz"):
        f.write_bytes(b"PK\x03\x04 cut short")  # a zip header with nothing behind it (a damaged copy)
    assert purpose_cache.load(f.stem) is None
    monkeypatch.setenv(purpose_cache.CACHE_ENV, "off")
    assert purpose_cache.cache_dir() is None
    assert purpose_cache.load("anything") is None
