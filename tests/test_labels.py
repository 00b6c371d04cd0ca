"""The words bookmaker prints into books, from the .po catalogues per language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from babel.messages.pofile import read_po

from bookmaker.labels import (
    LOCALE_DIR,
    MESSAGES,
    available_languages,
    format_date,
    join_names,
    labels_for,
    part_number,
)

REQUIRED = ["ar", "de", "es", "fr", "ja", "ru", "zh"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_the_issue_languages_all_have_catalogues():
    assert set(REQUIRED) <= set(available_languages())


@pytest.mark.parametrize("language", REQUIRED)
def test_every_catalogue_translates_every_label_with_the_same_placeholders(language):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "bookmaker.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id}
    for key, english in MESSAGES.items():
        assert translated.get(english), f"{language}: {key} has no translation"
        assert (sorted(PLACEHOLDER.findall(translated[english]))
                == sorted(PLACEHOLDER.findall(english))), f"{language}: {key}"


def test_the_template_lists_every_label():
    with (LOCALE_DIR / "bookmaker.pot").open("rb") as handle:
        ids = {m.id for m in read_po(handle) if m.id}
    assert ids == set(MESSAGES.values())


@pytest.mark.parametrize(("language", "key", "text"), [
    ("fr", "contents", "Table des matières"),
    ("fr-CA", "contents", "Table des matières"),
    ("de", "contents", "Inhalt"),
    ("de", "notes", "Anmerkungen"),
    ("es", "notes", "Notas"),
    ("ru", "notes", "Примечания"),
    ("zh", "contents", "目录"),
    ("zh-Hans-CN", "notes", "注释"),
    ("ja", "contents", "目次"),
    ("ar", "contents", "المحتويات"),
])
def test_labels_come_from_the_languages_catalogue(language, key, text):
    assert labels_for(language)[key] == text


@pytest.mark.parametrize("language", ["en", "sw", "pt-BR", "xx-unknown"])
def test_a_language_without_a_catalogue_gets_english(language):
    labels = labels_for(language)
    assert labels["contents"] == "Contents"
    assert labels["translated_by"] % {"names": "Brian Pearce"} == "Translated by Brian Pearce"


def test_sentences_put_the_names_where_the_language_wants_them():
    assert labels_for("fr")["translated_by"] % {"names": "A"} == "Traduit par A"
    assert labels_for("zh")["translated_by"] % {"names": "甲"} == "甲译"
    assert labels_for("ru")["number"] % {"number": 3} == "№ 3"


@pytest.mark.parametrize(("language", "text"), [
    ("en", "December 30, 1918"),
    ("fr", "30 décembre 1918"),
    ("de", "30. Dezember 1918"),
    ("es", "30 de diciembre de 1918"),
    ("ru", "30 декабря 1918\u202fг."),  # CLDR keeps the year and its г. together
    ("zh", "1918年12月30日"),
    ("ja", "1918年12月30日"),
])
def test_dates_are_written_from_cldr(language, text):
    assert format_date(dt.date(1918, 12, 30), language) == text


def test_names_are_joined_as_the_language_lists_them():
    assert join_names(["A"], "en") == "A"
    assert join_names(["A", "B"], "en") == "A and B"
    assert join_names(["A", "B"], "fr") == "A et B"
    assert join_names(["A", "B"], "de") == "A und B"
    assert join_names(["Анна", "Борис"], "ru") == "Анна и Борис"


def test_english_part_numbers_are_words_and_others_figures():
    assert part_number(2, "en") == "Two"
    assert part_number(25, "en") == "25"
    assert part_number(2, "fr") == "2"


def test_every_catalogue_notes_heading_is_read_back_as_one():
    """A volume made from bookmaker's own output (its notes heading in any of its
    languages) has its notes found again: the readers' list holds every catalogue's word."""
    from bookmaker.labels import available_languages, labels_for
    from bookmaker.readers.common import NOTES_HEADINGS, is_notes_heading

    for language in available_languages():
        heading = labels_for(language)["notes"]
        assert heading.lower() in NOTES_HEADINGS, language
        assert is_notes_heading(f"{heading}:"), language
