"""The static HTML pages: lists of volumes, browsable by facet, and one page per volume.

Layout (paths relative to the site root)::

    index.html, page-2.html …                    every volume, in index order
    browse/<facet>/index.html, page-2.html …     the facet's values (authors, series,
                                                 languages, subjects), with counts
    browse/<facet>/<value>/index.html, page-2.html …   the value's volumes
    books/<slug>/index.html                      one page per volume
    search.html, search-index.js                 search over every volume (in the browser)
    site.css, filter.js, search.js

Lists hold at most :data:`~bookmaker.catalog.facets.PAGE_SIZE` volumes a page,
with first/previous/next/last links, so no page grows with the library. Pages
link each other and their files by relative URLs, so the site works from any
web server path and from a plain folder opened in a browser. Nothing is loaded
from elsewhere: the stylesheet and the filter script are local files. Files are
written only when their bytes change, and pages no longer produced are removed
(:class:`~bookmaker.catalog.files.Output`).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup

from bookmaker import __version__
from bookmaker.catalog.collect import Entry
from bookmaker.catalog.facets import (
    FACETS,
    NAV_PAGE_SIZE,
    PAGE_SIZE,
    Facet,
    FacetValue,
    SeriesGroup,
    Shelves,
    group_by_series,
    language_name,
    paginate,
    runs_by_series,
    series_id,
    shelve,
)
from bookmaker.catalog.files import Output
from bookmaker.labels import join_names, labels_for, primary, series_number
from bookmaker.templating import TEMPLATES_DIR, make_environment

__all__ = ["SeriesGroup", "group_by_series", "language_name", "series_id", "series_number",
           "write_site"]

ASSETS = ("site.css", "filter.js", "search.js")
"""Files copied as they are from ``templates/site/`` to the site root."""

ROLE_NAMES = {
    "aut": ("Author", "Authors"),
    "trl": ("Translator", "Translators"),
    "edt": ("Editor", "Editors"),
    "ctb": ("Contributor", "Contributors"),
    "ill": ("Illustrator", "Illustrators"),
    "trc": ("Transcriber", "Transcribers"),
    "pfr": ("Proofreader", "Proofreaders"),
    "aui": ("Author of introduction", "Authors of introduction"),
}

SHORT_DESCRIPTION = 220
"""Characters of the description shown on the index."""


# --------------------------------------------------------------------- helpers


def fold(text: str) -> str:
    """Lower case without accents, as filter.js compares (NFKD, marks removed)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_text(entry: Entry) -> str:
    """What the filter matches: title, subtitle, people and series."""
    info = entry.volume.info
    people = [person.name for person in info.all_contributors()]
    parts = [info.title, info.subtitle or "", *people, info.series or ""]
    return fold(" ".join(part for part in parts if part))


def human_size(size: int) -> str:
    """'245 kB', '1.2 MB'."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} kB"


def shorten(text: str | None, limit: int = SHORT_DESCRIPTION) -> str:
    """The description cut at a word boundary with an ellipsis."""
    if not text:
        return ""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.—–- ")
    return cut + "…"


def credits_of(entry: Entry, labels: dict[str, str]) -> list[tuple[str, list[str]]]:
    """People grouped by role, in the volume's order: [('Authors', [...]), ...].

    English pages say 'Authors' for several; other languages get their catalogue's
    role name, which has no plural form (bookmaker/locale holds one string a role)."""
    grouped: dict[str, list[str]] = {}
    for person in entry.volume.info.all_contributors():
        grouped.setdefault(person.role, []).append(person.name)
    english = primary(entry.volume.info.language) == "en"
    result = []
    for role, names in grouped.items():
        one, many = ROLE_NAMES.get(role, (role, role))
        if not english:
            one = many = labels.get(f"role_{role}", role)
        result.append((one if len(names) == 1 else many, names))
    return result



# ---------------------------------------------------------------------- layout

SITE_RECORD = ".bookmaker-site.json"
"""Lists the pages the last run wrote, so that the next removes those it no longer writes."""
BROWSE_DIR = "browse"
SEARCH_PAGE = "search.html"
SEARCH_INDEX = "search-index.js"


def list_page_href(folder: str, number: int) -> str:
    """Page ``number`` of the list in ``folder`` ('' for the site root): index.html, page-2.html."""
    name = "index.html" if number == 1 else f"page-{number}.html"
    return f"{folder}/{name}" if folder else name


def facet_folder(facet: Facet) -> str:
    """'browse/authors'."""
    return f"{BROWSE_DIR}/{facet.folder}"


def value_folder(value: FacetValue) -> str:
    """'browse/authors/leon-trotsky'."""
    return f"{facet_folder(value.facet)}/{value.slug}"


def value_href(value: FacetValue) -> str:
    """The first page of a facet value's volumes, relative to the site root."""
    return list_page_href(value_folder(value), 1)


def _root(href: str) -> str:
    """The way back to the site root from a page at ``href``."""
    return "../" * href.count("/")


def volumes_text(count: int) -> str:
    return f"{count} volume{'' if count == 1 else 's'}"


