"""The document model every builder reads: Volume → Part → Document.

No I/O here. Readers produce :class:`Document` objects; the pipeline groups
them into a :class:`Volume`; builders render it through templates.

Markup conventions shared by readers and builders:

* ``Block.html`` is one well-formed XHTML element from the safe subset
  (see :mod:`bookmaker.readers.sanitize`), e.g. ``<p>…</p>`` or ``<blockquote>…</blockquote>``.
  No namespaces, no scripts, no remote references.
* A note call inside any inline HTML (title or body) is written as
  ``<a class="noteref" role="doc-noteref" id="{noteref_id}" href="#{note_id}">{label}</a>``
  with ids from :func:`note_id` and :func:`noteref_id`, so ids are unique across
  the whole book (the document id is part of each).
* ``Note.html`` is a sequence of block elements (usually ``<p>``) without the label.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bookmaker.text import count_words

# --------------------------------------------------------------------------- ids


def note_id(doc_id: str, key: str) -> str:
    """Id of a note's text: unique across the book because it holds the document id."""
    return f"{doc_id}-note-{key}"


def noteref_id(doc_id: str, key: str, occurrence: int = 1) -> str:
    """Id of the ``occurrence``-th call of note ``key`` in a document."""
    suffix = "" if occurrence == 1 else f"-{occurrence}"
    return f"{doc_id}-noteref-{key}{suffix}"


_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "item") -> str:
    """Lower-case ASCII slug usable as a file name and an XML id (starts with a letter)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _SLUG_STRIP.sub("-", ascii_text.lower()).strip("-")
    if not slug:
        slug = fallback
    if not slug[0].isalpha():
        slug = f"{fallback}-{slug}"
    return slug[:80].rstrip("-")


# ------------------------------------------------------------------ volume info


class Contributor(BaseModel):
    """A person credited on the volume with a MARC relator role."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="The name as printed, e.g. 'Brian Pearce'.")
    role: str = Field(
        default="ctb",
        description="MARC relator code: aut, trl, edt, ctb, ill, trc (transcriber), pfr…",
    )
    file_as: str | None = Field(
        default=None, description="Sort form, e.g. 'Pearce, Brian'; derived when omitted."
    )


class VolumeInfo(BaseModel):
    """Bibliographic metadata of a volume: the manifest's ``[volume]`` table."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="Main title, e.g. 'How the Revolution Armed'.")
    subtitle: str | None = Field(default=None, description="e.g. 'Volume 1, 1918'.")
    series: str | None = Field(
        default=None, description="e.g. 'The Military Writings of Leon Trotsky'."
    )
    series_number: float | None = Field(default=None, description="Position in the series.")
    authors: list[str] = Field(default_factory=list, description="Authors, in order.")
    translators: list[str] = Field(default_factory=list, description="Translators.")
    editors: list[str] = Field(default_factory=list, description="Editors of this edition.")
    contributors: list[Contributor] = Field(
        default_factory=list, description="Other contributors with their roles."
    )
    language: str = Field(default="en", description="BCP 47 language tag of the text.")
    date: str | None = Field(
        default=None, description="Date of the works (year or ISO date), e.g. '1918'."
    )
    publisher: str | None = Field(default=None, description="Publisher of this edition.")
    rights: str | None = Field(default=None, description="Rights or licence statement.")
    description: str | None = Field(default=None, description="A paragraph about the volume.")
    subjects: list[str] = Field(default_factory=list, description="Subject headings.")
    identifier: str | None = Field(
        default=None,
        description="Stable identifier (URN, ISBN…); a UUID derived from slug and title otherwise.",
    )
    source: str | None = Field(
        default=None, description="The edition the texts were taken from (dc:source)."
    )
    cover: str | None = Field(
        default=None, description="Cover image (JPEG/PNG), relative to the volume folder."
    )

    def all_contributors(self) -> list[Contributor]:
        """Authors, translators, editors and other contributors, in that order."""
        people = [Contributor(name=n, role="aut") for n in self.authors]
        people += [Contributor(name=n, role="trl") for n in self.translators]
        people += [Contributor(name=n, role="edt") for n in self.editors]
        return people + list(self.contributors)

    @property
    def full_title(self) -> str:
        """Title and subtitle joined as a library catalogue would show them."""
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title


# --------------------------------------------------------------------- settings


class TypographySettings(BaseModel):
    """How plain punctuation is turned into typographic punctuation."""

    model_config = ConfigDict(extra="forbid")

    smart_quotes: bool = Field(default=True, description="Curly quotes, dashes, ellipses.")
    nbsp: bool = Field(
        default=True, description="No-break spaces after initials and abbreviations like 'No.'."
    )


class EpubSettings(BaseModel):
    """Options of the EPUB builder."""

    model_config = ConfigDict(extra="forbid")

    style: str = Field(default="default", description="Theme folder under styles/.")
    page_list: Literal["none", "pdf"] = Field(
        default="none",
        description="'pdf': carry the PDF edition's page numbers (page-break markers and a "
                    "page list), so that readers can cite the print pages.")


TrimSize = Literal["a5", "royal", "us-trade", "a4", "letter"]
CSS_LENGTH = re.compile(r"^\d+(\.\d+)?(pt|px|mm|cm|in|pc|q)$")
"""A CSS length as the settings may give it (no expressions, nothing to inject)."""
BookFace = Literal["eb-garamond", "source-serif-4", "literata"]


class PdfSettings(BaseModel):
    """Options of the print PDF builder."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    style: str = Field(default="default", description="Theme folder under styles/.")
    trim: TrimSize = Field(default="us-trade", description="Trim size preset.")
    font: BookFace = Field(default="eb-garamond", description="Book face (an OFL font package).")
    font_size: str = Field(default="11pt", description="Body font size.")
    notes: Literal["endnotes", "footnotes"] = Field(
        default="endnotes", description="Each document's notes at its end, or at the page foot."
    )
    openings: Literal["recto", "page"] = Field(
        default="recto", description="Documents start on a recto, or simply on a new page."
    )
    screen: bool = Field(default=False, description="Screen PDF: no blank versos.")
    bleed: str | None = Field(
        default=None, description="Printer's PDF: bleed such as '3mm', with crop marks."
    )
    variant: Literal["pdf/a-3b", "pdf/ua-1"] | None = Field(
        default=None, description="WeasyPrint PDF variant."
    )

    @field_validator("font_size", "bleed")
    @classmethod
    def _is_length(cls, value: str | None) -> str | None:
        """Checked with the manifest (its line and column), not when the PDF is built."""
        if value is None:
            return None
        length = value.strip().lower()
        if not CSS_LENGTH.match(length):
            raise ValueError(f"'{value}' is not a length; write it like '11pt' or '3mm'")
        return length


