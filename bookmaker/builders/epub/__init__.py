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
    from pathlib import Path

    from bookmaker.builders import BuildOptions, BuildResult
    from bookmaker.model import Volume

NAME = "epub"
SUFFIX = ".epub"
REQUIRES = ("ebooklib", "PIL")


def build(volume: Volume, target: Path, options: BuildOptions) -> BuildResult:
    """Write ``volume`` as an EPUB to ``target``."""
    from bookmaker.builders.epub.book import build as build_epub

    return build_epub(volume, target, options)
