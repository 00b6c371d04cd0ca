"""bookmaker's own errors.

Each error knows its category and the exit code the CLI returns for it; only the
CLI turns them into messages (``error: <file>[:line[:col]]: <text>``).
"""

from __future__ import annotations

from pathlib import Path


def format_location(path: str | None, line: int | None, column: int | None) -> str:
    """``file[:line[:col]]`` as compilers print it; empty without a file."""
    if not path:
        return ""
    loc = path
    if line is not None:
        loc += f":{line}"
        if column is not None:
            loc += f":{column}"
    return loc


class BookmakerError(Exception):
    """Base of every error bookmaker raises on purpose."""

    category = "error"
    exit_code = 1

    def __init__(
        self,
        message: str,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column

    def location(self) -> str:
        """``file[:line[:col]]``, or an empty string when the error has no file."""
        return format_location(self.path, self.line, self.column)

    def __str__(self) -> str:
        loc = self.location()
        return f"{loc}: {self.message}" if loc else self.message


class ManifestError(BookmakerError):
    """The volume manifest is missing, malformed or names bad documents."""

    category = "manifest"
    exit_code = 2


class DocumentError(BookmakerError):
    """A document cannot be read into the model."""

    category = "document"
    exit_code = 3


class BuildError(BookmakerError):
    """A builder failed, or its output did not pass the post-build checks."""

    category = "build"
    exit_code = 4


class CheckError(BookmakerError):
    """A validator (EPUBCheck, PDF checks) reported problems: ``details`` holds each
    message, for the CLI to print above its one-line error."""

    category = "check"
    exit_code = 5

    def __init__(self, message: str, path: str | Path | None = None,
                 details: list[str] | None = None) -> None:
        super().__init__(message, path)
        self.details = list(details or [])


class ToolMissingError(BookmakerError):
    """An outside tool (Java for EPUBCheck, …) is not installed."""

    category = "environment"
    exit_code = 6


class OutputError(BookmakerError):
    """The output cannot be written (permissions, full disk, …)."""

    category = "output"
    exit_code = 7
