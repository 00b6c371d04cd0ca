"""The one way through: manifest → readers → model → builders → checks → outputs.

:func:`build` is the whole build of one volume folder, for the CLI, the catalogue
and library workers alike: decide from file metadata which outputs are unchanged
and restore those from the cache (importing nothing more), read the volume
(:mod:`bookmaker.loading`), render each remaining format, check it, rename it
into place, keep it for the next build, and report every warning. :func:`render`
is the middle of that for a volume already in the model.

Outputs are written to a temporary file beside the target and renamed only once
built and checked, so a failure never touches a good earlier output.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bookmaker import outputs
from bookmaker.atomic import temp_beside
from bookmaker.builders import BuildOptions, BuildResult, builders
from bookmaker.cache import CACHE_DIR_NAME
from bookmaker.errors import BuildError, OutputError
from bookmaker.log import LOGGER, collecting

if TYPE_CHECKING:
    from types import ModuleType

    from bookmaker.manifest import Manifest
    from bookmaker.model import PageStart, Volume

Check = Callable[[str, Path], None]
"""``check(format, temp_path)`` raises to refuse an output before it is renamed."""


@dataclass(frozen=True)
class BuildRequest:
    """What to build from a volume folder, and where."""

    out_dir: Path
    formats: tuple[str, ...] = ("epub", "pdf")
    check: bool = False
    """Refuse an EPUB that EPUBCheck reports anything about."""
    page_list: bool = False
    """EPUB: carry the PDF's page numbers, whatever the manifest says."""
    cache: bool = True
    """Read and keep documents, rendered groups and finished outputs in the cache."""
    cache_dir: Path | None = None
    """The cache folder; None means ``VOLUME/.bookmaker-cache``."""
    options: BuildOptions = field(default_factory=BuildOptions)
    """What the builders are given (jobs, split PDFs, remote images, progress)."""


@dataclass
class Output:
    """One format's output, written or restored."""

    format: str
    path: Path
    extra: list[Path] = field(default_factory=list)
    """Further files beside it (split PDFs)."""
    pages: int | None = None
    reused: bool = False
    """Restored from the cache: nothing it depends on changed."""


@dataclass
class BuildReport:
    """What a build made, and everything it warned (reused outputs' warnings included)."""

    outputs: dict[str, Output] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    key: str | None = None
    """A hash of everything the outputs depend on (None without a cache): what the
    catalogue keys its description of the volume on."""

    @property
    def reused(self) -> list[str]:
        return [name for name, output in self.outputs.items() if output.reused]


def build(volume_path: str | Path, request: BuildRequest) -> BuildReport:
    """Build the volume at ``volume_path`` (a folder or its ``volume.toml``) as asked."""
    from bookmaker.resources import locate

    manifest = locate(volume_path)
    cache_dir = None
    if request.cache:
        cache_dir = request.cache_dir or manifest.parent / CACHE_DIR_NAME
    report = BuildReport()
    with collecting(report.warnings):
        formats = list(dict.fromkeys(request.formats))
        builders(formats)  # an unknown or unavailable format fails before any work
        keys = _output_keys(manifest.parent, formats, request, cache_dir)
        if keys:
            report.key = hashlib.sha256("|".join(keys.values()).encode()).hexdigest()[:32]
        for name in formats:
            restored = _restore(name, keys.get(name), cache_dir, request.out_dir, report)
            if restored is not None:
                report.outputs[name] = restored
        todo = [name for name in formats if name not in report.outputs]
        if not todo:
            return report
        progress = request.options.progress or _no_progress
        options = dataclasses.replace(request.options, cache_dir=cache_dir, prepared={})

        def prepare(read: Manifest, readers: Executor | None) -> bool:
            """Each builder's ``prepare(manifest, options, readers)``, while the documents
            are read: those that start processes first, which can then be forked from a
            process with no thread. True when one took the reading workers (``readers``)
            for its own work: what it returned holds them as its ``pool``."""
            hooks = sorted(builders(todo).items(),
                           key=lambda item: not getattr(item[1], "PREPARE_STARTS_PROCESSES",
                                                        False))
            for name, module in hooks:
                hook = getattr(module, "prepare", None)
                if hook is not None:
                    options.prepared[name] = hook(read, options, readers)
            return readers is not None and any(
                getattr(started, "pool", None) is readers for started in options.prepared.values())

        try:
            # What a builder starts before the volume is even read (a rebuild's render
            # worker, forked before this process imports the model and the readers).
            for name, module in builders(todo).items():
                hook = getattr(module, "before_reading", None)
                if hook is not None:
                    options.prepared[name] = hook(options)
            from bookmaker.loading import load_volume

            volume = load_volume(manifest, progress=progress, cache_dir=cache_dir,
                                 jobs=request.options.jobs, meanwhile=prepare)
            if request.page_list:
                volume.settings.epub.page_list = "pdf"
            check = None
            if request.check:
                from bookmaker.checks.epubcheck import epub_gate as check
            made = render(volume, todo, request.out_dir, options, check)
        finally:  # what a builder started early and did not take (on an error, say)
            for started in options.prepared.values():
                close = getattr(started, "close", None)
                if close is not None:
                    close()
        for name, output in made.items():
            report.outputs[name] = output
            if name in keys:
                outputs.keep(cache_dir, name, keys[name], [output.path, *output.extra],
                              output.pages, list(report.warnings))
        report.outputs = {name: report.outputs[name] for name in formats}
    return report


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _output_keys(volume_dir: Path, formats: list[str], request: BuildRequest,
                 cache_dir: Path | None) -> dict[str, str]:
    """Each format's output key (see :mod:`bookmaker.outputs`); none without a cache."""
    if cache_dir is None:
        return {}
    skip = [cache_dir]
    if request.out_dir.resolve() != volume_dir.resolve():  # outputs in the volume are inputs
        skip.append(request.out_dir)
    flags = {"check": request.check, "split": request.options.split,
             "allow_remote": request.options.allow_remote, "page_list": request.page_list}
    return outputs.output_keys(volume_dir, formats, flags, skip)


