"""The words bookmaker itself prints into a book ('Contents', 'Notes'…), per language.

The English text of each label is its gettext msgid; translations live in
``bookmaker/locale/<lang>/LC_MESSAGES/bookmaker.po`` (read with Babel, so a
translator edits a plain .po file and nothing needs compiling). Labels with
``%(name)s`` placeholders are sentences, so each language orders its own words.
A label missing from a language's catalogue falls back to English; a volume that
needs other words overrides the template.

Dates and lists of names come from Babel's CLDR data, not from the catalogues.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_format_date
from babel.lists import format_list
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "bookmaker"

MESSAGES: dict[str, str] = {
    # book furniture
    "contents": "Contents",
    "landmarks": "Landmarks",
    "pages": "Pages",
    "cover": "Cover",
    "title_page": "Title Page",
    "imprint": "Imprint",
    "start": "Start of Content",
    "notes": "Notes",
    "back_to_call": "Back to call",
    "number": "No. %(number)s",
    "part": "Part %(number)s",
    # title page and imprint sentences
    "translated_by": "Translated by %(names)s",
    "edited_by": "Edited by %(names)s",
    "book_by": "%(title)s by %(authors)s",
    "book_translated": "%(book)s, translated by %(translators)s",
    "source": "Source",
    "source_line": "Source: %(source)s",
    "published_by": "Published by %(publisher)s",
    "identifier_line": "Identifier: %(identifier)s",
    "ebook_made": "This ebook was made with %(tool)s on %(date)s.",
    "print_made": "Set in %(face)s and made with %(tool)s.",
    "print_made_dated": "Set in %(face)s and made with %(tool)s on %(date)s.",
    "offprint_made": "Made with %(tool)s.",
    "offprint_made_dated": "Made with %(tool)s on %(date)s.",
    "system_serif": "the system serif",
    "sentence": "%(text)s.",
    # contributors' roles (MARC relators) in the imprint
    "role_aut": "Author",
    "role_trl": "Translator",
    "role_edt": "Editor",
    "role_ctb": "Contributor",
    "role_ill": "Illustrator",
    "role_trc": "Transcriber",
    "role_pfr": "Proofreader",
    "role_aui": "Author of introduction",
    "role_win": "Writer of introduction",
    "role_ann": "Annotator",
    "role_bkp": "Producer",
    "role_pbl": "Publisher",
    # the catalogue's volume pages
    "all_volumes": "All volumes",
    "downloads": "Downloads",
    "about_volume": "About this volume",
    "each_document_pdf": "Each document can also be downloaded as its own PDF.",
    "epub_page_numbers": "The EPUB carries the print edition’s page numbers.",
    "credits": "Credits",
    "publisher": "Publisher",
    "rights": "Rights",
    "transcription": "Transcription",
    "identifier": "Identifier",
    "download_as": "Download %(title)s as",
}
"""Label key → English text (the msgid)."""

ENGLISH_PART_NUMBERS = (
    "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven",
    "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen",
    "Nineteen", "Twenty",
)
"""English books spell part numbers out ('Part One'); other languages get figures."""


def primary(language: str) -> str:
    """The primary subtag of a BCP 47 tag: 'zh' for 'zh-Hant-TW'."""
    return language.lower().replace("_", "-").split("-")[0]


def labels_for(language: str) -> dict[str, str]:
    """Every label in ``language``, English where its catalogue has no translation."""
    return dict(_labels(language.replace("_", "-").lower()))


@functools.lru_cache(maxsize=64)
def _labels(language: str) -> tuple[tuple[str, str], ...]:
    translated = _catalogue(language)
    return tuple((key, translated.get(text) or text) for key, text in MESSAGES.items())


def _catalogue(language: str) -> dict[str, str]:
    """msgid → msgstr for the most specific catalogue there is ('pt-br', then 'pt')."""
    subtags = language.split("-")
    for end in range(len(subtags), 0, -1):
        name = "_".join(subtags[:end])
        for folder in (name, _locale_name(subtags[:end])):
            path = LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po"
            if path.is_file():
                return _read_catalogue(path)
    return {}


def _locale_name(subtags: list[str]) -> str:
    # Catalogue folders use gettext's spelling: zh_Hant, pt_BR.
    rest = [s.title() if len(s) == 4 else s.upper() for s in subtags[1:]]
    return "_".join([subtags[0], *rest])


@functools.lru_cache(maxsize=64)
def _read_catalogue(path: Path) -> dict[str, str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}


def available_languages() -> list[str]:
    """The languages with a catalogue, as folder names ('de', 'fr', 'zh'…)."""
    return sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES").is_dir())


def cldr_locale(language: str) -> Locale | None:
    """Babel's locale for a BCP 47 tag, else for its primary subtag; None if CLDR has
    neither."""
    for tag, sep in ((language.replace("_", "-"), "-"), (primary(language), "_")):
        try:
            return Locale.parse(tag, sep=sep)
        except (UnknownLocaleError, ValueError):
            continue
    return None


def _locale(language: str) -> Locale:
    return cldr_locale(language) or Locale.parse("en")


def format_date(when: dt.date, language: str) -> str:
    """``when`` as the language writes a date in full: 'December 16, 2006'."""
    return babel_format_date(when, format="long", locale=_locale(language))


def join_names(names: Sequence[str], language: str) -> str:
    """Names joined as the language lists them: 'A, B, and C', 'A, B et C', 'A、B和C'."""
    return format_list(list(names), style="standard", locale=_locale(language))


def part_number(count: int, language: str) -> str:
    """How a part's number is printed in 'Part %(number)s'."""
    if primary(language) == "en" and count <= len(ENGLISH_PART_NUMBERS):
        return ENGLISH_PART_NUMBERS[count - 1]
    return str(count)


def series_number(number: float | None) -> str:
    """A volume's number in its series as printed: '2' for 2.0, '2.5' for 2.5, '' for none."""
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else str(number)
