"""``bookmaker watch``: a resident builder that rebuilds on every save.

Each test starts a :class:`Watcher` in a thread on a small volume in ``tmp_path``
and waits on its "built" event (with a timeout), never on the clock.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from bookmaker.builders import BuildOptions
from bookmaker.pipeline import BuildRequest, build
from bookmaker.watch import Rebuild, Resident, Watcher

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60.0
EPOCH = "1700000000"


def write_volume(folder: Path, count: int = 3, parts: list[list[int]] | None = None) -> Path:
    """A volume of ``count`` Markdown documents, in parts as ``parts`` says (numbers from 1)."""
    (folder / "texts").mkdir(parents=True, exist_ok=True)
    for number in range(1, count + 1):
        write_document(folder, number, f"Word{number}")
    write_manifest(folder, parts or [list(range(1, count + 1))])
    return folder


def write_document(folder: Path, number: int, word: str) -> None:
    paragraphs = "\n\n".join(f"Paragraph {n} of document {number} says {word} again."
                             for n in range(1, 4))
    (folder / "texts" / f"d{number}.md").write_text(f"# Document {number}\n\n{paragraphs}\n",
                                                    "utf-8")


def write_manifest(folder: Path, parts: list[list[int]]) -> None:
    lines = ['[volume]', 'title = "Watched"', 'authors = ["A. Writer"]', 'language = "en"', ""]
    for index, numbers in enumerate(parts, start=1):
        listed = ", ".join(f'"texts/d{n}.md"' for n in numbers)
        lines += ["[[part]]", f'title = "Part {index}"', f"documents = [{listed}]", ""]
    lines += ["[pdf]", 'trim = "a5"', 'notes = "endnotes"', 'openings = "recto"', ""]
    (folder / "volume.toml").write_text("\n".join(lines), "utf-8")


def epub_text(path: Path) -> str:
    """Every XHTML page of the EPUB, in the order the archive holds them."""
    with zipfile.ZipFile(path) as book:
        return "\n".join(book.read(name).decode() for name in book.namelist()
                         if name.endswith(".xhtml"))


def spine_titles(path: Path) -> list[str]:
    """The documents' titles in reading order (from the contents)."""
    import re

    with zipfile.ZipFile(path) as book:
        nav = next(book.read(n).decode() for n in book.namelist() if n.endswith("nav.xhtml"))
    return re.findall(r">(Document \d+)<", nav)


@pytest.fixture
def epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def watching(tmp_path, epoch):
    """A watcher on a three-document volume building the EPUB; yields (watcher, volume)."""
    volume = write_volume(tmp_path / "vol")
    watcher = Watcher(volume, tmp_path / "out", ("epub",), cache_dir=tmp_path / "cache",
                      jobs=1).start()
    first = watcher.wait(0, TIMEOUT)
    assert first.ok, first.error
    yield watcher, volume
    watcher.stop()


def changed(watcher: Watcher, edit) -> Rebuild:
    """Make ``edit()`` and wait for the build it starts."""
    before = watcher.last.generation
    edit()
    return watcher.wait(before, TIMEOUT)


def test_an_edited_document_shows_in_the_rebuilt_epub(watching):
    watcher, volume = watching
    epub = watcher.last.outputs["epub"]
    assert "Word2" in epub_text(epub)
    rebuilt = changed(watcher, lambda: write_document(volume, 2, "Aardvark"))
    assert rebuilt.ok, rebuilt.error
    assert rebuilt.changed == ((volume / "texts" / "d2.md").resolve(),)
    text = epub_text(epub)
    assert "Aardvark" in text and "Word2" not in text


