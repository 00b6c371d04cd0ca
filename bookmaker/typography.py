"""Typographic punctuation for inline HTML: curly quotes, dashes, ellipses, no-break spaces.

Quotes, ``--`` and ``...`` are left to the ``smartypants`` library, which works on
HTML and skips tags and ``pre``/``code``; its output is turned into Unicode
characters, never entities, so the result stays valid XHTML. Before it, ``---``
becomes an em dash and a hyphen standing between spaces an en dash, as English
publishing sets a spaced dash. Only text between tags is ever changed.
"""

from __future__ import annotations

import re
from html import escape, unescape

import smartypants

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
_TRIPLE_HYPHEN = re.compile(r"(?<!-)---(?!-)")
_SPACED_HYPHEN = re.compile(r" -(?<=[^\s-] -) (?=[^\s-])")
# Anchored on the full stop, then lookarounds: fast, and each match is replaced by a literal.
_INITIAL = re.compile(r"\.(?<=\b[A-Z]\.)[ \n](?=[A-Z])")
_NUMBER_ABBREV = re.compile(
    r"\.(?:(?<=\b[Nn]o\.)|(?<=\b[Nn]os\.)|(?<=\bp\.)|(?<=\bpp\.)|(?<=\b[Vv]ol\.))[ \n](?=\d)"
)
_SKIP_TAG = re.compile(r"<(/?)(pre|code)\b", re.IGNORECASE)
# Everything smartypants acts on: quotes and backticks, "--", "..." and ". . .",
# backslash escapes and entities. Text without any of them is left as it is, and
# checking is a hundred times cheaper than the library's dozen passes: most archive
# paragraphs are already typographic, and smartypants was half of reading them.
_SMARTY_WORK = re.compile(r"[\"'`\\&]|--|\.\.|\. \.")


def smarten_html(html: str, settings: TypographySettings | None = None) -> str:
    """Apply the typography ``settings`` (all on by default) to an inline or block fragment."""
    settings = settings or TypographySettings()
    if not settings.smart_quotes and not settings.nbsp:
        return html
    if settings.smart_quotes:
        html = _on_text(html, _dashes)
        if _SMARTY_WORK.search(html):
            html = smartypants.smartypants(html, _SMARTY)
            html = _NUMERIC_REF.sub(_char_for_ref, html)
    if settings.nbsp:
        html = _on_text(html, _no_break)
    return html


def smarten_text(text: str, settings: TypographySettings | None = None) -> str:
    """The same for plain text (no markup): returns plain text."""
    return unescape(smarten_html(escape(text, quote=False), settings))


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
