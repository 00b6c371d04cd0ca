"""The HTML pages: grouping and order, content of index and volume pages, sound markup."""

from __future__ import annotations

from pathlib import Path

from lxml import html

from bookmaker.catalog.site import fold, group_by_series, human_size, search_text, shorten
from tests.catalog.helpers import page_problems


def page(site: Path, relative: str):
    return html.document_fromstring((site / relative).read_text(encoding="utf-8"))


def texts(tree, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in tree.xpath(xpath)]


def test_every_page_is_sound_html(site):
    pages = sorted(site.rglob("*.html"))
    assert sorted(p.relative_to(site).as_posix() for p in pages) == sorted([
        "index.html", "search.html",
        *(f"books/{slug}/index.html" for slug in (
            "how-the-revolution-armed-1919", "how-the-revolution-armed-1920",
            "loose-leaves", "notes-of-a-journalist")),
        "browse/authors/index.html",
        *(f"browse/authors/{a}/index.html"
          for a in ("ann-other", "bea-second", "leon-trotsky", "rosa-example")),
        "browse/series/index.html",
        "browse/series/collected-journalism/index.html",
        "browse/series/the-military-writings-of-leon-trotsky/index.html",
        "browse/languages/index.html", "browse/languages/de/index.html",
        "browse/languages/en/index.html",
    ])  # no volume has subjects: no subject pages
    for path in pages:
        assert page_problems(path.read_text(encoding="utf-8")) == [], path


def test_index_groups_by_series_in_number_order(site):
    tree = page(site, "index.html")
    assert texts(tree, "//section[@class='series']/h2") == [
        "Collected Journalism", "The Military Writings of Leon Trotsky", "Other volumes"]
    trotsky = tree.xpath("//section[h2='The Military Writings of Leon Trotsky']")[0]
    assert texts(trotsky, ".//h3") == ["How the Revolution Armed"] * 2
    assert texts(trotsky, ".//p[@class='subtitle']") == ["Volume 2, 1919", "Volume 3, 1920"]
    assert texts(tree, "//section[h2='Other volumes']//h3") == ["Loose Leaves"]


def test_index_entry_shows_metadata_and_downloads(site):
    tree = page(site, "index.html")
    item = tree.xpath("//li[.//h3='Notes of a Journalist']")[0]
    assert texts(item, ".//p[@class='authors']") == ["Rosa Example"]
    assert texts(item, ".//p[@class='meta']") == ["Volume 1 · 1905 · German"]
    assert texts(item, ".//p[@class='description']") == [
        "Dispatches from a year of strikes, written for a newspaper that no longer exists."]
    thumb = item.xpath(".//img")[0]
    assert thumb.get("src") == "books/notes-of-a-journalist/thumbnail.jpg"
    assert thumb.get("alt") == "Cover of Notes of a Journalist"
    assert (site / thumb.get("src")).is_file()
    links = item.xpath(".//ul[@class='downloads']//a")
    assert [a.get("href") for a in links] == [
        "books/notes-of-a-journalist/notes-of-a-journalist.epub",
        "books/notes-of-a-journalist/notes-of-a-journalist.pdf"]
    assert [a.get("type") for a in links] == ["application/epub+zip", "application/pdf"]
    size = (site / links[1].get("href")).stat().st_size
    assert links[1].xpath("string(.//span[@class='size'])") == human_size(size)
    assert texts(item, ".//p[@class='more']") == ["1 single-document PDF"]
    assert item.get("data-search") == "notes of a journalist rosa example collected journalism"


def test_every_link_of_every_page_resolves(site):
    for path in site.rglob("*.html"):
        tree = page(site, path.relative_to(site).as_posix())
        for url in tree.xpath("//@href | //@src"):
            target = url.split("#")[0]
            if target:
                assert (path.parent / target).resolve().is_file(), (path, url)


def test_volume_page_lists_parts_and_documents(site):
    tree = page(site, "books/how-the-revolution-armed-1919/index.html")
    assert texts(tree, "//h1") == ["How the Revolution Armed: Volume 2, 1919"]
    assert texts(tree, "//p[@class='series-line']") == [
        "The Military Writings of Leon Trotsky, volume 2"]
    assert texts(tree, "//ol[@class='toc']/li[@class='part']/span") == [
        "On the Eastern Front", "On the Southern Front"]
    assert texts(tree, "//ol[@class='toc']//span[@class='doc-title']") == [
        "The Eastern Front Is Decisive", "After the Taking of Kazan",
        "Order No. 65 to the Southern Front"]
    pdfs = tree.xpath("//li[@class='doc']/a[@class='doc-pdf']/@href")
    assert pdfs == [f"../../books/how-the-revolution-armed-1919/how-the-revolution-armed-1919-{d}"
                    ".pdf" for d in ("eastern-front", "kazan", "southern-front")]