def test_a_deleted_document_is_an_error_and_the_last_output_stays(watching):
    watcher, volume = watching
    epub = watcher.last.outputs["epub"]
    good = epub.read_bytes()
    document = volume / "texts" / "d3.md"
    saved = document.read_text("utf-8")
    failed = changed(watcher, document.unlink)
    assert not failed.ok
    assert "d3.md" in failed.error and "\n" not in failed.error
    assert epub.read_bytes() == good
    fixed = changed(watcher, lambda: document.write_text(saved.replace("Word3", "Back"), "utf-8"))
    assert fixed.ok, fixed.error
    assert "Back" in epub_text(epub)


def test_a_broken_manifest_is_an_error_and_the_last_output_stays(watching):
    watcher, volume = watching
    epub = watcher.last.outputs["epub"]
    good = epub.read_bytes()
    manifest = volume / "volume.toml"
    saved = manifest.read_text("utf-8")
    failed = changed(watcher, lambda: manifest.write_text(saved + "\n[pdf\n", "utf-8"))
    assert not failed.ok
    assert "volume.toml" in failed.error and "\n" not in failed.error
    assert epub.read_bytes() == good
    fixed = changed(watcher, lambda: manifest.write_text(saved, "utf-8"))
    assert fixed.ok, fixed.error
    assert epub.read_bytes() == good  # the same inputs again: the same book


def test_manifest_changes_are_followed(watching):
    watcher, volume = watching
    epub = watcher.last.outputs["epub"]

    def add_fourth() -> None:
        write_document(volume, 4, "Newcomer")
        write_manifest(volume, [[1, 2, 3, 4]])

    assert changed(watcher, add_fourth).ok
    assert "Newcomer" in epub_text(epub)
    assert changed(watcher, lambda: write_manifest(volume, [[1, 2, 4]])).ok
    assert "Word3" not in epub_text(epub)
    assert changed(watcher, lambda: write_manifest(volume, [[4], [2, 1]])).ok
    assert spine_titles(epub) == ["Document 4", "Document 2", "Document 1"]


def test_a_new_template_in_the_volume_overrides_the_built_in_one(watching):
    watcher, volume = watching
    epub = watcher.last.outputs["epub"]
    override = volume / "templates" / "epub" / "document.xhtml"

    def add_override() -> None:
        override.parent.mkdir(parents=True)
        override.write_text('{% extends "builtin/document.xhtml" %}{% block content %}'
                            '<p>Overridden here</p>{{ super() }}{% endblock %}', "utf-8")

    rebuilt = changed(watcher, add_override)
    assert rebuilt.ok, rebuilt.error
    assert "Overridden here" in epub_text(epub)
    assert changed(watcher, override.unlink).ok
    assert "Overridden here" not in epub_text(epub)


def test_a_watch_rebuild_equals_a_fresh_build_byte_for_byte(watching, tmp_path):
    watcher, volume = watching
    assert changed(watcher, lambda: write_document(volume, 1, "Edited")).ok
    assert changed(watcher, lambda: write_document(volume, 3, "Edited too")).ok
    fresh = build(volume, BuildRequest(out_dir=tmp_path / "fresh", formats=("epub",),
                                       cache=False))
    assert fresh.outputs["epub"].path.read_bytes() == watcher.last.outputs["epub"].read_bytes()
    assert len(watcher.resident.options.kept["epub"].pages) == 3  # unchanged pages were kept


def test_files_the_volume_does_not_use_start_no_build(tmp_path, epoch):
    volume = write_volume(tmp_path / "vol")
    resident = Resident(volume / "volume.toml", tmp_path / "out", ("epub",),
                        Watcher(volume, tmp_path / "out", ("epub",)).resident.options)
    assert resident.build().ok
    assert resident.depends_on(volume / "texts" / "d1.md")
    assert resident.depends_on(volume / "volume.toml")
    assert resident.depends_on(volume / "styles" / "epub.css")
    assert resident.depends_on(volume / "images" / "map.png")
    assert not resident.depends_on(volume / "notes.txt")
    assert not resident.depends_on(volume / "texts" / ".d1.md.swp")
    assert not resident.depends_on(volume / ".bookmaker-cache" / "read" / "x.pickle")
    assert not resident.depends_on(tmp_path / "elsewhere.md")
    assert not resident.depends_on(tmp_path / "out" / "vol.epub")
    beside = Resident(volume / "volume.toml", volume, ("epub",), resident.options)  # -o VOLUME
    assert beside.build().ok
    assert beside.depends_on(volume / "texts" / "d1.md")
    assert not beside.depends_on(volume / "vol.epub")
    assert not beside.depends_on(volume / ".vol.epub.x1y2.tmp")


