"""Notes in every form the archive's HTML pages write them: no note text is ever dropped."""

from __future__ import annotations

import re

import pytest

from bookmaker.readers import DocumentSource
from bookmaker.readers.archive_html import read

BODY = ("<p>This paragraph is the body of the speech, long enough that it is read as "
        "the text and not as a line of the page's head, with the words of the speech.</p>")


def page(body: str, title: str = "On the Commissars") -> bytes:
    return (f"<html><head><title>{title}</title></head><body><h2>{title}</h2>{BODY}{body}"
            "</body></html>").encode()


def read_page(body: str, doc_id: str = "doc"):
    return read(page(body), DocumentSource(f"texts/{doc_id}.htm", doc_id))


def calls(doc) -> list[str]:
    """Labels of the note calls in the body, in order."""
    html = "".join(block.html for block in doc.blocks)
    return re.findall(r'class="noteref"[^>]*>([^<]+)</a>', html)


FORMS = {
    # The archive's common HTML form: "1." labels on name= anchors.
    "number and period": (
        '<p>The army is built.<sup><a href="#n1" name="f1">1</a></sup> It grows.'
        '<sup><a href="#n2" name="f2">2</a></sup></p><h3>Notes</h3>'
        '<p><a name="n1" href="#f1">1.</a> First note text.</p>'
        '<p><a name="n2" href="#f2">2.</a> Second note text.</p>'),
    # Brackets, an empty anchor before the label link, no heading (notes after a rule).
    "bracket after empty anchor": (
        '<p>The army is built.<a name="r1" href="#n1"><sup>[1]</sup></a> It grows.'
        '<a name="r2" href="#n2"><sup>[2]</sup></a></p><hr>'
        '<p><a name="n1"></a><a href="#r1">[1]</a> First note text.</p>'
        '<p><a name="n2"></a><a href="#r2">[2]</a> Second note text.</p>'),
    # A div.footnotes, the superscript inside the link, id= anchors.
    "div footnotes": (
        '<p>The army is built.<a href="#fn1" id="r1"><sup>1</sup></a> It grows.'
        '<a href="#fn2" id="r2"><sup>2</sup></a></p><div class="footnotes">'
        '<p id="fn1"><a href="#r1">1</a> First note text.</p>'
        '<p id="fn2"><a href="#r2">2</a> Second note text.</p></div>'),
    # Parentheses and a closing parenthesis, unlinked superscripts, a French heading.
    "parentheses": (
        "<p>The army is built.<sup>(1)</sup> It grows.<sup>(2)</sup></p><h4>Notes</h4>"
        "<p>(1) First note text.</p><p>2) Second note text.</p>"),
    # A list of notes under a German heading.
    "ordered list": (
        '<p>The army is built.<sup><a href="#fn1">1</a></sup> It grows.'
        '<sup><a href="#fn2">2</a></sup></p><h3>Anmerkungen</h3><ol class="notes">'
        '<li id="fn1">First note text.</li><li id="fn2">Second note text.</li></ol>'),
    # Chinese pages write calls in the running text in brackets.
    "cjk brackets": (
        "<p>The army is built〔1〕. It grows〔2〕.</p><h3>注释</h3>"
        "<p>〔1〕First note text.</p><p>〔2〕Second note text.</p>"),
}


@pytest.mark.parametrize("form", list(FORMS))
def test_every_note_form_links_calls_to_their_texts(form):
    doc = read_page(FORMS[form], doc_id=form.replace(" ", "-"))
    assert calls(doc) == ["1", "2"], doc.blocks[-1].html
    assert [(note.label, note.text.strip()) for note in doc.notes] == [
        ("1", "First note text."), ("2", "Second note text.")]
    assert all(note.ref_ids for note in doc.notes)
    body = " ".join(block.text for block in doc.blocks)
    assert "First note text" not in body  # the notes left the body
    assert doc.warnings == []


def test_a_note_without_a_number_is_kept_and_named():
    doc = read_page("<p>The army is built.</p><h3>Notes</h3>"
                    "<p>An editor wrote this note with no number.</p>"
                    "<p>1. A numbered note without a call.</p>")
    texts = [note.text.strip() for note in doc.notes]
    assert texts == ["An editor wrote this note with no number.",
                     "A numbered note without a call."]
    assert any("without a number" in w and "An editor wrote" in w for w in doc.warnings)
    assert any("never called" in w for w in doc.warnings)


