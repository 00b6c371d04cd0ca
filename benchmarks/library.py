"""``python -m benchmarks.library``: a generated library built here and on a Dask cluster.

A library of ``--volumes`` volumes of ``--documents`` documents (200 × 10 by default;
documents as ``generate.py`` writes them, each volume's different) with a
``library.toml`` is built three ways, each from a cold state (a new site folder,
every volume's ``.bookmaker-cache`` removed, new Dask processes):

- ``local``: no scheduler; volumes one after another in the client, each PDF's
  groups in local worker processes (``-j 0``: all cores);
- ``dask-1`` / ``dask-2``: a ``dask scheduler`` and 1 or 2 ``dask worker … --nthreads 1
  --no-nanny`` started here as subprocesses on 127.0.0.1, stopped afterwards.

Each build is then run again with nothing changed. The client is a process of its
own that calls :func:`bookmaker.catalog.build_catalog` as ``bookmaker catalog`` does
(so that the volumes' phase and the site's phase are timed apart). On the cluster,
the scheduler's task stream gives every task's worker and compute span; trivial tasks
(``abs``) submitted to the same cluster give the scheduler's own cost per task.
A larger library of ``--large`` tiny volumes (EPUB only) is built once, untimed, and
its no-change rerun timed. With ``--report`` the results go to ``benchmarks/LIBRARY.md``.

Per-user caches (``~/.cache/bookmaker``: compiled templates, the book face's static
instances, hyphenation patterns) are kept warm: they are made once per machine from
the installation, not per volume. Run it alone on the machine (``flock``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import psutil

from benchmarks.generate import (
    _NOTE_TEXTS,
    _PLACES,
    DOCUMENTS_PER_PART,
    FIRST_DATE,
    NOTES_PER_DOCUMENT,
    archive_text,
    body_paragraphs,
    document_title,
    find_seed,
    place_markers,
    seed_sentences,
    volume_toml,
)

REPO = Path(__file__).resolve().parent.parent
REPORT = REPO / "benchmarks" / "LIBRARY.md"
DASK = Path(sys.executable).with_name("dask")
ARCHIVE_DOCUMENTS = 180_000
WORKER_COUNTS = (1, 2, 8, 32, 128, 512)
MB = 1_000_000
HAND = "<!-- Written by hand below: kept when the benchmark rewrites this file. -->"
RSS_LIMIT = 10 * 2**30
"""The run is stopped when the client and workers together use more."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ the library


def generate_library(root: Path, volumes: int, documents: int, words: int = 1000,
                     formats: tuple[str, ...] = ("epub", "pdf")) -> Path:
    """ROOT/library.toml and ROOT/volumes/vol-NNNN: every document different."""
    import datetime as dt

    sentences = seed_sentences(find_seed())
    for number in range(1, volumes + 1):
        folder = root / "volumes" / f"vol-{number:04d}"
        (folder / "texts").mkdir(parents=True, exist_ok=True)
        parts: list[tuple[str, list[str]]] = []
        note = 0
        for index in range(documents):
            rng = random.Random(f"{number}-{index}")
            numbers = list(range(note + 1, note + 1 + NOTES_PER_DOCUMENT))
            note += NOTES_PER_DOCUMENT
            paragraphs = place_markers(body_paragraphs(sentences, rng, words), numbers,
                                       rng, "archive")
            notes = [(n, _NOTE_TEXTS[n % len(_NOTE_TEXTS)]) for n in numbers]
            stem = f"doc-{index + 1:04d}"
            date = FIRST_DATE + dt.timedelta(days=index)
            (folder / "texts" / f"{stem}.txt").write_text(
                archive_text(document_title(index), date, paragraphs, notes), "utf-8")
            if index % DOCUMENTS_PER_PART == 0:
                part = index // DOCUMENTS_PER_PART + 1
                parts.append((f"Part {part}: {_PLACES[(part - 1) % 10]}", []))
            parts[-1][1].append(f"texts/{stem}.txt")
        manifest = volume_toml(documents, parts).replace(
            f'title = "Benchmark Volume of {documents} Documents"',
            f'title = "Benchmark Volume {number}"\nseries_number = {number}', 1)
        (folder / "volume.toml").write_text(manifest, "utf-8")
    listed = ", ".join(f'"{f}"' for f in formats)
    (root / "library.toml").write_text(
        f'[library]\ntitle = "Benchmark Library"\nvolumes = ["volumes/*"]\n'
        f"formats = [{listed}]\n", "utf-8")
    return root / "library.toml"


