"""The archive HTML reader on a real-shaped page declared ISO-8859-1 (bytes in windows-1252)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from lxml import etree

from bookmaker.errors import DocumentError
from bookmaker.readers import READERS, DocumentSource
from bookmaker.readers.archive_html import read

FIXTURE = Path(__file__).parent / "fixtures" / "on-the-commissars.htm"
FURNITURE = [
    "Military Writings", "Volume 1, 1918", "How the Revolution Armed", "MIA", "Contents",
    "Next", "return", "Last updated", "tracking", "alert", "onclick", "text-indent",
    "works.css", "David Walters", "Written:", "tracker.example", "javascript",
]


def source(doc_id: str = "commissars", **kwargs) -> DocumentSource:
    return DocumentSource(rel_path=f"texts/{doc_id}.htm", doc_id=doc_id, **kwargs)


@pytest.fixture(scope="module")
def doc():
    data = FIXTURE.read_bytes()
    assert b"\x92" in data and b"iso-8859-1" in data  # the fixture is what it claims
    return read(data, source())


def test_registered_for_htm_and_html():
    assert READERS[".htm"].read is read
    assert READERS[".html"].read is read


def test_head(doc):
    assert doc.title == "On the Commissars"
    assert doc.title_html == (
        'On the Commissars<a class="noteref" role="doc-noteref" id="commissars-noteref-3" '
        'href="#commissars-note-3">3</a>'
    )
    assert doc.part_heading == "The Red Army and the Military Specialists"
    assert "Speech at a meeting of the Moscow Soviet, March 19, 1918" in doc.occasion
    assert doc.date == dt.date(1918, 3, 19)
    assert doc.date_text == "March 19, 1918"


def test_information_block(doc):
    assert doc.metadata == {
        "Written": "March 1918",
        "First Published": "Pravda, March 21, 1918",
        "Source": "How the Revolution Armed, Vol. 1, New Park Publications, 1979",
        "Translated": "Brian Pearce",
    }
    assert doc.credits == ["Transcription/HTML Markup: David Walters"]


def test_body_blocks(doc):
    assert [b.kind for b in doc.blocks] == ["paragraph", "paragraph", "quote", "paragraph",
                                            "paragraph"]
    first = doc.blocks[0].text
    assert first.startswith("Comrades, the workers\u2019 and peasants\u2019 army")
    assert "\u201cfrom nothing\u201d \u2014 it must" in first
    assert "V.\u00a0I.\u00a0Lenin" in first
    assert "Order No.\u00a031 lays this down \u2026 and" in doc.blocks[1].text
    assert doc.blocks[2].html == (
        "<blockquote><p>\u201cNo order of the military leader may be countermanded by the "
        "commissar.\u201d</p></blockquote>"
    )
    assert doc.blocks[3].html.startswith('<p class="indent">')
    assert "Soviet power \u2013 that is his post." in doc.blocks[3].text
    assert '<img src="images/order31.png" alt="Order No.\u00a031"/>' in doc.blocks[3].html \
        or '<img src="images/order31.png" alt="Order No. 31"/>' in doc.blocks[3].html


def test_no_furniture_no_mojibake_no_hostile_markup(doc):
    everything = doc.body_html + doc.title_html + (doc.occasion or "") + "".join(
        n.html for n in doc.notes
    )
    for word in FURNITURE:
        assert word not in everything, word
    for bad in ["â€", "\x92", "\x93", "\u0093", "&rsquo;", "&#", "<script", "<style", "<link"]:
        assert bad not in everything, bad
    assert '<a>bad link</a>' in doc.blocks[4].html
    assert '<a href="https://www.marxists.org/">good one</a>' in doc.blocks[4].html
    for block in doc.blocks:
        etree.fromstring(f"<div>{block.html}</div>")


def test_notes(doc):
    assert [n.label for n in doc.notes] == ["3", "4", "5", "6"]
    assert [n.id for n in doc.notes] == [
        "commissars-note-3", "commissars-note-4", "commissars-note-5", "commissars-note-6"
    ]
    assert doc.notes[0].ref_ids == ("commissars-noteref-3",)
    assert doc.notes[0].html == "<p>The speech was printed in <i>Pravda</i> two days later.</p>"
    assert doc.notes[1].ref_ids == ("commissars-noteref-4", "commissars-noteref-4-2")
    assert doc.notes[2].text == "Order No.\u00a031 of the Supreme Military Council. " \
        "It was signed by Trotsky."
    assert doc.notes[2].html.count("<p>") == 2
    assert doc.notes[3].ref_ids == ()
    # Note calls are stripped from the plain text and the notes' text keeps no label.
    assert doc.blocks[0].text.endswith("own organizations. So V.\u00a0I.\u00a0Lenin has told us.")
    assert not doc.notes[1].text.startswith("[")


def test_warnings(doc):
    assert "image on the web, not fetched: http://tracker.example/pixel.gif" in doc.warnings
    assert any("[9]" in w and "missing" in w for w in doc.warnings)
    assert any("[6]" in w and "never called" in w for w in doc.warnings)
    assert '<sup class="noteref-unresolved">9</sup>' in doc.blocks[4].html


def test_declared_utf8_but_windows_1252_falls_back_with_warning():
    page = (
        '<html><head><meta charset="utf-8"></head><body><h1>The Workers\x92 Army</h1>'
        "<p>The workers\x92 and peasants\x92 army \x96 built in 1918 \x97 stands firm.</p>"
        "</body></html>"
    ).encode("latin-1")
    doc = read(page, source("fallback"))
    assert doc.title == "The Workers\u2019 Army"
    assert doc.blocks[0].text == (
        "The workers\u2019 and peasants\u2019 army \u2013 built in 1918 \u2014 stands firm."
    )
    assert any("does not match" in w for w in doc.warnings)


def test_numeric_references_in_the_c1_range_mean_windows_1252():
    page = b"<h1>Title</h1><p>&#147;Forward&#148; &#151; said the order&#146;s text.</p>"
    doc = read(page, source("refs"))
    assert doc.blocks[0].text == "\u201cForward\u201d \u2014 said the order\u2019s text."


def test_loose_text_and_page_title_fallback():
    page = (b"<html><head><title>Leon Trotsky: To the Red Army (1918)</title></head><body>"
            b"Comrades, the front line is near.<br><br>Second paragraph here.</body></html>")
    doc = read(page, source("loose"))
    assert doc.title == "To the Red Army"
    assert [b.text for b in doc.blocks] == ["Comrades, the front line is near.",
                                            "Second paragraph here."]


def test_title_override():
    doc = read(FIXTURE.read_bytes(), source(title="Commissars"))
    assert doc.title == "Commissars"
    assert any("[3]" in w and "never called" in w for w in doc.warnings)


@pytest.mark.parametrize(
    "data",
    [
        b"<div>" * 10_000 + b"deep" + b"</div>" * 10_000,
        b"<b><i>" * 5_000 + b"deep",
        b"<table><tr><td>" * 3_000,
    ],
)
def test_deep_nesting_does_not_crash(data):
    try:
        read(data, source("deep"))
    except DocumentError as error:
        assert error.path == "texts/deep.htm"


def test_deep_nesting_after_real_text_keeps_the_text():
    data = b"<h1>Deep</h1><p>Real text first.</p>" + b"<div>" * 10_000 + b"x"
    doc = read(data, source("deep"))
    assert doc.title == "Deep"
    assert doc.blocks[0].text == "Real text first."


@pytest.mark.parametrize("data", [b"", b"<!-- nothing -->", b"<html><body></body></html>"])
def test_empty_pages_are_document_errors(data):
    with pytest.raises(DocumentError):
        read(data, source("empty"))


def test_large_page_reads_in_linear_time():
    paragraph = (
        '<p>The workers\' army -- built "in haste"<sup class="anote"><a href="#n1">[1]</a>'
        "</sup> ... by V. I. Lenin's party.</p>\n"
    )
    page = ("<h1>Big</h1>" + paragraph * 5_000
            + '<p class="endnote"><a name="n1">[1]</a> The note.</p>').encode()
    start = time.perf_counter()
    doc = read(page, source("big"))
    elapsed = time.perf_counter() - start
    assert len(doc.blocks) == 5_000
    assert len(doc.notes[0].ref_ids) == 5_000
    assert elapsed < 30, elapsed


def test_text_after_void_elements_is_kept():
    # libxml2 nests everything after an <embed> inside it; the text must not be dropped with it.
    page = (b"<h1>T</h1><p>first</p><embed src='x.swf'><form><input name=q></form>"
            b"<p>The second paragraph stays.</p><p>a<embed src=x>b c</p>")
    doc = read(page, source("void"))
    assert [b.text for b in doc.blocks] == ["first", "The second paragraph stays.", "ab c"]


def test_short_plain_paragraph_before_the_title_belongs_to_the_head():
    page = (b'<p align="center">Leon Trotsky</p><h1>On Discipline</h1>'
            b"<p>Comrades, discipline is the first condition of a victorious army.</p>")
    doc = read(page, source("head"))
    assert doc.title == "On Discipline"
    assert [b.text for b in doc.blocks] == [
        "Comrades, discipline is the first condition of a victorious army."
    ]
