"""Checks of a print PDF: on the laid-out pages before writing, and on the written file.

WeasyPrint can stop a long book early without an error (issues #2798, #2100) and
misplace footnotes (#1564, #2502), so the builder renders, inspects the pages with
these functions, and only then writes the file. Results are
:class:`~bookmaker.checks.messages.Message` data; the builder decides what fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bookmaker.checks.messages import Message
from bookmaker.model import Document

HYPHENATION_MARKS = ("\u2010", "\u00ad")
"""What WeasyPrint adds at a hyphenated line end (hyphenate-character, soft hyphen)."""

SKIPPED_CLASSES = {"noteref", "noteref-repeat"}
"""Inline elements left out of page text: note calls are not words of the text."""

LAST_WORDS = 6
"""How many final words of the book must be found on its pages."""

_WORD = re.compile(r"\w+(?:['’]\w+)*")
# Han and kana are written without spaces, and a line may break between any two of them:
# each counts as a word of its own, so that where the lines broke does not matter.
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                       "\U00020000-\U0003134f]")


@dataclass
class RenderedPage:
    """What one laid-out page shows, taken from WeasyPrint's boxes."""

    index: int
    """Physical page index, from 0."""
    lines: list[str] = field(default_factory=list)
    """Lines of the main text area, in order (note calls left out)."""
    footnotes: list[str] = field(default_factory=list)
    """Lines of the footnote area."""
    margins: list[str] = field(default_factory=list)
    """Texts of the margin boxes: running heads and folios."""
    anchors: set[str] = field(default_factory=set)
    """Ids of the elements that start on this page."""

    @property
    def text(self) -> str:
        """The main text with hyphenated line ends joined."""
        return join_lines(self.lines)


# ------------------------------------------------------------------ text


