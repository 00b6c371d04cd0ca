"""Long documents cut into several XHTML files: order, text, links, contents and EPUBCheck."""

from __future__ import annotations

import posixpath
import zipfile
from html import escape
from pathlib import Path

import pytest
from lxml import etree

from bookmaker.builders import BuildOptions
from bookmaker.builders.epub import book as epub
from bookmaker.builders.epub.split import SPLIT_LIMIT, cut_document, split_paragraph
from bookmaker.model import Block, Document, Note, note_id, noteref_id
from tests.builders.epub.test_epub import NS, Book, body_words
from tests.factories import make_volume

LIMIT = 5000
"""Bytes per file in these tests: four of the paragraphs below fit, five do not."""

DOC = "doc-0002"
FILLER = "The Soviet power deals severely with mutineers, and will henceforth punish traitors. "


def _call(key: str, occurrence: int = 1) -> str:
    return (f'<a class="noteref" role="doc-noteref" id="{noteref_id(DOC, key, occurrence)}" '
            f'href="#{note_id(DOC, key)}">{key}</a>')


def long_document(paragraphs: int) -> Document:
    """About 1,050 bytes a paragraph; a note call every fifth paragraph, note 1 called twice,
    a note called from the title, and links between the first and the last paragraph."""
    blocks, notes, calls = [], [], {}
    for i in range(paragraphs):
        text = f"Paragraph {i:03d} begins. " + FILLER * 12
        html = escape(text)
        if i % 5 == 0:
            key = str(i // 5 + 1)
            html += _call(key)
            calls[key] = [noteref_id(DOC, key)]
        if i == paragraphs - 3:
            html += _call("1", 2)
            calls["1"].append(noteref_id(DOC, "1", 2))
        if i == 0:
            html = f'<a href="#{DOC}-last">To the last paragraph.</a> ' + html
            text = "To the last paragraph. " + text
            blocks.append(Block("paragraph", f'<p id="{DOC}-first">{html}</p>', text))
        elif i == paragraphs - 1:
            html += f' <a href="#{DOC}-first">Back to the first.</a>'
            text += " Back to the first."
            blocks.append(Block("paragraph", f'<p id="{DOC}-last">{html}</p>', text))
        else:
            blocks.append(Block("paragraph", f"<p>{html}</p>", text))
    for key, refs in calls.items():
        notes.append(Note(key, key, note_id(DOC, key), tuple(refs),
                          f"<p>Note {key}: Krasnov was a Cossack general.</p>"))
    notes.append(Note("t", "*", note_id(DOC, "t"), (noteref_id(DOC, "t"),),
                      "<p>Note to the title: a speech of 1918.</p>"))
    title_call = (f'<a class="noteref" role="doc-noteref" id="{noteref_id(DOC, "t")}" '
                  f'href="#{note_id(DOC, "t")}">*</a>')
    return Document(id=DOC, source_path="texts/long.txt", title="A Very Long Statement",
                    title_html="A Very Long Statement" + title_call,
                    occasion="Speech at a meeting of the Moscow Soviet",
                    date_text="December 30, 1918", blocks=blocks, notes=notes)


def with_long_notes(doc: Document) -> Document:
    """``doc`` with notes of about 3,000 bytes each: two of them do not fit in one file."""
    doc.notes = [Note(n.key, n.label, n.id, n.ref_ids, n.html.replace(
        "Krasnov", "Krasnov " + FILLER * 35)) for n in doc.notes]
    return doc


def volume_with(document: Document):
    volume = make_volume(documents=3, parts=1, notes=2)
    volume.parts[0].documents[1] = document
    return volume


def build(volume, path: Path, limit: int | None = LIMIT) -> Book:
    epub.build(volume, path, BuildOptions(), split_limit=limit)
    with zipfile.ZipFile(path) as archive:
        return Book(path, {info.filename: archive.read(info) for info in archive.infolist()})


def doc_files(book: Book) -> list[str]:
    """Spine pages of the long document, in order."""
    return [p for p in book.spine() if posixpath.basename(p).startswith(DOC)]


def sections(book: Book) -> list[etree._Element]:
    return [book.xhtml(path).find(".//x:section", NS) for path in doc_files(book)]


@pytest.fixture(scope="module", params=[(40, 11), (38, 10)], ids=["notes-apart", "notes-after"])
def split(request, tmp_path_factory):
    """(book, document, expected file count): 40 paragraphs fill ten files, so the notes get
    an eleventh; with 38 the tenth file has room for them."""
    paragraphs, files = request.param
    doc = long_document(paragraphs)
    book = build(volume_with(doc), tmp_path_factory.mktemp("split") / "book.epub")
    return book, doc, files


# ------------------------------------------------------------------ files


def test_a_long_document_spans_consecutive_files_of_the_spine(split):
    book, _, count = split
    files = doc_files(book)
    assert [posixpath.basename(f) for f in files] == (
        [f"{DOC}.xhtml"] + [f"{DOC}_{n}.xhtml" for n in range(2, count + 1)]
    )
    spine = book.spine()
    start = spine.index(files[0])
    assert spine[start - 1].endswith("doc-0001.xhtml")
    assert spine[start:start + count] == files
    assert spine[start + count].endswith("doc-0003.xhtml")


def test_no_file_holds_more_than_the_limit_of_body(split):
    book, _, _ = split
    for path in doc_files(book):
        section = book.xhtml(path).find(".//x:section", NS)
        held = b"".join(etree.tostring(child) for child in section
                        if etree.QName(child).localname != "header")
        assert len(held) < LIMIT + 1000, path  # the limit counts the model's markup only


def test_all_the_text_is_there_once_in_order(split):
    book, doc, _ = split
    seen = [word for section in sections(book)
            if section.find("x:div[@class='body']", NS) is not None
            for word in body_words(section)]
    assert seen == " ".join(block.text for block in doc.blocks).split()
    assert seen.count("Paragraph") == len(doc.blocks)


def test_only_the_first_file_has_the_heading_and_only_it_is_in_the_contents(split):
    book, _, count = split
    first, *rest = sections(book)
    assert first.get("id") == DOC and first.get("aria-labelledby") == f"{DOC}-title"
    assert first.find("x:header/x:h2", NS).text == "A Very Long Statement"
    for section in rest:
        assert section.get("id") is None and "continued" in section.get("class").split()
        assert section.get("aria-label") == "A Very Long Statement"
        assert section.get(f"{{{NS['epub']}}}type") == "chapter"
        assert section.find("x:header", NS) is None
    nav = book.xhtml(book.nav_path())
    hrefs = [a.get("href") for a in nav.iterfind(".//x:nav[@id='toc']//x:a", NS)]
    assert [h for h in hrefs if DOC in h] == [f"{DOC}.xhtml"]
    assert len(hrefs) == 1 + 3  # the part and its three documents
    ncx = etree.fromstring(book.files["EPUB/toc.ncx"])
    sources = [c.get("src") for c in ncx.iterfind(".//ncx:content", NS)]
    assert [s for s in sources if DOC in s] == [f"text/{DOC}.xhtml"]
    assert count > 1


def test_the_date_and_notes_close_the_document(split):
    book, doc, _ = split
    all_sections = sections(book)
    with_notes = [s for s in all_sections if s.find(".//x:section[@epub:type='endnotes']", NS)
                  is not None]
    assert with_notes == [all_sections[-1]]
    notes = all_sections[-1].find(".//x:section[@epub:type='endnotes']", NS)
    assert notes.get("id") == f"{DOC}-notes"
    assert [li.get("id") for li in notes.iterfind(".//x:li", NS)] == [n.id for n in doc.notes]
    dates = [s for s in all_sections if s.find("x:p[@class='date']", NS) is not None]
    last_body = [s for s in all_sections if s.find("x:div[@class='body']", NS) is not None][-1]
    assert dates == [last_body]


def _targets(book: Book, path: str) -> list[tuple[etree._Element, str, str]]:
    """(anchor, file, fragment) of every same-book link of a page."""
    found = []
    for anchor in book.xhtml(path).iter(f"{{{NS['x']}}}a"):
        href = anchor.get("href")
        if href and "://" not in href:
            target, _, fragment = href.partition("#")
            found.append((anchor, book.resolve(target, path) if target else path, fragment))
    return found


def test_every_link_noteref_and_backlink_reaches_an_id_in_the_file_it_names(split):
    book, doc, count = split
    files = doc_files(book)
    where = {el.get("id"): path for path in files for el in book.xhtml(path).iter()
             if el.get("id")}
    checked = 0
    for path in files:
        for anchor, target, fragment in _targets(book, path):
            assert where.get(fragment) == target, (path, anchor.get("href"))
            checked += 1
    calls = len(doc.notes) + 1  # every note once, note 1 twice
    assert checked == 2 * calls + 2  # calls, backlinks, and the two paragraph links
    # Calls in the first file go to the last; note 1's backlinks go to two different files.
    first_calls = [a.get("href") for a in book.xhtml(files[0]).iterfind(".//x:a", NS)
                   if a.get(f"{{{NS['epub']}}}type") == "noteref"]
    assert f"{DOC}_{count}.xhtml#{note_id(DOC, 't')}" in first_calls
    note = book.xhtml(files[-1]).find(f".//x:li[@id='{note_id(DOC, '1')}']", NS)
    back = [a.get("href") for a in note.iterfind(".//x:a", NS)]
    assert back == [f"{DOC}.xhtml#{noteref_id(DOC, '1')}",
                    f"{posixpath.basename(where[noteref_id(DOC, '1', 2)])}"
                    f"#{noteref_id(DOC, '1', 2)}"]
    assert where[noteref_id(DOC, "1", 2)] not in (files[0], files[-1])


def test_a_normal_document_is_one_file(tmp_path):
    volume = make_volume(documents=3, parts=1, notes=2)
    book = build(volume, tmp_path / "book.epub", limit=None)
    assert [posixpath.basename(p) for p in book.spine()[4:]] == [
        "part-1.xhtml", "doc-0001.xhtml", "doc-0002.xhtml", "doc-0003.xhtml"]
    doc = volume.documents[1]
    assert cut_document(doc, SPLIT_LIMIT)[0].blocks == doc.blocks
    assert len(cut_document(doc, SPLIT_LIMIT)) == 1


def test_the_short_documents_of_a_book_are_not_cut(split):
    book, _, count = split
    pages = [posixpath.basename(p) for p in book.spine()]
    assert pages.count("doc-0001.xhtml") == 1 and "doc-0001_2.xhtml" not in pages
    assert len(pages) == 4 + 1 + 2 + count


# ----------------------------------------------------------- huge blocks


def test_a_paragraph_larger_than_the_limit_is_cut_between_sentences():
    sentences = [f"Sentence {i} says “the army is ours.” " for i in range(60)]
    html = (f'<p id="{DOC}-huge" class="speech">' + escape("".join(sentences[:30]))
            + f"<em>Emphasis kept whole.</em> {_call('1')} " + escape("".join(sentences[30:]))
            + "</p>")
    block = Block("paragraph", html, "".join(sentences))
    pieces = split_paragraph(block, 600)
    assert len(pieces) >= 4
    assert all(len(p.html.encode()) <= 600 for p in pieces)
    roots = [etree.fromstring(p.html) for p in pieces]
    assert roots[0].get("id") == f"{DOC}-huge" and roots[0].get("class") == "speech"
    assert all(r.get("id") is None and r.get("class") == "speech continued" for r in roots[1:])
    assert "".join("".join(r.itertext()) for r in roots).split() == etree.fromstring(
        html).xpath("string()").split()
    # Cuts fall after sentence ends, never inside the emphasis or the note call.
    for root in roots[:-1]:
        assert "".join(root.itertext()).rstrip().endswith(("”", "."))
    assert sum(len(r.findall("em")) for r in roots) == 1
    assert sum(len(r.findall("a")) for r in roots) == 1
    # Block.text leaves the note call out, as the readers' text does.
    expected = "".join(sentences[:30]) + "Emphasis kept whole. " + "".join(sentences[30:])
    assert " ".join(p.text for p in pieces).split() == expected.split()


def test_a_sentence_longer_than_the_limit_is_cut_between_words():
    text = " ".join(f"word{i}" for i in range(400))
    pieces = split_paragraph(Block("paragraph", f"<p>{text}</p>", text), 500)
    assert len(pieces) > 3 and all(len(p.html.encode()) <= 500 for p in pieces)
    assert " ".join(p.text for p in pieces).split() == text.split()


def test_other_blocks_larger_than_the_limit_stay_whole_in_a_file_of_their_own(tmp_path):
    doc = long_document(12)
    quote = "<blockquote>" + "".join(f"<p>{FILLER}</p>" for _ in range(80)) + "</blockquote>"
    doc.blocks.insert(6, Block("quote", quote, FILLER * 80))
    assert split_paragraph(doc.blocks[6], LIMIT) == [doc.blocks[6]]
    pieces = cut_document(doc, LIMIT)
    holding = [p for p in pieces if any(b.kind == "quote" for b in p.blocks)]
    assert len(holding) == 1 and [b.kind for b in holding[0].blocks] == ["quote"]
    assert [b for p in pieces for b in p.blocks] == doc.blocks


def test_notes_larger_than_the_limit_continue_over_files(tmp_path):
    doc = with_long_notes(long_document(10))
    book = build(volume_with(doc), tmp_path / "book.epub")
    with_notes = [s.find(".//x:section[@epub:type='endnotes']", NS) for s in sections(book)]
    with_notes = [s for s in with_notes if s is not None]
    assert len(with_notes) > 1
    assert with_notes[0].get("id") == f"{DOC}-notes"
    starts = [s.find("x:ol", NS).get("start") for s in with_notes]
    counts = [len(s.findall("x:ol/x:li", NS)) for s in with_notes]
    assert starts[0] is None
    assert [int(s) for s in starts[1:]] == [1 + sum(counts[:i]) for i in range(1, len(counts))]
    assert sum(counts) == len(doc.notes)


# -------------------------------------------------------------- EPUBCheck


@pytest.mark.slow
def test_split_books_pass_epubcheck(tmp_path):
    """Both notes placements, a cut paragraph, notes over several files, and the kitchen-sink
    and sample volumes cut into files of a few hundred bytes (images, tables, title notes)."""
    from bookmaker.checks import epubcheck
    from bookmaker.pipeline import load_volume
    from tests.checks.test_epubcheck import SAMPLE, kitchen_sink_volume

    huge = long_document(20)
    huge.blocks[4] = Block("paragraph", "<p>" + escape(FILLER * 200) + "</p>", FILLER * 200)
    volumes = [
        ("apart", volume_with(long_document(40)), LIMIT),
        ("after", volume_with(long_document(38)), LIMIT),
        ("huge", volume_with(huge), LIMIT),
        ("many-notes", volume_with(with_long_notes(long_document(10))), LIMIT),
        ("kitchen-sink", kitchen_sink_volume(tmp_path / "kitchen-sink"), 600),
        ("sample", load_volume(SAMPLE), 1500),
    ]
    books = []
    for name, volume, limit in volumes:
        books.append(tmp_path / f"{name}.epub")
        book = build(volume, books[-1], limit)
        assert len(book.spine()) > 4 + len(volume.documents) + 1, name
    results = epubcheck.run_epubcheck(books)
    assert {path.name: messages for path, messages in results.items()} == {
        path.name: [] for path in books}
