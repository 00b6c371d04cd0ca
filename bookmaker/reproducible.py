"""Reproducible builds: the one reading of ``SOURCE_DATE_EPOCH``, and the worker count.

Every output is dated from its inputs, never from the clock, so that two builds of the
same sources give the same bytes (reproducible-builds.org's convention, as Sphinx
follows it). Modules that date something ask here rather than read the environment.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"


def epoch_text() -> str:
    """The variable as set (stripped), '' when unset: part of every output key."""
    return os.environ.get(EPOCH_VARIABLE, "").strip()


def epoch_date() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC time, None when unset or not a number of seconds."""
    text = epoch_text()
    return dt.datetime.fromtimestamp(int(text), tz=dt.UTC) if text.isdigit() else None


def may_be_in_git(folder: Path) -> bool:
    """Whether ``folder`` may be in a git work tree: git is installed and a ``.git`` lies
    in it or above (or git is pointed elsewhere). Asking git outside one spent 20 ms of
    every build on two ``git`` processes that could only fail."""
    if shutil.which("git") is None:
        return False
    if "GIT_DIR" in os.environ or "GIT_WORK_TREE" in os.environ:
        return True
    folder = Path(os.path.abspath(folder))
    return any((parent / ".git").exists() for parent in (folder, *folder.parents))


@contextmanager
def epoch_while(date: dt.datetime | None) -> Iterator[None]:
    """``SOURCE_DATE_EPOCH`` set to ``date`` for a library that reads it (fontTools dates
    the fonts it writes from it, else from the clock); a value the user set is kept."""
    if date is None or EPOCH_VARIABLE in os.environ:
        yield
        return
    os.environ[EPOCH_VARIABLE] = str(int(date.timestamp()))
    try:
        yield
    finally:
        os.environ.pop(EPOCH_VARIABLE, None)


def worker_count(jobs: int, work: int | None = None) -> int:
    """Processes to use: ``jobs``, or every core when 0; never more than ``work`` items."""
    count = jobs or os.cpu_count() or 1
    return max(1, min(count, work)) if work is not None else count
