"""Bytes → text, the way browsers decide an archive page's encoding.

Order: byte-order mark, then the declared charset, then UTF-8 if the bytes are
valid UTF-8, then detection. A declared label is read through the WHATWG label
table (webencodings), so labels mean what they mean in a browser: ISO-8859-1,
latin-1 and ASCII are windows-1252 (archive pages declared ISO-8859-1 hold
0x91–0x94 curly quotes), Shift_JIS is Windows-31J, EUC-KR is Unified Hangul Code,
Big5 is Big5-HKSCS, and gb2312 and GBK are read as GB18030 — the supersets the
mislabelled pages were really written in.

Detection weighs candidates: the legacy encodings of the document's language,
charset-normalizer's guess and windows-1252, each decoded and scored by how many
bytes did not decode, how many of its letters belong to the language's alphabet
(taken from CLDR's names in that language, through Babel) and how few capitals sit
inside words (KOI8-R read as windows-1251 turns case around).

The text returned has LF line ends and no character XML forbids, so nothing a
reader builds from it can break an XHTML serializer.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections import Counter

import webencodings
from charset_normalizer import from_bytes

from bookmaker.errors import DocumentError
from bookmaker.scripts import char_script

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# Python codecs for WHATWG encodings that Python names differently or reads narrower.
_SUPERSETS = {"gbk": "gb18030", "gb2312": "gb18030", "big5": "big5hkscs",
              "shift_jis": "cp932", "euc_kr": "cp949", "latin_1": "cp1252", "ascii": "cp1252",
              "iso8859_15": "cp1252", "iso8859_9": "cp1254", "iso8859_11": "cp874",
              "tis_620": "cp874"}

# Legacy encodings the archive's pages were written in, by language (first most likely).
_LEGACY = {
    "cp1250 iso8859_2": "pl cs sk hu sl hr bs sq",
    "cp1250 iso8859_16 iso8859_2": "ro",
    "cp1251 koi8_r iso8859_5 cp866 mac_cyrillic": "ru bg sr mk kk ky tg mn",
    "cp1251 koi8_u iso8859_5 cp866": "uk be",
    "cp1253 iso8859_7": "el",
    "cp1254": "tr az ku",
    "cp1255 iso8859_8": "he yi",
    "cp1256 iso8859_6": "ar fa ur ps sd ug",
    "cp1257 iso8859_13 iso8859_4": "lt lv et",
    "cp1258": "vi",
    "cp874": "th",
    "gb18030 big5hkscs": "zh",
    "cp932 euc_jp": "ja",
    "cp949": "ko",
}
_LEGACY_BY_LANGUAGE = {
    language: codecs_.split() for codecs_, languages in _LEGACY.items()
    for language in languages.split()
}
_TRADITIONAL = re.compile(r"^zh-(hant|tw|hk|mo)\b")

# Control bytes that do not occur in text (TAB, LF, FF, CR and ESC excepted).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_NON_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)

BINARY_CONTROL_SHARE = 0.05
"""Above this share of control bytes a file is taken for binary, not text."""

# Characters XML 1.0 forbids, plus C1 controls (legal but never meant in a book).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


def strip_non_xml(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (and C1 controls)."""
    return _NOT_XML.sub("", text)


