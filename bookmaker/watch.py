"""``bookmaker watch``: a resident builder that rebuilds a volume on every save.

One process keeps everything a build has to load once: the modules (WeasyPrint,
ebooklib, the readers' tables), the documents already read (the read cache: an
edited file is the only one read again), the PDF's rendered groups (the build
cache: an edit re-renders the edited document's group, and the front matter when
the contents' page numbers moved), and through ``BuildOptions.kept`` the PDF's
renderer (fonts loaded, stylesheets parsed) and the finished EPUB pages of
documents that did not change (:mod:`bookmaker.builders.epub.memo`). A rebuild
is :func:`bookmaker.pipeline.render` on :func:`bookmaker.loading.load_volume`,
as ``bookmaker build`` does, so its outputs are the same bytes.

A :mod:`watchdog` observer reports changes under the volume folder; those to a
file the volume depends on (its manifest, documents, images, its own
``templates/`` and ``styles/``) start a rebuild once the editor has finished
saving (events within :data:`DEBOUNCE` seconds are one save). A failed rebuild
is reported and leaves the last good outputs in place; the next save tries again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bookmaker.builders import BuildOptions
from bookmaker.cache import CACHE_DIR_NAME
from bookmaker.errors import BookmakerError
from bookmaker.log import LOGGER

if TYPE_CHECKING:
    from bookmaker.model import Volume

DEBOUNCE = 0.05
"""Seconds without a new event after which a save is taken as finished: editors
write a file in several steps (truncate, write, close; or a temporary file renamed)."""

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".tif", ".tiff"}
OWN_FOLDERS = ("templates", "styles")
"""Folders of a volume whose every file is an input."""

_IGNORED_NAMES = (".#", "#", "~")
"""Editors' lock and backup files (``.#doc.txt``, ``#doc.txt#``, ``doc.txt~``)."""


@dataclass(frozen=True)
class Rebuild:
    """What one build of the watcher did."""

    generation: int
    """1 for the first build, then one more for each rebuild, failed or not."""
    outputs: dict[str, Path] = field(default_factory=dict)
    """The outputs written, by format (empty when the build failed)."""
    error: str | None = None
    """The one-line error (``file[:line]: problem``) when the build failed."""
    seconds: float = 0.0
    changed: tuple[Path, ...] = ()
    """The files whose changes started this build."""
    finished: float = 0.0
    """``time.time()`` when the outputs were in place (or the error known)."""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Resident:
    """Everything the watcher keeps between builds: what to build, and what is known."""

    manifest: Path
    out_dir: Path
    formats: tuple[str, ...]
    options: BuildOptions
    """With ``cache_dir`` set: the read cache and the PDF's group cache live there."""
    inputs: set[Path] = field(default_factory=set)
    """The manifest and the documents of the last volume read (resolved paths)."""
    outputs: dict[str, Path] = field(default_factory=dict)
    """The last good output of each format."""
    last: Rebuild = field(default_factory=lambda: Rebuild(0))

    @property
    def root(self) -> Path:
        return self.manifest.parent

    def build(self, changed: tuple[Path, ...] = ()) -> Rebuild:
        """Read the volume (only changed documents are read again) and render every format."""
        from bookmaker.loading import load_volume
        from bookmaker.pipeline import render

        started = time.perf_counter()
        generation = self.last.generation + 1
        try:
            volume = load_volume(self.manifest, cache_dir=self.options.cache_dir,
                                 jobs=self.options.jobs)
            self.inputs = {self.manifest.resolve(),
                           *((self.root / doc.source_path).resolve() for doc in volume.documents)}
            if volume.info.cover:
                self.inputs.add((self.root / volume.info.cover).resolve())
            if any(path.is_relative_to(self.root / "templates") for path in changed):
                _forget_templates(volume)
            made = render(volume, list(self.formats), self.out_dir, self.options)
        except BookmakerError as exc:
            result = Rebuild(generation, error=str(exc), changed=changed)
        except Exception as exc:  # a bug must not end the watch; --debug shows where
            LOGGER.debug("rebuild failed", exc_info=True)
            result = Rebuild(generation, error=f"{type(exc).__name__}: {exc}; please report this",
                             changed=changed)
        else:
            self.outputs = {name: output.path for name, output in made.items()}
            result = Rebuild(generation, dict(self.outputs), changed=changed)
        result = replace(result, seconds=time.perf_counter() - started, finished=time.time())
        self.last = result
        return result

    def warm_up(self) -> None:
        """Load now what the first rebuild would, rather than on the first save: the readers'
        tables (a first build from the read cache ran no reader; the date patterns of every
        language take a quarter of a second), and WeasyPrint (a first build rendered in
        worker processes left it unimported here; an edit re-renders one group here)."""
        from bookmaker.loading import document_source, read_document
        from bookmaker.manifest import load_manifest
        from bookmaker.readers import READERS

        LOGGER.disabled = True  # what a document says was said by the build
        try:
            manifest = load_manifest(self.manifest, supported_suffixes=set(READERS))
            kinds: set[str] = set()
            for spec in manifest.documents:  # one document of each kind, read and dropped
                if spec.path.suffix.lower() not in kinds:
                    kinds.add(spec.path.suffix.lower())
                    read_document(spec, document_source(spec, spec.path.stem, manifest),
                                  spec.path.read_bytes())
        except (BookmakerError, OSError):
            pass  # the build reported it
        finally:
            LOGGER.disabled = False
        if "pdf" in self.formats:
            from bookmaker.builders.pdf.render import import_weasyprint

            import_weasyprint()

    def depends_on(self, path: Path) -> bool:
        """Whether a change to ``path`` can change the outputs."""
        try:
            relative = path.relative_to(self.root)
        except ValueError:
            return False
        if not relative.parts or self._excluded(path, relative):
            return False
        if not self.last.ok or not self.inputs:  # nothing good read yet: any file may fix it
            return True
        return (path in self.inputs or relative.parts[0] in OWN_FOLDERS
                or path.suffix.lower() in IMAGE_SUFFIXES)

    def _excluded(self, path: Path, relative: Path) -> bool:
        """Our own outputs and cache, version control, editors' swap and backup files."""
        for folder in (self.out_dir, self.options.cache_dir):
            # An output folder holding the volume (``-o .``) excludes nothing: outputs and
            # their temporary files are no inputs anyway.
            if (folder is not None and not self.root.is_relative_to(folder)
                    and path.is_relative_to(folder)):
                return True
        name = path.name
        return (any(part.startswith(".") and part != "." for part in relative.parts[:-1])
                or name.startswith(_IGNORED_NAMES) or name.endswith(_IGNORED_NAMES)
                or name.endswith((".swp", ".swx", ".tmp")) or name.startswith(".tmp"))


