"""Placeholder until the reader lands (same session)."""

from __future__ import annotations

from bookmaker.errors import DocumentError
from bookmaker.model import Document
from bookmaker.readers import DocumentSource


def read(data: bytes, source: DocumentSource) -> Document:
    """Not written yet."""
    raise DocumentError("this reader is not written yet", source.rel_path)
