"""The print PDF builder (``-f pdf``, WeasyPrint).

:mod:`.book` builds the book in one render or hands it to :mod:`.parallel` (groups
rendered in worker processes, cached, then assembled); :mod:`.context` prepares
the volume for the ``pdf`` templates, :mod:`.render` lays out and writes through
WeasyPrint, :mod:`.fonts` finds and declares the faces, :mod:`.folios` stamps page
numbers, :mod:`.pages` finds where each page begins, :mod:`.fetcher` restricts
what a render may open. Importing this package imports none of them (WeasyPrint
takes a second to import): the registry only needs the name, the suffix and
:func:`build`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Executor
    from pathlib import Path

    from bookmaker.builders import BuildOptions, BuildResult
    from bookmaker.builders.pdf.parallel.early import EarlyWorkers
    from bookmaker.manifest import Manifest
    from bookmaker.model import Volume

NAME = "pdf"
SUFFIX = ".pdf"
REQUIRES = ("weasyprint", "pikepdf")
PREPARE_STARTS_PROCESSES = True
""":func:`prepare` may start render workers: the pipeline calls it before the hooks
that start threads, so that the workers can be forked (see :mod:`.workers`)."""


def before_reading(options: BuildOptions) -> EarlyWorkers | None:
    """Before the volume is read: a rebuild's render worker
    (:func:`.parallel.early.start_worker_for_rebuild`)."""
    from bookmaker.builders.pdf.parallel.early import start_worker_for_rebuild

    return start_worker_for_rebuild(options)


def prepare(manifest: Manifest, options: BuildOptions,
            readers: Executor | None = None) -> EarlyWorkers | None:
    """While the documents are read: the render workers the book will want, the
    reading workers (``readers``) when there are some
    (:func:`.parallel.early.start_workers_while_reading`)."""
    from bookmaker.builders.pdf.parallel.early import start_workers_while_reading

    return start_workers_while_reading(manifest, options, readers,
                                       (options.prepared or {}).get(NAME))


def build(volume: Volume, target: Path, options: BuildOptions) -> BuildResult:
    """Write ``volume`` as a PDF book to ``target``."""
    from bookmaker.builders.pdf.book import build as build_pdf

    return build_pdf(volume, target, options)