def make_cold(library: Path, site: Path) -> None:
    shutil.rmtree(site, ignore_errors=True)
    for cache in (library.parent / "volumes").glob("*/.bookmaker-cache"):
        shutil.rmtree(cache)


def folder_bytes(paths) -> int:
    return sum(p.stat().st_size for folder in paths for p in Path(folder).rglob("*")
               if p.is_file())


# ------------------------------------------------------------------ the cluster


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False",
            "PYTHONPATH": f"{REPO}{os.pathsep}{path}" if path else str(REPO)}


@contextmanager
def cluster(workers: int, work: Path):
    """A scheduler and WORKERS one-thread workers on 127.0.0.1; yields (address, seconds
    to start them, the workers' pids)."""
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="dask-", dir=work))
    scheduler_file = folder / "scheduler.json"
    logs = open(folder / "dask.log", "wb")  # noqa: SIM115 (closed below)
    address = ""
    processes = [subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)], stdout=logs, stderr=logs, env=_env())]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        processes += [subprocess.Popen(
            [str(DASK), "worker", address, "--nthreads", "1", "--nworkers", "1",
             "--no-dashboard", "--host", "127.0.0.1", "--no-nanny",
             "--local-directory", str(folder / f"worker-{n}")],
            stdout=logs, stderr=logs, env=_env(), cwd=folder) for n in range(workers)]
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=60)
        yield address, time.perf_counter() - started, [p.pid for p in processes[1:]]
    finally:
        try:
            from distributed import Client

            with Client(address, timeout="10s") as client:
                client.shutdown()  # scheduler and workers, cleanly
        except Exception:  # noqa: BLE001 (not started, or already gone: terminate below)
            pass
        for process in reversed(processes):
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        logs.close()


