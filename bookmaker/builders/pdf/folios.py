"""Folios stamped onto assembled pages, drawn exactly as WeasyPrint draws them.

A page's folio depends on every page before it, so the sectioned book
(:mod:`.parallel.sections`) renders its groups without folios and stamps them after
assembly. To draw them with the book's own face, size and place, one small
calibration document is rendered with the volume's stylesheets: an opening, a
verso and a recto whose folios are 1234567889, 1234567890 and 1234567891. Each
calibration folio gives the text operators WeasyPrint wrote (position, font,
size, colour) and, from its ten digits, the glyph of every digit. A folio is then
the same operators with the digits' glyphs swapped and the position moved by the
width difference, as the margin box aligns it (left on versos, right on rectos,
centred on openings). Rendering a page per folio would cost WeasyPrint some 8 ms
a page; this costs microseconds.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

CALIBRATION_START = 1234567889
"""First calibration folio; the verso's 1234567890 holds every digit."""

CALIBRATION_HTML = """<!DOCTYPE html><html lang="{lang}"><body><div class="body-matter">
<article class="document body-start" id="bookmaker-calibration">
<div style="break-after: page; height: 1px"></div>
<div style="break-after: page; height: 1px"></div>
<div style="height: 1px"></div>
</article></div></body></html>"""

CALIBRATION_CSS = (
    f"@page body-start:nth(1 of body-start) {{ counter-reset: page {CALIBRATION_START} }}"
)

ALIGN = {"opening": Decimal("0.5"), "verso": Decimal(0), "recto": Decimal(1)}
"""How each margin box aligns its folio: share of a width change that moves the start."""


@dataclass
class FolioStyle:
    """How WeasyPrint drew the folio of one kind of page."""

    ctm: list[Decimal]
    """Transformation in force at the text (WeasyPrint's flip and px→pt scale)."""
    state: list[tuple[list, str]]
    """Graphics-state operators before the text (opacity, colour)."""
    tm: list[Decimal]
    """Text matrix of the calibration folio."""
    font_name: str
    font_size: Decimal
    width: Decimal
    """Width of the calibration folio, in text space units."""
    resources: object
    """The calibration page's resources (font, graphics states)."""


@dataclass
class FolioStamps:
    """Everything needed to stamp folios: a style per page kind, digit glyphs and widths."""

    styles: dict[str, FolioStyle]
    glyphs: dict[str, bytes]
    widths: dict[bytes, Decimal]
    """Advance width (per 1000 em) of each glyph code."""
    pdf: object
    """The calibration PDF (kept open: the resources live in it)."""


def calibration_pdf(renderer) -> bytes:
    """Render the calibration pages with the volume's stylesheets."""
    from weasyprint import CSS

    css = CSS(string=CALIBRATION_CSS, font_config=renderer.font_config)
    html = CALIBRATION_HTML.format(lang=renderer.volume.info.language)
    return renderer.write_bytes(renderer.lay_out_html(html, [css]))


def read_calibration(data: bytes) -> FolioStamps:
    """Read the folio operators, digit glyphs and widths from a calibration PDF."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(data))
    styles: dict[str, FolioStyle] = {}
    glyphs: dict[str, bytes] = {}
    widths: dict[bytes, Decimal] = {}
    for index, kind in enumerate(("opening", "verso", "recto")):
        page = pdf.pages[index]
        text, style = _folio_text(page)
        font = page.Resources.Font[style.font_name]
        widths.update(glyph_widths(font))
        number = str(CALIBRATION_START + index)
        codes = [text[i:i + 2] for i in range(0, len(text), 2)]
        if len(codes) != len(number):
            raise ValueError(f"calibration folio {number} drew {len(codes)} glyphs")
        glyphs.update(zip(number, codes, strict=True))
        style.width = sum(widths.get(code, Decimal(1000)) for code in codes)
        style.resources = page.Resources
        styles[kind] = style
    if len(glyphs) != 10:
        raise ValueError("calibration folios lack some digits")
    return FolioStamps(styles, glyphs, widths, pdf)


def _folio_text(page) -> tuple[bytes, FolioStyle]:
    """The last text drawn on a calibration page: the folio (the body is empty)."""
    import pikepdf

    ctm = [Decimal(1), Decimal(0), Decimal(0), Decimal(1), Decimal(0), Decimal(0)]
    stack: list[list[Decimal]] = []
    state: list[tuple[list, str]] = []
    found = None
    current = None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else ctm
            state = []
        elif op == "cm":
            ctm = _multiply([Decimal(str(x)) for x in operands], ctm)
        elif op in ("gs", "rg", "g", "k"):
            state.append((list(operands), op))
        elif op == "BT":
            current = {"ctm": ctm, "state": list(state)}
        elif op == "Tm" and current is not None:
            current["tm"] = [Decimal(str(x)) for x in operands]
        elif op == "Tf" and current is not None:
            current["font"] = (str(operands[0]), Decimal(str(operands[1])))
        elif op in ("TJ", "Tj") and current is not None:
            parts = operands[0] if op == "TJ" else [operands[0]]
            text = b"".join(bytes(p) for p in parts if isinstance(p, pikepdf.String))
            if text:
                current["text"] = text
        elif op == "ET" and current is not None:
            if "text" in current:
                found = current
            current = None
    if found is None:
        raise ValueError("no folio on a calibration page")
    font_name, size = found["font"]
    style = FolioStyle(found["ctm"], found["state"], found["tm"], font_name, size,
                       Decimal(0), None)
    return found["text"], style


def _multiply(m: list[Decimal], n: list[Decimal]) -> list[Decimal]:
    """``m`` × ``n`` for PDF matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2]


