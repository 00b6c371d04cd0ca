"""The EPUB 3 builder: a volume in, one reproducible ``.epub`` out.

Every page is rendered from a Jinja2 template (``bookmaker/templates/epub/``,
overridable per volume and per style), finished with lxml (note calls get their
EPUB 3 type), assembled into a package with ebooklib, then re-packed so that the
same volume always gives the same bytes.

Reading order: cover, title page, imprint, contents, front matter, then each
part (its title page, its documents), then back matter.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ebooklib import epub

from bookmaker import __version__
from bookmaker.builders import BuildOptions, BuildResult
from bookmaker.builders.epub import split as epub_split
from bookmaker.builders.epub.cover import DRAWN_FILE_NAME, CoverImage, cover_for
from bookmaker.builders.epub.finish import FinishedPage, MarkupError, finish_page, finish_xml
from bookmaker.builders.epub.images import ImageStore
from bookmaker.builders.epub.memo import PageMemo
from bookmaker.builders.epub.metadata import (
    ImageFacts,
    build_date,
    set_metadata,
    text_direction,
)
from bookmaker.builders.epub.ocf import repack
from bookmaker.builders.epub.pages import PageBreaks, page_list, with_page_breaks
from bookmaker.builders.epub.split import cut_document, linker, links_for, piece_document
from bookmaker.cache import Cache
from bookmaker.errors import BuildError, OutputError
from bookmaker.labels import format_date, labels_for, series_number
from bookmaker.log import warn
from bookmaker.model import Document, Part, Volume, VolumeInfo, book_identifier
from bookmaker.templating import find_style_file, make_environment

NAME = "epub"
SUFFIX = ".epub"

TEXT_DIR = "text"
"""Folder of the XHTML pages inside the package folder."""
CSS_FILE = "css/epub.css"
NCX_FILE = "toc.ncx"

MATTER_TYPES = [
    ("foreword", "foreword", "doc-foreword"),
    ("preface", "preface", "doc-preface"),
    ("introduction", "introduction", "doc-introduction"),
    ("prologue", "prologue", "doc-prologue"),
    ("epilogue", "epilogue", "doc-epilogue"),
    ("afterword", "afterword", "doc-afterword"),
    ("appendix", "appendix", "doc-appendix"),
    ("glossary", "glossary", "doc-glossary"),
    ("bibliography", "bibliography", "doc-bibliography"),
    ("acknowledg", "acknowledgments", "doc-acknowledgments"),
]
"""Front and back matter recognised by a word of its title: (word, epub:type, ARIA role)."""


# ----------------------------------------------------------------- the plan


@dataclass
class Page:
    """One XHTML file of the book, before rendering."""

    id: str
    """Manifest id (an XML name)."""
    file: str
    """Path inside the package folder, e.g. 'text/doc-0001.xhtml'."""
    title: str
    """Plain title: the page's <title> and its contents entry."""
    template: str
    """Template name, e.g. 'document.xhtml'."""
    body_type: str | None
    """epub:type of <body>: frontmatter, bodymatter or backmatter."""
    context: dict[str, Any] = field(default_factory=dict)
    """What the template needs besides the common context."""
    source: str | None = None
    """The source file, for error messages."""
    properties: list[str] = field(default_factory=list)
    """Manifest properties ('nav')."""
    content: bool = False
    """A page of the volume's own content (document, part), whose images are packed."""
    inputs: tuple | None = None
    """A document page: everything its context holds besides the common context (for
    :class:`.memo.PageMemo`)."""


@dataclass
class NavEntry:
    """A line of the contents, with the entries nested under it."""

    title: str
    file: str
    """Target inside the package folder (with a fragment, if any)."""
    children: list[NavEntry] = field(default_factory=list)
    order: int = 0
    """Position in reading order, from 1 (the NCX's playOrder)."""
    href: str = ""
    """Target relative to the file that links to it; set when rendering."""


@dataclass
class Plan:
    """The whole book laid out: pages in reading order, contents and landmarks."""

    pages: list[Page]
    contents: list[NavEntry]
    landmarks: list[dict[str, str]]
    """epub:type, file and title of each landmark."""


_NAME_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _file_stem(ident: str, taken: set[str]) -> str:
    """A file stem and manifest id from a model id, unique within the book."""
    stem = ident if _NAME_OK.match(ident) else "x-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", ident)
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}-{n}", n + 1
    taken.add(candidate)
    return candidate


def matter_semantics(doc: Document) -> tuple[str | None, str | None]:
    """epub:type and ARIA role of a document's section."""
    if doc.kind == "text":
        return "chapter", "doc-chapter"
    title = doc.title.lower()
    for word, epub_type, role in MATTER_TYPES:
        if word in title:
            return epub_type, role
    return None, None


