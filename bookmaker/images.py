"""The documents' images, resolved once for every builder.

Readers keep ``<img src>`` as the page wrote it. Here, after reading, each source is
resolved by one rule — relative to the document's own file (for a page under
``texts/``, also at the same place under ``images/``, where ``bookmaker import`` puts
the archive's images) — and written back as a
path relative to the volume folder, which is what the EPUB and PDF builders both
read. An image on the web, outside the volume or missing is dropped with a warning
that says which (its alternative text stays in the text); nothing is fetched at
build time. An image that stands alone in its paragraph, with or without a short
caption after it, becomes a figure (the caption, else the alternative text, below).
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from html import escape, unescape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bookmaker.model import Asset, Block, Document
from bookmaker.resources import is_allowed_file, read_bytes

_IMG = re.compile(r"<img\b[^>]*?/?>", re.IGNORECASE)
_SRC = re.compile(r'\bsrc="([^"]*)"')
_ALT = re.compile(r'\balt="([^"]*)"')
_ALONE = re.compile(r"^<p(?: [^>]*)?>\s*(<img\b[^>]*>)\s*(?:<br\s*/?>\s*)*(.*?)\s*</p>$", re.S)
_TAGS = re.compile(r"<[^>]+>")
CAPTION_CHARS = 300
"""Text longer than this after a lone image is a paragraph, not its caption."""

MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
"""What a document's image may be, by suffix; each builder takes those its format shows."""

MAX_IMAGE_BYTES = 32 * 1024 * 1024


def read_assets(documents: list[Document], root: Path) -> dict[str, Asset]:
    """Every distinct image the (resolved) documents show, read once, by path. An image
    of a type no book shows, or too large, is left to each builder to drop (by name)."""
    assets: dict[str, Asset] = {}
    for doc in documents:
        for html in [*(b.html for b in doc.blocks if "<img" in b.html),
                     *(n.html for n in doc.notes if "<img" in n.html)]:
            for tag in _IMG.findall(html):
                found = _SRC.search(tag)
                path = unescape(found.group(1)) if found else ""
                if not path or path in assets:
                    continue
                media_type = MEDIA_TYPES.get(posixpath.splitext(path)[1].lower())
                file = root / path
                if (media_type is None or not is_allowed_file(file, [root])
                        or file.stat().st_size > MAX_IMAGE_BYTES):
                    continue
                assets[path] = Asset(path, media_type, read_bytes(file, path))
    return assets


def read_cover(root: Path, relative: str, manifest: Path) -> Asset:
    """The manifest's cover image; its type is checked by the builders that show it."""
    from bookmaker.resources import resolve_inside

    path = resolve_inside(root, relative, manifest, what="cover image")
    media_type = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return Asset(relative, media_type, read_bytes(path, relative))


def resolve_images(doc: Document, root: Path) -> list[str]:
    """Resolve ``doc``'s images in place against the volume folder ``root``; return the
    warnings (already in ``doc.warnings``)."""
    warnings: list[str] = []
    if not any("<img" in block.html for block in doc.blocks) and not any(
            "<img" in note.html for note in doc.notes):
        return warnings
    base = posixpath.dirname(doc.source_path)

    def fix(match: re.Match[str]) -> str:
        tag = match.group(0)
        found = _SRC.search(tag)
        src = unescape(found.group(1)) if found else ""
        alt_match = _ALT.search(tag)
        alt = unescape(alt_match.group(1)) if alt_match else ""
        path, problem = _resolve(src, base, root)
        if problem:
            warnings.append(f"{problem}: {src}" + (f" ('{alt}')" if alt else ""))
            return escape(alt, quote=False)
        return _SRC.sub(f'src="{escape(path)}"', tag, count=1)

    blocks = []
    for block in doc.blocks:
        html = _IMG.sub(fix, block.html) if "<img" in block.html else block.html
        if html != block.html:
            block = Block(block.kind, html, block.text)
        blocks.append(_as_figure(block))
    doc.blocks = [block for block in blocks if block.html.strip() not in ("<p></p>", "")]
    doc.notes = [note if "<img" not in note.html else
                 dataclasses.replace(note, html=_IMG.sub(fix, note.html))
                 for note in doc.notes]
    doc.warnings.extend(warnings)
    return warnings


def _resolve(src: str, base: str, root: Path) -> tuple[str, str | None]:
    """(volume-relative path, None) or ('', what is wrong with ``src``)."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc:
        return "", "image on the web, not fetched"
    if not parts.path:
        return "", "image without a source"
    path = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    if path.startswith(("../", "/")) or path == "..":
        return "", "image outside the volume"
    if not is_allowed_file(root / path, [root]):
        # bookmaker import keeps the archive's pages byte for byte under texts/ and their
        # images under images/, at the same paths: look there too.
        imported = "images/" + path.removeprefix("texts/")
        if path.startswith("texts/") and is_allowed_file(root / imported, [root]):
            return imported, None
        return "", f"missing image {path}"
    return path, None


def _as_figure(block: Block) -> Block:
    """A paragraph holding only an image (and a short caption) as a figure."""
    if block.kind != "paragraph" or "<img" not in block.html:
        return block
    match = _ALONE.match(block.html.strip())
    if not match or "<img" in match.group(2):
        return block
    image, caption = match.group(1), match.group(2).strip()
    if len(_TAGS.sub("", caption)) > CAPTION_CHARS:
        return block
    if not caption:
        alt = _ALT.search(image)
        caption = alt.group(1) if alt else ""
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return Block("figure", f'<figure class="image">{image}{figcaption}</figure>', block.text)
