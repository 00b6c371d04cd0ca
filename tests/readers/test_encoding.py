"""Decoding bytes the way browsers do."""

from __future__ import annotations

import codecs

import pytest

from bookmaker.encoding import decode, normalize_label, sniff_html_charset
from bookmaker.errors import DocumentError

PHRASE = "the workers\u2019 and peasants\u2019 army \u2013 \u201cforward\u201d \u2014 1918"
CP1252 = PHRASE.encode("cp1252")


def test_windows_1252_bytes_without_declaration():
    text, used = decode(b"On " + CP1252 + b"\n")
    assert text == "On " + PHRASE + "\n"
    assert used == "cp1252"
    assert "\u00e2\u20ac" not in text  # no mojibake ("â€")


@pytest.mark.parametrize("label", ["ISO-8859-1", "latin-1", "us-ascii", "windows-1252"])
def test_latin1_and_ascii_labels_mean_windows_1252(label):
    text, used = decode(CP1252, declared=label)
    assert text == PHRASE
    assert used == "cp1252"


def test_utf8_without_declaration():
    text, used = decode(PHRASE.encode("utf-8"))
    assert (text, used) == (PHRASE, "utf-8")


def test_declared_utf8_that_is_not_falls_back_with_a_warning():
    warnings: list[str] = []
    text, used = decode(CP1252, declared="utf-8", warnings=warnings)
    assert text == PHRASE
    assert used == "cp1252"
    assert warnings and "does not match" in warnings[0]


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_byte_order_mark_wins_over_declaration(bom, codec):
    text, used = decode(bom + PHRASE.encode(codec), declared="iso-8859-1")
    assert (text, used) == (PHRASE, codec)


def test_declared_cyrillic_encoding_is_honoured():
    text, used = decode("Красная армия".encode("cp1251"), declared="windows-1251")
    assert text == "Красная армия"
    assert used == "cp1251"


def test_line_ends_and_nul_bytes():
    warnings: list[str] = []
    text, _ = decode(b"one\r\ntwo\rthree\x00\nfour", warnings=warnings)
    assert text == "one\ntwo\nthree\nfour"
    assert any("NUL" in w for w in warnings)


def test_xml_forbidden_characters_are_removed():
    text, _ = decode(b"a\x0bb\x1fc \xc2\x85d \xef\xbf\xbf")
    assert text == "abc d "


@pytest.mark.parametrize("data", [b"", b"   ", b"\n\r\n\t"])
def test_empty_document(data):
    with pytest.raises(DocumentError, match="document is empty"):
        decode(data, path="texts/x.txt")


def test_binary_garbage_is_not_a_text_document():
    with pytest.raises(DocumentError, match="not a text document") as info:
        decode(bytes(range(32)) * 100 + b"some text", path="texts/x.bin")
    assert info.value.path == "texts/x.bin"


def test_sniff_html_charset():
    assert sniff_html_charset(
        b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    ) == "iso-8859-1"
    assert sniff_html_charset(b'<meta charset="UTF-8">') == "UTF-8"
    assert sniff_html_charset(b'<?xml version="1.0" encoding="windows-1251"?><html>') == (
        "windows-1251"
    )
    assert sniff_html_charset(b"<html><body>no declaration") is None


def test_normalize_label():
    assert normalize_label("ISO-8859-1") == "cp1252"
    assert normalize_label("utf8") == "utf-8"
    assert normalize_label("no-such-charset") is None
