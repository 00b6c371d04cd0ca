"""A volume folder read into the model: manifest → readers → model.

:func:`load_volume` reads every document (from the read cache where it can, in
worker processes when a volume is large), settles what the manifest says over
what the page says, resolves images, and dates the build from its sources.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import itertools
import multiprocessing as mp
import pickle
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from bookmaker import __version__
from bookmaker.cache import Cache
from bookmaker.errors import BookmakerError, DocumentError
from bookmaker.images import read_assets, read_cover, resolve_images
from bookmaker.log import LOGGER, silence, warn
from bookmaker.manifest import DocumentSpec, Manifest, load_manifest
from bookmaker.model import Document, Part, Volume, slugify
from bookmaker.readers import READERS, DocumentSource
from bookmaker.reproducible import epoch_date, may_be_in_git, worker_count
from bookmaker.resources import read_bytes

Progress = Callable[[str, int, int], None]
"""Called as ``progress(stage, done, total)``."""


Task = tuple[DocumentSpec, DocumentSource, bytes]
"""A document to read: its spec, its source and its bytes."""


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


PARALLEL_READ_MIN = 64
"""Documents below which reading in worker processes costs more than it saves."""


def load_volume(
    path: str | Path,
    progress: Progress = _no_progress,
    cache_dir: Path | None = None,
    jobs: int = 1,
    meanwhile: Callable[[Manifest, Executor | None], bool] | None = None,
) -> Volume:
    """Read the volume at PATH (a folder or its ``volume.toml``) into the model.

    With ``cache_dir``, documents read before (same bytes, same settings, same
    bookmaker) come from the cache; with ``jobs`` > 1 a large volume is read in
    worker processes. ``meanwhile(manifest, readers)`` is called once the reading is under
    way (after any reading workers were forked; ``readers`` is their pool, else None):
    what a build may start beside it. It returns True when it took the reading workers
    for work of its own (they are then its to end, once their reading is done).
    """
    manifest = load_manifest(path, supported_suffixes=set(READERS))
    ids = _document_ids(manifest.documents)
    started = functools.partial(meanwhile, manifest) if meanwhile else (lambda _: False)
    read = _read_all(manifest, ids, Cache(cache_dir, "read"), jobs, progress, started)
    for document in read.values():  # after the cache: images come and go on their own
        for message in resolve_images(document, manifest.root):
            warn(message, document.source_path)
    parts = []
    for index, part_spec in enumerate(manifest.parts, start=1):
        documents = [read[spec] for spec in part_spec.documents]
        part_id = slugify(part_spec.title, "part") if part_spec.title else f"part-{index}"
        parts.append(Part(id=f"part-{index}-{part_id}" if part_spec.title else part_id,
                          title=part_spec.title, documents=documents))
    cover = (read_cover(manifest.root, manifest.info.cover, manifest.path)
             if manifest.info.cover else None)
    return Volume(
        slug=manifest.slug,
        info=manifest.info,
        settings=manifest.settings,
        parts=parts,
        root=str(manifest.root),
        assets=read_assets(list(read.values()), manifest.root),
        cover=cover,
        source_date=source_date([manifest.path, *(spec.path for spec in manifest.documents)]),
    )


def _read_all(manifest: Manifest, ids: dict[DocumentSpec, str], cache: Cache, jobs: int,
              progress: Progress,
              started: Callable[[Executor | None], bool] = lambda _: False
              ) -> dict[DocumentSpec, Document]:
    """Every document, from the cache where it can, else read (in parallel when it pays)."""
    specs = manifest.documents
    total, done = len(specs), 0
    found: dict[DocumentSpec, Document] = {}
    keys: dict[Path, str] = {}
    hits: list[tuple[DocumentSpec, bytes, bytes]] = []
    missing: list[Task] = []
    for spec in specs:  # which documents the cache holds: cheap, before anything starts
        data = read_bytes(spec.path, spec.rel_path)
        keys[spec] = _read_key(data, spec, ids[spec], manifest)
        cached = cache.get(keys[spec])
        if cached is None:
            missing.append((spec, document_source(spec, ids[spec], manifest), data))
        else:
            hits.append((spec, cached, data))
    jobs = worker_count(jobs)
    # Forked only from a process running no other thread (a lock another thread held
    # would stay held in the workers): with a thread, the documents are read here.
    parallel = (jobs > 1 and len(missing) >= PARALLEL_READ_MIN
                and "fork" in mp.get_all_start_methods() and threading.active_count() == 1)
    if parallel:
        for suffix in {spec.path.suffix.lower() for spec, _, _ in missing}:
            _ = READERS[suffix].read  # import each reader needed once, before the fork
        # fork: readers are pure Python and lxml, nothing that minds being forked,
        # and a forked worker needs no second import of everything. gc.freeze: the
        # workers' collections then leave the inherited objects (and their pages) alone.
        gc.freeze()
        pool, results = _read_in_workers(missing, jobs)
    else:
        pool, results = None, iter(())
    taken = False
    try:
        # The workers are forked: what builders start beside the reading (threads,
        # spawned render workers) starts now, while the cached documents are unpickled.
        taken = started(pool)
        stale: list[Task] = []
        for spec, cached, data in hits:
            document = _unpickle(cached)
            if document is None:  # an entry of another version of the model: read again
                stale.append((spec, document_source(spec, ids[spec], manifest), data))
                continue
            for message in document.warnings:  # a cached document still says what it said
                warn(message, spec.rel_path)
            settle(document, spec, manifest.info.language)
            found[spec] = document
            done += 1
            progress("read", done, total)
        here = stale if parallel else missing + stale
        read_here = ((spec, read_document(spec, source, data), None)
                     for spec, source, data in here)
        for spec, document, pickled in itertools.chain(results, read_here):
            if pickled is not None:  # a worker's warnings come back with its document
                for message in document.warnings:
                    warn(message, spec.rel_path)
            found[spec] = document
            # Cached as they come (while the workers read on); a worker's document came
            # pickled, and those bytes are the entry.
            cache.put(keys[spec], pickled or pickle.dumps(document, pickle.HIGHEST_PROTOCOL))
            done += 1
            progress("read", done, total)
    finally:
        if pool is not None:
            if not taken:
                pool.shutdown(cancel_futures=True)
            gc.unfreeze()
    return found


def _read_key(data: bytes, spec: DocumentSpec, doc_id: str, manifest: Manifest) -> str:
    """Everything a reader's result depends on."""
    hasher = hashlib.sha256(data)
    settings = manifest.settings.typography.model_dump_json()
    hasher.update(f"{__version__}|{_code_stamp()}|{spec.rel_path}|{doc_id}|{spec.title}|"
                  f"{spec.kind}|{spec.kind_given}|{spec.language}|{manifest.info.language}|"
                  f"{settings}|{spec.fragment}".encode())
    return hasher.hexdigest()[:32] + ".pickle"


