"""Finished document pages kept between builds by a long-lived caller (``bookmaker watch``).

A document page's XHTML depends only on what its key holds: the document as the
page got it (the whole document, with the names of the files it was cut into), its
place (level, matter), the page's file and id, the book's language, labels and
print page numbers, and the templates (both built-in, with their modification
times). A page is kept only when nothing else can reach it: no template of the
volume's or of the style's own in the chain (such a template may read any of the
volume), and no image (the image store numbers images across the book, so an
image's packaged name depends on the pages before).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from typing import Any

from bookmaker.builders.epub.finish import FinishedPage
from bookmaker.templating import TEMPLATES_DIR

TEMPLATES = ("document.xhtml", "base.xhtml")
"""The templates a document page is rendered from."""


@dataclass
class PageMemo:
    """Finished pages by key; a build keeps only the pages it used (:meth:`finish`)."""

    pages: dict[str, FinishedPage] = field(default_factory=dict)
    used: dict[str, FinishedPage] = field(default_factory=dict)
    stamp: bytes | None = None
    """The common part of every key this build; None: nothing is kept this build."""

    def start(self, env, common: list[Any]) -> None:
        """Begin a build: ``common`` is what every page's context shares."""
        names = []
        for name in TEMPLATES:
            path = env.get_template(name).filename or ""
            if os.path.dirname(os.path.abspath(path)) != str(TEMPLATES_DIR / "epub"):
                self.stamp = None  # an overriding template may read anything of the volume
                return
            names.append(f"{path}:{os.stat(path).st_mtime_ns}")
        self.stamp = pickle.dumps((names, common), pickle.HIGHEST_PROTOCOL)

    def key(self, page) -> str | None:
        if self.stamp is None or page.inputs is None or page.template != TEMPLATES[0]:
            return None
        hasher = hashlib.sha256(self.stamp)
        hasher.update(pickle.dumps((page.inputs, page.id, page.file, page.title, page.body_type,
                                    page.source), pickle.HIGHEST_PROTOCOL))
        return hasher.hexdigest()

    def get(self, key: str | None) -> FinishedPage | None:
        found = self.pages.get(key) if key is not None else None
        if found is not None:
            self.used[key] = found
        return found

    def put(self, key: str | None, page: FinishedPage, images_asked: bool) -> None:
        if key is not None and not images_asked:
            self.used[key] = page

    def finish(self) -> None:
        """End a build: what it did not use is dropped."""
        self.pages, self.used = self.used, {}