# ---------------------------------------------------------------------- render


def _environment():
    env = make_environment("site")
    env.globals.update(
        human_size=human_size, shorten=shorten, language_name=language_name,
        series_number=series_number, credits_of=credits_of, labels_for=labels_for,
        search_text=search_text, series_id=series_id, version=__version__,
        value_href=value_href, volumes_text=volumes_text,
    )
    return env


def search_index(entries: Sequence[Entry]) -> str:
    """The rows search.js searches, one a volume in index order, as a script (a page
    opened from a plain folder may load a script but not read a JSON file)."""
    rows = []
    for entry in entries:
        info = entry.volume.info
        facts = []
        if info.series:
            number = series_number(info.series_number)
            facts.append(f"{info.series}, volume {number}" if number else info.series)
        facts += [info.date or "", language_name(info.language)]
        rows.append([search_text(entry), entry.page_href, info.title, info.subtitle or "",
                     join_names(info.authors, "en") if info.authors else "",
                     " · ".join(fact for fact in facts if fact)])
    data = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return f'"use strict";\nwindow.CATALOGUE_INDEX = {data};\n'


class _SiteWriter:
    """Renders and writes every page of one site; a volume's list item is rendered once
    for each depth it is shown at and reused on every list it appears in."""

    def __init__(self, out: Output, shelves: Shelves, title: str, feeds: bool) -> None:
        self.out = out
        self.shelves = shelves
        self.title = title
        self.feeds = feeds
        self.env = _environment()
        self._cards: dict[tuple[str, str], Markup] = {}
        self._card = self.env.get_template("_card.html")
        self.browse = [(facet.title, list_page_href(facet_folder(facet), 1))
                       for facet in FACETS if shelves.facets[facet.key]]
        """(title, href) of each facet there is something to browse by."""

    def card(self, entry: Entry, root: str) -> Markup:
        key = (entry.slug, root)
        if key not in self._cards:
            self._cards[key] = Markup(self._card.render(entry=entry, root=root))
        return self._cards[key]

    def render(self, template: str, href: str, **context) -> None:
        page = self.env.get_template(template).render(
            root=_root(href), title=self.title, feeds=self.feeds, browse=self.browse,
            href=href, **context)
        self.out.write(href, page)

    def volume_list(self, folder: str, entries: Sequence[Entry], heading: str,
                    crumbs: list[tuple[str, str]]) -> None:
        """Every page of a list of volumes."""
        for page in paginate(entries, PAGE_SIZE):
            href = list_page_href(folder, page.number)
            root = _root(href)
            self.render("list.html", href, heading=heading, page=page,
                        groups=runs_by_series(page.items), crumbs=crumbs,
                        page_href=lambda n: list_page_href(folder, n),
                        card=lambda entry, root=root: self.card(entry, root),
                        series_href=self.series_href)

    def series_href(self, name: str | None) -> str | None:
        if not name:
            return None
        return value_href(self.shelves.value("series", name))

    def facet_list(self, facet: Facet, values: list[FacetValue]) -> None:
        """Every page of a facet's values, then every page of each value's volumes."""
        folder = facet_folder(facet)
        crumbs = [("All volumes", "index.html")]
        for page in paginate(values, NAV_PAGE_SIZE):
            self.render("facet.html", list_page_href(folder, page.number), facet=facet,
                        page=page, crumbs=crumbs,
                        page_href=lambda n: list_page_href(folder, n))
        crumbs = [*crumbs, (facet.title, list_page_href(folder, 1))]
        for value in values:
            self.volume_list(value_folder(value), value.entries, value.label, crumbs)

    def volume_page(self, entry: Entry) -> None:
        series = entry.volume.info.series
        crumbs = [("All volumes", "index.html")]
        if series:
            crumbs.append((series, self.series_href(series)))
        self.render("volume.html", entry.page_href, entry=entry, crumbs=crumbs,
                    labels=labels_for(entry.volume.info.language),
                    shelves=self.shelves.values_of(entry))


def write_site(site: Path, entries: list[Entry], title: str, feeds: bool = True) -> list[Path]:
    """Write the lists, the facet pages, one page per volume and the assets; remove pages
    an earlier run wrote that are no longer produced. Returns every page of the site
    (written or already up to date)."""
    out = Output(site, SITE_RECORD)
    shelves = shelve(entries)
    writer = _SiteWriter(out, shelves, title, feeds)
    writer.volume_list("", shelves.ordered, title, [])
    for facet in FACETS:
        if shelves.facets[facet.key]:
            writer.facet_list(facet, shelves.facets[facet.key])
    for entry in shelves.ordered:
        writer.volume_page(entry)
    writer.render("search.html", SEARCH_PAGE, count=len(shelves.ordered))
    out.write(SEARCH_INDEX, search_index(shelves.ordered))
    for name in ASSETS:
        out.write(name, (TEMPLATES_DIR / "site" / name).read_bytes())
    out.finish()
    return [path for path in out.paths() if path.suffix == ".html"]
