"""Time bookmaker on one gigantic document: ``python -m benchmarks.large``.

Each volume holds a single archive plain-text document of about N MB made of the
seed's sentences (:mod:`benchmarks.generate`): 5 MB is some 850,000 words, 50 MB
some 8.5 million (about 35,000 pages at 6 × 9 in). A "one line" volume holds a
document whose whole body is a single line, one paragraph of N MB. EPUB and PDF
are built with ``bookmaker build … --no-cache`` in a subprocess; wall time, CPU
time and the peak RSS of the process tree are measured as :mod:`benchmarks.measure`
measures them, and written to ``benchmarks/LARGE.md``. Time and memory should grow
in proportion to the size: MB/s should stay about the same from one size to the next.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.generate import MB, Case, generate_large
from benchmarks.measure import MIB, log, machine_facts, run_command

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RESULTS = REPO / "benchmarks" / "LARGE.md"


@dataclass
class Row:
    """One build of one case."""

    case: str
    format: str
    bytes: int
    words: int
    seconds: float
    cpu_seconds: float
    peak_tree_rss: int
    max_process_rss: int
    load: float
    pages: int | None
    ok: bool
    error: str = ""
    blanks: int | None = None
    """Blank pages after the document's opening page: none is wanted (see pdf_chunks)."""

    @property
    def mb_per_second(self) -> float:
        return self.bytes / MB / self.seconds if self.seconds else 0.0


# ------------------------------------------------------------------ volumes


# ------------------------------------------------------------------ builds


def build_command(volume: Path, fmt: str, out: Path) -> list[str]:
    """A first build of one format, the cache neither read nor written."""
    return [sys.executable, "-m", "bookmaker", "build", str(volume), "-f", fmt,
            "-o", str(out), "--no-cache"]


def pdf_pages(out: Path) -> tuple[int, int | None] | None:
    """Pages of the PDF in OUT, and how many are blank after the document's opening
    (pikepdf: pypdf takes minutes on 20,000 pages)."""
    import pikepdf

    found = sorted(out.glob("*.pdf"))
    if not found:
        return None
    with pikepdf.open(found[0]) as pdf:
        return len(pdf.pages), blank_pages_after_opening(pdf)


def blank_pages_after_opening(pdf) -> int | None:
    """Pages without content after the page the outline's last document opens on."""
    import pikepdf

    try:
        with pdf.open_outline() as outline:
            item = outline.root[-1]
            while item.children:
                item = item.children[-1]
            opening = pdf.pages.index(pikepdf.Page(item.destination[0]))
    except (IndexError, TypeError, ValueError, pikepdf.PdfError):
        return None

    def drawn(page) -> int:
        contents = page.obj.get("/Contents")
        if contents is None:
            return 0
        streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents)
        return sum(len(stream.read_bytes()) for stream in streams)

    return sum(1 for page in pdf.pages[opening + 1:] if drawn(page) < 200)


def measure_case(case: Case, work: Path, formats: list[str], log_file: Path) -> list[Row]:
    """Generate the case's volume and build each format once."""
    log(f"[{case.label}] generating")
    root, size, words = generate_large(work, case)
    rows = []
    for fmt in formats:
        out = work / f"out-{case.name}-{fmt}"
        shutil.rmtree(out, ignore_errors=True)
        log(f"[{case.label}] building {fmt.upper()} ({size / MB:.1f} MB, {words} words)")
        sample = run_command(build_command(root, fmt, out), log_file)
        counted = pdf_pages(out) if fmt == "pdf" and sample.ok else None
        pages, blanks = counted if counted else (None, None)
        row = Row(case.label, fmt, size, words, sample.seconds, sample.cpu_seconds,
                  sample.peak_tree_rss, sample.max_process_rss, sample.load, pages, sample.ok,
                  sample.error, blanks)
        state = "" if row.ok else f"  FAILED ({row.error})"
        log(f"[{case.label}] {fmt.upper()}: {row.seconds:.1f} s (CPU {row.cpu_seconds:.0f} s), "
            f"{row.mb_per_second:.3f} MB/s, peak tree RSS {row.peak_tree_rss / MIB:.0f} MiB"
            f"{f', {pages} pages ({blanks} blank inside)' if pages else ''}{state}")
        rows.append(row)
    return rows


# ------------------------------------------------------------------ report


