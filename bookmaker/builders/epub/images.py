"""Images the documents show, gathered into the EPUB package.

The pipeline has read every image the documents show into the model
(:attr:`~bookmaker.model.Volume.assets`, by volume-relative path). Here each distinct
one the EPUB can carry is packed once under ``images/``, named by its content.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from bookmaker.model import Asset

MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
"""Raster formats every EPUB 3 reading system must show (SVG files are left out)."""


@dataclass(frozen=True)
class PackagedImage:
    """An image file as it goes into the package."""

    file: str
    """Path inside the package folder, e.g. 'images/fig-1a2b3c4d.png'."""
    media_type: str
    data: bytes


@dataclass
class ImageStore:
    """The images packed so far, each distinct file once."""

    assets: dict[str, Asset]
    """The volume's images, by volume-relative path."""
    images: dict[str, PackagedImage] = field(default_factory=dict)

    def add(self, src: str) -> PackagedImage | None:
        """The packaged image for ``src`` (volume-relative, as :mod:`bookmaker.images`
        resolved it), or None when the EPUB cannot carry it."""
        if src in self.images:
            return self.images[src]
        asset = self.assets.get(src)
        if asset is None or asset.media_type not in MEDIA_TYPES:
            return None
        path = PurePosixPath(src)
        # Named by content, so the name does not depend on the order documents are read.
        digest = hashlib.sha256(asset.data).hexdigest()[:12]
        stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in path.stem)[:40]
        image = PackagedImage(f"images/{stem}-{digest}{path.suffix.lower()}", asset.media_type,
                              asset.data)
        self.images[src] = image
        return image

    def packaged(self) -> list[PackagedImage]:
        """Every image once, in a fixed order."""
        unique = {image.file: image for image in self.images.values()}
        return [unique[name] for name in sorted(unique)]
