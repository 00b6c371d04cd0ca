"""``bookmaker new``: a volume folder with a commented manifest to fill in."""

from __future__ import annotations

from pathlib import Path

from bookmaker.errors import BookmakerError
from bookmaker.resources import MANIFEST_NAME

TEMPLATE = '''\
# bookmaker volume manifest. Paths are relative to this folder.
# `bookmaker inspect .` shows what bookmaker reads; `bookmaker build .` makes the books.

[volume]
title = "{title}"
# subtitle = "Volume 1, 1918"
# series = "The Military Writings of Leon Trotsky"
# series_number = 1
authors = ["Author Name"]
# translators = ["Translator Name"]
language = "en"
# date = "1918"
# publisher = ""
# rights = ""
# description = ""
# subjects = []
# source = "The printed edition the texts come from"
# cover = "cover.jpg"          # else a cover is generated

# Front matter (prefaces, introductions), read before the body:
front = ["texts/introduction.md"]

# Either a flat list of documents ...
# documents = ["texts/first.txt", "texts/second.htm"]

# ... or parts, in order. A document can override its title:
[[part]]
title = "Part One"
documents = [
    "texts/first.md",
    # {{ path = "texts/second.htm", title = "A Better Title" }},
]

# [typography]
# smart_quotes = true           # curly quotes, dashes, ellipses
# nbsp = true                   # no-break spaces after initials and "No."

# [pdf]
# trim = "us-trade"             # a5, royal, us-trade, a4, letter
# font = "eb-garamond"          # eb-garamond, source-serif-4, literata
# notes = "endnotes"            # or "footnotes"
# openings = "recto"            # or "page"
'''

INTRODUCTION = """---
title: Introduction
---

Write the introduction here, in Markdown. Notes are written like this.[^1]

[^1]: A note.
"""

FIRST = """---
title: The First Document
date: 1918-03-21
---

The text of the first document.
"""


def scaffold(folder: str | Path) -> Path:
    """Create FOLDER with a manifest and two example documents; refuse to overwrite."""
    folder = Path(folder)
    manifest = folder / MANIFEST_NAME
    if manifest.exists():
        raise BookmakerError("a volume already exists here; not overwriting it", manifest)
    title = folder.name.replace("-", " ").replace("_", " ").strip().title() or "Untitled"
    try:
        (folder / "texts").mkdir(parents=True, exist_ok=True)
        manifest.write_text(TEMPLATE.format(title=title.replace('"', "'")), "utf-8")
        (folder / "texts" / "introduction.md").write_text(INTRODUCTION, "utf-8")
        (folder / "texts" / "first.md").write_text(FIRST, "utf-8")
    except OSError as exc:
        raise BookmakerError(f"cannot create the volume: {exc.strerror}", folder) from None
    return manifest