def _document_pages(doc: Document, level: int, body_type: str, taken: set[str],
                    split_limit: int) -> list[Page]:
    """The pages of one document: one, or several when it is too long for one file."""
    stem = _file_stem(doc.id, taken)
    section_type, role = matter_semantics(doc)
    title = doc.title.strip() or doc.id
    pieces = cut_document(doc, split_limit)
    stems = [stem] + [_file_stem(f"{stem}_{piece.number}", taken) for piece in pieces[1:]]
    links = links_for(doc, pieces, [f"{s}.xhtml" for s in stems]) if len(pieces) > 1 else None
    pages = []
    for piece, piece_stem in zip(pieces, stems, strict=True):
        context = {
            "doc": piece_document(doc, piece, links) if links else doc,
            "level": level,
            "section_type": section_type,
            "section_role": role,
            "piece": piece,
            "link": linker(links, piece.number),
        }
        if doc.language:  # a document in another language than the volume says so
            context.update(lang=doc.language, direction=text_direction(doc.language))
        pages.append(Page(piece_stem, f"{TEXT_DIR}/{piece_stem}.xhtml", title, "document.xhtml",
                          body_type, context, source=doc.source_path, content=True,
                          inputs=(doc, stems, piece.number, level, split_limit)))
    return pages


def plan_book(volume: Volume, split_limit: int | None = None) -> Plan:
    """Lay the volume out as pages in reading order, with its contents and landmarks.

    A document longer than ``split_limit`` bytes (:data:`epub_split.SPLIT_LIMIT` by
    default) spans several pages; only its first is in the contents.
    """
    if not volume.documents:
        raise BuildError("the volume has no documents; list some in volume.toml")
    limit = split_limit or epub_split.SPLIT_LIMIT
    labels = labels_for(volume.info.language)
    taken = {"cover", "titlepage", "imprint", "nav", "css", "ncx", "cover-img"}
    pages = [
        Page("cover", f"{TEXT_DIR}/cover.xhtml", labels["cover"], "cover.xhtml", "frontmatter"),
        Page("titlepage", f"{TEXT_DIR}/titlepage.xhtml", labels["title_page"], "titlepage.xhtml",
             "frontmatter"),
        Page("imprint", f"{TEXT_DIR}/imprint.xhtml", labels["imprint"], "imprint.xhtml",
             "frontmatter"),
        Page("nav", f"{TEXT_DIR}/nav.xhtml", labels["contents"], "nav.xhtml", "frontmatter",
             properties=["nav"]),
    ]
    contents: list[NavEntry] = []

    def add_document(doc: Document, level: int, body_type: str, entries: list[NavEntry]) -> None:
        doc_pages = _document_pages(doc, level, body_type, taken, limit)
        pages.extend(doc_pages)
        entries.append(NavEntry(doc_pages[0].title, doc_pages[0].file))

    front = [d for d in volume.documents if d.kind == "front"]
    back = [d for d in volume.documents if d.kind == "back"]
    for doc in front:
        add_document(doc, 1, "frontmatter", contents)

    body_start: str | None = None
    for part in volume.parts:
        texts = [d for d in part.documents if d.kind == "text"]
        if not texts:
            continue
        first = len(pages)
        children = contents
        level = 1
        if part.title:
            page = _part_page(part, taken)
            pages.append(page)
            entry = NavEntry(part.title, page.file)
            contents.append(entry)
            children = entry.children
            level = 2
        for doc in texts:
            add_document(doc, level, "bodymatter", children)
        if body_start is None:
            body_start = pages[first].file

    for doc in back:
        add_document(doc, 1, "backmatter", contents)

    _number(contents)
    landmarks = [
        {"type": "cover", "file": pages[0].file, "title": labels["cover"]},
        {"type": "titlepage", "file": pages[1].file, "title": labels["title_page"]},
        {"type": "toc", "file": pages[3].file + "#toc", "title": labels["contents"]},
    ]
    if body_start is None and len(pages) > 4:
        body_start = pages[4].file
    if body_start:
        landmarks.append({"type": "bodymatter", "file": body_start, "title": labels["start"]})
    return Plan(pages, contents, landmarks)


def _part_page(part: Part, taken: set[str]) -> Page:
    stem = _file_stem(part.id, taken)
    return Page(stem, f"{TEXT_DIR}/{stem}.xhtml", part.title or "", "part.xhtml", "bodymatter",
                {"part": part}, content=True)


