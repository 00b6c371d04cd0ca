"""The library manifest: ``library.toml`` → the volumes of a catalogue, in order.

::

    [library]
    title = "Marxists Internet Archive — Ebooks"
    base_url = "https://example.org/ebooks/"   # optional, for the feeds
    volumes = ["volumes/*", "trotsky/*/"]       # globs of volume folders, in this order
    formats = ["epub", "pdf"]
    scheduler = "tcp://10.0.0.5:8786"           # optional: build on a Dask cluster

Validated as ``volume.toml`` is (line, column, "did you mean"). Each glob is matched
against the library's folder; its matches are taken in name order, folders without a
``volume.toml`` are skipped, and a folder matched twice counts once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bookmaker.errors import ManifestError
from bookmaker.manifest import read_toml_model

LIBRARY_FILE = "library.toml"
SCHEDULER_VARIABLE = "BOOKMAKER_SCHEDULER"


class LibraryTable(BaseModel):
    """The ``[library]`` table."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="Catalogue", description="Site and feed title.")
    base_url: str | None = Field(default=None, description="Absolute address of the site.")
    volumes: list[str] = Field(min_length=1, description="Globs of volume folders, in order.")
    formats: list[Literal["epub", "pdf"]] = Field(default=["epub", "pdf"], min_length=1)
    split: bool = Field(default=False, description="PDF: also one PDF per document.")
    scheduler: str | None = Field(default=None,
                                  description="A Dask scheduler's address (tcp://host:port).")

    @field_validator("volumes")
    @classmethod
    def _relative(cls, globs: list[str]) -> list[str]:
        for pattern in globs:
            if Path(pattern).is_absolute() or ".." in Path(pattern).parts:
                raise ValueError(f"'{pattern}' must be a glob inside the library's folder")
        return globs


class LibraryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    library: LibraryTable


_KNOWN_KEYS = {(): LibraryFile.model_fields, ("library",): LibraryTable.model_fields}


@dataclass(frozen=True)
class Library:
    """A validated library: its settings and its volume folders in order."""

    path: Path
    """The ``library.toml``."""
    title: str
    base_url: str | None
    volumes: list[Path]
    formats: list[str]
    split: bool
    scheduler: str | None


def find_library(path: str | Path) -> Path | None:
    """The ``library.toml`` that ``path`` is or holds, or None (a volume folder)."""
    path = Path(path)
    if path.name == LIBRARY_FILE and path.is_file():
        return path
    if path.is_dir() and (path / LIBRARY_FILE).is_file() and not (path / "volume.toml").is_file():
        return path / LIBRARY_FILE
    return None


def load_library(path: str | Path) -> Library:
    """Read and validate a ``library.toml`` and find its volumes."""
    manifest = Path(path)
    table = read_toml_model(manifest, LibraryFile, _KNOWN_KEYS).library
    root = manifest.parent
    volumes: list[Path] = []
    seen: set[Path] = set()
    for pattern in table.volumes:
        matches = sorted(found for found in root.glob(pattern.rstrip("/"))
                         if (found / "volume.toml").is_file())
        if not matches:
            raise ManifestError(f"'{pattern}' matches no volume folder (one holding a "
                                "volume.toml)", manifest, _line_of(manifest, pattern))
        for found in matches:
            key = found.resolve()
            if key not in seen:
                seen.add(key)
                volumes.append(found)
    return Library(manifest, table.title, table.base_url, volumes, list(table.formats),
                   table.split, table.scheduler)


def _line_of(manifest: Path, text: str) -> int | None:
    for number, line in enumerate(manifest.read_text("utf-8").splitlines(), start=1):
        if f'"{text}"' in line or f"'{text}'" in line:
            return number
    return None
