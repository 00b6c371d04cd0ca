"""What the catalogue shows of a volume: its model, built outputs, identifier and cover.

Outputs are built into the site itself (``books/<slug>/``) by
:func:`bookmaker.pipeline.build` (see :mod:`.runner`), so a volume whose inputs did
not change is not built again: the same output key as ``bookmaker build``.
Identifier and cover are read back from the built EPUB, so the feeds match the book
by construction.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree
from PIL import Image

from bookmaker.catalog.files import write_if_changed
from bookmaker.errors import BuildError
from bookmaker.log import warn
from bookmaker.model import Volume, book_identifier

if TYPE_CHECKING:
    pass

BOOKS_DIR = "books"
"""Folder of the site holding one sub-folder per volume."""
THUMB_SIZE = (400, 640)
"""Largest thumbnail box; shown at about half that on screen, sharp on dense displays."""

MEDIA_TYPES = {".epub": "application/epub+zip", ".pdf": "application/pdf"}
_CONTAINER_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container"}
_OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}



@dataclass(frozen=True)
class Download:
    """A file offered for download."""

    format: str
    """'epub' or 'pdf'."""
    path: Path
    """The file in the site."""
    href: str
    """Its URL path relative to the site root."""
    media_type: str
    size: int
    """Bytes."""
    label: str
    """'EPUB', 'PDF', or a document's title for a per-document PDF."""
    document_id: str | None = None
    """The document a split PDF holds."""


@dataclass(frozen=True)
class Picture:
    """An image in the site."""

    href: str
    media_type: str
    width: int
    height: int


@dataclass
class Entry:
    """One volume of the catalogue."""

    volume: Volume
    identifier: str
    """The EPUB's ``dc:identifier`` (or the manifest's, when no EPUB was built)."""
    downloads: list[Download] = field(default_factory=list)
    """Whole-book files, EPUB first."""
    document_pdfs: list[Download] = field(default_factory=list)
    """Per-document PDFs (built with ``--split``), in reading order."""
    cover: Picture | None = None
    thumbnail: Picture | None = None
    reused: list[str] = field(default_factory=list)
    """Formats whose earlier output was fresh and kept."""

    @property
    def slug(self) -> str:
        return self.volume.slug

    @property
    def page_href(self) -> str:
        """The volume's page, relative to the site root."""
        return f"{BOOKS_DIR}/{self.slug}/index.html"

    def document_pdf(self, doc_id: str) -> Download | None:
        """The split PDF of one document, if built."""
        return next((d for d in self.document_pdfs if d.document_id == doc_id), None)


# ---------------------------------------------------------------------- EPUB


@dataclass(frozen=True)
class EpubFacts:
    """What the catalogue reads back from a built EPUB."""

    identifier: str | None
    cover: bytes | None
    cover_type: str | None


def read_epub_facts(epub: Path) -> EpubFacts:
    """The package's unique identifier and its cover image (``properties="cover-image"``)."""
    try:
        with zipfile.ZipFile(epub) as archive:
            container = etree.fromstring(archive.read("META-INF/container.xml"))
            opf_path = container.xpath("string(//c:rootfile/@full-path)", namespaces=_CONTAINER_NS)
            opf = etree.fromstring(archive.read(opf_path))
            identifier = _unique_identifier(opf)
            href, media_type = _cover_item(opf)
            data = None
            if href:
                data = archive.read(posixpath.normpath(posixpath.join(posixpath.dirname(opf_path),
                                                                      href)))
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise BuildError(f"cannot read the built EPUB: {exc}; rebuild it", epub) from None
    return EpubFacts(identifier, data, media_type if data else None)


def _unique_identifier(opf: etree._Element) -> str | None:
    uid = opf.get("unique-identifier")
    found = opf.xpath("//dc:identifier[@id=$uid]", namespaces=_OPF_NS, uid=uid or "")
    if not found:
        found = opf.xpath("//dc:identifier", namespaces=_OPF_NS)
    return found[0].text.strip() if found and found[0].text else None