def render_report(rows: list[Row], info: dict[str, str], command: str) -> str:
    lines = [
        "# bookmaker on one gigantic document",
        "",
        f"Written by `{command}`. See README.md (\"One gigantic document\") for what is measured.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in info.items()),
        "",
        "## Builds",
        "",
        "One `bookmaker build … --no-cache` per row. Wall: the whole command. CPU: user + system "
        "of the command and its children. Peak RSS, tree: the largest sampled sum over the "
        "process and its workers (psutil, every 50 ms). Max RSS, one process: the kernel's "
        "`ru_maxrss`. MB/s: megabytes of source text per second of wall time. Blank: pages "
        "without content after the document's opening page (a chunk that stayed odd; "
        "none is wanted).",
        "",
        "| Document | Words | Format | Wall (s) | CPU (s) | MB/s | Pages | Pages/s | Blank "
        "| Peak RSS, tree (MiB) | Max RSS, one process (MiB) | Load before |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if not row.ok:
            lines.append(f"| {row.case} | {row.words} | {row.format.upper()} | failed: "
                         f"{row.error[:120]} | | | | | | | | |")
            continue
        pages = "—" if row.pages is None else str(row.pages)
        rate = "—" if not row.pages else f"{row.pages / row.seconds:.1f}"
        blanks = "—" if row.blanks is None else str(row.blanks)
        lines.append(
            f"| {row.case} | {row.words} | {row.format.upper()} | {row.seconds:.1f} | "
            f"{row.cpu_seconds:.0f} | {row.mb_per_second:.3f} | {pages} | {rate} | {blanks} | "
            f"{row.peak_tree_rss / MIB:.0f} | {row.max_process_rss / MIB:.0f} | {row.load:.2f} |")
    lines += ["", "## Growth", "",
              "Per format, each paragraph-document size against the smallest: how many times "
              "the text, the wall time and the peak memory grew. Proportional growth keeps the "
              "three about equal.", "",
              "| Format | From | To | Text × | Wall × | Peak RSS, tree × |",
              "| --- | --- | --- | ---: | ---: | ---: |"]
    for fmt in ("epub", "pdf"):
        good = [r for r in rows if r.ok and r.format == fmt and "one line" not in r.case]
        for row in good[1:]:
            base = good[0]
            lines.append(f"| {fmt.upper()} | {base.case} | {row.case} | "
                         f"{row.bytes / base.bytes:.1f} | {row.seconds / base.seconds:.1f} | "
                         f"{row.peak_tree_rss / max(base.peak_tree_rss, 1):.1f} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.large",
        description="Time bookmaker's EPUB and PDF builds of one gigantic document.",
    )
    parser.add_argument("--sizes", default="5,20,50",
                        help="Sizes in MB of the one-document volumes (default 5,20,50).")
    parser.add_argument("--lines", default="5",
                        help="Sizes in MB of documents whose body is a single line "
                             "(default 5; '' for none).")
    parser.add_argument("--formats", default="epub,pdf", help="Formats to build (default both).")
    parser.add_argument("--work", type=Path,
                        help="Folder for volumes, outputs, log.txt and results.json "
                             "(default: a temporary folder, removed afterwards).")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS,
                        help=f"Markdown report to write (default {DEFAULT_RESULTS}).")
    args = parser.parse_args(argv)
    try:
        args.sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
        args.lines = [float(s) for s in args.lines.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes and --lines take numbers of MB separated by commas")
    args.formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if not set(args.formats) <= {"epub", "pdf"} or not args.formats:
        parser.error("--formats takes epub, pdf or both")
    if any(size <= 0 for size in args.sizes + args.lines):
        parser.error("sizes must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="bookmaker-large-")) if temporary else args.work
    work = work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    command = "python -m benchmarks.large " + " ".join(argv if argv is not None else sys.argv[1:])
    cases = [Case(size) for size in args.sizes] + [Case(size, True) for size in args.lines]
    try:
        info = machine_facts()
        log(f"work folder: {work}")
        rows: list[Row] = []
        report = ""
        for case in cases:
            rows += measure_case(case, work, args.formats, work / "log.txt")
            # Keep what was measured so far even if a larger document is cut short.
            report = render_report(rows, info, command.strip())
            args.results.write_text(report, "utf-8")
            (work / "results.json").write_text(
                json.dumps([asdict(row) for row in rows], indent=1), "utf-8")
        log(f"wrote {args.results}")
        print(report)
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