def trivial_tasks(address: str, count: int) -> dict:
    """The scheduler's own cost: COUNT ``abs`` tasks at once, and 50 one after another."""
    from distributed import Client, wait

    with Client(address, timeout="30s") as client:
        client.submit(abs, -1, pure=False).result()  # connections warm
        started = time.perf_counter()
        wait(client.map(abs, range(count), pure=False))
        batch = time.perf_counter() - started
        rounds = []
        for n in range(50):
            started = time.perf_counter()
            client.submit(abs, n, pure=False).result()
            rounds.append(time.perf_counter() - started)
    rounds.sort()
    return {"count": count, "batch_seconds": batch, "per_task_ms": batch / count * 1000,
            "tasks_per_second": count / batch, "round_trip_ms": rounds[len(rounds) // 2] * 1000}


def task_stream(address: str, since: float | None = None) -> list[dict]:
    """The scheduler's task stream (installed by the first call), records after SINCE."""
    from distributed import Client

    with Client(address, timeout="30s") as client:
        records = client.get_task_stream(start=since) if since else client.get_task_stream()
    out = []
    for record in records:
        spans = [s for s in record.get("startstops", []) if s.get("action") == "compute"]
        if spans:
            out.append({"key": str(record["key"]), "worker": record.get("worker"),
                        "start": spans[0]["start"], "stop": spans[-1]["stop"]})
    return out


def stream_summary(records: list[dict], phase: tuple[float, float] | None,
                   workers: int) -> dict:
    """Tasks, their compute time, each worker's idle time within the volumes' phase."""
    volumes = [r for r in records if "volume-" in r["key"]]
    groups = [r for r in records if "volume-" not in r["key"]]
    result = {"volume_tasks": len(volumes), "group_tasks": len(groups),
              "volume_compute": sum(r["stop"] - r["start"] for r in volumes),
              "group_compute": sum(r["stop"] - r["start"] for r in groups),
              "longest_volume": max((r["stop"] - r["start"] for r in volumes), default=0.0)}
    concurrent = 0
    for worker in {r["worker"] for r in volumes}:
        events = sorted([(r["start"], 1) for r in volumes if r["worker"] == worker]
                        + [(r["stop"], -1) for r in volumes if r["worker"] == worker])
        running = 0
        for _, step in events:
            running += step
            concurrent = max(concurrent, running)
    result["most_volumes_at_once_on_a_worker"] = concurrent
    if phase:
        idle = 0.0
        for worker in {r["worker"] for r in records}:
            spans = sorted((r["start"], r["stop"]) for r in records if r["worker"] == worker)
            busy, end = 0.0, phase[0]
            for start, stop in spans:
                start, stop = max(start, end), min(stop, phase[1])
                if stop > start:
                    busy += stop - start
                    end = stop
            idle += (phase[1] - phase[0]) - busy
        idle += (workers - len({r["worker"] for r in records})) * (phase[1] - phase[0])
        result["idle_worker_seconds"] = idle
        result["idle_per_task_ms"] = idle / max(1, len(records)) * 1000
    return result


# ------------------------------------------------------------------ one client run


def client_main(argv: list[str]) -> int:
    """The client's process: ``--client LIBRARY SITE FORMATS COUNT [SCHEDULER]``."""
    started = time.time()
    from bookmaker.builders import BuildOptions
    from bookmaker.catalog import build_catalog
    from bookmaker.catalog.library import load_library

    library, site, formats, count, *rest = argv
    loaded = load_library(library)
    volumes = loaded.volumes[: int(count)] if int(count) else loaded.volumes
    marks: dict[str, float] = {"imported": time.time()}

    def progress(stage: str, done: int, total: int) -> None:
        if done == total and stage.startswith("volumes"):
            marks["volumes_done"] = time.time()

    marks["volumes_start"] = time.time()
    report = build_catalog(volumes, site, BuildOptions(jobs=0), formats=formats.split(","),
                           title=loaded.title, progress=progress,
                           scheduler=rest[0] if rest else None)
    marks["end"] = time.time()
    statuses: dict[str, int] = {}
    for outcome in report.outcomes:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    errors = [o.error for o in report.failed][:3]
    print(json.dumps({"process_start": started, **marks, "statuses": statuses,
                      "errors": errors}))
    return 0


class Sampler(threading.Thread):
    """The largest summed RSS of some processes and their descendants, every 100 ms."""

    def __init__(self, pids: list[int], limit: int = 0, on_limit=None):
        super().__init__(daemon=True)
        self.pids, self.peak, self.stop = pids, 0, threading.Event()
        self.limit, self.on_limit, self.exceeded = limit, on_limit, False

    def run(self) -> None:
        while not self.stop.is_set():
            total = 0
            for pid in self.pids:
                try:
                    root = psutil.Process(pid)
                    for proc in (root, *root.children(recursive=True)):
                        total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            if self.limit and total > self.limit and not self.exceeded:
                self.exceeded = True  # the machine is shared: stop before it swaps
                self.on_limit()
            self.stop.wait(0.1)


def run_client(library: Path, site: Path, formats: str, count: int, work: Path,
               scheduler: str | None = None, workers: list[int] = ()) -> dict:
    """One client process; its phases, and the peak RSS of it and of the workers."""
    command = [sys.executable, "-m", "benchmarks.library", "--client", str(library),
               str(site), formats, str(count), *([scheduler] if scheduler else [])]
    before = time.time()
    started = time.perf_counter()
    with open(work / "log.txt", "a", encoding="utf-8") as err:
        err.write(f"\n$ {' '.join(command)}\n")
        err.flush()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True,
                                   env=_env(), cwd=work)
        client = Sampler([process.pid, *workers], RSS_LIMIT, process.kill)
        pool = Sampler(list(workers))
        client.start()
        pool.start()
        stdout, _ = process.communicate()
        wall = time.perf_counter() - started
        client.stop.set()
        pool.stop.set()
    if client.exceeded:
        raise RuntimeError(f"stopped: client and workers over {RSS_LIMIT / 2**30:.0f} GiB")
    if process.returncode != 0:
        raise RuntimeError(f"client failed ({process.returncode}); see {work / 'log.txt'}")
    marks = json.loads(stdout.strip().splitlines()[-1])
    return {"wall": wall, "launched": before, **marks, "peak_rss": client.peak,
            "workers_peak_rss": pool.peak,
            "startup": marks["volumes_start"] - before,
            "volumes": marks.get("volumes_done", marks["end"]) - marks["volumes_start"],
            "site": marks["end"] - marks.get("volumes_done", marks["end"])}


# ------------------------------------------------------------------ measuring


def measure(library: Path, work: Path, label: str, formats: str, count: int,
            configs: list[str], documents: int, trivial: int) -> dict:
    """Cold build then no-change rerun of LIBRARY's first COUNT volumes, each config."""
    results: dict[str, dict] = {}
    volumes = sorted((library.parent / "volumes").glob("vol-*"))
    volumes = volumes[:count] if count else volumes
    for config in configs:
        site = work / f"site-{label}-{config}"
        make_cold(library, site)
        log(f"{label}: {config}, cold ({len(volumes)} volumes, {formats})")
        entry: dict = {}
        try:
            if config == "local":
                entry["cold"] = run_client(library, site, formats, count, work)
                log(f"  cold {entry['cold']['wall']:.1f} s; rerun")
                entry["rerun"] = run_client(library, site, formats, count, work)
            else:
                workers = int(config.split("-")[1])
                with cluster(workers, work) as (address, start_seconds, pids):
                    entry["cluster_start"] = start_seconds
                    task_stream(address)  # installs the scheduler's task stream
                    cold = entry["cold"] = run_client(library, site, formats, count, work,
                                                      address, pids)
                    records = task_stream(address, cold["launched"])
                    entry["cold_stream"] = stream_summary(
                        records, (cold["volumes_start"], cold["volumes_done"]), workers)
                    log(f"  cold {cold['wall']:.1f} s; rerun")
                    rerun = entry["rerun"] = run_client(library, site, formats, count, work,
                                                        address, pids)
                    records = task_stream(address, rerun["launched"])
                    entry["rerun_stream"] = stream_summary(
                        records, (rerun["volumes_start"], rerun["volumes_done"]), workers)
                    if trivial:
                        entry["trivial"] = trivial_tasks(address, trivial)
        except RuntimeError as exc:  # one configuration failed: keep the others
            log(f"  {config}: {exc}")
            entry["error"] = str(exc)
            results[config] = entry
            continue
        entry["outputs_bytes"] = folder_bytes([site / "books"])
        entry["site_bytes"] = folder_bytes([site]) - entry["outputs_bytes"]
        entry["cache_bytes"] = folder_bytes(v / ".bookmaker-cache" for v in volumes
                                            if (v / ".bookmaker-cache").is_dir())
        entry["input_bytes"] = folder_bytes(v / "texts" for v in volumes)
        entry["documents"] = len(volumes) * documents
        entry["volumes_count"] = len(volumes)
        log(f"  rerun {entry['rerun']['wall']:.1f} s")
        results[config] = entry
        shutil.rmtree(site / "books", ignore_errors=True)  # the disk, for large runs
    return results


def measure_large(work: Path, count: int, configs: list[str]) -> dict:
    """COUNT one-document volumes (EPUB): built once here, then the rerun timed each way.

    Built here, not on the cluster: 1,000 volumes on 2 one-thread workers deadlocked a
    worker (its volume tasks all run at once in threads, see LIBRARY.md)."""
    root = work / "large"
    log(f"generating {count} tiny volumes")
    library = generate_library(root, count, 1, words=60, formats=("epub",))
    site = work / "site-large"
    results: dict[str, dict] = {}
    log("  first build of the large library (local)")
    results["first_build"] = run_client(library, site, "epub", 0, work)
    for config in configs:
        log(f"  large rerun: {config}")
        if config == "local":
            results[config] = run_client(library, site, "epub", 0, work)
        else:
            with cluster(int(config.split("-")[1]), work) as (address, _, pids):
                results[config] = run_client(library, site, "epub", 0, work, address, pids)
        log(f"    {results[config]['wall']:.1f} s")
    results["volumes_count"] = count
    return results


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--client"]:
        return client_main(argv[1:])
    if argv[:1] == ["--render"]:  # LIBRARY.md again from a results.json
        REPORT.write_text(report(json.loads(Path(argv[1]).read_text("utf-8"))), "utf-8")
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks.library",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--volumes", type=int, default=200)
    parser.add_argument("--documents", type=int, default=10, help="documents per volume")
    parser.add_argument("--words", type=int, default=1000, help="words per document")
    parser.add_argument("--formats", default="epub,pdf")
    parser.add_argument("--pdf-volumes", type=int, default=None,
                        help="build EPUB for all volumes and EPUB+PDF for only the first N")
    parser.add_argument("--configs", default="local,dask-1,dask-2")
    parser.add_argument("--large", type=int, default=None,
                        help="tiny volumes for the no-change rerun at scale (default: 5 × "
                             "--volumes, so 1000; 0: none)")
    parser.add_argument("--trivial", type=int, default=2000,
                        help="trivial tasks to time the scheduler with")
    parser.add_argument("--work", type=Path, help="keep everything here (default: temporary)")
    parser.add_argument("--report", action="store_true", help="write benchmarks/LIBRARY.md")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--large-only", action="store_true",
                        help="only the large library, added to --work's results.json")
    args = parser.parse_args(argv)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    for config in configs:
        if config != "local" and not (config.startswith("dask-")
                                      and config[5:].isdigit()):
            parser.error(f"--configs: 'local' or 'dask-N', not {config!r}")
    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="bookmaker-library-")) if temporary else args.work
    work = work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    try:
        from benchmarks.measure import machine_facts

        if args.large_only:
            results = json.loads((work / "results.json").read_text("utf-8"))
            results["large"] = measure_large(work, args.large or 5 * args.volumes, configs)
            _save(results, work, args)
            if args.report:
                REPORT.write_text(report(results), "utf-8")
            return 0
        facts = machine_facts()
        log(f"work folder {work}; generating {args.volumes} × {args.documents} documents")
        library = generate_library(work / "library", args.volumes, args.documents,
                                   args.words, tuple(args.formats.split(",")))
        cases = []
        if args.pdf_volumes is not None and args.pdf_volumes < args.volumes:
            cases = [("epub", "epub", 0), ("epub+pdf", "epub,pdf", args.pdf_volumes)]
        else:
            cases = [(args.formats.replace(",", "+"), args.formats, 0)]
        results = {"facts": facts, "args": {k: str(v) for k, v in vars(args).items()},
                   "cases": {}}
        for index, (label, formats, count) in enumerate(cases):
            results["cases"][label] = measure(library, work, label, formats, count, configs,
                                              args.documents,
                                              args.trivial if index == 0 else 0)
            _save(results, work, args)
        args.large = 5 * args.volumes if args.large is None else args.large
        if args.large:
            results["large"] = measure_large(work, args.large, configs)
            _save(results, work, args)
        text = report(results)
        print(text)
        if args.report:
            REPORT.write_text(text, "utf-8")
            log(f"wrote {REPORT}")
    finally:
        if temporary:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _save(results: dict, work: Path, args) -> None:
    raw = json.dumps(results, indent=1, default=str)
    (work / "results.json").write_text(raw, "utf-8")
    if args.json:
        args.json.write_text(raw, "utf-8")


