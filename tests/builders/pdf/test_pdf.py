"""The print PDF: read back with pypdf and checked for what a printer and a reader see."""

from __future__ import annotations

import datetime
import gc
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from bookmaker.builders import BuildOptions
from bookmaker.builders.pdf import book as pdf
from bookmaker.builders.pdf import boxes as pdf_boxes
from bookmaker.builders.pdf.fetcher import RefusedURL, RestrictedFetcher
from bookmaker.builders.pdf.fonts import find_face
from bookmaker.checks import pdf as pdf_checks
from bookmaker.errors import BuildError
from bookmaker.images import read_assets
from bookmaker.model import Block
from bookmaker.text import join_lines, words
from tests.factories import make_document, make_volume
from tests.pdftools import pdf_page_lines

VOLUME_TITLE = "How the Revolution Armed"
PT_PER = {"mm": 72 / 25.4, "in": 72.0}


def points(length: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(mm|in)", length).groups()
    return float(number) * PT_PER[unit]


def build(volume, path: Path, split: bool = False, **settings):
    for key, value in settings.items():
        setattr(volume.settings.pdf, key, value)
    result = pdf.build(volume, path, BuildOptions(split=split))
    return result, PdfReader(path)


def long_volume(notes: int = 2):
    """Four documents in two parts, the first long enough for running heads on both sides."""
    volume = make_volume(4, 2, notes=notes)
    volume.parts[0].documents[0] = make_document(
        "doc-0001", "Statement Number 1", paragraphs=24, notes=notes
    )
    return volume


def text_area(page_lines, trim="us-trade"):
    """Lines inside the text block (running heads and folios left out)."""
    preset = pdf.TRIMS[trim]
    top, bottom = points(preset.top), points(preset.height) - points(preset.bottom)
    return [line.text for line in page_lines if top <= line.top <= bottom]


def head_lines(page_lines, trim="us-trade"):
    """Lines above the text block: the running head and its folio."""
    top = points(pdf.TRIMS[trim].top)
    return [line.text for line in page_lines if line.top < top]


def foot_lines(page_lines, trim="us-trade"):
    preset = pdf.TRIMS[trim]
    bottom = points(preset.height) - points(preset.bottom)
    return [line.text for line in page_lines if line.top > bottom]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    volume = long_volume()
    path = tmp_path_factory.mktemp("book") / "book.pdf"
    result, reader = build(volume, path)
    lines = pdf_page_lines(path)
    return volume, path, result, reader, lines


def front_pages(reader: PdfReader) -> int:
    return reader.page_labels.index("1")


def toc_entries(reader: PdfReader) -> dict[str, str]:
    """Title → printed folio ('3', 'vii'), read from the contents page's text."""
    entries = {}
    for page in reader.pages[: front_pages(reader)]:
        text = page.extract_text()
        if not text.startswith("Contents"):
            continue
        for line in text.splitlines():
            match = re.fullmatch(r"(.+?)\s*(?:\.\s*){3,}(\d+|[ivxlc]+)", line.strip())
            if match:
                entries[match[1]] = match[2]
    return entries


def test_contents_folios_lead_to_the_documents(book):
    volume, _path, _result, reader, lines = book
    entries = toc_entries(reader)
    assert list(entries) == [doc.title for doc in volume.documents]
    front = front_pages(reader)
    for doc in volume.documents:
        folio = int(entries[doc.title])
        page = front + folio - 1
        assert doc.title in text_area(lines[page])[:2]
        # The printed folio of the opening (at its foot) is the one the contents gives.
        assert foot_lines(lines[page]) == [str(folio)]


def test_numbering_is_roman_then_restarts_at_1_where_the_body_begins(book):
    volume, _path, _result, reader, lines = book
    front = front_pages(reader)
    assert reader.page_labels[:front] == ["i", "ii", "iii", "iv", "v", "vi"][:front]
    assert reader.page_labels[front:front + 3] == ["1", "2", "3"]
    # The first body page is the first part's title page.
    assert text_area(lines[front]) == [volume.parts[0].title]
    contents = next(i for i, page in enumerate(reader.pages) if page.extract_text().startswith(
        "Contents"))
    assert foot_lines(lines[contents]) == [reader.page_labels[contents]]


def test_outline_mirrors_parts_and_documents(book):
    volume, _path, _result, reader, _lines = book
    outline = reader.outline
    titles = [item["/Title"] for item in outline if not isinstance(item, list)]
    assert titles == ["Contents"] + [part.title for part in volume.parts]
    children = [item for item in outline if isinstance(item, list)]
    assert [[entry["/Title"] for entry in group] for group in children] == [
        [doc.title for doc in part.documents] for part in volume.parts
    ]
    entries = toc_entries(reader)
    first = children[0][0]
    assert reader.get_destination_page_number(first) == front_pages(reader) + int(
        entries[first["/Title"]]) - 1


def test_running_heads_volume_title_on_versos_document_title_on_rectos(book):
    volume, _path, _result, reader, lines = book
    entries = toc_entries(reader)
    front = front_pages(reader)
    first = volume.documents[0]
    opening = front + int(entries[first.title]) - 1
    following = front + int(entries[volume.documents[1].title]) - 1
    assert head_lines(lines[opening]) == []
    rectos = versos = 0
    for index in range(opening + 1, following):
        heads = head_lines(lines[index])
        if not text_area(lines[index]):
            assert heads == [] and foot_lines(lines[index]) == []  # blank pages carry nothing
            continue
        folio = reader.page_labels[index]
        if index % 2 == 0:  # physical page 1 is a recto
            assert heads == [f"{first.title} {folio}"]
            rectos += 1
        else:
            assert heads == [f"{folio} {VOLUME_TITLE}"]
            versos += 1
    assert rectos >= 1 and versos >= 1


def test_fonts_are_the_book_face_embedded_and_subset(book):
    _volume, path, _result, _reader, _lines = book
    fonts = pdf_checks.pdf_fonts(path)
    assert fonts
    for font in fonts:
        assert font.is_face("EBGaramond"), font.name
        assert font.embedded, font.name
        assert re.match(r"^[A-Z]{6}\+", font.name), font.name
    assert {font.bare_name for font in fonts} >= {"EB-Garamond", "EB-Garamond-Italic"}
    assert pdf_checks.check_fonts(path, "EBGaramond") == []


def test_last_words_are_on_the_last_text_page(book):
    volume, _path, _result, reader, lines = book
    last_page = max(i for i, page in enumerate(lines) if text_area(page))
    assert last_page == len(reader.pages) - 1
    tail = pdf_checks.last_words(volume.documents)
    body_text = " ".join(words(join_lines(text_area(lines[last_page]))))
    assert " ".join(tail) in body_text


def test_metadata_and_links(book):
    volume, _path, result, reader, _lines = book
    meta = reader.metadata
    assert meta.title == "How the Revolution Armed: Volume 1, 1918"
    assert meta.author == "Leon Trotsky"
    assert meta.subject == volume.info.description
    assert "Red Army" in meta["/Keywords"]
    assert meta.creator == "bookmaker 0.1.0"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert result.pages == len(reader.pages)
    contents = next(p for p in reader.pages if p.extract_text().startswith("Contents"))
    links = [a.get_object() for a in contents.get("/Annots", [])]
    assert len([a for a in links if a["/Subtype"] == "/Link"]) >= len(volume.documents)
    notes_total = sum(len(doc.notes) for doc in volume.documents)
    note_links = sum(len(p.get("/Annots", [])) for p in reader.pages[front_pages(reader):])
    assert note_links >= 2 * notes_total  # calls to notes, and notes back to calls


def body_stream_expected(volume) -> list[str]:
    """Every word the body pages should print, in order, from the model."""
    from lxml import html as lxml_html

    def plain(fragment):
        return lxml_html.fragment_fromstring(fragment, create_parent="div").text_content()

    expected = []
    for part in volume.parts:
        expected += words(part.title or "")
        for doc in part.documents:
            expected += words(doc.title)
            expected += words(plain(doc.occasion))
            expected += words(plain(doc.source_line))
            for block in doc.blocks:
                expected += words(block.text)
            expected += words(doc.date_text)
    return expected


def test_text_fidelity_every_word_once_in_order(tmp_path):
    volume = make_volume(6, 2, notes=0)
    volume.parts[1].documents[0] = make_document("doc-0004", "Long Statement", paragraphs=20,
                                                 notes=0)
    _result, reader = build(volume, tmp_path / "book.pdf")
    lines = pdf_page_lines(tmp_path / "book.pdf")
    body = [line for page in lines[front_pages(reader):] for line in text_area(page)]
    printed = words(join_lines(body))
    assert printed == body_stream_expected(volume)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_pdftotext_reads_the_same_last_words(book):
    volume, path, _result, _reader, _lines = book
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = out.split("\f")
    last = [page for page in pages if page.strip()][-1]
    joined = " ".join(words(join_lines(last.splitlines())))
    assert " ".join(pdf_checks.last_words(volume.documents)) in joined


@pytest.mark.parametrize(
    ("trim", "width", "height"),
    [("a5", 419.5, 595.3), ("royal", 442.2, 663.3), ("us-trade", 432, 648),
     ("a4", 595.3, 841.9), ("letter", 612, 792)],
)
def test_trim_presets_set_the_page_size(tmp_path, trim, width, height):
    _result, reader = build(make_volume(1, 0, notes=0), tmp_path / "t.pdf", trim=trim)
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(width, abs=0.2)
        assert float(page.mediabox.height) == pytest.approx(height, abs=0.2)


def test_bleed_enlarges_the_page_and_keeps_the_trim_box(tmp_path):
    _result, reader = build(make_volume(1, 0, notes=0), tmp_path / "b.pdf", bleed="3mm")
    page = reader.pages[0]
    bleed = 3 * PT_PER["mm"]
    assert float(page.mediabox.width) == pytest.approx(432 + 2 * bleed, abs=0.2)
    assert float(page.trimbox.width) == pytest.approx(432, abs=0.2)
    assert float(page.trimbox.left - page.mediabox.left) == pytest.approx(bleed, abs=0.2)
    assert "/BleedBox" in page
    # Crop marks: eight strokes, drawn by WeasyPrint in a form XObject.
    forms = page["/Resources"]["/XObject"]
    strokes = sum(forms[name].get_object().get_data().count(b" l\n") for name in forms)
    assert strokes >= 8


def test_footnotes_stand_on_their_calls_page(tmp_path, caplog):
    volume = make_volume(3, 0, notes=2)
    with caplog.at_level(logging.WARNING, logger="bookmaker"):
        result, reader = build(volume, tmp_path / "f.pdf", notes="footnotes")
    assert not [w for w in result.warnings if "PDF-010" in w]
    texts = [page.extract_text() for page in reader.pages]
    for doc in volume.documents:
        opening = next(i for i, t in enumerate(texts) if t.startswith(doc.title))
        for note in doc.notes:
            assert note.text in texts[opening]
        assert "Notes" not in texts[opening]  # no endnotes section left


def test_footnote_check_warns_when_a_note_leaves_its_page(monkeypatch, tmp_path):
    volume = make_volume(1, 0, notes=1)
    real = pdf_boxes.rendered_pages

    def misplace(document):
        pages = real(document)
        note = volume.documents[0].notes[0].id
        for page in pages:
            page.anchors.discard(note)
        pages[-1].anchors.add(note)
        pages.append(pdf_checks.RenderedPage(index=len(pages), anchors={note}))
        for page in pages[-1:]:
            page.index = len(pages) - 1
        return pages

    monkeypatch.setattr(pdf.pdf_boxes, "rendered_pages", misplace)
    result, _reader = build(volume, tmp_path / "f.pdf", notes="footnotes")
    assert any("PDF-010" in w and "footnote 1 of 'Statement Number 1'" in w
               for w in result.warnings)


def test_an_early_stop_is_an_error(monkeypatch, tmp_path):
    real = pdf_boxes.rendered_pages
    monkeypatch.setattr(pdf.pdf_boxes, "rendered_pages", lambda document: real(document)[:-3])
    with pytest.raises(BuildError, match="Statement Number 4|last words"):
        build(make_volume(4, 2), tmp_path / "s.pdf")


@pytest.mark.slow
def test_screen_pdf_has_no_blank_pages(tmp_path):
    volume = make_volume(4, 2)
    _result, reader = build(volume, tmp_path / "s.pdf", screen=True)
    lines = pdf_page_lines(tmp_path / "s.pdf")
    assert all(page for page in lines), "a blank page in a screen PDF"
    _result, printed = build(make_volume(4, 2), tmp_path / "p.pdf")
    assert len(reader.pages) < len(printed.pages)


def test_openings_on_any_page(tmp_path):
    volume = make_volume(4, 0)
    _result, reader = build(volume, tmp_path / "o.pdf", openings="page")
    texts = [page.extract_text() for page in reader.pages]
    openings = [i for i, t in enumerate(texts) if t.startswith("Statement Number")]
    assert len(openings) == 4
    assert any(i % 2 == 1 for i in openings)  # some documents open on a verso


@pytest.mark.slow
def test_split_writes_one_offprint_per_document(tmp_path):
    volume = make_volume(3, 0)
    result, _reader = build(volume, tmp_path / "book.pdf", split=True)
    assert [p.name for p in result.extra_files] == [
        f"book-{doc.id}.pdf" for doc in volume.documents
    ]
    for doc, path in zip(volume.documents, result.extra_files, strict=True):
        text = "".join(page.extract_text() for page in PdfReader(path).pages)
        assert doc.title in text
        assert VOLUME_TITLE in text
        others = [d.title for d in volume.documents if d is not doc]
        assert not any(title in text for title in others)


def test_pdf_a_variant(tmp_path):
    _result, reader = build(make_volume(1, 0), tmp_path / "a.pdf", variant="pdf/a-3b")
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert b"pdfaid" in xmp.stream.get_data()
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_images_resolve_inside_the_volume_and_nothing_outside(tmp_path, caplog):
    from PIL import Image

    root = tmp_path / "vol"
    (root / "images").mkdir(parents=True)
    Image.new("RGB", (40, 30), "red").save(root / "images" / "map.png")
    volume = make_volume(1, 0, notes=0)
    volume.root = str(root)
    doc = volume.documents[0]
    doc.blocks.insert(1, Block("figure", '<figure><img src="images/map.png" alt="Map"></figure>'))
    doc.blocks.insert(2, Block("figure", '<figure><img src="/etc/hostname" alt="x"></figure>'))
    doc.blocks.insert(3, Block("figure", '<figure><img src="https://example.org/a.png"></figure>'))
    volume.assets = read_assets(volume.documents, root)  # as the pipeline does
    # The builder shows the image the pipeline read, and opens no file of the volume.
    Image.new("RGB", (40, 30), "blue").save(root / "images" / "map.png")
    with caplog.at_level(logging.WARNING, logger="bookmaker"):
        result, reader = build(volume, tmp_path / "i.pdf")
    images = {image.data: image.image for page in reader.pages for image in page.images}
    assert len(images) == 1
    shown = next(iter(images.values())).convert("RGB")
    assert shown.getpixel((5, 5))[0] > 200 and shown.getpixel((5, 5))[2] < 50  # red, not blue
    refused = " ".join(caplog.messages)
    assert "/etc/hostname" in refused and "https://example.org/a.png" in refused


def test_fetcher_allows_only_files_under_its_roots(tmp_path):
    inside = tmp_path / "vol" / "a.css"
    inside.parent.mkdir()
    inside.write_text("p {}")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (tmp_path / "vol" / "link.css").symlink_to(outside)
    fetcher = RestrictedFetcher([tmp_path / "vol"])
    assert fetcher(inside.as_uri()).read() == b"p {}"
    assert fetcher("data:text/plain,hello").read() == b"hello"
    for url in (outside.as_uri(), (tmp_path / "vol" / "link.css").as_uri(),
                "http://example.org/x.css", "https://example.org/x.css", "ftp://x/y"):
        with pytest.raises(RefusedURL):
            fetcher(url)
    assert len(fetcher.refused) == 5


def test_missing_face_is_named_in_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="bookmaker"):
        assert find_face("no-such-face") is None
    assert "no-such-face" in caplog.text