def _cover_item(opf: etree._Element) -> tuple[str | None, str | None]:
    items = opf.xpath("//opf:manifest/opf:item[contains(concat(' ', @properties, ' '), "
                      "' cover-image ')]", namespaces=_OPF_NS)
    if not items:  # EPUB 2 style: <meta name="cover" content="item id"/>
        cover_id = opf.xpath("string(//opf:metadata/opf:meta[@name='cover']/@content)",
                             namespaces=_OPF_NS)
        items = opf.xpath("//opf:manifest/opf:item[@id=$id]", namespaces=_OPF_NS, id=cover_id)
    if not items:
        return None, None
    return items[0].get("href"), items[0].get("media-type")


# -------------------------------------------------------------------- collect


def describe(volume: Volume, site: Path, formats: list[str], split: bool,
             reused: list[str]) -> Entry:
    """The catalogue's entry for a volume whose outputs are in ``site``."""
    folder = site / BOOKS_DIR / volume.slug
    entry = Entry(volume=volume, identifier=book_identifier(volume), reused=list(reused))
    for fmt in formats:
        target = folder / f"{volume.slug}.{fmt}"
        entry.downloads.append(_download(site, target, fmt, fmt.upper()))
    if "pdf" in formats and split:
        entry.document_pdfs = _document_pdfs(site, folder, volume)
    if "epub" in formats:
        facts = read_epub_facts(folder / f"{volume.slug}.epub")
        entry.identifier = facts.identifier or entry.identifier
        if facts.cover:
            entry.cover, entry.thumbnail = _write_cover(site, folder, facts)
        else:
            warn("the built EPUB has no cover-image item; the catalogue shows no cover",
                 str(folder / f"{volume.slug}.epub"))
    return entry


def _download(site: Path, path: Path, fmt: str, label: str, doc_id: str | None = None) -> Download:
    if not path.is_file():
        raise BuildError(f"expected output {path.name} was not built", path)
    return Download(format=fmt, path=path, href=path.relative_to(site).as_posix(),
                    media_type=MEDIA_TYPES[path.suffix], size=path.stat().st_size, label=label,
                    document_id=doc_id)


def _document_pdfs(site: Path, folder: Path, volume: Volume) -> list[Download]:
    """Split PDFs named ``<slug>-<document id>.pdf``, matched to documents in reading order."""
    found = []
    for doc in volume.documents:
        path = folder / f"{volume.slug}-{doc.id}.pdf"
        if path.is_file():
            found.append(_download(site, path, "pdf", doc.title, doc.id))
    return found


def _write_cover(site: Path, folder: Path, facts: EpubFacts) -> tuple[Picture, Picture | None]:
    """Copy the cover beside the book and make a JPEG thumbnail of it with Pillow."""
    suffix = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif",
              "image/webp": ".webp", "image/svg+xml": ".svg"}.get(facts.cover_type or "", ".img")
    cover_path = folder / f"cover{suffix}"
    write_if_changed(cover_path, facts.cover or b"")
    try:
        with Image.open(io.BytesIO(facts.cover or b"")) as image:
            width, height = image.size
            image.thumbnail(THUMB_SIZE)
            rgb = image.convert("RGB")
    except (OSError, ValueError) as exc:  # an SVG cover, or a damaged image
        warn(f"cannot make a thumbnail of the cover ({exc}); showing the cover itself",
             str(cover_path))
        href = cover_path.relative_to(site).as_posix()
        return Picture(href, facts.cover_type or "", 0, 0), None
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    thumb_path = folder / "thumbnail.jpg"
    write_if_changed(thumb_path, buffer.getvalue())
    cover = Picture(cover_path.relative_to(site).as_posix(), facts.cover_type or "", width, height)
    thumb = Picture(thumb_path.relative_to(site).as_posix(), "image/jpeg", rgb.width, rgb.height)
    return cover, thumb
