"""The archive plain-text reader on the seed document and a fuller fixture."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from bookmaker.errors import DocumentError
from bookmaker.model import TypographySettings
from bookmaker.readers import READERS, DocumentSource
from bookmaker.readers.archive_text import call_pattern, read
from bookmaker.readers.common import first_group

SEED = Path("/work/shared/seeds/a-necessary-statement.txt")
VOLUME_SEED = Path(__file__).parents[2] / "volumes/how-the-revolution-armed-1918/texts"
FIXTURES = Path(__file__).parent / "fixtures"
FURNITURE = [
    "Military Writings", "Volume 1, 1918", "How the Revolution Armed", "Transcribed",
    "David Walters", "return return", "Last updated", "* * *", "Contents", "Next",
]


def seed_bytes() -> bytes:
    path = SEED if SEED.exists() else VOLUME_SEED / "a-necessary-statement.txt"
    return path.read_bytes()


def source(doc_id: str = "a-necessary-statement", **kwargs) -> DocumentSource:
    return DocumentSource(rel_path=f"texts/{doc_id}.txt", doc_id=doc_id, **kwargs)


def assert_well_formed(doc) -> None:
    for block in doc.blocks:
        etree.fromstring(f"<div>{block.html}</div>")
    for note in doc.notes:
        etree.fromstring(f"<div>{note.html}</div>")
    etree.fromstring(f"<h1>{doc.title_html}</h1>")


def assert_seed(doc) -> None:
    assert doc.title == "A Necessary Statement"
    assert doc.date == dt.date(1918, 12, 30)
    assert doc.date_text == "December 30, 1918"
    assert len(doc.blocks) == 6
    assert all(block.kind == "paragraph" for block in doc.blocks)
    assert 530 <= doc.words <= 545
    assert doc.credits == [
        "Transcribed and HTML markup for the Trotsky Internet Archive by David Walters"
    ]
    body = doc.body_html
    for word in FURNITURE:
        assert word not in body, word
    assert "â€" not in body
    assert "workers\u2019 and peasants\u2019 blood" in doc.blocks[1].text
    assert doc.blocks[0].text.startswith("Wholesale and frequently unjustified attacks")
    assert doc.blocks[-1].text.endswith("in the service of the Soviets.")
    assert doc.notes == []
    assert_well_formed(doc)


def test_registered_for_txt():
    assert READERS[".txt"].read is read


def test_seed_document():
    doc = read(seed_bytes(), source())
    assert_seed(doc)
    assert doc.id == "a-necessary-statement"
    assert doc.source_path == "texts/a-necessary-statement.txt"
    assert doc.warnings == []


def test_seed_in_crlf_windows_1252():
    data = seed_bytes().decode("utf-8").replace("\n", "\r\n").encode("utf-8")
    data = data.replace("\u2019".encode(), b"\x92")
    assert b"\x92" in data and b"\r\n" in data
    doc = read(data, source())
    assert_seed(doc)
    assert "\r" not in doc.body_html


def test_title_after_credit_with_occasion_source_and_notes():
    doc = read((FIXTURES / "order-no-31.txt").read_bytes(), source("order-31"))
    assert doc.title == "Order No.\u00a031 to the Troops of the Eastern Front"
    assert doc.title_html.endswith(
        '<a class="noteref" role="doc-noteref" id="order-31-noteref-3" '
        'href="#order-31-note-3">3</a>'
    )
    assert doc.occasion == "Speech at a meeting of the Moscow Soviet, March 19, 1918"
    assert doc.source_line == "From Pravda, March 21, 1918."
    assert doc.date == dt.date(1918, 3, 19)
    assert doc.date_text == "Moscow, March 19, 1918"
    assert len(doc.blocks) == 3
    assert [n.label for n in doc.notes] == ["3", "4", "6"]
    assert [n.id for n in doc.notes] == ["order-31-note-3", "order-31-note-4", "order-31-note-6"]
    four = doc.notes[1]
    assert four.ref_ids == ("order-31-noteref-4", "order-31-noteref-4-2")
    assert four.text.startswith("See the decree of January 15, 1918")
    assert doc.notes[2].ref_ids == ()
    assert any("[5]" in w and "missing" in w for w in doc.warnings)
    assert any("[6]" in w and "never called" in w for w in doc.warnings)
    # The missing note stays as superscript text without a link, and out of the plain text.
    assert '<sup class="noteref-unresolved">5</sup>' in doc.blocks[1].html
    assert doc.blocks[1].text.endswith("responsibility.")
    first = doc.blocks[0]
    assert "\u201cfour months\u201d \u2014 and" in first.text
    assert "V.\u00a0I.\u00a0Lenin" in first.text
    assert "workers\u2019 and peasants\u2019" in first.text
    assert "importance \u2026 and" in doc.blocks[1].text
    assert "military leader \u2013 that" in doc.blocks[2].text
    body = doc.body_html
    for word in FURNITURE + ["NOTES", "From Pravda", "Speech at a meeting"]:
        assert word not in body, word
    assert_well_formed(doc)


def test_typography_can_be_switched_off():
    off = TypographySettings(smart_quotes=False, nbsp=False)
    doc = read((FIXTURES / "order-no-31.txt").read_bytes(), source("order-31", typography=off))
    assert '"four months" -- and' in doc.blocks[0].text
    assert "V. I. Lenin" in doc.blocks[0].text


def test_title_override_replaces_found_title():
    doc = read(seed_bytes(), source(title="A Statement on the Officers"))
    assert doc.title == "A Statement on the Officers"
    assert doc.title_html == "A Statement on the Officers"


def test_no_title_uses_file_name_with_warning():
    text = ("This is a long paragraph of plain prose that runs on for a while, " * 5).encode()
    doc = read(text, source("on-the-officers"))
    assert doc.title == "On the officers"
    assert "no title found; using the file name" in doc.warnings
    assert len(doc.blocks) == 1


def test_notes_numbered_with_dots():
    text = (
        b"A Title\n\n* * *\n\nThe army[7] was built in a year, as everybody knows by now, "
        b"from the ruins of the old one and out of nothing else at all, comrades.\n\n"
        b"Notes\n\n7. Seven as printed.\n8. Eight, never called.\n"
    )
    doc = read(text, source("dots"))
    assert [(n.label, n.text) for n in doc.notes] == [
        ("7", "Seven as printed."), ("8", "Eight, never called.")
    ]
    assert doc.notes[0].ref_ids == ("dots-noteref-7",)


@pytest.mark.parametrize("data", [b"", b"   \n\r\n  "])
def test_empty_file_is_refused(data):
    with pytest.raises(DocumentError, match="document is empty") as info:
        read(data, source())
    assert info.value.path == "texts/a-necessary-statement.txt"


def test_binary_is_refused():
    with pytest.raises(DocumentError, match="not a text document"):
        read(bytes(range(256)) * 40, source())


def test_five_megabyte_single_line_reads_in_linear_time():
    line = ("The workers' army -- built \"in haste\" [3] ... by V. I. Lenin's party. " * 75_000)
    data = ("Title\n\n* * *\n\n" + line[: 5 * 1024 * 1024] + "\n").encode()
    start = time.perf_counter()
    doc = read(data, source("big"))
    elapsed = time.perf_counter() - start
    assert doc.title == "Title"
    assert len(doc.blocks) == 1
    assert doc.words > 700_000
    assert elapsed < 20, elapsed


BODY = (
    "The army was built in a year, as everybody knows by now, from the ruins of the old one "
    "and out of nothing else at all, comrades, and it will be built further."
)


@pytest.mark.parametrize(
    ("head", "title", "occasion"),
    [
        # Header without a double blank line: the credit separates it from the title.
        ("Leon Trotsky\n\nHow the Revolution Armed\n\nTranscribed by David Walters\n\n"
         "On Discipline\n\nSpeech at the Military Academy", "On Discipline",
         "Speech at the Military Academy"),
        # Title before the credit, no header break: the last line that is not an occasion.
        ("Leon Trotsky\n\nOn Discipline\n\nTranscribed by David Walters", "On Discipline", None),
        # A volume line and the volume title after it form the header.
        ("Volume 1, 1918\n\nHow the Revolution Armed\n\nOn Discipline", "On Discipline", None),
        # A lone title followed by a double blank line is not taken for a header.
        ("On Discipline\n\n\nSpeech at the Military Academy", "On Discipline",
         "Speech at the Military Academy"),
        ("Order No. 31\n\nSpeech at the Military Academy", "Order No.\u00a031",
         "Speech at the Military Academy"),
    ],
)
def test_head_variants(head, title, occasion):
    doc = read(f"{head}\n\n* * *\n\n{BODY}\n".encode(), source("variant"))
    assert doc.title == title
    assert doc.occasion == occasion
    assert [b.text for b in doc.blocks] == [BODY]


@pytest.mark.parametrize(
    ("closing", "date_text", "date"),
    [
        ("December 30, 1918", "December 30, 1918", dt.date(1918, 12, 30)),
        ("30 December 1918", "30 December 1918", dt.date(1918, 12, 30)),
        ("Moscow, March 19, 1918", "Moscow, March 19, 1918", dt.date(1918, 3, 19)),
        ("March 1918", "March 1918", None),
        ("1918-12-30", "1918-12-30", dt.date(1918, 12, 30)),
        ("February 30, 1918", "February 30, 1918", None),
    ],
)
def test_closing_dates(closing, date_text, date):
    doc = read(f"On Discipline\n\n* * *\n\n{BODY}\n\n{closing}\n".encode(), source("dates"))
    assert (doc.date_text, doc.date) == (date_text, date)
    assert len(doc.blocks) == 1


def test_a_date_inside_prose_is_not_a_closing_date():
    last = "On December 30, 1918, the order was read to every regiment of the front."
    doc = read(f"On Discipline\n\n* * *\n\n{BODY}\n\n{last}\n".encode(), source("dates"))
    assert doc.date is None and doc.date_text is None
    assert doc.blocks[-1].text == last


def test_trailing_source_line_and_credit():
    text = (f"On Discipline\n\n* * *\n\n{BODY}\n\n[From Izvestia, No. 12, 1918.]\n\n"
            "Transcribed for the Trotsky Internet Archive by David Walters\n\nContents | Next\n")
    doc = read(text.encode(), source("tail"))
    assert doc.source_line == "From Izvestia, No.\u00a012, 1918."
    assert doc.credits == ["Transcribed for the Trotsky Internet Archive by David Walters"]
    assert [b.text for b in doc.blocks] == [BODY]


@pytest.mark.parametrize(("call", "entry"), [
    ("[1]", "[1]"), ("(1)", "(1)"), ("〔1〕", "〔1〕"), ("1", "1."), ("1", "1)"),
])
def test_text_notes_in_every_form(call, entry):
    text = (f"A Necessary Statement\n\nCamarades, la situation est grave, et nous le disons "
            f"aux ouvriers et aux paysans de l'armée rouge.{call} Voilà.\n\nNotes\n\n"
            f"{entry} Première note.\n")
    doc = read(text.encode(), DocumentSource("texts/n.txt", "n", language="fr"))
    assert [(n.label, n.text.strip(), bool(n.ref_ids)) for n in doc.notes] == [
        ("1", "Première note.", True)]
    assert 'class="noteref"' in doc.blocks[-1].html
    assert doc.warnings == []


def test_a_number_in_the_text_is_a_call_only_when_a_note_has_it():
    text = ("A Title\n\nIn 1918 the army had 300 000 men and rouge.7 stays as it is, in the "
            "long text of the speech, said in full.\n\nNotes\n\n1. A note.\n")
    doc = read(text.encode(), DocumentSource("texts/n.txt", "n"))
    assert "1918" in doc.blocks[-1].text and "rouge.7" in doc.blocks[-1].html


def test_text_before_the_first_note_number_is_kept_as_a_note():
    text = ("A Title\n\nThe long text of the speech, said in full to the soldiers of the "
            "Fifth Army at Sviyazhsk.\n\nNotes\n\nAn editor's remark.\n\n1. A note.\n")
    doc = read(text.encode(), DocumentSource("texts/n.txt", "n"))
    assert [n.text.strip() for n in doc.notes] == ["An editor’s remark.", "A note."]
    assert any("without a number" in w for w in doc.warnings)


def _labels_pattern(labels: list[str]) -> re.Pattern[str]:
    """The note calls as a pattern of the labels themselves, as one would first write it."""
    numbers = sorted({label for label in labels if label.isdigit()}, key=len, reverse=True)
    if not numbers:
        return re.compile(r"\[(\d{1,4}|\*{1,3})\]")
    known = "|".join(numbers)
    return re.compile(
        rf"\[(\d{{1,4}}|\*{{1,3}})\]|\(({known})\)|〔({known})〕|［({known})］"
        rf"|(?:(?<=[^\W\d])|(?<=[^\W\d][.,;:!?»”\"’)]))({known})(?!\w)")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="12345 a.,)(〔〕［］[]*»", max_size=24),
       st.lists(st.sampled_from(["1", "2", "12", "21", "123", "1234", "*", "a"]), max_size=4))
def test_the_call_pattern_finds_what_a_pattern_of_the_labels_finds(text, labels):
    expected = [(m.span(), first_group(m)) for m in _labels_pattern(labels).finditer(text)]
    assert [(m.span(), first_group(m)) for m in call_pattern(labels).finditer(text)] == expected
