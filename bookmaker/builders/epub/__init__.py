"""The EPUB 3 builder (``-f epub``).

:mod:`.book` plans and assembles the book; :mod:`.finish` finishes each XHTML page,
:mod:`.metadata` writes the package metadata, :mod:`.cover` draws or takes the
cover, :mod:`.images` packs the documents' images, :mod:`.pages` carries the print
edition's page numbers, :mod:`.split` cuts over-long documents, :mod:`.ocf` re-packs
the zip reproducibly. Importing this package imports none of them: the registry
in :mod:`bookmaker.builders` only needs the name, the suffix and :func:`build`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import Future
    from pathlib import Path

    from bookmaker.builders import BuildOptions, BuildResult
    from bookmaker.manifest import Manifest
    from bookmaker.model import Volume

NAME = "epub"
SUFFIX = ".epub"
REQUIRES = ("ebooklib", "PIL")


def prepare(manifest: Manifest, options: BuildOptions, readers=None) -> Future | None:
    """Start drawing the cover (when the manifest names no image) while the documents
    are read: it depends on the title page's words alone, and drawing it took longer
    than rendering a small book's pages."""
    if manifest.info.cover is not None:
        return None
    from bookmaker.builders.epub.cover import start_drawing
    from bookmaker.cache import Cache

    return start_drawing(manifest.info, Cache(options.cache_dir, "epub"))


def build(volume: Volume, target: Path, options: BuildOptions) -> BuildResult:
    """Write ``volume`` as an EPUB to ``target``."""
    from bookmaker.builders.epub.book import build as build_epub

    return build_epub(volume, target, options)
