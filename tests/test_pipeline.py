"""The pipeline: reading with the cache and in worker processes gives the same volume."""

from __future__ import annotations

import shutil
from pathlib import Path

from bookmaker import loading as pipeline
from bookmaker.pipeline import load_volume
from tests.factories import seed_volume

SAMPLE = Path(__file__).resolve().parent.parent / "volumes" / "how-the-revolution-armed-1918"
SEED = SAMPLE / "texts" / "a-necessary-statement.txt"


def test_cached_read_equals_fresh_read(tmp_path, monkeypatch):
    folder = tmp_path / "vol"
    shutil.copytree(SAMPLE, folder)
    cache = tmp_path / "cache"
    fresh = load_volume(folder, cache_dir=cache)
    calls = []
    real = pipeline.read_document
    monkeypatch.setattr(pipeline, "read_document", lambda *a: calls.append(a) or real(*a))
    again = load_volume(folder, cache_dir=cache)
    assert calls == []
    assert again.documents == fresh.documents
    # Editing a document reads that one again, and only that one.
    seed = folder / "texts" / "a-necessary-statement.txt"
    seed.write_text(seed.read_text("utf-8").replace("Wholesale", "Sweeping"), "utf-8")
    edited = load_volume(folder, cache_dir=cache)
    assert len(calls) == 1
    assert edited.documents[1].blocks[0].text.startswith("Sweeping and frequently")


def test_parallel_read_equals_serial_read(tmp_path):
    folder = seed_volume(tmp_path / "vol", pipeline.PARALLEL_READ_MIN + 6)
    serial = load_volume(folder, jobs=1)
    parallel = load_volume(folder, jobs=2)
    assert [doc.title for doc in parallel.documents] == [
        f"Statement {n}" for n in range(1, pipeline.PARALLEL_READ_MIN + 7)
    ]
    assert parallel.documents == serial.documents


def test_front_matter_kind_is_kept_unless_the_manifest_says_otherwise(tmp_path):
    folder = tmp_path / "vol"
    (folder / "texts").mkdir(parents=True)
    preface = "---\ntitle: Preface of the Editors\nkind: front\n---\n\nWe gathered these orders.\n"
    (folder / "texts" / "preface.md").write_text(preface, "utf-8")
    (folder / "texts" / "afterword.md").write_text(
        preface.replace("Preface of the Editors", "Afterword").replace("front", "back"), "utf-8")
    shutil.copy(SEED, folder / "texts" / "statement.txt")
    (folder / "volume.toml").write_text(
        '[volume]\ntitle = "Kinds"\nauthors = ["Leon Trotsky"]\n'
        'documents = ["texts/preface.md", "texts/statement.txt", '
        '{ path = "texts/afterword.md", kind = "text" }]\n', "utf-8")
    volume = load_volume(folder)
    kinds = {doc.title: doc.kind for doc in volume.documents}
    # The front matter's own kind, where the manifest only placed the document ...
    assert kinds["Preface of the Editors"] == "front"
    assert kinds["A Necessary Statement"] == "text"
    # ... and the manifest's kind where it names one.
    assert kinds["Afterword"] == "text"
