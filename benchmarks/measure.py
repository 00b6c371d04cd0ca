"""Time bookmaker against pandoc (and pandoc → WeasyPrint) on generated volumes.

Every command runs as a subprocess and is timed whole (start to exit, wall clock).
Within each repetition the tools take turns (round-robin), so that machine noise
spreads over all of them instead of landing on one. While a command runs, a thread
samples with psutil, every 50 ms, the summed RSS of the process and all its
descendants ("peak RSS, tree"); ``os.wait4`` gives the kernel's largest RSS of any
single process of the command ("max RSS, one process").
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from benchmarks.generate import GeneratedVolume, edit_document, generate_volume

REPO = Path(__file__).resolve().parent.parent
DEFAULT_RESULTS = REPO / "benchmarks" / "RESULTS.md"
SAMPLE_INTERVAL = 0.05
MIB = 1024 * 1024
GIB = 1024 * MIB

EPUB_TOOLS = ("bookmaker-epub", "pandoc-epub")
PDF_TOOLS = (
    "bookmaker-pdf-cold",
    "pandoc-weasyprint",
    "bookmaker-pdf-warm-edit",
    "bookmaker-pdf-warm-nochange",
)
PANDOC_TOOLS = ("pandoc-epub", "pandoc-weasyprint")
LABELS = {
    "bookmaker-epub": "bookmaker EPUB",
    "pandoc-epub": "pandoc EPUB",
    "bookmaker-pdf-cold": "bookmaker PDF, cold",
    "pandoc-weasyprint": "pandoc → HTML → WeasyPrint PDF",
    "bookmaker-pdf-warm-edit": "bookmaker PDF, warm after a one-word edit",
    "bookmaker-pdf-warm-nochange": "bookmaker PDF, warm, no change",
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ one command


@dataclass
class Sample:
    """One timed run of one tool."""

    seconds: float
    cpu_seconds: float
    """User plus system CPU time of the command and its descendants (wait4): unlike wall
    time, hardly inflated when other work shares the machine."""
    load: float
    """1-minute load average just before the run (others' work on the machine)."""
    peak_tree_rss: int
    """Largest sampled sum of RSS over the command's process tree, bytes."""
    max_process_rss: int
    """Largest RSS of any single process of the command (wait4), bytes."""
    ok: bool
    error: str = ""
    code: str = ""
    """The bookmaker code the run used (commit, and whether bookmaker/ had uncommitted edits)."""


class _TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                return
            for proc in procs:
                with contextlib.suppress(psutil.Error):  # it may have just exited
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            self.stop.wait(SAMPLE_INTERVAL)


def run_command(command: list[str], log_file: Path, cwd: Path | None = None,
                env: dict[str, str] | None = None) -> Sample:
    """Run COMMAND to completion, timing it and sampling its memory."""
    with open(log_file, "ab") as out:
        out.write(("\n$ " + " ".join(map(str, command)) + "\n").encode())
        out.flush()
        load = os.getloadavg()[0]
        start = time.perf_counter()
        proc = subprocess.Popen(command, stdout=out, stderr=out, cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stop.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    ok = proc.returncode == 0
    error = "" if ok else f"exit {proc.returncode}: {_tail(log_file)}"
    # ru_maxrss is in kilobytes on Linux.
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, cpu, load, sampler.peak, usage.ru_maxrss * 1024, ok, error)


def _tail(path: Path, lines: int = 3) -> str:
    text = path.read_text("utf-8", "replace").strip().splitlines()
    return " | ".join(line.strip() for line in text[-lines:])


def run_steps(commands: list[list[str]], log_file: Path) -> Sample:
    """Run commands one after the other as one measurement (stops at the first failure)."""
    total, cpu, peak, largest = 0.0, 0.0, 0, 0
    load = os.getloadavg()[0]
    for command in commands:
        sample = run_command(command, log_file)
        total += sample.seconds
        cpu += sample.cpu_seconds
        peak = max(peak, sample.peak_tree_rss)
        largest = max(largest, sample.max_process_rss)
        if not sample.ok:
            return Sample(total, cpu, load, peak, largest, False, sample.error)
    return Sample(total, cpu, load, peak, largest, True)


# ------------------------------------------------------------------ the tools


@dataclass
class Tools:
    """How to call each program."""

    python: str
    pandoc: str | None
    cache_flag: str | None
    """'--cache-dir' when ``bookmaker build`` has it, else None (cache in VOL/.bookmaker-cache)."""

    @property
    def bookmaker(self) -> list[str]:
        return [self.python, "-m", "bookmaker"]


def find_tools(skip_pandoc: bool) -> Tools:
    """Locate pandoc 3 and find out which cache options ``bookmaker build`` offers."""
    pandoc = None
    if not skip_pandoc:
        import pypandoc

        pandoc = pypandoc.get_pandoc_path()
    help_text = subprocess.run(
        [sys.executable, "-m", "bookmaker", "build", "--help"],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"},
    ).stdout
    cache_flag = "--cache-dir" if "--cache-dir" in help_text else None
    compile_bookmaker()
    return Tools(sys.executable, pandoc, cache_flag)


def compile_bookmaker() -> None:
    """Byte-compile bookmaker, as ``pip install`` does for an installed package.

    An editable install (``pip install -e .``) compiles nothing, and where
    ``PYTHONDONTWRITEBYTECODE`` is set (this machine sets it) every run would
    compile bookmaker's own modules again: 0.07 s a run that no installed copy pays.
    """
    import bookmaker

    package = Path(bookmaker.__file__).parent
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)],
                   env=env, check=True, stdout=subprocess.DEVNULL)