@pytest.mark.parametrize(("face", "prefix"), [("source-serif-4", "SourceSerif4"),
                                               ("literata", "Literata")])
def test_other_book_faces(tmp_path, face, prefix):
    build(make_volume(1, 0, notes=0), tmp_path / "f.pdf", font=face)
    fonts = pdf_checks.pdf_fonts(tmp_path / "f.pdf")
    assert fonts and all(font.is_face(prefix) and font.embedded for font in fonts)


def test_titles_in_capitals_are_small_caps_and_title_case_in_contents_and_outline(tmp_path):
    volume = make_volume(1, 0, notes=0)
    volume.parts[0].documents[0] = make_document("doc-0001", "ORDER NO. 42 TO THE RED ARMY",
                                                 notes=0)
    _result, reader = build(volume, tmp_path / "c.pdf")
    assert "Order No. 42 to the Red Army" in toc_entries(reader)
    assert [item["/Title"] for item in reader.outline] == ["Contents",
                                                           "Order No. 42 to the Red Army"]
    opening = reader.pages[front_pages(reader)].extract_text()
    assert opening.startswith("ORDER NO. 42 TO THE RED ARMY")  # the text as the archive has it


SAMPLE = Path(__file__).resolve().parents[3] / "volumes" / "how-the-revolution-armed-1918"


