"""What bookmaker understood of a volume, as plain data (``bookmaker inspect``)."""

from __future__ import annotations

import re
from html import unescape

from bookmaker.model import Document, Volume
from bookmaker.scripts import dominant_script

_TAGS = re.compile(r"<[^>]+>")


def describe(volume: Volume) -> dict:
    """``{"volume": {...}, "documents": [{...}, ...]}`` for JSON output and tests."""
    info = volume.info.model_dump(exclude_none=True)
    info["slug"] = volume.slug
    info["parts"] = [part.title for part in volume.parts if part.title]
    info["documents"] = len(volume.documents)
    info["words"] = sum(doc.words for doc in volume.documents)
    documents = [
        describe_document(doc, part.title) for part in volume.parts for doc in part.documents
    ]
    return {"volume": info, "documents": documents}


def describe_document(doc: Document, part: str | None) -> dict:
    """One document's entry: title, part, date (ISO when parsed), source, counts, warnings."""
    return {
        "id": doc.id,
        "path": doc.source_path,
        "kind": doc.kind,
        "language": doc.language,
        "script": dominant_script(" ".join(block.text for block in doc.blocks[:200])),
        "title": doc.title,
        "part": part,
        "date": doc.date.isoformat() if doc.date else doc.date_text,
        "source": plain(doc.source_line) if doc.source_line else doc.metadata.get("Source"),
        "occasion": plain(doc.occasion) if doc.occasion else None,
        "paragraphs": sum(1 for block in doc.blocks if block.kind == "paragraph"),
        "words": doc.words,
        "notes": len(doc.notes),
        "credits": doc.credits,
        "warnings": doc.warnings,
        "guesses": guesses(doc),
    }


def guesses(doc: Document) -> list[str]:
    """What reading the document took on trust, for a person to check."""
    found = list(doc.guesses)
    if "#" in doc.source_path:
        anchor = doc.source_path.split("#")[1]
        found.append(f"one of several documents on its page (from #{anchor})")
    if not doc.date_text:
        found.append("no date found")
    found += [f"note {note.label} kept without a call" for note in doc.notes if not note.ref_ids]
    return found


def plain(html: str) -> str:
    """Text of an inline XHTML fragment."""
    return unescape(_TAGS.sub("", html)).strip()
