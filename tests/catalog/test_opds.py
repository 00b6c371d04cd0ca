"""OPDS feeds: OPDS 2.0 against the published schemas, OPDS 1.2 as Atom with OPDS links."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

from lxml import etree

from bookmaker.catalog.opds import ACQUISITION, ATOM_TYPE, rfc3339
from tests.catalog.helpers import ATOM, OPDS_NS, epub_identifier, opds2_validator

SLUGS = ["notes-of-a-journalist", "how-the-revolution-armed-1919", "how-the-revolution-armed-1920",
         "loose-leaves"]


def feed_json(site: Path, name: str = "all.json") -> dict:
    """An OPDS 2 feed; by default the first page of every volume (the root is navigation)."""
    return json.loads((site / "opds" / name).read_text(encoding="utf-8"))


def local(site: Path, feed: str, href: str) -> Path:
    """The file a feed's relative link points to."""
    return Path(urljoin(f"file://{site}/opds/{feed}", href).removeprefix("file://"))


def test_opds2_feed_is_valid(site):
    for name in ("catalog.json", "all.json"):
        errors = [f"{list(e.absolute_path)}: {e.message}"
                  for e in opds2_validator().iter_errors(feed_json(site, name))]
        assert errors == [], name


def test_the_schema_check_can_fail(site):
    feed = feed_json(site)
    del feed["publications"][0]["links"][1]["href"]
    feed["publications"][1]["metadata"]["language"] = "not a tag!"
    messages = sorted(e.message[:40] for e in opds2_validator().iter_errors(feed))
    assert messages == ["'href' is a required property", "'not a tag!' does not match '^((?P<grand"]


def test_opds2_publications_in_index_order_with_links(site):
    feed = feed_json(site)
    assert feed["metadata"]["title"] == "Test Library: all volumes"
    assert feed["metadata"]["numberOfItems"] == 4
    pubs = feed["publications"]
    assert [p["metadata"]["identifier"] for p in pubs] == [f"urn:uuid:fake-{s}" for s in SLUGS]
    second = pubs[1]
    assert second["metadata"]["belongsTo"]["series"] == {
        "name": "The Military Writings of Leon Trotsky", "position": 2}
    assert isinstance(second["metadata"]["belongsTo"]["series"]["position"], int)
    assert second["metadata"]["translator"] == ["Brian Pearce"]
    acquisitions = [link for link in second["links"] if link["rel"] == ACQUISITION]
    assert [a["type"] for a in acquisitions] == ["application/epub+zip", "application/pdf"]
    for link in acquisitions:
        assert local(site, "all.json", link["href"]).stat().st_size == link["size"]
    images = {image["href"].rsplit("/", 1)[1]: image for image in second["images"]}
    assert images["cover.png"]["type"] == "image/png"
    assert images["thumbnail.jpg"]["type"] == "image/jpeg"
    for image in second["images"]:
        assert local(site, "all.json", image["href"]).is_file()


def test_opds1_feed_is_atom_with_opds_links(site):
    tree = etree.parse(str(site / "opds" / "all.xml"))
    root = tree.getroot()
    assert root.tag == f"{{{ATOM}}}feed"
    assert root.nsmap[None] == ATOM and root.nsmap["opds"] == OPDS_NS["opds"]
    assert root.findtext("atom:title", namespaces=OPDS_NS) == "Test Library: all volumes"
    assert root.findtext("atom:id", namespaces=OPDS_NS).startswith("urn:uuid:")
    self_link = root.find("atom:link[@rel='self']", namespaces=OPDS_NS)
    assert self_link.get("type") == ATOM_TYPE
    assert local(site, "all.xml", self_link.get("href")) == site / "opds" / "all.xml"
    entries = root.findall("atom:entry", namespaces=OPDS_NS)
    assert [e.findtext("atom:id", namespaces=OPDS_NS) for e in entries] == [
        f"urn:uuid:fake-{s}" for s in SLUGS]
    notes = entries[0]
    assert notes.findtext("atom:title", namespaces=OPDS_NS) == "Notes of a Journalist"
    assert notes.findtext("atom:author/atom:name", namespaces=OPDS_NS) == "Rosa Example"
    assert notes.findtext("dc:language", namespaces=OPDS_NS) == "de"
    assert notes.findtext("dc:issued", namespaces=OPDS_NS) == "1905"
    links = {link.get("rel"): link for link in notes.findall("atom:link", namespaces=OPDS_NS)}
    assert links["http://opds-spec.org/image"].get("type") == "image/png"
    assert links["http://opds-spec.org/image/thumbnail"].get("type") == "image/jpeg"
    acquisitions = notes.findall(f"atom:link[@rel='{ACQUISITION}']", namespaces=OPDS_NS)
    assert [a.get("type") for a in acquisitions] == ["application/epub+zip", "application/pdf"]
    for link in acquisitions:
        path = local(site, "all.xml", link.get("href"))
        assert int(link.get("length")) == path.stat().st_size


def test_updated_dates_come_from_the_sources(site):
    tree = etree.parse(str(site / "opds" / "all.xml"))
    feed = feed_json(site)
    for entry, pub in zip(tree.getroot().findall("atom:entry", namespaces=OPDS_NS),
                          feed["publications"], strict=True):
        updated = entry.findtext("atom:updated", namespaces=OPDS_NS)
        assert updated == pub["metadata"]["modified"]
        assert updated.endswith("Z") and updated >= "2000"


def test_identifiers_match_the_epubs(site):
    feed = feed_json(site)
    for pub in feed["publications"]:
        epub = next(link for link in pub["links"] if link.get("type") == "application/epub+zip")
        assert pub["metadata"]["identifier"] == epub_identifier(
            local(site, "all.json", epub["href"]))


def test_rfc3339():
    import datetime as dt

    assert rfc3339(dt.datetime(2006, 12, 16, 3, 4, 5, tzinfo=dt.UTC)) == "2006-12-16T03:04:05Z"
    assert rfc3339(None) == "1970-01-01T00:00:00Z"


def test_base_url_makes_links_absolute(tmp_path, fake_builder):
    from bookmaker.catalog import build_catalog
    from tests.catalog.helpers import generated_volumes

    site = tmp_path / "site"
    build_catalog(generated_volumes(tmp_path / "v")[:1], site, base_url="https://books.example/")
    feed = feed_json(site)
    assert feed["links"][0] == {"rel": "self", "type": "application/opds+json",
                                "href": "https://books.example/opds/all.json"}
    hrefs = [link["href"] for link in feed["publications"][0]["links"]]
    assert hrefs[1] == ("https://books.example/books/how-the-revolution-armed-1919/"
                        "how-the-revolution-armed-1919.epub")
    for path in sorted((site / "opds").glob("*.xml")):
        atom = etree.parse(str(path)).getroot()
        assert all(h.startswith("https://books.example/") for h in atom.xpath("//@href")), path
    for path in sorted((site / "opds").glob("*.json")):
        feed = json.loads(path.read_text(encoding="utf-8"))
        assert opds2_validator().is_valid(feed), path
        assert all(link["href"].startswith("https://books.example/") for link in feed["links"])
