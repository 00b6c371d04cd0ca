"""The ``bookmaker`` command: a thin layer over :mod:`bookmaker.pipeline`.

Every command parses its options, calls the library and maps bookmaker's
errors to a one-line ``error: <file>[:line[:col]]: <what>`` and an exit code.
Tracebacks are shown only with ``--debug``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bookmaker import __version__
from bookmaker.builders import BuildOptions
from bookmaker.errors import BookmakerError, CheckError
from bookmaker.log import LOGGER, WarningCounter

if TYPE_CHECKING:
    from rich.console import Console

stderr: Console | None = None
"""Rich's console on stderr, made at first use and only when stderr is a terminal:
elsewhere (scripts, CI, benchmarks) messages are plain lines and Rich is never imported."""


def _terminal() -> Console | None:
    """The Rich console on stderr when stderr is a terminal, else None."""
    global stderr
    if stderr is None and sys.stderr.isatty():
        from rich.console import Console

        stderr = Console(stderr=True, highlight=False)
    return stderr if stderr is not None and stderr.is_terminal else None


class _State:
    verbosity = 0
    debug = False
    strict = False
    counter: WarningCounter | None = None


STATE = _State()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.option("-v", "--verbose", is_flag=True, help="Say what is done.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.option("--strict", is_flag=True, help="Fail if anything warned.")
@click.version_option(__version__, prog_name="bookmaker")
def app(quiet: bool, verbose: bool, debug: bool, strict: bool) -> None:
    """Turn collected writings into EPUB ebooks and print-styled PDF books."""
    STATE.verbosity = -1 if quiet else (1 if verbose else 0)
    STATE.debug = debug
    STATE.strict = strict
    _setup_logging()


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a message comes (tests swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        return None


def _setup_logging() -> None:
    for handler in list(LOGGER.handlers):
        LOGGER.removeHandler(handler)
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}[STATE.verbosity]
    if STATE.debug:
        level = logging.DEBUG
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handler.setLevel(level)
    LOGGER.addHandler(handler)
    STATE.counter = WarningCounter()
    LOGGER.addHandler(STATE.counter)
    LOGGER.setLevel(logging.DEBUG if STATE.debug else logging.INFO)
    LOGGER.propagate = False
    # WeasyPrint's own warnings (missing fonts, refused URLs) go to the same place.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


@contextlib.contextmanager
def _progress():
    """A Rich progress bar on stderr when it is a terminal and not quieted."""
    console = _terminal()
    if STATE.verbosity < 0 or console is None:
        yield lambda stage, done, total: None
        return
    # Imported here: a build without a terminal (CI, scripts) does not pay for it.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            name = stage.split(" (")[0]  # "volumes (2 failed)" goes on the bar "volumes"
            if name not in tasks:
                tasks[name] = bar.add_task(stage, total=total)
            bar.update(tasks[name], completed=done, total=total, description=stage)

        yield update


def _formats(value: str) -> list[str]:
    names = [name.strip().lower() for name in value.split(",") if name.strip()]
    if not names:
        raise click.BadParameter("give at least one format, e.g. -f epub,pdf")
    return list(dict.fromkeys(names))


PATH = click.Path(path_type=Path)


@app.command()
@click.argument("path", type=PATH)
@click.option("-o", "--out", type=PATH, default=Path("dist"), show_default=True,
              help="Output folder.")
@click.option("-f", "--formats", default="epub,pdf", show_default=True, help="Comma-separated.")
@click.option("--check", is_flag=True, help="Fail on any EPUBCheck message.")
@click.option("--split", is_flag=True, help="PDF: also one PDF per document.")
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes; 0 = all cores.")
@click.option("--allow-remote", is_flag=True, help="Fetch remote images (off by default).")
@click.option("--cache-dir", type=PATH, default=None,
              help="Build cache folder [default: VOLUME/.bookmaker-cache].")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the build cache.")
@click.option("--page-list", is_flag=True,
              help="EPUB: carry the PDF's page numbers ([epub] page_list = \"pdf\").")
def build(path: Path, out: Path, formats: str, check: bool, split: bool, jobs: int,
          allow_remote: bool, cache_dir: Path | None, no_cache: bool, page_list: bool) -> None:
    """Build the volume at PATH into OUT/<slug>.epub and OUT/<slug>.pdf."""
    from bookmaker.pipeline import BuildRequest
    from bookmaker.pipeline import build as run_build

    with _progress() as progress:
        request = BuildRequest(
            out_dir=out, formats=tuple(_formats(formats)), check=check, page_list=page_list,
            cache=not no_cache, cache_dir=cache_dir,
            options=BuildOptions(jobs=jobs, split=split, allow_remote=allow_remote,
                                 progress=progress))
        report = run_build(path, request)
    for output in report.outputs.values():
        pages = f", {output.pages} pages" if output.pages is not None else ""
        unchanged = "; unchanged" if output.reused else ""
        _say(f"wrote {output.path} ({_size(output.path)}{pages}{unchanged})")
        for extra in output.extra:
            _say(f"wrote {extra} ({_size(extra)}{unchanged})", level=1)
    _fail_if_strict()


@app.command()
@click.argument("path", type=PATH)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def inspect(path: Path, as_json: bool) -> None:
    """Show what bookmaker understood of a volume and each of its documents."""
    from bookmaker.inspection import describe
    from bookmaker.pipeline import load_volume

    with _progress() as progress:
        volume = load_volume(path, progress=progress)
    report = describe(volume)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_inspection(report)
    _fail_if_strict()


def _print_inspection(report: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=max(Console().width, 120))
    info = report["volume"]
    subtitle = f" — {info['subtitle']}" if info.get("subtitle") else ""
    console.print(f"[bold]{info['title']}[/bold]{subtitle}")
    if info.get("series"):
        console.print(f"{info['series']} {info.get('series_number') or ''}".strip())
    console.print(", ".join(info.get("authors", [])))
    table = Table("#", "title", "part", "date", "language", "words", "notes", "warnings",
                  "guesses")
    for number, doc in enumerate(report["documents"], start=1):
        language = f"{doc['language']} ({doc['script']})" if doc["script"] else doc["language"]
        table.add_row(str(number), doc["title"], doc["part"] or "", doc["date"] or "", language,
                      str(doc["words"]), str(doc["notes"]), str(len(doc["warnings"])),
                      "; ".join(doc["guesses"]))
    console.print(table)


@app.command("import")
@click.argument("source")
@click.option("-o", "--out", type=PATH, required=True, help="The volume folder to write.")
@click.option("--force", is_flag=True, help="Import over an existing volume.toml.")
@click.option("--delay", type=float, default=1.0, show_default=True,
              help="Seconds between two requests to the archive.")
def import_(source: str, out: Path, force: bool, delay: float) -> None:
    """Make a volume folder from the archive's index page SOURCE (a saved page or its
    http(s) address): volume.toml, and the pages and images copied under texts/."""
    from bookmaker.cache import user_cache_folder
    from bookmaker.importer import import_volume

    report = import_volume(source, out, force=force, delay=delay,
                           cache=user_cache_folder("import"))
    found = report.found
    parts = [title for title, _docs in found.parts if title]
    _say(f"found '{found.title}'" + (f", {found.subtitle}" if found.subtitle else "")
         + (f" by {', '.join(found.authors)}" if found.authors else "")
         + f": {report.documents} documents in {max(len(parts), 1)} part(s), "
         f"{report.images} images")
    for why, count in sorted(found.ignored.items()):
        _say(f"ignored {count} link(s): {why}")
    if report.skipped_images:
        _say(f"skipped {report.skipped_images} image(s) that could not be read", level=1)
    if report.requests:
        _say(f"{report.requests} request(s) to the archive", level=1)
    _say(f"wrote {out / 'volume.toml'}; check it, then: bookmaker build {out}")


@app.command()
@click.argument("name", type=PATH)
def new(name: Path) -> None:
    """Create a volume folder with a commented volume.toml to fill in."""
    from bookmaker.scaffold import scaffold

    manifest = scaffold(name)
    _say(f"created {manifest}; add documents under {manifest.parent / 'texts'} and list them")


@app.command()
@click.argument("files", type=PATH, nargs=-1, required=True)
def check(files: tuple[Path, ...]) -> None:
    """Validate EPUB files with EPUBCheck and print its messages."""
    from bookmaker.checks.epubcheck import run_epubcheck

    for file in files:
        if not file.is_file():
            raise BookmakerError("no such file", file)
    results = run_epubcheck(list(files))
    total = 0
    for file, messages in results.items():
        for message in messages:
            click.echo(str(message))
        total += len(messages)
        _say(f"{file}: {len(messages)} message(s)")
    if total:
        raise CheckError(f"EPUBCheck reported {total} message(s)")


@app.command()
@click.argument("path", type=PATH, default=Path("."))
def clean(path: Path) -> None:
    """Remove a volume's build cache (.bookmaker-cache/)."""
    from bookmaker.cache import CACHE_DIR_NAME
    from bookmaker.resources import locate

    cache = locate(path).parent / CACHE_DIR_NAME
    if cache.is_dir():
        shutil.rmtree(cache)
        _say(f"removed {cache}")
    else:
        _say("no cache to remove")


