"""The print book rendered in groups, in parallel, with a cache: then assembled.

Why this way. WeasyPrint lays out about 20 pages a second in one process, and a
page's folio depends on every page before it, so one render cannot be split as
it stands. But in this book every part page and every document opens on a recto
(``openings = "recto"``), so a run of documents rendered on its own has the same
pages, the same sides and the same running heads as it has in the whole book;
only its folios differ. So:

1. the body is cut into *groups* of consecutive part pages and documents, which
   worker processes render with folios switched off (``--jobs``, all cores by
   default); each group's PDF is cached on disk by a hash of its HTML and of all
   that shapes it (styles, fonts, settings, bookmaker's and WeasyPrint's versions);
2. with every group's page count known, the front matter is rendered with the
   real page numbers in its contents (in a worker, while this process assembles
   the body);
3. :mod:`pikepdf` assembles the book: a blank verso wherever a group ended on a
   recto, folios stamped from a calibration render (:mod:`..folios`), named
   destinations merged so that note links and contents links work, an outline of
   parts and documents, page labels and document metadata.

The result is the same book as a single render (same pages, same text on every
page, same outline); a test compares the two. Books this path cannot make the
same way (documents opening on any page, screen PDFs, bleed, PDF/A and PDF/UA,
which need one structure tree) take the single render.
"""

from __future__ import annotations

import functools
import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from bookmaker import __version__
from bookmaker.builders import BuildOptions
from bookmaker.builders.pdf import boxes as pdf_boxes
from bookmaker.builders.pdf import workers
from bookmaker.builders.pdf.boxes import page_box
from bookmaker.builders.pdf.context import BookContext, PartView, book_context
from bookmaker.builders.pdf.folios import calibration_pdf, page_labels
from bookmaker.builders.pdf.fonts import (
    BookFace,
    font_face_css,
    make_static_font,
    plan_static_fonts,
)
from bookmaker.builders.pdf.pages import page_starts
from bookmaker.builders.pdf.parallel import chunks as pdf_chunks
from bookmaker.builders.pdf.parallel import contents as pdf_contents
from bookmaker.builders.pdf.parallel.assemble import Assembly
from bookmaker.builders.pdf.parallel.early import (  # noqa: F401 - start_* is this module's API too
    EDIT_GROUPS,
    GROUP_WORDS,
    EarlyWorkers,
    sections_allowed,
    start_workers_while_reading,
)
from bookmaker.builders.pdf.render import Renderer, page_css, render_html
from bookmaker.builders.pdf.workers import RenderJob
from bookmaker.cache import Cache, user_cache_folder
from bookmaker.checks import pdf as pdf_checks
from bookmaker.checks.messages import Message
from bookmaker.errors import BuildError
from bookmaker.log import LOGGER, warn
from bookmaker.model import PageStart, Volume
from bookmaker.reproducible import worker_count
from bookmaker.templating import find_style_file, make_environment

T = TypeVar("T")

CHUNK_UNIT_WORDS = 15_000
"""A document longer than :data:`.chunks.CHUNK_GROUPS` times this (60,000 words,
some 135 pages) is rendered in chunks of about that length (:mod:`.chunks`):
far beyond the length of a group, since each cut leaves a part-empty page."""

SECTION_CSS = """
/* Sectioned render: folios are stamped after assembly, the book title is carried
   by the body matter itself (there is no half-title in a group). */
@page {
  @top-left { content: none !important; }
  @top-right { content: none !important; }
  @bottom-center { content: none !important; }
}
.body-matter { string-set: booktitle attr(data-book-title); }
""" + pdf_chunks.CHUNK_CSS

OPENING, VERSO, RECTO, NONE = "opening", "verso", "recto", "none"


def can_render_in_sections(volume: Volume) -> bool:
    """True when the sectioned book equals the single render (see the module's docstring)."""
    return (sections_allowed(volume.settings.pdf, volume.info.language)
            and any(doc.kind != "front" for doc in volume.documents))


