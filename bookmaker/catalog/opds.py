"""OPDS feeds for reading apps: OPDS 1.2 (Atom) and OPDS 2.0 (JSON), paged and faceted.

Files, all under ``opds/`` (each ``.xml`` has a ``.json`` twin)::

    catalog.xml                      root navigation feed
    all.xml, all_2.xml …             every volume in index order (acquisition, paged)
    new.xml, new_2.xml …             newest first (acquisition, ``sort/new``)
    authors.xml, authors_2.xml …     navigation: one entry per author (likewise series,
                                     languages, subjects)
    author-<slug>.xml, …_2.xml …     that author's volumes (acquisition, paged)

and ``opensearch.xml`` at the site root, linked from every feed with ``rel="search"``.
Acquisition pages hold at most :data:`~bookmaker.catalog.facets.PAGE_SIZE` entries
and link ``first``/``previous``/``next``/``last`` (RFC 5005) with OpenSearch
response counts, as calibre's content server does; the lists of all and newest
volumes and each language's offer the languages as OPDS facets. Every volume's
Atom entry and OPDS 2 publication is made once and reused on every feed it is
in. Links are relative to the feed unless a base URL is given, so the feeds
work wherever the site is put. Files are written only when their bytes change;
feeds no longer produced are removed.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from markupsafe import Markup

from bookmaker import __version__
from bookmaker.catalog.collect import Entry
from bookmaker.catalog.facets import (
    FACETS,
    NAV_PAGE_SIZE,
    PAGE_SIZE,
    Facet,
    FacetValue,
    Page,
    Shelves,
    paginate,
    shelve,
    updated,
)
from bookmaker.catalog.files import Output
from bookmaker.catalog.site import facet_folder, list_page_href, value_folder
from bookmaker.labels import series_number
from bookmaker.templating import make_environment

OPDS_DIR = "opds"
ATOM_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
"""An acquisition feed (the name kept for the preview server)."""
NAVIGATION_TYPE = "application/atom+xml;profile=opds-catalog;kind=navigation"
OPDS2_TYPE = "application/opds+json"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
ACQUISITION = "http://opds-spec.org/acquisition/open-access"
SORT_NEW = "http://opds-spec.org/sort/new"
FACET = "http://opds-spec.org/facet"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
OPENSEARCH = "opensearch.xml"
"""The OpenSearch description, at the site root; it points at the site's search page."""
SEARCH_PAGE = "search.html"
FEEDS_RECORD = ".bookmaker-feeds.json"
MAX_FACET_LINKS = 30
"""Languages offered as facets on a feed only while there are at most this many."""


def rfc3339(moment: dt.datetime | None) -> str:
    """'2006-12-16T00:00:00Z'; the epoch when the date is unknown."""
    moment = moment or EPOCH
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _linker(base_url: str | None, prefix: str = "../"):
    """``url(path)``: a site-root-relative path as seen from ``opds/`` (or absolute)."""
    def url(path: str) -> str:
        quoted = quote(path)
        return f"{base_url.rstrip('/')}/{quoted}" if base_url else f"{prefix}{quoted}"
    return url


def feed_id(title: str, base_url: str | None) -> str:
    """A stable URN for the catalogue, from its address or its title."""
    return uuid.uuid5(uuid.NAMESPACE_URL, base_url or f"bookmaker-catalogue:{title}").urn


def feed_href(stem: str, number: int = 1, suffix: str = ".xml") -> str:
    """Site-relative path of page ``number`` of a feed: 'opds/all.xml', 'opds/all_2.xml'."""
    name = stem if number == 1 else f"{stem}_{number}"
    return f"{OPDS_DIR}/{name}{suffix}"


def atom_type_of(name: str) -> str:
    """The Atom media type of the feed file ``name`` ('authors_2.xml' is navigation,
    'author-leon-trotsky.xml' acquisition), for a server to send with it."""
    stem = name.rsplit(".", 1)[0].split("_", 1)[0]
    navigation = {"catalog", *(facet.folder for facet in FACETS)}
    return NAVIGATION_TYPE if stem in navigation else ATOM_TYPE