@app.command()
@click.argument("volumes", type=PATH, nargs=-1, required=True)
@click.option("-o", "--out", type=PATH, default=Path("site"), show_default=True,
              help="Site folder.")
@click.option("-f", "--formats", default=None, help="Comma-separated [default: epub,pdf].")
@click.option("--title", default=None, help="Site and feed title [default: Catalogue].")
@click.option("--base-url", default=None, help="Absolute address of the site, for the feeds.")
@click.option("--check", is_flag=True, help="Fail on any EPUBCheck message.")
@click.option("--split", is_flag=True, default=None, help="PDF: also one PDF per document.")
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes; 0 = all cores.")
@click.option("--scheduler", default=None,
              help="Build on the Dask cluster at this address (tcp://host:port) "
                   "[default: $BOOKMAKER_SCHEDULER, else [library] scheduler].")
def catalog(volumes: tuple[Path, ...], out: Path, formats: str | None, title: str | None,
            base_url: str | None, check: bool, split: bool | None, jobs: int,
            scheduler: str | None) -> None:
    """Build VOLUMES (volume folders, or one library.toml or folder holding one), reusing
    unchanged outputs, into a static site with OPDS feeds in OUT."""
    from bookmaker.catalog import DEFAULT_TITLE, build_catalog
    from bookmaker.catalog.library import SCHEDULER_VARIABLE, find_library, load_library

    library = find_library(volumes[0]) if len(volumes) == 1 else None
    paths: list[Path] = list(volumes)
    wanted = _formats(formats) if formats else ["epub", "pdf"]
    if library is not None:
        found = load_library(library)
        paths = found.volumes
        wanted = _formats(formats) if formats else found.formats
        title = title or found.title
        base_url = base_url or found.base_url
        split = found.split if split is None else split
        scheduler = scheduler or os.environ.get(SCHEDULER_VARIABLE) or found.scheduler
    else:
        scheduler = scheduler or os.environ.get(SCHEDULER_VARIABLE)
    with _progress() as progress:
        report = build_catalog(paths, out, BuildOptions(jobs=jobs, split=bool(split)),
                               formats=wanted, title=title or DEFAULT_TITLE, base_url=base_url,
                               progress=progress, check=check, scheduler=scheduler,
                               announce=lambda text: _say(text, level=1))
    _say(report.summary())
    for outcome in report.failed:
        _error(outcome.error or f"{outcome.path}: failed")
    if report.failed:
        raise click.exceptions.Exit(report.failed[0].exit_code or 1)
    _fail_if_strict()


