"""The print PDF builder (WeasyPrint).

One HTML document is made from the ``pdf`` templates (front matter, part pages,
documents), laid out with the theme's ``print.css`` and a small stylesheet made
from the volume's ``[pdf]`` settings, inspected page by page (early stops,
footnote placement), and only then written. Everything a render may read goes
through :class:`~bookmaker.builders.pdf_fetcher.RestrictedFetcher`.

Ready for rendering in pieces: the templates are independent includes (front
matter, a part page, a document) and :class:`Renderer` lays out any template with
the volume's shared stylesheets. Offprints (``--split``) already run in worker
processes. For the book itself the plan is: lay out each piece in a worker
(page counts do not depend on the starting folio, since both sides of a spread
have the same measure), then render the front matter with the known folios and
assemble; WeasyPrint layouts cannot cross processes, so pieces travel as PDFs.
"""

from __future__ import annotations

import logging
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bookmaker.builders import BuildOptions, BuildResult
from bookmaker.builders.pdf_context import BookContext, book_context, offprint_context
from bookmaker.builders.pdf_fonts import (
    BookFace,
    find_face,
    font_face_css,
    warn_missing_characters,
)
from bookmaker.builders.pdf_sections import GROUP_WORDS, build_sections, can_render_in_sections
from bookmaker.checks import pdf as pdf_checks
from bookmaker.checks.messages import Message, at_least
from bookmaker.errors import BuildError
from bookmaker.log import LOGGER, warn
from bookmaker.model import Document, PdfSettings, Volume

NAME = "pdf"
SUFFIX = ".pdf"

VARIANTS = {"pdf/a-3b": "pdf/a-3b", "pdf/ua-1": "pdf/ua-1"}
"""Our setting → WeasyPrint's ``pdf_variant``."""


@dataclass(frozen=True)
class Trim:
    """A trim size and the margins that suit it (inner = gutter)."""

    width: str
    height: str
    top: str
    bottom: str
    inner: str
    outer: str


TRIMS: dict[str, Trim] = {
    "a5": Trim("148mm", "210mm", "16mm", "20mm", "19mm", "14mm"),
    "royal": Trim("156mm", "234mm", "18mm", "23mm", "21mm", "16mm"),
    "us-trade": Trim("6in", "9in", "0.7in", "0.85in", "0.8in", "0.6in"),
    "a4": Trim("210mm", "297mm", "24mm", "30mm", "32mm", "36mm"),
    "letter": Trim("8.5in", "11in", "0.95in", "1.15in", "1.25in", "1.4in"),
}
"""Trim presets. A4 and Letter keep wide margins so that lines stay readable."""


@dataclass
class Renderer:
    """What every render of one volume shares: face, fetcher, fonts and stylesheets."""

    volume: Volume
    face: BookFace | None
    fetcher: object
    font_config: object
    stylesheets: list

    @classmethod
    def for_volume(cls, volume: Volume, allow_remote: bool = False,
                   face: BookFace | None = None) -> Renderer:
        """The renderer of ``volume``; ``face`` replaces the face its settings name."""
        face = face or find_face(volume.settings.pdf.font)
        fetcher = make_fetcher(volume, face, allow_remote)
        font_config = _font_config()
        stylesheets = load_stylesheets(volume, volume.settings.pdf, face, fetcher, font_config)
        return cls(volume, face, fetcher, font_config, stylesheets)

    @classmethod
    def with_face(cls, renderer: Renderer, face: BookFace) -> Renderer:
        """``renderer`` with another face (and its folders allowed), stylesheets reloaded."""
        volume = renderer.volume
        fetcher = renderer.fetcher
        fetcher.roots += [folder.resolve() for folder in face.folders]
        font_config = _font_config()
        stylesheets = load_stylesheets(volume, volume.settings.pdf, face, fetcher, font_config)
        return cls(volume, face, fetcher, font_config, stylesheets)

    def lay_out(self, template: str, context: BookContext):
        html = render_html(self.volume, template, context)
        return lay_out(html, self.volume, self.fetcher, self.stylesheets, self.font_config)


