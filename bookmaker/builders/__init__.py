"""Builders render a :class:`~bookmaker.model.Volume` into one output format.

A builder is a package with ``NAME`` (as used by ``-f``), ``SUFFIX`` (".epub"),
``REQUIRES`` (the Python packages it cannot run without) and
``build(volume: Volume, target: Path, options: BuildOptions) -> BuildResult``.
It writes only ``target`` (a temporary path the pipeline renames once the output
is built and checked) and never reads source documents: everything it needs is
in the model, the templates and the styles.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bookmaker.model import PageStart



@dataclass(frozen=True)
class BuildOptions:
    """Options shared by the CLI and the library API."""

    jobs: int = 0
    """Worker processes for builders that can use them; 0 means all cores."""
    split: bool = False
    """PDF: also write one PDF per document beside the book."""
    allow_remote: bool = False
    """Allow fetching remote images (off: they are dropped with a warning)."""
    cache_dir: Path | None = None
    """Where rendered pieces are cached; None disables the cache."""
    progress: Callable[[str, int, int], None] | None = None
    """Called as ``progress(stage, done, total)`` during long work."""
    executor: Executor | None = None
    """Where builders send their render tasks instead of starting worker processes of
    their own (a Dask cluster's executor, for a library build); not shut down by them."""
    kept: dict[str, object] | None = None
    """What builders keep between builds of one volume for a caller that builds it again
    and again (``bookmaker watch``), each under its format's name; None: nothing is kept."""
    prepared: dict[str, object] | None = None
    """What each builder's optional ``prepare(manifest, options, readers)`` started while
    the documents were read (the drawn cover, render workers), under its format's name;
    None: nothing. ``readers`` is the pool of the workers forked to read the documents,
    or None; a builder that keeps it for its own work returns it as the ``pool`` of what
    it started. The pipeline calls its ``close()``, if it has one, after the build."""


@dataclass
class BuildResult:
    """What a builder made."""

    path: Path
    """The file written (the temporary target)."""
    pages: int | None = None
    """Pages, for paged formats."""
    extra_files: list[Path] = field(default_factory=list)
    """Further files written beside the main one (split PDFs), also temporary."""
    warnings: list[str] = field(default_factory=list)
    page_starts: list[PageStart] = field(default_factory=list)
    """Paged formats: each page's folio and where its text begins."""


BUILDER_MODULES = {"epub": "bookmaker.builders.epub", "pdf": "bookmaker.builders.pdf"}
"""Every format, by name: a new format is a package here and a line in this table."""


def builders(names: list[str] | None = None) -> dict[str, ModuleType]:
    """The builders by name (those in ``names``, in that order, or all), imported on
    demand: WeasyPrint and ebooklib are slow to import, and an EPUB build needs no
    WeasyPrint. The one check of which formats exist and can run here: raises
    :class:`~bookmaker.errors.BuildError` for an unknown format and
    :class:`~bookmaker.errors.ToolMissingError` for one whose packages are missing."""
    import importlib
    import importlib.util

    from bookmaker.errors import BuildError, ToolMissingError

    found = {}
    for name in names if names is not None else list(BUILDER_MODULES):
        if name not in BUILDER_MODULES:
            raise BuildError(f"unknown format '{name}' (formats: {', '.join(BUILDER_MODULES)})")
        module = importlib.import_module(BUILDER_MODULES[name])
        missing = [lib for lib in module.REQUIRES if importlib.util.find_spec(lib) is None]
        if missing:
            raise ToolMissingError(f"format '{name}' needs the Python package '{missing[0]}'; "
                                   f"pip install {missing[0]}")
        found[name] = module
    return found
