"""Readers turn one source file into a :class:`~bookmaker.model.Document`.

A reader is a plain function ``read(data: bytes, source: DocumentSource) -> Document``.
It receives the raw bytes (read through :mod:`bookmaker.resources` by the
pipeline), so it never opens files itself and can be fuzzed directly. It raises
:class:`~bookmaker.errors.DocumentError` on input it cannot use and nothing else.

Readers are registered explicitly in :data:`READERS`, keyed by file suffix.
"""

from __future__ import annotations

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


Reader = Callable[[bytes, DocumentSource], Document]


@dataclass(frozen=True)
class ReaderEntry:
    """A registered reader and what it reads."""

    name: str
    read: Reader
    description: str


def _registry() -> dict[str, ReaderEntry]:
    from bookmaker.readers import archive_html, archive_text, markdown

    text = ReaderEntry("archive-text", archive_text.read, "archive plain-text transcription")
    html = ReaderEntry("archive-html", archive_html.read, "archive HTML page")
    md = ReaderEntry("markdown", markdown.read, "Markdown with YAML front matter")
    return {".txt": text, ".htm": html, ".html": html, ".xhtml": html, ".md": md, ".markdown": md}


READERS: dict[str, ReaderEntry] = _registry()
"""Readers by lower-case file suffix."""
