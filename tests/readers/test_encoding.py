"""Decoding bytes the way browsers do."""

from __future__ import annotations

import codecs

import pytest

from bookmaker.errors import DocumentError
from bookmaker.readers.encoding import decode, normalize_label, sniff_html_charset

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


# ------------------------------------------------- the archive's legacy encodings

# Real sentences, long enough to judge by, as the archive's pages hold them.
SENTENCES = {
    "pl": "Proletariusze wszystkich krajów, łączcie się! Rewolucja październikowa "
          "zwyciężyła; żołnierze, robotnicy i chłopi świętują źródło swej siły.",
    "cs": "Proletáři všech zemí, spojte se! Dělníci a rolníci převzali moc v říjnu; "
          "ať žije sovětská republika a její čestné vojsko.",
    "ru": "Пролетарии всех стран, соединяйтесь! Рабочие и крестьяне создали Красную "
          "армию, чтобы защитить революцию от белогвардейцев и интервентов.",
    "uk": "Пролетарі всіх країн, єднайтеся! Робітники і селяни України захищають "
          "свою їхню землю від ворогів революції.",
    "el": "Προλετάριοι όλων των χωρών, ενωθείτε! Οι εργάτες και οι αγρότες "
          "υπερασπίζονται την επανάσταση.",
    "tr": "Bütün ülkelerin işçileri, birleşin! Işçiler ve köylüler devrimi savunuyor; "
          "ağır günlerde güçlü kaldılar.",
    "he": "פועלי כל הארצות, התאחדו! הפועלים והאיכרים מגינים על המהפכה.",
    "ar": "يا عمال العالم، اتحدوا! العمال والفلاحون يدافعون عن الثورة ضد أعدائها.",
    # Windows-1256 has no Farsi yeh: pages of its day wrote the Arabic one.
    "fa": "کارگران جهان متحد شويد! کارگران و دهقانان از انقلاب دفاع می‌کنند.".replace(
        "ی", "ي"),
    "lt": "Visų šalių proletarai, vienykitės! Darbininkai ir valstiečiai gina "
          "revoliuciją nuo priešų; žemė ūkininkams.",
    "th": "กรรมกรทั้งหลายจงรวมกัน คนงานและชาวนาปกป้องการปฏิวัติ",
    "zh": "全世界无产者，联合起来！工人和农民组织了红军，保卫革命的成果。",
    "zh-Hant": "全世界無產者，聯合起來！工人和農民組織了紅軍，保衛革命的成果。",
    "ja": "万国の労働者、団結せよ！労働者と農民は赤軍を組織し、革命を守った。",
    "ko": "만국의 노동자여, 단결하라! 노동자와 농민은 혁명을 지켰다.",
}

UNDECLARED = [
    ("pl", "cp1250"), ("pl", "iso8859_2"), ("cs", "cp1250"), ("ru", "cp1251"),
    ("ru", "koi8_r"), ("ru", "cp866"), ("uk", "cp1251"), ("uk", "koi8_u"), ("el", "cp1253"),
    ("el", "iso8859_7"), ("tr", "cp1254"), ("he", "cp1255"), ("ar", "cp1256"),
    ("fa", "cp1256"), ("lt", "cp1257"), ("th", "cp874"), ("zh", "gb18030"), ("zh", "gbk"),
    ("zh-Hant", "big5"), ("ja", "shift_jis"), ("ja", "euc_jp"), ("ko", "euc_kr"),
]


@pytest.mark.parametrize(("language", "codec"), UNDECLARED)
def test_an_undeclared_legacy_page_reads_whole_in_its_language(language, codec):
    sentence = SENTENCES[language]
    warnings: list[str] = []
    text, _ = decode(sentence.encode(codec) + b"\n", language=language, warnings=warnings)
    assert text == sentence + "\n"
    assert warnings == []


@pytest.mark.parametrize(("language", "codec"), [("pl", "cp1250"), ("ru", "cp1251"),
                                                 ("zh", "gbk"), ("ja", "shift_jis")])
def test_a_legacy_page_in_a_volume_of_another_language_still_reads(language, codec):
    # A Polish or Russian page in an English volume: the detector's guess wins.
    sentence = SENTENCES[language] * 3
    text, _ = decode(sentence.encode(codec), language="en")
    assert text == sentence


@pytest.mark.parametrize(("label", "sentence", "codec"), [
    # 镕 and 喆 are GBK, not GB2312; browsers read gb2312 pages as GBK.
    ("gb2312", "朱镕基和陶喆都来了，工人们欢迎他们。", "gbk"),
    ("GB2312", "全世界无产者，联合起来！", "gbk"),
    # ① and ㈱ are Windows-31J (NEC row 13), not Shift_JIS.
    ("Shift_JIS", "第①章　㈱赤軍出版の記録。", "cp932"),
    ("x-sjis", "労働者と農民は革命を守った。", "cp932"),
    # 㗎 is a Hong Kong (HKSCS) character outside Big5.
    ("big5", "我哋係工人㗎，唔怕。", "big5hkscs"),
    # 똠 is in Unified Hangul Code (cp949), not in EUC-KR.
    ("euc-kr", "똠방각하와 노동자들.", "cp949"),
    ("ks_c_5601-1987", "만국의 노동자여, 단결하라!", "cp949"),
    ("koi8-r", "Красная армия", "koi8_r"),
    ("iso-8859-8-i", "פועלי כל הארצות", "iso8859_8"),
    ("tis-620", "กรรมกรทั้งหลายจงรวมกัน", "cp874"),
])
def test_declared_labels_read_as_browsers_read_them(label, sentence, codec):
    warnings: list[str] = []
    text, _ = decode(sentence.encode(codec), declared=label, warnings=warnings)
    assert text == sentence
    assert warnings == []


def test_a_page_saved_again_as_utf8_under_its_old_declaration_reads_as_utf8():
    warnings: list[str] = []
    text, used = decode("Retour à la révolution".encode(), declared="iso-8859-1",
                        warnings=warnings)
    assert (text, used) == ("Retour à la révolution", "utf-8")
    assert "bytes are UTF-8" in warnings[0]


def test_a_wrong_declaration_gives_way_to_the_encoding_that_reads_the_bytes():
    sentence = SENTENCES["zh"]
    warnings: list[str] = []
    text, used = decode(sentence.encode("gbk"), declared="shift_jis", language="zh",
                        warnings=warnings)
    assert text == sentence and used == "gb18030"
    assert "does not match" in warnings[0]


def test_undecodable_bytes_are_counted_in_a_warning():
    warnings: list[str] = []
    data = "労働者".encode("cp932") + b"\x85\xff" + "農民".encode("cp932")
    text, _ = decode(data, declared="shift_jis", language="ja", warnings=warnings)
    assert text.startswith("労働者") and text.endswith("農民")
    assert any("undecodable byte" in w and "U+FFFD" in w for w in warnings)


@pytest.mark.parametrize(("label", "codec"), [
    ("gb2312", "gb18030"), ("GBK", "gb18030"), ("big5", "big5hkscs"),
    ("shift_jis", "cp932"), ("euc-kr", "cp949"), ("windows-1251", "cp1251"),
    ("latin1", "cp1252"), ("utf8", "utf-8"), ("iso-2022-kr", "iso2022_kr"),
])
def test_labels_map_to_the_codecs_browsers_use(label, codec):
    assert normalize_label(label) == codec
