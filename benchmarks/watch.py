"""``python -m benchmarks.watch``: how long ``bookmaker watch`` takes from a save to the output.

For the sample volume and a generated volume of 120 documents (:mod:`.generate`),
each format on its own: a cold build (``bookmaker build --no-cache`` in a new
process, imports included), then a watcher started on a copy of the volume and
a one-word edit saved to one document several times. Each save is timed from
just before the file is written to the moment the rebuilt output has been renamed
into place (:attr:`bookmaker.watch.Rebuild.finished`). The median is reported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import edit_document, generate_volume

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "volumes" / "how-the-revolution-armed-1918"
SAMPLE_DOCUMENT = "texts/a-necessary-statement.txt"


def cold_build(volume: Path, fmt: str, out: Path) -> float:
    """Seconds for ``bookmaker build --no-cache`` of one format in a new process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bookmaker", "-q", "build", str(volume), "-o", str(out),
                    "-f", fmt, "--no-cache"], check=True, env=env)
    return time.perf_counter() - started


def edit_times(volume: Path, fmt: str, out: Path, document: str,
               edits: int) -> list[tuple[float, float]]:
    """(save→rename, of which building) seconds for ``edits`` one-word edits of ``document``
    under a watcher; the rest is the file events' way to the watcher and the debounce."""
    from bookmaker.watch import Watcher

    watcher = Watcher(volume, out, (fmt,), cache_dir=volume / ".bench-cache").start()
    times = []
    try:
        first = watcher.wait(0, 600)
        if not first.ok:
            raise SystemExit(f"first build failed: {first.error}")
        for number in range(edits):
            before = watcher.last.generation
            saved = time.time()
            edit_document(volume / document, f"watchword{number}")
            rebuilt = watcher.wait(before, 600)
            if not rebuilt.ok:
                raise SystemExit(f"rebuild failed: {rebuilt.error}")
            times.append((rebuilt.finished - saved, rebuilt.seconds))
            time.sleep(0.3)  # let the observer settle between saves
    finally:
        watcher.stop()
    return times


def measure(name: str, source: Path, document: str, formats: list[str], edits: int,
            work: Path) -> list[str]:
    rows = []
    for fmt in formats:
        volume = work / f"{name}-{fmt}"
        shutil.copytree(source, volume, ignore=shutil.ignore_patterns(".bookmaker-cache"))
        cold = cold_build(volume, fmt, work / f"cold-{name}-{fmt}")
        timed = edit_times(volume, fmt, work / f"out-{name}-{fmt}", document, edits)
        times = [total for total, _ in timed]
        median = statistics.median(times)
        building = statistics.median(seconds for _, seconds in timed)
        rows.append(f"| {name} | {fmt} | {cold:.2f} s | {median:.3f} s | "
                    f"{min(times):.3f}–{max(times):.3f} s | {building:.3f} s | "
                    f"{100 * median / cold:.1f}% |")
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5, help="Saves timed per volume and format.")
    parser.add_argument("--only", choices=["epub", "pdf"], help="One format only.")
    parser.add_argument("--documents", type=int, default=120, help="Generated volume's size.")
    args = parser.parse_args(argv)
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    formats = [args.only] if args.only else ["epub", "pdf"]
    rows = ["| volume | format | cold build | save→output (median) | range | building | of cold |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory(prefix="bookmaker-watch-bench-") as scratch:
        work = Path(scratch)
        rows += measure("sample", SAMPLE, SAMPLE_DOCUMENT, formats, args.edits, work)
        generated = generate_volume(work / "generated", args.documents)
        middle = generated.documents[len(generated.documents) // 2].text_path
        rows += measure(f"{args.documents} documents", generated.root,
                        str(middle.relative_to(generated.root)), formats, args.edits, work)
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
