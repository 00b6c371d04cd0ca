"""The volume manifest: ``volume.toml`` → a validated :class:`Manifest`.

The whole file is validated at once (pydantic collects every error with its key
path); the first problems are reported in a single :class:`ManifestError` that
names the file, the line where it can be found, and a suggestion for misspelt keys.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bookmaker.errors import ManifestError
from bookmaker.model import (
    EpubSettings,
    PdfSettings,
    Settings,
    TypographySettings,
    VolumeInfo,
    slugify,
)
from bookmaker.resources import locate, resolve_inside

DocumentKind = Literal["text", "front", "back"]


class DocumentEntry(BaseModel):
    """One document of the manifest: a path, or a table with per-document overrides."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="The file, relative to the volume folder.")
    title: str | None = Field(default=None, description="Overrides the title found in the file.")
    kind: DocumentKind | None = Field(
        default=None, description="text, front or back matter; set by position when omitted."
    )
    language: str | None = Field(
        default=None, description="BCP 47 tag of this document's text, when not the volume's."
    )
    source: str | None = Field(
        default=None, description="Where the document was taken from (its address in the "
                                  "archive, written by bookmaker import)."
    )


DocumentItem = str | DocumentEntry


class VolumeTable(VolumeInfo):
    """The ``[volume]`` table: metadata plus the documents of a volume without parts."""

    documents: list[DocumentItem] = Field(
        default_factory=list, description="Documents in order, for a volume without parts."
    )
    front: list[DocumentItem] = Field(
        default_factory=list, description="Front matter (prefaces, introductions) before the body."
    )
    back: list[DocumentItem] = Field(
        default_factory=list, description="Back matter (appendices, glossaries) after the body."
    )