def test_the_sample_volume(tmp_path):
    pipeline = pytest.importorskip("bookmaker.pipeline")
    try:
        volume = pipeline.load_volume(SAMPLE)
    except Exception as exc:  # readers still being written
        pytest.skip(f"sample volume does not load yet: {exc}")
    result, reader = build(volume, tmp_path / "sample.pdf")
    entries = toc_entries(reader)
    lines = pdf_page_lines(tmp_path / "sample.pdf")
    labels = reader.page_labels
    for doc in volume.documents:
        page = labels.index(entries[doc.title])
        assert doc.title in " ".join(text_area(lines[page])[:3])
    assert pdf_checks.check_fonts(tmp_path / "sample.pdf", "EBGaramond") == []
    assert not result.warnings



def test_pdf_ua_variant_is_tagged(tmp_path):
    _result, reader = build(make_volume(1, 0), tmp_path / "ua.pdf", variant="pdf/ua-1")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert b"pdfuaid" in reader.xmp_metadata.stream.get_data()


def test_two_builds_are_identical(tmp_path):
    first, _ = build(make_volume(1, 0), tmp_path / "one.pdf")
    second, _ = build(make_volume(1, 0), tmp_path / "two.pdf")
    assert first.path.read_bytes() == second.path.read_bytes()