def _number(entries: list[NavEntry], start: int = 1) -> int:
    """Number entries in reading order (depth first) for the NCX playOrder."""
    n = start
    for entry in entries:
        entry.order = n
        n = _number(entry.children, n + 1)
    return n


def _relative(target: str, from_file: str) -> str:
    """``target`` (a package path, maybe with a fragment) as seen from ``from_file``."""
    path, _, fragment = target.partition("#")
    href = posixpath.relpath(path, posixpath.dirname(from_file) or ".")
    return f"{href}#{fragment}" if fragment else href


def _with_hrefs(entries: list[NavEntry], from_file: str) -> list[NavEntry]:
    """The entries with ``href`` relative to ``from_file``'s folder."""
    for entry in entries:
        entry.href = _relative(entry.file, from_file)
        _with_hrefs(entry.children, from_file)
    return entries


# ------------------------------------------------------------------ render


def _imprint_people(info: VolumeInfo, labels: dict[str, str]) -> list[dict[str, str]]:
    """Contributors the imprint's first line does not already name; unknown roles print as
    their MARC code."""
    return [
        {"name": p.name, "role_label": labels.get(f"role_{p.role}", p.role)}
        for p in info.all_contributors()
        if p.role not in ("aut", "trl")
    ]


@dataclass
class Rendered:
    """Every finished file of the book, before packing."""

    pages: dict[str, bytes]
    """XHTML pages (and the NCX under 'ncx') by manifest id."""
    images: ImageFacts
    store: ImageStore
    """The documents' images to pack."""
    warnings: list[str] = field(default_factory=list)
    """What finishing the pages had to drop, as logged."""


def render_pages(volume: Volume, plan: Plan, cover_file: str, identifier: str,
                 when: dt.datetime, breaks: PageBreaks | None = None,
                 memo: PageMemo | None = None) -> Rendered:
    """Every page of ``plan`` rendered and finished; the nav last, so that its page list
    can point at the files the page-break markers landed in. Document pages in ``memo``
    are taken from it."""
    breaks = breaks or with_page_breaks(volume)
    env = make_environment("epub", Path(volume.root), volume.settings.epub.style)
    store = ImageStore(volume.assets)
    facts = ImageFacts()
    info = volume.info
    labels = labels_for(info.language)
    common: dict[str, Any] = {
        "labels": labels,
        "volume": volume,
        "info": info,
        "lang": info.language,
        "direction": text_direction(info.language),
        "identifier": identifier,
        "version": __version__,
        "series_number": (
            series_number(info.series_number) or None
        ),
        "page_break": breaks.page_break,
    }
    extra: dict[str, dict[str, Any]] = {
        "cover": {
            "cover_alt": f"{labels['cover']}: {info.full_title}"
            + (f", {', '.join(info.authors)}" if info.authors else ""),
        },
        "imprint": {
            "people": _imprint_people(info, labels),
            "credits": volume.credits(),
            "build_date": when.date(),
            "build_date_text": format_date(when.date(), info.language),
        },
    }
    rendered: dict[str, bytes] = {}
    warnings: list[str] = []
    if memo is not None:
        memo.start(env, [labels, info, identifier, __version__, volume.page_starts, cover_file])
    for page in sorted(plan.pages, key=lambda page: "nav" in page.properties):
        key = memo.key(page) if memo is not None else None
        finished = memo.get(key) if memo is not None else None
        if finished is None:
            finished, images_asked = _finish(page, plan, volume, env, common, extra, rendered,
                                             store, cover_file)
            if memo is not None:
                memo.put(key, finished, images_asked)
        for problem in finished.problems:
            warn(problem, page.source or page.file)
            warnings.append(f"{page.source or page.file}: {problem}")
        facts.count += finished.images
        facts.without_alt += finished.images_without_alt
        rendered[page.id] = finished.data
    if memo is not None:
        memo.finish()
    ncx = env.get_template("toc.ncx").render(
        {**common, "entries": _with_hrefs(plan.contents, NCX_FILE),
         "depth": 2 if any(e.children for e in plan.contents) else 1}
    )
    rendered["ncx"] = finish_xml(ncx)
    return Rendered(rendered, facts, store, warnings)