@dataclass
class Group:
    """Consecutive part pages and documents rendered together."""

    parts: list[PartView]
    """Part views holding only this group's documents; ``title`` None for a continued part."""
    html: str = ""
    key: str = ""

    @property
    def document_ids(self) -> list[str]:
        """Ids of the group's documents, in order (a long document's chunks: their keys)."""
        return [pdf_chunks.check_key(piece) for part in self.parts for piece in part.documents]


@dataclass
class RenderedGroup:
    """A rendered group as the cache keeps it."""

    pdf: bytes
    kinds: list[str]
    """Per page: opening, verso, recto or none (no folio)."""
    anchors: dict[str, int]
    """Page index (in the group) of each document and part id."""
    warnings: list[str] = field(default_factory=list)
    starts: list[Sequence | None] = field(default_factory=list)
    """Per page: where its text begins, (key, words before) (:mod:`..pages`; a list
    when it comes from the cache's JSON)."""


@dataclass
class SectionedBook:
    """What :func:`build_sections` made."""

    renderer: Renderer | None
    """This process's renderer, None when workers rendered everything."""
    pages: int
    messages: list[Message]
    page_starts: list[PageStart]


@dataclass
class Plan:
    """The book cut into groups, with all that rendering and assembling them share."""

    volume: Volume
    context: BookContext
    groups: list[Group]
    cache: Cache
    env_key: str
    """What every render depends on besides its HTML (styles, fonts, versions)."""
    progress: Callable[[str, int, int], None]
    started: float


@dataclass
class Renders:
    """Where renders run: in the pool's workers (for ``job``), else in this process."""

    face: BookFace | None
    pool: Executor | None = None
    job: RenderJob | None = None
    renderer: Renderer | None = None
    own_pool: bool = False
    """The pool was started for this book (not a cluster's): it ends with the book's last task."""

    def last_started(self) -> None:
        """No more tasks will start: workers leave as soon as the queue runs dry, while
        this process assembles, instead of after the book is written (a worker's exit,
        WeasyPrint's teardown included, took a few tenths of a second)."""
        if self.own_pool and self.pool is not None:
            self.pool.shutdown(wait=False)

    def start(self, function: Callable[..., T], *args, keep: bool = False) -> Callable[[], T]:
        """Start ``function(renderer, *args)``; return a callable that gives its result.

        In a worker it starts now; what it logged there is said here when the result
        is taken, or with ``keep`` added to the result's ``warnings`` (a group keeps
        them in the cache). Without a pool it runs here, when the result is asked for.
        """
        if self.pool is None:
            return functools.cache(lambda: function(self.renderer, *args))
        future = self.pool.submit(workers.run, self.job, self.face, function, *args)

        def result() -> T:
            value, said = future.result()
            if keep:
                value.warnings += said
            else:
                for text in said:
                    warn(text)
            return value

        return functools.cache(result)


