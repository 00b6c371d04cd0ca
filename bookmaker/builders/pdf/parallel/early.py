"""Render workers started before the book is planned: before the volume is read (a
rebuild's, the builder's ``before_reading``), or as soon as its documents are being read
(the builder's ``prepare``).

Light on purpose: the PDF builder's ``prepare`` imports this module before the workers
are forked, and they are forked sooner for it (importing :mod:`.sections` and what it
needs took 70 ms of a rebuild's critical path).
"""

from __future__ import annotations

import contextlib
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bookmaker.builders.pdf import workers
from bookmaker.cache import Cache
from bookmaker.reproducible import worker_count
from bookmaker.scripts import text_direction

if TYPE_CHECKING:
    from bookmaker.builders import BuildOptions
    from bookmaker.manifest import Manifest
    from bookmaker.model import PdfSettings

GROUP_WORDS = 3000
"""Words per group (about 12 pages): small enough that an edit re-renders little (a
third of a second), large enough that the book repeats few font subsets (every group
embeds its own: 1,500 words made the 120-document book 9% larger for no faster cold
build). Measured: a render costs 0.01 s besides 0.028 s of CPU a page."""


def sections_allowed(settings: PdfSettings, language: str) -> bool:
    """What :func:`.sections.can_render_in_sections` asks of the settings and language."""
    return (
        settings.openings == "recto"
        and not settings.screen
        and not settings.bleed
        and settings.variant is None
        and settings.notes == "endnotes"  # footnote placement is checked on a whole render
        # Assembly stamps folios and inserts blank versos for books read left to right.
        and text_direction(language) == "ltr"
    )


@dataclass
class EarlyWorkers:
    """Render workers started before the book was planned."""

    pool: Executor
    count: int
    """How many: all cores for a first build, one for a rebuild."""

    def close(self) -> None:
        """End them, without waiting (also when they were never used)."""
        self.pool.shutdown(wait=False, cancel_futures=True)


EDIT_GROUPS = 2
"""Groups to render that one worker started early takes on alone (an edit): more, and
workers on every core render them."""

BYTES_PER_WORD = 6
"""About what a word takes in a source file, spaces and markup included."""


def start_worker_for_rebuild(options: BuildOptions) -> EarlyWorkers | None:
    """Before the volume is read, on a rebuild (the cache holds rendered groups): the
    worker that will render what changed, forked now, before this process imports the
    model and reads the volume, so that it has imported WeasyPrint by the time the book
    is planned. Only forked (spawned, it would start no sooner than
    :func:`start_workers_while_reading`'s); None on one core, under a cluster or a
    watcher, or on a first build."""
    if options.executor is not None or options.kept is not None:
        return None
    if worker_count(options.jobs) < 2 or not _has_rendered_groups(options.cache_dir):
        return None
    if not workers.can_fork():
        return None
    return _started(1, None)


def start_workers_while_reading(manifest: Manifest, options: BuildOptions,
                                readers: Executor | None = None,
                                started: EarlyWorkers | None = None) -> EarlyWorkers | None:
    """Render workers started as soon as the documents are being read: they import
    WeasyPrint meanwhile, while this process reads the volume and plans the book, which
    then never waits for that import.

    ``readers``, the workers forked to read the documents, become the render workers
    once their reading is done, if this process had not loaded WeasyPrint when it forked
    them: a worker per core, and nothing to start (workers spawned beside them, as
    forking beside their pool's thread is not safe, cost each a fresh interpreter and
    its imports). Else a first build (no rendered group in the cache) of a book of
    several groups gets a worker per core, and a rebuild one, which renders what an edit
    changed, so that this process never imports WeasyPrint (half a second of an edit's
    rebuild). None on one core, under a cluster or a watcher, or when the book cannot be
    sectioned. Workers started for nothing are shut down unused. ``started``: the worker
    :func:`start_worker_for_rebuild` started, kept if the book can be sectioned."""
    if options.executor is not None or options.kept is not None:
        return None
    jobs = worker_count(options.jobs, len(manifest.documents))
    language = manifest.info.language
    if jobs < 2 or not sections_allowed(manifest.settings.pdf, language):
        if started is not None:
            started.close()
        return None
    if started is not None:
        return started
    if readers is not None and workers.weasyprint_unloaded():
        return _warm_up(EarlyWorkers(readers, worker_count(options.jobs)), language)
    if _has_rendered_groups(options.cache_dir):
        count = 1
    elif _source_bytes(manifest) > 2 * GROUP_WORDS * BYTES_PER_WORD:
        count = jobs
    else:
        return None
    return _started(count, language)


def _started(count: int, language: str | None) -> EarlyWorkers:
    """``count`` workers that warm up as they start; started now (a task makes the pool
    start its workers)."""
    pool = workers.start_pool(count, warm=(language,))
    for _ in range(count):
        pool.submit(workers.ready)
    return EarlyWorkers(pool, count)


def _warm_up(early: EarlyWorkers, language: str | None) -> EarlyWorkers:
    """Workers already running (the readers) warm up as their next task."""
    for _ in range(early.count):
        early.pool.submit(workers.warm_up, language)
    return early


def _source_bytes(manifest: Manifest) -> int:
    total = 0
    for spec in manifest.documents:
        with contextlib.suppress(OSError):  # the reading says what is wrong with it
            total += spec.path.stat().st_size
    return total


def _has_rendered_groups(cache_dir: Path | None) -> bool:
    folder = Cache(cache_dir, "pdf").folder
    return folder is not None and folder.is_dir() and any(folder.glob("*.pdf"))
