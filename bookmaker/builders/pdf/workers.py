"""Render worker processes: one way to start them, and tasks that carry what they need.

Both parallel paths (the sectioned book's groups, the offprints) run
``function(renderer, *args)`` in other processes. A task names its volume by a
:class:`RenderJob` — the pickled volume's file, the remote-image switch, the URLs
already refused — so any process can run it, whatever ran there before; the
renderer it builds from the job is kept for the next task of the same job (WeasyPrint
and fonts take a second to set up), which is the only thing a worker keeps.

Workers are forked only from a process that has not loaded WeasyPrint and runs no
other thread: a fork would share the parent's Pango and fontconfig state (once the
parent has rendered), which those libraries do not allow for, and a lock another
thread held. Otherwise they are spawned, which costs a fresh interpreter and the
imports (a fifth of a second before a worker can start importing WeasyPrint).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import multiprocessing
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bookmaker.atomic import write_atomically
from bookmaker.log import collecting, silence

if TYPE_CHECKING:
    from bookmaker.builders.pdf.fonts import BookFace
    from bookmaker.builders.pdf.render import Renderer
    from bookmaker.model import Volume

T = TypeVar("T")


@dataclass(frozen=True)
class RenderJob:
    """Everything a render task needs besides its own arguments."""

    volume_file: Path | None
    """The volume, pickled once by the parent (cheaper than sending it with each task)."""
    volume_pickle: bytes | None = field(default=None, repr=False)
    """Or the pickled volume itself, when no file is shared with the workers."""
    allow_remote: bool = False
    refused: tuple[str, ...] = ()
    """URLs the parent already refused and reported: not reported again."""


def write_job(volume: Volume, folder: Path | None, allow_remote: bool,
              refused: tuple[str, ...] = ()) -> RenderJob:
    """Pickle ``volume`` into ``folder`` (alive while the workers are, and seen by them)
    for a job; with no folder, the job carries the pickle."""
    data = pickle.dumps(volume, pickle.HIGHEST_PROTOCOL)
    if folder is None:
        return RenderJob(None, allow_remote=allow_remote, refused=refused, volume_pickle=data)
    folder.mkdir(parents=True, exist_ok=True)
    volume_file = folder / f"volume-{hashlib.sha256(data).hexdigest()[:16]}.pickle"
    if not volume_file.is_file():
        write_atomically(volume_file, data)
    return RenderJob(volume_file, allow_remote=allow_remote, refused=refused)


def start_pool(jobs: int, warm: tuple | None = None) -> ProcessPoolExecutor:
    """``jobs`` worker processes, forked when that is safe, else spawned (see the
    module's docstring). With ``warm``, :func:`warm_up`'s arguments, each worker warms
    up as it starts: as its initializer, not a task, which would wait for this process
    to hand it over (a busy process took a tenth of a second to)."""
    if can_fork():
        return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start, initargs=(True, warm))
    if warm is None:
        return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(False, warm))


def _start(forked: bool, warm: tuple | None) -> None:
    if forked:
        silence()
    if warm is not None:
        # A failure here would break the pool: the first task meets it again and says it.
        with contextlib.suppress(Exception):
            warm_up(*warm)


def can_fork() -> bool:
    """Whether workers forked now share nothing they must not: no WeasyPrint (Pango,
    fontconfig) loaded here, no other thread running."""
    import threading

    return ("fork" in multiprocessing.get_all_start_methods() and weasyprint_unloaded()
            and threading.active_count() == 1)


def weasyprint_unloaded() -> bool:
    """True while this process has not imported WeasyPrint: a process forked now may
    render (it loads Pango and fontconfig itself)."""
    import sys

    return "weasyprint" not in sys.modules


def run(job: RenderJob, face: BookFace | None, function: Callable[..., T],
        *args: Any) -> tuple[T, list[str]]:
    """In a worker: ``function(renderer, *args)`` and the warnings it logged (the
    parent says them, or keeps them with a cached group)."""
    renderer = _renderer(job, pickle.dumps(face))
    with collecting([], silent=True) as said:
        result = function(renderer, *args)
    return result, said


def ready() -> None:
    """A task that only makes the pool start a worker."""


def primed(renderer: Renderer) -> None:
    """A task that only makes a worker set up the job's renderer (:func:`run`)."""


def warm_up(language: str | None) -> None:
    """What a worker does first, while the parent still plans the book: import WeasyPrint
    and load the language's hyphenation patterns, which every render of the job needs."""
    from bookmaker.builders.pdf.hyphenation import preload_patterns
    from bookmaker.builders.pdf.render import import_weasyprint

    import_weasyprint()
    preload_patterns(language)


@functools.lru_cache(maxsize=1)
def _renderer(job: RenderJob, face_pickle: bytes) -> Renderer:
    """The renderer of ``job``, made once per process and job; what making it logs (a
    missing face, a stylesheet's refusals) the parent has said already."""
    from multiprocessing.util import Finalize

    from bookmaker.builders.pdf.render import Renderer

    with collecting([], silent=True):
        volume = pickle.loads(job.volume_pickle if job.volume_pickle is not None
                              else job.volume_file.read_bytes())
        face = pickle.loads(face_pickle)
        _make_missing_instances(face)
        renderer = Renderer.for_volume(volume, job.allow_remote, face, find=False)
    renderer.fetcher.refused.extend(job.refused)
    # WeasyPrint's FontConfiguration removes its temporary folder of font copies (some
    # 4 MB) when dropped; a spawned worker drops it after the modules it cleans up with,
    # and the folder stayed in /tmp. multiprocessing runs its finalizers before that.
    Finalize(None, _drop_renderers, exitpriority=10)
    return renderer


def _make_missing_instances(face: BookFace | None) -> None:
    """The face's static instances, made here if this machine lacks them (a cluster's
    worker on another machine than the one that planned them)."""
    if face is None:
        return
    from bookmaker.builders.pdf.fonts import make_static_font

    for style, path in face.static.items():
        if not path.is_file():
            make_static_font(face.files[style], path)


def _drop_renderers() -> None:
    import gc

    _renderer.cache_clear()
    gc.collect()  # WeasyPrint's objects hold cycles