def build_sections(face: BookFace | None, volume: Volume, target: Path,
                   options: BuildOptions, early: EarlyWorkers | None = None) -> SectionedBook:
    """Render, assemble and write the book at ``target``.

    With worker processes, they render everything (groups, folio calibration, front
    matter) and this process only plans and assembles: it never imports WeasyPrint,
    whose import and set-up would take a core from the workers for a second, and it
    assembles the body while a worker renders the front matter. Without workers, this
    process renders all with one renderer. ``early``: workers started already
    (:mod:`.early`), used if workers are wanted and ended if not.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bookmaker-fonts-") as scratch, ExitStack() as stack:
        pool = early_pool = early.pool if early is not None else None
        if pool is not None:  # on an error, or once the book is written
            stack.callback(pool.shutdown, wait=False, cancel_futures=True)
        if face is not None:
            folder = user_cache_folder("fonts") or Path(scratch)
            face = plan_static_fonts(face, folder)
        job = None
        if early is not None and (face is None or all(p.is_file() for p in face.static.values())):
            # Workers started early set up their renderers (stylesheets, fonts: a tenth of
            # a second) while this process plans the book.
            job = workers.write_job(volume, Path(scratch), options.allow_remote)
            for _ in range(early.count):
                early.pool.submit(workers.run, job, face, workers.primed)
        context = book_context(volume, face)
        groups = make_groups(volume, context)
        for group in groups:
            group.html = group_html(volume, context, group)
        env_key = environment_key(volume, face)
        for group in groups:
            group.key = _digest(env_key, group.html)
        plan = Plan(volume, context, groups, Cache(options.cache_dir, "pdf"), env_key,
                    options.progress or (lambda stage, done, total: None), started)
        cached = {group.key: hit for group in groups
                  if (hit := _load(plan.cache, group.key)) is not None}
        work = [group for group in groups if group.key not in cached]
        renders = Renders(face)
        jobs = worker_count(options.jobs, len(work))
        if options.executor is not None and work:
            # A cluster's workers: they share the volume's folder (and so its cache), not
            # this machine's temporary folder.
            shared = options.cache_dir / "pdf-jobs" if options.cache_dir else None
            renders.job = workers.write_job(volume, shared, options.allow_remote)
            renders.pool = options.executor
            jobs = len(work)
        elif work and (jobs > 1 or pool is not None):
            if early is not None and early.count < jobs and len(work) > EDIT_GROUPS:
                pool = None  # more than an edit: workers on every core
            renders.job = job or workers.write_job(volume, Path(scratch), options.allow_remote)
            renders.pool = pool or workers.start_pool(jobs)
            renders.own_pool = True
            # Not waiting: idle workers exit while this process writes the book, and on
            # an error the groups not yet begun are dropped, not rendered for nothing.
            stack.callback(renders.pool.shutdown, wait=False, cancel_futures=True)
        if early is not None and renders.pool is not early_pool:  # started for nothing
            early.close()
        if options.executor is None:  # a cluster's workers make what their machine lacks
            started = renders.pool is not None and renders.pool is early_pool
            for future in start_fonts(face, renders.pool, jobs, started):
                future.result()
        if renders.pool is None:
            renders.renderer = Renderer.kept_for(options.kept, volume, options.allow_remote,
                                                 face)
        pages, starts = _render_and_assemble(plan, renders, cached, work, target)
        return SectionedBook(renders.renderer, pages, [], starts)


def start_fonts(face: BookFace | None, pool: Executor | None,
                jobs: int, started: bool = False) -> list[Future]:
    """Make the face's missing static instances: in the workers, one each, when there is a
    pool (the futures are returned), else here and now. With none to make, a fresh pool
    is given a task that starts its workers; workers ``started`` already are not (waiting
    for it kept the first render from being queued until they had warmed up)."""
    if face is None:
        return []
    tasks = [(face.files[style], path)
             for style, path in sorted(face.static.items()) if not path.is_file()]
    if pool is None:
        for task in tasks:
            make_static_font(*task)
        return []
    futures = [pool.submit(make_static_font, *task) for task in tasks]
    if not futures and not started:  # nothing to make: start the workers all the same
        futures = [pool.submit(workers.ready) for _ in range(jobs)]
    return futures


def _render_and_assemble(plan: Plan, renders: Renders, cached: dict[str, RenderedGroup],
                         missing: list[Group], target: Path) -> tuple[int, list[PageStart]]:
    """Render what the cache lacks (``missing``), then the front matter, then assemble;
    the book's pages and where each begins."""
    cache, groups = plan.cache, plan.groups
    key = f"calibration-{plan.env_key}.pdf"  # first: the worker that takes it is soon free
    calibration = _cached_or_started(cache.get(key), partial(cache.put, key),
                                     lambda: renders.start(calibration_pdf))
    # The front matter with placeholder folios, at once, beside the groups (.contents).
    early_front, early_key = None, ""
    if pdf_contents.can_stamp(plan.volume):
        html = front_html(plan.volume, plan.context, pdf_contents.placeholder_folios(plan.context))
        early_key = _digest(plan.env_key, "front", html)
        early_front = _cached_or_started(_load(cache, early_key), partial(_store, cache, early_key),
                                   lambda: renders.start(render_front, html))
    rendered: dict[str, RenderedGroup] = dict(cached)
    for hit in cached.values():
        for text in hit.warnings:  # a cached group still says what it said
            warn(text)
    total = sum(len(group.document_ids) for group in groups)
    done = total - sum(len(group.document_ids) for group in missing)
    plan.progress("PDF documents", done, total)
    # The body is assembled in book order as the groups come: the cached ones at once,
    # while the workers render the others (started first).
    pending = render_groups(renders, missing)
    assembly = Assembly(calibration)
    try:
        layout = BodyLayout()
        to_render = {id(group) for group in missing}
        for index, group in enumerate(groups):
            if id(group) in to_render:
                key, result = next(pending)
                rendered[key] = result
                _store(cache, key, result)
                for text in result.warnings:
                    warn(text)
                done += len(group.document_ids)
                plan.progress("PDF documents", done, total)
            folio, blank = layout.place(len(rendered[group.key].kinds), index == len(groups) - 1)
            assembly.add_group(rendered[group.key], folio, blank)
        LOGGER.info("PDF: %d groups, %d rendered, %.1f s", len(groups), len(missing),
                    time.perf_counter() - plan.started)

        # Page numbers of the body, as the single render would give them.
        folios = {anchor: layout.first_page[index] + page
                  for index, group in enumerate(groups)
                  for anchor, page in rendered[group.key].anchors.items()}
        front = None
        if early_front is not None:  # stamped, or as stamped before for the same folios
            key = _digest(early_key, "stamped", json.dumps(folios, sort_keys=True))
            hit = _load(cache, key)
            front = ((lambda: hit) if hit is not None
                     else _stamped(early_front(), plan.context, folios))
            if hit is None and front is not None:
                _store(cache, key, front())
        if front is None:  # rendered with the numbers, now that they are known
            html = front_html(plan.volume, plan.context, folios)
            key = _digest(plan.env_key, "front", html)
            front = _cached_or_started(_load(cache, key), partial(_store, cache, key),
                                       lambda: renders.start(render_front, html))
        renders.last_started()
        body = [rendered[g.key] for g in groups]
        pages = assembly.finish(plan.context, front(), target)
        front_pages = len(front().kinds) + len(front().kinds) % 2  # the body opens on a recto
        check_assembled(target, pages, front_pages + layout.total)
        LOGGER.info("PDF: %d pages in %.1f s (sectioned)", pages,
                    time.perf_counter() - plan.started)
        # group checks' warnings were reported as the groups came in
        return pages, book_page_starts(front(), body, layout)
    finally:  # the sources are let go of on an error too
        assembly.close()


