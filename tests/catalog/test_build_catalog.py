"""The real catalogue: the sample volume and three generated ones, built with the real builders."""

from __future__ import annotations

import json
import zipfile

import pytest
from lxml import etree, html

from bookmaker.builders import BuildOptions
from bookmaker.catalog import build_catalog
from bookmaker.pipeline import load_volume
from tests.catalog.helpers import (
    OPDS_NS,
    SAMPLE,
    epub_identifier,
    opds2_validator,
    page_problems,
)

pytestmark = pytest.mark.slow

SLUGS_IN_ORDER = ["notes-of-a-journalist", "how-the-revolution-armed-1918",
                  "how-the-revolution-armed-1919", "how-the-revolution-armed-1920"]


def test_index_lists_every_volume_in_series_order(catalogue):
    tree = html.parse(str(catalogue.site / "index.html")).getroot()
    hrefs = tree.xpath("//li[@class='volume']//h3/a/@href")
    assert hrefs == [f"books/{slug}/index.html" for slug in SLUGS_IN_ORDER]
    assert [" ".join(t.split()) for t in tree.xpath("//li[@class='volume']//p[@class='subtitle']"
                                                     "/text()")] == [
        "Volume 1, 1918", "Volume 2, 1919", "Volume 3, 1920"]


def test_every_page_is_sound(catalogue):
    pages = sorted(catalogue.site.rglob("*.html"))
    volume_pages = [p for p in pages if p.parts[-3] == "books"]
    assert sorted(p.parent.name for p in volume_pages) == sorted(SLUGS_IN_ORDER)
    assert catalogue.site / "index.html" in pages
    assert catalogue.site / "browse/series/index.html" in pages
    for path in pages:
        assert page_problems(path.read_text(encoding="utf-8")) == [], path


def test_sample_page_contents_match_the_manifest(catalogue):
    volume = load_volume(SAMPLE)
    tree = html.parse(str(catalogue.site / "books/how-the-revolution-armed-1918/index.html"))
    titles = [" ".join(t.split()) for t in tree.xpath("//span[@class='doc-title']/text()")]
    assert titles == [doc.title for doc in volume.documents]
    assert "A Necessary Statement" in titles
    assert tree.xpath("//li[@class='part']/span/text()") == [
        "The Red Army and the Military Specialists"]


def test_covers_are_the_epub_cover_images(catalogue):
    for entry in catalogue.entries:
        epub = catalogue.site / entry.downloads[0].href
        with zipfile.ZipFile(epub) as archive:
            covers = [name for name in archive.namelist() if "cover" in name.rsplit("/", 1)[-1]
                      and name.endswith((".png", ".jpg"))]
            assert covers, f"no cover image in {epub.name}"
            assert (catalogue.site / entry.cover.href).read_bytes() in [
                archive.read(name) for name in covers]
        assert entry.thumbnail.width <= 400 and entry.thumbnail.height <= 640


def test_split_pdfs_are_offered_per_document(catalogue):
    entry = next(e for e in catalogue.entries if e.slug == "how-the-revolution-armed-1919")
    assert [d.label for d in entry.document_pdfs] == [
        "The Eastern Front Is Decisive", "After the Taking of Kazan",
        "Order No. 65 to the Southern Front"]
    for download in entry.document_pdfs:
        assert download.path.read_bytes().startswith(b"%PDF-")


def test_feeds_carry_the_epub_identifiers(catalogue):
    feed = json.loads((catalogue.site / "opds/all.json").read_text(encoding="utf-8"))
    assert opds2_validator().is_valid(feed)
    atom = etree.parse(str(catalogue.site / "opds/all.xml")).getroot()
    atom_ids = [e.findtext("atom:id", namespaces=OPDS_NS)
                for e in atom.findall("atom:entry", namespaces=OPDS_NS)]
    epub_ids = [epub_identifier(catalogue.site / f"books/{slug}/{slug}.epub")
                for slug in SLUGS_IN_ORDER]
    assert [p["metadata"]["identifier"] for p in feed["publications"]] == epub_ids == atom_ids
    assert epub_ids[2] == "urn:uuid:6f1b6c1e-0c41-4d3c-9a57-2f1f3f6e1919"  # set in its manifest


def test_a_second_run_reuses_every_output(catalogue, catalogue_volumes):
    before = {p: p.stat().st_mtime_ns for p in catalogue.site.rglob("*.epub")}
    again = build_catalog(catalogue_volumes, catalogue.site, BuildOptions(split=True),
                          title="Test Library")
    assert again.built == {slug: [] for slug in SLUGS_IN_ORDER}
    assert {p: p.stat().st_mtime_ns for p in catalogue.site.rglob("*.epub")} == before
