"""Finish a rendered XHTML page for the EPUB: parse it, add EPUB semantics, serialize.

Parsing every page as XML also proves it well-formed before it goes into the
book, so a broken fragment from a reader is reported with its document rather
than as an EPUBCheck error later.
"""

from __future__ import annotations

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS}}}type"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


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


def finish_page(text: str) -> bytes:
    """The rendered page ``text`` as finished XHTML bytes (UTF-8, XML declaration)."""
    try:
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MarkupError(str(exc)) from None
    mark_noterefs(root)
    inline_note_labels(root)
    return etree.tostring(
        root.getroottree(), encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>"
    )


def finish_xml(text: str) -> bytes:
    """A non-XHTML XML file (the NCX) checked for well-formedness and serialized."""
    try:
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise MarkupError(str(exc)) from None
    return etree.tostring(root.getroottree(), encoding="utf-8", xml_declaration=True)