@functools.cache
def _code_stamp() -> str:
    """Size and time of every module of bookmaker: a reader changed without a new version
    number (a development checkout) must not be answered from the cache."""
    package = Path(__file__).parent
    stamps = sorted(f"{path.relative_to(package)}:{path.stat().st_size}:{path.stat().st_mtime_ns}"
                    for path in package.rglob("*.py"))
    return hashlib.sha256("|".join(stamps).encode()).hexdigest()[:16]


def _unpickle(data: bytes) -> Document | None:
    try:
        document = pickle.loads(data)
    except Exception:  # an entry from another version of the model: read again
        return None
    if not isinstance(document, Document):
        return None
    # A Document pickled before a field was added lacks it: read the file again.
    return document if all(hasattr(document, f.name) for f in dataclasses.fields(Document)) \
        else None


def _read_in_workers(
    missing: list[Task], jobs: int
) -> tuple[ProcessPoolExecutor, Iterator[tuple[DocumentSpec, Document, bytes]]]:
    """The pool of ``jobs`` workers forked now to read ``missing``, and its results:
    ``(spec, document, its pickle)`` in order."""
    pool = ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork"),
                               initializer=silence)
    # Each task carries only its documents' bytes and sources, never the whole
    # manifest; and several documents, since a document takes a few milliseconds
    # and a task's round trip through the pool about as long.
    size = max(1, min(16, len(missing) // (jobs * 4)))
    batches = [missing[at:at + size] for at in range(0, len(missing), size)]
    futures = [pool.submit(_read_batch, batch) for batch in batches]
    results = ((spec, pickle.loads(pickled), pickled)
               for batch, future in zip(batches, futures, strict=True)
               for (spec, _, _), pickled in zip(batch, future.result(), strict=True))
    return pool, results


def _read_batch(batch: list[Task]) -> list[bytes]:
    """The batch's documents, each pickled once here: the parent keeps those bytes in
    the cache rather than pickling each document again."""
    return [pickle.dumps(read_document(*task), pickle.HIGHEST_PROTOCOL) for task in batch]


    LOGGER.propagate = False


def document_source(spec: DocumentSpec, doc_id: str, manifest: Manifest) -> DocumentSource:
    """What the reader of one document is told."""
    return DocumentSource(
        rel_path=spec.rel_path,
        doc_id=doc_id,
        language=spec.language or manifest.info.language,
        title=spec.title,
        typography=manifest.settings.typography,
        fragment=spec.fragment,
    )


def read_document(spec: DocumentSpec, source: DocumentSource, data: bytes) -> Document:
    """Read one document's bytes with the reader its file type calls for."""
    entry = READERS[spec.path.suffix.lower()]
    try:
        document = entry.read(data, source)
    except BookmakerError:
        raise
    except RecursionError:
        raise DocumentError("document is nested too deeply to read", spec.rel_path) from None
    except Exception as exc:  # a reader bug must still name the file, not crash the run
        raise DocumentError(
            f"{entry.name} reader failed ({type(exc).__name__}: {exc}); please report this",
            spec.rel_path,
        ) from exc
    settle(document, spec, source.language)  # readers log their own warnings as they find them
    return document


def settle(document: Document, spec: DocumentSpec, language: str) -> None:
    """Front, back or body: the manifest's ``kind``, else the document's own (a Markdown
    front matter's ``kind: front``), else where the manifest lists it."""
    if spec.kind_given or document.kind == "text":
        document.kind = spec.kind
    # The language: the manifest's for this document, else the page's own, else the volume's.
    document.language = spec.language or document.language or language


def _document_ids(specs: Iterable[DocumentSpec]) -> dict[DocumentSpec, str]:
    """A unique, stable id per document from its file name (and anchor)."""
    ids: dict[DocumentSpec, str] = {}
    used: set[str] = set()
    for spec in specs:
        stem = spec.path.stem + (f"-{spec.fragment}" if spec.fragment else "")
        base = slugify(stem, "doc")
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        ids[spec] = candidate
    return ids


def source_date(paths: Iterable[Path]) -> dt.datetime:
    """The build date, never the clock, so that the same inputs give the same bytes.

    ``SOURCE_DATE_EPOCH`` when set; else the last commit touching the sources when
    they are in a git work tree without local changes (the same in every clone);
    else the newest source file's modification time.
    """
    paths = list(paths)
    epoch = epoch_date()
    if epoch is not None:
        return epoch
    committed = _git_commit_time(paths)
    if committed is not None:
        return dt.datetime.fromtimestamp(committed, tz=dt.UTC)
    newest = max((p.stat().st_mtime for p in paths), default=0)
    return dt.datetime.fromtimestamp(int(newest), tz=dt.UTC)


def _git_commit_time(paths: list[Path]) -> int | None:
    """Commit time of the newest commit touching ``paths``, if all are committed unchanged."""
    if not paths or not may_be_in_git(paths[0].parent):
        return None
    folder = paths[0].parent
    names = [str(p) for p in paths]
    try:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", *names],
            cwd=folder, capture_output=True, text=True, timeout=10,
        )
        if status.returncode != 0 or status.stdout.strip():
            return None
        log = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", *names],
            cwd=folder, capture_output=True, text=True, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = log.stdout.strip()
    return int(stamp) if log.returncode == 0 and stamp.isdigit() else None
