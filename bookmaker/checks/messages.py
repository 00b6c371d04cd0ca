"""Check results as data, and their plain-text rendering.

Every validator (EPUBCheck, the PDF checks) returns :class:`Message` objects;
deciding what to print, count or fail on is left to the caller.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bookmaker.errors import format_location

Severity = Literal["fatal", "error", "warning", "info", "usage"]

SEVERITY_RANK: dict[str, int] = {"fatal": 0, "error": 1, "warning": 2, "info": 3, "usage": 4}
"""Lower is worse; used to sort and to filter by threshold."""


@dataclass(frozen=True)
class Message:
    """One finding of a check."""

    code: str
    """The checker's own message code, e.g. 'RSC-005' for EPUBCheck."""
    severity: Severity
    """How bad it is: fatal and error fail a build; warning counts for --strict."""
    file: str | None
    """The file concerned (inside the book for EPUBCheck), if known."""
    line: int | None
    """Line in that file, if known."""
    text: str
    """What the checker said."""
    column: int | None = None
    """Column in that line, if known."""

    def location(self) -> str:
        """``file[:line[:col]]``, or an empty string when there is no file."""
        return format_location(self.file, self.line, self.column)

    def __str__(self) -> str:
        return self.format()

    def format(self) -> str:
        """One line: ``severity CODE file:line: text``."""
        loc = self.location()
        where = f" {loc}:" if loc else ""
        return f"{self.severity} {self.code}{where} {self.text}"


def normalize_severity(value: str) -> Severity:
    """Map a checker's severity word ('ERROR', 'WARN', 'SUGGESTION'…) to ours."""
    word = value.strip().lower()
    if word in ("fatal",):
        return "fatal"
    if word in ("error",):
        return "error"
    if word in ("warn", "warning"):
        return "warning"
    if word in ("usage",):
        return "usage"
    return "info"


def at_least(messages: Iterable[Message], severity: Severity) -> list[Message]:
    """The messages as bad as ``severity`` or worse."""
    limit = SEVERITY_RANK[severity]
    return [m for m in messages if SEVERITY_RANK[m.severity] <= limit]


def counts(messages: Iterable[Message]) -> dict[str, int]:
    """Number of messages per severity, every severity present (zeros included)."""
    found = Counter(m.severity for m in messages)
    return {severity: found.get(severity, 0) for severity in SEVERITY_RANK}


def sort_messages(messages: Iterable[Message]) -> list[Message]:
    """Worst first, then by file and line."""
    return sorted(
        messages,
        key=lambda m: (SEVERITY_RANK[m.severity], m.file or "", m.line or 0, m.code, m.text),
    )


def format_messages(messages: Iterable[Message], title: str | None = None) -> str:
    """Plain-text report: an optional title line, one line per message, and a summary."""
    ordered = sort_messages(messages)
    lines = [title] if title else []
    lines += [f"  {m.format()}" if title else m.format() for m in ordered]
    tally = counts(ordered)
    summary = ", ".join(f"{n} {sev}" for sev, n in tally.items() if n) or "no messages"
    lines.append(f"  {summary}" if title else summary)
    return "\n".join(lines)