def test_an_exponent_is_not_a_note_call():
    doc = read_page("<p>The area is 10<sup>2</sup> square versts on the 1<sup>st</sup> map.</p>")
    assert calls(doc) == [] and doc.notes == []
    assert "10<sup>2</sup>" in doc.blocks[-1].html


def test_a_bracket_in_running_text_without_a_note_stays_text():
    doc = read_page("<p>Article 〔3〕 of the decree stays as it is written.</p>")
    assert "〔3〕" in doc.blocks[-1].html and doc.notes == []


def in_order(expected: list[str], found: list[str]) -> list[str]:
    """The words of ``expected`` missing from ``found`` in order (extra words allowed)."""
    position, missing = 0, []
    for word in expected:
        try:
            position = found.index(word, position) + 1
        except ValueError:
            missing.append(word)
    return missing


@pytest.mark.slow
def test_every_word_of_every_form_reaches_the_epub_and_the_pdf(tmp_path):
    import shutil
    import subprocess
    import zipfile

    from lxml import html

    from bookmaker.cli import main
    from bookmaker.readers.common import is_notes_heading
    from bookmaker.text import join_lines, words

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    folder = tmp_path / "notes"
    (folder / "texts").mkdir(parents=True)
    names = []
    for number, body in enumerate(FORMS.values(), start=1):
        name = f"form-{number}.htm"
        (folder / "texts" / name).write_bytes(page(body, title=f"Order Number {number}"))
        names.append(f'"texts/{name}"')
    (folder / "volume.toml").write_text(
        '[volume]\ntitle = "Notes"\nauthors = ["A"]\ndocuments = [' + ", ".join(names) + "]\n",
        "utf-8")
    assert main(["build", str(folder), "-o", str(tmp_path / "out"), "--no-cache"]) == 0
    expected = []
    for number in range(1, len(FORMS) + 1):
        source = html.fromstring((folder / "texts" / f"form-{number}.htm").read_text("utf-8"))
        for heading in source.iter("h3", "h4"):  # the book prints its own notes heading
            if is_notes_heading(heading.text_content()):
                heading.getparent().remove(heading)
        expected += words(" ".join(source.find("body").itertext()))
    with zipfile.ZipFile(tmp_path / "out" / "notes.epub") as book:
        epub_text = " ".join(
            " ".join(html.fromstring(book.read(f"EPUB/text/form-{n}.xhtml")).itertext())
            for n in range(1, len(FORMS) + 1))
    assert in_order(expected, words(epub_text)) == []
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "out" / "notes.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
    assert in_order(expected, words(join_lines(pdf_text.splitlines()))) == []


def test_a_page_held_in_a_layout_table_is_read_through_it():
    page_bytes = b"""<html><head><title>Lenin Internet Archive</title></head><body>
<table width="100%"><tr><td width="15%"><a href="../index.htm">Index</a></td><td>
<h3>V. I. Lenin</h3><h2>The Tasks of the Proletariat</h2>
<p>Comrades, the revolution has entered its second stage. The power has passed into the
hands of the bourgeoisie, and the tasks of the proletariat are now these, without delay.</p>
<table border="1"><tr><th>Year</th><th>Strikes</th></tr><tr><td>1916</td><td>1,500</td></tr>
</table>
<p class="date">April 7, 1917</p>
</td></tr></table></body></html>"""
    doc = read(page_bytes, DocumentSource("texts/t.htm", "t"))
    assert doc.title == "The Tasks of the Proletariat"
    assert doc.date_text == "April 7, 1917"
    assert [block.kind for block in doc.blocks] == ["paragraph", "table"]
    assert doc.blocks[0].text.startswith("Comrades, the revolution")
    assert "<td>1916</td>" in doc.blocks[1].html  # a table of data stays a table


