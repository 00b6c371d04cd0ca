"""A very long document is cut into chunks rendered as groups of their own (pdf_chunks)."""

from __future__ import annotations

import logging
import re
from html import escape
from pathlib import Path

import pytest
from pypdf import PdfReader

from bookmaker.builders import BuildOptions
from bookmaker.builders.pdf import book as pdf
from bookmaker.builders.pdf.parallel import chunks as pdf_chunks
from bookmaker.builders.pdf.parallel import sections as pdf_sections
from bookmaker.model import Block
from tests.factories import SEED_SENTENCES, make_volume

LONG = "Statement Number 2"


def long_volume(paragraphs: int = 30):
    """Three documents: two short ones (two paragraphs), and between them one of
    ``paragraphs`` numbered paragraphs after two with note calls."""
    volume = make_volume(documents=3, parts=0, notes=2)
    for short in volume.documents[::2]:
        short.blocks = short.blocks[:2]
    doc = volume.documents[1]
    calls = doc.blocks[:2]
    blocks = []
    for i in range(paragraphs):
        text = f"Paragraph {i} begins. " + " ".join(SEED_SENTENCES[(i + j) % 4] for j in range(3))
        blocks.append(Block("paragraph", f"<p>{escape(text)}</p>", text))
    doc.blocks = calls + blocks
    return volume


@pytest.fixture
def short_chunks(monkeypatch):
    """Groups of 150 words: a document of more than 600 words is cut into chunks of 300 to
    1200 words (one to three pages)."""
    monkeypatch.setattr(pdf_sections, "GROUP_WORDS", 150)
    monkeypatch.setattr(pdf_sections, "CHUNK_UNIT_WORDS", 150)


def test_long_document_becomes_several_groups(short_chunks, caplog):
    volume = long_volume()
    doc = volume.documents[1]
    with caplog.at_level(logging.WARNING, logger="bookmaker"):
        context = pdf.book_context(volume, None)
        groups = pdf_sections.make_groups(volume, context)
    for group in groups:
        group.html = pdf_sections.group_html(volume, context, group)
    assert len(caplog.records) == 1
    keys = [key for group in groups for key in group.document_ids if key.startswith(doc.id)]
    assert len(keys) >= 4
    assert all(len(group.document_ids) == 1 for group in groups if doc.id in group.html)
    # The chunks cover the units in order, without gap or overlap.
    spans = [tuple(map(int, key.split("#")[-1].split(":"))) for key in keys]
    assert spans[0][0] == 0 and spans[-1][1] == len(pdf_chunks.body_units(doc))
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    # One title block, in the first chunk; the notes and the date in the last.
    htmls = [group.html for group in groups if doc.id in group.html]
    assert [html.count('class="doc-title') for html in htmls] == [1] + [0] * (len(htmls) - 1)
    assert [html.count("Note 1 to Statement Number 2") for html in htmls][-1] == 1
    assert sum(html.count("Note 1 to Statement Number 2") for html in htmls) == 1
    assert "December 30, 1918" in htmls[-1] and "December 30, 1918" not in htmls[0]
    # Calls and notes in different chunks are not linked; the warning names the file.
    assert f'href="#{doc.notes[0].id}"' not in htmls[0]
    assert any(f"{doc.source_path}: '{LONG}' is {doc.words} words long" in record.getMessage()
               for record in caplog.records)


def test_short_documents_are_not_cut(monkeypatch):
    monkeypatch.setattr(pdf_sections, "GROUP_WORDS", 120)
    monkeypatch.setattr(pdf_sections, "CHUNK_UNIT_WORDS", 120)  # cut beyond 480 words
    volume = make_volume(documents=6, parts=0, notes=1)  # of 431 words each
    context = pdf.book_context(volume, None)
    groups = pdf_sections.make_groups(volume, context)
    assert all("#" not in key for group in groups for key in group.document_ids)
    html = "".join(pdf_sections.group_html(volume, context, group) for group in groups)
    assert "continued" not in html and "data-unit" not in html


def test_huge_paragraph_is_cut_between_sentences():
    volume = make_volume(documents=1, parts=0, notes=0)
    doc = volume.documents[0]
    text = " ".join(f"Sentence {i} is here." for i in range(3000))  # some 65 KB
    doc.blocks = [Block("paragraph", f"<p>{text}</p>", text)]
    units = pdf_chunks.body_units(doc)
    assert len(units) >= 30
    assert all(len(unit.html) <= pdf_chunks.PARAGRAPH_PIECE for unit in units)
    assert all('class="continued"' in unit.html for unit in units[1:])
    assert " ".join(unit.text.strip() for unit in units) == text
    assert all(unit.text.rstrip().endswith("here.") for unit in units)


def body_pages(path: Path) -> tuple[list[str], list[str]]:
    reader = PdfReader(path)
    labels = list(reader.page_labels)
    start = labels.index("1")
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    return texts[start:], labels[start:]


