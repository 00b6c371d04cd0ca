"""How the catalogue is arranged: the index order, the facets a reader browses by, pages.

Both the site and the feeds read one :class:`Shelves`: every volume in index
order (series alphabetically, then series number, title and identifier), the
newest first, and for each facet — author, series, language, subject — its
values, each with its volumes in index order. Everything is sorted with ties
broken by identifier, so the same entries always give the same pages. Building
it is a single pass over the entries plus sorting: nothing is quadratic.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bookmaker.catalog.collect import Entry
from bookmaker.model import VolumeInfo, slugify

PAGE_SIZE = 50
"""Volumes on one page of a list (site) or one acquisition feed page."""
NAV_PAGE_SIZE = 100
"""Facet values (authors, series…) on one page of their list or navigation feed."""

LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "ru": "Russian", "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "sv": "Swedish",
    "zh": "Chinese", "ja": "Japanese", "el": "Greek", "tr": "Turkish", "uk": "Ukrainian",
}

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def language_name(tag: str) -> str:
    """'English' for 'en' or 'en-GB'; the tag itself when unknown."""
    return LANGUAGE_NAMES.get(tag.split("-")[0].lower(), tag)


def series_id(name: str | None) -> str:
    """The HTML id of a series' section on a list page (the 'other volumes' one for None)."""
    return "series-" + slugify(name or "other", "series")


# ----------------------------------------------------------------------- order


@dataclass
class SeriesGroup:
    """Volumes of one series (or of none), in series order."""

    name: str | None
    entries: list[Entry]

    @property
    def id(self) -> str:
        return series_id(self.name)


def _volume_key(entry: Entry):
    info = entry.volume.info
    number = info.series_number
    return (math.inf if number is None else number, info.title.casefold(), info.title,
            entry.identifier, entry.slug)


def group_by_series(entries: Sequence[Entry]) -> list[SeriesGroup]:
    """Series alphabetically, volumes by series number, title and identifier; volumes
    without a series last."""
    groups: dict[str | None, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.volume.info.series, []).append(entry)
    names = sorted((name for name in groups if name), key=lambda name: (name.casefold(), name))
    ordered = [SeriesGroup(name, sorted(groups[name], key=_volume_key)) for name in names]
    if None in groups:
        ordered.append(SeriesGroup(None, sorted(groups[None], key=_volume_key)))
    return ordered


def runs_by_series(entries: Sequence[Entry]) -> list[SeriesGroup]:
    """Consecutive entries of one series as groups, keeping the order given (a page's
    slice of an index-ordered list: each series once, as it comes)."""
    groups: list[SeriesGroup] = []
    for entry in entries:
        series = entry.volume.info.series
        if groups and groups[-1].name == series:
            groups[-1].entries.append(entry)
        else:
            groups.append(SeriesGroup(series, [entry]))
    return groups


def index_order(entries: Sequence[Entry]) -> list[Entry]:
    """Every entry in the index's order."""
    return [entry for group in group_by_series(entries) for entry in group.entries]


def updated(entry: Entry) -> dt.datetime:
    """When the volume's sources last changed (the epoch when unknown), in UTC."""
    moment = entry.volume.source_date or _EPOCH
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def newest_first(entries: Sequence[Entry]) -> list[Entry]:
    """Newest sources first; ties by identifier."""
    return sorted(entries, key=lambda e: (-updated(e).timestamp(), e.identifier, e.slug))


# ---------------------------------------------------------------------- facets


@dataclass(frozen=True)
class Facet:
    """A way of browsing: by author, series, language or subject."""

    key: str
    """'author': names feeds (``author-<slug>``) and sort of link."""
    folder: str
    """'authors': the site folder under ``browse/`` and the navigation feed's name."""
    title: str
    """'Authors'."""
    group: str
    """'Author': the OPDS facet group and the label on a volume's page."""
    values: Callable[[VolumeInfo], list[str]]
    """The facet's values of one volume."""
    label: Callable[[str], str] = str
    """How a value is shown."""


def _language_label(tag: str) -> str:
    name = language_name(tag)
    return name if name == tag or "-" not in tag else f"{name} ({tag})"


FACETS: tuple[Facet, ...] = (
    Facet("author", "authors", "Authors", "Author", lambda info: list(info.authors)),
    Facet("series", "series", "Series", "Series",
          lambda info: [info.series] if info.series else []),
    Facet("language", "languages", "Languages", "Language", lambda info: [info.language],
          _language_label),
    Facet("subject", "subjects", "Subjects", "Subject", lambda info: list(info.subjects)),
)
"""The facets, in the order they are offered. Subjects are the manifest's ``subjects``."""


@dataclass
class FacetValue:
    """One author, series, language or subject, with its volumes in index order."""

    facet: Facet
    value: str
    label: str
    slug: str
    """Unique among the facet's values: ``-2``, ``-3`` added when two values slug alike."""
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Shelves:
    """The catalogue arranged: index order, newest first, and every facet's values."""

    ordered: list[Entry]
    newest: list[Entry]
    facets: dict[str, list[FacetValue]]
    """Facet key → its values sorted by label; facets no volume has are empty."""
    _lookup: dict[tuple[str, str], FacetValue] = field(default_factory=dict, repr=False)

    def value(self, facet: str, value: str) -> FacetValue:
        """The facet value of a volume's author, series, language or subject."""
        return self._lookup[facet, value]

    def values_of(self, entry: Entry) -> list[tuple[Facet, list[FacetValue]]]:
        """The facet values one volume belongs to, facet by facet (facets it lacks left out)."""
        found = []
        for facet in FACETS:
            values = [self._lookup[facet.key, v] for v in dict.fromkeys(
                facet.values(entry.volume.info))]
            if values:
                found.append((facet, values))
        return found


def shelve(entries: Sequence[Entry]) -> Shelves:
    """Arrange the entries (any order in, the same arrangement out)."""
    ordered = index_order(entries)
    shelves = Shelves(ordered=ordered, newest=newest_first(ordered), facets={})
    for facet in FACETS:
        found: dict[str, list[Entry]] = {}
        for entry in ordered:
            for value in dict.fromkeys(facet.values(entry.volume.info)):
                found.setdefault(value, []).append(entry)
        labelled = sorted(found, key=lambda v: (facet.label(v).casefold(), facet.label(v), v))
        taken: set[str] = set()
        values = []
        for value in labelled:
            base = slugify(value, facet.key)
            slug, n = base, 1
            while slug in taken:
                n += 1
                slug = f"{base}-{n}"
            taken.add(slug)
            item = FacetValue(facet, value, facet.label(value), slug, found[value])
            values.append(item)
            shelves._lookup[facet.key, value] = item
        shelves.facets[facet.key] = values
    return shelves


# ----------------------------------------------------------------------- pages

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list."""

    number: int
    """1 for the first page."""
    count: int
    """Pages in the list (at least 1)."""
    items: Sequence[T]
    total: int
    """Items in the whole list."""
    size: int
    """Items a page holds at most."""

    @property
    def start(self) -> int:
        """1-based position of the page's first item in the list."""
        return (self.number - 1) * self.size + 1

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def paginate(items: Sequence[T], size: int = PAGE_SIZE) -> list[Page[T]]:
    """Pages of at most ``size`` items; an empty list is one empty page."""
    count = max(1, -(-len(items) // size))
    return [Page(n + 1, count, items[n * size:(n + 1) * size], len(items), size)
            for n in range(count)]