def glyph_widths(font) -> dict[bytes, Decimal]:
    """Widths of a CID font's glyphs from its /W array (two-byte codes, Identity-H)."""
    widths: dict[bytes, Decimal] = {}
    descendant = font.DescendantFonts[0]
    array = list(descendant.get("/W", []))
    i = 0
    while i < len(array):
        first = int(array[i])
        if i + 1 < len(array) and hasattr(array[i + 1], "__len__") and not isinstance(
            array[i + 1], int | Decimal
        ):
            for offset, width in enumerate(array[i + 1]):
                widths[(first + offset).to_bytes(2, "big")] = Decimal(str(width))
            i += 2
        else:
            last, width = int(array[i + 1]), Decimal(str(array[i + 2]))
            for code in range(first, last + 1):
                widths[code.to_bytes(2, "big")] = width
            i += 3
    return widths


def stamp(pdf, page, stamps: FolioStamps, kind: str, number: int, cache: dict) -> None:
    """Draw ``number`` as the folio of ``page`` (a page of ``pdf``), styled for ``kind``."""
    import pikepdf

    style = stamps.styles[kind]
    codes = [stamps.glyphs[digit] for digit in str(number)]
    width = sum(stamps.widths.get(code, Decimal(1000)) for code in codes)
    tm = list(style.tm)
    shift = (style.width - width) / 1000 * style.font_size * ALIGN[kind]
    tm[4] += shift * tm[0]
    ops = [
        pikepdf.ContentStreamInstruction([*style.ctm], pikepdf.Operator("cm")),
        *(pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(op))
          for operands, op in style.state),
        pikepdf.ContentStreamInstruction([], pikepdf.Operator("BT")),
        pikepdf.ContentStreamInstruction(tm, pikepdf.Operator("Tm")),
        pikepdf.ContentStreamInstruction([pikepdf.Name(style.font_name), style.font_size],
                                         pikepdf.Operator("Tf")),
        pikepdf.ContentStreamInstruction([pikepdf.String(b"".join(codes))],
                                         pikepdf.Operator("Tj")),
        pikepdf.ContentStreamInstruction([], pikepdf.Operator("ET")),
    ]
    folio_resources = cache.get(kind)
    if folio_resources is None:
        folio_resources = cache[kind] = pdf.copy_foreign(style.resources)
    form = pikepdf.Stream(pdf, pikepdf.unparse_content_stream(ops))
    form.Type = pikepdf.Name.XObject
    form.Subtype = pikepdf.Name.Form
    form.BBox = page.MediaBox
    form.Resources = folio_resources
    # A fixed name (add_resource would pick a random one): builds stay byte-identical.
    name = pikepdf.Name.BookmakerFolio
    # WeasyPrint shares one resource dictionary between pages: give this page its own.
    resources = pikepdf.Dictionary(page.obj.get(pikepdf.Name.Resources, pikepdf.Dictionary()))
    xobjects = pikepdf.Dictionary(resources.get(pikepdf.Name.XObject, pikepdf.Dictionary()))
    xobjects[name] = form
    resources.XObject = xobjects
    page.obj.Resources = resources
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, f"\nQ q {name} Do Q\n".encode()))


def page_labels(count: int, front_pages: int) -> list[str]:
    """Printed folios: lower-case roman for the front matter, then arabic from 1."""
    return [_roman(i + 1) if i < front_pages else str(i - front_pages + 1) for i in range(count)]


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        count, number = divmod(number, value)
        out += letters * count
    return out
