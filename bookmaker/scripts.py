"""Which writing system a text is in, from the Unicode character database.

Used to say what a document is written in (``bookmaker inspect``) and, for print, which
face must cover it. The script of a character is taken from the first word of its
Unicode name ("CYRILLIC SMALL LETTER A", "CJK UNIFIED IDEOGRAPH-4E2D"), which Python's
``unicodedata`` carries for every assigned character: no hand-made range table.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

SAMPLE_CHARS = 20_000
"""Letters looked at: the script of a long text shows in its first pages."""

# Name prefixes that belong to one script under another name.
_ALIASES = {
    "CJK": "Han", "IDEOGRAPHIC": "Han", "KANGXI": "Han", "HIRAGANA": "Kana",
    "KATAKANA": "Kana", "HANGUL": "Hangul", "HALFWIDTH": "Kana",
}


BOOK_FACE_SCRIPTS = frozenset({"Latin", "Greek", "Cyrillic"})
"""Scripts the book faces (EB Garamond, Source Serif 4, Literata) cover themselves."""

RTL_LANGUAGES = frozenset({"ar", "arc", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"})
"""Primary language subtags written right to left (Kurdish only in Arabic script, see below)."""


def text_direction(language: str) -> str:
    """'rtl' for a language written right to left, else 'ltr'."""
    subtags = language.lower().replace("_", "-").split("-")
    if subtags[0] == "ku":
        return "rtl" if "arab" in subtags else "ltr"
    if "latn" in subtags or "cyrl" in subtags:
        return "ltr"
    return "rtl" if subtags[0] in RTL_LANGUAGES else "ltr"


@lru_cache(maxsize=4096)
def char_script(char: str) -> str:
    """'Latin', 'Cyrillic', 'Han', 'Kana', 'Arabic'…; '' for characters of no script."""
    if not char.isalpha():
        return ""
    first = unicodedata.name(char, "").split(" ", 1)[0]
    return _ALIASES.get(first, first.title())


def _script_counts(text: str) -> Counter:
    """Letters of ``text`` per script, the scripts in the order they first appear. Each
    distinct character is looked up once (ten times faster than letter by letter)."""
    counts: Counter = Counter()
    for char, number in Counter(text).items():
        script = char_script(char)
        if script:
            counts[script] += number
    return counts


def dominant_script(text: str) -> str:
    """The script most letters of ``text`` are in ('' when it has no letters).

    Japanese mixes kana and Han; a text with any kana among its Han is 'Japanese', since
    kana is what tells Japanese from Chinese.
    """
    counts = _script_counts(text[:SAMPLE_CHARS])
    if not counts:
        return ""
    script = counts.most_common(1)[0][0]
    if script in ("Han", "Kana") and counts.get("Kana"):
        return "Japanese"
    return script


def scripts_of(text: str) -> list[str]:
    """Every script with letters anywhere in ``text``: those of its first pages most used
    first, then the others (a short quotation far in) in the order of the alphabet."""
    counts = _script_counts(text[:SAMPLE_CHARS])
    ordered = [script for script, _ in counts.most_common()]
    rest = {char_script(c) for c in set(text[SAMPLE_CHARS:])} - set(ordered) - {""}
    return ordered + sorted(rest)