def build(volume: Volume, target: Path, options: BuildOptions) -> BuildResult:
    """Render ``volume`` to ``target``; with ``options.split`` also one PDF per document."""
    started = time.perf_counter()
    renderer = Renderer.for_volume(volume, options.allow_remote)
    face = renderer.face
    if face is not None:
        warn_missing_characters(face, volume_text(volume))
    result = BuildResult(path=target)

    if use_sections(volume, options):  # fonts are checked group by group
        result.pages, messages = build_sections(renderer, volume, target, options)
    else:
        result.pages, messages = build_whole(renderer, volume, target)
        messages += pdf_checks.check_fonts(target, face.postscript_prefix if face else None)
    report(messages, result)
    LOGGER.info("PDF: %d pages in %.1f s", result.pages, time.perf_counter() - started)

    if options.split:
        write_offprints(renderer, target, options, result)
    result.warnings += [f"PDF: {url} was not loaded" for url in renderer.fetcher.refused]
    return result


def use_sections(volume: Volume, options: BuildOptions) -> bool:
    """Render in groups (parallel, cached) when that makes the same book and pays off.

    It pays with a cache (warm builds re-render only what changed) or with several
    cores and a book of several groups; a small book in one process is faster whole.
    """
    if not can_render_in_sections(volume):
        return False
    if options.cache_dir is not None:
        return True
    jobs = options.jobs or os.cpu_count() or 1
    words = sum(doc.words for doc in volume.documents)
    return jobs > 1 and words > 3 * GROUP_WORDS


def build_whole(renderer: Renderer, volume: Volume, target: Path) -> tuple[int, list[Message]]:
    """The book in one render: lay out, check the pages, write."""
    context = book_context(volume, renderer.face)
    document = renderer.lay_out("book.html", context)
    pages = pdf_checks.rendered_pages(document)
    front_pages = body_start(pages, context)
    labels = pdf_checks.page_labels(len(pages), front_pages)
    settings = volume.settings.pdf
    messages = run_page_checks(volume.documents, pages, settings, str(target), labels)
    write(document, target, settings, front_pages, volume)
    return len(document.pages), messages


# -------------------------------------------------------------- offprints


def offprint_path(target: Path, doc: Document) -> Path:
    """``<target stem>-<doc.id>.pdf`` beside ``target`` (the pipeline renames it)."""
    return target.with_name(f"{target.stem}-{doc.id}.pdf")


def build_offprint(renderer: Renderer, doc: Document, path: Path) -> list[Message]:
    """One document alone, with its own title block and folios from 1."""
    volume = renderer.volume
    document = renderer.lay_out("offprint.html", offprint_context(volume, renderer.face, doc))
    pages = pdf_checks.rendered_pages(document)
    messages = run_page_checks([doc], pages, volume.settings.pdf, str(path))
    write(document, path, volume.settings.pdf, 0, volume)
    return messages


def write_offprints(
    renderer: Renderer, target: Path, options: BuildOptions, result: BuildResult
) -> None:
    """One PDF per document, in worker processes when there are several cores and documents.

    On any failure the offprints already written are removed: no half set is left.
    """
    docs = renderer.volume.documents
    jobs = min(options.jobs or os.cpu_count() or 1, len(docs))
    paths = [offprint_path(target, doc) for doc in docs]
    try:
        if jobs <= 1:
            for doc, path in zip(docs, paths, strict=True):
                report(build_offprint(renderer, doc, path), result)
                result.extra_files.append(path)
        else:
            _offprints_in_workers(renderer, options, paths, jobs, result)
    except BaseException:
        for path in paths:
            path.unlink(missing_ok=True)
        raise


def _offprints_in_workers(renderer: Renderer, options, paths, jobs, result) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork where there is one: spawn would re-import the caller's main module,
    # which breaks scripts without a __main__ guard. Each worker makes its own
    # renderer (fonts, stylesheets) rather than use the parent's.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_start,
                             initargs=(renderer.volume, options.allow_remote,
                                       list(renderer.fetcher.refused))) as pool:
        futures = [pool.submit(_worker_offprint, index, path) for index, path in enumerate(paths)]
        for path, future in zip(paths, futures, strict=True):
            messages, warnings = future.result()
            for text in warnings:
                warn(text)
            report(messages, result)
            result.extra_files.append(path)


