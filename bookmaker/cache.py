"""The build cache: files on disk under a content key, written atomically.

Keys are hashes of everything that shapes an entry, so entries are never stale:
a change makes a new key, and ``bookmaker clean`` (or ``--no-cache``) empties it.
Concurrent builds may share a cache: every file is written to a temporary name
and renamed, so a reader sees a whole entry or none.
"""

from __future__ import annotations

import os
from pathlib import Path

from bookmaker.atomic import write_atomically
from bookmaker.log import LOGGER

CACHE_DIR_NAME = ".bookmaker-cache"


class Cache:
    """One area (``pdf``, ``read``…) of a cache folder; a no-op when ``root`` is None."""

    def __init__(self, root: Path | None, area: str) -> None:
        self.folder = Path(root) / area if root is not None else None

    def get(self, name: str) -> bytes | None:
        """The entry's bytes, or None when absent (or the cache is off)."""
        if self.folder is None:
            return None
        try:
            return (self.folder / name).read_bytes()
        except OSError:
            return None

    def put(self, name: str, data: bytes) -> None:
        """Store an entry; a cache that cannot be written only costs speed."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.folder / name, data)
        except OSError as exc:
            LOGGER.info("cache not written (%s): %s", name, exc)


def user_cache_folder(name: str) -> Path | None:
    """``~/.cache/bookmaker/<name>`` (or under ``XDG_CACHE_HOME``), made if need be; None
    when it cannot be written. For what derives from the installation alone (compiled
    templates, font instances), never from a volume: that goes in the build cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "bookmaker" / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None