def _restore(fmt: str, key: str | None, cache_dir: Path | None, out: Path,
             report: BuildReport) -> Output | None:
    """The kept output for ``key`` put into ``out`` (its warnings said again, once)."""
    if key is None or cache_dir is None:
        return None
    kept = outputs.find(cache_dir, fmt, key)
    if kept is None:
        return None
    outputs.ensure_writable(out)
    for message in kept.warnings:
        if message not in report.warnings:
            LOGGER.warning(message)
    written = outputs.restore(cache_dir, fmt, key, kept, out)
    return Output(fmt, written[0], written[1:], kept.pages, reused=True)


# ----------------------------------------------------------------------- render


def render(
    volume: Volume,
    formats: list[str],
    out_dir: str | Path,
    options: BuildOptions | None = None,
    check: Check | None = None,
) -> dict[str, Output]:
    """Build each format of a volume already read into ``out_dir/<slug><suffix>``.

    ``check(format, temp_path)`` may raise to refuse an output; the previous
    output is then left untouched.
    """
    options = options or BuildOptions()
    table = builders(formats)
    out = Path(out_dir)
    outputs.ensure_writable(out)
    made: dict[str, Output] = {}
    print_pages = "epub" in formats and volume.settings.epub.page_list == "pdf"
    if print_pages:  # the PDF first: the EPUB carries its page numbers
        formats = sorted(formats, key=lambda name: name != "pdf")
        if "pdf" not in formats:
            volume.page_starts = print_page_starts(volume, options)
    for name in formats:
        module = table[name]
        target = out / f"{volume.slug}{module.SUFFIX}"
        result = _build_atomically(module, volume, target, options, check)
        made[name] = Output(name, target, result.extra_files, result.pages)
        if name == "pdf" and print_pages:
            volume.page_starts = result.page_starts
    return made


def print_page_starts(volume: Volume, options: BuildOptions) -> list[PageStart]:
    """Where the PDF edition's pages begin, from a PDF built aside and thrown away (its
    groups come from the render cache when nothing changed)."""
    module = builders(["pdf"])["pdf"]
    with tempfile.TemporaryDirectory(prefix="bookmaker-pages-") as scratch:
        result = module.build(volume, Path(scratch) / f"{volume.slug}.pdf",
                              dataclasses.replace(options, split=False))
    return result.page_starts


def _build_atomically(module: ModuleType, volume: Volume, target: Path, options: BuildOptions,
                      check: Check | None) -> BuildResult:
    """Build into a temporary file beside ``target``, check it, then rename it into place."""
    temp = temp_beside(target)
    result: BuildResult | None = None
    try:
        result = module.build(volume, temp, options)
        if check is not None:
            check(module.NAME, temp)
        finals = [_final_name(extra, temp, target) for extra in result.extra_files]
        for extra, final in zip(result.extra_files, finals, strict=True):
            os.replace(extra, final)
        os.replace(temp, target)
        result.extra_files = finals
        return result
    except OSError as exc:
        raise OutputError(f"cannot write output: {exc.strerror or exc}", target) from None
    finally:
        temp.unlink(missing_ok=True)
        if result is not None:
            for extra in result.extra_files:
                if extra.name.startswith(temp.stem):
                    extra.unlink(missing_ok=True)


def _final_name(extra: Path, temp: Path, target: Path) -> Path:
    """Builders name extra files ``<temp stem>-<name>``; they become ``<target stem>-<name>``."""
    if not extra.name.startswith(temp.stem):
        raise BuildError(f"builder wrote an extra file outside the naming scheme: {extra.name}")
    return target.parent / (target.stem + extra.name[len(temp.stem):])


def __getattr__(name: str):
    """``pipeline.load_volume`` and the other reading functions, imported when first
    asked for: importing the pipeline must stay cheap for a build with nothing to do."""
    if name in {"load_volume", "read_document", "source_date", "document_source"}:
        from bookmaker import loading

        return getattr(loading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
