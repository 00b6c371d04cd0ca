"""The print edition's pages in the EPUB: page-break markers and the page list.

``volume.page_starts`` (from the PDF builder, :mod:`~bookmaker.builders.pdf.pages`) says where each
printed page begins: in a block or a note, after so many words, or at a heading,
a closing date, a notes heading or a part page. Markers go into the model's HTML
before the pages are rendered (a copy of the volume; the model is not changed),
and at headings through the templates' ``page_break(key)``. Once the pages are
rendered, the nav's page list points at each marker in whichever file it landed
(a long document spans several); a page without text (a blank verso, the title
page) points where the next page begins, so the list has every page.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from html import unescape

from markupsafe import Markup

from bookmaker.model import Document, PageStart, Volume
from bookmaker.text import word_starts

MARKER = ('<span epub:type="pagebreak" role="doc-pagebreak" id="{id}" '
          'aria-label="{label}"></span>')
_MARKER_ID = re.compile(rb'id="(pb_[^"]+)"')
_TOKEN = re.compile(r"(<[^>]*>)|([^<]+)")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);")
_TAG_NAME = re.compile(r"</?([A-Za-z][\w-]*)")
# Tags that end a run of words: the PDF lays their text out on lines of their own.
_SEPARATING = {"br", "p", "div", "li", "blockquote", "ul", "ol", "dl", "dt", "dd", "table",
               "tr", "td", "th", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "figure",
               "figcaption", "section", "header", "footer", "aside"}


def marker_id(label: str) -> str:
    """The marker's id: 'pb_37' (an underscore: no document slug holds one)."""
    return "pb_" + re.sub(r"[^A-Za-z0-9_.-]", "-", label)


def marker(label: str) -> str:
    return MARKER.format(id=marker_id(label), label=label)


@dataclasses.dataclass
class PageBreaks:
    """The volume with its markers in, and the markers the templates place."""

    volume: Volume
    at_keys: dict[str, list[str]]
    """Markers at a heading, date, notes heading or part page, by key."""

    def page_break(self, key: str) -> Markup:
        """The markers that go at ``key`` (for the templates)."""
        return Markup("".join(self.at_keys.get(key, [])))


def with_page_breaks(volume: Volume) -> PageBreaks:
    """A copy of ``volume`` whose blocks and notes hold the markers of ``page_starts``."""
    in_text: dict[str, list[tuple[int, str]]] = defaultdict(list)
    at_keys: dict[str, list[str]] = defaultdict(list)
    for start in volume.page_starts:
        if start.key is None:
            continue
        if start.key.startswith(("b:", "n:")):
            in_text[start.key].append((start.word, marker(start.label)))
        else:
            at_keys[start.key].append(marker(start.label))
    if not in_text:
        return PageBreaks(volume, dict(at_keys))
    parts = []
    for part in volume.parts:
        docs = [_document_with_breaks(doc, in_text) for doc in part.documents]
        parts.append(dataclasses.replace(part, documents=docs))
    return PageBreaks(dataclasses.replace(volume, parts=parts), dict(at_keys))


def _document_with_breaks(doc: Document, in_text: dict[str, list[tuple[int, str]]]) -> Document:
    blocks = [
        dataclasses.replace(block, html=insert_markers(block.html, in_text[key]))
        if key in in_text else block
        for block, key in zip(doc.blocks, doc.block_keys(), strict=True)
    ]
    notes = [
        dataclasses.replace(note, html=insert_markers(note.html, in_text[f"n:{note.id}"]))
        if f"n:{note.id}" in in_text else note
        for note in doc.notes
    ]
    if blocks == doc.blocks and notes == doc.notes:
        return doc
    return dataclasses.replace(doc, blocks=blocks, notes=notes)


def insert_markers(html: str, markers: list[tuple[int, str]]) -> str:
    """``html`` with each ``(word, marker)`` put before its word (after the last word when
    the text has fewer). Words are counted in the text as the PDF lays it out: tags that
    start a line of their own separate words, entities are one character."""
    plain: list[str] = []
    where: list[int] = []  # html offset of each plain character
    for match in _TOKEN.finditer(html):
        if match.group(1):
            name = _TAG_NAME.match(match.group(1))
            if name and name.group(1).lower() in _SEPARATING:
                plain.append(" ")
                where.append(match.start())
            continue
        _plain_text(match.group(2), match.start(), plain, where)
    starts = word_starts("".join(plain))
    positions = []
    for word, mark in markers:
        at = where[starts[word]] if word < len(starts) else _end_of_text(html)
        positions.append((at, mark))
    out, last = [], 0
    for at, mark in sorted(positions, key=lambda item: item[0]):
        out += [html[last:at], mark]
        last = at
    out.append(html[last:])
    return "".join(out)


def _plain_text(text: str, offset: int, plain: list[str], where: list[int]) -> None:
    last = 0
    for entity in _ENTITY.finditer(text):
        for i in range(last, entity.start()):
            plain.append(text[i])
            where.append(offset + i)
        plain.append(unescape(entity.group()))
        where.append(offset + entity.start())
        last = entity.end()
    for i in range(last, len(text)):
        plain.append(text[i])
        where.append(offset + i)


def _end_of_text(html: str) -> int:
    """Just inside the element's closing tag."""
    closing = html.rfind("</")
    return closing if closing > 0 else len(html)


def page_list(starts: list[PageStart], rendered: dict[str, bytes],
              files: dict[str, str]) -> list[dict[str, str]]:
    """The nav's page list: every page's label and the file#marker it begins at.

    ``rendered`` holds the finished pages by manifest id and ``files`` their paths."""
    found: dict[str, str] = {}
    for page_id, data in rendered.items():
        if page_id in files:
            for match in _MARKER_ID.finditer(data):
                found[match.group(1).decode()] = f"{files[page_id]}#{match.group(1).decode()}"
    targets: list[str | None] = [
        found.get(marker_id(start.label)) if start.key else None for start in starts]
    following = None  # a page without text points where the next page begins
    for index in range(len(targets) - 1, -1, -1):
        if targets[index] is None:
            targets[index] = following
        else:
            following = targets[index]
    last = next((t for t in reversed(targets) if t), None)
    return [{"label": start.label, "file": target or last or ""}
            for start, target in zip(starts, targets, strict=True) if target or last]
