"""Faces per script: a Chinese, Arabic or mixed book is set in faces that cover it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bookmaker.builders.pdf import fonts as pdf_fonts
from bookmaker.checks.pdf import pdf_fonts as embedded_fonts
from bookmaker.cli import main
from bookmaker.text import words
from tests.pdftools import pdf_page_texts

ZH = "革命正在前进，全体同志到前线去。工人和农民的红军是在战斗中建立起来的，它保卫着苏维埃共和国。"
AR = ("الثورة تتقدم إلى الأمام، وعلى جميع الرفاق التوجه إلى الجبهة. لقد بني الجيش الأحمر "
      "للعمال والفلاحين في المعركة، وهو يدافع عن الجمهورية السوفيتية.")
RU = "Революция в опасности! Все на фронт."


def volume(folder: Path, language: str, title: str, body: str) -> Path:
    (folder / "texts").mkdir(parents=True)
    (folder / "texts" / "a.md").write_text(f"---\ntitle: {title}\n---\n\n{body}\n", "utf-8")
    (folder / "volume.toml").write_text(
        f'[volume]\ntitle = "{title}"\nauthors = ["Trotsky"]\nlanguage = "{language}"\n'
        'documents = ["texts/a.md"]\n', "utf-8")
    return folder


def build_pdf(folder: Path, out: Path, caplog) -> Path:
    assert main(["build", str(folder), "-f", "pdf", "-o", str(out)]) == 0
    assert not [r for r in caplog.records if "stands in" in r.getMessage()
                or "no glyph" in r.getMessage()]
    return next(out.glob("*.pdf"))


def families(pdf: Path) -> set[str]:
    return {font.bare_name.replace("-", "").split("Italic")[0] for font in embedded_fonts(pdf)}


def test_chinese_book_is_set_in_noto_serif_cjk_sc(tmp_path, caplog):
    pdf = build_pdf(volume(tmp_path / "zh", "zh-Hans", "必要的声明", ZH), tmp_path / "out", caplog)
    names = {font.bare_name for font in embedded_fonts(pdf)}
    assert any(name.startswith("Noto-Serif-CJK-SC") for name in names), names
    text = words(" ".join(pdf_page_texts(pdf)))
    body = words(ZH)
    assert " ".join(body) in " ".join(text)  # every character, in order


def test_traditional_chinese_and_japanese_take_their_own_glyph_forms():
    assert pdf_fonts.cjk_variant("zh-Hant") == "TC"
    assert pdf_fonts.cjk_variant("zh-TW") == "TC"
    assert pdf_fonts.cjk_variant("zh-HK") == "HK"
    assert pdf_fonts.cjk_variant("ja") == "JP"
    assert pdf_fonts.cjk_variant("zh") == "SC"


def test_arabic_book_is_set_in_amiri(tmp_path, caplog):
    pdf = build_pdf(volume(tmp_path / "ar", "ar", "بيان ضروري", AR), tmp_path / "out", caplog)
    assert "Amiri" in families(pdf)
    text = " ".join(pdf_page_texts(pdf))
    assert "الجمهورية" in text or "ةيروهمجلا" in text  # extracted in either order


def test_mixed_english_and_russian_keeps_the_book_face(tmp_path, caplog):
    body = f"Trotsky wrote to the soldiers: «{RU}» And they went."
    pdf = build_pdf(volume(tmp_path / "en", "en", "An Order", body), tmp_path / "out", caplog)
    assert families(pdf) == {"EBGaramond"}, families(pdf)


def test_mixed_english_and_chinese_adds_the_cjk_face_after_the_book_face(tmp_path, caplog):
    body = f"The slogan read {ZH} in the original."
    pdf = build_pdf(volume(tmp_path / "en", "en", "A Slogan", body), tmp_path / "out", caplog)
    assert {"EBGaramond", "NotoSerifCJKSC"} <= families(pdf), families(pdf)
    face = pdf_fonts.with_script_faces(pdf_fonts.find_face("eb-garamond"), ["Latin", "Han"],
                                       "en")
    css = pdf_fonts.font_face_css(face)
    assert 'font-family: "EB Garamond", "Noto Serif CJK SC", serif' in css


def test_no_cjk_face_is_one_line_naming_the_package(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pdf_fonts, "system_face", lambda script, family: None)
    folder = volume(tmp_path / "zh", "zh-Hans", "必要的声明", ZH)
    assert main(["build", str(folder), "-f", "pdf", "-o", str(tmp_path / "out")]) == 6
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "fonts-noto-cjk" in error
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))


@pytest.mark.skipif(shutil.which("fc-match") is None, reason="fontconfig's fc-match missing")
def test_devanagari_has_a_face_or_says_which_to_install(caplog):
    face = pdf_fonts.with_script_faces(pdf_fonts.find_face("eb-garamond"), ["Devanagari"], "hi")
    families_found = [script.family for script in face.script_faces]
    said = " ".join(r.getMessage() for r in caplog.records)
    assert families_found == ["Noto Serif Devanagari"] or "fonts-noto-core" in said


def folio_positions(pdf: Path) -> dict[int, tuple[float, float]]:
    """Page index → (x of the running head's folio, page width), from the text drawn."""
    from pypdf import PdfReader

    found = {}
    for index, page in enumerate(PdfReader(pdf).pages):
        height = float(page.mediabox.height)
        spots = []

        def visit(text, cm, tm, font, size, spots=spots, height=height):
            y = cm[5] + tm[5] * cm[3]
            if text.strip().isdigit() and y > height * 0.85:  # in the head
                spots.append(cm[4] + tm[4] * cm[0])

        page.extract_text(visitor_text=visit)
        if spots:
            found[index] = (spots[0], float(page.mediabox.width))
    return found


def test_right_to_left_book_opens_on_the_right(tmp_path, caplog):
    from pypdf import PdfReader

    body = "\n\n".join([AR] * 60)  # several pages, so that heads and folios show
    pdf = build_pdf(volume(tmp_path / "ar", "ar", "بيان ضروري", body), tmp_path / "out", caplog)
    reader = PdfReader(pdf)
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/Direction"] == "/R2L"
    labels = reader.page_labels
    first = labels.index("1")
    assert first % 2 == 0  # the body opens on a recto: physical pages 1, 3, 5 …
    folios = folio_positions(pdf)
    verso, recto = first + 1, first + 2  # pages 2 and 3 of the body carry heads
    assert labels[verso] == "2" and labels[recto] == "3"
    # A right-to-left book's verso is the right-hand page: its folio is at the right edge;
    # its recto the left-hand one, folio at the left.
    x, width = folios[verso]
    assert x > width / 2
    x, width = folios[recto]
    assert x < width / 2


def test_left_to_right_book_keeps_its_sides(tmp_path, caplog):
    from pypdf import PdfReader

    body = "\n\n".join(["The revolution is on the march, and all comrades go to the front. "
                        "The Red Army of workers and peasants was built in battle."] * 60)
    pdf = build_pdf(volume(tmp_path / "en", "en", "An Order", body), tmp_path / "out", caplog)
    reader = PdfReader(pdf)
    assert "/ViewerPreferences" not in reader.trailer["/Root"]
    first = reader.page_labels.index("1")
    folios = folio_positions(pdf)
    x, width = folios[first + 1]  # the verso, a left-hand page
    assert x < width / 2


def test_a_document_in_another_language_is_set_with_its_lang(tmp_path):
    from bookmaker.builders.pdf.context import book_context
    from bookmaker.builders.pdf.render import render_html
    from bookmaker.pipeline import load_volume

    folder = volume(tmp_path / "en", "en", "Orders", "The revolution is on the march.")
    (folder / "texts" / "b.md").write_text(
        "---\ntitle: Befehl\n---\n\nDie Arbeiterunterstützungskommission tagt.\n", "utf-8")
    manifest = folder / "volume.toml"
    manifest.write_text(manifest.read_text("utf-8").replace(
        '"texts/a.md"]', '"texts/a.md", { path = "texts/b.md", language = "de" }]'), "utf-8")
    book = load_volume(folder)
    html = render_html(book, "book.html", book_context(book, None))
    assert html.count('lang="de"') == 1 and '<html lang="en">' in html
    german = html[html.index('lang="de"'):]
    assert "Arbeiterunterstützungskommission" in german
