"""One logger for bookmaker, and a counter of warnings for ``--strict``.

Levels: DEBUG for internals, INFO for progress (shown with ``-v``), WARNING for
anything a publisher should look at (a document without a title, a dropped
remote image); errors are raised, not logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

LOGGER = logging.getLogger("bookmaker")


class WarningCounter(logging.Handler):
    """Counts warnings so that ``--strict`` can fail the build at the end."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        self.messages.append(record.getMessage())


def silence() -> None:
    """In a worker process (forked, it has the parent's handlers): say nothing here; what
    the worker logs goes back with its results and the parent says it."""
    LOGGER.handlers.clear()
    LOGGER.addHandler(logging.NullHandler())
    LOGGER.propagate = False


def warn(message: str, path: str | None = None) -> None:
    """Log a warning, prefixed with the file it concerns."""
    LOGGER.warning(f"{path}: {message}" if path else message)


@contextmanager
def collecting(into: list[str], silent: bool = False) -> Iterator[list[str]]:
    """Every warning logged in the block, in order, appended to ``into``. ``silent``:
    said nowhere else (a worker's stderr is not the user's terminal; the caller says
    them, or returns them)."""

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            into.append(record.getMessage())

    handlers, propagate = list(LOGGER.handlers), LOGGER.propagate
    if silent:
        for handler in handlers:
            LOGGER.removeHandler(handler)
        LOGGER.propagate = False
    collect = Collect(level=logging.WARNING)
    LOGGER.addHandler(collect)
    try:
        yield into
    finally:
        LOGGER.removeHandler(collect)
        if silent:
            for handler in handlers:
                LOGGER.addHandler(handler)
            LOGGER.propagate = propagate
