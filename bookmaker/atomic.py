"""Files written whole or not at all: a temporary name beside the target, then a rename.

Readers of an output, a cache entry or a font instance (another build, a worker, a
web server) see the old file or the new one, never half of one, and a failure
leaves the old file in place. Every write of bookmaker's own files goes through here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def temp_beside(target: Path) -> Path:
    """A new empty file beside ``target`` to write it into and rename: a hidden name, and
    the permissions of a file made normally (0o666 less the umask: outputs are for sharing)."""
    fd, name = _create_beside(target)
    os.close(fd)
    return name


def _create_beside(target: Path) -> tuple[int, Path]:
    # What mkstemp does, with the mode a file made normally gets (mkstemp's 0600 then
    # needed a chmod, and reading the umask two more calls: a third of a cache write).
    while True:
        name = target.parent / f".{target.name}.{os.urandom(6).hex()}.tmp"
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), name
        except FileExistsError:
            continue


def public_mode() -> int:
    """The permissions of a file made normally: 0o666 less the umask."""
    mask = os.umask(0)  # reading the umask means setting it: set it back at once
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield a temporary path to write ``target`` into; renamed onto ``target`` when the
    block ends normally, removed when it raises."""
    temp = temp_beside(target)
    try:
        yield temp
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` whole (raises OSError as ``write_bytes`` does)."""
    fd, temp = _create_beside(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