@app.command()
@click.argument("site", type=PATH, default=Path("site"))
@click.option("-p", "--port", type=int, default=8000, show_default=True, help="Port.")
def serve(site: Path, port: int) -> None:
    """Preview the catalogue in SITE on http://127.0.0.1:PORT/ (Ctrl-C stops)."""
    from bookmaker.catalog import serve as run_serve

    run_serve(site, port, announce=_say)


@app.command()
@click.argument("path", type=PATH)
@click.option("-o", "--out", type=PATH, default=Path("dist"), show_default=True,
              help="Output folder.")
@click.option("-f", "--formats", default="epub,pdf", show_default=True, help="Comma-separated.")
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes; 0 = all cores.")
@click.option("--allow-remote", is_flag=True, help="Fetch remote images (off by default).")
@click.option("--serve", "serve_out", is_flag=True,
              help="Also serve OUT on http://127.0.0.1:PORT/ with a page that reloads.")
@click.option("-p", "--port", type=int, default=8000, show_default=True, help="Port for --serve.")
def watch(path: Path, out: Path, formats: str, jobs: int, allow_remote: bool, serve_out: bool,
          port: int) -> None:
    """Build the volume at PATH, then rebuild on every save of a file it uses (Ctrl-C stops)."""
    from bookmaker.watch import Watcher

    def said(rebuild) -> None:
        if rebuild.error:
            _error(rebuild.error)
            if rebuild.generation > 1 and watcher.resident.outputs:
                _say("the last good outputs are left in place", level=1)
            return
        names = ", ".join(str(p) for p in rebuild.outputs.values())
        _say(f"{'built' if rebuild.generation == 1 else 'rebuilt'} {names} "
             f"in {rebuild.seconds:.2f} s")
        if rebuild.generation == 1:
            _say(f"watching {watcher.resident.root} (Ctrl-C stops)")

    watcher = Watcher(path, out, _formats(formats), jobs=jobs, allow_remote=allow_remote,
                      on_build=said)
    preview = None
    if serve_out:
        from bookmaker.watch_serve import start_preview

        preview = start_preview(watcher, port)
        _say(f"serving {watcher.resident.out_dir} at {preview.url}")
    try:
        watcher.run()
    except KeyboardInterrupt:  # how a watch ends: exit 130, without click's blank line
        raise Terminated from None
    finally:
        if preview is not None:
            preview.close()