class PartTable(BaseModel):
    """A ``[[part]]`` table: a titled group of documents."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="The part's title.")
    documents: list[DocumentItem] = Field(description="The part's documents in order.")

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a part needs a title")
        return value


class ManifestFile(BaseModel):
    """The whole ``volume.toml`` as written."""

    model_config = ConfigDict(extra="forbid")

    volume: VolumeTable
    part: list[PartTable] = Field(default_factory=list)
    typography: TypographySettings = Field(default_factory=TypographySettings)
    epub: EpubSettings = Field(default_factory=EpubSettings)
    pdf: PdfSettings = Field(default_factory=PdfSettings)


@dataclass(frozen=True)
class DocumentSpec:
    """A document the manifest names, resolved and checked."""

    rel_path: str
    """As written in the manifest."""
    path: Path
    """Absolute, resolved path inside the volume folder."""
    title: str | None
    """Title override."""
    kind: DocumentKind
    """Body text, front or back matter."""
    kind_given: bool = False
    """Whether the manifest said ``kind`` itself (it then wins over the document's own)."""
    language: str | None = None
    """The document's language when the manifest names one (else the volume's)."""
    fragment: str | None = None
    """The anchor a document starts at, for a page holding several (``ch04.htm#o1``)."""


@dataclass(frozen=True)
class PartSpec:
    """A part of the manifest: a title (None for front/back matter or a flat list) and documents."""

    title: str | None
    documents: tuple[DocumentSpec, ...]


@dataclass(frozen=True)
class Manifest:
    """A validated manifest: what the pipeline needs to read a volume."""

    path: Path
    """The ``volume.toml`` file."""
    root: Path
    """The volume folder."""
    slug: str
    """Output file stem (the folder's name)."""
    info: VolumeInfo
    settings: Settings
    parts: tuple[PartSpec, ...]

    @property
    def documents(self) -> list[DocumentSpec]:
        """Every document in reading order."""
        return [doc for part in self.parts for doc in part.documents]


def load_manifest(path: str | Path, supported_suffixes: set[str] | None = None) -> Manifest:
    """Read, validate and resolve a manifest; raise one :class:`ManifestError` on any problem."""
    manifest_path = locate(path)
    parsed = read_toml_model(manifest_path, ManifestFile, _KNOWN_KEYS)
    return _resolve(parsed, manifest_path, supported_suffixes)


Model = TypeVar("Model", bound=BaseModel)


def read_toml_model(path: Path, model: type[Model],
                    known_keys: dict[tuple[str, ...], dict]) -> Model:
    """A TOML file validated as ``model``, every problem one :class:`ManifestError` with
    its line (and column) and, for a misspelt key, the key meant (from ``known_keys``:
    the allowed keys of each table). Used for ``volume.toml`` and ``library.toml``."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(f"cannot read manifest: {exc.strerror}", path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(
            f"manifest is not UTF-8 (byte {exc.start}); save it as UTF-8", path
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(exc, path, text) from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc, text, path, known_keys) from None


def _toml_error(exc: tomllib.TOMLDecodeError, path: Path, text: str) -> ManifestError:
    message = str(exc)
    if message.endswith("(at end of document)"):
        lines = text.splitlines() or [""]
        message = message.removesuffix("(at end of document)").strip()
        return ManifestError(
            f"invalid TOML: {message} at end of file", path, len(lines), len(lines[-1]) + 1
        )
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    if match:
        message = message[: match.start()].strip()
        return ManifestError(
            f"invalid TOML: {message}", path, int(match.group(1)), int(match.group(2))
        )
    return ManifestError(f"invalid TOML: {message}", path)


# Allowed keys per table, for "did you mean" suggestions.
_KNOWN_KEYS = {
    (): ManifestFile.model_fields,
    ("volume",): VolumeTable.model_fields,
    ("part",): PartTable.model_fields,
    ("typography",): TypographySettings.model_fields,
    ("epub",): EpubSettings.model_fields,
    ("pdf",): PdfSettings.model_fields,
}


def _validation_error(exc: ValidationError, text: str, path: Path,
                      known_keys: dict[tuple[str, ...], dict]) -> ManifestError:
    messages = []
    first_line = None
    for error in exc.errors():
        loc = [part for part in error["loc"] if part not in ("str", "DocumentEntry")]
        key = _dotted(loc)
        last = str(loc[-1]) if loc else ""
        kind = error["type"]
        if kind == "extra_forbidden":
            table = tuple(str(p) for p in loc[:-1] if not isinstance(p, int))
            known = known_keys.get(table[:1], {})
            close = difflib.get_close_matches(last, list(known), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            messages.append(f"unknown key '{key}'{hint}")
        elif kind == "missing":
            messages.append(f"missing required key '{key}'")
        elif kind.startswith("literal_error"):
            expected = error.get("ctx", {}).get("expected", "")
            messages.append(f"'{key}' must be one of {expected}, not {error['input']!r}")
        elif kind == "value_error":  # our own validators say what is wrong in full
            messages.append(f"'{key}': {error['ctx']['error']}")
        else:
            messages.append(f"'{key}': {error['msg'].lower()} (got {error['input']!r})")
        named = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
        if first_line is None and named:  # formats[0]: the line of 'formats'
            first_line = _line_of_key(text, named)
    # Union members repeat the same problem; keep each message once.
    unique = list(dict.fromkeys(messages))
    summary = unique[0]
    if len(unique) > 1:
        summary += f" (and {len(unique) - 1} more: " + "; ".join(unique[1:4]) + ")"
    return ManifestError(summary, path, first_line)


def _dotted(loc: list) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _line_of_key(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=|[{{,]\s*{re.escape(key)}\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.search(line):
            return number
    return None


def _resolve(parsed: ManifestFile, path: Path, supported: set[str] | None) -> Manifest:
    root = path.parent.resolve()
    volume = parsed.volume
    if volume.documents and parsed.part:
        raise ManifestError(
            "give documents either in [volume] documents or in [[part]] tables, not both", path
        )
    groups: list[tuple[str | None, list[DocumentItem], DocumentKind]] = []
    if volume.front:
        groups.append((None, volume.front, "front"))
    if parsed.part:
        groups += [(part.title, part.documents, "text") for part in parsed.part]
    elif volume.documents:
        groups.append((None, volume.documents, "text"))
    if volume.back:
        groups.append((None, volume.back, "back"))
    if not any(items for _, items, kind in groups if kind == "text"):
        raise ManifestError(
            "the volume lists no documents; add 'documents = [...]' to [volume] "
            "or [[part]] tables",
            path,
            _line_of_key(path.read_text("utf-8", "replace"), "documents"),
        )
    for title, items, _ in groups:
        if title is not None and not items:
            raise ManifestError(f"part '{title}' lists no documents", path)

    seen: dict[tuple[Path, str], str] = {}
    parts = []
    for title, items, default_kind in groups:
        specs = []
        for item in items:
            entry = DocumentEntry(path=item) if isinstance(item, str) else item
            file_part, _, fragment = entry.path.partition("#")
            resolved = resolve_inside(root, file_part, path)
            if (resolved, fragment) in seen:
                raise ManifestError(
                    f"document '{entry.path}' is listed twice "
                    f"(first as '{seen[resolved, fragment]}')", path
                )
            seen[resolved, fragment] = entry.path
            suffix = resolved.suffix.lower()
            if supported is not None and suffix not in supported:
                kinds = ", ".join(sorted(supported))
                raise ManifestError(
                    f"document '{entry.path}' has unsupported type '{suffix or '(none)'}'; "
                    f"bookmaker reads {kinds}",
                    path,
                )
            kind = entry.kind or default_kind
            specs.append(DocumentSpec(entry.path, resolved, entry.title, kind,
                                      entry.kind is not None, entry.language,
                                      fragment or None))
        parts.append(PartSpec(title, tuple(specs)))

    info = VolumeInfo.model_validate(
        volume.model_dump(exclude={"documents", "front", "back"})
    )
    if info.cover:
        resolve_inside(root, info.cover, path, what="cover")
    settings = Settings(typography=parsed.typography, epub=parsed.epub, pdf=parsed.pdf)
    return Manifest(path, root, volume_slug(root), info, settings, tuple(parts))


def volume_slug(folder: Path) -> str:
    """The outputs' file-name stem: the volume folder's name, made a slug."""
    return slugify(folder.resolve().name, "volume")