@dataclass
class Context:
    """Paths of one volume's measurements."""

    volume: GeneratedVolume
    work: Path
    tools: Tools
    log_file: Path

    @property
    def size(self) -> int:
        return len(self.volume.documents)

    @property
    def cache_dir(self) -> Path:
        return self.work / f"cache-{self.size}"

    def out(self, name: str) -> Path:
        path = self.work / f"out-{self.size}" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def bookmaker_build(self, fmt: str) -> list[str]:
        command = [*self.tools.bookmaker, "build", str(self.volume.root), "-f", fmt,
                   "-o", str(self.out(f"bookmaker-{fmt}"))]
        if self.tools.cache_flag:
            command += [self.tools.cache_flag, str(self.cache_dir / fmt)]
        return command

    def bookmaker_pdf(self) -> Path | None:
        return _newest(self.out("bookmaker-pdf"), "*.pdf")

    def pandoc_pdf(self) -> Path:
        return self.out("pandoc") / "book.pdf"

    def pandoc_inputs(self) -> list[str]:
        return [str(self.volume.metadata_file), *map(str, self.volume.markdown_files)]


def _newest(folder: Path, pattern: str) -> Path | None:
    found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def _clear_cache(ctx: Context, fmt: str) -> None:
    """Remove every place FMT's build cache may be: ours, the volume's, the output's."""
    caches = [ctx.cache_dir / fmt, ctx.volume.root / ".bookmaker-cache",
              ctx.out(f"bookmaker-{fmt}") / ".bookmaker-cache"]
    for cache in caches:
        shutil.rmtree(cache, ignore_errors=True)