_WORKER: dict = {}


def _worker_start(volume: Volume, allow_remote: bool, refused: list[str]) -> None:
    """In a worker: log to a list the parent re-emits, and prepare one renderer.

    What the parent already reported (a missing face, refused URLs) is not repeated.
    """
    collected: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.append(record.getMessage())

    for handler in list(LOGGER.handlers):
        LOGGER.removeHandler(handler)
    LOGGER.addHandler(Collect(level=logging.WARNING))
    LOGGER.propagate = False
    renderer = Renderer.for_volume(volume, allow_remote)
    renderer.fetcher.refused.extend(refused)
    collected.clear()
    _WORKER.update(renderer=renderer, collected=collected)


def _worker_offprint(index: int, path: Path) -> tuple[list[Message], list[str]]:
    renderer: Renderer = _WORKER["renderer"]
    collected: list[str] = _WORKER["collected"]
    collected.clear()
    messages = build_offprint(renderer, renderer.volume.documents[index], path)
    return messages, list(collected)


# ------------------------------------------------------------------ steps


def volume_text(volume: Volume) -> str:
    """All the text the book prints from the model, for the glyph coverage check."""
    info = volume.info
    parts = [info.full_title, info.series or "", " ".join(info.authors), info.source or "",
             info.rights or ""]
    parts += [part.title or "" for part in volume.parts]
    for doc in volume.documents:
        parts += [doc.title, doc.occasion or "", doc.source_line or "", doc.date_text or ""]
        parts += [block.text for block in doc.blocks]
        parts += [note.text for note in doc.notes]
    return "\n".join(parts)


def make_fetcher(volume: Volume, face: BookFace | None, allow_remote: bool = False):
    """The restricted fetcher: the volume, our styles and templates, the font folders."""
    from bookmaker.builders.pdf_fetcher import RestrictedFetcher
    from bookmaker.templating import TEMPLATES_DIR, styles_dir

    roots = [Path(volume.root), styles_dir(), TEMPLATES_DIR]
    if face is not None:
        roots += face.folders
    return RestrictedFetcher(roots, allow_remote=allow_remote)


LENGTH = re.compile(r"^\d+(\.\d+)?(pt|px|mm|cm|in|pc|q)$")
"""A CSS length as the settings may give it (no expressions, nothing to inject)."""


def _length(value: str, key: str) -> str:
    value = value.strip().lower()
    if not LENGTH.match(value):
        raise BuildError(
            f"[pdf] {key} = '{value}' is not a length; write it like '11pt' or '3mm'",
            "volume.toml",
        )
    return value


def page_css(settings: PdfSettings) -> str:
    """The stylesheet made from the settings: page size and margins, bleed, type size."""
    trim = TRIMS[settings.trim]
    font_size = _length(settings.font_size, "font_size")
    inner, outer = trim.inner, trim.outer
    if settings.screen:
        inner = outer = f"calc(({trim.inner} + {trim.outer}) / 2)"
    css = [
        "@page {",
        f"  size: {trim.width} {trim.height};",
        f"  margin: {trim.top} {outer} {trim.bottom} {inner};",
    ]
    if settings.bleed:
        css += [f"  bleed: {_length(settings.bleed, 'bleed')};", "  marks: crop;"]
    css += [
        "}",
        f"@page :left {{ margin-left: {outer}; margin-right: {inner}; }}",
        f"@page :right {{ margin-left: {inner}; margin-right: {outer}; }}",
        f"html {{ font-size: {font_size}; }}",
    ]
    return "\n".join(css) + "\n"


def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def load_stylesheets(volume: Volume, settings: PdfSettings, face, fetcher, font_config) -> list:
    """The theme's print.css, then the face and the settings (which win).

    ``@font-face`` rules only take effect through the same ``font_config`` the
    render uses.
    """
    from weasyprint import CSS

    from bookmaker.templating import find_style_file

    root = Path(volume.root).resolve()
    try:
        print_css = find_style_file("print.css", root, settings.style)
    except FileNotFoundError:
        raise BuildError(
            f"no print.css in the style '{settings.style}' nor in the default style; "
            "reinstall bookmaker or add styles/print.css to the volume"
        ) from None
    with _weasyprint_warnings():
        return [
            CSS(filename=str(print_css), url_fetcher=fetcher, font_config=font_config),
            CSS(string=font_face_css(face), url_fetcher=fetcher, font_config=font_config,
                base_url=root.as_uri() + "/"),
            CSS(string=page_css(settings), url_fetcher=fetcher, font_config=font_config),
        ]