def sniff_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first kilobytes (meta or XML declaration)."""
    head = data[:4096]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def normalize_label(label: str) -> str | None:
    """The Python codec a browser reads an encoding label with; None if unknown."""
    label = label.strip()
    found = webencodings.lookup(label)
    if found is None:
        return None
    if found.name == "replacement":  # ISO-2022-KR, HZ…: browsers refuse, Python reads them
        try:
            return codecs.lookup(label).name
        except LookupError:
            return None
    name = codecs.lookup(found.codec_info.name).name.replace("-", "_")
    if name in ("utf_8", "utf_16_le", "utf_16_be"):
        return name.replace("_", "-")
    return _SUPERSETS.get(name, name)


def decode(
    data: bytes,
    declared: str | None = None,
    path: str | None = None,
    warnings: list[str] | None = None,
    language: str | None = None,
) -> tuple[str, str]:
    """Decode ``data`` as a browser would; return the text and the encoding used.

    ``language`` (BCP 47) says which legacy encodings to weigh when nothing is
    declared. ``warnings`` collects what had to be guessed or replaced (and is logged
    by the caller). Raises :class:`DocumentError` for empty or binary input.
    """
    notes = warnings if warnings is not None else []
    if not data or not data.strip():
        raise DocumentError("document is empty; give the file some text or remove it", path)
    text, encoding = _decode_bytes(data, declared, notes, path, language)
    replaced = text.count("\ufffd") if encoding != "utf-8" else 0
    if replaced:
        notes.append(f"{replaced} undecodable byte{'s' if replaced > 1 else ''} "
                     f"(read as {encoding}) replaced with U+FFFD")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _NOT_XML.sub("", text)
    if not text.strip():
        raise DocumentError("document is empty; give the file some text or remove it", path)
    return text, encoding


def _decode_bytes(data: bytes, declared: str | None, notes: list[str], path: str | None,
                  language: str | None) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace"), name
    _refuse_binary(data, notes, path)
    codec = normalize_label(declared) if declared else None
    if declared and codec is None:
        notes.append(f"unknown declared charset '{declared}'; detecting the encoding")
    utf8 = _utf8(data)
    if codec and not codec.startswith("utf"):
        if utf8 is not None and not data.isascii():
            # Saved again as UTF-8 with the old declaration kept: a browser would show
            # mojibake, but no legacy text is valid UTF-8 by chance.
            notes.append(f"declared charset '{declared}' but the bytes are UTF-8; read as UTF-8")
            return utf8, "utf-8"
        text = _decode_single(data, codec)
        if "\ufffd" not in text:
            return text, codec
        best, text_best = _best_candidate(data, language, first=codec)
        if best != codec:
            notes.append(f"declared charset '{declared}' does not match the bytes; "
                         f"read as {best}")
        return text_best, best
    if utf8 is not None:
        return utf8, "utf-8"
    if codec:
        notes.append(f"declared charset '{declared}' does not match the bytes; detecting")
    best, text = _best_candidate(data, language)
    return text, best


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _refuse_binary(data: bytes, notes: list[str], path: str | None) -> None:
    sample = data[: 1 << 20]
    controls = len(sample.translate(None, _NON_CONTROL))  # delete the rest, count these
    nuls = sample.count(0)
    if controls > BINARY_CONTROL_SHARE * len(sample) and controls > 2:
        raise DocumentError(
            "not a text document (it holds binary control bytes); "
            "check the file is a transcription saved as text or HTML",
            path,
        )
    if nuls:
        notes.append("NUL bytes removed")


def _decode_single(data: bytes, codec: str) -> str:
    # windows-1252 leaves five bytes undefined; browsers map them to C1 controls,
    # which are then removed, so dropping them is the same.
    errors = "ignore" if codec == "cp1252" else "replace"
    return data.decode(codec, errors=errors)


# --------------------------------------------------------------- detection

SAMPLE_BYTES = 1 << 16
"""Candidates are scored on the first 64 KiB: thousands of letters, in a tenth of a second."""


def candidates(language: str | None, data: bytes) -> list[str]:
    """Encodings to weigh for undeclared ``data`` in ``language``, most likely first."""
    tag = (language or "").lower().replace("_", "-")
    found = list(_LEGACY_BY_LANGUAGE.get(tag.split("-")[0], []))
    if _TRADITIONAL.match(tag):
        found.reverse()  # Big5 before GB18030
    found.append("cp1252")  # wins ties: the archive's commonest legacy encoding
    best = from_bytes(data[:SAMPLE_BYTES]).best()
    if best is not None and not best.encoding.startswith(("utf_16", "utf_32")):
        found.append(_SUPERSETS.get(best.encoding, best.encoding))
    return list(dict.fromkeys(found))


def _best_candidate(data: bytes, language: str | None,
                    first: str | None = None) -> tuple[str, str]:
    """The candidate whose reading scores highest, and the whole text read with it."""
    sample = data[:SAMPLE_BYTES]
    alphabet, scripts = _alphabet(language or "")
    options = [first] if first else []
    options += [c for c in candidates(language, data) if c != first]
    scored = []
    for order, codec in enumerate(options):
        try:
            text = sample.decode(codec, errors="replace")
        except LookupError:
            continue
        scored.append((_score(text, alphabet, scripts), -order, codec))
    codec = max(scored)[2]
    return codec, _decode_single(data, codec)


def _score(text: str, alphabet: frozenset[str], scripts: frozenset[str]) -> float:
    """How much ``text`` reads like the language: the higher, the likelier.

    Counted over distinct characters and pairs, so a 64 KiB sample costs milliseconds."""
    counts = Counter(text)
    chars = letters = errors = known = in_script = latin = ascii_letters = 0
    for char, n in counts.items():
        if char.isascii():
            ascii_letters += n if char.isalpha() else 0
            continue
        if _is_punctuation(char):
            continue
        chars += n
        if char == "\ufffd":
            errors += n
        if char.isalpha():
            letters += n
            known += n if char.lower() in alphabet else 0
            script = char_script(char)
            in_script += n if script in scripts else 0
            latin += n if script == "Latin" else 0
    if not chars:
        return 1.0
    # Latin text made mostly of accented letters is Cyrillic, Greek or Arabic bytes read
    # as windows-1252 ('Ïðîëåòàðèè'); even Vietnamese stays under half.
    overload = max(0.0, latin / max(ascii_letters + letters, 1) - 0.5) * 3
    return (letters + known + in_script) / chars - _in_word_capitals(text, letters) \
        - overload - 10 * errors / chars


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PZ" or "\u2000" <= char <= "\u206f"


def _in_word_capitals(text: str, letters: int) -> float:
    """Share of non-ASCII letters that are capitals following a small letter (KOI8-R
    read as windows-1251, and the reverse, turn case around)."""
    if not letters:
        return 0.0
    capitals = sum(
        n for (before, char), n in Counter(zip(text, text[1:], strict=False)).items()
        if not char.isascii() and char.isupper() and before.islower()
    )
    return capitals / letters


@functools.lru_cache(maxsize=64)
def _alphabet(language: str) -> tuple[frozenset[str], frozenset[str]]:
    """The letters the language writes and their scripts, as CLDR's names of languages,
    countries, months and days in that language use them; empty for a language CLDR
    lacks."""
    from bookmaker.labels import cldr_locale

    locale = cldr_locale(language) if language else None
    if locale is None:
        return frozenset(), frozenset()
    words = [*locale.languages.values(), *locale.territories.values(),
             *locale.months["format"]["wide"].values(), *locale.days["format"]["wide"].values()]
    letters = [c for c in "".join(words).lower() if c.isalpha()]
    counts = Counter(char_script(c) for c in letters)
    scripts = {script for script, count in counts.items() if count >= 0.1 * len(letters)}
    return frozenset(letters), frozenset(scripts)
