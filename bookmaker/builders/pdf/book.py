"""The print PDF builder (WeasyPrint).

One HTML document is made from the ``pdf`` templates (front matter, part pages,
documents), laid out with the theme's ``print.css`` and a small stylesheet made
from the volume's ``[pdf]`` settings, inspected page by page (early stops,
footnote placement), and only then written. Everything a render may read goes
through :class:`.fetcher.RestrictedFetcher`.

A book whose documents all open on rectos is rendered in groups, in parallel and
cached, and assembled (:mod:`.parallel.sections`); other books in one render
(:func:`build_whole`). Offprints (``--split``) run in worker processes.
"""

from __future__ import annotations

import time
from pathlib import Path

from bookmaker.builders import BuildOptions, BuildResult
from bookmaker.builders.pdf import boxes as pdf_boxes
from bookmaker.builders.pdf import workers
from bookmaker.builders.pdf.context import BookContext, book_context, offprint_context
from bookmaker.builders.pdf.folios import page_labels
from bookmaker.builders.pdf.fonts import find_face, warn_missing_characters, with_script_faces
from bookmaker.builders.pdf.framestack import roomy_stack
from bookmaker.builders.pdf.pages import page_starts
from bookmaker.builders.pdf.parallel import sections as pdf_sections
from bookmaker.builders.pdf.parallel.chunks import needs_chunks
from bookmaker.builders.pdf.parallel.sections import (
    GROUP_WORDS,
    build_sections,
    can_render_in_sections,
)
from bookmaker.builders.pdf.render import (  # noqa: F401 - TRIMS and page_css are API
    TRIMS,
    Renderer,
    font_timestamps,
    page_css,
    volume_text,
    weasyprint_warnings,
)
from bookmaker.checks import pdf as pdf_checks
from bookmaker.checks.messages import Message, at_least
from bookmaker.errors import BuildError
from bookmaker.log import LOGGER, warn
from bookmaker.model import Document, PageStart, PdfSettings, Volume
from bookmaker.reproducible import worker_count
from bookmaker.scripts import scripts_of, text_direction

NAME = "pdf"
SUFFIX = ".pdf"

VARIANTS = {"pdf/a-3b": "pdf/a-3b", "pdf/ua-1": "pdf/ua-1"}
"""Our setting → WeasyPrint's ``pdf_variant``."""


def build(volume: Volume, target: Path, options: BuildOptions) -> BuildResult:
    """Render ``volume`` to ``target``; with ``options.split`` also one PDF per document."""
    started = time.perf_counter()
    sectioned_book = use_sections(volume, options)
    early = (options.prepared or {}).get(NAME)  # workers started while the volume was read
    if early is not None and not sectioned_book:
        early.close()
        early = None
    try:
        face = find_face(volume.settings.pdf.font)
        if face is not None:
            text = volume_text(volume)
            face = with_script_faces(face, scripts_of(text), volume.info.language)
            warn_missing_characters(face, text)
    except BaseException:
        if early is not None:
            early.close()
        raise
    result = BuildResult(path=target)

    if sectioned_book:  # fonts are checked group by group
        sectioned = build_sections(face, volume, target, options, early)
        renderer, result.pages = sectioned.renderer, sectioned.pages
        messages, result.page_starts = sectioned.messages, sectioned.page_starts
    else:
        renderer = Renderer.kept_for(options.kept, volume, options.allow_remote, face)
        result.pages, messages, result.page_starts = build_whole(renderer, volume, target)
        messages += pdf_checks.check_fonts(target, face.postscript_prefixes if face else None)
    report(messages, result)
    LOGGER.info("PDF: %d pages in %.1f s", result.pages, time.perf_counter() - started)

    if options.split:
        if renderer is None:  # the book was rendered in workers only
            renderer = Renderer.for_volume(volume, options.allow_remote, face, find=False)
        write_offprints(renderer, target, options, result)
    if renderer is not None:  # workers' refusals came back as warnings
        result.warnings += [f"PDF: {url} was not loaded" for url in renderer.fetcher.refused]
    return result


