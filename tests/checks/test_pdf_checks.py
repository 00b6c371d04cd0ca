"""The PDF checks on hand-made pages and files: no rendering needed."""

from __future__ import annotations

from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from bookmaker.builders.pdf.folios import page_labels
from bookmaker.checks import pdf as checks
from bookmaker.checks.pdf import PdfFont, RenderedPage
from bookmaker.model import Block
from bookmaker.text import join_lines, words
from tests.factories import make_document


def page(index, lines=(), anchors=()):
    return RenderedPage(index=index, lines=list(lines), anchors=set(anchors))


def test_join_lines_closes_hyphenated_breaks_only():
    lines = ["the aggression of for\u2010", "eign imperialism, the bourgeois-", "monarchist",
             "education"]
    assert join_lines(lines) == (
        "the aggression of foreign imperialism, the bourgeois-monarchist education"
    )


def test_words_drop_punctuation_and_keep_apostrophes():
    assert words("Workers’ and Peasants’ — it’s “1918”.") == [
        "workers", "and", "peasants", "it's", "1918"
    ]


def complete_pages(docs):
    pages = [page(0, ["Contents"] + [d.title for d in docs])]
    for doc in docs:
        body = [b.text for b in doc.blocks]
        pages.append(page(len(pages), [doc.title, *body], anchors=[doc.id]))
    return pages


def test_a_complete_rendering_passes():
    docs = [make_document("a", "First Order"), make_document("b", "Second Order")]
    assert checks.check_complete(docs, complete_pages(docs)) == []


def test_a_document_missing_from_the_pages_is_an_error_even_if_the_contents_name_it():
    docs = [make_document("a", "First Order"), make_document("b", "Second Order")]
    pages = complete_pages(docs)[:-1]
    messages = checks.check_complete(docs, pages, "book.pdf")
    codes = [m.code for m in messages]
    assert "PDF-002" in codes and "PDF-003" in codes
    assert all(m.severity == "error" for m in messages)
    assert any("Second Order" in m.text for m in messages)


def test_last_words_cut_off_are_an_error():
    doc = make_document("a", "First Order")
    doc.blocks[-1] = Block("paragraph", "<p>…</p>", "The end comes with the closing words here.")
    docs = [doc]
    pages = complete_pages(docs)
    pages[-1].lines[-1] = pages[-1].lines[-1].rsplit(" ", 3)[0]
    messages = checks.check_complete(docs, pages)
    assert [m.code for m in messages] == ["PDF-003"]
    assert "closing words here" in messages[0].text


def test_too_few_pages_for_the_documents():
    docs = [make_document(f"d{i}", f"Order {i}") for i in range(3)]
    messages = checks.check_complete(docs, [page(0, ["x"])])
    assert messages[0].code == "PDF-001"


def test_footnotes_on_their_calls_page_pass_and_misplaced_ones_are_named():
    doc = make_document("a", "First Order", notes=2)
    first, second = doc.notes
    good = [page(0, anchors=[first.ref_ids[0], first.id, second.ref_ids[0], second.id])]
    assert checks.check_footnotes([doc], good) == []
    bad = [page(0, anchors=[first.ref_ids[0], first.id, second.ref_ids[0]]),
           page(1, anchors=[second.id])]
    messages = checks.check_footnotes([doc], bad)
    assert len(messages) == 1
    assert messages[0].severity == "warning"
    assert "footnote 2 of 'First Order'" in messages[0].text
    assert "page 2" in messages[0].text and "page 1" in messages[0].text


def test_font_names():
    garamond = PdfFont("ABCDEF+EB-Garamond-Italic", embedded=True)
    assert garamond.subset and garamond.is_face("EBGaramond")
    assert garamond.bare_name == "EB-Garamond-Italic"
    whole = PdfFont("DejaVu-Serif", embedded=True)
    assert not whole.subset and not whole.is_face("EBGaramond")


def test_check_fonts_reports_an_unembedded_stand_in(tmp_path):
    writer = PdfWriter()
    blank = writer.add_blank_page(200, 200)
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    })
    blank[NameObject("/Resources")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})
    })
    path = tmp_path / "h.pdf"
    writer.write(path)
    messages = checks.check_fonts(path, "EBGaramond", "h.pdf")
    assert {m.code for m in messages} == {"PDF-020", "PDF-022"}
    assert all("Helvetica" in m.text for m in messages)


def test_footnote_pages_are_named_by_their_printed_folios():
    doc = make_document("a", "First Order", notes=1)
    note = doc.notes[0]
    pages = [page(0), page(1, anchors=[note.ref_ids[0]]), page(2, anchors=[note.id])]
    labels = page_labels(3, front_pages=1)
    assert labels == ["i", "1", "2"]
    (message,) = checks.check_footnotes([doc], pages, labels=labels)
    assert "printed on page 2 but called on page 1" in message.text


def test_page_labels_roman_then_arabic():
    labels = page_labels(20, front_pages=14)
    assert labels[:5] == ["i", "ii", "iii", "iv", "v"]
    assert labels[8:14] == ["ix", "x", "xi", "xii", "xiii", "xiv"]
    assert labels[14:] == ["1", "2", "3", "4", "5", "6"]