@pytest.mark.parametrize(("language", "furniture"), [
    ("fr", ['<p><a href="index.htm">Retour</a> | <a href="../index.htm">Sommaire</a></p>',
            "<p>Transcription : Jean Dupont pour le MIA</p>",
            "<p>Dernière mise à jour le 3 mars 2005</p>"]),
    ("de", ['<p><a href="index.htm">Zurück</a> · <a href="../index.htm">Inhalt</a></p>',
            "<p>Transkription: Hans Müller</p>",
            "<p>Letzte Aktualisierung: 12.03.2006</p>"]),
    ("ru", ['<p><a href="index.htm">« Назад</a> | <a href="../index.htm">Содержание</a></p>',
            "<p>Оцифровка: Иван Петров</p>", "<p>Последнее обновление: 5 мая 2007</p>"]),
    ("zh", ['<p><a href="index.htm">返回</a> | <a href="../index.htm">目录</a></p>',
            "<p>录入：王小明</p>", "<p>最后更新：2008年3月1日</p>"]),
])
def test_furniture_in_other_languages_stays_out_of_the_text(language, furniture):
    body = "<p>Body words of the document that must stay, long enough to be its text and " \
           "not a line of the head, as every speech of the archive.</p>"
    html = (f'<html lang="{language}"><head><title>T</title></head><body><h2>A Title</h2>'
            f"{furniture[0]}{body}<p>A second paragraph of the body.</p>{''.join(furniture)}"
            "</body></html>").encode()
    doc = read(html, DocumentSource("texts/f.htm", "f", language=language))
    text = " ".join(block.text for block in doc.blocks)
    assert text.startswith("Body words of the document")
    assert text.endswith("A second paragraph of the body.")


ORDERS = b"""<html><head><title>Orders</title></head><body>
<p class="title">The Military Writings of Leon Trotsky</p>
<h2><a name="o1"></a>Order No. 31</h2>
<p class="from">Sviyazhsk, August 1918</p>
<p>Soldiers of the Fifth Army, the enemy is at the gates of Kazan, and every one of you
must hold the line.<sup class="anote"><a href="#n1" name="f1">[1]</a></sup></p>
<p class="date">August 14, 1918</p>
<h2 id="o2">Order No. 32</h2>
<p class="from">Kazan, September 1918</p>
<p>Kazan is taken. The Fifth Army has done its duty, and the republic thanks it, every
soldier in it.<sup class="anote"><a href="#n2" name="f2">[2]</a></sup></p>
<p class="date">September 10, 1918</p>
<hr>
<h3>Notes</h3>
<p class="endnote"><a name="n1" href="#f1">[1]</a> The first order's note.</p>
<p class="endnote"><a name="n2" href="#f2">[2]</a> The second order's note.</p>
</body></html>"""


@pytest.mark.parametrize(("fragment", "title", "place", "date", "words", "note"), [
    # "No." keeps its number on its line: a no-break space.
    ("o1", "Order No.\u00a031", "Sviyazhsk, August 1918", "August 14, 1918", "Soldiers", "first"),
    ("o2", "Order No.\u00a032", "Kazan, September 1918", "September 10, 1918", "Kazan", "second"),
])
def test_each_document_of_a_page_has_its_own_title_place_date_and_notes(
        fragment, title, place, date, words, note):
    doc = read(ORDERS, DocumentSource(f"texts/orders.htm#{fragment}", f"orders-{fragment}",
                                      fragment=fragment))
    assert (doc.title, doc.occasion, doc.date_text) == (title, place, date)
    assert len(doc.blocks) == 1 and doc.blocks[0].text.startswith(words)
    assert [n.text for n in doc.notes] == [f"The {note} order’s note."]
    assert doc.warnings == []


def test_a_missing_anchor_reads_the_whole_page_and_says_so():
    doc = read(ORDERS, DocumentSource("texts/orders.htm#o9", "orders-o9", fragment="o9"))
    assert any("no anchor '#o9'" in w for w in doc.warnings)
    assert len(doc.notes) == 2


def test_editors_notes_are_kept_apart_from_the_authors():
    doc = read_page(
        '<p>The army is built.<sup class="anote"><a href="#n1" name="f1">[1]</a></sup> It '
        'grows.<sup class="ednote"><a href="#e1" name="g1">[1]</a></sup></p>'
        '<h3>Notes</h3><p class="endnote"><a name="n1" href="#f1">[1]</a> The author’s note.</p>'
        "<h3>Editor's Notes</h3><p><a name=\"e1\" href=\"#g1\">[1]</a> The editor’s note.</p>")
    assert [(n.key, n.label, n.text.strip()) for n in doc.notes] == [
        ("1", "1", "The author’s note."), ("ed1", "1", "The editor’s note.")]
    assert all(n.ref_ids for n in doc.notes) and doc.warnings == []


def test_a_repeated_note_number_keeps_both_texts():
    doc = read_page("<p>The army is built [1].</p><h3>Notes</h3>"
                    "<p>[1] The first text.</p><p>[1] The second text.</p>")
    assert [n.text.strip() for n in doc.notes] == ["The first text.", "The second text."]
    assert any("appears twice" in w for w in doc.warnings)
