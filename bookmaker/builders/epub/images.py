"""Images the documents show, gathered into the EPUB package.

Readers keep local image references as written in the source (``<img src="fig.png">``).
The builder finds each file relative to its document's folder, then relative to the
volume folder, never outside the volume folder, and packs each distinct file once
under ``images/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from bookmaker.resources import is_allowed_file

MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
"""Raster formats every EPUB 3 reading system must show (SVG files are left out)."""

MAX_IMAGE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class PackagedImage:
    """An image file as it goes into the package."""

    file: str
    """Path inside the package folder, e.g. 'images/fig-1a2b3c4d.png'."""
    media_type: str
    data: bytes


@dataclass
class ImageStore:
    """The images found so far, each distinct file once."""

    root: Path
    """The volume folder."""
    images: dict[Path, PackagedImage] = field(default_factory=dict)

    def add(self, src: str, document_path: str) -> PackagedImage | None:
        """The packaged image for ``src`` as written in the document at ``document_path``."""
        parts = urlsplit(src)
        if parts.scheme or parts.netloc or not parts.path:
            return None
        relative = PurePosixPath(unquote(parts.path))
        if relative.is_absolute() or ".." in relative.parts:
            return None
        root = self.root.resolve()
        # Sources are relative to the volume folder (bookmaker.images resolved them).
        candidates = [root / relative]
        for candidate in candidates:
            if not is_allowed_file(candidate, [root]):
                continue
            path = candidate.resolve()
            if path in self.images:
                return self.images[path]
            media_type = MEDIA_TYPES.get(path.suffix.lower())
            if media_type is None or path.stat().st_size > MAX_IMAGE_BYTES:
                return None
            data = path.read_bytes()
            # Named by content, so the name does not depend on the order documents are read.
            digest = hashlib.sha256(data).hexdigest()[:12]
            stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in path.stem)[:40]
            image = PackagedImage(f"images/{stem}-{digest}{path.suffix.lower()}", media_type, data)
            self.images[path] = image
            return image
        return None

    def packaged(self) -> list[PackagedImage]:
        """Every image once, in a fixed order."""
        unique = {image.file: image for image in self.images.values()}
        return [unique[name] for name in sorted(unique)]
