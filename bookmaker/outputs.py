"""Finished outputs kept in the build cache, so that a build with nothing changed is a copy.

A build's output depends on the volume's files (manifest, documents, images, its
own templates and styles), on bookmaker's own files, on the installed packages
(WeasyPrint, ebooklib, the font packages…), on the build date and on a few
options. :func:`output_keys` hashes all of that from file *metadata* (paths, sizes,
modification times), never from parsed content: deciding must cost less than
importing the pipeline (pydantic, lxml, WeasyPrint), or a no-change build could
not take well under a second. A changed file changes its size or its
modification time; the reverse (a touched file rebuilds) only costs time.

Not in the key: system libraries (Pango, HarfBuzz) and fonts outside the font
packages. After upgrading those, ``bookmaker clean`` or ``--no-cache``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bookmaker
from bookmaker.atomic import replacing
from bookmaker.errors import OutputError
from bookmaker.log import LOGGER
from bookmaker.reproducible import epoch_text, may_be_in_git

AREA = "outputs"
KEEP_PER_FORMAT = 2
"""Entries kept per format: the newest build, and the one before (an undo)."""


@dataclass
class Kept:
    """A finished output as the cache keeps it."""

    files: list[str]
    """File names, the main output first (split PDFs after it)."""
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)
    """Everything the build warned, said again when the output is reused."""


def output_keys(volume_dir: Path, formats: list[str], options: dict[str, object],
                skip: list[Path]) -> dict[str, str]:
    """For each format, a hash of everything its output of the volume in ``volume_dir``
    depends on. The inputs are walked once for all formats.

    ``skip``: folders inside the volume that are not inputs (the cache, the output folder).
    """
    hasher = hashlib.sha256()

    def add(text: str) -> None:
        hasher.update(text.encode("utf-8", "surrogateescape"))
        hasher.update(b"\0")

    add(f"{bookmaker.__version__}|{json.dumps(options, sort_keys=True, default=str)}")
    add(epoch_text())
    skipped = {os.path.realpath(folder) for folder in [*skip, volume_dir / ".git"]}
    for line in _tree_stats(volume_dir, skipped):
        add(line)
    for line in _installation():
        add(line)
    add(_git_state(volume_dir))
    inputs = hasher.hexdigest()
    return {fmt: hashlib.sha256(f"{inputs}|{fmt}".encode()).hexdigest()[:32]
            for fmt in formats}


@functools.cache
def _installation() -> tuple[str, ...]:
    """bookmaker's own files and the installed packages, looked at once a process: a
    catalogue decides for thousands of volumes, and they change between runs, not in one."""
    package = Path(bookmaker.__file__).parent
    return (*_tree_stats(package, set()), *_installed_packages())


def _tree_stats(root: Path, skipped: set[str]) -> list[str]:
    """``relative path:size:mtime`` of every file under ``root``, sorted."""
    lines = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__"
                         and os.path.realpath(os.path.join(folder, d)) not in skipped)
        for name in sorted(files):
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            lines.append(f"{os.path.relpath(path, root)}:{stat.st_size}:{stat.st_mtime_ns}")
    return lines


def _installed_packages() -> list[str]:
    """Names and versions of every installed distribution (their ``.dist-info`` folders)."""
    found = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        found += sorted(name for name in names if name.endswith((".dist-info", ".egg-info")))
    return found


def _git_state(volume_dir: Path) -> str:
    """The last commit touching the volume: the build date follows it (pipeline.source_date)."""
    if not may_be_in_git(volume_dir):
        return ""
    try:
        log = subprocess.run(["git", "log", "-1", "--format=%H %ct", "--", "."],
                             cwd=volume_dir, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ""
    return log.stdout.strip() if log.returncode == 0 else ""


def find(cache_dir: Path, fmt: str, key: str) -> Kept | None:
    """The kept output for ``key``, or None."""
    entry = cache_dir / AREA / f"{fmt}-{key}"
    try:
        data = json.loads((entry / "kept.json").read_text("utf-8"))
        kept = Kept(list(data["files"]), data.get("pages"), list(data.get("warnings", [])))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not kept.files or not all((entry / name).is_file() for name in kept.files):
        return None
    return kept


def restore(cache_dir: Path, fmt: str, key: str, kept: Kept, out_dir: Path) -> list[Path]:
    """Copy a kept output into ``out_dir``, each file through a temporary name; the paths.

    A file already there with the kept copy's size and modification time (kept copies
    keep the time of the output they were made from) is that output: left alone, so a
    catalogue of thousands of unchanged volumes copies nothing."""
    entry = cache_dir / AREA / f"{fmt}-{key}"
    written = []
    for name in kept.files:
        target = out_dir / name
        if _same_file_stat(entry / name, target):
            written.append(target)
            continue
        try:
            with replacing(target) as temp:
                shutil.copyfile(entry / name, temp)
                shutil.copystat(entry / name, temp)
        except OSError as exc:
            raise OutputError(f"cannot write output: {exc.strerror or exc}", target) from None
        written.append(target)
    return written


def keep(cache_dir: Path, fmt: str, key: str, files: list[Path], pages: int | None,
         warnings: list[str]) -> None:
    """Keep a finished output under ``key``; a cache that cannot be written only costs speed."""
    area = cache_dir / AREA
    entry = area / f"{fmt}-{key}"
    temp: Path | None = None
    try:
        area.mkdir(parents=True, exist_ok=True)
        temp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=area))
        for path in files:
            shutil.copy2(path, temp / path.name)
        kept = Kept([path.name for path in files], pages, warnings)
        (temp / "kept.json").write_text(json.dumps(asdict(kept)), "utf-8")
        shutil.rmtree(entry, ignore_errors=True)
        os.replace(temp, entry)
        _prune(area, fmt, entry)
    except OSError as exc:
        LOGGER.info("output not kept in the cache: %s", exc)
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def _same_file_stat(kept: Path, target: Path) -> bool:
    try:
        a, b = kept.stat(), target.stat()
    except OSError:
        return False
    return (a.st_size, a.st_mtime_ns) == (b.st_size, b.st_mtime_ns)


def _prune(area: Path, fmt: str, newest: Path) -> None:
    entries = sorted((path for path in area.glob(f"{fmt}-*") if path != newest),
                     key=lambda path: path.stat().st_mtime, reverse=True)
    for old in entries[KEEP_PER_FORMAT - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def ensure_writable(out: Path) -> None:
    """Make the output folder, or raise :class:`OutputError` saying why it cannot be."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create output folder: {exc.strerror}", out) from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError("output folder is not writable; choose another with -o", out)