def use_sections(volume: Volume, options: BuildOptions) -> bool:
    """Render in groups (parallel, cached) when that makes the same book and pays off.

    It pays with a cache (warm builds re-render only what changed) or with several
    cores and a book of several groups; a small book in one process is faster whole.
    """
    if not can_render_in_sections(volume):
        return False
    if options.cache_dir is not None or needs_chunks(volume, pdf_sections.CHUNK_UNIT_WORDS):
        return True  # a gigantic document is rendered in chunks even on one core
    jobs = worker_count(options.jobs)
    words = sum(doc.words for doc in volume.documents)
    return jobs > 1 and words > 3 * GROUP_WORDS


def build_whole(renderer: Renderer, volume: Volume,
                target: Path) -> tuple[int, list[Message], list[PageStart]]:
    """The book in one render: lay out, check the pages, write; with where each page's
    text begins."""
    context = book_context(volume, renderer.face)
    document = renderer.lay_out("book.html", context)
    pages = pdf_boxes.rendered_pages(document)
    front_pages = body_start(pages, context)
    labels = page_labels(len(pages), front_pages)
    settings = volume.settings.pdf
    messages = run_page_checks(volume.documents, pages, settings, str(target), labels)
    folios = page_labels(len(document.pages), front_pages)
    starts = [PageStart(label, *(start or (None, 0)))
              for label, start in zip(folios, page_starts(document), strict=True)]
    write(document, target, settings, front_pages, volume)
    return len(document.pages), messages, starts


# -------------------------------------------------------------- offprints


def offprint_path(target: Path, doc: Document) -> Path:
    """``<target stem>-<doc.id>.pdf`` beside ``target`` (the pipeline renames it)."""
    return target.with_name(f"{target.stem}-{doc.id}.pdf")


def build_offprint(renderer: Renderer, doc: Document, path: Path) -> list[Message]:
    """One document alone, with its own title block and folios from 1."""
    volume = renderer.volume
    document = renderer.lay_out("offprint.html", offprint_context(volume, renderer.face, doc))
    pages = pdf_boxes.rendered_pages(document)
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
    jobs = worker_count(options.jobs, len(docs))
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


def _offprints_in_workers(renderer: Renderer, options: BuildOptions, paths: list[Path],
                         jobs: int, result: BuildResult) -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bookmaker-offprints-") as scratch, \
            workers.start_pool(jobs) as pool:
        job = workers.write_job(renderer.volume, Path(scratch), options.allow_remote,
                                tuple(renderer.fetcher.refused))
        futures = [pool.submit(workers.run, job, renderer.face, build_offprint,
                               renderer.volume.documents[index], path)
                   for index, path in enumerate(paths)]
        for path, future in zip(paths, futures, strict=True):
            messages, warnings = future.result()
            for text in warnings:
                warn(text)
            report(messages, result)
            result.extra_files.append(path)


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


@roomy_stack
def write(document, target: Path, settings: PdfSettings, front_pages: int, volume: Volume) -> None:
    """Write the laid-out pages, with page labels (roman front matter, arabic body)."""
    options = {"pdf_variant": VARIANTS[settings.variant]} if settings.variant else {}
    if settings.variant == "pdf/ua-1":
        options["pdf_tags"] = True
    try:
        with weasyprint_warnings(), font_timestamps(volume):
            finisher = _page_labels(front_pages, text_direction(volume.info.language))
            document.write_pdf(target, finisher=finisher, **options)
    except OSError as exc:
        raise BuildError(f"cannot write the PDF: {exc.strerror or exc}", target) from None


def _page_labels(front_pages: int, direction: str = "ltr"):
    """A finisher adding /PageLabels, so viewers show i, ii … then 1, 2 …; for a
    right-to-left book also /Direction /R2L, so viewers lay spreads out right to left."""
    import pydyf

    def finish(_document, pdf) -> None:
        nums = []
        if front_pages:
            nums += [0, pydyf.Dictionary({"S": "/r"})]
        nums += [front_pages, pydyf.Dictionary({"S": "/D"})]
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(nums)})
        if direction == "rtl":
            pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"Direction": "/R2L"})

    return finish


def report(messages: list[Message], result: BuildResult) -> None:
    """Warnings go to the log and into the result."""
    for message in messages:
        if message.severity == "warning":
            warn(message.text, message.file)
            result.warnings.append(message.format())
