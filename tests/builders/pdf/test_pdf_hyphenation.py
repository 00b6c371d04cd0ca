"""The hyphenation patterns kept parsed in the user's cache."""

from __future__ import annotations

import pyphen
import pytest

from bookmaker.builders.pdf.hyphenation import preload_patterns

WORDS = ["revolutionary", "commissariat", "extraordinary", "reorganisation"]


@pytest.fixture
def clean(tmp_path, monkeypatch):
    """An empty user cache and an empty Pyphen cache (restored afterwards)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    saved = dict(pyphen.hdcache)
    pyphen.hdcache.clear()
    yield tmp_path / "bookmaker" / "hyphenation"
    pyphen.hdcache.clear()
    pyphen.hdcache.update(saved)


def parsed_by_pyphen(language: str) -> list[list[int]]:
    dictionary = pyphen.Pyphen(lang=language, cache=False)
    return [dictionary.positions(word) for word in WORDS]


def test_patterns_are_kept_and_read_back_without_parsing(clean, monkeypatch):
    expected = parsed_by_pyphen("en")
    pyphen.hdcache.clear()
    preload_patterns("en")
    kept = list(clean.glob("en-*.pickle"))
    assert len(kept) == 1 and kept[0].stat().st_size > 10_000

    # A second process: the patterns come from the kept file, the .dic is not parsed.
    pyphen.hdcache.clear()

    def no_parsing(self, path):
        raise AssertionError("parsed again")

    monkeypatch.setattr(pyphen.HyphDict, "__init__", no_parsing)
    preload_patterns("en")
    dictionary = pyphen.Pyphen(lang="en")  # what WeasyPrint does
    assert [dictionary.positions(word) for word in WORDS] == expected


def test_a_damaged_kept_file_is_parsed_again_and_replaced(clean):
    preload_patterns("en")
    (kept,) = clean.glob("en-*.pickle")
    kept.write_bytes(b"not a pickle")
    pyphen.hdcache.clear()
    preload_patterns("en")
    dictionary = pyphen.Pyphen(lang="en")
    assert dictionary.positions("revolutionary") == [2, 6, 10]
    assert kept.read_bytes() != b"not a pickle"


def test_unknown_or_missing_languages_are_left_to_pyphen(clean):
    preload_patterns("tlh")  # no patterns for Klingon
    preload_patterns(None)
    preload_patterns("")
    assert pyphen.hdcache == {}
    assert not clean.exists() or not list(clean.iterdir())