def test_characters_the_face_lacks_are_named(tmp_path, caplog):
    volume = make_volume(1, 0, notes=0)
    doc = volume.documents[0]
    doc.blocks.append(Block("paragraph", "<p>Long live the Soviets ☭</p>",
                            "Long live the Soviets ☭"))
    with caplog.at_level(logging.WARNING, logger="bookmaker"):
        result, _reader = build(volume, tmp_path / "g.pdf")
    assert "U+262D" in caplog.text
    assert any("PDF-022" in w for w in result.warnings)  # and the stand-in font is named


@pytest.mark.slow
def test_footnotes_too_long_for_their_page_are_reported(tmp_path):
    """WeasyPrint pushes long footnotes pages away from their calls (#1564, #2502)."""
    from dataclasses import replace

    from tests.factories import SEED_SENTENCES

    volume = make_volume(2, 0, notes=6)
    long_text = " ".join(SEED_SENTENCES * 3)
    for doc in volume.documents:
        doc.notes = [replace(n, html=f"<p>{long_text}</p>", text=long_text) for n in doc.notes]
    result, _reader = build(volume, tmp_path / "fn.pdf", notes="footnotes")
    misplaced = [w for w in result.warnings if "PDF-010" in w]
    assert misplaced
    assert all(re.search(r"printed on page \d+ but called on page \d+", w) for w in misplaced)


