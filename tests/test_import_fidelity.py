"""A saved mirror in the archive's variety, imported and built: not one word lost.

The mirror holds pages with each note form, a page of two documents, a layout-table
page, pages in windows-1251 and GBK (declared gb2312), and an index that lists them in
parts. After ``bookmaker import`` and ``bookmaker build --check``, every word of every
page's body and notes (its furniture aside) is in the EPUB and in the PDF, in order.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import html

from bookmaker.cli import main
from bookmaker.readers.common import is_notes_heading
from bookmaker.text import join_lines, words
from tests.readers.test_note_forms import FORMS, ORDERS, in_order, page

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("java") is None,
                                 reason="needs poppler-utils and Java")]

LAYOUT = """<html><head><title>Lenin Internet Archive</title></head><body>
<table width="100%"><tr><td width="15%"><a href="../index.htm">Index</a></td><td>
<h2>The Tasks of the Proletariat</h2>
<p>Comrades, the revolution has entered its second stage. The power has passed into the
hands of the bourgeoisie, and the tasks of the proletariat are now these, without delay.</p>
<p class="date">April 7, 1917</p>
</td></tr></table></body></html>"""

RUSSIAN = """<html lang="ru"><head><meta http-equiv="Content-Type"
content="text/html; charset=windows-1251"><title>Приказ</title></head><body>
<h2>Приказ по армии</h2>
<p>Товарищи красноармейцы! Республика в опасности, и каждый из вас должен стоять до
конца.<sup><a href="#n1" name="r1">1</a></sup></p>
<h3>Примечания</h3>
<p><a name="n1" href="#r1">1.</a> Приказ был прочитан во всех частях.</p>
<p><a href="index.htm">Назад</a> | <a href="../index.htm">Содержание</a></p>
</body></html>"""

CHINESE = """<html lang="zh"><head><meta charset="gb2312"><title>命令</title></head><body>
<h2>给第五军的命令</h2>
<p>同志们，共和国处在危险之中，朱镕基同志说，每个人都必须坚持到底〔1〕。</p>
<h3>注释</h3>
<p>〔1〕这个命令在各部队宣读。</p>
<p><a href="index.htm">返回</a> | <a href="../index.htm">目录</a></p>
</body></html>"""

INDEX = """<html><head><title>Leon Trotsky: How the Revolution Armed</title></head><body>
<p class="title">The Military Writings of<br>Leon Trotsky</p>
<h3>Volume 1, 1918</h3>
<h2>How the Revolution Armed</h2>
<table>
<tr><td>NOTES IN EVERY FORM</td></tr>
{forms}
<tr><td>ORDERS AND TRANSLATIONS</td></tr>
<tr><td><a href="orders.htm#o1">Order No. 31</a></td></tr>
<tr><td><a href="orders.htm#o2">Order No. 32</a></td></tr>
<tr><td><a href="layout.htm">The Tasks of the Proletariat</a></td></tr>
<tr><td><a href="prikaz.htm">Приказ по армии</a></td></tr>
<tr><td><a href="mingling.htm">给第五军的命令</a></td></tr>
</table></body></html>"""


def mirror(root: Path) -> tuple[Path, dict[str, bytes]]:
    folder = root / "archive" / "trotsky" / "military"
    folder.mkdir(parents=True)
    pages = {f"form-{n}.htm": page(body, title=f"Order Number {n}")
             for n, body in enumerate(FORMS.values(), start=1)}
    pages.update({"orders.htm": ORDERS, "layout.htm": LAYOUT.encode(),
                  "prikaz.htm": RUSSIAN.encode("cp1251"), "mingling.htm": CHINESE.encode("gbk")})
    for name, data in pages.items():
        (folder / name).write_bytes(data)
    forms = "\n".join(f'<tr><td><a href="form-{n}.htm">Order Number {n}</a></td></tr>'
                      for n in range(1, len(FORMS) + 1))
    (folder / "index.htm").write_text(INDEX.format(forms=forms), "utf-8")
    return folder, pages


def source_words(data: bytes, charset: str) -> list[str]:
    """The words of a page's body and notes, its furniture (volume header, notes heading,
    navigation) aside."""
    root = html.fromstring(data.decode(charset))
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        furniture = (
            "title" in (el.get("class") or "").split()
            or (el.tag in ("h3", "h4") and is_notes_heading(el.text_content()))
            or (el.tag == "p" and el.find("a[@href='index.htm']") is not None)
            or (el.tag == "td" and el.get("width") == "15%"))
        if furniture:
            el.getparent().remove(el)
    return words(" ".join(root.find("body").itertext()))


def test_an_imported_mirror_builds_clean_and_keeps_every_word(tmp_path):
    folder, pages = mirror(tmp_path)
    volume = tmp_path / "volume"
    assert main(["import", str(folder / "index.htm"), "-o", str(volume)]) == 0
    assert main(["build", str(volume), "-o", str(tmp_path / "out"), "--check",
                 "--no-cache"]) == 0
    with zipfile.ZipFile(tmp_path / "out" / "volume.epub") as book:
        spine = [n for n in book.namelist() if n.startswith("EPUB/text/") and n.endswith(".xhtml")
                 and not n.endswith(("nav.xhtml", "cover.xhtml", "titlepage.xhtml",
                                     "imprint.xhtml"))]
        epub_words = words(" ".join(
            " ".join(html.fromstring(book.read(name)).itertext()) for name in sorted(spine)))
    assert len([n for n in spine if "part" not in n]) == len(FORMS) + 5  # orders.htm: two
    pdf = subprocess.run(["pdftotext", str(tmp_path / "out" / "volume.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    pdf_words = words(join_lines(pdf.splitlines()))
    charsets = {"prikaz.htm": "cp1251", "mingling.htm": "gbk"}
    for name, data in pages.items():
        expected = source_words(data, charsets.get(name, "utf-8"))
        assert len(expected) > 10, name
        if name == "orders.htm":  # two documents, each followed by its own notes
            assert Counter(expected) - Counter(epub_words) == Counter(), name
            assert Counter(expected) - Counter(pdf_words) == Counter(), name
            continue
        assert in_order(expected, epub_words) == [], name
        assert in_order(expected, pdf_words) == [], name
