"""The EPUB package's metadata: Dublin Core, EPUB 3 refinements, series, accessibility.

Also the values the metadata is made from and that must not change between
builds of the same volume: the identifier, the build date, the text direction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ebooklib import epub

from bookmaker import __version__
from bookmaker.labels import series_number
from bookmaker.log import warn
from bookmaker.model import Volume
from bookmaker.reproducible import epoch_date
from bookmaker.scripts import text_direction

"""Namespace of the identifiers derived from a volume's slug and title."""

FALLBACK_DATE = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
"""Build date when the volume has none and SOURCE_DATE_EPOCH is unset (never the clock)."""

# ------------------------------------------------------------ dates and ids


def build_date(volume: Volume) -> dt.datetime:
    """The reproducible build date (UTC): the volume's, SOURCE_DATE_EPOCH, else a fixed date."""
    when = volume.source_date
    if when is None:
        when = epoch_date()
        if when is None:
            warn("the volume has no build date and SOURCE_DATE_EPOCH is unset; "
                 "dating the EPUB 1980-01-01")
            when = FALLBACK_DATE
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).replace(microsecond=0)


def file_as(name: str) -> str:
    """Sort form of a personal name: 'Leon Trotsky' → 'Trotsky, Leon'."""
    words = name.split()
    if len(words) < 2:
        return name
    return f"{words[-1]}, {' '.join(words[:-1])}"


_W3CDTF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# ---------------------------------------------------------------- metadata


def set_metadata(book: epub.EpubBook, volume: Volume, identifier: str,
                 images: ImageFacts) -> None:
    """Dublin Core, EPUB 3 refinements, series (EPUB 3 and calibre) and accessibility.

    dcterms:modified is written by ebooklib from the ``mtime`` option (the build date).
    """
    info = volume.info

    def meta(value: str, **attributes: str) -> None:
        book.add_metadata(None, "meta", value, attributes)

    book.metadata[epub.NAMESPACES["OPF"]]["generator"] = [
        ("", {"name": "generator", "content": f"bookmaker {__version__}"})
    ]
    book.IDENTIFIER_ID = "book-id"
    book.set_identifier(identifier)
    book.title = info.title
    book.add_metadata("DC", "title", info.title, {"id": "title"})
    meta("main", refines="#title", property="title-type")
    if info.subtitle:
        book.add_metadata("DC", "title", info.subtitle, {"id": "subtitle"})
        meta("subtitle", refines="#subtitle", property="title-type")
    book.set_language(info.language)
    if text_direction(info.language) == "rtl":
        book.set_direction("rtl")  # the spine's page-progression-direction

    counters = {"creator": 0, "contributor": 0}
    for person in info.all_contributors():
        element = "creator" if person.role == "aut" else "contributor"
        counters[element] += 1
        ident = f"{element}-{counters[element]}"
        book.add_metadata("DC", element, person.name, {"id": ident})
        meta(person.role, refines=f"#{ident}", property="role", scheme="marc:relators")
        meta(person.file_as or file_as(person.name), refines=f"#{ident}", property="file-as")

    if info.date and _W3CDTF.match(info.date):
        book.add_metadata("DC", "date", info.date)
    for name in ("publisher", "rights", "description", "source"):
        value = getattr(info, name)
        if value:
            book.add_metadata("DC", name, value)
    for subject in info.subjects:
        book.add_metadata("DC", "subject", subject)

    if info.series:
        meta(info.series, id="series", property="belongs-to-collection")
        meta("series", refines="#series", property="collection-type")
        if info.series_number is not None:
            meta(series_number(info.series_number), refines="#series", property="group-position")
        # calibre reads its own OPF 2 metas, not belongs-to-collection.
        book.add_metadata(None, "meta", "", {"name": "calibre:series", "content": info.series})
        if info.series_number is not None:
            book.add_metadata(None, "meta", "", {"name": "calibre:series_index",
                                                 "content": series_number(info.series_number)})

    pages_from = page_source(volume) if volume.page_starts else None
    if pages_from:
        # EPUB 3's way to name the edition a page list follows (EPUBCheck 5 does not yet
        # know Accessibility 1.1's a11y:pageBreakSource, and refuses it).
        book.add_metadata("DC", "source", pages_from, {"id": "pagination-source"})
        meta("pagination", refines="#pagination-source", property="source-of")
    set_accessibility(meta, images, pages_from)


@dataclass
class ImageFacts:
    """What the accessibility metadata may claim about the book's images."""

    count: int = 1
    """Images in the book, the cover included."""
    without_alt: int = 0
    """Images without alternative text."""


def page_source(volume: Volume) -> str:
    """The print edition the page numbers come from: 'Title (PDF edition), Publisher,
    ISBN …' as EPUB Accessibility 1.1's pageBreakSource names it."""
    info = volume.info
    parts = [f"{info.full_title} (PDF edition)"]
    if info.publisher:
        parts.append(info.publisher)
    identifier = (info.identifier or "").strip()
    if identifier.lower().startswith("urn:isbn:"):
        parts.append(f"ISBN {identifier[9:]}")
    return ", ".join(parts)


def set_accessibility(meta, images: ImageFacts, pages_from: str | None = None) -> None:
    """schema.org accessibility metadata, claiming only what is true of this book;
    ``pages_from`` names the print edition whose page numbers the book carries."""
    meta("textual", property="schema:accessMode")
    if images.count:
        meta("visual", property="schema:accessMode")
    meta("textual", property="schema:accessModeSufficient")
    for feature in ("structuralNavigation", "tableOfContents", "readingOrder"):
        meta(feature, property="schema:accessibilityFeature")
    if images.count and not images.without_alt:
        meta("alternativeText", property="schema:accessibilityFeature")
    if pages_from:
        for feature in ("pageBreakMarkers", "printPageNumbers", "pageNavigation"):
            meta(feature, property="schema:accessibilityFeature")
    meta("none", property="schema:accessibilityHazard")
    summary = ("Reflowable text with a navigable table of contents, headings for every part "
               "and document, and notes linked to their calls in both directions.")
    if pages_from:
        summary += " Page-break markers and a page list give the print edition's pages."
    if images.count and not images.without_alt:
        summary += " Every image, the cover included, has a text alternative."
    elif images.without_alt:
        summary += f" {images.without_alt} image(s) lack a text alternative."
    meta(summary, property="schema:accessibilitySummary")
