"""What the ``pdf`` templates are given: the volume prepared for print.

Templates get plain objects with the strings they print, so they need no logic
beyond loops and conditions. Footnote mode rewrites note calls into inline
footnotes here, with lxml, rather than in the templates.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from html import escape

from lxml import html as lxml_html

from bookmaker import __version__
from bookmaker.builders.pdf.fonts import BookFace
from bookmaker.labels import format_date, join_names, labels_for, part_number
from bookmaker.markup import inner_html
from bookmaker.model import Document, Note, Volume
from bookmaker.text import title_case


@dataclass
class NoteView:
    """A note printed at the end of its document."""

    id: str
    label: str
    html: str
    back_ref: str | None


@dataclass
class PieceView:
    """A document as printed."""

    id: str
    kind: str
    title_html: str
    running_title: str
    toc_title: str
    title_caps: bool
    kicker: str | None
    occasion_html: str | None
    source_html: str | None
    body_html: str
    date_text: str | None
    endnotes: list[NoteView]
    first: bool = False
    """True for the body's first element: its page restarts the folios at 1."""
    continued: bool = False
    """True for a long document's later chunks (:mod:`.parallel.chunks`): no title block."""
    language: str = ""
    """The document's language when it is not the book's (its own hyphenation, quotes,
    line breaking and face follow from ``lang``); '' otherwise."""


@dataclass
class PartView:
    """A part page and its documents."""

    id: str
    title: str | None
    number: str | None
    intro_html: str | None
    documents: list[PieceView]
    first: bool = False


@dataclass
class BookContext:
    """Everything the templates print about the volume."""

    language: str
    labels: dict[str, str]
    """The words printed in the book's language (:mod:`bookmaker.labels`)."""
    meta_title: str
    title: str
    subtitle: str | None
    series: str | None
    authors: list[str]
    author_names: str
    """The authors joined as the language lists names."""
    title_credits: list[str]
    publisher: str | None
    description: str | None
    keywords: list[str]
    source: str | None
    rights: str | None
    identifier: str | None
    credits: list[str]
    face: str
    version: str
    created: str | None
    date_display: str | None
    body_classes: list[str]
    front_documents: list[PieceView] = field(default_factory=list)
    parts: list[PartView] = field(default_factory=list)
    body_start_id: str | None = None
    """Id of the element whose page is body page 1."""


def book_context(volume: Volume, face: BookFace | None) -> BookContext:
    """The whole book for ``book.html``."""
    context = _base_context(volume, face)
    footnotes = volume.settings.pdf.notes == "footnotes"
    for doc in volume.documents:
        if doc.kind == "front":
            context.front_documents.append(piece_view(doc, footnotes, volume.info.language))
    numbered = [part for part in volume.parts if part.title]
    # Titles that carry their own number ('Part I', 'Teil 2') are not numbered again.
    own_prefixes = ("part ", "book ", "section ",
                    context.labels["part"].split("%(number)s")[0].strip().lower() + " ")
    number_parts = len(numbered) > 1 and not any(
        part.title.lower().startswith(own_prefixes) for part in numbered
    )
    count = 0
    for part in volume.parts:
        docs = [piece_view(doc, footnotes, volume.info.language)
                for doc in part.documents if doc.kind != "front"]
        if not docs and not part.title:
            continue
        number = None
        if part.title and number_parts:
            count += 1
            number = context.labels["part"] % {
                "number": part_number(count, volume.info.language)}
        context.parts.append(
            PartView(part.id, part.title, number, part.intro_html, docs)
        )
    _mark_body_start(context)
    if volume.has_parts:
        context.body_classes.append("has-parts")
    return context


def offprint_context(volume: Volume, face: BookFace | None, doc: Document) -> BookContext:
    """One document for ``offprint.html``."""
    context = _base_context(volume, face)
    context.body_classes.append("offprint")
    piece = piece_view(doc, volume.settings.pdf.notes == "footnotes", volume.info.language)
    context.parts.append(PartView("offprint", None, None, None, [piece]))
    return context


def _base_context(volume: Volume, face: BookFace | None) -> BookContext:
    info = volume.info
    settings = volume.settings.pdf
    labels = labels_for(info.language)
    title_credits = []
    if info.translators:
        title_credits.append(
            labels["translated_by"] % {"names": join_names(info.translators, info.language)})
    if info.editors:
        title_credits.append(
            labels["edited_by"] % {"names": join_names(info.editors, info.language)})
    classes = [f"notes-{settings.notes}", f"openings-{settings.openings}"]
    if settings.screen:
        classes.append("screen")
    date = volume.source_date
    return BookContext(
        language=info.language,
        labels=labels,
        meta_title=info.full_title,
        title=info.title,
        subtitle=info.subtitle,
        series=info.series,
        authors=list(info.authors),
        author_names=join_names(info.authors, info.language) if info.authors else "",
        title_credits=title_credits,
        publisher=info.publisher,
        description=info.description,
        keywords=list(info.subjects),
        source=_sentence(info.source),
        rights=_sentence(info.rights),
        identifier=info.identifier,
        credits=[_sentence(line) for line in volume.credits()],
        face=_face_names(face, info.language) if face else labels["system_serif"],
        version=__version__,
        created=date.isoformat() if date else None,
        date_display=format_date(date, info.language) if date else None,
        body_classes=classes,
    )