def render_html(volume: Volume, template: str, context: BookContext) -> str:
    """The book (or an offprint) as one HTML string."""
    from bookmaker.templating import make_environment

    env = make_environment("pdf", Path(volume.root), volume.settings.pdf.style)
    return env.get_template(template).render(book=context)


def lay_out(html: str, volume: Volume, fetcher, stylesheets: list, font_config):
    """Lay out the pages (WeasyPrint ``render``); nothing is written yet."""
    from weasyprint import HTML

    base_url = Path(volume.root).resolve().as_uri() + "/"
    with _weasyprint_warnings():
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=font_config
        )


def run_page_checks(
    documents, pages, settings: PdfSettings, file: str, labels: list[str] | None = None
) -> list[Message]:
    """Completeness always; footnote placement when notes are footnotes."""
    messages = pdf_checks.check_complete(documents, pages, file)
    if settings.notes == "footnotes":
        messages += pdf_checks.check_footnotes(documents, pages, file, labels)
    errors = at_least(messages, "error")
    if errors:
        raise BuildError("the PDF is incomplete: " + "; ".join(m.text for m in errors), file)
    return messages


def body_start(pages, context: BookContext) -> int:
    """Number of front-matter pages: the index of the page where the body begins."""
    where = pdf_checks.anchor_pages(pages)
    return where.get(context.body_start_id, 0) if context.body_start_id else 0


def write(document, target: Path, settings: PdfSettings, front_pages: int, volume: Volume) -> None:
    """Write the laid-out pages, with page labels (roman front matter, arabic body)."""
    options = {"pdf_variant": VARIANTS[settings.variant]} if settings.variant else {}
    if settings.variant == "pdf/ua-1":
        options["pdf_tags"] = True
    try:
        with _weasyprint_warnings(), _font_timestamps(volume):
            document.write_pdf(target, finisher=_page_labels(front_pages), **options)
    except OSError as exc:
        raise BuildError(f"cannot write the PDF: {exc.strerror or exc}", target) from None


@contextmanager
def _font_timestamps(volume: Volume):
    """Make fontTools date the subset fonts from the volume, not the clock.

    fontTools stamps the fonts it writes (the instanced variable faces) with
    SOURCE_DATE_EPOCH when set, else now; without this two builds differ.
    """
    if volume.source_date is None or "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(int(volume.source_date.timestamp()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _page_labels(front_pages: int):
    """A finisher adding /PageLabels, so viewers show i, ii … then 1, 2 …"""
    import pydyf

    def finish(_document, pdf) -> None:
        nums = []
        if front_pages:
            nums += [0, pydyf.Dictionary({"S": "/r"})]
        nums += [front_pages, pydyf.Dictionary({"S": "/D"})]
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(nums)})

    return finish


def report(messages: list[Message], result: BuildResult) -> None:
    """Warnings go to the log and into the result."""
    for message in messages:
        if message.severity == "warning":
            warn(message.text, message.file)
            result.warnings.append(message.format())


class _weasyprint_warnings:
    """Pass WeasyPrint's log on as ours while it renders.

    Its errors (an unusable image, a stylesheet it cannot read) become our warnings,
    except refusals our fetcher has already reported; its warnings (CSS it ignores)
    are shown with ``-v``. WeasyPrint's logger stops propagating meanwhile, so that
    nothing is printed twice.
    """

    def __enter__(self):
        self.logger = logging.getLogger("weasyprint")
        self.handler = _Forward()
        self.propagate = self.logger.propagate
        self.logger.addHandler(self.handler)
        self.logger.propagate = False
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self.propagate


class _Forward(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.levelno >= logging.ERROR:
            if "RefusedURL" not in text:
                warn(f"PDF: WeasyPrint: {text}")
        else:
            LOGGER.info("WeasyPrint: %s", text)