@pytest.mark.slow
def test_long_document_pdf(tmp_path, short_chunks, caplog, monkeypatch):
    volume = long_volume()
    doc = volume.documents[1]
    target = tmp_path / "book.pdf"
    laid_out: list[tuple[int, int]] = []  # pages before and after even_pages
    real = pdf_chunks.even_pages

    def spy(renderer, html, extra, document):
        result = real(renderer, html, extra, document)
        laid_out.append((len(document.pages), len(result.pages)))
        return result

    monkeypatch.setattr(pdf_chunks, "even_pages", spy)
    kinds: dict[str, list[str]] = {}  # page kinds of each chunk's render, by its key
    render = pdf_sections.render_group

    def record(renderer, html, document_ids):
        result = render(renderer, html, document_ids)
        kinds[document_ids[0]] = result.kinds
        return result

    monkeypatch.setattr(pdf_sections, "render_group", record)
    with caplog.at_level(logging.WARNING, logger="bookmaker"):
        result = pdf.build(volume, target, BuildOptions(jobs=1, cache_dir=tmp_path / "cache"))
    assert sum(f"'{LONG}' is {doc.words} words long" in r.getMessage()
               for r in caplog.records) == 1
    assert not [r for r in caplog.records if "anchor" in r.getMessage()]
    # Every chunk but the last is asked for; those of odd length were laid out again.
    groups = pdf_sections.make_groups(volume, pdf.book_context(volume, None))
    assert len(laid_out) == sum(doc.id in "".join(g.document_ids) for g in groups) - 1 >= 3
    assert any(before % 2 for before, _ in laid_out)
    assert all(after % 2 == 0 for _, after in laid_out)
    # Only the first chunk opens: the others' first pages get a recto's folio and head.
    chunks = [kinds[key] for key in kinds if key.startswith(f"{doc.id}#") or "--" in key]
    assert chunks[0][0] == "opening" and len(chunks) == len(laid_out) + 1
    assert all(pages[0] == "recto" and "opening" not in pages for pages in chunks[1:])
    texts, labels = body_pages(target)
    assert result.pages == len(PdfReader(target).pages)

    # All the text, in order: every paragraph once, then the notes.
    joined = " ".join(texts)
    starts = [joined.find(f"Paragraph {i} begins.") for i in range(30)]
    assert -1 not in starts and starts == sorted(starts)
    assert all(joined.count(f"Paragraph {i} begins.") == 1 for i in range(30))
    notes = joined.find("Note 1 to Statement Number 2")
    assert notes > starts[-1] and joined.count("Note 1 to Statement Number 2") == 1

    # The document opens once: one title block (its occasion line), one outline entry.
    opening = next(i for i, text in enumerate(texts) if text.startswith(LONG))
    assert joined.count("Speech at a meeting of the Moscow Soviet") == 3  # one per document
    reader = PdfReader(target)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles.count(LONG) == 1
    assert reader.get_destination_page_number(
        next(item for item in reader.outline if getattr(item, "title", "") == LONG)
    ) == len(reader.pages) - len(texts) + opening

    # No blank page inside the document; every page of it has its folio and its head.
    end = next(i for i, text in enumerate(texts) if "Note 1 to Statement Number 2" in text)
    for index in range(opening + 1, end + 1):
        words = texts[index].split()
        assert labels[index] in words, (index, texts[index][:80])
        head = LONG if int(labels[index]) % 2 else "How the Revolution Armed"
        assert head in texts[index], (index, texts[index][:80])
        if index < end:  # the last page may hold only the notes
            assert re.search(r"Paragraph \d+ begins|officer|Soviet", texts[index])
    assert labels == [str(n) for n in range(1, len(labels) + 1)]


def test_an_edit_changes_few_chunks(short_chunks):
    """Cuts depend on the blocks' own text: an edit, even one that adds a paragraph, leaves
    the other chunks' HTML as it was, so that the cache keeps them."""
    volume = long_volume(paragraphs=80)
    doc = volume.documents[1]

    def chunk_html() -> list[str]:
        context = pdf.book_context(volume, None)
        groups = pdf_sections.make_groups(volume, context)
        return [pdf_sections.group_html(volume, context, g) for g in groups
                if doc.id in "".join(g.document_ids)]

    before = chunk_html()
    assert len(before) >= 8
    middle = doc.blocks[40]
    doc.blocks[40] = Block("paragraph", middle.html.replace("</p>", " Zebras.</p>"),
                           middle.text + " Zebras.")
    doc.blocks.insert(41, Block("paragraph", "<p>A new paragraph.</p>", "A new paragraph."))
    after = chunk_html()
    assert len(set(after) - set(before)) <= 2
    assert any("Zebras" in html for html in set(after) - set(before))