def _face_names(face: BookFace, language: str) -> str:
    """The faces the book is set in, the one its text leads with first:
    'Amiri and EB Garamond' for an Arabic book with Latin names in it."""
    scripts = [script.family for script in face.script_faces]
    families = [*scripts, face.family] if face.leading else [face.family, *scripts]
    return join_names(list(dict.fromkeys(families)), language)


def _sentence(text: str | None) -> str | None:
    """``text`` ending with a full stop (or its own closing punctuation)."""
    if not text:
        return text
    text = text.strip()
    return text if text.endswith((".", "!", "?", ")", "”", "\"")) else text + "."


def _mark_body_start(context: BookContext) -> None:
    for part in context.parts:
        if part.title:
            part.first = True
            context.body_start_id = part.id
            return
        if part.documents:
            part.documents[0].first = True
            context.body_start_id = part.documents[0].id
            return


# --------------------------------------------------------------- documents


def piece_view(doc: Document, footnotes: bool, language: str = "") -> PieceView:
    """A document's strings for ``document.html``; with ``footnotes``, calls become footnotes;
    ``language`` is the book's, which a document in another says it is not."""
    title = doc.title
    caps = title.isupper() and sum(c.isalpha() for c in title) > 3
    readable = title_case(title) if caps else title
    notes = {note.id: note for note in doc.notes}
    placed: set[str] = set()
    convert = (lambda fragment: _footnotes(fragment, notes, placed)) if footnotes else (
        lambda fragment: fragment
    )
    title_html = convert(doc.title_html or escape(doc.title))
    occasion = convert(doc.occasion) if doc.occasion else None
    source = convert(doc.source_line) if doc.source_line else None
    body = "\n".join(convert(keyed(block.html, key))
                     for block, key in zip(doc.blocks, doc.block_keys(), strict=True))
    endnotes = [
        NoteView(note.id, note.label, note.html, note.ref_ids[0] if note.ref_ids else None)
        for note in doc.notes
        if note.id not in placed
    ]
    return PieceView(
        id=doc.id,
        kind=doc.kind,
        title_html=title_html,
        running_title=readable,
        toc_title=readable,
        title_caps=caps,
        kicker=doc.part_heading,
        occasion_html=occasion,
        source_html=source,
        body_html=body,
        date_text=doc.date_text,
        endnotes=endnotes,
        language=doc.language if language and doc.language not in ("", language) else "",
    )


_OPEN_TAG = re.compile(r"^\s*<[A-Za-z][\w-]*")


def keyed(html: str, key: str, word_base: int = 0) -> str:
    """``html`` (one element) with ``data-pk``, the key by which :mod:`.pages` says
    where each page begins (:class:`~bookmaker.model.PageStart`); ``data-pw`` counts the
    block's words before this piece of it, when a long paragraph is cut."""
    attributes = f' data-pk="{key}"' + (f' data-pw="{word_base}"' if word_base else "")
    return _OPEN_TAG.sub(lambda match: match.group(0) + attributes, html, count=1)


def _footnotes(fragment: str, notes: dict[str, Note], placed: set[str]) -> str:
    """Replace each note's first call in ``fragment`` with the note itself, as a footnote.

    The call keeps its id on an empty span so that checks can find the call's page.
    Later calls of a note already placed stay links to it.
    """
    if "noteref" not in fragment:
        return fragment
    wrapper = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for call in wrapper.xpath('.//a[contains(concat(" ", @class, " "), " noteref ")]'):
        target = (call.get("href") or "").lstrip("#")
        note = notes.get(target)
        if note is None or note.id in placed:
            continue
        placed.add(note.id)
        marker = lxml_html.Element("span", {"class": "fn-anchor", "id": call.get("id", "")})
        footnote = _footnote_element(note)
        footnote.tail = call.tail
        parent = call.getparent()
        index = parent.index(call)
        parent.remove(call)
        parent.insert(index, marker)
        parent.insert(index + 1, footnote)
    return inner_html(wrapper)


def _footnote_element(note: Note):
    """``<span class="footnote">`` holding the note's blocks as inline spans."""
    footnote = lxml_html.Element("span", {"class": "footnote", "id": note.id,
                                          "data-label": note.label})
    blocks = lxml_html.fragment_fromstring(note.html or "<p></p>", create_parent="div")
    if blocks.text and blocks.text.strip():
        lead = lxml_html.Element("span", {"class": "fn-p"})
        lead.text = blocks.text
        footnote.append(lead)
    for block in blocks:
        block = copy.deepcopy(block)
        tail = block.tail
        block.tail = None
        block.tag = "span"
        block.attrib.clear()
        block.set("class", "fn-p")
        for inner in block.iter():
            if inner is not block and inner.tag in {"p", "div", "blockquote", "ul", "ol", "li"}:
                inner.tag = "span"
        footnote.append(block)
        if tail and tail.strip():
            block.tail = tail
    return footnote
