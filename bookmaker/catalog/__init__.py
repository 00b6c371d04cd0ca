"""A static catalogue site of built volumes, with OPDS feeds for reading apps.

``build_catalog`` builds (or reuses) each volume's EPUB and PDF inside the site
and writes::

    SITE/index.html, page-2.html …  all volumes, 50 a page, grouped by series, with a filter
    SITE/browse/<facet>/…           by author, series, language and subject (site.py)
    SITE/search.html                search over every volume
    SITE/books/<slug>/index.html    one page per volume
    SITE/books/<slug>/<slug>.epub   downloads (and <slug>.pdf, <slug>-<doc>.pdf)
    SITE/books/<slug>/cover.*, thumbnail.jpg
    SITE/opds/catalog.xml           OPDS 1.2 root navigation feed (Atom); paged feeds beside it
    SITE/opds/catalog.json          OPDS 2.0 root navigation feed (opds.py)
    SITE/opensearch.xml             OpenSearch description
    SITE/site.css, SITE/filter.js, SITE/search.js

``serve`` previews it on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bookmaker.builders import BuildOptions
from bookmaker.catalog.collect import Entry
from bookmaker.catalog.opds import write_feeds
from bookmaker.catalog.runner import VolumeOutcome, VolumeTask, run_here, run_on_cluster
from bookmaker.catalog.serve import make_server, serve
from bookmaker.catalog.site import write_site
from bookmaker.errors import BookmakerError, ManifestError, OutputError
from bookmaker.manifest import volume_slug

__all__ = ["CatalogReport", "build_catalog", "make_server", "serve"]

DEFAULT_TITLE = "Catalogue"


@dataclass
class CatalogReport:
    """What ``build_catalog`` did and wrote."""

    site: Path
    entries: list[Entry] = field(default_factory=list)
    outcomes: list[VolumeOutcome] = field(default_factory=list)
    pages: list[Path] = field(default_factory=list)
    feeds: list[Path] = field(default_factory=list)

    @property
    def built(self) -> dict[str, list[str]]:
        """Formats built this time, by volume slug (reused ones left out)."""
        result = {}
        for entry in self.entries:
            formats = [d.format for d in entry.downloads if d.format not in entry.reused]
            result[entry.slug] = list(dict.fromkeys(formats))
        return result

    @property
    def failed(self) -> list[VolumeOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == "failed"]

    def summary(self) -> str:
        """One line for the CLI: where the site is, what was built, unchanged and failed."""
        count = len(self.outcomes)
        built = sum(1 for outcome in self.outcomes if outcome.status == "built")
        failed = len(self.failed)
        line = (f"wrote {self.site / 'index.html'}: {count} volume{'s' if count != 1 else ''} "
                f"({built} built, {count - built - failed} reused")
        line += f", {failed} failed)" if failed else ")"
        return line + f", feeds in {self.site / 'opds'}"


def build_catalog(
    volumes: Sequence[str | Path],
    site: str | Path,
    options: BuildOptions | None = None,
    formats: Sequence[str] | None = None,
    title: str = DEFAULT_TITLE,
    base_url: str | None = None,
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
    check: bool = False,
    scheduler: str | None = None,
    announce: Callable[[str], None] | None = None,
) -> CatalogReport:
    """Build every volume (reusing unchanged outputs) into ``site``; write pages and feeds.

    Each volume is built by :func:`bookmaker.pipeline.build`, as ``bookmaker build``
    builds it, in this process or, with ``scheduler`` (a Dask scheduler's address), as
    a task on that cluster. ``formats`` defaults to EPUB and PDF; ``check`` refuses an
    EPUB that EPUBCheck reports anything about. A volume that fails keeps the place
    its last good build gave it; the failures are in the report, for the caller to
    say and to end with an error.
    """
    from bookmaker.builders import builders

    if not volumes:
        raise BookmakerError("give at least one volume folder to put in the catalogue")
    options = options or BuildOptions()
    wanted = tuple(dict.fromkeys(formats or ("epub", "pdf")))
    builders(list(wanted))  # an unknown or unavailable format fails before any work
    root = Path(site)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the site folder: {exc.strerror}", root) from None
    paths = [Path(volume) for volume in volumes]
    _refuse_shared_names(paths)
    tasks = [VolumeTask(path, root.resolve(), wanted, options.split, check, options.jobs,
                        options.allow_remote) for path in paths]
    if scheduler:
        outcomes = run_on_cluster(tasks, scheduler, progress, announce)
    else:
        outcomes = run_here(tasks, progress)
    report = CatalogReport(site=root, outcomes=outcomes)
    report.entries = [outcome.entry for outcome in outcomes if outcome.entry is not None]
    report.pages = write_site(root, report.entries, title)
    publishers = {e.volume.info.publisher for e in report.entries if e.volume.info.publisher}
    author = publishers.pop() if len(publishers) == 1 else "bookmaker"
    report.feeds = write_feeds(root, report.entries, title, author, base_url)
    return report


def _refuse_shared_names(paths: list[Path]) -> None:
    seen: dict[str, Path] = {}
    for path in paths:
        if not (path / "volume.toml").is_file() and path.name != "volume.toml":
            continue  # its task reports it, naming the folder
        slug = volume_slug(path)
        if slug in seen:
            raise ManifestError(
                f"two volumes share the folder name '{slug}' ({seen[slug]} and "
                f"{path}); rename one folder", path)
        seen[slug] = path
