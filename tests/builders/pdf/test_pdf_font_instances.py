"""Static instances of the book face: HarfBuzz's against fontTools', and their cache key.

The HarfBuzz instance must be the font fontTools' instancer makes of the same face at
the same weight: compared table by table (glyphs, advance widths, cmap, outlines,
ligatures, no variation tables), then by what a reader sees. For that a paragraph
with ligatures, italic and bold is rendered by WeasyPrint once with each instance,
declared as the PDF builder declares it (:func:`font_face_css`), and the two PDFs
are compared by their text (pypdf), the box of every word (``pdftotext -bbox``: any
change of advance, kerning or ligature moves a word) and their pages rasterised
(``pdftoppm``: any change of outline changes pixels). A doctored instance (one
glyph 1% wider) shows that each comparison can fail.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from bookmaker.builders.pdf import instances
from bookmaker.builders.pdf.fonts import (
    REGULAR,
    find_face,
    font_face_css,
    make_static_font,
    plan_static_fonts,
)

STYLES = ("normal", "italic")

PARAGRAPH = """
<p>The office staff of the commissariat, baffled by the influx of officers, affixed
a definitive list to the office door: <i>fifty-five officers, first the efficient
ones</i>, then <b>the baffling affluent few</b>, who waffled. Wolf, Tavern, AVA, “Yes.”</p>
<p><i>Office, ffl, ffi, fj, Th.</i> <b>Office, ffl, ffi: the bold weight.</b> 1918–1921.</p>
"""


@pytest.fixture(scope="module")
def face():
    found = find_face("eb-garamond")
    if found is None:
        pytest.skip("the font package fontpkg-eb-garamond is not installed")
    return found


@pytest.fixture(scope="module")
def harfbuzz():
    hb = instances.harfbuzz()
    if hb is None:
        pytest.skip("libharfbuzz-subset (HarfBuzz ≥ 6.0, with hb_subset_input_pin_axis_location)"
                    " is not installed: instances are made with fontTools")
    return hb


@pytest.fixture(scope="module")
def made(face, harfbuzz, tmp_path_factory):
    """Per style: the HarfBuzz and the fontTools instance at weight 400, as files."""
    folder = tmp_path_factory.mktemp("instances")
    fonttools = instances.fonttools_instancer()
    result = {}
    for style in STYLES:
        source = face.files[style]
        hb_file = folder / f"{style}-hb.ttf"
        ft_file = folder / f"{style}-ft.ttf"
        assert instances.choose_instancer(source, REGULAR).name == "harfbuzz"
        instances.write_instance(source, hb_file, REGULAR)
        instances.write_instance(source, ft_file, REGULAR, fonttools)
        result[style] = (hb_file, ft_file)
    return result


def doctored(path: Path, target: Path) -> Path:
    """The font at ``path`` with the letter o 1% of an em wider."""
    font = TTFont(path)
    glyph = font.getBestCmap()[ord("o")]
    advance, lsb = font["hmtx"][glyph]
    font["hmtx"][glyph] = (advance + font["head"].unitsPerEm // 100, lsb)
    font.save(target)
    return target


# ------------------------------------------------------------ the fonts

def differences(a: Path, b: Path) -> list[str]:
    """What differs between two static fonts, as a reader of them would notice."""
    one, two = TTFont(a), TTFont(b)
    found = []
    if one.getGlyphOrder() != two.getGlyphOrder():
        found.append("glyph order")
    if one["hmtx"].metrics != two["hmtx"].metrics:
        changed = [g for g in one.getGlyphOrder() if one["hmtx"][g] != two["hmtx"][g]]
        found.append(f"hmtx of {len(changed)} glyphs, e.g. {changed[:5]}")
    cmaps = [{(t.platformID, t.platEncID): t.cmap for t in font["cmap"].tables}
             for font in (one, two)]
    if cmaps[0] != cmaps[1]:
        found.append("cmap")
    outlines = [name for name in one.getGlyphOrder() if outline(one, name) != outline(two, name)]
    if outlines:
        found.append(f"outlines of {len(outlines)} glyphs, e.g. {outlines[:5]}")
    if ligatures(one) != ligatures(two):
        found.append("ligatures")
    for tag in ("head", "hhea", "OS/2"):
        fields = ("unitsPerEm", "xMin", "yMin", "xMax", "yMax", "ascent", "descent", "lineGap",
                  "advanceWidthMax", "sTypoAscender", "sTypoDescender", "sTypoLineGap",
                  "usWinAscent", "usWinDescent", "sxHeight", "sCapHeight", "usWeightClass",
                  "yStrikeoutPosition", "yStrikeoutSize")
        for name in fields:
            if getattr(one[tag], name, None) != getattr(two[tag], name, None):
                found.append(f"{tag}.{name}")
    return found


def outline(font: TTFont, name: str):
    glyph = font["glyf"][name]
    if glyph.isComposite():
        return [(c.glyphName, c.x, c.y, c.flags, getattr(c, "transform", None))
                for c in glyph.components]
    if not glyph.numberOfContours:
        return []
    coordinates, ends, flags = glyph.getCoordinates(font["glyf"])
    # What a rasteriser reads of the flags: on or off the curve, and OVERLAP_SIMPLE on
    # the first point (HarfBuzz sets it on the first flag byte, which may repeat).
    return list(coordinates), list(ends), [f & 0x01 for f in flags], flags[0] & 0x40


def ligatures(font: TTFont) -> dict[tuple[str, ...], str]:
    """Every ligature substitution of GSUB: components → ligature glyph."""
    found = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for subtable in lookup.SubTable:
            subtable = getattr(subtable, "ExtSubTable", subtable)
            for first, sets in getattr(subtable, "ligatures", {}).items():
                for ligature in sets:
                    found.setdefault((first, *ligature.Component), ligature.LigGlyph)
    return found


@pytest.mark.parametrize("style", STYLES)
def test_harfbuzz_instance_is_fonttools_instance(made, style):
    hb_file, ft_file = made[style]
    font = TTFont(hb_file)
    assert not set(font.keys()) & set(instances.VARIATION_TABLES)
    assert {"GSUB", "GPOS", "GDEF", "cmap", "glyf", "hmtx", "name", "post"} <= set(font.keys())
    assert len(font.getGlyphOrder()) > 3000  # all glyphs kept, not a subset
    assert ("f", "f", "i") in ligatures(font)
    assert differences(hb_file, ft_file) == []


def test_the_comparison_sees_a_doctored_font(made, tmp_path):
    hb_file, ft_file = made["normal"]
    found = differences(doctored(hb_file, tmp_path / "doctored.ttf"), ft_file)
    assert found and found[0].startswith("hmtx of 1 glyphs")


# ------------------------------------------------------------ the rendering

def render(face, normal: Path, italic: Path, target: Path) -> Path:
    """The paragraph set as the PDF builder sets it: static 400, variable bold."""
    from weasyprint import HTML

    css = font_face_css(replace(face, static={"normal": normal, "italic": italic}))
    html = (f"<html lang=en><style>@page {{ size: 12cm 9cm; margin: 1cm }} {css} "
            "body { font-size: 11pt; line-height: 1.3; hyphens: none; "
            "font-variant-ligatures: common-ligatures }</style><body>"
            f"{PARAGRAPH}</body></html>")
    HTML(string=html).write_pdf(target)
    return target


def words(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    """Every word with its box, as pdftotext reads them."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [(text, *(round(float(v), 2) for v in box))
            for *box, text in re.findall(pattern, out)]


