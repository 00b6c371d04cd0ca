"""Readers turn one source file into a :class:`~bookmaker.model.Document`.

A reader is a plain function ``read(data: bytes, source: DocumentSource) -> Document``.
It receives the raw bytes (read through :mod:`bookmaker.resources` by the
pipeline), so it never opens files itself and can be fuzzed directly. It raises
:class:`~bookmaker.errors.DocumentError` on input it cannot use and nothing else.

Readers are registered explicitly in :data:`READERS`, keyed by file suffix.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from bookmaker.model import Document, TypographySettings


@dataclass(frozen=True)
class DocumentSource:
    """What a reader is told about the document it reads."""

    rel_path: str
    """Path relative to the volume folder, used in messages and ``Document.source_path``."""
    doc_id: str
    """Book-wide unique id the document must carry (prefix of its note ids)."""
    language: str = "en"
    """The volume's language (BCP 47)."""
    title: str | None = None
    """A title set in the manifest, overriding the one found in the file."""
    typography: TypographySettings = field(default_factory=TypographySettings)
    """Smart punctuation settings."""
    fragment: str | None = None
    """For a page holding several documents: the anchor (``id`` or ``name``) this one
    starts at; it runs to the next heading of its level."""


Reader = Callable[[bytes, DocumentSource], Document]


@dataclass(frozen=True)
class ReaderEntry:
    """A registered reader and what it reads; its module is imported on first use."""

    name: str
    module: str
    """Module (in this package) whose ``read`` function is the reader."""
    description: str

    @property
    def read(self) -> Reader:
        # Imported when needed: a volume of plain text needs neither markdown-it nor nh3.
        return importlib.import_module(f"bookmaker.readers.{self.module}").read


_TEXT = ReaderEntry("archive-text", "archive_text", "archive plain-text transcription")
_HTML = ReaderEntry("archive-html", "archive_html", "archive HTML page")
_MARKDOWN = ReaderEntry("markdown", "markdown", "Markdown with YAML front matter")

READERS: dict[str, ReaderEntry] = {
    ".txt": _TEXT, ".htm": _HTML, ".html": _HTML, ".xhtml": _HTML,
    ".md": _MARKDOWN, ".markdown": _MARKDOWN,
}
"""Readers by lower-case file suffix."""
