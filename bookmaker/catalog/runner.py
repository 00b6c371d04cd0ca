"""Building a library's volumes: here, one after another, or as tasks on a Dask cluster.

:func:`build_volume` is one volume's whole part of a catalogue — build or reuse its
outputs (:func:`bookmaker.pipeline.build`), then describe it for the pages and feeds
— and it runs wherever it is sent: in this process, or on any Dask worker that sees
the same files (a shared filesystem). It never raises for a bad volume: it returns
a failed :class:`VolumeOutcome` naming the problem, so one bad volume fails alone.

Unchanged volumes cost a metadata walk each: the output key says nothing changed,
and the description made last time (kept beside the outputs, under the same key)
is read back instead of the volume. On a cluster a large volume's PDF groups are
tasks of their own, submitted from the volume's task.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bookmaker.atomic import public_mode, write_atomically
from bookmaker.builders import BuildOptions
from bookmaker.cache import CACHE_DIR_NAME
from bookmaker.catalog.collect import BOOKS_DIR, Entry, describe
from bookmaker.errors import BookmakerError
from bookmaker.log import LOGGER, collecting, warn
from bookmaker.manifest import volume_slug

ENTRY_NAME = ".bookmaker-entry.pickle"
"""The volume's description as last made, with the output key it was made for."""

Status = Literal["built", "unchanged", "failed"]
Progress = Callable[[str, int, int], None]


@dataclass
class VolumeOutcome:
    """What became of one volume."""

    path: Path
    slug: str
    status: Status
    entry: Entry | None = None
    """Its description; for a failed volume, the one its last good build left, if any."""
    error: str | None = None
    """One line: the file and the problem."""
    warnings: list[str] = field(default_factory=list)
    exit_code: int = 0
    """The CLI's code for the error (2 manifest, 3 document…)."""


@dataclass(frozen=True)
class VolumeTask:
    """Everything a volume's task needs: plain data, sent to a worker as it is."""

    path: Path
    site: Path
    formats: tuple[str, ...]
    split: bool = False
    check: bool = False
    jobs: int = 0
    allow_remote: bool = False


def build_volume(task: VolumeTask, silent: bool = False,
                 executor=None) -> VolumeOutcome:
    """Build or reuse one volume's outputs in the site and describe it.

    ``silent``: warnings are only returned (a worker's log is not the user's);
    ``executor``: where the PDF's render tasks go (a cluster's), else local processes.
    """
    slug = volume_slug(task.path)
    folder = task.site / BOOKS_DIR / slug
    said: list[str] = []
    with collecting(said, silent=silent):
        try:
            return _build(task, folder, said, executor)
        except BookmakerError as exc:
            return _failed(task, slug, folder, str(exc), said, exc.exit_code)
        except Exception as exc:  # a bug must fail its volume, not the library
            return _failed(task, slug, folder, f"{task.path}: internal error "
                           f"({type(exc).__name__}: {exc}); please report this", said, 1)


def _failed(task: VolumeTask, slug: str, folder: Path, error: str, said: list[str],
            code: int) -> VolumeOutcome:
    """A failed volume keeps the entry of its last good build (its outputs are there)."""
    entry = _kept_entry(folder, None)
    if entry is not None:
        entry.reused = list(task.formats)
    return VolumeOutcome(task.path, slug, "failed", entry, error, said, code)


def _build(task: VolumeTask, folder: Path, said: list[str], executor) -> VolumeOutcome:
    from bookmaker import pipeline
    from bookmaker.loading import load_volume

    folder.mkdir(parents=True, exist_ok=True)
    options = BuildOptions(jobs=task.jobs, split=task.split, allow_remote=task.allow_remote,
                           executor=executor)
    request = pipeline.BuildRequest(out_dir=folder, formats=task.formats, check=task.check,
                                    options=options)
    report = pipeline.build(task.path, request)
    unchanged = len(report.reused) == len(task.formats)
    if unchanged and report.key is not None:
        entry = _kept_entry(folder, report.key)
        if entry is not None:
            entry.reused = list(task.formats)
            return VolumeOutcome(task.path, folder.name, "unchanged", entry, None, said)
    else:
        _make_public(folder)
    volume = load_volume(task.path, cache_dir=task.path / CACHE_DIR_NAME)
    entry = describe(volume, task.site, list(task.formats), task.split, report.reused)
    entry.volume = slim(entry.volume)
    if report.key is not None:
        try:
            write_atomically(folder / ENTRY_NAME,
                             pickle.dumps((report.key, entry), pickle.HIGHEST_PROTOCOL))
        except OSError as exc:  # only costs a reading of the volume next time
            LOGGER.info("catalogue entry not kept: %s", exc)
    status: Status = "unchanged" if unchanged else "built"
    return VolumeOutcome(task.path, folder.name, status, entry, None, said)