def test_settings_lengths_are_checked():
    settings = make_volume(1, 0).settings.pdf
    settings.font_size = "10.5pt"
    settings.bleed = "3mm"
    css = pdf.page_css(settings)
    assert "font-size: 10.5pt" in css and "bleed: 3mm" in css and "marks: crop" in css
    # Checked by the model, on assignment too: nothing reaches the stylesheet unchecked.
    with pytest.raises(ValidationError, match="is not a length"):
        settings.font_size = "11pt; } @import url(http://example.org/x.css); {"
    assert settings.font_size == "10.5pt"


def test_remote_urls_pass_the_gate_only_when_allowed():
    with pytest.raises(RefusedURL):
        RestrictedFetcher([])("https://example.org/a.png")
    permissive = RestrictedFetcher([], allow_remote=True, timeout=0.01)
    with pytest.raises(Exception) as caught:  # no network here: any failure but a refusal
        permissive("http://127.0.0.1:9/a.png")
    assert not isinstance(caught.value, RefusedURL)
    assert permissive.refused == []


@pytest.mark.slow
def test_offprints_from_worker_processes_equal_those_made_in_process(tmp_path, caplog):
    volume = make_volume(3, 0)
    volume.documents[1].blocks.append(
        Block("figure", '<figure><img src="https://example.org/a.png"></figure>')
    )
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    alone = pdf.build(volume, tmp_path / "one" / "b.pdf", BuildOptions(split=True, jobs=1))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bookmaker"):
        pooled = pdf.build(volume, tmp_path / "two" / "b.pdf", BuildOptions(split=True, jobs=2))
    assert [p.name for p in pooled.extra_files] == [p.name for p in alone.extra_files]
    for a, b in zip(alone.extra_files, pooled.extra_files, strict=True):
        assert a.read_bytes() == b.read_bytes()
    # The refused image is reported once, by the book's render, not again by a worker.
    assert sum("example.org" in m for m in caplog.messages) == 1