def _finish(page: Page, plan: Plan, volume: Volume, env, common: dict[str, Any],
            extra: dict[str, dict[str, Any]], rendered: dict[str, bytes], store: ImageStore,
            cover_file: str) -> tuple[FinishedPage, bool]:
    """One page rendered and finished; and whether it asked for images."""
    asked = False
    base = posixpath.dirname(page.file)
    context = {
        **common,
        **extra.get(page.id, {}),
        **page.context,
        "page": page,
        "css_href": posixpath.relpath(CSS_FILE, base),
        "cover_href": posixpath.relpath(cover_file, base),
    }
    if "nav" in page.properties:
        context["entries"] = _with_hrefs(plan.contents, page.file)
        context["landmarks"] = [
            {**mark, "href": _relative(mark["file"], page.file)} for mark in plan.landmarks
        ]
        files = {p.id: p.file for p in plan.pages}
        context["page_list"] = [
            {**entry, "href": _relative(entry["file"], page.file)}
            for entry in page_list(volume.page_starts, rendered, files)
        ]
    text = env.get_template(page.template).render(context)
    new_src = None
    if page.content:
        def new_src(src: str, page: Page = page) -> str | None:
            nonlocal asked
            asked = True
            image = store.add(src)
            return _relative(image.file, page.file) if image else None
    try:
        finished = finish_page(text, new_src)
    except MarkupError as exc:
        raise BuildError(
            f"the EPUB page '{page.file}' is not well-formed XHTML ({exc}); "
            "check the document's markup or the overriding template",
            page.source or page.template,
        ) from None
    return finished, asked


# ------------------------------------------------------------------ build


def assemble(volume: Volume, plan: Plan, rendered: Rendered, cover: CoverImage,
             identifier: str, when: dt.datetime) -> bytes:
    """The EPUB package written by ebooklib (not yet reproducible byte-wise)."""
    book = epub.EpubBook()
    set_metadata(book, volume, identifier, rendered.images)
    css = find_style_file("epub.css", Path(volume.root), volume.settings.epub.style)
    book.add_item(epub.EpubItem(uid="css", file_name=CSS_FILE, media_type="text/css",
                                content=css.read_bytes()))
    book.set_cover(cover.file_name, cover.data, create_page=False)
    for number, image in enumerate(rendered.store.packaged(), start=1):
        # An underscore: no document slug can take this id.
        book.add_item(epub.EpubItem(uid=f"img_{number}", file_name=image.file,
                                    media_type=image.media_type, content=image.data))
    for page in plan.pages:
        item = epub.EpubItem(uid=page.id, file_name=page.file,
                             media_type="application/xhtml+xml", content=rendered.pages[page.id])
        item.properties = list(page.properties)
        book.add_item(item)
    book.add_item(epub.EpubItem(uid="ncx", file_name=NCX_FILE,
                                media_type="application/x-dtbncx+xml",
                                content=rendered.pages["ncx"]))
    book.spine = [page.id for page in plan.pages]
    guide_types = {"cover": "cover", "titlepage": "title-page", "toc": "toc", "bodymatter": "text"}
    book.guide = [
        {"type": guide_types[mark["type"]], "href": mark["file"], "title": mark["title"]}
        for mark in plan.landmarks
    ]
    buffer = io.BytesIO()
    # Level 0: :func:`.ocf.repack` inflates every entry and deflates it again, once.
    epub.write_epub(buffer, book, {"mtime": when, "raise_exceptions": True, "compresslevel": 0,
                                   "epub3_landmark": False, "epub3_pages": False})
    return buffer.getvalue()


def build(volume: Volume, target: Path, options: BuildOptions, *,
          split_limit: int | None = None) -> BuildResult:
    """Write ``volume`` as an EPUB 3 book to ``target``.

    ``split_limit`` is the size in bytes past which a document is cut into several
    files (:data:`epub_split.SPLIT_LIMIT` by default).
    """
    when = build_date(volume)
    identifier = book_identifier(volume)
    with ThreadPoolExecutor(1) as drawing:
        # A drawn cover is compressed while the pages render: zlib lets go of the GIL.
        # The publisher's own cover is only read, here.
        own = cover_for(volume) if volume.cover else None
        drawn = (options.prepared or {}).get(NAME)  # started while the documents were read
        if own is None and drawn is None:
            drawn = drawing.submit(cover_for, volume, Cache(options.cache_dir, "epub"))
        breaks = with_page_breaks(volume)  # the print edition's pages, when known
        plan = plan_book(breaks.volume, split_limit)
        memo = options.kept.setdefault(NAME, PageMemo()) if options.kept is not None else None
        rendered = render_pages(breaks.volume, plan, own.file_name if own else DRAWN_FILE_NAME,
                                identifier, when, breaks, memo)
        cover = own or drawn.result()
    archive = assemble(volume, plan, rendered, cover, identifier, when)
    data = repack(archive, when)
    try:
        Path(target).write_bytes(data)
    except OSError as exc:
        raise OutputError(f"cannot write the EPUB: {exc.strerror or exc}", target) from None
    return BuildResult(path=Path(target), warnings=rendered.warnings)
