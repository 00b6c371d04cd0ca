"""The Markdown reader: front matter, footnotes, sanitized raw HTML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from bookmaker.errors import DocumentError
from bookmaker.readers import READERS, DocumentSource
from bookmaker.readers.markdown import read

FIXTURE = Path(__file__).parent / "fixtures" / "preface.md"
EDITORS_NOTE = (
    Path(__file__).parents[2] / "volumes/how-the-revolution-armed-1918/texts/editors-note.md"
)


def source(doc_id: str = "preface", **kwargs) -> DocumentSource:
    return DocumentSource(rel_path=f"texts/{doc_id}.md", doc_id=doc_id, **kwargs)


@pytest.fixture(scope="module")
def doc():
    return read(FIXTURE.read_bytes(), source())


def test_registered_for_md():
    assert READERS[".md"].read is read


def test_front_matter(doc):
    assert doc.title == "Translator\u2019s Preface"
    assert doc.kind == "front"
    assert doc.date == dt.date(1979, 3, 1)
    assert doc.date_text == "March 1, 1979"
    assert doc.occasion == "Written for the <em>first</em> English edition"
    assert doc.source_line == "From the New Park edition, 1979."
    assert doc.credits == ["Preface transcribed by the bookmaker project"]


def test_blocks(doc):
    assert [b.kind for b in doc.blocks] == [
        "paragraph", "heading", "paragraph", "quote", "paragraph", "paragraph", "list"
    ]
    first = doc.blocks[0]
    assert "\u201cin the heat of battle\u201d \u2014 often" in first.text
    assert "edition \u2026 with its notes." in first.text
    assert doc.blocks[1].html == "<h2>On the notes</h2>"
    assert "V.\u00a0I.\u00a0Lenin\u2019s" in doc.blocks[2].text
    assert doc.blocks[4].html == "<p>A raw block with <b>bold</b> text.</p>"
    assert '<img src="images/train.png" alt="The train"/>' in doc.blocks[5].html
    for block in doc.blocks:
        etree.fromstring(f"<div>{block.html}</div>")


def test_footnotes_become_scoped_notes(doc):
    assert [(n.key, n.label, n.id) for n in doc.notes] == [
        ("1", "1", "preface-note-1"), ("2", "2", "preface-note-2")
    ]
    assert doc.notes[0].ref_ids == ("preface-noteref-1", "preface-noteref-1-2")
    assert doc.notes[0].text == (
        "The famous train of the Chairman of the Revolutionary Military Council."
    )
    assert doc.notes[1].html.count("<p>") == 2
    assert "\u21a9" not in doc.notes[0].html  # markdown-it's back-links are gone
    assert (
        'front.<a class="noteref" role="doc-noteref" id="preface-noteref-1" '
        'href="#preface-note-1">1</a>'
    ) in doc.blocks[0].html
    assert doc.blocks[0].text.endswith("with its notes.")


def test_hostile_html_is_removed(doc):
    html = doc.body_html
    for bad in ["script", "alert", "onclick", "steal", "iframe", "example.com", "footnote"]:
        assert bad not in html, bad
    assert "image on the web, not fetched: https://example.com/x.png" in doc.warnings


def test_editors_note_of_the_sample_volume():
    doc = read(EDITORS_NOTE.read_bytes(), source("editors-note"))
    assert doc.title == "A Note on This Edition"
    assert len(doc.blocks) == 3
    assert len(doc.notes) == 1 and doc.notes[0].ref_ids == ("editors-note-noteref-1",)
    assert "page furniture \u2014 the volume header" in doc.blocks[1].text
    assert doc.warnings == []


def test_title_from_leading_h1_without_front_matter():
    doc = read(b"# On Discipline\n\nThe army needs discipline.\n", source("discipline"))
    assert doc.title == "On Discipline"
    assert [b.text for b in doc.blocks] == ["The army needs discipline."]


def test_unknown_keys_and_kind_warn():
    data = b"---\ntitle: T\nkind: appendix\ncolour: red\n---\nText.\n"
    doc = read(data, source("t"))
    assert doc.kind == "text"
    assert any("colour" in w for w in doc.warnings)
    assert any("appendix" in w for w in doc.warnings)


@pytest.mark.parametrize(
    "data",
    [b"---\ntitle: [unclosed\n---\nText\n", b"---\ntitle: T\n---\n", b"", b"\n\n"],
)
def test_bad_documents_are_document_errors(data):
    with pytest.raises(DocumentError) as info:
        read(data, source("bad"))
    assert info.value.path == "texts/bad.md"


def test_deeply_nested_quotes_do_not_crash():
    try:
        read(b">" * 10_000 + b" deep\n", source("deep"))
    except DocumentError as error:  # markdown-it stops nesting; an empty body is refused
        assert error.path == "texts/deep.md"
    doc = read(b"> > > > not so deep\n", source("deep"))
    assert doc.blocks[0].kind == "quote"
    assert doc.blocks[0].text == "not so deep"
    assert doc.blocks[0].html.count("<blockquote>") == 4