def _forget_templates(volume: Volume) -> None:
    """Drop the templates Jinja compiled for this volume: it reloads a template whose file
    changed, but not one that a new file in the volume's ``templates/`` now overrides."""
    from bookmaker.templating import make_environment

    for kind, style in (("epub", volume.settings.epub.style), ("pdf", volume.settings.pdf.style)):
        environment = make_environment(kind, Path(volume.root), style)
        if environment.cache is not None:
            environment.cache.clear()


class Watcher:
    """Build a volume, then rebuild it on every save of a file it depends on.

    ``run()`` watches in the calling thread until :meth:`stop` (or Ctrl-C);
    ``start()`` runs it in a thread. ``on_build`` is called after every build,
    good or failed; :meth:`wait` waits for the next one.
    """

    def __init__(self, volume_path: str | Path, out_dir: str | Path,
                 formats: tuple[str, ...] | list[str] = ("epub", "pdf"), *,
                 jobs: int = 0, allow_remote: bool = False, cache_dir: Path | None = None,
                 debounce: float = DEBOUNCE,
                 on_build: Callable[[Rebuild], None] | None = None) -> None:
        from bookmaker.builders import builders
        from bookmaker.resources import locate

        manifest = locate(volume_path).resolve()
        formats = tuple(dict.fromkeys(formats))
        builders(list(formats))  # an unknown or unavailable format fails now, not per save
        cache = Path(cache_dir).resolve() if cache_dir else manifest.parent / CACHE_DIR_NAME
        options = BuildOptions(jobs=jobs, allow_remote=allow_remote, cache_dir=cache, kept={})
        self.resident = Resident(manifest, Path(out_dir).resolve(), formats, options)
        self.debounce = debounce
        self.on_build = on_build
        self._changed: list[Path] = []
        self._last_event = 0.0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._built = threading.Condition()
        self._thread: threading.Thread | None = None

    @property
    def last(self) -> Rebuild:
        """The latest build (generation 0 before the first)."""
        return self.resident.last

    # ------------------------------------------------------------ running

    def start(self) -> Watcher:
        """Watch in a background thread (the first build starts at once)."""
        self._thread = threading.Thread(target=self.run, name="bookmaker-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop watching; waits for a build under way to end (its outputs are then whole)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def run(self) -> None:
        """Build once, then rebuild after each save until :meth:`stop` or Ctrl-C."""
        from watchdog.observers import Observer

        observer = Observer()
        observer.schedule(_Events(self._noticed), str(self.resident.root), recursive=True)
        observer.start()
        try:
            self._build(())
            self.resident.warm_up()
            while not self._stopping.is_set():
                self._wake.wait(0.5)
                if self._stopping.is_set():
                    break
                if not self._wake.is_set():
                    continue
                changed = self._settled()
                if changed:
                    self._build(changed)
        finally:
            observer.stop()
            observer.join(5)

    def wait(self, after: int, timeout: float = 60.0) -> Rebuild:
        """The first build of a generation above ``after``; raises TimeoutError."""
        with self._built:
            if not self._built.wait_for(lambda: self.last.generation > after, timeout):
                raise TimeoutError(f"no build after generation {after} in {timeout} s")
            return self.last

    # ------------------------------------------------------------ events

    def _noticed(self, paths: list[Path]) -> None:
        """From the observer's thread: a file changed."""
        wanted = [path for path in paths if self.resident.depends_on(path)]
        if not wanted:
            return
        with self._lock:
            self._changed.extend(wanted)
            self._last_event = time.monotonic()
        self._wake.set()

    def _settled(self) -> tuple[Path, ...]:
        """Wait until no event came for ``debounce`` seconds; the files changed meanwhile."""
        while True:
            with self._lock:
                quiet = time.monotonic() - self._last_event
                if quiet >= self.debounce:
                    changed = tuple(dict.fromkeys(self._changed))
                    self._changed.clear()
                    self._wake.clear()
                    return changed
            if self._stopping.wait(self.debounce - quiet):
                return ()

    def _build(self, changed: tuple[Path, ...]) -> None:
        result = self.resident.build(changed)
        with self._built:
            self._built.notify_all()
        if self.on_build is not None:
            self.on_build(result)


class _Events:
    """A watchdog event handler passing the paths of file events on."""

    def __init__(self, notice: Callable[[list[Path]], None]) -> None:
        self.notice = notice

    def dispatch(self, event) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return
        paths = [Path(str(event.src_path))]
        if getattr(event, "dest_path", ""):
            paths.append(Path(str(event.dest_path)))
        self.notice(paths)

