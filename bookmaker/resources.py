"""The one gate through which source files are located and read.

Every path a manifest names is resolved here and must stay inside the volume
folder: no absolute paths, no ``..`` escapes, no symlink resolving outside.
Builders that load resources at render time (WeasyPrint) use
:func:`is_allowed_file` to restrict what may be opened.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath, PureWindowsPath

from bookmaker.errors import ManifestError

MANIFEST_NAME = "volume.toml"

MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
"""Refuse documents larger than this rather than exhaust memory."""


def locate(path: str | Path) -> Path:
    """The manifest file for PATH, which may be a volume folder or its ``volume.toml``."""
    path = Path(path)
    if path.is_dir():
        path = path / MANIFEST_NAME
    if not path.is_file():
        if path.name == MANIFEST_NAME and path.parent.is_dir():
            raise ManifestError(
                f"no {MANIFEST_NAME} here; create one with 'bookmaker new NAME'", path
            )
        raise ManifestError("no such volume folder or manifest", path)
    return path


def resolve_inside(root: Path, relative: str, manifest: Path, what: str = "document") -> Path:
    """Resolve ``relative`` against ``root`` and check it stays inside and exists as a file.

    Errors name the manifest and the offending path.
    """
    if not relative or not relative.strip():
        raise ManifestError(f"empty {what} path", manifest)
    posix = PurePosixPath(relative)
    if posix.is_absolute() or PureWindowsPath(relative).is_absolute() or relative.startswith("~"):
        raise ManifestError(
            f"{what} path '{relative}' is absolute; give it relative to the volume folder", manifest
        )
    if ".." in posix.parts:
        raise ManifestError(
            f"{what} path '{relative}' leaves the volume folder ('..'); "
            "copy the file into the volume",
            manifest,
        )
    root = root.resolve()
    candidate = root / posix
    try:
        resolved = candidate.resolve(strict=True)
    except FileNotFoundError:
        raise ManifestError(f"{what} '{relative}' not found in {root}", manifest) from None
    except (OSError, RuntimeError) as exc:  # symlink loops, permission errors
        raise ManifestError(f"{what} '{relative}' cannot be opened: {exc}", manifest) from None
    if not resolved.is_relative_to(root):
        raise ManifestError(
            f"{what} '{relative}' is a link to '{resolved}', outside the volume folder; "
            "copy the file into the volume",
            manifest,
        )
    if resolved.is_dir():
        raise ManifestError(f"{what} '{relative}' is a directory, not a file", manifest)
    return resolved


def read_bytes(path: Path, display: str) -> bytes:
    """Read a source file whole, with a clear error when it cannot be read."""
    from bookmaker.errors import DocumentError

    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(
                f"file is {size // (1024 * 1024)} MB, more than the "
                f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB bookmaker reads; split it",
                display,
            )
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror or exc}", display) from None


def is_allowed_file(path: Path, roots: list[Path]) -> bool:
    """True when ``path`` (after resolving links) lies inside one of ``roots``."""
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return any(resolved.is_relative_to(root.resolve()) for root in roots) and resolved.is_file()
