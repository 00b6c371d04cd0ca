"""Bytes → text, the way browsers decide an archive page's encoding.

Order: byte-order mark, then the declared charset, then UTF-8 if the bytes are
valid UTF-8, then detection (charset-normalizer), defaulting to windows-1252.
ISO-8859-1, latin-1 and ASCII are read as windows-1252, as browsers do: archive
pages declared ISO-8859-1 hold 0x91–0x94 curly quotes and 0x96/0x97 dashes.

The text returned has LF line ends and no character XML forbids, so nothing a
reader builds from it can break an XHTML serializer.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from bookmaker.errors import DocumentError

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# Labels browsers treat as windows-1252 (WHATWG Encoding Standard).
_WINDOWS_1252_LABELS = {
    "ascii", "us-ascii", "ansi_x3.4-1968", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",
    "latin-1", "l1", "cp1252", "windows-1252", "x-cp1252", "cp819", "ibm819", "iso-ir-100",
    "csisolatin1",
}

# Detector answers that mean "some Western single-byte page": read those as windows-1252.
_WESTERN_GUESSES = {
    "ascii", "latin_1", "cp1252", "iso8859_15", "iso8859_2", "iso8859_3", "iso8859_4",
    "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_16", "cp1250", "cp1254",
    "cp1257", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish", "cp850", "cp437",
    "cp858", "cp860", "cp861", "cp863", "cp865", "hp_roman8", "cp037", "cp500", "cp1140",
    "cp273", "kz1048", "ptcp154", "cp1125", "cp775", "cp852", "cp857", "cp862", "cp864",
    "cp869", "cp737", "cp855", "cp866", "mac_greek", "mac_cyrillic",
}

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
    """The Python codec for an encoding label, windows-1252 for its aliases; None if unknown."""
    label = label.strip().lower()
    if label in _WINDOWS_1252_LABELS:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode(
    data: bytes,
    declared: str | None = None,
    path: str | None = None,
    warnings: list[str] | None = None,
) -> tuple[str, str]:
    """Decode ``data`` as a browser would; return the text and the encoding used.

    ``warnings`` collects what had to be guessed or dropped (and is logged by the
    caller). Raises :class:`DocumentError` for empty or binary input.
    """
    notes = warnings if warnings is not None else []
    if not data or not data.strip():
        raise DocumentError("document is empty; give the file some text or remove it", path)
    text, encoding = _decode_bytes(data, declared, notes, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _NOT_XML.sub("", text)
    if not text.strip():
        raise DocumentError("document is empty; give the file some text or remove it", path)
    return text, encoding


def _decode_bytes(
    data: bytes, declared: str | None, notes: list[str], path: str | None
) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, errors="replace"), name
    _refuse_binary(data, notes, path)
    codec = normalize_label(declared) if declared else None
    if declared and codec is None:
        notes.append(f"unknown declared charset '{declared}'; detecting the encoding")
    if codec and codec not in ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32"):
        return _decode_single(data, codec), codec
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        if codec:
            notes.append(f"declared charset '{declared}' does not match the bytes; detecting")
    return _detect(data)


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


def _detect(data: bytes) -> tuple[str, str]:
    best = from_bytes(data[: 1 << 20]).best()
    guess = best.encoding if best is not None else None
    if guess is None or guess in _WESTERN_GUESSES:
        return _decode_single(data, "cp1252"), "cp1252"
    return data.decode(guess, errors="replace"), guess
