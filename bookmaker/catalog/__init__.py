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
from bookmaker.catalog.collect import Entry, collect
from bookmaker.catalog.opds import write_feeds
from bookmaker.catalog.serve import make_server, serve
from bookmaker.catalog.site import write_site
from bookmaker.errors import BookmakerError, OutputError

__all__ = ["CatalogReport", "build_catalog", "make_server", "serve"]

DEFAULT_TITLE = "Catalogue"


@dataclass
class CatalogReport:
    """What ``build_catalog`` wrote."""

    site: Path
    entries: list[Entry] = field(default_factory=list)
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

    def summary(self) -> str:
        """One line for the CLI: where the site is, what was built and what reused."""
        built = sum(1 for formats in self.built.values() if formats)
        count = len(self.entries)
        return (f"wrote {self.site / 'index.html'}: {count} volume{'s' if count != 1 else ''} "
                f"({built} built, {count - built} reused), feeds in {self.site / 'opds'}")


def build_catalog(
    volumes: Sequence[str | Path],
    site: str | Path,
    options: BuildOptions | None = None,
    formats: Sequence[str] | None = None,
    title: str = DEFAULT_TITLE,
    base_url: str | None = None,
    progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
    check: bool = False,
) -> CatalogReport:
    """Build every volume (reusing unchanged outputs) into ``site``; write pages and feeds.

    Each volume is built by :func:`bookmaker.pipeline.build`, as ``bookmaker build``
    builds it; ``formats`` defaults to EPUB and PDF; ``check`` refuses an EPUB that
    EPUBCheck reports anything about.
    """
    from bookmaker.builders import builders

    if not volumes:
        raise BookmakerError("give at least one volume folder to put in the catalogue")
    options = options or BuildOptions()
    wanted = list(dict.fromkeys(formats or ("epub", "pdf")))
    builders(wanted)  # an unknown or unavailable format fails before any work
    root = Path(site)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the site folder: {exc.strerror}", root) from None
    entries = collect([Path(v) for v in volumes], root, wanted, options, check=check,
                      progress=progress)
    report = CatalogReport(site=root, entries=entries)
    report.pages = write_site(root, entries, title)
    publishers = {e.volume.info.publisher for e in entries if e.volume.info.publisher}
    author = publishers.pop() if len(publishers) == 1 else "bookmaker"
    report.feeds = write_feeds(root, entries, title, author, base_url)
    return report