def join_lines(lines: Iterable[str]) -> str:
    """Join lines into one string: hyphenated breaks closed up, other breaks made spaces."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out.endswith(HYPHENATION_MARKS):
            out = out[:-1] + line
        elif out.endswith(("-", "\u2014", "/")) or not out:
            out += line
        else:
            out += " " + line
    return out


def words(text: str) -> list[str]:
    """Lower-case words of ``text``, punctuation dropped (typographic apostrophes kept)."""
    if _UNSPACED.search(text):
        text = _UNSPACED.sub(r" \g<0> ", text)
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def rendered_pages(document) -> list[RenderedPage]:
    """The text, margin texts and anchors of every page of a rendered WeasyPrint Document."""
    from weasyprint.formatting_structure import boxes

    pages = []
    for index, page in enumerate(document.pages):
        rendered = RenderedPage(index=index, anchors=set(page.anchors))
        for child in page._page_box.children:
            if isinstance(child, boxes.MarginBox):
                text = " ".join(_lines(child, boxes)).strip()
                if text:
                    rendered.margins.append(text)
            elif isinstance(child, boxes.FootnoteAreaBox):
                rendered.footnotes.extend(_lines(child, boxes))
            else:
                rendered.lines.extend(_lines(child, boxes))
        pages.append(rendered)
    return pages


def _lines(box, boxes) -> list[str]:
    """Text of each line box under ``box``, depth first."""
    if isinstance(box, boxes.LineBox):
        return ["".join(_inline_text(box, boxes))]
    found = []
    for child in getattr(box, "children", ()):
        found.extend(_lines(child, boxes))
    return found


def _inline_text(box, boxes) -> list[str]:
    if isinstance(box, boxes.TextBox):
        return [box.text]
    if _skipped(box):
        return []
    parts = []
    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.InlineBlockBox | boxes.BlockLevelBox):
            parts.append(" " + " ".join(_lines(child, boxes)) + " ")
        else:
            parts.extend(_inline_text(child, boxes))
    return parts


def _skipped(box) -> bool:
    tag = box.element_tag or ""
    if tag.endswith(("::footnote-call", "::footnote-marker")):
        return True
    element = box.element
    if element is None or "::" in tag:
        return False
    classes = set((element.get("class") or "").split())
    return bool(classes & SKIPPED_CLASSES)


def anchor_pages(pages: list[RenderedPage]) -> dict[str, int]:
    """Physical page index of every anchor (first occurrence)."""
    found: dict[str, int] = {}
    for page in pages:
        for anchor in page.anchors:
            found.setdefault(anchor, page.index)
    return found


# ---------------------------------------------------------------- checks


def check_complete(
    documents: list[Document], pages: list[RenderedPage], file: str | None = None
) -> list[Message]:
    """Errors when the rendering stopped early: too few pages, a title or the last words missing."""
    messages = []
    if len(pages) < len(documents):
        messages.append(Message(
            "PDF-001", "error", file, None,
            f"the PDF has {len(pages)} pages for {len(documents)} documents: "
            "WeasyPrint stopped early; run with -v to see its log",
        ))
    where = anchor_pages(pages)
    for doc in documents:
        title = " ".join(words(doc.title))
        page = where.get(doc.id)
        if page is None or title not in " ".join(words(pages[page].text)):
            messages.append(Message(
                "PDF-002", "error", doc.source_path, None,
                f"the document '{doc.title}' does not open on any rendered page: the rendering "
                "stopped early or lost it (WeasyPrint issues #2798, #2100)",
            ))
    tail = last_words(documents)
    last_doc = next((doc for doc in reversed(documents) if doc.words), None)
    if tail and last_doc is not None:
        start = where.get(last_doc.id, len(pages))
        text = " ".join(words(" ".join(page.text for page in pages[start:])))
        if " ".join(tail) not in text:
            messages.append(Message(
                "PDF-003", "error", last_doc.source_path, None,
                f"the book's last words ('… {' '.join(tail)}') are not in the rendered PDF: "
                "WeasyPrint stopped early (issues #2798, #2100)",
            ))
    return messages


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


def last_words(documents: list[Document], count: int = LAST_WORDS) -> list[str]:
    """The final words of the last document that has a body."""
    for doc in reversed(documents):
        for block in reversed(doc.blocks):
            found = words(block.text)
            if found:
                return found[-count:]
    return []


def check_footnotes(
    documents: list[Document],
    pages: list[RenderedPage],
    file: str | None = None,
    labels: list[str] | None = None,
) -> list[Message]:
    """Warnings for footnotes printed on another page than their call (WeasyPrint #1564, #2502).

    The builder gives each footnote its note's id and puts its call's id on an empty
    span just before it, so both positions are page anchors. Pages are named by
    ``labels`` (the printed folios) when given, else by their number in the file.
    """
    where = anchor_pages(pages)

    def name(index: int) -> str:
        return labels[index] if labels and index < len(labels) else str(index + 1)

    messages = []
    for doc in documents:
        for note in doc.notes:
            if not note.ref_ids or note.id not in where:
                continue
            call_page = where.get(note.ref_ids[0])
            note_page = where[note.id]
            if call_page is not None and call_page != note_page:
                messages.append(Message(
                    "PDF-010", "warning", doc.source_path, None,
                    f"footnote {note.label} of '{doc.title}' is printed on page {name(note_page)} "
                    f"but called on page {name(call_page)}; consider notes = \"endnotes\"",
                ))
    return messages


# ------------------------------------------------------- the written file


@dataclass(frozen=True)
class PdfFont:
    """A font as the PDF names it."""

    name: str
    """BaseFont without the slash, e.g. 'ABCDEF+EBGaramond-Regular'."""
    embedded: bool
    """A FontFile, FontFile2 or FontFile3 stream is present."""

    @property
    def subset(self) -> bool:
        """The name carries a subset tag: six capitals and '+'."""
        return bool(re.match(r"^[A-Z]{6}\+", self.name))

    @property
    def bare_name(self) -> str:
        """The name without its subset tag, e.g. 'EB-Garamond-Italic'."""
        return self.name.split("+", 1)[-1]

    def is_face(self, prefix: str) -> bool:
        """True when this is the face ``prefix`` ('EBGaramond'), ignoring spaces and dashes."""
        squeeze = re.sub(r"[^A-Za-z0-9]", "", self.bare_name).lower()
        return squeeze.startswith(re.sub(r"[^A-Za-z0-9]", "", prefix).lower())


def pdf_fonts(pdf: Path | bytes) -> list[PdfFont]:
    """Every font used on the pages of ``pdf`` (a path or the bytes), once each.

    pikepdf rather than pypdf: the sectioned book checks every group it renders, and
    pypdf took a fifth of a second a group.
    """
    import io

    import pikepdf

    found: dict[str, PdfFont] = {}
    with pikepdf.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as document:
        for page in document.pages:
            fonts = page.obj.get("/Resources", {}).get("/Font")
            if not fonts:
                continue
            for _, font in fonts.items():
                descendants = font.get("/DescendantFonts")
                target = descendants[0] if descendants else font
                name = str(target.get("/BaseFont") or font.get("/BaseFont") or "").lstrip("/")
                descriptor = target.get("/FontDescriptor") or {}
                embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2",
                                                             "/FontFile3"))
                found.setdefault(name, PdfFont(name, embedded))
    return list(found.values())


def check_fonts(pdf: Path | bytes, family_prefix: str | tuple[str, ...] | None,
                file: str | None = None) -> list[Message]:
    """Every font embedded and subset; warnings for fonts other than the book faces."""
    prefixes = (family_prefix,) if isinstance(family_prefix, str) else family_prefix or ()
    messages = []
    for font in pdf_fonts(pdf):
        if not font.embedded:
            messages.append(Message(
                "PDF-020", "error", file, None,
                f"font {font.name} is not embedded; printers reject such files",
            ))
        elif not font.subset:
            messages.append(Message("PDF-021", "warning", file, None,
                                    f"font {font.name} is embedded whole, not subset"))
        if prefixes and not any(font.is_face(prefix) for prefix in prefixes):
            messages.append(Message(
                "PDF-022", "warning", file, None,
                f"font {font.bare_name} stands in for the book face ({prefixes[0]}) somewhere: "
                "a character the face lacks, or a style it does not have",
            ))
    return messages


def pdf_page_texts(path: Path) -> list[str]:
    """The text of every page of the PDF at ``path`` (pypdf), one string per page."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


@dataclass(frozen=True)
class PdfLine:
    """A line of text on a written PDF page, with its baseline measured from the page top."""

    top: float
    """Baseline distance from the top of the page (MediaBox), in points."""
    text: str


def pdf_page_lines(path: Path) -> list[list[PdfLine]]:
    """Lines of every page with their height on the page (pypdf), to tell heads from text."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(path).pages:
        height = float(page.mediabox.top)
        chunks: list[tuple[float, float, float, str]] = []

        def visit(text, cm, tm, _font, size, chunks=chunks, height=height):
            if not text.strip():
                return
            # Text matrix × current matrix: position in user space, y then from the top.
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            em = abs(size * tm[0] * cm[0]) or 10.0
            chunks.append((round(height - y, 1), x, em, text.replace("\n", "")))

        page.extract_text(visitor_text=visit)
        lines: list[PdfLine] = []
        end = 0.0
        for top, x, em, text in chunks:
            if lines and abs(lines[-1].top - top) < 1:
                # Same baseline: a new style run, or another margin box further along.
                gap = " " if x - end > 1.5 * em else ""
                lines[-1] = PdfLine(lines[-1].top, lines[-1].text + gap + text)
            else:
                lines.append(PdfLine(top, text))
            end = x + 0.5 * em * len(text)
        pages.append(lines)
    return pages