def _f(value, spec=".1f") -> str:
    return "—" if value is None else f"{value:{spec}}"


def _peak(config: str, run: dict):
    return run.get("peak_rss") if config == "local" else run.get("workers_peak_rss")


def _mib(value) -> str:
    return "—" if not value else f"{value / 2**20:,.0f}"


def report(results: dict) -> str:
    """LIBRARY.md from the raw results."""
    facts, args = results["facts"], results["args"]
    lines = ["# A library on a Dask cluster", "",
             "Written by `python -m benchmarks.library "
             + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in args.items()
                        if k in ("volumes", "documents", "words", "pdf_volumes", "large")
                        and v not in ("None",))
             + "` under `flock /tmp/bookmaker-bench.lock` (see `benchmarks/library.py` and "
             "README.md for the method).", "",
             "| Machine | |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in facts.items()]
    first = None
    for label, case in results["cases"].items():
        any_entry = next(e for e in case.values() if "documents" in e)
        first = first or (label, case)
        docs, vols = any_entry["documents"], any_entry["volumes_count"]
        lines += ["", f"## {vols} volumes × {docs // vols} documents, {label.upper()}", "",
                  "| Configuration | Cold: wall s | documents/s | volumes' phase s | "
                  "site and feeds s | client start s | peak RSS MiB | "
                  "no-change rerun: wall s | its volumes' phase s |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for config, e in case.items():
            if "error" in e:
                lines.append(f"| {config} | failed: {e['error']} | | | | | | | |")
                continue
            c, r = e["cold"], e["rerun"]
            lines.append(
                f"| {config} | {c['wall']:.1f} | {docs / c['wall']:.2f} | {c['volumes']:.1f} "
                f"| {c['site']:.2f} | {c['startup']:.2f} | {_mib(_peak(config, c))} "
                f"| {r['wall']:.2f} | {r['volumes']:.2f} |")
        lines += ["", "Peak RSS: for `local` the client and its render processes; on Dask the "
                  "workers' (summed, sampled every 100 ms), the client and scheduler left out.",
                  ""]
        statuses = {f"{config} {run}": e[run]["statuses"] for config, e in case.items()
                    if "error" not in e for run in ("cold", "rerun")}
        lines.append("Volumes' outcomes: " + "; ".join(
            f"{k}: " + ", ".join(f"{n} {s}" for s, n in v.items())
            for k, v in statuses.items()) + ".")
        one, two, local = case.get("dask-1"), case.get("dask-2"), case.get("local")
        if one and two and "error" not in one and "error" not in two:
            speedup = one["cold"]["wall"] / two["cold"]["wall"]
            phase = one["cold"]["volumes"] / two["cold"]["volumes"]
            lines += ["", f"Speed-up, 2 workers over 1: **{speedup:.2f}×** on the whole run "
                      f"({phase:.2f}× on the volumes' phase), i.e. {speedup / 2:.2f} of "
                      "linear per worker."]
            if local and "error" not in local:
                lines[-1] += (f" Local (no scheduler) is "
                              f"{one['cold']['wall'] / local['cold']['wall']:.2f}× as fast as "
                              f"1 worker; 2 workers are "
                              f"{local['cold']['wall'] / two['cold']['wall']:.2f}× as fast as "
                              "local.")
        streams = [(config, e) for config, e in case.items() if "cold_stream" in e]
        if streams:
            lines += ["", "### Tasks on the cluster (the scheduler's task stream)", "",
                      "| Configuration | run | volume tasks | PDF group tasks | group compute s "
                      "| idle worker-s in the volumes' phase | idle per task ms "
                      "| most volumes at once on one worker |",
                      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
            for config, e in streams:
                for run in ("cold", "rerun"):
                    t = e[f"{run}_stream"]
                    lines.append(
                        f"| {config} | {run} | {t['volume_tasks']} | {t['group_tasks']} "
                        f"| {t['group_compute']:.1f} | {_f(t.get('idle_worker_seconds'), '.2f')} "
                        f"| {_f(t.get('idle_per_task_ms'))} "
                        f"| {t['most_volumes_at_once_on_a_worker']} |")
        trivial = [(config, e["trivial"]) for config, e in case.items() if "trivial" in e]
        if trivial:
            lines += ["", "### The scheduler's own cost: trivial tasks (`abs`) on the same "
                      "cluster", "",
                      "| Configuration | tasks | all at once: s | per task ms | tasks/s "
                      "| one at a time: round trip ms (median of 50) | cluster start s |",
                      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
            for config, t in trivial:
                lines.append(f"| {config} | {t['count']} | {t['batch_seconds']:.2f} "
                             f"| {t['per_task_ms']:.2f} | {t['tasks_per_second']:.0f} "
                             f"| {t['round_trip_ms']:.1f} "
                             f"| {case[config].get('cluster_start', 0):.1f} |")
        e = any_entry
        lines += ["", "### Bytes per document (this run)", "",
                  "| What | total MB | kB per document |", "| --- | ---: | ---: |"]
        for name, key in (("sources read (texts/)", "input_bytes"),
                          ("outputs written (books/: EPUB, PDF, cover, thumbnail, page)",
                           "outputs_bytes"),
                          ("build cache written (.bookmaker-cache/)", "cache_bytes"),
                          ("site pages and feeds", "site_bytes")):
            lines.append(f"| {name} | {e[key] / MB:.1f} | {e[key] / docs / 1000:.1f} |")
    large = results.get("large")
    if large:
        count = large["volumes_count"]
        lines += ["", f"## No-change rerun of {count:,} tiny volumes (1 document of ~60 words, "
                  "EPUB)", "",
                  "Built once locally (untimed here: "
                  f"{large['first_build']['wall']:.0f} s), then rerun with nothing changed:", "",
                  "| Configuration | wall s | volumes' phase s | ms per volume | "
                  "site and feeds s | client start s | outcomes |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- |"]
        for config, r in large.items():
            if config in ("first_build", "volumes_count"):
                continue
            outcome = ", ".join(f"{n} {s}" for s, n in r["statuses"].items())
            lines.append(f"| {config} | {r['wall']:.2f} | {r['volumes']:.2f} "
                         f"| {r['volumes'] / count * 1000:.1f} | {r['site']:.2f} "
                         f"| {r['startup']:.2f} | {outcome} |")
    if first:
        lines += projection(first[1], results)
    kept = REPORT.read_text("utf-8").partition(HAND)[2] if REPORT.is_file() else ""
    return "\n".join([*lines, "", HAND]) + (kept or "\n")


def projection(case: dict, results: dict) -> list[str]:
    """180,000 documents onto N workers, from the measured costs."""
    measured = sorted((int(c[5:]), e) for c, e in case.items()
                      if c.startswith("dask-") and "error" not in e)
    if not measured:
        return []
    workers, one = measured[-1]  # the most workers: the least contention per worker
    docs, vols = one["documents"], one["volumes_count"]
    per_doc = workers * one["cold"]["volumes"] / docs  # worker-seconds per document
    costs = "; ".join(f"{n} worker{'s' if n > 1 else ''}: {n * e['cold']['volumes'] / docs:.3f}"
                      for n, e in measured)
    local = case.get("local")
    if local and "error" not in local:
        costs += (f"; local: {os.cpu_count() * local['cold']['volumes'] / docs:.3f} "
                  "core-s")
    tasks_per_doc = (one["cold_stream"]["volume_tasks"]
                     + one["cold_stream"]["group_tasks"]) / docs
    sched_ms = one.get("trivial", {}).get("per_task_ms", 1.0)
    bytes_doc = (one["input_bytes"] + one["outputs_bytes"] + one["cache_bytes"]
                 + one["site_bytes"]) / docs
    archive = ARCHIVE_DOCUMENTS
    archive_volumes = archive * vols // docs
    tasks = archive * tasks_per_doc
    site = 11.0 * archive_volumes / 5000  # CATALOG.md: 5,000 volumes in 11.0 s, linear
    lines = ["", f"## Projection: the archive's {archive:,} documents on N workers", "",
             f"From the cold {vols}-volume run on {workers} workers: **{per_doc:.3f} "
             "worker-s per document** (workers × volumes' phase / documents; all "
             f"measured: {costs}). "
             f"{tasks_per_doc:.2f} tasks per document ({one['cold_stream']['group_tasks']} PDF "
             f"group tasks and {vols} volume tasks for {docs} documents), so "
             f"{tasks:,.0f} tasks for the archive in volumes of {docs // vols} documents "
             f"({archive_volumes:,} volumes). Scheduler cost {sched_ms:.2f} ms per task "
             f"(trivial tasks, {workers} workers, measured above). Site and feeds at the end: "
             f"{site:.0f} s ({archive_volumes:,} volumes at CATALOG.md's 11.0 s per 5,000, "
             "linear). Bytes read and written per document: "
             f"{bytes_doc / 1000:.0f} kB (sources, outputs, build cache, site).", "",
             "| Workers | build (worker time / N) | scheduler floor (tasks × cost) "
             "| site and feeds | projected total | documents/s | shared-FS traffic MB/s |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    floor = tasks * sched_ms / 1000
    for n in WORKER_COUNTS:
        build = archive * per_doc / n
        total = max(build, floor) + site
        rate = archive / max(build, floor)
        lines.append(f"| {n} | {_dur(build)} | {_dur(floor)} | {_dur(site)} | {_dur(total)} "
                     f"| {rate:,.0f} | {rate * bytes_doc / MB:,.1f} |")
    return lines


def _dur(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


if __name__ == "__main__":
    sys.exit(main())
