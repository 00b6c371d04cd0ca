"""Re-pack an EPUB archive so that the same book gives the same bytes.

ebooklib stamps every zip entry with the current time. Here the entries are
copied into a new archive with ``mimetype`` first and stored (as OCF requires),
then ``META-INF/``, then the package document, then the rest in ebooklib's
order (which is our reading order), all with one fixed timestamp and fixed
permissions.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
"""The earliest time a zip entry can hold."""

_FILE_MODE = 0o100644 << 16
"""A regular file readable by all: the same on every machine."""


def zip_timestamp(when: dt.datetime) -> tuple[int, int, int, int, int, int]:
    """``when`` in UTC as a zip date_time, clamped to the zip format's range."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    when = max(when.astimezone(dt.UTC), ZIP_EPOCH)
    when = min(when, dt.datetime(2107, 12, 31, 23, 59, 58, tzinfo=dt.UTC))
    # Zip stores seconds in steps of two.
    return (when.year, when.month, when.day, when.hour, when.minute, when.second - when.second % 2)


def _entry_rank(name: str, index: int) -> tuple[int, int]:
    if name == "mimetype":
        return (0, index)
    if name.startswith("META-INF/"):
        return (1, index)
    if name.endswith(".opf"):
        return (2, index)
    return (3, index)


def repack(archive: bytes, when: dt.datetime) -> bytes:
    """The EPUB ``archive`` re-packed deterministically with every entry dated ``when``."""
    stamp = zip_timestamp(when)
    source = zipfile.ZipFile(io.BytesIO(archive))
    names = [info.filename for info in source.infolist()]
    if len(set(names)) != len(names):
        raise ValueError("the archive holds the same entry twice")
    ordered = [name for _, name in sorted((_entry_rank(n, i), n) for i, n in enumerate(names))]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, so that the permission bits mean the same everywhere
            info.external_attr = _FILE_MODE
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name), compresslevel=9)
    return out.getvalue()
