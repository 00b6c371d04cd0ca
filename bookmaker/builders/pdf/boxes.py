"""What WeasyPrint laid out, read from its boxes: the one module that touches them.

Why here: ``Page._page_box`` and the box classes are WeasyPrint's private API, and
the builder needs them to check a render before writing it (WeasyPrint can stop a
long book early without an error, #2798, #2100; misplace footnotes, #1564, #2502),
to find where each page's text begins (the EPUB's page list) and where a long
document's chunks fall. Everything that reads boxes goes through these functions,
so a WeasyPrint release that changes them is met in one place.
"""

from __future__ import annotations

from bookmaker.checks.pdf import RenderedPage

SKIPPED_CLASSES = {"noteref", "noteref-repeat"}
"""Inline elements left out of page text: note calls are not words of the text."""


def page_box(page):
    """The root box of a laid-out page (WeasyPrint's private ``_page_box``)."""
    return page._page_box


def box_classes():
    """WeasyPrint's box classes (``weasyprint.formatting_structure.boxes``)."""
    from weasyprint.formatting_structure import boxes

    return boxes


def rendered_pages(document) -> list[RenderedPage]:
    """The text, margin texts and anchors of every page of a rendered WeasyPrint Document."""
    boxes = box_classes()

    pages = []
    for index, page in enumerate(document.pages):
        rendered = RenderedPage(index=index, anchors=set(page.anchors))
        for child in page_box(page).children:
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
