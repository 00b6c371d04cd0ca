"""Gigantic documents are built whole: a 50 MB document, a 5 MB single line.

Time and memory against size are measured by ``python -m benchmarks.large``
(benchmarks/LARGE.md), not here: these tests check that the books are whole.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from benchmarks.generate import Case, generate_large
from bookmaker.cli import main

pytestmark = pytest.mark.slow

TAG = re.compile(rb"<[^>]+>")


def build(volume: Path, fmt: str, out: Path, capsys) -> str:
    code = main(["build", str(volume), "-f", fmt, "-o", str(out), "--no-cache"])
    err = capsys.readouterr().err
    assert code == 0, err
    return err


def output(tmp_path: Path, suffix: str) -> Path:
    (found,) = (tmp_path / "out").glob(f"*.{suffix}")
    return found


def source_paragraphs(volume: Path) -> list[str]:
    text = (volume / "texts" / "orders.txt").read_text("utf-8")
    return [p for p in text.split("\n\n") if len(p) > 200]


def words_of(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{4,}", text)


def test_fifty_megabyte_document_epub(tmp_path, capsys):
    volume, size, words = generate_large(tmp_path, Case(51))  # 50.2 MB of text
    assert size > 50_000_000
    build(volume, "epub", tmp_path / "out", capsys)
    with zipfile.ZipFile(output(tmp_path, "epub")) as epub:
        files = [name for name in epub.namelist() if re.search(r"/orders(_\d+)?\.xhtml$", name)]
        sizes = [epub.getinfo(name).file_size for name in files]
        assert len(files) > 150  # cut into files reading systems can open
        assert max(sizes) < 300_000
        assert sum(sizes) > 0.9 * size  # all of the text is there
        order = sorted(files, key=lambda n: int(re.search(r"_(\d+)\.", n).group(1))
                       if "_" in n.rsplit("/", 1)[1] else 1)
        first = TAG.sub(b" ", epub.read(order[0])).decode()
        last = TAG.sub(b" ", epub.read(order[-1])).decode()
    paragraphs = source_paragraphs(volume)
    assert " ".join(words_of(paragraphs[0])[:8]) in " ".join(words_of(first))
    assert " ".join(words_of(paragraphs[-1])[-8:]) in " ".join(words_of(last))


def test_five_megabyte_single_line_epub(tmp_path, capsys):
    volume, _, words = generate_large(tmp_path, Case(5, one_line=True))
    build(volume, "epub", tmp_path / "out", capsys)
    with zipfile.ZipFile(output(tmp_path, "epub")) as epub:
        files = [name for name in epub.namelist() if re.search(r"/orders(_\d+)?\.xhtml$", name)]
        body = b" ".join(TAG.sub(b" ", epub.read(name)) for name in files).decode()
    assert len(files) > 15
    assert len(words_of(body)) > 0.9 * len(words_of(" ".join(source_paragraphs(volume))))


def test_half_megabyte_single_line_pdf(tmp_path, capsys):
    volume, _, words = generate_large(tmp_path, Case(0.5, one_line=True))
    err = build(volume, "pdf", tmp_path / "out", capsys)
    assert "starts a new page every" in err  # cut into chunks rendered in parallel
    reader = PdfReader(output(tmp_path, "pdf"))
    assert len(reader.pages) > 150
    tail = " ".join(page.extract_text() for page in reader.pages[-6:])
    last_words = words_of(source_paragraphs(volume)[-1])[-6:]
    assert " ".join(last_words) in " ".join(words_of(tail))