def slim(volume):
    """The volume as the catalogue shows it: titles, dates, credits, settings; not the
    text, notes or images (an entry travels between processes and is kept on disk)."""
    parts = [dataclasses.replace(part, documents=[
        dataclasses.replace(doc, blocks=[], notes=[], warnings=[]) for doc in part.documents])
        for part in volume.parts]
    return dataclasses.replace(volume, parts=parts, assets={}, cover=None, page_starts=[])


def _kept_entry(folder: Path, key: str | None) -> Entry | None:
    """The description kept in ``folder`` (for ``key``, or any when None), if readable
    and its files are still there."""
    try:
        kept_key, entry = pickle.loads((folder / ENTRY_NAME).read_bytes())
    except Exception:  # missing, partial or from another version: describe again
        return None
    if key is not None and kept_key != key:
        return None
    if not isinstance(entry, Entry) or not all(d.path.is_file() for d in entry.downloads):
        return None
    return entry


def _make_public(folder: Path) -> None:
    """Outputs are written through private temporary files; a site must be readable by all."""
    mode = public_mode()
    for path in folder.iterdir():
        if path.is_file() and not path.name.startswith("."):
            path.chmod(mode)


# ---------------------------------------------------------------------- running


def run_here(tasks: Sequence[VolumeTask], progress: Progress) -> list[VolumeOutcome]:
    """Every volume in this process, one after another (each PDF still uses every core)."""
    outcomes = []
    for task in tasks:
        outcomes.append(build_volume(task))
        _tell(progress, outcomes, len(tasks))
    return outcomes


def run_on_cluster(tasks: Sequence[VolumeTask], scheduler: str, progress: Progress,
                   announce: Callable[[str], None] | None = None) -> list[VolumeOutcome]:
    """Every volume a task on the Dask cluster at ``scheduler``; outcomes in task order.

    A worker that dies takes its tasks with it: the scheduler runs them again
    elsewhere (``retries``), and since every output is renamed into place only when
    whole, nothing half-written is ever published. Interrupting cancels the tasks.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise BookmakerError("building on a cluster needs Dask: pip install "
                             "'bookmaker[cluster]'") from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise BookmakerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        if announce is not None and client.dashboard_link:
            announce(f"Dask dashboard: {client.dashboard_link}")
        outcomes: list[VolumeOutcome | None] = [None] * len(tasks)
        done: list[VolumeOutcome] = []
        waiting = list(enumerate(tasks))[::-1]
        index_of: dict[str, int] = {}

        def submit():
            index, task = waiting.pop()
            future = client.submit(_cluster_task, task, key=f"volume-{index}-{task.path.name}",
                                   retries=3, pure=False)
            index_of[future.key] = index
            return future

        # As many volumes in flight as the cluster has threads, no more: a volume's task
        # steps off its worker's thread while its PDF groups run, and the scheduler would
        # otherwise hand that worker every other volume too (all building at once, memory
        # growing with them). A finished volume lets the next one in.
        slots = max(1, sum(client.nthreads().values()))
        running = as_completed([submit() for _ in range(min(slots, len(waiting)))])
        try:
            for future in running:
                index = index_of[future.key]
                try:
                    outcome = future.result()
                except Exception as exc:  # retries exhausted: the worker kept dying
                    task = tasks[index]
                    outcome = VolumeOutcome(task.path, volume_slug(task.path), "failed", None,
                                            f"{task.path}: the cluster could not build it "
                                            f"({type(exc).__name__}: {exc})", exit_code=4)
                for text in outcome.warnings:
                    warn(text)
                outcomes[index] = outcome
                done.append(outcome)
                _tell(progress, done, len(tasks))
                slots = max(1, sum(client.nthreads().values()))  # workers come and go
                while waiting and running.count() < slots:
                    running.add(submit())
        except BaseException:
            client.cancel(list(running.futures))
            raise
    return [outcome for outcome in outcomes if outcome is not None]


def _cluster_task(task: VolumeTask) -> VolumeOutcome:
    """On a worker: the volume, its PDF groups sent to the cluster as tasks of their own."""
    from distributed import worker_client

    # worker_client: this task waits on its group tasks without holding the worker's
    # thread, so a one-thread worker runs the groups meanwhile (no deadlock).
    with worker_client() as client:
        return build_volume(task, silent=True, executor=client.get_executor(pure=False))


def _tell(progress: Progress, done: Sequence[VolumeOutcome], total: int) -> None:
    failed = sum(1 for outcome in done if outcome.status == "failed")
    stage = f"volumes ({failed} failed)" if failed else "volumes"
    progress(stage, len(done), total)
