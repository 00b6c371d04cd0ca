"""Checks of a print PDF: on the laid-out pages before writing, and on the written file.

The laid-out pages come as :class:`RenderedPage` data, read from WeasyPrint's boxes by
:mod:`bookmaker.builders.pdf.boxes`; the written file is read with pikepdf.

WeasyPrint can stop a long book early without an error (issues #2798, #2100) and
misplace footnotes (#1564, #2502), so the builder renders, inspects the pages with
these functions, and only then writes the file. Results are
:class:`~bookmaker.checks.messages.Message` data; the builder decides what fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bookmaker.checks.messages import Message
from bookmaker.model import Document
from bookmaker.text import join_lines, words

LAST_WORDS = 6
"""How many final words of the book must be found on its pages."""



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
