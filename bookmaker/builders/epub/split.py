"""Cut a very long document into several XHTML files, as calibre and Sigil do.

Reading systems (Adobe RMSDK, older Kobo and Kindle pipelines) fail on XHTML
files much larger than about 300 KB, so a document whose body and notes exceed
:data:`SPLIT_LIMIT` bytes is cut between blocks into consecutive pieces. The
first piece holds the heading, the last ones the closing date and the notes.

A paragraph that alone exceeds the limit is cut between sentences (or, for a
sentence longer than the limit, between words) into several ``<p>``; the
pieces after the first carry the class ``continued``. Other blocks larger than
the limit (tables, quotations, preformatted text) are kept whole in a piece of
their own: cutting them would change what they mean.

Links between pieces are rewritten: a note call points at the file holding its
note, a backlink at the file holding its call, and a link to an anchor of the
same document at the file holding that anchor.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from lxml import etree

from bookmaker.markup import byte_size as _size
from bookmaker.markup import inner_xhtml as _inner
from bookmaker.markup import split_paragraph, xml_parser
from bookmaker.model import Block, Document, Note

SPLIT_LIMIT = 250_000
"""Bytes of body XHTML (blocks and notes) a document's file may hold before it is cut."""

NOTE_OVERHEAD = 200
"""Bytes a note's list item and links add to its text."""



@dataclass
class Piece:
    """One file of a document: a run of its blocks and notes."""

    number: int
    """1-based position among the document's files."""
    blocks: list[Block]
    notes: list[Note]
    notes_start: int = 0
    """Index in the document's notes of this piece's first note (for ``<ol start>``)."""
    first: bool = False
    """Holds the heading, occasion and source line."""
    body_end: bool = False
    """Holds the body's last block, and so the closing date."""


# ------------------------------------------------------------------ pieces


def _note_size(note: Note) -> int:
    return _size(note.html) + NOTE_OVERHEAD


def cut_document(doc: Document, limit: int = SPLIT_LIMIT) -> list[Piece]:
    """The pieces of ``doc``: one when its blocks and notes fit in ``limit`` bytes."""
    sizes = [_size(block.html) for block in doc.blocks]
    notes_size = sum(_note_size(note) for note in doc.notes)
    if sum(sizes) + notes_size <= limit:
        return [Piece(1, list(doc.blocks), list(doc.notes), first=True, body_end=True)]

    blocks: list[Block] = []
    for block, size in zip(doc.blocks, sizes, strict=True):
        blocks.extend(split_paragraph(block, limit) if size > limit else [block])
    pieces = [Piece(1, [], [], first=True)]
    size = 0

    def room_for(grow: int) -> Piece:
        """The piece to add ``grow`` bytes to: the current one, or a new one if it is full."""
        nonlocal size
        current = pieces[-1]
        if size and size + grow > limit:
            current = Piece(len(pieces) + 1, [], [])
            pieces.append(current)
            size = 0
        size += grow
        return current

    for block in blocks:
        room_for(_size(block.html)).blocks.append(block)
    pieces[-1].body_end = True
    # The notes stay together, after the body if they fit there; cut only if they must.
    if size and size + notes_size > limit:
        size = limit
    for index, note in enumerate(doc.notes):
        piece = room_for(_note_size(note))
        if not piece.notes:
            piece.notes_start = index
        piece.notes.append(note)
    return pieces


# ------------------------------------------------------------------- links


def _fragment(html: str) -> etree._Element | None:
    """``html`` (blocks or inline markup) parsed under a wrapper element; None if broken."""
    try:
        return etree.fromstring(f"<wrap>{html}</wrap>", xml_parser())
    except etree.XMLSyntaxError:
        return None  # finishing the page reports it, naming the document


def _ids(html: str | None) -> Iterable[str]:
    if not html or "id=" not in html:
        return ()
    root = _fragment(html)
    return () if root is None else [el.get("id") for el in root.iter() if el.get("id")]


@dataclass
class Links:
    """Where each id of a document lives once it is cut, and links rewritten to match."""

    files: list[str]
    """File name of each piece (1-based piece n is ``files[n - 1]``), in one folder."""
    home: dict[str, int]
    """Piece number of each id of the document."""

    def href(self, ident: str, here: int) -> str:
        """A link from piece ``here`` to ``ident``: a bare fragment when it is in the same file."""
        there = self.home.get(ident, here)
        return f"#{ident}" if there == here else f"{self.files[there - 1]}#{ident}"

    def relink(self, html: str | None, here: int) -> str | None:
        """``html`` with its same-document links that lead to other pieces pointed at them."""
        if not html or "href=" not in html:
            return html
        root = _fragment(html)
        if root is None:
            return html
        changed = False
        for anchor in root.iter("a"):
            target = anchor.get("href") or ""
            if target.startswith("#") and self.home.get(target[1:], here) != here:
                anchor.set("href", self.href(target[1:], here))
                changed = True
        return _inner(root) if changed else html


def links_for(doc: Document, pieces: list[Piece], files: list[str]) -> Links:
    """The id map of ``doc`` cut into ``pieces`` named ``files``."""
    home: dict[str, int] = {doc.id: 1, f"{doc.id}-title": 1}
    for html in (doc.title_html, doc.occasion, doc.source_line):
        home.update((ident, 1) for ident in _ids(html))
    for piece in pieces:
        for block in piece.blocks:
            home.update((ident, piece.number) for ident in _ids(block.html))
        for note in piece.notes:
            home[note.id] = piece.number
            home.update((ident, piece.number) for ident in _ids(note.html))
        if piece.notes and piece.notes_start == 0:
            home[f"{doc.id}-notes"] = home[f"{doc.id}-notes-title"] = piece.number
    return Links(files, home)


def piece_document(doc: Document, piece: Piece, links: Links) -> Document:
    """``doc`` as one piece shows it: its blocks and notes only, links pointed across files."""
    here = piece.number

    def relink_note(note: Note) -> Note:
        return dataclasses.replace(note, html=links.relink(note.html, here) or "")

    return dataclasses.replace(
        doc,
        title_html=links.relink(doc.title_html, here) or "",
        occasion=links.relink(doc.occasion, here),
        source_line=links.relink(doc.source_line, here),
        date_text=doc.date_text if piece.body_end else None,
        blocks=[
            dataclasses.replace(block, html=relinked) if relinked is not block.html else block
            for block in piece.blocks
            for relinked in [links.relink(block.html, here)]
        ],
        notes=[relink_note(note) for note in piece.notes],
    )


def linker(links: Links | None, here: int) -> Callable[[str], str]:
    """The template's ``link(id)``: an href from piece ``here`` to ``id``."""
    if links is None:
        return lambda ident: f"#{ident}"
    return lambda ident: links.href(ident, here)
