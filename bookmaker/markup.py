"""Operations on the model's XHTML that readers and builders share (no I/O).

Blocks and notes hold well-formed XHTML fragments (:mod:`bookmaker.model`). Here is
the one parser they are read back with, the one way to serialise an element's
content, and cutting an over-long paragraph between sentences, which both the
EPUB (files readers can open) and the PDF (lines WeasyPrint can break) need.
"""

from __future__ import annotations

import re
import threading
from html import escape

from lxml import etree

from bookmaker.model import Block

_PARSERS = threading.local()


def xml_parser() -> etree.XMLParser:
    """The parser the model's XHTML is read back with: no entities resolved, nothing
    fetched; huge_tree: a 50 MB document is one tree. One per thread: an lxml parser must
    not be shared between threads (a Dask worker or ``watch`` runs builds in threads)."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(resolve_entities=False, no_network=True,
                                                   huge_tree=True)
    return parser

_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+")
_SPACE = re.compile(r"\s+")


def parse_fragment(html: str) -> etree._Element:
    """Parse an XHTML fragment inside a ``div``; raises ValueError if it is not well formed."""
    try:
        return etree.fromstring(f"<div>{html}</div>", xml_parser())
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XHTML: {exc}") from exc


def inner_xhtml(element: etree._Element) -> str:
    """The content of ``element`` (text and children) as XHTML."""
    parts = [escape_text(element.text or "")]
    parts += [to_xhtml_block(child) for child in element]
    return "".join(parts)


def inner_html(element: etree._Element) -> str:
    """The content of an element of an HTML tree (text and children) as HTML: for markup
    that an HTML parser reads next (the sanitizer, WeasyPrint), where XML's self-closed
    ``<a id="x"/>`` would open an element that swallows the text after it."""
    from lxml import html as lxml_html

    return escape(element.text or "", quote=False) + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in element)


def to_xhtml_block(element: etree._Element, with_tail: bool = True) -> str:
    """One element (and its tail text) serialized as XHTML without namespaces."""
    if not isinstance(element.tag, str):  # comments, processing instructions
        return escape_text(element.tail or "") if with_tail else ""
    return etree.tostring(element, method="xml", encoding="unicode", with_tail=with_tail)


def escape_text(text: str) -> str:
    """Text escaped for XHTML element content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def byte_size(html: str) -> int:
    """Bytes of ``html`` in UTF-8, as reading systems count a file's size."""
    return len(html.encode("utf-8"))


def _runs(text: str, pattern: re.Pattern[str]) -> list[str]:
    """``text`` cut after each match of ``pattern``."""
    runs, start = [], 0
    for match in pattern.finditer(text):
        runs.append(text[start:match.end()])
        start = match.end()
    runs.append(text[start:])
    return [run for run in runs if run]


def _cut_text(text: str, limit: int) -> list[str]:
    """``text`` cut after sentence ends, and sentences longer than ``limit`` between words."""
    runs = []
    for sentence in _runs(text, _SENTENCE_END):
        too_long = byte_size(escape(sentence, quote=False)) > limit
        runs.extend(_runs(sentence, _SPACE) if too_long else [sentence])
    return runs


def _plain_text(element: etree._Element) -> str:
    """Text of ``element`` without its note calls, as :attr:`Block.text` holds it."""
    parts = [element.text or ""]
    for child in element:
        if "noteref" not in (child.get("class") or "").split():
            parts.append(_plain_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _open_piece(paragraph: etree._Element, index: int) -> etree._Element:
    """An empty paragraph like ``paragraph``: the first keeps its id, the others continue it."""
    attrib = dict(paragraph.attrib)
    if index:
        attrib.pop("id", None)
        attrib["class"] = " ".join([*attrib.get("class", "").split(), "continued"])
    return etree.Element(paragraph.tag, attrib)


def split_paragraph(block: Block, limit: int) -> list[Block]:
    """A paragraph larger than ``limit`` as several paragraphs, cut between sentences.

    Inline elements (emphasis, note calls) are never cut. Any other block, and a
    paragraph that cannot be cut, comes back whole.
    """
    if block.kind != "paragraph" or byte_size(block.html) <= limit:
        return [block]
    try:
        paragraph = etree.fromstring(block.html, xml_parser())
    except etree.XMLSyntaxError:
        return [block]  # finishing the page reports it, naming the document
    if paragraph.tag != "p":
        return [block]
    # Atoms: runs of text (escaped later) and whole inline elements, in order.
    atoms: list[str | etree._Element] = list(_cut_text(paragraph.text or "", limit))
    for child in list(paragraph):
        tail, child.tail = child.tail or "", None
        atoms.append(child)
        atoms.extend(_cut_text(tail, limit))

    def atom_size(atom: str | etree._Element) -> int:
        if isinstance(atom, str):
            return byte_size(escape(atom, quote=False))
        return byte_size(etree.tostring(atom, encoding="unicode"))

    # Room left once the tags (with the id, or with the class 'continued') are counted.
    tags = max(byte_size(etree.tostring(_open_piece(paragraph, i), encoding="unicode"))
               for i in (0, 1))
    room = limit - tags - len("</p>")
    groups: list[list[str | etree._Element]] = []
    size = room + 1
    for atom in atoms:
        grow = atom_size(atom)
        if size + grow > room:
            groups.append([])
            size = 0
        groups[-1].append(atom)
        size += grow
    if len(groups) < 2:
        return [block]
    blocks = []
    for index, group in enumerate(groups):
        piece = _open_piece(paragraph, index)
        # Runs of text are joined before they go into the tree: appending to an
        # lxml .text one sentence at a time copies it each time (quadratic).
        texts: list[str] = []
        for atom in [*group, None]:
            if isinstance(atom, str):
                texts.append(atom)
                continue
            if len(piece):
                piece[-1].tail = "".join(texts)
            else:
                piece.text = "".join(texts)
            texts = []
            if atom is not None:
                piece.append(atom)
        blocks.append(Block("paragraph", etree.tostring(piece, encoding="unicode"),
                            _plain_text(piece)))
    return blocks