def _stamped(early: RenderedGroup, context: BookContext,
             folios: dict[str, int]) -> Callable[[], RenderedGroup] | None:
    """The early front matter with the contents' real folios stamped in, or None."""
    pdf = pdf_contents.stamp_contents(early.pdf, pdf_contents.entry_order(context), folios)
    if pdf is None:
        LOGGER.info("PDF: contents placeholders not found; the front matter is rendered again")
        return None
    stamped = replace(early, pdf=pdf)
    return lambda: stamped


def book_page_starts(front: RenderedGroup, groups: list[RenderedGroup],
                     layout: BodyLayout) -> list[PageStart]:
    """Every page of the assembled book with its folio and where its text begins."""
    starts: list[Sequence | None] = list(front.starts or [None] * len(front.kinds))
    starts += [None] * (len(starts) % 2)  # the blank verso before the body
    for index, group in enumerate(groups):
        starts += group.starts or [None] * len(group.kinds)
        if layout.blank_after[index]:
            starts.append(None)
    front_pages = len(front.kinds) + len(front.kinds) % 2
    labels = page_labels(len(starts), front_pages)
    return [PageStart(label, *(start or (None, 0))) for label, start in zip(labels, starts,
                                                                           strict=True)]


# ----------------------------------------------------------------- groups


