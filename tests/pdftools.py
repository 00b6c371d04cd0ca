"""Reading written PDFs back in tests (pypdf): page texts, and lines with their height."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