def value_stem(value: FacetValue) -> str:
    """'author-leon-trotsky' (slugs never hold '_', so page names cannot collide)."""
    return f"{value.facet.key}-{value.slug}"


@dataclass(frozen=True)
class Link:
    """A feed-level link, formatted alike in both feeds."""

    rel: str
    href: str
    """Site-relative path, made relative to the feed or absolute when written."""
    type: str
    title: str | None = None
    group: str | None = None
    """The OPDS facet group, for facet links."""
    active: bool = False
    count: int | None = None


@dataclass(frozen=True)
class NavItem:
    """An entry of a navigation feed: a link to another feed."""

    title: str
    stem: str
    kind: str
    """The linked feed's Atom type (navigation or acquisition)."""
    rel: str
    updated: str
    content: str
    count: int


@dataclass(frozen=True)
class Listing:
    """One feed, before paging."""

    stem: str
    title: str
    up: str | None
    """The navigation feed above it."""
    site: str | None
    """The site folder of the same list ('' for the index), whose page n matches this one's."""
    facets: Sequence[Link] = ()


class _FeedWriter:
    """Writes every feed of one catalogue."""

    def __init__(self, out: Output, shelves: Shelves, title: str, author: str,
                 base_url: str | None) -> None:
        self.out = out
        self.shelves = shelves
        self.title = title
        self.author = author
        self.base_url = base_url
        self.url = _linker(base_url)
        self.root_id = feed_id(title, base_url)
        self.env = make_environment("site")
        self.env.globals.update(url=self.url, version=__version__, author=author,
                                acquisition=ACQUISITION)
        self._updated = {entry.slug: rfc3339(updated(entry)) for entry in shelves.ordered}
        self._atom: dict[str, Markup] = {}
        self._json: dict[str, dict] = {}
        self._entry = self.env.get_template("feed-entry.xml")

    # ------------------------------------------------------------ shared parts

    def atom_entry(self, entry: Entry) -> Markup:
        if entry.slug not in self._atom:
            self._atom[entry.slug] = Markup(self._entry.render(
                entry=entry, info=entry.volume.info, updated=self._updated[entry.slug],
                number=series_number(entry.volume.info.series_number)))
        return self._atom[entry.slug]

    def publication(self, entry: Entry) -> dict:
        if entry.slug not in self._json:
            self._json[entry.slug] = _publication(entry, self._updated[entry.slug], self.url)
        return self._json[entry.slug]

    def newest(self, entries: Sequence[Entry]) -> str:
        return max((self._updated[e.slug] for e in entries), default=rfc3339(None))

    def listing_id(self, stem: str) -> str:
        if stem == "catalog":
            return self.root_id
        return uuid.uuid5(uuid.UUID(self.root_id.removeprefix("urn:uuid:")), stem).urn

    def page_links(self, listing: Listing, page: Page, kind: str) -> list[Link]:
        """self, start, up, paging, search and alternates of one page, in that order."""
        stem, n = listing.stem, page.number
        links = [Link("self", feed_href(stem, n), kind),
                 Link("start", feed_href("catalog"), NAVIGATION_TYPE, self.title)]
        if listing.up:
            links.append(Link("up", feed_href(listing.up), NAVIGATION_TYPE))
        if page.count > 1:
            links.append(Link("first", feed_href(stem, 1), kind))
            if page.previous:
                links.append(Link("previous", feed_href(stem, page.previous), kind))
            if page.next:
                links.append(Link("next", feed_href(stem, page.next), kind))
            links.append(Link("last", feed_href(stem, page.count), kind))
        links.append(Link("search", OPENSEARCH, OPENSEARCH_TYPE, f"Search {self.title}"))
        if listing.site is not None:
            links.append(Link("alternate", list_page_href(listing.site, n), "text/html"))
        return links

    # ------------------------------------------------------------------ writing

    def acquisition(self, listing: Listing, entries: Sequence[Entry]) -> None:
        for page in paginate(entries, PAGE_SIZE):
            links = self.page_links(listing, page, ATOM_TYPE)
            modified = self.newest(page.items)
            self.out.write(feed_href(listing.stem, page.number), self.env.get_template(
                "feed.xml").render(
                feed_id=self.listing_id(listing.stem), title=listing.title, updated=modified,
                links=[*links, *listing.facets], json_href=feed_href(listing.stem, page.number,
                                                                     ".json"),
                page=page, entries=[self.atom_entry(e) for e in page.items]))
            self.write_json(listing, page, links, {
                "publications": [self.publication(e) for e in page.items]}, modified)

    def navigation(self, listing: Listing, items: Sequence[NavItem]) -> None:
        for page in paginate(items, NAV_PAGE_SIZE):
            links = self.page_links(listing, page, NAVIGATION_TYPE)
            modified = max((item.updated for item in page.items), default=rfc3339(None))
            self.out.write(feed_href(listing.stem, page.number), self.env.get_template(
                "navigation.xml").render(
                feed_id=self.listing_id(listing.stem), title=listing.title, updated=modified,
                links=links, json_href=feed_href(listing.stem, page.number, ".json"),
                page=page, items=page.items, item_id=self.listing_id))
            navigation = []
            for item in page.items:
                link: dict = {"href": self.url(feed_href(item.stem, suffix=".json")),
                              "title": item.title, "type": OPDS2_TYPE, "rel": item.rel,
                              "properties": {"numberOfItems": item.count}}
                navigation.append(link)
            self.write_json(listing, page, links, {"navigation": navigation}, modified)

    def write_json(self, listing: Listing, page: Page, links: list[Link], body: dict,
                   modified: str) -> None:
        json_links = []
        for link in links:
            href = link.href
            kind = link.type
            if link.type in (ATOM_TYPE, NAVIGATION_TYPE):  # the JSON twin of an Atom feed
                href, kind = href.removesuffix(".xml") + ".json", OPDS2_TYPE
            item: dict = {"rel": "prev" if link.rel == "previous" else link.rel,
                          "href": self.url(href), "type": kind}
            if link.title and link.rel != "self":
                item["title"] = link.title
            json_links.append(item)
        atom_type = ATOM_TYPE if "publications" in body else NAVIGATION_TYPE
        json_links.insert(1, {"rel": "alternate", "type": atom_type,
                              "href": self.url(feed_href(listing.stem, page.number))})
        metadata: dict = {"title": listing.title, "modified": modified,
                          "numberOfItems": page.total, "itemsPerPage": page.size,
                          "currentPage": page.number}
        feed: dict = {"metadata": metadata, "links": json_links}
        if listing.facets:
            feed["facets"] = [{
                "metadata": {"title": listing.facets[0].group or "Facets"},
                "links": [{"href": self.url(f.href.removesuffix(".xml") + ".json"),
                           "type": OPDS2_TYPE, "title": f.title or "",
                           **({"rel": "self"} if f.active else {}),
                           "properties": {"numberOfItems": f.count or 0}}
                          for f in listing.facets]}]
        feed.update(body)
        self.out.write(feed_href(listing.stem, page.number, ".json"),
                       json.dumps(feed, ensure_ascii=False, indent=2) + "\n")

    # -------------------------------------------------------------- the feeds

    def language_facets(self, active: str | None = None) -> list[Link]:
        values = self.shelves.facets["language"]
        if len(values) < 2 or len(values) > MAX_FACET_LINKS:
            return []
        return [Link(FACET, feed_href(value_stem(v)), ATOM_TYPE, v.label, "Language",
                     v.value == active, len(v.entries)) for v in values]

    def facet_items(self, facet: Facet) -> list[NavItem]:
        return [NavItem(v.label, value_stem(v), ATOM_TYPE, "subsection", self.newest(v.entries),
                        _volumes(len(v.entries)), len(v.entries))
                for v in self.shelves.facets[facet.key]]

    def write_all(self) -> None:
        shelves = self.shelves
        everything = self.newest(shelves.ordered)
        root = [NavItem("All volumes", "all", ATOM_TYPE, "subsection", everything,
                        _volumes(len(shelves.ordered)), len(shelves.ordered)),
                NavItem("Newest volumes", "new", ATOM_TYPE, SORT_NEW, everything,
                        "The most recently changed volumes first.", len(shelves.ordered))]
        for facet in FACETS:
            values = shelves.facets[facet.key]
            if values:
                root.append(NavItem(f"By {facet.group.lower()}", facet.folder, NAVIGATION_TYPE,
                                    "subsection", everything,
                                    f"{len(values)} {facet.title.lower()}", len(values)))
        self.navigation(Listing("catalog", self.title, None, ""), root)
        languages = self.language_facets()
        self.acquisition(Listing("all", f"{self.title}: all volumes", "catalog", "",
                                 languages), shelves.ordered)
        self.acquisition(Listing("new", f"{self.title}: newest volumes", "catalog", None,
                                 languages), shelves.newest)
        for facet in FACETS:
            values = shelves.facets[facet.key]
            if not values:
                continue
            self.navigation(Listing(facet.folder, f"{self.title}: {facet.title.lower()}",
                                    "catalog", facet_folder(facet)), self.facet_items(facet))
            for value in values:
                facets = self.language_facets(value.value) if facet.key == "language" else ()
                self.acquisition(Listing(value_stem(value), value.label, facet.folder,
                                         value_folder(value), facets), value.entries)
        self.out.write(OPENSEARCH, self.env.get_template("opensearch.xml").render(
            title=self.title, short_name=_short_name(self.title),
            search=_linker(self.base_url, "")(SEARCH_PAGE),
            self_href=_linker(self.base_url, "")(OPENSEARCH)))


