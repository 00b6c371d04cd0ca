"""Typographic punctuation for inline HTML: curly quotes, dashes, ellipses, no-break spaces.

Quotes, ``--`` and ``...`` are left to the ``smartypants`` library, which works on
HTML and skips tags and ``pre``/``code``; its output is turned into Unicode
characters, never entities, so the result stays valid XHTML. Before it, ``---``
becomes an em dash and a hyphen standing between spaces an en dash, as English
publishing sets a spaced dash. Only text between tags is ever changed.

smartypants only knows English rules, so it is used for English alone. Other
languages get their quotation marks from CLDR (through Babel) with a small
opening/closing decision; characters that are already typographic are never
changed, and French gets its no-break spaces before high punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html import escape, unescape

import smartypants
from babel import Locale, UnknownLocaleError

from bookmaker.model import TypographySettings

_SMARTY = (
    smartypants.Attr.q
    | smartypants.Attr.b
    | smartypants.Attr.d
    | smartypants.Attr.e
    | smartypants.Attr.w
    | smartypants.Attr.u
)

# Tags or runs of text; applied in one pass, so time is linear in the size.
_TOKENS = re.compile(r"(<[^>]*>)|([^<]+|<)")
_NUMERIC_REF = re.compile(r"&#(\d{1,7});")
# Every pattern here starts with what it matches, or a lookahead of the characters a
# match can start with, before any lookbehind: the engine then skips the other positions
# at once (a leading lookbehind made it try each position; reading paragraphs took a
# quarter of its time in these). tests/readers/test_typography.py checks each against
# its plain form.
_TRIPLE_HYPHEN = re.compile(r"---(?<!----)(?!-)")
_SPACED_HYPHEN = re.compile(r" -(?<=[^\s-] -) (?=[^\s-])")
_INITIAL = re.compile(r"\.(?<=\b[A-Z]\.)[ \n](?=[A-Z])")
_NUMBER_ABBREV = re.compile(
    r"\.(?:(?<=\b[Nn]o\.)|(?<=\b[Nn]os\.)|(?<=\bp\.)|(?<=\bpp\.)|(?<=\b[Vv]ol\.))[ \n](?=\d)"
)
_SKIP_TAG = re.compile(r"<(/?)(pre|code)\b", re.IGNORECASE)
# Everything smartypants acts on: quotes and backticks, "--", "..." and ". . .",
# backslash escapes and entities. Text without any of them is left as it is, and
# checking is a hundred times cheaper than the library's dozen passes: most archive
# paragraphs are already typographic, and smartypants was half of reading them.
_SMARTY_WORK = re.compile(r"(?=[\"'`\\&.-])(?:[\"'`\\&]|--|\.\.|\. \.)")


def smarten_html(
    html: str, settings: TypographySettings | None = None, language: str = "en"
) -> str:
    """Apply the typography ``settings`` (all on by default) to an inline or block fragment
    written in ``language`` (a BCP 47 tag)."""
    settings = settings or TypographySettings()
    if not settings.smart_quotes and not settings.nbsp:
        return html
    base = (language or "en").replace("_", "-").split("-")[0].lower()
    if settings.smart_quotes:
        html = _on_text(html, _dashes)
        if base == "en":
            if _SMARTY_WORK.search(html):
                html = smartypants.smartypants(html, _SMARTY)
                html = _NUMERIC_REF.sub(_char_for_ref, html)
        else:
            html = _on_text(html, _LocalQuotes(language, base))
    if base == "fr" and settings.smart_quotes:
        # All of fr-* alike (fr-CH included, though Swiss usage often drops the space
        # inside guillemets): one rule is predictable and never wrong to a French reader.
        html = _on_text(html, _french_spaces)
    if settings.nbsp:
        html = _on_text(html, _no_break)
    return html


def smarten_text(
    text: str, settings: TypographySettings | None = None, language: str = "en"
) -> str:
    """The same for plain text (no markup): returns plain text."""
    return unescape(smarten_html(escape(text, quote=False), settings, language))


# CLDR's delimiters; Babel 2.19 does not expose them (no Locale.quotation_start), so
# the values for the languages we publish are copied from CLDR here.
_CLDR_QUOTES = {
    "de": ("\u201e", "\u201c", "\u201a", "\u2018"),
    "fr": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "ru": ("\u00ab", "\u00bb", "\u201e", "\u201c"),
    "el": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "es": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "it": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "pt": ("\u00ab", "\u00bb", "\u201c", "\u201d"),
    "zh": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "ja": ("\u300c", "\u300d", "\u300e", "\u300f"),
    "ko": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "uk": ("\u00ab", "\u00bb", "\u201e", "\u201c"),
    "pl": ("\u201e", "\u201d", "\u00ab", "\u00bb"),
    "cs": ("\u201e", "\u201c", "\u201a", "\u2018"),
    # Right-to-left: CLDR's marks are the glyphs as they stand at each end of the run.
    "ar": ("\u201d", "\u201c", "\u2019", "\u2018"),
    "ur": ("\u201d", "\u201c", "\u2019", "\u2018"),
    "fa": ("\u00ab", "\u00bb", "\u2039", "\u203a"),
    "he": ("\u201d", "\u201d", "\u2019", "\u2019"),
}


@lru_cache(maxsize=64)
def _quote_marks(language: str) -> tuple[str, str, str, str] | None:
    """(open, close, inner open, inner close) for ``language``: from Babel when it has
    them, else the CLDR table, for the tag then its base language; None = leave straight."""
    tag = language.replace("-", "_")
    for candidate in (tag, tag.split("_")[0]):
        try:
            loc = Locale.parse(candidate)
        except (UnknownLocaleError, ValueError, TypeError):
            continue
        marks = tuple(getattr(loc, name, None) for name in (
            "quotation_start", "quotation_end",
            "alternate_quotation_start", "alternate_quotation_end"))
        if all(marks):
            return marks  # type: ignore[return-value]
        if loc.language in _CLDR_QUOTES:
            return _CLDR_QUOTES[loc.language]
    return None


# After these a straight quote opens; after anything else it closes.
_OPENERS = set(" \t\n\u00a0\u202f([{<\u2014\u2013-/"
               "\u00ab\u201e\u201c\u2018\u201a\u300c\u300e\u2039\u00bb")
_CJK = {"zh", "ja", "ko"}
_ELLIPSIS = re.compile(r"\.\.\.(?<!\.\.\.\.)(?!\.)")
_DOUBLE_HYPHEN = re.compile(r"--(?<!---)(?!-)")
_STRAIGHT = re.compile(r"[\"']")


class _LocalQuotes:
    """Straight quotes to the locale's marks, remembering the last character of the
    previous run of text, so a quote after a note call still closes."""

    def __init__(self, language: str, base: str) -> None:
        self.marks = _quote_marks(language)
        self.cjk = base in _CJK
        self.prev = ""
        self.double_open = False
        """Whether a double quote is open: CJK text has no spaces to tell by."""

    def __call__(self, text: str) -> str:
        text = _DOUBLE_HYPHEN.sub("\u2014", text)
        text = _ELLIPSIS.sub("\u2026", text)
        if self.marks is not None and ("'" in text or '"' in text):
            text = _STRAIGHT.sub(lambda m: self._turn(m, text), text)
        if text:
            self.prev = text[-1]
        return text

    def _turn(self, match: re.Match[str], text: str) -> str:
        i = match.start()
        before = text[i - 1] if i else self.prev
        after = text[i + 1] if i + 1 < len(text) else ""
        opening = before == "" or before in _OPENERS
        open_, close, inner_open, inner_close = self.marks
        if match.group() == '"':
            if self.cjk:
                opening = self._cjk_opens(before, after)
            self.double_open = opening
            return open_ if opening else close
        if before.isalnum() and after.isalpha():
            # An apostrophe inside a word (l'homme, d'un); CJK text keeps its own.
            return "'" if self.cjk else "\u2019"
        if not opening and not before.isalnum() and not after:
            return "'"
        return inner_open if opening else inner_close

    def _cjk_opens(self, before: str, after: str) -> bool:
        # CJK text has no spaces to tell by: an open quote closes before punctuation or
        # the end (革命"，); at the start or after a bracket one opens; anywhere else
        # (。"革, 命"了) a quote does what the last one did not.
        ends = after == "" or after.isspace() or _is_open_punctuation(after)
        if self.double_open and ends:
            return False
        if before == "" or before in _OPENERS:
            return True
        return not self.double_open


def _is_open_punctuation(char: str) -> bool:
    """Punctuation a quotation may follow: not a closing bracket or quote."""
    return unicodedata.category(char) in ("Po", "Ps", "Pd")


# French spacing: only an ordinary space or nothing is replaced, so never doubled.
_FR_HIGH = re.compile(r"(?=[ ;!?])(?<=[^\s;:!?])[ ]?([;!?])(?![\w/=&])")
_FR_COLON = re.compile(r"(?=[ :])(?<=[^\s;:!?])[ ]?:(?=\s|$)")
_FR_OPEN = re.compile(r"\u00ab[ ]?(?=\S)")
_FR_CLOSE = re.compile(r"(?=[ \u00bb])(?<=\S)[ ]?\u00bb")


# An entity reference ending where a match begins: its ';' is no semicolon (&amp;).
_ENTITY_BEFORE = re.compile(r"&#?[A-Za-z0-9]+\Z")


def _high_space(match: re.Match[str]) -> str:
    if match.group(0) == ";" and _ENTITY_BEFORE.search(match.string, max(0, match.start() - 10),
                                                      match.start()):
        return ";"
    return "\u202f" + match.group(1)


_OTHER_REFERENCE = re.compile(r"&(?!(?:amp|lt|gt);)")


def _french_spaces(text: str) -> str:
    if "&" in text and not _OTHER_REFERENCE.search(text):
        # The rules read the characters, not the references escaping made of & < >.
        plain = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        return escape(_french_spaces_of(plain), quote=False)
    return _french_spaces_of(text)


def _french_spaces_of(text: str) -> str:
    text = _FR_HIGH.sub(_high_space, text)
    text = _FR_COLON.sub("\u00a0:", text)
    text = _FR_OPEN.sub("\u00ab\u202f", text)
    return _FR_CLOSE.sub("\u202f\u00bb", text)


def _dashes(text: str) -> str:
    text = _TRIPLE_HYPHEN.sub("\u2014", text)
    return _SPACED_HYPHEN.sub(" \u2013 ", text)


def _no_break(text: str) -> str:
    text = _INITIAL.sub(".\u00a0", text)
    return _NUMBER_ABBREV.sub(".\u00a0", text)


def _on_text(html: str, change) -> str:
    """Apply ``change`` to the text between tags, leaving ``pre`` and ``code`` alone."""
    out: list[str] = []
    skipping = 0
    for match in _TOKENS.finditer(html):
        tag, text = match.groups()
        if tag is not None:
            out.append(tag)
            skip = _SKIP_TAG.match(tag)
            if skip:
                skipping = max(0, skipping - 1) if skip.group(1) else skipping + 1
        else:
            out.append(text if skipping else change(text))
    return "".join(out)


def _char_for_ref(match: re.Match[str]) -> str:
    code = int(match.group(1))
    if code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD:
        return escape(chr(code), quote=False)
    if 0x10000 <= code <= 0x10FFFF:
        return chr(code)
    return ""