def test_volume_page_shows_description_and_credits(site):
    tree = page(site, "books/how-the-revolution-armed-1919/index.html")
    assert texts(tree, "//section[@class='about']/p") == [
        "The second volume: the civil war on every front, the year of Kolchak and Denikin."]
    credits = dict(zip(texts(tree, "//dl/div/dt"), texts(tree, "//dl/div/dd[1]"), strict=True))
    assert credits["Author"] == "Leon Trotsky"
    assert credits["Translator"] == "Brian Pearce"
    assert credits["Identifier"] == "urn:uuid:fake-how-the-revolution-armed-1919"
    assert "David Walters" in credits["Transcription"]
    loose = page(site, "books/loose-leaves/index.html")
    assert dict(zip(texts(loose, "//dl/div/dt"), texts(loose, "//dl/div/dd"), strict=True))[
        "Authors"] == "Ann Other and Bea Second"


def test_a_volume_page_speaks_the_volumes_language(site):
    tree = page(site, "books/notes-of-a-journalist/index.html")
    assert tree.xpath("//article/@lang") == ["de"]
    assert texts(tree, "//h2[@id='contents-title']") == ["Inhalt"]
    assert texts(tree, "//h2[@id='about-title']") == ["Über diesen Band"]
    assert texts(tree, "//h2[@id='credits-title']") == ["Mitwirkende"]
    assert "Autor" in texts(tree, "//dl/div/dt")
    english = page(site, "books/how-the-revolution-armed-1920/index.html")
    assert texts(english, "//h2[@id='contents-title']") == ["Contents"]


def test_flat_volume_contents_have_no_parts(site):
    tree = page(site, "books/how-the-revolution-armed-1920/index.html")
    assert tree.xpath("//li[@class='part']") == []
    assert texts(tree, "//ol[@class='toc']/li[@class='doc']/span[@class='doc-title']") == [
        "The Polish Front", "Wrangel"]


def test_assets_are_local_and_the_filter_needs_no_network(site):
    assert (site / "site.css").is_file()
    for name in ("filter.js", "search.js", "search-index.js"):
        script = (site / name).read_text()
        for needle in ("http", "fetch(", "XMLHttpRequest", "localStorage", "import "):
            assert needle not in script, name
    css = (site / "site.css").read_text()
    assert "@import" not in css and "url(" not in css and "@font-face" not in css


def test_shorten_cuts_at_a_word():
    text = "word " * 100
    short = shorten(text, 22)
    assert short == "word word word word…"
    assert shorten("Short enough.") == "Short enough."
    assert shorten(None) == ""


def test_fold_matches_the_script():
    assert fold("Łódź Écrits") == "łodz ecrits"  # Ł has no decomposition, as in JS


def test_search_text_and_groups_on_model_volumes():
    from bookmaker.catalog.collect import Entry
    from tests.factories import make_volume

    first, second = make_volume(), make_volume()
    second.info = second.info.model_copy(update={"series_number": 0.5, "title": "Zeta"})
    entries = [Entry(first, "urn:a"), Entry(second, "urn:b")]
    groups = group_by_series(entries)
    assert [[e.identifier for e in g.entries] for g in groups] == [["urn:b", "urn:a"]]
    assert search_text(entries[0]) == ("how the revolution armed volume 1, 1918 leon trotsky "
                                       "brian pearce the military writings of leon trotsky")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_colours_have_strong_contrast_in_both_schemes():
    import re

    from bookmaker.templating import TEMPLATES_DIR

    css = (TEMPLATES_DIR / "site" / "site.css").read_text()
    blocks = re.findall(r":root \{(.*?)\}", css, re.S)
    assert len(blocks) == 2  # light, and dark under prefers-color-scheme
    for block in blocks:
        colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", block))
        pairs = [("ink", "paper"), ("ink", "card"), ("muted", "paper"), ("muted", "card"),
                 ("accent", "paper"), ("accent", "card"), ("accent-ink", "accent")]
        for fore, back in pairs:
            assert contrast(colours[fore], colours[back]) >= 7, (fore, back, block)
        assert contrast(colours["focus"], colours["paper"]) >= 3


def test_a_volume_page_says_when_the_epub_has_print_page_numbers(tmp_path, fake_builder):
    from bookmaker.builders import BuildOptions
    from bookmaker.catalog import build_catalog
    from tests.catalog.helpers import write_volume

    paged = write_volume(tmp_path / "volumes" / "paged", 'title = "Paged"\nauthors = ["A"]',
                         [(None, ["leaf.txt"])])
    with (paged / "volume.toml").open("a", encoding="utf-8") as manifest:
        manifest.write('\n[epub]\npage_list = "pdf"\n')
    plain = write_volume(tmp_path / "volumes" / "plain", 'title = "Plain"\nauthors = ["A"]',
                         [(None, ["leaf.txt"])])
    site = tmp_path / "site"
    build_catalog([paged, plain], site, BuildOptions(), title="Test")
    hint = "The EPUB carries the print edition’s page numbers."
    assert hint in texts(page(site, "books/paged/index.html"), "//p[@class='hint']")
    assert hint not in texts(page(site, "books/plain/index.html"), "//p[@class='hint']")