def _say(message: str, level: int = 0) -> None:
    if STATE.verbosity < level:
        return
    console = _terminal()
    if console is not None:
        console.print(message, markup=False)
    else:
        sys.stderr.write(message + "\n")


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} kB"


def _fail_if_strict() -> None:
    if STATE.strict and STATE.counter and STATE.counter.count:
        raise BookmakerError(f"--strict: {STATE.counter.count} warning(s) were reported")


class Terminated(BaseException):
    """SIGTERM, raised where the process is, so that every ``finally`` runs (temporary
    outputs are removed) — as Ctrl-C does, but without click's blank line."""


def _on_sigterm(signum, frame):
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code (used by tests and ``python -m bookmaker``)."""
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _main(argv)
    finally:
        # Past this point a SIGTERM ends the process as usual: the work is done.
        signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str] | None) -> int:
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("BOOKMAKER_DEBUG") == "1"
    try:
        result = app.main(args=args, prog_name="bookmaker", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except BookmakerError as exc:
        if debug:
            raise
        for detail in getattr(exc, "details", []):
            sys.stderr.write(f"  {detail}\n")
        _error(str(exc))
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        _error(exc.format_message().replace("\n", " "))
        return exc.exit_code
    except click.exceptions.Abort:
        _error("interrupted; earlier outputs were left untouched")
        return 130
    except (KeyboardInterrupt, Terminated):
        _error("interrupted; earlier outputs were left untouched")
        return 130


def _error(message: str) -> None:
    sys.stderr.write(f"error: {message}\n")


def run() -> None:
    """Console-script entry point (and ``python -m bookmaker``'s)."""
    # bookmaker uses no pydantic plugin; looking for them reads every installed package's
    # entry points as the first model class is made (12 ms of each command's start).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # The cyclic collector less often: a build makes millions of objects that reference
    # counting frees, and at the default (a collection every 700 allocations) it ran 140
    # times in a small EPUB build's process (25 ms); workers forked from here inherit it.
    # What is cyclic waits for 50,000 allocations instead: the 1000-document PDF build's
    # peak memory rose from 733 to 764 MiB for it.
    gc.set_threshold(50_000, 10, 10)
    _light_workers()
    exit_now(main())


def _light_workers() -> None:
    """Spawned workers (PDF renders) start without running the console script again.

    A spawned process first re-runs the parent's main script, which for the ``bookmaker``
    script means importing the CLI, click and all, in every worker; it skips a package's
    ``__main__`` module, as for ``python -m bookmaker``. Naming that module as the
    script's spec makes the workers skip it too: they import only what their tasks need.
    """
    import importlib.machinery

    main_module = sys.modules.get("__main__")
    if main_module is not None and getattr(main_module, "__spec__", None) is None:
        main_module.__spec__ = importlib.machinery.ModuleSpec("bookmaker.__main__", None)


def exit_now(code: int) -> None:
    """End the process with ``code`` once its work is done, skipping the interpreter's
    teardown (freeing every module and object took a tenth of a second of a small
    build): logs and the standard streams are flushed first, and outputs are already
    written whole (:mod:`bookmaker.atomic`). While another thread or a child process is
    still alive, or a profiler or coverage is watching (they write at exit), the process
    ends the ordinary way."""
    import threading

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        # Closed, or a broken pipe: nothing more can be said.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    mp = sys.modules.get("multiprocessing")
    watched = sys.getprofile() or sys.gettrace() or "coverage" in sys.modules
    if watched or threading.active_count() > 1 or (mp is not None and mp.active_children()):
        sys.exit(code)
    os._exit(code)
