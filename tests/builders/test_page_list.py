"""The EPUB carries the PDF's pages: a marker where each printed page begins, a page list."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from bookmaker.builders import BuildOptions
from bookmaker.builders.epub.pages import insert_markers
from bookmaker.builders.pdf.render import TRIMS
from bookmaker.pipeline import render
from bookmaker.text import join_lines, words
from tests.factories import make_document, make_volume

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}
POINTS = {"in": 72.0, "mm": 72 / 25.4}

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils (pdftotext) is not installed")


def long_volume():
    """Sixteen documents in three parts, with notes, long enough for pages to break
    inside paragraphs and notes."""
    volume = make_volume(documents=16, parts=3, notes=2)
    number = 0
    for part in volume.parts:
        docs = []
        for doc in part.documents:
            number += 1
            doc = make_document(doc.id, doc.title, paragraphs=4 + number * 7 % 13, notes=2)
            # Words before the first paragraph shift every later line break, so that pages
            # begin at many places: mid-paragraph, in hyphenated words, in notes.
            first = doc.blocks[0]
            lead = "Comrades, " * (number * 5)
            doc.blocks[0] = dataclasses.replace(first, html=f"<p>{lead}{first.html[3:]}",
                                                text=lead + first.text)
            long_note = " ".join(["The Cossack general Krasnov led the Don army against the "
                                  "Soviet power in the summer and autumn of that year."] * 9)
            doc.notes[1] = dataclasses.replace(doc.notes[1], html=f"<p>{long_note}</p>",
                                               text=long_note)
            docs.append(doc)
        part.documents = docs
    volume.settings.epub.page_list = "pdf"
    return volume


def built(tmp_path: Path, sections: bool):
    volume = long_volume()
    cache = tmp_path / "cache" if sections else None
    options = BuildOptions(jobs=2 if sections else 1, cache_dir=cache)
    report = render(volume, ["epub", "pdf"], tmp_path / "out", options)
    return volume, report["epub"].path, report["pdf"].path


@pytest.fixture(scope="module", params=["sections", "whole"])
def book(request, tmp_path_factory):
    return built(tmp_path_factory.mktemp(request.param), request.param == "sections")


def epub_pages(epub: Path) -> list[tuple[str, etree._Element]]:
    """(file, tree) of every XHTML page in spine order."""
    with zipfile.ZipFile(epub) as package:
        opf = etree.fromstring(package.read("EPUB/content.opf"))
        opf_ns = {"o": "http://www.idpf.org/2007/opf"}
        hrefs = {item.get("id"): item.get("href")
                 for item in opf.findall(".//o:manifest/o:item", opf_ns)}
        spine = [hrefs[ref.get("idref")] for ref in opf.findall(".//o:spine/o:itemref", opf_ns)]
        return [(href, etree.fromstring(package.read(f"EPUB/{href}"))) for href in spine]


def markers(epub: Path) -> dict[str, str]:
    """Page label → the text that follows its marker in the EPUB."""
    found = {}
    for _href, tree in epub_pages(epub):
        for span in tree.iterfind(".//x:span[@epub:type='pagebreak']", NS):
            found[span.get("aria-label")] = " ".join(span.xpath("following::text()"))[:400]
    return found


def pdf_page_text(pdf: Path, index: int) -> str:
    """The text block of physical page ``index`` (from 0), running heads and folios left out."""
    trim = TRIMS["us-trade"]

    def points(length: str) -> float:
        return float(length[:-2]) * POINTS[length[-2:]]

    top = points(trim.top)
    height = points(trim.height) - top - points(trim.bottom)
    text = subprocess.run(
        ["pdftotext", "-f", str(index + 1), "-l", str(index + 1), "-x", "0", "-y", str(int(top)),
         "-W", str(int(points(trim.width))), "-H", str(int(height)), str(pdf), "-"],
        capture_output=True, text=True, check=True).stdout
    return join_lines(text.splitlines())


def test_every_marker_stands_where_its_pdf_page_begins(book):
    _volume, epub, pdf = book
    labels = PdfReader(pdf).page_labels
    placed = markers(epub)
    assert len(placed) > 30  # pages of text, each with its marker
    inside_a_word = 0
    for label, following in placed.items():
        page_words = words(pdf_page_text(pdf, labels.index(label)))[:4]
        epub_words = words(following)[:4]
        assert page_words, label
        # A page that begins inside a hyphenated word has its marker before that word.
        assert epub_words[0].endswith(page_words[0]), (label, page_words, epub_words)
        assert epub_words[1:] == page_words[1:], (label, page_words, epub_words)
        inside_a_word += epub_words[0] != page_words[0]
    assert inside_a_word  # the volume has pages that begin inside a word


def test_the_page_list_has_every_page_of_the_pdf_in_order(book):
    _volume, epub, pdf = book
    labels = PdfReader(pdf).page_labels
    nav = next(tree for href, tree in epub_pages(epub) if href.endswith("nav.xhtml"))
    page_list = nav.find(".//x:nav[@epub:type='page-list']", NS)
    entries = page_list.findall(".//x:a", NS)
    assert [a.text for a in entries] == labels
    assert page_list.get("hidden") == "hidden"  # no visible numbers unless a reader shows them
    ids = {span.get("id") for _href, tree in epub_pages(epub)
           for span in tree.iterfind(".//x:span[@epub:type='pagebreak']", NS)}
    assert {a.get("href").split("#")[1] for a in entries} <= ids


def test_pages_in_a_paragraph_break_a_note_or_a_blank_verso_are_all_there(book):
    volume, epub, pdf = book
    labels = PdfReader(pdf).page_labels
    placed = markers(epub)
    keys = [start.key for start in volume.page_starts]
    assert [start.label for start in volume.page_starts] == labels
    assert any(key and key.startswith("b:") for key in keys)  # inside the body's blocks
    assert any(key and key.startswith(("n:", "l:")) for key in keys)  # in the notes
    assert None in keys  # blank versos and the title page still have entries
    assert set(placed) == {start.label for start in volume.page_starts if start.key}


def test_the_package_says_it_has_print_page_numbers(book):
    _volume, epub, _pdf = book
    with zipfile.ZipFile(epub) as package:
        opf = package.read("EPUB/content.opf").decode()
    assert ">pageBreakMarkers<" in opf and ">printPageNumbers<" in opf
    assert 'property="source-of">pagination<' in opf
    assert "(PDF edition)" in opf


@pytest.mark.slow
def test_the_epub_with_page_numbers_passes_epubcheck(book):
    from bookmaker.checks.epubcheck import check_epub

    if shutil.which("java") is None:
        pytest.skip("EPUBCheck needs Java")
    _volume, epub, _pdf = book
    assert check_epub(epub) == []


def test_editing_one_document_leaves_the_earlier_pages_alone(tmp_path):
    volume, _epub, _pdf = built(tmp_path, sections=True)
    before = list(volume.page_starts)
    edited = long_volume()
    doc = edited.parts[2].documents[0]
    longer = make_document(doc.id, doc.title, paragraphs=12, notes=2)
    edited.parts[2].documents[0] = longer
    options = BuildOptions(jobs=2, cache_dir=tmp_path / "cache")
    render(edited, ["epub", "pdf"], tmp_path / "out", options)
    after = edited.page_starts
    first = next(i for i, start in enumerate(before) if start.key == f"d:{doc.id}")
    assert after[:first] == before[:first]
    assert len(after) > len(before)  # the later folios moved on


def test_markers_go_before_their_word_past_tags_and_entities():
    html = "<p>One <i>two</i> th&amp;ree<br/>four five</p>"
    marked = insert_markers(html, [(0, "[0]"), (2, "[2]"), (3, "[3]"), (9, "[end]")])
    assert marked == "<p>[0]One <i>two</i> [2]th&amp;ree<br/>[3]four five[end]</p>"


def test_without_page_list_the_epub_has_no_markers(tmp_path):
    volume = dataclasses.replace(make_volume(documents=2, parts=0, notes=1))
    report = render(volume, ["epub"], tmp_path, BuildOptions(jobs=1))
    assert markers(report["epub"].path) == {}