def make_groups(volume: Volume, context: BookContext, words: int | None = None) -> list[Group]:
    """Cut the body into groups of about ``words`` words, at part pages and documents;
    a very long document into chunks that are groups of their own (:mod:`.chunks`)."""
    words = words or GROUP_WORDS
    by_id = {doc.id: doc for doc in volume.documents}
    groups: list[Group] = []
    current: list[PartView] = []
    count = 0

    def close() -> None:
        nonlocal current, count
        if current:
            groups.append(Group(current))
        current, count = [], 0

    for part in context.parts:
        if part.title and count:
            close()
        view = PartView(part.id, part.title, part.number, part.intro_html, [], part.first)
        current.append(view)
        for whole in part.documents:
            doc = by_id[whole.id]
            chunks = pdf_chunks.chunk_pieces(doc, whole, CHUNK_UNIT_WORDS)
            for piece in chunks:
                if count >= words or (len(chunks) > 1 and count):
                    close()
                    view = PartView(part.id, None, None, None, [], False)
                    current.append(view)
                view.documents.append(piece)
                count += piece.words if len(chunks) > 1 else doc.words + 50 * len(doc.notes)
    close()
    return groups


def group_html(volume: Volume, context: BookContext, group: Group) -> str:
    """The HTML of one group, from the same templates as the whole book."""
    return render_html(volume, "section.html", _group_context(context, group))


def _group_context(context: BookContext, group: Group):
    # No dates in a group: its metadata is never used, and a date would make every
    # group's key change with the build date.
    return replace(context, parts=group.parts, front_documents=[], created=None)


def environment_key(volume: Volume, face) -> str:
    """Everything besides a group's HTML that changes its rendering."""
    from importlib.metadata import version  # not importing WeasyPrint: see build_sections

    settings = volume.settings.pdf
    print_css = find_style_file("print.css", Path(volume.root), settings.style)
    sources = [__version__, version("weasyprint"), SECTION_CSS, print_css.read_text("utf-8"),
               font_face_css(face), page_css(settings), str(volume.root)]
    if face is not None:
        for path in sorted(face.files.values()):
            stat = path.stat()
            sources.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return _digest(*sources)


def _digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\0")
    return hasher.hexdigest()[:32]


# -------------------------------------------------------------- rendering


def render_groups(renders: Renders, groups: list[Group]):
    """``(key, RenderedGroup)`` for each group, in order: all are started now, when this
    is called (not when the first result is asked for: the cached groups before it are
    assembled meanwhile)."""
    pending = [(group.key, renders.start(render_group, group.html, group.document_ids,
                                         keep=True))
               for group in groups]
    return ((key, with_font_checks(result(), renders.face)) for key, result in pending)


def _cached_or_started(hit, store, start):
    """A callable giving ``hit`` (what the cache held), or else the result of what
    ``start()`` starts now, passed to ``store`` when it comes."""
    if hit is not None:
        return lambda: hit
    pending = start()

    def result():
        value = pending()
        store(value)
        return value

    return functools.cache(result)


def render_group(renderer, html: str, document_ids: list[str]) -> RenderedGroup:
    """Lay out one group without folios; check it is whole; note page kinds and anchors."""
    extra = renderer.css(SECTION_CSS)
    document = renderer.lay_out_html(html, [extra])
    if pdf_chunks.continues(renderer.volume, document_ids, renderer.memo):
        document = pdf_chunks.even_pages(renderer, html, [extra], document)
    pages = pdf_boxes.rendered_pages(document)
    docs = pdf_chunks.check_documents(renderer.volume, document_ids, renderer.memo)
    errors = [m for m in pdf_checks.check_complete(docs, pages) if m.severity == "error"]
    if errors:  # WeasyPrint can stop early without an error (#2798, #2100)
        raise BuildError("the PDF is incomplete: " + "; ".join(m.text for m in errors))
    anchors = pdf_checks.anchor_pages(pages)
    document_ids = {doc.id for doc in renderer.volume.documents}
    part_ids = {part.id for part in renderer.volume.parts}
    openings = {anchors[key] for key in anchors if key in document_ids}
    kinds = []
    for index, page in enumerate(document.pages):
        page_type = page_box(page).page_type
        if page_type.blank or page_type.name in ("part", "part-start"):
            kinds.append(NONE)
        elif index in openings:
            kinds.append(OPENING)
        else:
            kinds.append(VERSO if page_type.side == "left" else RECTO)
    ids = document_ids | part_ids
    starts = page_starts(document)
    pdf = renderer.write_bytes(document)
    return RenderedGroup(pdf, kinds, {k: v for k, v in anchors.items() if k in ids}, [],
                         starts)