def raster_difference(a: Path, b: Path, folder: Path) -> float:
    """Share of pixels that differ between the two PDFs' first pages at 150 dpi."""
    from PIL import Image, ImageChops

    images = []
    for pdf in (a, b):
        stem = folder / pdf.stem
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-gray", "-singlefile", str(pdf),
                        str(stem)], check=True)
        images.append(Image.open(f"{stem}.png"))
    assert images[0].size == images[1].size
    diff = ImageChops.difference(images[0], images[1]).point(lambda v: 255 if v > 32 else 0)
    histogram = diff.histogram()
    return histogram[255] / (images[0].size[0] * images[0].size[1])


def pdf_text(pdf: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


@pytest.fixture(scope="module")
def rendered(face, made, tmp_path_factory):
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed")
    folder = tmp_path_factory.mktemp("rendered")
    (hb_normal, ft_normal), (hb_italic, ft_italic) = made["normal"], made["italic"]
    return {
        "harfbuzz": render(face, hb_normal, hb_italic, folder / "harfbuzz.pdf"),
        "fonttools": render(face, ft_normal, ft_italic, folder / "fonttools.pdf"),
        "doctored": render(face, doctored(hb_normal, folder / "doctored.ttf"), hb_italic,
                           folder / "doctored.pdf"),
    }


def test_both_instances_render_the_same_page(rendered, tmp_path):
    hb_pdf, ft_pdf = rendered["harfbuzz"], rendered["fonttools"]
    text = pdf_text(hb_pdf)
    assert "office" in text and "baffled" in text and "the bold weight" in text
    assert text == pdf_text(ft_pdf)
    assert len(words(hb_pdf)) > 40
    assert words(hb_pdf) == words(ft_pdf)
    assert raster_difference(hb_pdf, ft_pdf, tmp_path) == 0.0


def test_the_rendering_comparison_sees_a_doctored_font(rendered, tmp_path):
    hb_pdf, doctored_pdf = rendered["harfbuzz"], rendered["doctored"]
    assert words(hb_pdf) != words(doctored_pdf)
    assert raster_difference(hb_pdf, doctored_pdf, tmp_path) > 0.001


def test_the_page_embeds_regular_italic_and_bold(rendered):
    out = subprocess.run(["pdffonts", str(rendered["harfbuzz"])], capture_output=True,
                         text=True, check=True).stdout
    embedded = [line.split()[0].split("+")[-1] for line in out.splitlines()[2:]]
    assert sorted(embedded) == ["EB-Garamond", "EB-Garamond-Bold", "EB-Garamond-Italic"]


# ------------------------------------------------------------ the cache key

@pytest.fixture
def cache(tmp_path):
    instances.harfbuzz.cache_clear()
    yield tmp_path / "fonts"
    instances.harfbuzz.cache_clear()


def copied(face, folder: Path):
    """``face`` as another virtual environment would install it: same bytes, new paths,
    new modification times."""
    folder.mkdir(parents=True)
    files = {}
    for style, path in face.files.items():
        files[style] = folder / path.name
        shutil.copyfile(path, files[style])
        os.utime(files[style], ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    return replace(face, files=files)


def test_key_is_the_fonts_content_not_its_path(face, cache, tmp_path):
    planned = plan_static_fonts(face, cache)
    elsewhere = copied(face, tmp_path / "other-venv")
    assert elsewhere.files["normal"].stat().st_mtime_ns != face.files["normal"].stat().st_mtime_ns
    assert plan_static_fonts(elsewhere, cache).static == planned.static

    changed = copied(face, tmp_path / "changed")
    with changed.files["normal"].open("ab") as handle:
        handle.write(b"\0\0\0\0")
    replanned = plan_static_fonts(changed, cache).static
    assert replanned["normal"] != planned.static["normal"]
    assert replanned["italic"] == planned.static["italic"]


def test_key_names_the_instancer_and_the_pins(face, cache, monkeypatch):
    source = face.files["normal"]
    digest = instances.content_hash(source)
    harfbuzz = instances.Instancer("harfbuzz", "6.0.0")
    key = instances.instance_key(digest, REGULAR, harfbuzz)
    assert instances.instance_key(digest, {"wght": 400.0}, harfbuzz) == key
    assert instances.instance_key(digest, {"wght": 500}, harfbuzz) != key
    assert instances.instance_key(digest, REGULAR, instances.Instancer("harfbuzz", "8.3.0")) != key
    assert instances.instance_key(digest, REGULAR, instances.fonttools_instancer()) != key

    with_harfbuzz = plan_static_fonts(face, cache).static
    monkeypatch.setattr(instances, "harfbuzz", lambda: None)  # no libharfbuzz-subset
    assert instances.choose_instancer(source, REGULAR).name == "fonttools"
    assert plan_static_fonts(face, cache).static != with_harfbuzz


def test_content_hash_is_remembered_by_path_size_and_mtime(face, tmp_path):
    font = copied(face, tmp_path / "venv").files["normal"]
    memo = tmp_path / "hashes"
    real = instances.content_hash(font, memo)
    assert real == instances.content_hash(font)  # the SHA-256 of the bytes
    (kept,) = memo.iterdir()
    kept.write_text("f" * 64)  # as if remembered: the file is not read again
    assert instances.content_hash(font, memo) == "f" * 64
    os.utime(font, ns=(1_800_000_000_000_000_000, 1_800_000_000_000_000_000))
    assert instances.content_hash(font, memo) == real  # touched: hashed again


def test_make_static_font_writes_a_static_font(face, cache):
    planned = plan_static_fonts(face, cache)
    target = make_static_font(face.files["normal"], planned.static["normal"])
    font = TTFont(io.BytesIO(target.read_bytes()))
    assert "fvar" not in font and "gvar" not in font
    assert sorted(path.name for path in cache.glob("*.tmp")) == []


def test_pins_away_from_the_default_go_to_fonttools_below_harfbuzz_7(face, harfbuzz):
    chosen = instances.choose_instancer(face.files["normal"], {"wght": 700})
    expected = "harfbuzz" if harfbuzz.version_info >= (7, 0, 0) else "fonttools"
    assert chosen.name == expected


def test_an_older_harfbuzz_without_instancing_means_fonttools(face, harfbuzz, cache,
                                                               monkeypatch):
    main = instances._load(instances.HARFBUZZ_NAMES)

    def without_subset(names):  # a library lacking hb_subset_input_pin_axis_location
        return main

    monkeypatch.setattr(instances, "_load", without_subset)
    instances.harfbuzz.cache_clear()
    assert instances.harfbuzz() is None
    assert instances.choose_instancer(face.files["normal"], REGULAR).name == "fonttools"


def test_harfbuzz_refuses_what_is_not_a_font(harfbuzz):
    assert harfbuzz.instance(b"not a font at all" * 100, REGULAR) is None


def test_font_coverage_is_the_cmap_and_kept_by_content(tmp_path, monkeypatch):
    """The code points a face maps, as fontTools reads them, kept in the user's cache
    under the font's content: a copy elsewhere (another virtual environment) finds them."""
    import shutil

    from fontTools.ttLib import TTFont

    from bookmaker.builders.pdf import fonts

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    face = fonts.find_face("eb-garamond")
    source = face.files["normal"]
    with TTFont(source, lazy=True) as font:
        expected = frozenset(font.getBestCmap())
    fonts.font_coverage.cache_clear()
    assert fonts.font_coverage(source) == expected
    kept = list((tmp_path / "cache" / "bookmaker" / "fonts" / "coverage").iterdir())
    assert len(kept) == 1
    copy = tmp_path / "elsewhere" / source.name
    copy.parent.mkdir()
    shutil.copyfile(source, copy)
    monkeypatch.setattr(TTFont, "__init__", None)  # the copy is answered from the cache
    assert fonts.font_coverage(copy) == expected
    fonts.font_coverage.cache_clear()