def measure_tool(tool: str, ctx: Context, run: int) -> Sample:
    """One run of TOOL on the context's volume (with its preparation, untimed)."""
    if tool == "bookmaker-epub":
        _clear_cache(ctx, "epub")  # a first build, like pandoc's every build
        return run_command(ctx.bookmaker_build("epub"), ctx.log_file)
    if tool == "pandoc-epub":
        target = ctx.out("pandoc") / "book.epub"
        return run_command([ctx.tools.pandoc, "-f", "markdown", "-o", str(target),
                            *ctx.pandoc_inputs()], ctx.log_file)
    if tool == "bookmaker-pdf-cold":
        _clear_cache(ctx, "pdf")
        return run_command(ctx.bookmaker_build("pdf"), ctx.log_file)
    if tool == "pandoc-weasyprint":
        html = ctx.out("pandoc") / "book.html"
        return run_steps([
            [ctx.tools.pandoc, "-f", "markdown", "-s", "-o", str(html), *ctx.pandoc_inputs()],
            [ctx.tools.python, "-m", "weasyprint", str(html), str(ctx.pandoc_pdf())],
        ], ctx.log_file)
    if tool == "bookmaker-pdf-warm-edit":
        middle = ctx.volume.documents[len(ctx.volume.documents) // 2]
        edit_document(middle.text_path, f"again{run}")
        return run_command(ctx.bookmaker_build("pdf"), ctx.log_file)
    if tool == "bookmaker-pdf-warm-nochange":
        return run_command(ctx.bookmaker_build("pdf"), ctx.log_file)
    raise ValueError(f"unknown tool {tool}")


# ------------------------------------------------------------------ results


@dataclass
class Result:
    """All runs of one tool on one volume."""

    tool: str
    size: int
    samples: list[Sample] = field(default_factory=list)
    pages: int | None = None
    words: int = 0

    @property
    def good(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    @property
    def failed(self) -> bool:
        """Whether the latest run failed (a failure does not stop later runs)."""
        return bool(self.samples) and not self.samples[-1].ok

    @property
    def median(self) -> float | None:
        good = self.good
        return statistics.median(s.seconds for s in good) if good else None

    @property
    def fastest(self) -> float | None:
        good = self.good
        return min(s.seconds for s in good) if good else None

    @property
    def cpu_median(self) -> float | None:
        good = self.good
        return statistics.median(s.cpu_seconds for s in good) if good else None

    @property
    def peak_tree_rss(self) -> int | None:
        good = self.good
        return max(s.peak_tree_rss for s in good) if good else None

    @property
    def max_process_rss(self) -> int | None:
        good = self.good
        return max(s.max_process_rss for s in good) if good else None

    @property
    def pages_per_second(self) -> float | None:
        median = self.median
        return self.pages / median if self.pages and median else None


Results = dict[int, dict[str, Result]]
"""Volume size → tool → its runs."""


def count_pages(pdf: Path | None) -> int | None:
    if pdf is None or not pdf.is_file():
        return None
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def write_time(pdf: Path | None) -> float | None:
    """Seconds to write the PDF's bytes to a new file and fsync it: the 'write time'."""
    if pdf is None or not pdf.is_file():
        return None
    data = pdf.read_bytes()
    target = pdf.with_suffix(".write-test")
    start = time.perf_counter()
    with open(target, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    seconds = time.perf_counter() - start
    target.unlink()
    return seconds


@dataclass
class Options:
    sizes: list[int]
    runs: int
    runs_large: int
    work: Path
    skip_pandoc: bool
    only: str | None
    results: Path
    fresh: bool = True
    """Time the sample volume's first build in a new virtual environment."""
    watch: bool = True
    """Time ``bookmaker watch`` rebuilds after an edit (:mod:`benchmarks.watch`)."""


def selected_tools(options: Options) -> list[str]:
    """The tools in round-robin order: each bookmaker output next to its peer."""
    order = ["bookmaker-epub", "pandoc-epub", "bookmaker-pdf-cold", "pandoc-weasyprint",
             "bookmaker-pdf-warm-edit", "bookmaker-pdf-warm-nochange"]
    if options.only == "epub":
        order = [t for t in order if t in EPUB_TOOLS]
    elif options.only == "pdf":
        order = [t for t in order if t in PDF_TOOLS]
    if options.skip_pandoc:
        order = [t for t in order if t not in PANDOC_TOOLS]
    return order


# A warm build needs the cold build of the same repetition to have worked.
_NEEDS = {"bookmaker-pdf-warm-edit": "bookmaker-pdf-cold",
          "bookmaker-pdf-warm-nochange": "bookmaker-pdf-cold"}


def measure_volume(volume: GeneratedVolume, options: Options, tools: Tools,
                   runs: int) -> dict[str, Result]:
    size = len(volume.documents)
    ctx = Context(volume, options.work, tools, options.work / f"log-{size}.txt")
    order = selected_tools(options)
    words = sum(doc.words for doc in volume.documents)
    results = {tool: Result(tool, size, words=words) for tool in order}
    for run in range(1, runs + 1):
        for tool in order:
            result = results[tool]
            needed = _NEEDS.get(tool)
            if needed in results and results[needed].failed:
                continue  # no cold build in this repetition to be warm after
            sample = measure_tool(tool, ctx, run)
            if tool.startswith("bookmaker"):
                sample.code = code_state()
            result.samples.append(sample)
            state = "" if sample.ok else f"  FAILED ({sample.error})"
            log(f"[{size} docs] run {run}/{runs} {tool}: {sample.seconds:.2f} s "
                f"(CPU {sample.cpu_seconds:.1f} s), "
                f"peak tree RSS {sample.peak_tree_rss / MIB:.0f} MiB{state}")
    if "bookmaker-pdf-cold" in results and results["bookmaker-pdf-cold"].good:
        pages = count_pages(ctx.bookmaker_pdf())
        for tool in PDF_TOOLS:
            if tool in results and tool.startswith("bookmaker"):
                results[tool].pages = pages
    if "pandoc-weasyprint" in results and results["pandoc-weasyprint"].good:
        results["pandoc-weasyprint"].pages = count_pages(ctx.pandoc_pdf())
    return results


# ------------------------------------------------ first build, watch mode


SAMPLE_VOLUME = REPO / "volumes" / "how-the-revolution-armed-1918"


@dataclass
class Extras:
    """What is measured once rather than per volume size."""

    first_build: list[Sample] = field(default_factory=list)
    """The sample volume's first build (EPUB and PDF) in a fresh virtual environment."""
    install_error: str = ""
    watch: list[dict] = field(default_factory=list)
    """Per format on the 120-document volume: cold build, save→output (median), range."""
    watch_error: str = ""

    @property
    def first_build_median(self) -> float | None:
        good = [s.seconds for s in self.first_build if s.ok]
        return statistics.median(good) if good else None


def fresh_install(work: Path, log_file: Path) -> Path:
    """A new virtual environment with bookmaker installed from this checkout (``pip
    install .``, as a user installs it: byte-compiled, no editable finder); its
    ``bin`` folder. Untimed."""
    venv = work / "fresh-venv"
    shutil.rmtree(venv, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    with open(log_file, "ab") as out:
        for command in ([sys.executable, "-m", "venv", str(venv)],
                        [str(venv / "bin" / "pip"), "install", "-q", str(REPO)]):
            out.write(("\n$ " + " ".join(command) + "\n").encode())
            out.flush()
            subprocess.run(command, stdout=out, stderr=out, env=env, check=True)
    return venv / "bin"


def first_builds(work: Path, runs: int, log_file: Path) -> Extras:
    """Time ``bookmaker build`` of the sample volume, both formats, right after a fresh
    install: an empty ``XDG_CACHE_HOME`` (no font instances, compiled templates or
    hyphenation patterns yet) and a copy of the volume without a build cache, each run."""
    extras = Extras()
    try:
        bin_dir = fresh_install(work, log_file)
    except (subprocess.CalledProcessError, OSError) as exc:
        extras.install_error = f"{exc}: {_tail(log_file)}"
        log(f"fresh install failed: {extras.install_error}")
        return extras
    for run in range(1, runs + 1):
        scratch = work / f"fresh-run-{run}"
        shutil.rmtree(scratch, ignore_errors=True)
        volume = scratch / "volume"
        shutil.copytree(SAMPLE_VOLUME, volume,
                        ignore=shutil.ignore_patterns(".bookmaker-cache"))
        (scratch / "xdg-cache").mkdir()
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env["XDG_CACHE_HOME"] = str(scratch / "xdg-cache")
        sample = run_command([str(bin_dir / "bookmaker"), "build", str(volume), "-o",
                              str(scratch / "out")], log_file, cwd=scratch, env=env)
        extras.first_build.append(sample)
        log(f"[fresh install] run {run}/{runs} first sample build: {sample.seconds:.2f} s "
            f"(CPU {sample.cpu_seconds:.1f} s){'' if sample.ok else '  FAILED'}")
    return extras


def watch_rebuilds(work: Path, extras: Extras, only: str | None, edits: int = 5) -> None:
    """``bookmaker watch`` on the 120-document volume (:func:`benchmarks.watch.measure`):
    save → rebuilt output, median of ``edits`` one-word edits, against a cold build."""
    from benchmarks import watch

    formats = [only] if only else ["epub", "pdf"]
    folder = work / "watch"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    generated = generate_volume(folder / "generated", 120)
    middle = generated.documents[len(generated.documents) // 2].text_path
    try:
        rows = watch.measure("120 documents", generated.root,
                             str(middle.relative_to(generated.root)), formats, edits, folder)
    except (SystemExit, subprocess.CalledProcessError, OSError) as exc:
        extras.watch_error = str(exc)
        log(f"watch benchmark failed: {exc}")
        return
    for fmt, row in zip(formats, rows, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        extras.watch.append({"format": fmt, "cold": cells[2], "median": cells[3],
                             "range": cells[4], "building": cells[5], "of_cold": cells[6]})


# ------------------------------------------------------------------ the report


def code_state() -> str:
    """The commit of the bookmaker being timed, noting uncommitted edits under bookmaker/."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True,
                              text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "bookmaker")
    return f"{commit} + uncommitted edits in bookmaker/" if dirty else commit


def machine_facts() -> dict[str, str]:
    """The machine, the software versions and bookmaker's commit, for a report's head."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "Date (UTC)": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "CPU": cpu,
        "Cores": f"{os.cpu_count()} (usable: {len(os.sched_getaffinity(0))})",
        "Memory": f"{psutil.virtual_memory().total / GIB:.1f} GiB",
        "Load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "WeasyPrint": importlib.metadata.version("weasyprint"),
        "bookmaker": f"{importlib.metadata.version('bookmaker')} (commit {code_state()})",
    }


def machine_info(tools: Tools) -> dict[str, str]:
    pandoc = "not used"
    if tools.pandoc:
        pandoc = subprocess.run([tools.pandoc, "--version"], capture_output=True,
                                text=True).stdout.splitlines()[0]
    return {
        **machine_facts(),
        "pandoc": pandoc,
        "bookmaker cache option": tools.cache_flag or "none found: cache folder removed",
    }


def _fmt(value: float | None, spec: str = ".2f", unit: str = "") -> str:
    return "—" if value is None else f"{value:{spec}}{unit}"


def _watch_target(row: dict, verdict) -> tuple[str, str, str, str]:
    """One watch-mode row of the targets table: save → output, against its target."""
    name = f"{row['format'].upper()} in watch mode after a one-word edit, 120 documents"
    measured = f"{row['median']} ({row['of_cold']} of a {row['cold']} cold build)"
    if row["format"] == "epub":
        seconds = float(row["median"].rstrip(" s"))
        return name, "< 0.3 s from save to output", measured, verdict(
            seconds, lambda s: s < 0.3, 0.3)
    share = float(row["of_cold"].rstrip("%")) / 100
    return name, "≤ 10% of a cold build", measured, verdict(share, lambda r: r <= 0.10, 0.10)


def _ratio(a: Result | None, b: Result | None, cpu: bool = False) -> float | None:
    """A's median over B's (wall time, or CPU time)."""
    if a is None or b is None:
        return None
    x, y = (a.cpu_median, b.cpu_median) if cpu else (a.median, b.median)
    return x / y if x is not None and y else None


def fit(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least-squares line (slope, intercept) through (x, seconds) points."""
    points = [(x, y) for x, y in points if x is not None and y is not None]
    if len(points) < 2 or len({x for x, _ in points}) < 2:
        return None
    slope, intercept = statistics.linear_regression(*zip(*points, strict=True))
    return slope, intercept


def targets(all_results: Results, write_seconds: float | None, extras: Extras | None = None
            ) -> list[tuple[str, str, str, str]]:
    """(target, goal, measured, verdict) rows."""
    rows = []
    extras = extras or Extras()

    def verdict(value: float | None, ok: Callable[[float], bool],
                limit: float | None = None) -> str:
        if value is None:
            return "not measured"
        if ok(value):
            return "met"
        return f"not met ({value / limit:.2f}× the limit)" if limit else "not met"

    def faster(ratio: float | None) -> str:
        return _fmt(ratio, ".3f") + (f" ({1 / ratio:.1f}× faster)" if ratio else "")

    for size, goal, limit in ((120, "≥ 5× faster than pandoc EPUB (ratio ≤ 0.20)", 0.2),
                              (20, "not slower than pandoc EPUB (ratio ≤ 1.00)", 1.0),
                              (200, "≥ 5× faster than pandoc EPUB (ratio ≤ 0.20)", 0.2),
                              (1000, "≥ 5× faster than pandoc EPUB (ratio ≤ 0.20)", 0.2)):
        at = all_results.get(size, {})
        epub = _ratio(at.get("bookmaker-epub"), at.get("pandoc-epub"))
        rows.append((f"EPUB, {size} documents", goal, faster(epub),
                     verdict(epub, lambda r, limit=limit: r <= limit, limit)))
    for size in (120, 200, 1000):
        at = all_results.get(size, {})
        cold = _ratio(at.get("bookmaker-pdf-cold"), at.get("pandoc-weasyprint"))
        rows.append((f"PDF cold, {size} documents", "≤ 0.6× pandoc → WeasyPrint",
                     _fmt(cold, ".3f"), verdict(cold, lambda r: r <= 0.6, 0.6)))
    for size, limit in ((120, 0.15), (200, 0.10)):
        at = all_results.get(size, {})
        warm = _ratio(at.get("bookmaker-pdf-warm-edit"), at.get("bookmaker-pdf-cold"))
        rows.append((f"PDF one-shot build after a one-word edit, {size} documents",
                     f"≤ {limit:.0%} of cold",
                     _fmt(warm * 100 if warm is not None else None, ".1f", "%"),
                     verdict(warm, lambda r, limit=limit: r <= limit, limit)))
    for row in extras.watch:
        # The issue's targets: the PDF in under 10% of a cold build, the EPUB in under 0.3 s.
        rows.append(_watch_target(row, verdict))
    if not extras.watch:
        rows.append(("Watch mode after a one-word edit, 120 documents", "≤ 10% of a cold build",
                     extras.watch_error or "—", "not measured"))
    first = extras.first_build_median
    rows.append(("First build of the sample volume (EPUB and PDF) after a fresh install",
                 "≤ 4 s", _fmt(first, ".2f", " s") if first else (extras.install_error or "—"),
                 verdict(first, lambda s: s <= 4.0, 4.0)))
    nochange = all_results.get(200, {}).get("bookmaker-pdf-warm-nochange")
    limit = 1.0 + (write_seconds or 0.0)
    rows.append(("PDF with no change, 200 documents",
                 f"< 1 s + write time ({_fmt(write_seconds, '.3f')} s) = {limit:.2f} s",
                 _fmt(nochange.median if nochange else None, ".2f", " s"),
                 verdict(nochange.median if nochange else None, lambda s: s < limit, limit)))
    at1000 = all_results.get(1000, {})
    peaks = [r.peak_tree_rss for t, r in at1000.items()
             if t.startswith("bookmaker") and r.peak_tree_rss is not None]
    peak = max(peaks) if peaks else None
    rows.append(("Peak memory, 1000 documents (any bookmaker build, tree RSS)", "< 1 GiB",
                 _fmt(peak / MIB if peak else None, ".0f", " MiB"),
                 verdict(peak, lambda b: b < GIB, GIB)))
    return rows


def render_report(all_results: Results, info: dict[str, str], options: Options,
                  write_seconds: float | None, extras: Extras | None = None) -> str:
    """RESULTS.md: machine, targets, times, ratios, fit, notes, failures."""
    command = f"--sizes {','.join(map(str, options.sizes))} --runs {options.runs}"
    command += f" --runs-large {options.runs_large}"
    command += f" --only {options.only}" if options.only else ""
    command += " --skip-pandoc" if options.skip_pandoc else ""
    command += " --skip-fresh" if not options.fresh else ""
    command += " --skip-watch" if not options.watch else ""
    lines = [
        "# bookmaker benchmark results",
        "",
        f"Written by `python -m benchmarks {command}`. See README.md for what is measured "
        "and how.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in info.items()),
    ]
    lines += _targets_section(all_results, write_seconds, extras)
    lines += _extras_section(extras)
    lines += _times_section(all_results)
    lines += _ratios_section(all_results)
    lines += _fit_section(all_results)
    lines += _notes_section(all_results)
    lines += _analysis_section()
    failures = [(size, tool, s.error) for size, results in all_results.items()
                for tool, r in results.items() for s in r.samples if not s.ok]
    if failures:
        lines += ["", "## Failures", ""]
        lines += [f"- {size} documents, {LABELS[tool]}: `{error}`"
                  for size, tool, error in failures]
    return "\n".join(lines) + "\n"


def _targets_section(all_results: Results, write_seconds: float | None,
                     extras: Extras | None) -> list[str]:
    rows = targets(all_results, write_seconds, extras)
    return ["", "## Targets", "", "| Target | Goal | Measured | Verdict |",
            "| --- | --- | --- | --- |", *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows)]


def _extras_section(extras: Extras | None) -> list[str]:
    if extras is None:
        return []
    lines = ["", "## First build after a fresh install, and watch mode", ""]
    if extras.first_build or extras.install_error:
        runs = ", ".join(f"{s.seconds:.2f}" if s.ok else "failed" for s in extras.first_build)
        cpu = [s.cpu_seconds for s in extras.first_build if s.ok]
        lines += [
            "`python -m venv` and `pip install .` of this checkout (untimed), then, each run "
            "with an empty `XDG_CACHE_HOME` and a copy of the sample volume without a build "
            "cache, `bookmaker build VOLUME -o OUT` (EPUB and PDF) timed whole:",
            "",
            f"- median {_fmt(extras.first_build_median)} s; runs: {runs or '—'} s; CPU "
            f"(median) {_fmt(statistics.median(cpu) if cpu else None, '.1f')} s"
            + (f"; install failed: `{extras.install_error}`" if extras.install_error else ""),
        ]
    if extras.watch or extras.watch_error:
        lines += ["", "`bookmaker watch` on a generated volume of 120 documents "
                  "(`benchmarks/watch.py`, 5 saves of a one-word edit to the middle document; "
                  "cold: `bookmaker build --no-cache` in a new process):", "",
                  "| Format | Cold build | Save → output (median) | Range | Building | Of cold |",
                  "| --- | ---: | ---: | --- | ---: | ---: |"]
        lines += [f"| {r['format']} | {r['cold']} | {r['median']} | {r['range']} "
                  f"| {r['building']} | {r['of_cold']} |" for r in extras.watch]
        if extras.watch_error:
            lines += ["", f"Watch benchmark failed: `{extras.watch_error}`"]
    return lines


def _mib(value: int | None) -> str:
    return _fmt(value / MIB if value else None, ".0f")


def _times_section(all_results: Results) -> list[str]:
    lines = [
        "",
        "## Times",
        "",
        "Wall time of the whole command (median and fastest of the runs; every run "
        "listed). CPU: user + system time of the command and its children (median), "
        "which other work on the machine hardly inflates. "
        "Peak RSS, tree: the largest sum of the RSS of the command's process and all its "
        "children, sampled with psutil every 50 ms. Max RSS, one process: the kernel's "
        "`ru_maxrss` from `wait4`, the largest single process of the command.",
        "",
        "| Documents | Words | Tool | Median (s) | Fastest (s) | Runs (s) | CPU (s) | Pages "
        "| Pages/s | Peak RSS, tree (MiB) | Max RSS, one process (MiB) |",
        "| ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, results in all_results.items():
        for tool, r in results.items():
            runs = ", ".join(f"{s.seconds:.2f}" if s.ok else "failed" for s in r.samples)
            lines.append(
                f"| {size} | {r.words} | {LABELS[tool]} | {_fmt(r.median)} "
                f"| {_fmt(r.fastest)} | {runs or '—'} | {_fmt(r.cpu_median, '.1f')} "
                f"| {r.pages or '—'} | {_fmt(r.pages_per_second, '.1f')} "
                f"| {_mib(r.peak_tree_rss)} | {_mib(r.max_process_rss)} |"
            )
    return lines


def _ratios_section(all_results: Results) -> list[str]:
    lines = ["", "## Ratios", "",
             "Median wall time, and in brackets median CPU time, of bookmaker over its peer.",
             "",
             "| Documents | bookmaker EPUB / pandoc EPUB | PDF cold / pandoc → WeasyPrint "
             "| PDF warm-edit / cold | PDF no-change (s) |",
             "| ---: | ---: | ---: | ---: | ---: |"]
    pairs = [("bookmaker-epub", "pandoc-epub"), ("bookmaker-pdf-cold", "pandoc-weasyprint"),
             ("bookmaker-pdf-warm-edit", "bookmaker-pdf-cold")]
    for size, r in all_results.items():
        cells = []
        for mine, peer in pairs:
            wall = _ratio(r.get(mine), r.get(peer))
            cpu = _ratio(r.get(mine), r.get(peer), cpu=True)
            cells.append(f"{_fmt(wall, '.3f')} ({_fmt(cpu, '.3f')})")
        nochange = r.get("bookmaker-pdf-warm-nochange")
        cells.append(_fmt(nochange.median if nochange else None))
        lines.append(f"| {size} | " + " | ".join(cells) + " |")
    return lines


def _fit_section(all_results: Results) -> list[str]:
    lines = ["", "## Time against size (least squares over the volumes)", "",
             "Median time = intercept + slope × pages (PDF) and + slope × documents.", "",
             "| Tool | Slope (s/page) | Intercept (s) | Slope (s/document) |",
             "| --- | ---: | ---: | ---: |"]
    tools = list(dict.fromkeys(t for r in all_results.values() for t in r))
    fitted = 0
    for tool in tools:
        rows = [r[tool] for r in all_results.values() if tool in r]
        by_pages = fit([(r.pages, r.median) for r in rows])
        by_docs = fit([(r.size, r.median) for r in rows])
        if by_pages is None and by_docs is None:
            continue
        fitted += 1
        lines.append(
            f"| {LABELS[tool]} | {_fmt(by_pages[0] if by_pages else None, '.4f')} "
            f"| {_fmt(by_pages[1] if by_pages else None, '.2f')} "
            f"| {_fmt(by_docs[0] if by_docs else None, '.4f')} |"
        )
    if not fitted:
        lines += ["", "(A fit needs at least two volume sizes.)"]
    return lines


def _notes_section(all_results: Results) -> list[str]:
    loads = [s.load for results in all_results.values() for r in results.values()
             for s in r.samples]
    load = f"{min(loads):.2f} to {max(loads):.2f}" if loads else "—"
    codes: dict[str, list[str]] = {}
    for size, results in all_results.items():
        for r in results.values():
            for s in r.samples:
                if s.code and f"{size}" not in codes.setdefault(s.code, []):
                    codes[s.code].append(f"{size}")
    code = "; ".join(f"{c} ({', '.join(sizes)} documents)" for c, sizes in codes.items())
    return [
        "",
        "## Notes",
        "",
        f"- 1-minute load average just before each run: {load} on {os.cpu_count()} cores "
        "(it counts the benchmark's own previous run too; well above that, other work "
        "shared the machine).",
        f"- bookmaker code timed: {code or '—'}. (Others work on bookmaker while this runs; "
        "a change of commit between volumes shows here.)",
        "- bookmaker runs with its default `--jobs` (0: all cores). Its PDF has the "
        "volume's settings (6 × 9 in, EB Garamond, endnotes, parts, contents); the pandoc "
        "PDF is pandoc's default standalone HTML on WeasyPrint's default A4 page, so "
        "page counts and pages per second differ in what a page holds.",
        "- The pandoc inputs have each document as a `#` chapter with footnotes and no part "
        "headings.",
        "- Cold means an empty build cache. bookmaker's per-user cache "
        "(`~/.cache/bookmaker`: compiled templates, the book face's static instances "
        "and the parsed hyphenation patterns, made once per machine from the installed "
        "packages, as fontconfig caches fonts) is kept, as Python's `.pyc` files are; the "
        "first build on a machine also makes the font instances and the faces' glyph "
        "coverage (HarfBuzz: a hundredth of a second a face; the first build after a "
        "fresh install is timed on its own above). bookmaker is byte-compiled before "
        "the runs, as `pip install` does; this machine sets `PYTHONDONTWRITEBYTECODE`, "
        "under which an editable install would compile its modules on every run (0.07 s).",
        "- Warm builds: the cold run of each repetition starts with no cache; the warm-edit "
        "run follows after appending one word to the middle document's first paragraph; "
        "the no-change run follows that with nothing changed.",
    ]


def _analysis_section() -> list[str]:
    """The hand-written profile of where the time goes (ANALYSIS.md), kept with each report."""
    analysis = REPO / "benchmarks" / "ANALYSIS.md"
    if not analysis.is_file():
        return []
    return ["", *analysis.read_text("utf-8").rstrip("\n").split("\n")]


# ------------------------------------------------------------------ main


def parse_args(argv: list[str] | None) -> tuple[Options, bool]:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Time bookmaker's EPUB and PDF builds against pandoc on generated volumes.",
    )
    parser.add_argument("--sizes", default="20,120,200,1000",
                        help="Documents per volume, comma-separated (default 20,120,200,1000).")
    parser.add_argument("--runs", type=int, default=3,
                        help="Runs per tool and volume (median reported; default 3).")
    parser.add_argument("--runs-large", type=int, default=1,
                        help="Runs for volumes of 1000 documents or more (default 1).")
    parser.add_argument("--work", type=Path,
                        help="Folder for volumes and outputs (default: a temporary folder, "
                             "removed afterwards).")
    parser.add_argument("--skip-pandoc", action="store_true", help="Time bookmaker only.")
    parser.add_argument("--only", choices=("epub", "pdf"), help="Time one format only.")
    parser.add_argument("--skip-fresh", action="store_true",
                        help="Do not time the first build after a fresh install.")
    parser.add_argument("--skip-watch", action="store_true",
                        help="Do not time watch-mode rebuilds.")
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS,
                        help=f"Markdown report to write (default {DEFAULT_RESULTS}).")
    args = parser.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes takes numbers separated by commas, not {args.sizes!r}")
    if not sizes or min(sizes) < 1 or args.runs < 1 or args.runs_large < 1:
        parser.error("sizes and runs must be at least 1")
    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="bookmaker-bench-")) if temporary else args.work
    work.mkdir(parents=True, exist_ok=True)
    options = Options(sizes, args.runs, args.runs_large, work.resolve(), args.skip_pandoc,
                      args.only, args.results, fresh=not args.skip_fresh,
                      watch=not args.skip_watch)
    return options, temporary


def main(argv: list[str] | None = None) -> int:
    options, temporary = parse_args(argv)
    try:
        tools = find_tools(options.skip_pandoc)
        info = machine_info(tools)
        log(f"work folder: {options.work}; bookmaker cache option: {tools.cache_flag or 'none'}")
        all_results: Results = {}
        write_seconds = None
        extras = Extras()
        if options.fresh:
            log("timing the sample volume's first build after a fresh install")
            extras = first_builds(options.work, options.runs, options.work / "log-fresh.txt")
        if options.watch:
            log("timing watch-mode rebuilds (120 documents)")
            watch_rebuilds(options.work, extras, options.only)
        for size in options.sizes:
            log(f"generating a volume of {size} documents")
            volume = generate_volume(options.work, size)
            runs = options.runs_large if size >= 1000 else options.runs
            all_results[size] = measure_volume(volume, options, tools, runs)
            if size == 200 or write_seconds is None:
                pdf = _newest(options.work / f"out-{size}" / "bookmaker-pdf", "*.pdf")
                write_seconds = write_time(pdf) if pdf else write_seconds
            # Keep what was measured so far even if a later, larger volume is cut short.
            report = render_report(all_results, info, options, write_seconds, extras)
            options.results.write_text(report, "utf-8")
            raw = {size: {t: asdict(r) for t, r in res.items()}
                   for size, res in all_results.items()}
            raw["extras"] = asdict(extras)
            (options.work / "results.json").write_text(json.dumps(raw, indent=1), "utf-8")
        log(f"wrote {options.results}")
        print(report)
    finally:
        if temporary:
            shutil.rmtree(options.work, ignore_errors=True)
    return 0
