"""A very long document cut into chunks, each rendered as a group of its own.

Why. The sectioned book (:mod:`.sections`) renders groups of whole documents
in parallel workers. A single document of 8 million words (50 MB of text, some
35,000 pages) would be one group: one WeasyPrint render taking hours and tens of
GB. So a document longer than :data:`CHUNK_GROUPS` groups' words is cut between
blocks into chunks of about that many words, and each chunk is a group: workers
render them in parallel, and a render's memory is bounded by the chunk's size.

* The first chunk is the document as it opens (title block, contents entry,
  outline entry, opening page). Each later chunk is a *continuation*: an
  ``<article class="document continued">`` without title block, absent from the
  contents and outline, whose pages are ordinary pages of the document: running
  heads kept (:data:`CHUNK_CSS`), verso and recto folios, never an opening.
* The closing date and the endnotes follow the last chunk. A link can only point
  into its own render, so note calls and notes that land in different chunks are
  not linked (the labels stay).
* Every group opens on a recto, so a chunk followed by another must end on a
  verso, or the book would have a blank page inside the document. A chunk that
  lays out on an odd number of pages is laid out again with a page break before
  the first block of its last page (:func:`even_pages`): the cut leaves one or two
  part-empty pages, never a blank one. That re-layout costs half the chunks a
  second layout; knowing the parity beforehand would need the previous chunk's
  pages, which would make the renders sequential.
* Each cut starts a new page, so the page before it is part-empty; the build
  warns once per document.
* Where to cut is decided by the blocks' own text (content-defined, as backup
  tools cut files), and chunks are named by their first block: an edit changes
  the chunk it falls in (and at most the next), so a warm build re-renders a few
  hundred pages, not the whole document.

A paragraph of more than :data:`LONG_PARAGRAPH` bytes (a 5 MB transcription on a
single line) is first cut between sentences into paragraphs of
:data:`PARAGRAPH_PIECE` bytes, the later ones unindented
(:func:`bookmaker.markup.split_paragraph`): WeasyPrint's line breaking is quadratic in
a paragraph's length (200,000 characters in one paragraph take 7 s to lay out, in
paragraphs 2 s; 5 MB would take hours). Pieces shorter than a page also give
:func:`even_pages` a block to break before on every page.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, replace
from html import escape

from bookmaker.builders.pdf.boxes import page_box
from bookmaker.builders.pdf.context import PieceView, keyed
from bookmaker.log import LOGGER, warn
from bookmaker.markup import split_paragraph
from bookmaker.model import Block, Document, Volume
from bookmaker.text import count_words

CHUNK_GROUPS = 4
"""A document of more than this many units' words (the unit is
``sections.CHUNK_UNIT_WORDS``: 60,000 words) is cut into chunks of about as many
words: some 135 pages of 6 × 9 in, laid out in a few seconds and a few hundred MB,
with one part-empty page every 135 pages or so."""

LONG_PARAGRAPH = 10_000
"""Bytes of a paragraph (some 1,600 words, four pages) beyond which it is set as several."""

PARAGRAPH_PIECE = 2_000
"""Bytes of each of those (some 300 words, two thirds of a page)."""

CHUNK_CSS = """
/* A long document's continuation chunks (pdf_chunks.py): ordinary pages of the
   document, whose first page is also a render's first page (:first). */
.document.continued { page: continued; }
.chunk-start { string-set: doctitle attr(data-running); }
@page continued:left { @top-center { content: string(booktitle); } }
@page continued:right { @top-center { content: string(doctitle); } }
.doc-body p.continued { text-indent: 0; }
"""

KEY_MARK = "#"
"""Separates a chunk's article id, its document's id and its unit range in a group's
check keys (no id holds it)."""

_OPEN_TAG = re.compile(r"^\s*<[A-Za-z][\w-]*")
_HREF = re.compile(r'\shref="#([^"]+)"')


@dataclass
class ChunkView(PieceView):
    """A chunk of a long document: its units ``start`` to ``stop``."""

    doc_id: str = ""
    start: int = 0
    stop: int = 0
    words: int = 0
    """Words of the chunk's units (and a share for the notes of the last), to fill groups."""

    @property
    def key(self) -> str:
        """What :func:`check_documents` needs to check the chunk's render in a worker."""
        return KEY_MARK.join([self.id, self.doc_id, f"{self.start}:{self.stop}"])


def chunk_limit(group_words: int) -> int:
    """Words beyond which a document is cut into chunks."""
    return CHUNK_GROUPS * group_words


def needs_chunks(volume: Volume, group_words: int) -> bool:
    """True when a body document of ``volume`` is long enough to be cut."""
    limit = chunk_limit(group_words)
    return any(doc.kind != "front" and doc.words > limit for doc in volume.documents)


def check_key(piece: PieceView) -> str:
    """The id by which a group's render checks ``piece``: its id, or a chunk's key."""
    return piece.key if isinstance(piece, ChunkView) else piece.id


# ------------------------------------------------------------------ cutting


