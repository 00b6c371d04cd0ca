"""Finish a rendered XHTML page for the EPUB: parse it, add EPUB semantics, serialize.

Parsing every page as XML also proves it well-formed before it goes into the
book, so a broken fragment from a reader is reported with its document rather
than as an EPUBCheck error later.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from bookmaker.markup import xml_parser

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS}}}type"



class MarkupError(ValueError):
    """A rendered page is not well-formed XML."""


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def _is(element: etree._Element, tag: str, cls: str) -> bool:
    return element.tag == f"{{{XHTML}}}{tag}" and cls in _classes(element)


def mark_noterefs(root: etree._Element) -> int:
    """Give the model's note calls (``a.noteref``) their EPUB 3 type and ARIA role."""
    count = 0
    for anchor in root.iter(f"{{{XHTML}}}a"):
        if "noteref" in _classes(anchor):
            anchor.set(EPUB_TYPE, "noteref")
            anchor.set("role", "doc-noteref")
            count += 1
    return count


def _move_into(inline: etree._Element, block: etree._Element, at_start: bool) -> None:
    """Move ``inline`` (with a separating space) into ``block``, first or last."""
    parent = inline.getparent()
    # Keep whatever text followed the inline where it was.
    previous = inline.getprevious()
    if inline.tail and inline.tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + inline.tail
        else:
            parent.text = (parent.text or "") + inline.tail
    parent.remove(inline)
    if at_start:
        inline.tail = " " + (block.text or "").lstrip()
        block.text = None
        block.insert(0, inline)
    else:
        inline.tail = None
        children = list(block)
        if children:
            children[-1].tail = (children[-1].tail or "").rstrip() + " "
        else:
            block.text = (block.text or "").rstrip() + " "
        block.append(inline)


def inline_note_labels(root: etree._Element) -> None:
    """Put each note's label into its first paragraph and extra backlinks into its last.

    The template writes them beside the note's blocks; inside the paragraphs they
    read as '3 Krasnov was …' in a pop-up instead of a lone number on its own line.
    """
    for item in root.iter(f"{{{XHTML}}}li"):
        if "note" not in _classes(item):
            continue
        blocks = [child for child in item if child.tag == f"{{{XHTML}}}p"]
        if not blocks:
            continue
        labels = [c for c in item if _is(c, "a", "note-label") or _is(c, "span", "note-label")]
        if labels and item.index(labels[0]) < item.index(blocks[0]):
            _move_into(labels[0], blocks[0], at_start=True)
        for backlink in [c for c in item if _is(c, "a", "note-backlink")]:
            if item.index(backlink) > item.index(blocks[-1]):
                _move_into(backlink, blocks[-1], at_start=False)


def _unwrap(element: etree._Element) -> None:
    """Remove ``element`` but keep its text and children in place."""
    parent = element.getparent()
    index = parent.index(element)
    text = element.text or ""
    children = list(element)
    tail = element.tail or ""
    if children:
        children[-1].tail = (children[-1].tail or "") + tail
    else:
        text += tail
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)


def unlink_dangling(root: etree._Element) -> list[str]:
    """Unwrap links to fragments the page does not hold; return their hrefs.

    Archive pages link to anchors on other pages that are not in the book; such
    a link would only lead nowhere (and EPUBCheck reports it as an error).
    """
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    dropped = []
    for anchor in list(root.iter(f"{{{XHTML}}}a")):
        href = anchor.get("href") or ""
        if href.startswith("#") and href[1:] not in ids:
            dropped.append(href)
            _unwrap(anchor)
    return dropped


def replace_images(root: etree._Element, new_src) -> tuple[list[str], int, int]:
    """Point each ``img`` at ``new_src(src)``; drop it when that is None.

    Returns the sources dropped, the images kept and how many of those lack alt text.
    """
    dropped, kept, without_alt = [], 0, 0
    for image in list(root.iter(f"{{{XHTML}}}img")):
        src = image.get("src") or ""
        target = new_src(src) if src else None
        if target is not None:
            image.set("src", target)
            kept += 1
            if not (image.get("alt") or "").strip():
                image.set("alt", image.get("alt") or "")
                without_alt += 1
            continue
        dropped.append(src)
        parent = image.getparent()
        previous = image.getprevious()
        text = image.tail or ""
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(image)
    return dropped, kept, without_alt


@dataclass
class FinishedPage:
    """A page ready for the package, and what finishing it found."""

    data: bytes
    """The XHTML as UTF-8 with an XML declaration."""
    problems: list[str] = field(default_factory=list)
    """What had to be dropped (images not found, links to nothing), for warnings."""
    images: int = 0
    """Images shown on the page."""
    images_without_alt: int = 0
    """Of those, images without alternative text."""


def finish_page(text: str, new_src=None) -> FinishedPage:
    """Parse the rendered page ``text``, add EPUB semantics, and serialize it.

    ``new_src(src)`` gives the packaged path of an image (None drops it); without
    it images are left as they are.
    """
    try:
        root = etree.fromstring(text.encode("utf-8"), xml_parser())
    except etree.XMLSyntaxError as exc:
        raise MarkupError(str(exc)) from None
    mark_noterefs(root)
    inline_note_labels(root)
    page = FinishedPage(b"")
    if new_src is not None:
        dropped, page.images, page.images_without_alt = replace_images(root, new_src)
        page.problems += [
            f"image '{src}' not found in the volume folder, or not a JPEG, PNG, GIF or WebP "
            "file; left out" for src in dropped
        ]
    page.problems += [
        f"link to '{href}' leads to nothing in this document; kept as plain text"
        for href in unlink_dangling(root)
    ]
    page.data = etree.tostring(
        root.getroottree(), encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>"
    )
    return page


def finish_xml(text: str) -> bytes:
    """A non-XHTML XML file (the NCX) checked for well-formedness and serialized."""
    try:
        root = etree.fromstring(text.encode("utf-8"), xml_parser())
    except etree.XMLSyntaxError as exc:
        raise MarkupError(str(exc)) from None
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True)
