"""OPDS feeds for reading apps: OPDS 1.2 (Atom) and OPDS 2.0 (JSON).

Both list the same volumes in the same order as the index, with the EPUB's own
identifier, cover and thumbnail links, and open-access acquisition links with
their media types and sizes. Links are relative to the feed unless a base URL
is given, so the feeds work wherever the site is put.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bookmaker import __version__
from bookmaker.catalog.collect import Entry
from bookmaker.catalog.site import group_by_series, series_number
from bookmaker.templating import make_environment

OPDS_DIR = "opds"
ATOM_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPDS2_TYPE = "application/opds+json"
ACQUISITION = "http://opds-spec.org/acquisition/open-access"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class FeedItem:
    """An entry with the values both feeds format alike."""

    entry: Entry
    updated: str
    """RFC 3339 time of the volume's sources (``Volume.source_date``)."""
    number: str
    """Series number as printed."""


def ordered_items(entries: list[Entry]) -> list[FeedItem]:
    """Entries in index order (series, then number), each with its formatted date."""
    ordered = [entry for group in group_by_series(entries) for entry in group.entries]
    return [FeedItem(entry, rfc3339(entry.volume.source_date),
                     series_number(entry.volume.info.series_number)) for entry in ordered]


def rfc3339(moment: dt.datetime | None) -> str:
    """'2006-12-16T00:00:00Z'; the epoch when the date is unknown."""
    moment = moment or EPOCH
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _linker(base_url: str | None):
    """``url(path)``: a site-root-relative path as seen from ``opds/`` (or absolute)."""
    def url(path: str) -> str:
        quoted = quote(path)
        return f"{base_url.rstrip('/')}/{quoted}" if base_url else f"../{quoted}"
    return url


def feed_id(title: str, base_url: str | None) -> str:
    """A stable URN for the catalogue, from its address or its title."""
    return uuid.uuid5(uuid.NAMESPACE_URL, base_url or f"bookmaker-catalogue:{title}").urn


def _newest(items: list[FeedItem]) -> str:
    return max((item.updated for item in items), default=rfc3339(None))


def opds1(entries: list[Entry], title: str, author: str, base_url: str | None = None) -> str:
    """The OPDS 1.2 acquisition feed as Atom XML."""
    items = ordered_items(entries)
    template = make_environment("site").get_template("feed.xml")
    return template.render(
        feed_id=feed_id(title, base_url), title=title, author=author, updated=_newest(items),
        items=items, url=_linker(base_url), atom_type=ATOM_TYPE, version=__version__,
    )


def opds2(entries: list[Entry], title: str, base_url: str | None = None) -> dict:
    """The OPDS 2.0 feed as a JSON-ready dict."""
    items = ordered_items(entries)
    url = _linker(base_url)
    return {
        "metadata": {"title": title, "modified": _newest(items), "numberOfItems": len(items)},
        "links": [
            {"rel": "self", "href": url(f"{OPDS_DIR}/catalog.json"), "type": OPDS2_TYPE},
            {"rel": "alternate", "href": url(f"{OPDS_DIR}/catalog.xml"), "type": ATOM_TYPE},
            {"rel": "alternate", "href": url("index.html"), "type": "text/html"},
        ],
        "publications": [_publication(item, url) for item in items],
    }


def _publication(item: FeedItem, url) -> dict:
    entry = item.entry
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
    metadata["modified"] = item.updated
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
    """Write ``opds/catalog.xml`` and ``opds/catalog.json``."""
    folder = site / OPDS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    atom = folder / "catalog.xml"
    atom.write_text(opds1(entries, title, author, base_url), encoding="utf-8")
    feed = folder / "catalog.json"
    feed.write_text(json.dumps(opds2(entries, title, base_url), ensure_ascii=False, indent=2)
                    + "\n", encoding="utf-8")
    return [atom, feed]