def body_units(doc: Document) -> list[Block]:
    """The document's blocks, with each paragraph longer than LONG_PARAGRAPH bytes cut."""
    return [unit for unit, _key, _base in keyed_units(doc)]


def keyed_units(doc: Document) -> list[tuple[Block, str, int]]:
    """:func:`body_units` with each unit's page key and the words of its block before it."""
    units: list[tuple[Block, str, int]] = []
    for block, key in zip(doc.blocks, doc.block_keys(), strict=True):
        if block.kind == "paragraph" and len(block.html) > LONG_PARAGRAPH:
            base = 0
            for piece in split_paragraph(block, PARAGRAPH_PIECE):
                units.append((piece, key, base))
                base += count_words(piece.text)
        else:
            units.append((block, key, 0))
    return units


def cut_units(units: list[Block], limit: int) -> list[tuple[int, int]]:
    """``(start, stop)`` ranges of ``limit`` words on average, from half to twice that.

    Past half the limit, a block ends a chunk with a chance proportional to its
    words, the dice being a hash of its markup: the same text is always cut the
    same way, whatever comes before it. Never right after a heading, which would
    end a page alone.
    """
    low, high = max(limit // 2, 1), 2 * limit
    ranges, start, size = [], 0, 0
    for index, unit in enumerate(units[:-1]):
        words = count_words(unit.text)
        size += words
        roll = zlib.crc32(unit.html.encode("utf-8", "surrogatepass")) / 2**32
        if unit.kind != "heading" and (size >= high or (size >= low and roll < words / low)):
            ranges.append((start, index + 1))
            start, size = index + 1, 0
    ranges.append((start, len(units)))
    return ranges


def chunk_pieces(doc: Document, piece: PieceView, group_words: int) -> list[PieceView]:
    """``piece`` as the chunks it prints in; ``[piece]`` for a document of ordinary length."""
    limit = chunk_limit(group_words)
    if doc.words <= limit:
        return [piece]
    keyed_list = keyed_units(doc)
    units = [unit for unit, _key, _base in keyed_list]
    ranges = cut_units(units, limit)
    if len(ranges) < 2:
        return [piece]
    every = doc.words // len(ranges)
    warn(f"'{doc.title}' is {doc.words} words long; its PDF starts a new page every "
         f"{every} words or so, where it is cut to be rendered in parallel", doc.source_path)
    homes = _note_homes(doc, units, ranges)
    names = continuation_ids(doc.id, units, ranges)
    chunks: list[PieceView] = []
    for number, (start, stop) in enumerate(ranges):
        last = number == len(ranges) - 1
        html = [keyed(_unlink(unit.html, homes, number), key, base)
                for unit, key, base in keyed_list[start:stop]]
        if not last:  # even_pages() finds the blocks of its last page by these
            html = [_OPEN_TAG.sub(lambda m, i=i: f'{m.group(0)} data-unit="{i}"', text, 1)
                    for i, text in enumerate(html)]
        if number:
            running = escape(piece.running_title)
            html.insert(0, f'<div class="chunk-start" data-running="{running}"></div>')
        endnotes = [replace(note, back_ref=note.back_ref if homes.get(note.back_ref) == number
                            else None) for note in piece.endnotes] if last else []
        chunks.append(ChunkView(
            **{**vars(piece), "body_html": "\n".join(html), "endnotes": endnotes,
               "date_text": piece.date_text if last else None},
            doc_id=doc.id, start=start, stop=stop,
            words=sum(count_words(unit.text) for unit in units[start:stop])
            + (50 * len(doc.notes) if last else 0),
        ))
        if number:
            chunk = chunks[-1]
            chunk.id, chunk.continued, chunk.first = names[number], True, False
            chunk.kicker = chunk.occasion_html = chunk.source_html = None
        else:
            chunks[0].title_html = _unlink(piece.title_html, homes, 0)
    return chunks


def continuation_ids(doc_id: str, units: list[Block], ranges) -> list[str]:
    """Article ids of the chunks: the document's id for the first, then the id and a
    hash of the chunk's first block (no slug holds '--'), numbered if that repeats."""
    names = [doc_id]
    for start, _ in ranges[1:]:
        name = f"{doc_id}--{zlib.crc32(units[start].html.encode('utf-8', 'surrogatepass')):08x}"
        names.append(name if name not in names else f"{name}-{len(names)}")
    return names


def _note_homes(doc: Document, units: list[Block], ranges) -> dict[str, int]:
    """The chunk number of every note (the last) and of every call of a note."""
    last = len(ranges) - 1
    homes = {note.id: last for note in doc.notes}
    calls = {ref for note in doc.notes for ref in note.ref_ids}
    for number, (start, stop) in enumerate(ranges):
        for unit in units[start:stop]:
            if "noteref" in unit.html:
                for ref in re.findall(r'\sid="([^"]+)"', unit.html):
                    if ref in calls:
                        homes[ref] = number
    return homes


def _unlink(html: str, homes: dict[str, int], here: int) -> str:
    """``html`` without the links to anchors of this document that another chunk holds."""
    if 'href="#' not in html:
        return html
    return _HREF.sub(lambda m: m.group(0) if homes.get(m.group(1), here) == here else "", html)


# ------------------------------------------------------------- in the render


def _units(doc: Document, memo: dict[str, list[Block]]) -> list[Block]:
    """``doc``'s units, cut once per renderer (``memo`` is :attr:`Renderer.memo`): every
    chunk of a long document asks for them."""
    key = f"units:{doc.id}"
    if key not in memo:
        memo[key] = body_units(doc)
    return memo[key]


def check_documents(volume: Volume, keys: list[str],
                    memo: dict[str, list[Block]]) -> list[Document]:
    """The documents a group's render must hold whole, from :func:`check_key` keys.

    A chunk stands as a document of its own units, under its article's id, with the
    document's title if it is the first chunk (whose opening page must show it) and
    no title otherwise.
    """
    by_id = {doc.id: doc for doc in volume.documents}
    docs = []
    for key in keys:
        if KEY_MARK not in key:
            if key in by_id:
                docs.append(by_id[key])
            continue
        piece_id, doc_id, span = key.split(KEY_MARK)
        doc = by_id.get(doc_id)
        if doc is None:
            continue
        start, stop = (int(x) for x in span.split(":"))
        docs.append(replace(doc, id=piece_id, title=doc.title if start == 0 else "",
                            title_html="", blocks=_units(doc, memo)[start:stop], notes=[]))
    return docs


def continues(volume: Volume, keys: list[str], memo: dict[str, list[Block]]) -> bool:
    """True when a group's last piece is a chunk with another chunk after it."""
    if not keys or KEY_MARK not in keys[-1]:
        return False
    _, doc_id, span = keys[-1].split(KEY_MARK)
    doc = next((d for d in volume.documents if d.id == doc_id), None)
    return doc is not None and int(span.split(":")[1]) < len(_units(doc, memo))


def even_pages(renderer, html: str, extra: list, document, attempts: int = 3):
    """``document`` (the laid-out chunk) with an even number of pages, so that the next
    chunk goes on with a verso; returns the document to write.

    An odd chunk is laid out again with a page break before a block that pushes its
    end onto one more page: a block that starts on the last page, else one that
    starts higher on its page than the last page is filled (what follows it moves
    down by the rest of its page, and so overflows the last page), the latest
    first. When the last page holds only the two lines that widows and orphans
    allow, no single break can do it (the highest start is two lines down): then
    two breaks, the second before a later block that the first moves to about
    mid-page. The best single break is tried first, then the pair, then the other
    single breaks, ``attempts`` layouts in all; then the chunk stays odd and the
    assembly adds a blank verso after it.
    """
    from weasyprint import CSS

    pages = document.pages
    if len(pages) % 2 == 0:
        return document
    boxes = [_unit_boxes(page) for page in pages]
    first = min(boxes[0], default=None)  # a break before it would leave a page empty
    fill = max((bottom for _, bottom in boxes[-1].values()), default=1.0)
    starts = [  # (top, page, unit) of the blocks that start on a page, below its top
        (top, index, unit)
        for index in range(len(pages) - 1, -1, -1)
        for unit, (top, _) in sorted(boxes[index].items(), reverse=True)
        if unit != first and unit not in (boxes[index - 1] if index else {}) and top > 0.01
    ]
    tries = [[unit] for top, _, unit in starts if top < fill]
    if starts:
        top, _, unit = min(starts, key=lambda start: (start[0], -start[1]))
        # After a break before ``unit``, what follows it moves down by 1 - top.
        later = [(abs((other - top) % 1 - 0.5), second) for other, _, second in starts
                 if second > unit]
        if later:
            tries.insert(1, [unit, min(later)[1]])
    for units in tries[:attempts]:
        rule = ", ".join(f'.doc-body > [data-unit="{unit}"]' for unit in units)
        rule += " { break-before: page !important; }"
        again = renderer.lay_out_html(html, [*extra, CSS(string=rule,
                                                         font_config=renderer.font_config)])
        if len(again.pages) % 2 == 0:
            return again
    LOGGER.info("PDF: a chunk of %d pages stays odd (%d layouts tried)", len(pages),
                min(attempts, len(tries)))
    return document


def _unit_boxes(page) -> dict[int, tuple[float, float]]:
    """Top and bottom, in fractions of the page's text height, of the ``data-unit``
    blocks on a laid-out page."""
    root = page_box(page)
    top, height = root.content_box_y(), root.height or 1
    found: dict[int, tuple[float, float]] = {}
    stack = list(root.children)
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        unit = element.get("data-unit") if element is not None else None
        if unit is None:
            stack.extend(getattr(box, "children", ()))
            continue
        upper = (box.position_y - top) / height
        lower = (box.position_y + box.margin_height() - top) / height
        held = found.get(int(unit), (upper, lower))
        found[int(unit)] = (min(upper, held[0]), max(lower, held[1]))
    return found
