"""The contents' page numbers stamped into a front matter rendered before the body.

The contents give each document's first page, which the sectioned book knows only
once every group is rendered; rendered then, the front matter (a second or more for
a long contents, its dot leaders the most of it) was the last thing the book waited
for. But in the built-in print style a contents folio is set apart
(``.toc-folio { position: absolute }``): its text moves no line and no page. So the
front matter is rendered at once, beside the groups, with the same placeholder
number ``1234567890`` for every document; once the groups' page counts are known,
each placeholder's glyphs are swapped for the real number's, as the body's folios
are stamped (:mod:`..folios`): the placeholder holds every digit's glyph of that
face, size and figure style, and the font's widths give how far the number moves to
stay aligned right. The text, its order on the page and the fonts are then those of
a front matter rendered with the numbers. A volume with its own print styles or
templates, or a placeholder not found as expected, gets the front matter rendered
with the numbers, after the body, as before.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from bookmaker.builders.pdf.context import BookContext
from bookmaker.builders.pdf.folios import glyph_widths
from bookmaker.model import Volume
from bookmaker.templating import find_style_file, styles_dir

PLACEHOLDER = "1234567890"
"""Every contents folio of the early front matter: all ten digits, once each."""


def can_stamp(volume: Volume) -> bool:
    """True when the contents folios cannot move anything: the built-in print style and
    templates (a volume's own may set the folio in the line, where its width counts)."""
    root = Path(volume.root)
    print_css = find_style_file("print.css", root, volume.settings.pdf.style)
    return (print_css == styles_dir() / "default" / "print.css"
            and not (root / "templates" / "pdf").exists())


def placeholder_folios(context: BookContext) -> dict[str, str]:
    """``toc_folios`` for the early front matter: the placeholder for every part and
    document of the body (the parts' entries show no number, only link by it)."""
    folios = {part.id: PLACEHOLDER for part in context.parts}
    folios.update({piece.id: PLACEHOLDER for part in context.parts for piece in part.documents})
    return folios


def entry_order(context: BookContext) -> list[str]:
    """The ids of the contents entries that show a body folio, in the order drawn."""
    return [piece.id for part in context.parts for piece in part.documents]


def stamp_contents(pdf_bytes: bytes, order: list[str], folios: dict[str, int]) -> bytes | None:
    """The front matter's PDF with the ``order``-th placeholder showing ``folios[id]``;
    None when the placeholders are not exactly one per entry (render it with numbers)."""
    import pikepdf

    if any(entry not in folios for entry in order):
        return None
    pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    pages = []  # (page, operations, the placeholders: (TJ/Tj, its Tm, its Tf) indices)
    codes: bytes | None = None
    found = 0
    for page in pdf.pages:
        ops = list(pikepdf.parse_content_stream(page))
        texts, tm_at, tf_at = {}, -1, -1
        for i, (operands, op) in enumerate(ops):  # one pass: each text's Tm and Tf
            name = str(op)
            if name in ("TJ", "Tj"):
                texts[i] = (_glyphs(operands, name), tm_at, tf_at)
            elif name == "Tm":
                tm_at = i
            elif name == "Tf":
                tf_at = i
        if codes is None:
            codes = _placeholder_codes(text for text, _, _ in texts.values())
        hits = [(i, tm, tf) for i, (text, tm, tf) in texts.items()
                if codes is not None and text == codes]
        pages.append((page, ops, hits))
        found += len(hits)
    if codes is None or found != len(order):
        pdf.close()
        return None
    glyphs = {digit: codes[2 * i:2 * i + 2] for i, digit in enumerate(PLACEHOLDER)}
    numbers = iter(str(folios[entry]) for entry in order)
    widths: dict = {}  # per font object: its glyph widths, read once
    for page, ops, hits in pages:
        if not hits:
            continue
        for index, tm_at, tf_at in hits:
            _swap(page, ops, (index, tm_at, tf_at), glyphs, next(numbers), widths)
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    pdf.close()
    return out.getvalue()


def _glyphs(operands, op: str) -> bytes:
    import pikepdf

    parts = operands[0] if op == "TJ" else [operands[0]]
    return b"".join(bytes(part) for part in parts if isinstance(part, pikepdf.String))


def _placeholder_codes(texts) -> bytes | None:
    """The placeholder's glyph codes: a text of ten distinct two-byte glyphs that the
    page draws most often (a contents page draws it once per entry)."""
    counts: dict[bytes, int] = {}
    for text in texts:
        if len(text) == 2 * len(PLACEHOLDER) and len({text[i:i + 2]
                                                     for i in range(0, len(text), 2)}) == 10:
            counts[text] = counts.get(text, 0) + 1
    return max(counts, key=counts.get) if counts else None


def _swap(page, ops: list, at: tuple[int, int, int], glyphs: dict[str, bytes], number: str,
          fonts: dict) -> None:
    """Draw ``number`` instead of the placeholder at ``ops[index]`` (``at``: its index and
    those of the ``Tm`` and ``Tf`` before it), right-aligned where the placeholder ended
    (its ``Tm`` moved by the difference in width). ``fonts`` keeps each font's widths."""
    import pikepdf

    index, tm_at, tf_at = at
    font_name, size = ops[tf_at][0]
    font = page.Resources.Font[str(font_name)]
    key = font.objgen if font.is_indirect else id(font)
    if key not in fonts:
        fonts[key] = glyph_widths(font)
    widths = fonts[key]
    old = _glyphs(ops[index][0], str(ops[index][1]))
    new = b"".join(glyphs[digit] for digit in number)

    def width(text: bytes) -> Decimal:
        return sum((widths.get(text[i:i + 2], Decimal(1000)) for i in range(0, len(text), 2)),
                   Decimal(0))

    tm = [Decimal(str(value)) for value in ops[tm_at][0]]
    tm[4] += (width(old) - width(new)) / 1000 * Decimal(str(size)) * tm[0]
    ops[tm_at] = pikepdf.ContentStreamInstruction(tm, pikepdf.Operator("Tm"))
    ops[index] = pikepdf.ContentStreamInstruction([pikepdf.Array([pikepdf.String(new)])],
                                                  pikepdf.Operator("TJ"))
