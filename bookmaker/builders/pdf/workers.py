"""Render worker processes: one way to start them, and tasks that carry what they need.

Both parallel paths (the sectioned book's groups, the offprints) run
``function(renderer, *args)`` in other processes. A task names its volume by a
:class:`RenderJob` — the pickled volume's file, the remote-image switch, the URLs
already refused — so any process can run it, whatever ran there before; the
renderer it builds from the job is kept for the next task of the same job (WeasyPrint
and fonts take a second to set up), which is the only thing a worker keeps.

Workers are spawned, never forked: a fork would share the parent's Pango and
fontconfig state (the parent may have rendered already), which those libraries do
not allow for.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bookmaker.log import LOGGER

if TYPE_CHECKING:
    from bookmaker.builders.pdf.fonts import BookFace
    from bookmaker.builders.pdf.render import Renderer
    from bookmaker.model import Volume

T = TypeVar("T")


@dataclass(frozen=True)
class RenderJob:
    """Everything a render task needs besides its own arguments."""

    volume_file: Path
    """The volume, pickled once by the parent (cheaper than sending it with each task)."""
    allow_remote: bool = False
    refused: tuple[str, ...] = ()
    """URLs the parent already refused and reported: not reported again."""


def write_job(volume: Volume, folder: Path, allow_remote: bool,
              refused: tuple[str, ...] = ()) -> RenderJob:
    """Pickle ``volume`` into ``folder`` (alive while the workers are) for a job."""
    volume_file = folder / "volume.pickle"
    volume_file.write_bytes(pickle.dumps(volume, pickle.HIGHEST_PROTOCOL))
    return RenderJob(volume_file, allow_remote, refused)


def start_pool(jobs: int) -> ProcessPoolExecutor:
    """``jobs`` spawned worker processes (see the module's docstring for why spawned)."""
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))


def run(job: RenderJob, face: BookFace | None, function: Callable[..., T],
        *args: Any) -> tuple[T, list[str]]:
    """In a worker: ``function(renderer, *args)`` and the warnings it logged (the
    parent says them, or keeps them with a cached group)."""
    renderer = _renderer(job, pickle.dumps(face))
    with collected_warnings() as said:
        result = function(renderer, *args)
    return result, said


def ready() -> None:
    """A task that only makes the pool start a worker."""


@contextmanager
def collected_warnings() -> Iterator[list[str]]:
    """Warnings logged in the block go into the list, and nowhere else: a worker's
    stderr is not the user's terminal."""
    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(record.getMessage())

    handlers, propagate = list(LOGGER.handlers), LOGGER.propagate
    for handler in handlers:
        LOGGER.removeHandler(handler)
    collect = Collect(level=logging.WARNING)
    LOGGER.addHandler(collect)
    LOGGER.propagate = False
    try:
        yield said
    finally:
        LOGGER.removeHandler(collect)
        for handler in handlers:
            LOGGER.addHandler(handler)
        LOGGER.propagate = propagate


@functools.lru_cache(maxsize=1)
def _renderer(job: RenderJob, face_pickle: bytes) -> Renderer:
    """The renderer of ``job``, made once per process and job; what making it logs (a
    missing face, a stylesheet's refusals) the parent has said already."""
    from multiprocessing.util import Finalize

    from bookmaker.builders.pdf.render import Renderer

    with collected_warnings():
        volume = pickle.loads(job.volume_file.read_bytes())
        renderer = Renderer.for_volume(volume, job.allow_remote, pickle.loads(face_pickle),
                                       find=False)
    renderer.fetcher.refused.extend(job.refused)
    # WeasyPrint's FontConfiguration removes its temporary folder of font copies (some
    # 4 MB) when dropped; a spawned worker drops it after the modules it cleans up with,
    # and the folder stayed in /tmp. multiprocessing runs its finalizers before that.
    Finalize(None, _drop_renderers, exitpriority=10)
    return renderer


def _drop_renderers() -> None:
    import gc

    _renderer.cache_clear()
    gc.collect()  # WeasyPrint's objects hold cycles