class Settings(BaseModel):
    """Everything besides metadata that changes the output."""

    model_config = ConfigDict(extra="forbid")

    typography: TypographySettings = Field(default_factory=TypographySettings)
    epub: EpubSettings = Field(default_factory=EpubSettings)
    pdf: PdfSettings = Field(default_factory=PdfSettings)


# ---------------------------------------------------------------------- content

BlockKind = Literal[
    "paragraph", "heading", "quote", "list", "table", "verse", "preformatted", "rule", "figure"
]


@dataclass(frozen=True)
class Block:
    """One block of a document's body."""

    kind: BlockKind
    """What the block is; lets builders and checks treat blocks without parsing."""
    html: str
    """The block as one well-formed XHTML element of the safe subset."""
    text: str = ""
    """Plain text of the block (note calls removed), for word counts and checks."""


@dataclass(frozen=True)
class Note:
    """A note of one document, kept with the number the archive printed."""

    key: str
    """Document-scoped key, usually the printed number ('3')."""
    label: str
    """The label as printed ('3', '*', 'a')."""
    id: str
    """Book-wide unique id of the note text (see :func:`note_id`)."""
    ref_ids: tuple[str, ...]
    """Ids of the calls of this note in title and body, in order; empty if never called."""
    html: str
    """The note's text as XHTML blocks, without its label."""
    text: str = ""
    """Plain text of the note."""


@dataclass
class Document:
    """One document (speech, article, order, letter, preface) of a volume."""

    id: str
    """Book-wide unique id, used for file names and XML ids (a slug)."""
    source_path: str
    """The file it was read from, relative to the volume folder."""
    title: str
    """Plain-text title for contents, running heads and metadata; note markers removed."""
    title_html: str = ""
    """Inline XHTML of the title, with note calls kept; defaults to the escaped title."""
    occasion: str | None = None
    """Inline XHTML of an occasion line ('Speech at a meeting of …')."""
    source_line: str | None = None
    """Inline XHTML of the bracketed source line ('From Pravda, March 21, 1918.')."""
    date_text: str | None = None
    """The closing date as printed ('December 30, 1918')."""
    date: _dt.date | None = None
    """The closing date parsed, when it can be."""
    part_heading: str | None = None
    """A part heading the source placed before the title, if any."""
    blocks: list[Block] = field(default_factory=list)
    """The body, in order."""
    notes: list[Note] = field(default_factory=list)
    """The document's notes, in order."""
    metadata: dict[str, str] = field(default_factory=dict)
    """Labelled facts from the source ('Written', 'First Published', 'Source', 'Translated')."""
    credits: list[str] = field(default_factory=list)
    """Credit lines ('Transcribed … by David Walters'), for the colophon."""
    warnings: list[str] = field(default_factory=list)
    """What the reader had to guess or drop; also logged."""
    guesses: list[str] = field(default_factory=list)
    """What the reader took on trust without being wrong to (a title from ``<title>``),
    for ``bookmaker inspect``; not logged."""
    kind: Literal["text", "front", "back"] = "text"
    """Body text, or front/back matter (prefaces, editor's notes, indexes)."""
    language: str = ""
    """BCP 47 tag of the text: a reader sets it from the page (``lang``) where it says;
    the pipeline then settles it (the manifest's, the page's, else the volume's)."""

    @property
    def body_html(self) -> str:
        """The whole body as one XHTML fragment."""
        return "\n".join(block.html for block in self.blocks)

    @property
    def words(self) -> int:
        """Number of words in the body (notes and title excluded)."""
        return sum(count_words(block.text) for block in self.blocks)

    def block_keys(self) -> list[str]:
        """A key for each block, ``b:<doc id>:<hash of its markup>`` (``.2``, ``.3`` on a
        repeat): the :class:`PageStart` key of its text. A hash, not the block's index, so
        that an edit leaves the keys of every other block, and the PDF's cached renders of
        them, unchanged."""
        keys, seen = [], {}
        for block in self.blocks:
            digest = f"{zlib.crc32(block.html.encode('utf-8', 'surrogatepass')):08x}"
            seen[digest] = seen.get(digest, 0) + 1
            keys.append(f"b:{self.id}:{digest}" + (f".{seen[digest]}" if seen[digest] > 1 else ""))
        return keys


