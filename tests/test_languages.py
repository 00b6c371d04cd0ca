"""Volumes in the archive's languages, from pages in their legacy encodings, end to end.

Each volume is one archive HTML page in the encoding such pages were saved in, with
a quotation in straight quotes, a note and the notes heading in its language. The
book must pass EPUBCheck with no message at all, set its PDF in a face that covers
the script (as ``pdffonts`` lists it), keep every word of the source in both the EPUB
and the PDF (as ``pdftotext`` reads it), and print the language's own quotes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import html

from bookmaker.checks.epubcheck import check_epub
from bookmaker.cli import main
from bookmaker.labels import labels_for
from bookmaker.text import join_lines, words

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdffonts") is None,
                       reason="poppler-utils (pdftotext, pdffonts) is not installed"),
    pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs Java"),
]


@dataclass(frozen=True)
class Case:
    language: str
    charset: str
    """The charset the page declares (None: undeclared)."""
    codec: str
    """What the page's bytes really are."""
    title: str
    body: list[str]
    """Paragraphs, with straight quotes as transcribers typed them; [1] calls a note."""
    notes_heading: str
    note: str
    quoted: str
    """A quotation as the language prints it."""
    face: str
    """What the PDF's script face is called in pdffonts' list."""


CASES = [
    Case("fr", "iso-8859-1", "cp1252", "Une déclaration nécessaire",
         ['Camarades, la situation est grave. "La révolution est en marche" : voilà ce '
          'que nous disons aux ouvriers et aux paysans de l’armée rouge.[1]',
          "Qui défendra la république ? Nous tous, sans exception ; pas un pas en arrière !"],
         "Notes", "Discours prononcé à Moscou en mars 1918.",
         "«\u202fLa révolution est en marche\u202f»\u00a0: voilà", "EBGaramond"),
    Case("de", "windows-1252", "cp1252", "Eine notwendige Erklärung",
         ['Genossen, die Lage ist ernst. "Die Revolution marschiert", sagen wir den '
          "Arbeitern und Bauern der Roten Armee.[1]",
          "Die Arbeiterschaft verteidigt die Sowjetrepublik gegen die Großgrundbesitzer."],
         "Anmerkungen", "Rede in Moskau, März 1918.",
         "„Die Revolution marschiert“", "EBGaramond"),
    Case("ru", "windows-1251", "cp1251", "Необходимое заявление",
         ['Товарищи, положение серьёзное. "Революция идёт вперёд", говорим мы рабочим и '
          "крестьянам Красной армии.[1]",
          "Кто защитит республику? Мы все, без исключения; ни шагу назад!"],
         "Примечания", "Речь в Москве, март 1918 года.",
         "«Революция идёт вперёд»", "EBGaramond"),
    # 镕 is GBK, outside the GB2312 the page declares.
    Case("zh", "gb2312", "gbk", "必要的声明",
         ['同志们，形势是严重的。"革命正在前进"，我们这样对红军的工人和农民说。[1]',
          "朱镕基同志说：谁来保卫共和国？我们大家，没有例外。"],
         "注释", "一九一八年三月在莫斯科的讲话。",
         "“革命正在前进”", "NotoSerifCJKSC"),
    # ① is Windows-31J (NEC row 13), outside the Shift_JIS the page declares.
    Case("ja", "Shift_JIS", "cp932", "必要な声明",
         ['同志諸君、情勢は重大である。"革命は前進している"と、我々は赤軍の労働者と農民に言う。[1]',
          "第①項：共和国を守るのは誰か。我々全員である。"],
         "注", "一九一八年三月、モスクワでの演説。",
         "「革命は前進している」", "NotoSerifCJKJP"),
    Case("ar", "windows-1256", "cp1256", "بيان ضروري",
         ['أيها الرفاق، الوضع خطير. "الثورة تتقدم إلى الأمام"، هكذا نقول للعمال والفلاحين '
          "في الجيش الأحمر.[1]",
          "من سيدافع عن الجمهورية؟ نحن جميعا، بلا استثناء."],
         "ملاحظات", "خطاب ألقي في موسكو في مارس 1918.",
         "”الثورة تتقدم إلى الأمام“", "Amiri"),
]


def archive_page(case: Case) -> bytes:
    """The page as the archive holds it: declared charset, title block, notes at the end."""
    paragraphs = "\n".join(
        "<p>" + text.replace("[1]", '<sup class="anote"><a href="#n1" name="f1">[1]</a></sup>')
        + "</p>" for text in case.body)
    page = f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html lang="{case.language}">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={case.charset}">
<title>{case.title}</title>
</head>
<body>
<h2>{case.title}</h2>
<hr>
{paragraphs}
<hr>
<h4>{case.notes_heading}</h4>
<p class="endnote"><a name="n1" href="#f1">[1]</a> {case.note}</p>
</body>
</html>
"""
    return page.encode(case.codec)


def source_words(case: Case) -> Counter:
    text = " ".join([case.title, *(p.replace("[1]", "") for p in case.body), case.note])
    return Counter(words(unicodedata.normalize("NFKC", text)))


def missing(expected: Counter, text: str) -> Counter:
    return expected - Counter(words(unicodedata.normalize("NFKC", text)))


@pytest.fixture(scope="module", params=CASES, ids=[case.language for case in CASES])
def built(request, tmp_path_factory):
    case: Case = request.param
    folder = tmp_path_factory.mktemp(case.language) / "volume"
    (folder / "texts").mkdir(parents=True)
    (folder / "texts" / "statement.htm").write_bytes(archive_page(case))
    (folder / "volume.toml").write_text(
        f'[volume]\ntitle = "{case.title}"\nauthors = ["Leon Trotsky"]\n'
        f'language = "{case.language}"\ndocuments = ["texts/statement.htm"]\n', "utf-8")
    out = folder.parent / "out"
    assert main(["build", str(folder), "-o", str(out), "--check", "--no-cache"]) == 0
    return case, out / "volume.epub", out / "volume.pdf"


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        name = next(n for n in book.namelist() if n.endswith("statement.xhtml"))
        return html.fromstring(book.read(name)).text_content()


def test_the_epub_passes_epubcheck_without_a_message(built):
    _case, epub, _pdf = built
    assert check_epub(epub) == []


def test_the_epub_holds_every_word_and_the_languages_quotes(built):
    case, epub, _pdf = built
    text = epub_text(epub)
    assert missing(source_words(case), text) == Counter()
    assert case.quoted in text
    # The page's notes heading is not left in the body: the book prints its own.
    assert text.count(labels_for(case.language)["notes"]) == 1
    if case.notes_heading != labels_for(case.language)["notes"]:
        assert case.notes_heading not in text
    assert "\ufffd" not in text


def test_the_pdf_is_set_in_a_face_for_its_script(built):
    case, _epub, pdf = built
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                             check=True).stdout
    names = [line.split()[0].split("+")[-1].replace("-", "") for line in
             listing.splitlines()[2:]]
    assert any(name.startswith(case.face) for name in names), listing


def test_the_pdf_holds_every_word(built):
    case, _epub, pdf = built
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    joined = join_lines(text.splitlines())
    lost = missing(source_words(case), joined)
    if case.language == "ar":
        # pdftotext cuts some Arabic words where Amiri's glyphs leave a gap ('الجمهور ية');
        # the page shows them whole. Look for those letters with the spaces taken out.
        squeezed = re.sub(r"\s+", "", unicodedata.normalize("NFKC", joined))
        lost = Counter({word: n for word, n in lost.items() if word not in squeezed})
    assert lost == Counter()
