"""Any input into any reader gives a Document or a DocumentError, never anything else."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from bookmaker.errors import DocumentError
from bookmaker.model import Document
from bookmaker.readers import DocumentSource, archive_html, archive_text, markdown
from bookmaker.readers.common import plain_text

READERS = {"txt": archive_text.read, "htm": archive_html.read, "md": markdown.read}
FUZZ = settings(
    max_examples=200,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_CALL_ID = re.compile(r'class="noteref" role="doc-noteref" id="([^"]+)" href="#([^"]+)"')


def run(kind: str, data: bytes, language: str = "en") -> Document | None:
    source = DocumentSource(rel_path=f"texts/fuzz.{kind}", doc_id="fuzz", language=language)
    try:
        doc = READERS[kind](data, source)
    except DocumentError as error:
        assert error.path == f"texts/fuzz.{kind}"
        return None
    check_document(doc)
    return doc


def check_document(doc: Document) -> None:
    """What builders rely on: well-formed XHTML, a title, note calls and notes that meet."""
    assert isinstance(doc, Document)
    assert doc.title.strip()
    etree.fromstring(f"<h1>{doc.title_html}</h1>")
    for html in [doc.occasion, doc.source_line]:
        if html is not None:
            etree.fromstring(f"<p>{html}</p>")
    for block in doc.blocks:
        etree.fromstring(f"<div>{block.html}</div>")
        assert block.text == plain_text(block.html)  # made apart from the markup, by some readers
    note_ids = {note.id for note in doc.notes}
    assert len(note_ids) == len(doc.notes)
    calls = _CALL_ID.findall(doc.title_html + doc.body_html)
    assert {target for _, target in calls} <= note_ids
    call_ids = [ref for ref, _ in calls]
    assert len(call_ids) == len(set(call_ids))
    for note in doc.notes:
        etree.fromstring(f"<div>{note.html}</div>")
        assert set(note.ref_ids) <= set(call_ids)


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_text(data):
    run("txt", data)


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_html(data):
    run("htm", data)


@FUZZ
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_markdown(data):
    run("md", data)


# ---------------------------------------------------------------- structured input

WORDS = st.sampled_from([
    "the", "workers'", "army", '"Forward"', "--", "-", "...", "V. I. Lenin", "No. 31", "[3]",
    "[4]", "[*]", "&", "<", ">", "&amp;", "&rsquo;", "&#147;", "\u2019", "\u00e9", "1918",
    "December 30, 1918", "\\", "`", "*", "_", "[", "]", "(", ")", "#", ">", "|", "\ue000",
    "\ue0011\ue001", "\x00", "\x0b", "\u200b", "\ufeff",
])
TEXT = st.lists(WORDS, max_size=12).map(" ".join)

TEXT_LINES = st.one_of(
    TEXT,
    st.sampled_from([
        "The Military Writings of", "Leon Trotsky", "Volume 1, 1918", "How the Revolution Armed",
        "Transcribed and HTML markup for the Trotsky Internet Archive by David Walters",
        "* * *", "NOTES", "Notes", "[3] A note.", "4. Another note.", "return return",
        "Contents", "Next", "Last updated on: 16.12.2006", "[From Pravda, March 21, 1918.]",
        "Speech at a meeting of the Moscow Soviet", "December 30, 1918", "March 1918", "",
        "    indented quotation", "Order No. 31",
    ]),
)


@FUZZ
@given(st.lists(TEXT_LINES, max_size=40), st.sampled_from(["\n", "\r\n", "\r", "\n\n"]),
       st.sampled_from(["en", "fr", "de", "ru", "zh"]))
def test_structured_text(lines, newline, language):
    run("txt", newline.join(lines).encode("utf-8"), language)


TAGS = st.sampled_from([
    "p", "div", "span", "sup", "a", "h1", "h2", "h3", "h4", "blockquote", "ul", "li", "table",
    "tr", "td", "pre", "code", "i", "b", "br", "hr", "img", "script", "style", "font", "center",
    "iframe", "svg", "body", "html", "head", "title",
])
CLASSES = st.sampled_from([
    "", "title", "information", "info", "from", "context", "fst", "quote", "quoteb", "indent",
    "anote", "ednote", "endnote", "date", "footer", "next", "updat", "breadcrumbs",
])
ATTRS = st.sampled_from([
    "", ' href="#n3"', ' name="n3"', ' name="f3"', ' id="n4"', ' href="javascript:x()"',
    ' onclick="x()"', ' src="http://x/y.png"', ' src="images/a.png"', ' href="#n4"',
])


@st.composite
def html_tree(draw, depth: int = 0) -> str:
    if depth > 6 or draw(st.booleans()):
        return draw(TEXT).replace("<", "&lt;") if draw(st.booleans()) else draw(TEXT)
    tag = draw(TAGS)
    cls = draw(CLASSES)
    attrs = (f' class="{cls}"' if cls else "") + draw(ATTRS)
    children = draw(st.lists(html_tree(depth + 1), max_size=4))
    close = "" if draw(st.integers(0, 9)) == 0 else f"</{tag}>"  # sometimes left open
    return f"<{tag}{attrs}>{''.join(children)}{close}"


@FUZZ
@given(st.lists(html_tree(), max_size=12), st.sampled_from(["utf-8", "cp1252"]))
def test_structured_html(parts, codec):
    page = '<html><head><meta charset="iso-8859-1"></head><body>' + "".join(parts)
    run("htm", page.encode(codec, errors="ignore"))


MD_LINES = st.one_of(
    TEXT,
    st.sampled_from([
        "---", "title: T", "title: [x", "kind: front", "date: 1918-12-30", "date: 1918-02-30",
        "source: [From Pravda.]", "occasion: 3", "# Heading", "## Sub", "> quote", "- item",
        "1. item", "```", "    code", "[^1]", "text[^1] more", "[^1]: note", "[^x]: note x",
        "<div onclick=x>raw</div>", "<script>alert(1)</script>", "<img src=http://x/y.png>",
        "| a | b |", "|---|---|", "", "***",
    ]),
)


@FUZZ
@given(st.lists(MD_LINES, max_size=30))
def test_structured_markdown(lines):
    run("md", "\n".join(lines).encode("utf-8"))