def _volumes(count: int) -> str:
    return f"{count} volume{'' if count == 1 else 's'}"


def _short_name(title: str) -> str:
    """OpenSearch's ShortName: at most 16 characters."""
    return title if len(title) <= 16 else title[:15].rstrip() + "…"


def _publication(entry: Entry, modified: str, url) -> dict:
    """A volume as an OPDS 2 publication."""
    info = entry.volume.info
    metadata: dict = {"@type": "http://schema.org/Book", "title": info.title}
    if info.subtitle:
        metadata["subtitle"] = info.subtitle
    metadata["identifier"] = entry.identifier
    for key, names in (("author", info.authors), ("translator", info.translators),
                       ("editor", info.editors)):
        if names:
            metadata[key] = list(names)
    metadata["language"] = info.language
    metadata["modified"] = modified
    published = _iso_date(info.date)
    if published:
        metadata["published"] = published
    if info.publisher:
        metadata["publisher"] = info.publisher
    if info.description:
        metadata["description"] = info.description
    if info.subjects:
        metadata["subject"] = list(info.subjects)
    if info.series:
        series: dict = {"name": info.series}
        if info.series_number is not None:
            number = info.series_number
            series["position"] = int(number) if float(number).is_integer() else number
        metadata["belongsTo"] = {"series": series}
    links = [{"rel": "alternate", "href": url(entry.page_href), "type": "text/html"}]
    links += [{"rel": ACQUISITION, "href": url(d.href), "type": d.media_type, "size": d.size,
               "title": d.label} for d in entry.downloads]
    publication = {"metadata": metadata, "links": links}
    images = []
    for picture in (entry.cover, entry.thumbnail):
        if picture is None:
            continue
        image: dict = {"href": url(picture.href), "type": picture.media_type}
        if picture.width:
            image.update(width=picture.width, height=picture.height)
        images.append(image)
    if images:
        publication["images"] = images
    return publication


def _iso_date(text: str | None) -> str | None:
    """The date when it is a full ISO date; a bare year is not one in RFC 3339."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        return None


def write_feeds(site: Path, entries: list[Entry], title: str, author: str,
                base_url: str | None = None) -> list[Path]:
    """Write every feed under ``opds/`` and ``opensearch.xml``; remove feeds an earlier run
    wrote that are no longer produced. Returns every feed (written or already up to date)."""
    out = Output(site, FEEDS_RECORD)
    _FeedWriter(out, shelve(entries), title, author, base_url).write_all()
    out.finish()
    return out.paths()