def with_font_checks(group: RenderedGroup, face: BookFace | None) -> RenderedGroup:
    """``group`` after the font checks of a whole book on its PDF (an error stops the
    build; warnings stay with the group, and in the cache with it). Made here, not in the
    worker that rendered it: they need pikepdf, whose import took a tenth of a second of
    an edit's render, and this process has it loaded to assemble the book."""
    fonts = pdf_checks.check_fonts(group.pdf, face.postscript_prefixes if face else None)
    errors = [message.text for message in fonts if message.severity == "error"]
    if errors:
        raise BuildError("; ".join(errors))
    group.warnings += [f"PDF: {message.text}" for message in fonts]
    return group


# ----------------------------------------------------------------- layout


@dataclass
class BodyLayout:
    """Where each group's pages fall in the body."""

    first_page: list[int] = field(default_factory=list)
    """Body page number (from 1) of each group's first page."""
    blank_after: list[bool] = field(default_factory=list)
    """Whether a blank verso follows the group, so that the next one opens on a recto."""
    total: int = 0
    """Body pages, blanks included."""

    def place(self, pages: int, last: bool) -> tuple[int, bool]:
        """Place the next group of ``pages`` pages: its first page number, and whether a
        blank verso follows it (every group opens on a recto)."""
        first = self.total + 1
        self.total += pages
        blank = not last and (self.total + 1) % 2 == 0
        self.total += blank
        self.first_page.append(first)
        self.blank_after.append(blank)
        return first, blank


def body_layout(groups: list[RenderedGroup]) -> BodyLayout:
    """Every group opens on a recto: after a group of odd length comes a blank verso."""
    layout = BodyLayout()
    for index, group in enumerate(groups):
        layout.place(len(group.kinds), last=index == len(groups) - 1)
    return layout


def front_html(volume: Volume, context: BookContext, folios: dict[str, int]) -> str:
    """The front matter's HTML, its contents given the body's real page numbers."""
    env = make_environment("pdf", Path(volume.root), volume.settings.pdf.style)
    template = env.get_template("front-section.html")
    # No timestamp in the HTML: the assembly dates the book, so that an edit which
    # leaves the contents' page numbers alone finds the front matter in the cache.
    return template.render(book=replace(context, created=None),
                           toc_folios={key: str(value) for key, value in folios.items()})


def render_front(renderer, html: str) -> RenderedGroup:
    """Lay out and write the front matter."""
    document = renderer.lay_out_html(html)
    pages = pdf_boxes.rendered_pages(document)
    anchors = pdf_checks.anchor_pages(pages)
    starts = page_starts(document)
    return RenderedGroup(renderer.write_bytes(document), [NONE] * len(pages), anchors,
                         starts=starts)


def check_assembled(target: Path, pages: int, expected: int) -> None:
    """The assembled book has every page that was rendered, and the blanks it needs.

    Each group was checked whole when it was rendered (titles on their opening
    pages, last words present, fonts); here only the assembly is checked: reading
    a long book's text back with pypdf would take minutes, and reading back the page
    tree pikepdf has just written from these pages a thirtieth of an edit's rebuild:
    the written file is only checked to end as a PDF ends.
    """
    if pages != expected:
        raise BuildError(f"the PDF has {pages} pages where {expected} were assembled", target)
    with target.open("rb") as written:
        written.seek(max(0, target.stat().st_size - 1024))
        if b"%%EOF" not in written.read():
            raise BuildError("the written PDF is cut short", target)


# ------------------------------------------------------------------ cache


def _load(cache: Cache, key: str) -> RenderedGroup | None:
    pdf = cache.get(f"{key}.pdf")
    meta = cache.get(f"{key}.json")
    if pdf is None or meta is None:
        return None
    data = json.loads(meta)
    return RenderedGroup(pdf, data["kinds"], data["anchors"], data.get("warnings", []),
                         data.get("starts", []))


def _store(cache: Cache, key: str, group: RenderedGroup) -> None:
    meta = asdict(group)
    del meta["pdf"]
    cache.put(f"{key}.json", json.dumps(meta).encode())
    cache.put(f"{key}.pdf", group.pdf)