def test_without_parts_the_first_document_is_page_1(tmp_path):
    volume = make_volume(2, 0)
    volume.parts[0].documents[0] = make_document("doc-0001", "Statement Number 1",
                                                 paragraphs=14)
    _result, reader = build(volume, tmp_path / "np.pdf")
    lines = pdf_page_lines(tmp_path / "np.pdf")
    front = front_pages(reader)
    assert text_area(lines[front])[0] == "Statement Number 1"
    assert foot_lines(lines[front]) == ["1"]
    assert head_lines(lines[front + 1]) == [f"2 {VOLUME_TITLE}"]
    assert head_lines(lines[front + 2]) == ["Statement Number 1 3"]
    assert toc_entries(reader) == {"Statement Number 1": "1", "Statement Number 2": "5"}


def test_no_heading_is_left_alone_at_a_page_foot():
    volume = make_volume(1, 0, notes=0)
    doc = volume.documents[0]
    blocks = []
    for i in range(40):
        if i % 3 == 0:
            blocks.append(Block("heading", f"<h3>Section Heading {i}</h3>", f"Section {i}"))
        blocks.append(doc.blocks[i % len(doc.blocks)])
    doc.blocks = blocks
    renderer = pdf.Renderer.for_volume(volume)
    pages = pdf_boxes.rendered_pages(
        renderer.lay_out("book.html", pdf.book_context(volume, renderer.face))
    )
    body_pages = [page for page in pages if page.lines]
    assert len(body_pages) > 8
    assert sum(line.startswith("Section Heading") for p in pages for line in p.lines) == 14
    assert not [p.index for p in body_pages if p.lines[-1].startswith("Section Heading")]


# ------------------------------------------------------- importing WeasyPrint