@dataclass
class Part:
    """A group of documents under a heading; a volume without parts has one untitled part."""

    id: str
    """Book-wide unique id."""
    title: str | None
    """The part's title; None for the implicit part of a flat volume."""
    documents: list[Document] = field(default_factory=list)
    """The part's documents, in order."""
    intro_html: str | None = None
    """Optional XHTML blocks printed on the part page."""


@dataclass(frozen=True)
class PageStart:
    """Where a page of the print edition begins in the text.

    ``key`` names the element the page's first text belongs to — ``b:<doc>:<hash>``
    (a block, :meth:`Document.block_keys`), ``n:<note id>`` (a note's text), ``l:<note id>`` (its
    label), ``d:<doc>`` (the
    document's heading), ``t:<doc>`` (its closing date), ``h:<doc>`` (its notes'
    heading), ``p:<part>`` (a part page) — and ``word`` how many of its words
    (:func:`bookmaker.text.word_starts`) come before. A page with none of the
    volume's text (a blank verso, the title page) has ``key`` None.
    """

    label: str
    """The page's printed folio: 'iv', '37'."""
    key: str | None = None
    word: int = 0


@dataclass(frozen=True)
class Asset:
    """A file of the volume that the books show (an image, the cover), read by the
    pipeline through :mod:`bookmaker.resources`: builders never open the volume's files."""

    path: str
    """Relative to the volume folder, as the documents' ``<img src>`` say it after reading."""
    media_type: str
    data: bytes = field(repr=False)


@dataclass
class Volume:
    """A whole book: metadata, settings and its parts of documents."""

    slug: str
    """File-name stem of the outputs (from the volume folder's name)."""
    info: VolumeInfo
    """Bibliographic metadata."""
    settings: Settings
    """Typography and builder options."""
    parts: list[Part]
    """Parts in order; every document belongs to exactly one."""
    root: str = "."
    """The volume folder (absolute path as a string): where its own ``templates/`` and
    ``styles/`` are looked for, and the base of the documents' relative links."""
    assets: dict[str, Asset] = field(default_factory=dict)
    """Every image the documents show, by its volume-relative path."""
    cover: Asset | None = None
    """The manifest's cover image, when it names one."""
    source_date: _dt.datetime | None = None
    """Reproducible build date: SOURCE_DATE_EPOCH, else the newest source file's mtime."""
    page_starts: list[PageStart] = field(default_factory=list)
    """The print edition's pages, in order, when the PDF was built first (for the EPUB's
    page list); empty otherwise."""

    @property
    def documents(self) -> list[Document]:
        """All documents in reading order."""
        return [doc for part in self.parts for doc in part.documents]

    @property
    def has_parts(self) -> bool:
        """True when the volume is divided into titled parts."""
        return any(part.title for part in self.parts)

    def credits(self) -> list[str]:
        """Distinct credit lines of all documents, in first-seen order."""
        seen: dict[str, None] = {}
        for doc in self.documents:
            for line in doc.credits:
                seen.setdefault(line, None)
        return list(seen)


IDENTIFIER_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/bookmaker/identifier")


def book_identifier(volume: Volume) -> str:
    """The manifest's identifier, else a UUID derived from the slug and title (never
    random): the same for the EPUB, the catalogue and the feeds."""
    if volume.info.identifier:
        return volume.info.identifier
    name = volume.slug + "\n" + volume.info.title
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, name)}"
