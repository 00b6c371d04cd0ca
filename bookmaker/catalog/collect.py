"""Gather what the catalogue shows: each volume's model, built outputs, identifier and cover.

Outputs are built into the site itself (``books/<slug>/``) and reused while fresh:
newer than the manifest, every document and the cover, and made by this
bookmaker version with the same options (recorded in a small stamp file).
Identifier and cover are read back from the built EPUB, so the feeds match the
book by construction.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from PIL import Image

from bookmaker import __version__
from bookmaker.builders import BuildOptions
from bookmaker.catalog.files import write_if_changed
from bookmaker.errors import BuildError, ManifestError
from bookmaker.log import LOGGER, warn
from bookmaker.manifest import load_manifest
from bookmaker.model import Volume, book_identifier

BOOKS_DIR = "books"
"""Folder of the site holding one sub-folder per volume."""
STAMP_NAME = ".bookmaker-build.json"
"""Records the version and options the outputs in a volume folder were built with."""
THUMB_SIZE = (400, 640)
"""Largest thumbnail box; shown at about half that on screen, sharp on dense displays."""

MEDIA_TYPES = {".epub": "application/epub+zip", ".pdf": "application/pdf"}
_CONTAINER_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container"}
_OPF_NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}

Builder = Callable[..., object]
"""``pipeline.build``'s signature: ``(volume, formats, out_dir, options) -> BuildReport``."""


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


# ------------------------------------------------------------------ freshness


def source_files(volume_path: str | Path) -> list[Path]:
    """The files an output depends on: manifest, documents and cover image."""
    manifest = load_manifest(volume_path)
    files = [manifest.path, *(spec.path for spec in manifest.documents)]
    if manifest.info.cover:
        files.append(manifest.root / manifest.info.cover)
    return files


def _stamp(formats: list[str], options: BuildOptions) -> dict:
    return {"bookmaker": __version__, "split": options.split, "formats": sorted(formats)}


def read_stamp(folder: Path) -> dict:
    """The stamp of a volume folder in the site; empty when missing or unreadable."""
    try:
        data = json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_fresh(output: Path, sources: list[Path], stamp: dict, options: BuildOptions) -> bool:
    """True when ``output`` is newer than every source and was made by this version alike."""
    if stamp.get("bookmaker") != __version__ or stamp.get("split") != options.split:
        return False
    try:
        built = output.stat().st_mtime
    except OSError:
        return False
    try:
        newest = max(path.stat().st_mtime for path in sources)
    except OSError:
        return False  # a source vanished: rebuild so the error is reported
    return built > newest


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


def collect(
    volume_paths: list[Path],
    site: Path,
    formats: list[str],
    options: BuildOptions,
    load: Callable[[Path], Volume],
    build: Builder,
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
) -> list[Entry]:
    """Load, build (or reuse) and describe every volume, in the order given."""
    entries: list[Entry] = []
    seen: dict[str, Path] = {}
    for done, path in enumerate(volume_paths):
        progress("catalogue", done, len(volume_paths))
        volume = load(path)
        if volume.slug in seen:
            raise ManifestError(
                f"two volumes share the folder name '{volume.slug}' ({seen[volume.slug]} and "
                f"{path}); rename one folder", path)
        seen[volume.slug] = Path(path)
        entries.append(_collect_one(Path(path), volume, site, formats, options, build))
    progress("catalogue", len(volume_paths), len(volume_paths))
    return entries


def _collect_one(path: Path, volume: Volume, site: Path, formats: list[str],
                 options: BuildOptions, build: Builder) -> Entry:
    folder = site / BOOKS_DIR / volume.slug
    folder.mkdir(parents=True, exist_ok=True)
    sources = source_files(path)
    stamp = read_stamp(folder)
    stale = [fmt for fmt in formats
             if not is_fresh(folder / f"{volume.slug}.{fmt}", sources, stamp, options)
             or (fmt == "pdf" and options.split and not _split_pdfs_present(folder, volume))]
    if stale:
        LOGGER.info(f"building {volume.slug}: {', '.join(stale)}")
        (folder / STAMP_NAME).unlink(missing_ok=True)  # a failed build leaves no false stamp
        build(volume, stale, folder, options)
        _make_public(folder)
    stamp = _stamp(formats, options)
    write_if_changed(folder / STAMP_NAME, (json.dumps(stamp, indent=1) + "\n").encode("utf-8"))
    entry = Entry(volume=volume, identifier=book_identifier(volume),
                  reused=[fmt for fmt in formats if fmt not in stale])
    for fmt in formats:
        target = folder / f"{volume.slug}.{fmt}"
        entry.downloads.append(_download(site, target, fmt, fmt.upper()))
    if "pdf" in formats and options.split:
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


def _make_public(folder: Path) -> None:
    """Outputs are written through private temporary files; a site must be readable by all."""
    umask = os.umask(0)
    os.umask(umask)
    for path in folder.iterdir():
        if path.is_file():
            path.chmod(0o666 & ~umask)


def _download(site: Path, path: Path, fmt: str, label: str, doc_id: str | None = None) -> Download:
    if not path.is_file():
        raise BuildError(f"expected output {path.name} was not built", path)
    return Download(format=fmt, path=path, href=path.relative_to(site).as_posix(),
                    media_type=MEDIA_TYPES[path.suffix], size=path.stat().st_size, label=label,
                    document_id=doc_id)


def _split_pdfs_present(folder: Path, volume: Volume) -> bool:
    return all((folder / f"{volume.slug}-{doc.id}.pdf").is_file() for doc in volume.documents)


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
