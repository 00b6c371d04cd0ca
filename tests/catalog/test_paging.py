"""The catalogue at scale: paged lists and feeds, facets, OpenSearch, incremental writes.

Entries are made directly (``benchmarks.catalog.make_entries``), as the collector
gives them, without building books: only the pages and feeds are written.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from lxml import etree, html

from benchmarks.catalog import make_entries
from bookmaker.catalog.facets import paginate, shelve
from bookmaker.catalog.opds import ACQUISITION, ATOM_TYPE, NAVIGATION_TYPE, write_feeds
from bookmaker.catalog.site import write_site
from tests.catalog.helpers import OPDS_NS, opds2_validator, page_problems

OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
OPENSEARCH_NS = {"os": OPENSEARCH}
TITLE = "Big Library"


def generate(site: Path, entries) -> None:
    write_site(site, entries, TITLE)
    write_feeds(site, entries, TITLE, "bookmaker")


@pytest.fixture(scope="module")
def entries():
    """120 volumes by 3 authors (so each has more than one page), 4 series, 12 languages."""
    return make_entries(120, authors=3, series=4)


@pytest.fixture(scope="module")
def big(tmp_path_factory, entries) -> Path:
    site = tmp_path_factory.mktemp("big")
    generate(site, entries)
    return site


def resolve(page: Path, href: str) -> Path:
    return Path(unquote(urljoin(page.as_uri(), href).removeprefix("file://")).split("#")[0])


def atom(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def link(root, rel: str) -> str | None:
    found = root.find(f"atom:link[@rel='{rel}']", namespaces=OPDS_NS)
    return None if found is None else found.get("href")


def follow_atom(first: Path) -> list[Path]:
    """Every page of a feed, from its first page along rel="next"; checks each step back."""
    pages = [first]
    while (href := link(atom(pages[-1]), "next")) is not None:
        following = resolve(pages[-1], href)
        assert following.is_file(), href
        assert resolve(following, link(atom(following), "previous")) == pages[-1]
        pages.append(following)
    return pages


def ids_of(pages: list[Path]) -> list[str]:
    return [e.findtext("atom:id", namespaces=OPDS_NS) for p in pages
            for e in atom(p).findall("atom:entry", namespaces=OPDS_NS)]


def index_order(entries) -> list[str]:
    """Series alphabetically then number (volumes without a series last), computed here."""
    def key(e):
        info = e.volume.info
        return (info.series is None, (info.series or "").casefold(), info.series_number or 0,
                info.title.casefold(), e.identifier)
    return [e.identifier for e in sorted(entries, key=key)]


# ------------------------------------------------------------------------ OPDS


def test_all_volumes_feed_pages_of_50_50_20(big, entries):
    pages = follow_atom(big / "opds" / "all.xml")
    assert [p.name for p in pages] == ["all.xml", "all_2.xml", "all_3.xml"]
    counts = [len(atom(p).findall("atom:entry", namespaces=OPDS_NS)) for p in pages]
    assert counts == [50, 50, 20]
    assert ids_of(pages) == index_order(entries)
    for page in pages:
        root = atom(page)
        assert resolve(page, link(root, "first")) == pages[0]
        assert resolve(page, link(root, "last")) == pages[-1]
        assert resolve(page, link(root, "self")) == page
        assert root.findtext("opensearch:totalResults", namespaces={
            "opensearch": OPENSEARCH_NS["os"]}) == "120"
    assert link(atom(pages[0]), "previous") is None
    assert atom(pages[1]).findtext(f"{{{OPENSEARCH}}}startIndex") == "51"


def test_newest_feed_is_newest_first(big, entries):
    pages = follow_atom(big / "opds" / "new.xml")
    updated = [e.findtext("atom:updated", namespaces=OPDS_NS) for p in pages
               for e in atom(p).findall("atom:entry", namespaces=OPDS_NS)]
    assert len(updated) == 120 and updated == sorted(updated, reverse=True)
    assert sorted(ids_of(pages)) == sorted(e.identifier for e in entries)


def test_every_atom_feed_is_well_formed_with_its_kind(big):
    feeds = sorted((big / "opds").glob("*.xml"))
    kinds = Counter()
    for path in feeds:
        root = atom(path)
        self_link = root.find("atom:link[@rel='self']", namespaces=OPDS_NS)
        kind = self_link.get("type")
        kinds[kind] += 1
        assert kind in (ATOM_TYPE, NAVIGATION_TYPE), path
        assert root.findtext("atom:id", namespaces=OPDS_NS).startswith("urn:uuid:")
        start = root.find("atom:link[@rel='start']", namespaces=OPDS_NS)
        assert start.get("type") == NAVIGATION_TYPE
        assert resolve(path, start.get("href")) == big / "opds" / "catalog.xml"
        for entry in root.findall("atom:entry", namespaces=OPDS_NS):
            links = entry.findall("atom:link", namespaces=OPDS_NS)
            if kind == NAVIGATION_TYPE:  # entries lead to other feeds
                assert [lk.get("type").split(";")[0] for lk in links] == ["application/atom+xml"]
            else:  # entries are books
                assert any(lk.get("rel") == ACQUISITION for lk in links)
            for lk in links:  # books and covers are not made here: pages and feeds are
                if lk.get("type").startswith(("text/html", "application/atom+xml")):
                    assert resolve(path, lk.get("href")).is_file(), (path, lk.get("href"))
        for lk in root.findall("atom:link", namespaces=OPDS_NS):
            assert resolve(path, lk.get("href")).is_file(), (path, lk.get("href"))
    assert atom(big / "opds" / "catalog.xml").find(
        "atom:link[@rel='self']", namespaces=OPDS_NS).get("type") == NAVIGATION_TYPE
    assert kinds[NAVIGATION_TYPE] == 5  # the root, authors, series, languages, subjects


def test_root_navigation_leads_to_each_facet(big):
    root = atom(big / "opds" / "catalog.xml")
    entries = root.findall("atom:entry", namespaces=OPDS_NS)
    titles = [e.findtext("atom:title", namespaces=OPDS_NS) for e in entries]
    assert titles == ["All volumes", "Newest volumes", "By author", "By series", "By language",
                      "By subject"]
    rels = [e.find("atom:link", namespaces=OPDS_NS).get("rel") for e in entries]
    assert rels[1] == "http://opds-spec.org/sort/new"


@pytest.mark.parametrize("facet, navigation, values", [
    ("author", "authors.xml", lambda info: info.authors),
    ("series", "series.xml", lambda info: [info.series] if info.series else []),
    ("language", "languages.xml", lambda info: [info.language]),
    ("subject", "subjects.xml", lambda info: info.subjects),
])
def test_each_facet_value_lists_exactly_its_volumes(big, entries, facet, navigation, values):
    expected: dict[str, list[str]] = {}
    for entry in entries:
        for value in values(entry.volume.info):
            expected.setdefault(value, []).append(entry.identifier)
    nav_path = big / "opds" / navigation
    found = {}
    for item in atom(nav_path).findall("atom:entry", namespaces=OPDS_NS):
        label = item.findtext("atom:title", namespaces=OPDS_NS)
        first = resolve(nav_path, item.find("atom:link", namespaces=OPDS_NS).get("href"))
        pages = follow_atom(first)
        assert all(len(atom(p).findall("atom:entry", namespaces=OPDS_NS)) <= 50 for p in pages)
        found[label] = ids_of(pages)
        assert int(item.find("atom:link", namespaces=OPDS_NS).get(
            "{http://purl.org/syndication/thread/1.0}count")) == len(found[label])
    if facet == "language":  # shown by name: map the tags the way the page shows them
        from bookmaker.catalog.facets import FACETS
        label_of = next(f for f in FACETS if f.key == "language").label
        expected = {label_of(tag): ids for tag, ids in expected.items()}
    assert {k: sorted(v) for k, v in found.items()} == {k: sorted(v) for k, v in expected.items()}
    assert all(len(ids) == len(set(ids)) for ids in found.values())
    if facet == "author":
        assert max(len(ids) for ids in found.values()) > 50  # paging was exercised


def test_language_facets_on_the_all_feed(big):
    root = atom(big / "opds" / "all.xml")
    facets = root.findall("atom:link[@rel='http://opds-spec.org/facet']", namespaces=OPDS_NS)
    assert len(facets) == 12
    assert {f.get("{http://opds-spec.org/2010/catalog}facetGroup") for f in facets} == {
        "Language"}
    german = atom(big / "opds" / "language-de.xml").find(
        "atom:link[@title='German'][@rel='http://opds-spec.org/facet']", namespaces=OPDS_NS)
    assert german.get("{http://opds-spec.org/2010/catalog}activeFacet") == "true"


def test_every_opds2_file_is_valid_and_paged(big):
    validator = opds2_validator()
    files = sorted((big / "opds").glob("*.json"))
    assert len(files) == len(list((big / "opds").glob("*.xml")))
    for path in files:
        feed = json.loads(path.read_text(encoding="utf-8"))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(feed)]
        assert errors == [], path
        for item in feed["links"] + feed.get("navigation", []):
            assert resolve(path, item["href"]).is_file(), (path, item["href"])
    second = json.loads((big / "opds" / "all_2.json").read_text(encoding="utf-8"))
    assert {k: second["metadata"][k] for k in ("numberOfItems", "itemsPerPage",
                                               "currentPage")} == {
        "numberOfItems": 120, "itemsPerPage": 50, "currentPage": 2}
    rels = {item["rel"]: item["href"] for item in second["links"]}
    assert (rels["prev"], rels["next"], rels["first"], rels["last"]) == (
        "../opds/all.json", "../opds/all_3.json", "../opds/all.json", "../opds/all_3.json")
    assert len(second["publications"]) == 50
    root = json.loads((big / "opds" / "catalog.json").read_text(encoding="utf-8"))
    assert [n["title"] for n in root["navigation"]][2:] == [
        "By author", "By series", "By language", "By subject"]


def test_opensearch_description_is_well_formed_and_linked(big):
    description = etree.parse(str(big / "opensearch.xml")).getroot()
    assert description.tag == f"{{{OPENSEARCH}}}OpenSearchDescription"
    assert len(description.findtext("os:ShortName", namespaces=OPENSEARCH_NS)) <= 16
    url = description.find("os:Url[@type='text/html']", namespaces=OPENSEARCH_NS)
    assert url.get("template") == "search.html?q={searchTerms}"
    assert (big / "search.html").is_file()
    for path in (big / "opds").glob("*.xml"):
        search = atom(path).find("atom:link[@rel='search']", namespaces=OPDS_NS)
        assert search.get("type") == "application/opensearchdescription+xml"
        assert resolve(path, search.get("href")) == big / "opensearch.xml"
    index = html.parse(str(big / "index.html")).getroot()
    assert index.xpath("//link[@rel='search']/@type") == ["application/opensearchdescription+xml"]


# ------------------------------------------------------------------------ site


def follow_html(first: Path) -> list[Path]:
    pages = [first]
    while True:
        tree = html.parse(str(pages[-1])).getroot()
        nxt = tree.xpath("//nav[@class='pager']//a[@rel='next']/@href")
        if not nxt:
            return pages
        following = resolve(pages[-1], nxt[0])
        back = html.parse(str(following)).getroot().xpath(
            "//nav[@class='pager']//a[@rel='prev']/@href")
        assert resolve(following, back[0]) == pages[-1]
        pages.append(following)


def volume_links(pages: list[Path]) -> list[Path]:
    return [resolve(p, href) for p in pages
            for href in html.parse(str(p)).getroot().xpath("//li[@class='volume']//h3/a/@href")]


def test_the_index_is_paged_and_lists_every_volume_once(big, entries):
    pages = follow_html(big / "index.html")
    assert [p.name for p in pages] == ["index.html", "page-2.html", "page-3.html"]
    linked = volume_links(pages)
    order = index_order(entries)
    assert [p.parent.name for p in linked] == [
        e.slug for e in sorted(entries, key=lambda e: order.index(e.identifier))]
    assert all(p.is_file() for p in linked)
    for page in pages:
        assert len(volume_links([page])) <= 50
        assert page_problems(page.read_text(encoding="utf-8")) == [], page


def test_each_facet_page_links_its_volumes_exactly_once(big, entries):
    shelves = shelve(entries)
    checked = 0
    for folder in ("authors", "series", "languages", "subjects"):
        values_page = big / "browse" / folder / "index.html"
        assert page_problems(values_page.read_text(encoding="utf-8")) == []
        tree = html.parse(str(values_page)).getroot()
        for href in tree.xpath("//ul[@class='facet-values']//a/@href"):
            first = resolve(values_page, href)
            linked = volume_links(follow_html(first))
            assert len(linked) == len(set(linked)), first
            value = next(v for vs in shelves.facets.values() for v in vs
                         if big / "browse" / folder / v.slug / "index.html" == first)
            assert sorted(p.parent.name for p in linked) == sorted(e.slug for e in value.entries)
            checked += 1
    assert checked == sum(len(values) for values in shelves.facets.values())


def test_a_volume_page_links_to_its_facets(big, entries):
    entry = next(e for e in entries if e.volume.info.subjects and e.volume.info.series)
    page = big / entry.page_href
    assert page_problems(page.read_text(encoding="utf-8")) == []
    tree = html.parse(str(page)).getroot()
    shelves = [" ".join(li.text_content().split())
               for li in tree.xpath("//nav[@class='shelves']//li")]
    assert len(shelves) == 4
    assert shelves[1].startswith(f"Series: {entry.volume.info.series} (")
    for href in tree.xpath("//nav[@class='shelves']//a/@href"):
        assert page in volume_links(follow_html(resolve(page, href)))


def test_the_search_index_holds_every_volume(big, entries):
    text = (big / "search-index.js").read_text(encoding="utf-8")
    rows = json.loads(text.split("=", 1)[1].strip().rstrip(";"))
    order = index_order(entries)
    assert [row[1] for row in rows] == [
        e.page_href for e in sorted(entries, key=lambda e: order.index(e.identifier))]


# ----------------------------------------------------------------- incremental


def snapshot(site: Path) -> dict[Path, tuple[int, int, bytes]]:
    return {p: (p.stat().st_mtime_ns, p.stat().st_ino, p.read_bytes())
            for p in site.rglob("*") if p.is_file()}


def test_a_rerun_with_nothing_changed_rewrites_nothing(tmp_path, entries):
    site = tmp_path / "site"
    generate(site, entries)
    before = snapshot(site)
    shuffled = list(entries)
    random.Random(3).shuffle(shuffled)  # the order given does not matter
    generate(site, shuffled)
    assert snapshot(site) == before


def test_same_entries_give_the_same_bytes(tmp_path, entries):
    one, two = tmp_path / "one", tmp_path / "two"
    generate(one, entries)
    generate(two, list(reversed(entries)))
    files = {p.relative_to(one): p.read_bytes() for p in one.rglob("*") if p.is_file()}
    assert files == {p.relative_to(two): p.read_bytes() for p in two.rglob("*") if p.is_file()}


def test_one_changed_volume_rewrites_only_what_shows_it(tmp_path, entries):
    site = tmp_path / "site"
    generate(site, entries)
    before = snapshot(site)
    changed = make_entries(120, authors=3, series=4)  # the same, fresh: the fixture stays
    target = changed[7]
    target.volume.info = target.volume.info.model_copy(update={"description": "New words."})
    generate(site, changed)
    after = snapshot(site)
    rewritten = [p for p in after if before[p][:2] != after[p][:2]]
    assert site / target.page_href in rewritten
    assert 0 < len(rewritten) < len(after) / 5


def test_removed_volumes_take_their_pages_and_feeds_away(tmp_path, entries):
    site = tmp_path / "site"
    generate(site, entries)
    keep_user_file = site / "books" / "notes.txt"
    keep_user_file.write_text("mine")
    assert (site / "page-3.html").is_file() and (site / "opds" / "all_3.xml").is_file()
    fewer = entries[:60]
    generate(site, fewer)
    assert not (site / "page-3.html").exists()
    assert not (site / "opds" / "all_3.xml").exists()
    assert not (site / "opds" / "all_3.json").exists()
    gone = {e.slug for e in entries[60:]}
    assert not any((site / "books" / slug / "index.html").exists() for slug in gone)
    assert keep_user_file.read_text() == "mine"
    shelves = shelve(fewer)
    subjects = {v.slug for v in shelves.facets["subject"]}
    assert {p.name for p in (site / "browse" / "subjects").iterdir() if p.is_dir()} == subjects
    for path in site.rglob("*.html"):  # nothing left links to what was removed
        for href in html.parse(str(path)).getroot().xpath("//a/@href"):
            target = resolve(path, href)
            if "books" not in target.parts or target.suffix == ".html":
                assert target.is_file(), (path, href)
    for path in (site / "opds").glob("*.xml"):
        for href in atom(path).xpath("//atom:link[not(starts-with(@rel, "
                                     "'http://opds-spec.org/acquisition'))][not(starts-with("
                                     "@rel, 'http://opds-spec.org/image'))]/@href",
                                     namespaces=OPDS_NS):
            assert resolve(path, href).is_file(), (path, href)


# ----------------------------------------------------------------------- units


def test_paginate():
    pages = paginate(list(range(120)), 50)
    assert [(p.number, p.count, len(p.items), p.start, p.previous, p.next) for p in pages] == [
        (1, 3, 50, 1, None, 2), (2, 3, 50, 51, 1, 3), (3, 3, 20, 101, 2, None)]
    assert [len(p.items) for p in paginate([], 50)] == [0]
    assert [len(p.items) for p in paginate(list(range(50)), 50)] == [50]


def test_values_that_slug_alike_get_their_own_pages():
    few = make_entries(3, authors=3)
    names = ["José Núñez", "Jose Nunez", "Ana"]
    for entry, name in zip(few, names, strict=True):
        entry.volume.info = entry.volume.info.model_copy(update={"authors": [name]})
    shelves = shelve(few)
    slugs = {v.value: v.slug for v in shelves.facets["author"]}
    assert slugs == {"Ana": "ana", "Jose Nunez": "jose-nunez", "José Núñez": "jose-nunez-2"}
    assert [v.value for v in shelves.facets["author"]] == ["Ana", "Jose Nunez", "José Núñez"]
