"""Writing the site's generated files: only bytes that changed, and nothing left behind.

A catalogue of thousands of volumes is regenerated often with little or nothing
changed; rewriting every page would touch tens of thousands of files and make
every sync or deploy copy them all again. :func:`write_if_changed` leaves a
file alone when its bytes are the same, and :class:`Output` records what one
writer produced, so that what it no longer produces (page 101 of a list that
shrank, the page of a volume taken out) is removed on the next run. Files it
never wrote (built EPUBs and PDFs, covers, anything the user put there) are
never touched.
"""

from __future__ import annotations

import json
from pathlib import Path

from bookmaker.atomic import write_atomically


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` unless ``path`` already holds exactly it; True when written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomically(path, data)  # a server reading the site never sees half a page
    return True


class Output:
    """The files one writer (the pages, or the feeds) produces under a site folder.

    ``record`` is the file, relative to the site, that lists them between runs.
    Call :meth:`write` for each file and :meth:`finish` once at the end.
    """

    def __init__(self, site: Path, record: str) -> None:
        self.site = site
        self.record = site / record
        self.produced: list[str] = []
        """Site-relative paths written or confirmed this run, in order."""
        self.written: list[str] = []
        """Those whose bytes changed (or were new)."""
        self.removed: list[str] = []
        """Files of the previous run no longer produced, removed by :meth:`finish`."""
        self._folders: set[Path] = set()

    def write(self, relative: str, data: str | bytes) -> Path:
        """Write one file (text as UTF-8) at a site-relative POSIX path."""
        path = self.site / relative
        folder = path.parent
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)
        if isinstance(data, str):
            data = data.encode("utf-8")
        if write_if_changed(path, data):
            self.written.append(relative)
        self.produced.append(relative)
        return path

    def paths(self) -> list[Path]:
        return [self.site / relative for relative in self.produced]

    def finish(self) -> list[str]:
        """Remove what the previous run produced and this one did not; keep the record."""
        keep = set(self.produced)
        for relative in self._previous():
            if relative in keep:
                continue
            path = self.site / relative
            if path.is_file():
                path.unlink()
                self.removed.append(relative)
                self._prune(path.parent)
        listing = json.dumps(sorted(keep), ensure_ascii=False, indent=0) + "\n"
        write_if_changed(self.record, listing.encode("utf-8"))
        return self.removed

    def _previous(self) -> list[str]:
        try:
            data = json.loads(self.record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(data, list):
            return []
        # Only plain relative paths inside the site: a damaged record must not reach outside.
        return [item for item in data if isinstance(item, str) and item
                and not item.startswith("/") and ".." not in item.split("/")]

    def _prune(self, folder: Path) -> None:
        """Remove folders emptied by removals, up to the site itself."""
        site = self.site.resolve()
        while folder.resolve() != site and site in folder.resolve().parents:
            try:
                folder.rmdir()
            except OSError:
                return  # not empty
            folder = folder.parent
