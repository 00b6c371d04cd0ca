"""Typographic punctuation: curly quotes, dashes, ellipses and no-break spaces."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bookmaker.readers.typography as typography
from bookmaker.model import TypographySettings
from bookmaker.readers.typography import smarten_html, smarten_text


@pytest.mark.parametrize(
    ("plain", "typeset"),
    [
        ('"Forward!" he said.', "\u201cForward!\u201d he said."),
        ("the workers' and peasants' army", "the workers\u2019 and peasants\u2019 army"),
        ("it's 'the order'", "it\u2019s \u2018the order\u2019"),
        ("the army -- new and old", "the army \u2014 new and old"),
        ("the army---new", "the army\u2014new"),
        ("1918 - 1919", "1918 \u2013 1919"),
        ("Red-Army men", "Red-Army men"),
        ("and so on...", "and so on\u2026"),
        ("V. I. Lenin", "V.\u00a0I.\u00a0Lenin"),
        ("Order No. 31", "Order No.\u00a031"),
        ("USA. Then", "USA. Then"),
    ],
)
def test_smarten_text(plain, typeset):
    assert smarten_text(plain) == typeset


def test_html_tags_and_attributes_are_left_alone():
    html = '<p title="a \'b\' -- c">"Quoted <i>word</i>" -- <a href="#x">3</a>...</p>'
    assert smarten_html(html) == (
        '<p title="a \'b\' -- c">\u201cQuoted <i>word</i>\u201d \u2014 <a href="#x">3</a>\u2026</p>'
    )


def test_code_and_pre_are_left_alone():
    html = '<p>"a" <code>"b" -- c</code></p><pre>"x" -- y...</pre>'
    assert smarten_html(html) == '<p>\u201ca\u201d <code>"b" -- c</code></p><pre>"x" -- y...</pre>'


def test_output_holds_characters_not_entities():
    out = smarten_html("<p>it's \"quoted\" -- done... &amp; &lt;tag&gt;</p>")
    assert "&#" not in out and "&rsquo;" not in out and "&mdash;" not in out
    assert "&amp;" in out and "&lt;tag&gt;" in out


def test_quotes_across_note_calls():
    html = '<p>"the army<a class="noteref" href="#n">3</a>" and more</p>'
    assert smarten_html(html).startswith("<p>\u201cthe army<a")
    assert '</a>\u201d and more' in smarten_html(html)


def test_switches():
    assert smarten_text('"V. I." -- x', TypographySettings(smart_quotes=False, nbsp=False)) == (
        '"V. I." -- x'
    )
    assert smarten_text('"V. I." -- x', TypographySettings(smart_quotes=False, nbsp=True)) == (
        '"V.\u00a0I." -- x'
    )
    assert smarten_text('"V. I." -- x', TypographySettings(smart_quotes=True, nbsp=False)) == (
        "\u201cV. I.\u201d \u2014 x"
    )


# Text with nothing for smartypants to change skips the library: the result must be
# the same as the library's on any text.

FRAGMENTS = st.lists(st.sampled_from(
    ["a", "Word", " ", ".", "..", ". ", "-", "--", "'", '"', "`", "\\", "&amp;", "&quot;",
     "&#8220;", "&#39;", "1", "No. 5", "<i>", "</i>", "<code>", "</code>", "\n", "\u2019"]
), max_size=30).map("".join)


@given(FRAGMENTS)
def test_skipping_the_library_changes_nothing(html):
    skipped = smarten_html(html)
    always = typography._SMARTY_WORK
    try:
        typography._SMARTY_WORK = re.compile("")  # matches everything: always call it
        called = smarten_html(html)
    finally:
        typography._SMARTY_WORK = always
    assert skipped == called


def test_plain_archive_paragraphs_skip_the_library(monkeypatch):
    calls = []
    monkeypatch.setattr(typography.smartypants, "smartypants",
                        lambda html, attrs: calls.append(html) or html)
    assert smarten_html("The Red Army \u2013 its \u201cfirst\u201d year.") == (
        "The Red Army \u2013 its \u201cfirst\u201d year.")
    assert calls == []
    smarten_html("it's")
    assert calls == ["it's"]


@pytest.mark.parametrize(
    ("language", "plain", "typeset"),
    [
        ("fr", '"La révolution est en marche"',
         "\u00ab\u202fLa révolution est en marche\u202f\u00bb"),
        ("fr", "Pourquoi ? Voici: l'homme", "Pourquoi\u202f? Voici\u00a0: l\u2019homme"),
        ("de", "\"Die Revolution 'marschiert'\"",
         "\u201eDie Revolution \u201amarschiert\u2018\u201c"),
        ("ru", '"Революция"', "\u00abРеволюция\u00bb"),
        ("el", '"Επανάσταση"', "\u00abΕπανάσταση\u00bb"),
        ("it", "l'uomo", "l\u2019uomo"),
        ("zh", "他说：“革命”「好」", "他说：“革命”「好」"),
        ("ja", "「革命」『万歳』", "「革命」『万歳』"),
        ("fr", "\u00ab\u202fDéjà\u202f\u00bb ici\u202f!",
         "\u00ab\u202fDéjà\u202f\u00bb ici\u202f!"),
    ],
)
def test_languages(language, plain, typeset):
    assert smarten_text(plain, None, language) == typeset


def _letters(text):
    import unicodedata
    return [c for c in text if unicodedata.category(c)[0] not in "PZSC"]


@given(st.text(alphabet="ab é'\"-.«»„“”「」?!:;", max_size=30),
       st.sampled_from(["en", "fr", "de", "ru", "zh", "ja"]))
def test_letters_are_unchanged(text, language):
    assert _letters(smarten_text(text, None, language)) == _letters(text)


@pytest.mark.parametrize(("language", "text", "expected"), [
    # After an ideographic full stop a quote opens; before a comma it closes.
    ("zh", '形势是严重的。"革命正在前进"，我们说。', "形势是严重的。“革命正在前进”，我们说。"),
    # Between two characters a quote does what the last one did not.
    ("zh", '他说："革命。"了。', "他说：“革命。”了。"),
    ("ja", '情勢は重大である。"革命は前進"と言う。', "情勢は重大である。「革命は前進」と言う。"),
    ("ja", '"赤軍"と"白軍"。', "「赤軍」と「白軍」。"),
])
def test_straight_quotes_in_cjk_text_open_and_close_without_spaces(language, text, expected):
    assert smarten_text(text, language=language) == expected


@pytest.mark.parametrize(("language", "expected"), [
    ("ar", "”الثورة تتقدم“"), ("fa", "«الثورة تتقدم»"), ("uk", "«الثورة تتقدم»"),
    ("pl", "„الثورة تتقدم”"),
])
def test_quotes_of_more_languages_come_from_cldrs_delimiters(language, expected):
    assert smarten_text('"الثورة تتقدم"', language=language) == expected


# The plain forms of the typography patterns, as one would first write them; the module
# writes each so that the engine can skip positions fast, and must match the same.
PLAIN_FORMS = {
    "_TRIPLE_HYPHEN": r"(?<!-)---(?!-)",
    "_ELLIPSIS": r"(?<!\.)\.\.\.(?!\.)",
    "_DOUBLE_HYPHEN": r"(?<!-)--(?!-)",
    "_SMARTY_WORK": r"[\"'`\\&]|--|\.\.|\. \.",
    "_FR_HIGH": r"(?<=[^\s;:!?])[ ]?([;!?])(?![\w/=&])",
    "_FR_COLON": r"(?<=[^\s;:!?])[ ]?:(?=\s|$)",
    "_FR_CLOSE": r"(?<=\S)[ ]?\u00bb",
}


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="-. a;:!?»«\"'`\\&/=\n\u00a0", max_size=16))
def test_fast_patterns_match_where_their_plain_forms_do(text):
    for name, plain in PLAIN_FORMS.items():
        fast = getattr(typography, name)
        assert ([(m.span(), m.groups()) for m in fast.finditer(text)]
                == [(m.span(), m.groups()) for m in re.finditer(plain, text)]), name


@pytest.mark.parametrize(("text", "expected"), [
    ("a &amp; b", "a &amp; b"),
    ("R&amp;D ; la suite", "R&amp;D\u202f; la suite"),
    ("x &lt;y&gt; ; z", "x &lt;y&gt;\u202f; z"),
    ("Q &amp;!", "Q &amp;\u202f!"),
    ("&#233;; oui", "&#233;; oui"),
])
def test_french_spaces_leave_character_references_whole(text, expected):
    """The ; of &amp; is no semicolon: a space before it broke the XHTML (a French text
    with an & in it could not be read)."""
    assert smarten_html(text, language="fr") == expected