IMPORT_CHECK = """
import ctypes.util, sys
search = ctypes.util.find_library
{prepare}
from bookmaker.builders.pdf.render import import_weasyprint
import_weasyprint()
import weasyprint.text.ffi as ffi
print(ffi.pango is not None, ffi.harfbuzz_subset is not None,
      ctypes.util.find_library is search)
"""


def run_import_check(prepare: str = "") -> str:
    code = IMPORT_CHECK.format(prepare=prepare)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is Linux's")
def test_weasyprint_is_imported_without_library_searches_and_loads_the_same():
    plain = subprocess.run(
        [sys.executable, "-c",
         "import weasyprint.text.ffi as f; print(f.harfbuzz_subset is not None)"],
        capture_output=True, text=True, timeout=120, check=True).stdout.strip()
    counted = run_import_check(
        "import ctypes.util as u\n"
        "calls = []\n"
        "def counting(name, _search=u.find_library):\n"
        "    calls.append(name)\n"
        "    return _search(name)\n"
        "u.find_library = search = counting\n"
        "import atexit; atexit.register(lambda: print(len(calls)))\n")
    loaded, exit_line = counted.strip().split("\n")
    assert loaded == f"True {plain} True"  # Pango, the same subsetter, the search put back
    assert exit_line == "0"  # no library search ran


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the shortcut is Linux's")
def test_weasyprint_is_imported_the_usual_way_when_the_shortcut_fails():
    # A system where Pango loads only through the search: the first import fails,
    # the second searches and succeeds, and nothing WeasyPrint printed is shown.
    out = run_import_check(
        "import cffi\n"
        "dlopen = cffi.FFI.dlopen\n"
        "def only_searched(self, name, flags=0):\n"
        "    if ctypes.util.find_library is not search and 'pango' in str(name):\n"
        "        raise OSError('not found without a search')\n"
        "    return dlopen(self, name, flags)\n"
        "cffi.FFI.dlopen = only_searched\n")
    pango, _subsetter, restored = out.split()
    assert (pango, restored) == ("True", "True")  # no advice printed either


def test_render_workers_leave_no_temporary_folders(tmp_path, monkeypatch):
    # WeasyPrint copies the book face into a temporary folder per font configuration;
    # a worker that let the interpreter's teardown drop its renderer left it in /tmp.
    # Offprint workers are forked (they inherit tempfile's choice), the sectioned
    # book's are spawned (they take TMPDIR from the environment).
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    volume = make_volume(4, 0)
    out = tmp_path / "out"
    out.mkdir()
    result = pdf.build(volume, out / "b.pdf", BuildOptions(split=True, jobs=2))
    assert len(result.extra_files) == 4  # offprints, in two worker processes
    sectioned = pdf.build(make_volume(12, 2), out / "s.pdf",
                          BuildOptions(jobs=2, cache_dir=tmp_path / "cache"))
    assert sectioned.pages > 12  # groups, in two worker processes

    def left() -> list[str]:
        return sorted(p.name for p in temp.iterdir() if p.name.startswith("weasyprint-"))

    gc.collect()  # this process's own renderers (WeasyPrint's objects hold cycles)
    # The sectioned build does not wait for its idle workers to exit: give them time.
    deadline = time.monotonic() + 20
    while left() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left() == []


def test_the_pdfs_own_words_are_in_the_books_language(tmp_path):
    volume = long_volume(notes=1)
    volume.info = volume.info.model_copy(update={
        "language": "ru", "translators": ["Анна Иванова", "Борис Петров"]})
    volume.source_date = datetime.datetime(1918, 12, 30, tzinfo=datetime.UTC)
    for part, title in zip(volume.parts, ["Красная армия", "Фронты"], strict=True):
        part.title = title
    path = tmp_path / "ru.pdf"
    _result, reader = build(volume, path)
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert "Перевод: Анна Иванова и Борис Петров" in text
    assert any(page.startswith("Содержание") for page in pages)
    assert "Часть 1" in text and "Часть 2" in text and "Part" not in text
    assert "Примечания" in text and "\nNotes" not in text
    assert "30 декабря 1918" in text
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[0] == "Содержание"