def test_pdf_rebuild_shows_the_edit(tmp_path, epoch):
    from pypdf import PdfReader

    volume = write_volume(tmp_path / "vol", count=2)
    watcher = Watcher(volume, tmp_path / "out", ("pdf",), cache_dir=tmp_path / "cache",
                      jobs=1).start()
    try:
        first = watcher.wait(0, TIMEOUT)
        assert first.ok, first.error
        pdf = first.outputs["pdf"]
        rebuilt = changed(watcher, lambda: write_document(volume, 2, "Pangolin"))
        assert rebuilt.ok, rebuilt.error
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert "Pangolin" in text and "Word2" not in text and "Word1" in text
        assert "pdf" in watcher.resident.options.kept  # the renderer was kept for the next
        fresh = build(volume, BuildRequest(out_dir=tmp_path / "fresh", formats=("pdf",),
                                           cache_dir=tmp_path / "fresh-cache",
                                           options=BuildOptions(jobs=1)))
        assert fresh.outputs["pdf"].path.read_bytes() == pdf.read_bytes()
    finally:
        watcher.stop()


def test_serve_lists_the_outputs_and_says_when_they_change(watching):
    from bookmaker.watch_serve import STATE_PATH, start_preview

    watcher, volume = watching
    preview = start_preview(watcher, 0)
    try:
        page = fetch(preview.url).decode()
        assert "vol.epub" in page and STATE_PATH in page
        assert fetch(preview.url + "vol.epub") == watcher.last.outputs["epub"].read_bytes()
        before = json.loads(fetch(preview.url + STATE_PATH[1:]))
        assert before["outputs"][0]["name"] == "vol.epub"
        assert changed(watcher, lambda: write_document(volume, 1, "Served")).ok
        after = json.loads(fetch(preview.url + STATE_PATH[1:]))
        assert after["generation"] > before["generation"]
        assert fetch(preview.url + "vol.epub") == watcher.last.outputs["epub"].read_bytes()
        assert not changed(watcher, (volume / "texts" / "d2.md").unlink).ok
        failed = json.loads(fetch(preview.url + STATE_PATH[1:]))
        assert "d2.md" in failed["error"]
        assert [item["name"] for item in failed["outputs"]] == ["vol.epub"]  # still there
        assert "d2.md" in fetch(preview.url).decode()
    finally:
        preview.close()


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read()


def test_the_command_reports_errors_in_one_line_and_ends_cleanly_on_ctrl_c(tmp_path):
    volume = write_volume(tmp_path / "vol")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    process = subprocess.Popen(
        [sys.executable, "-m", "bookmaker", "watch", str(volume), "-o", str(tmp_path / "out"),
         "-f", "epub", "-j", "1"],
        stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    lines = []
    try:
        lines.append(wait_for_line(process, "watching"))
        (volume / "texts" / "d2.md").unlink()
        lines.append(wait_for_line(process, "error:"))
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=TIMEOUT)[1]
    finally:
        process.kill()
    assert "d2.md" in lines[-1]
    assert process.returncode == 130
    assert "Traceback" not in "".join(lines) + rest


def wait_for_line(process: subprocess.Popen, start: str) -> str:
    """The first line of the process's stderr beginning with ``start``."""
    for line in process.stderr:
        if line.startswith(start):
            return line
    raise AssertionError(f"the watcher ended before saying {start!r}")
