"""The catalogue in a real browser (Debian's Chromium driven by Playwright), served locally.

Skipped when Chromium or Playwright is missing. Screenshots at phone and desktop
widths are saved under the test's tmp folder, and the desktop one also to
docs/catalog-index.png for the README.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bookmaker.pipeline import load_volume
from tests.catalog.helpers import REPO, SAMPLE

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking"]
README_SHOT = REPO / "docs" / "catalog-index.png"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, served):
    """A fresh page that records script errors and every request it makes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.errors = []
    page.requests = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()


def visible_titles(page) -> list[str]:
    return page.locator("li.volume:visible h3").all_inner_texts()


def test_index_lists_every_volume(page, served):
    page.goto(served)
    assert visible_titles(page) == ["Notes of a Journalist"] + ["How the Revolution Armed"] * 3
    assert page.locator("section.series:visible h2").all_inner_texts() == [
        "Collected Journalism", "The Military Writings of Leon Trotsky"]
    assert page.get_by_role("status").inner_text() == "4 volumes"
    assert page.errors == []


def test_filter_narrows_the_list(page, served):
    page.goto(served)
    search = page.get_by_label("Filter by title, author or series")
    search.fill("journalist")
    assert visible_titles(page) == ["Notes of a Journalist"]
    assert page.locator("section.series:visible h2").all_inner_texts() == ["Collected Journalism"]
    assert page.get_by_role("status").inner_text() == "1 of 4 volumes shown"
    search.fill("trotsky 1920")  # every word must match: author and subtitle
    assert page.locator("li.volume:visible .subtitle").all_inner_texts() == ["Volume 3, 1920"]
    search.fill("military writings")  # the series
    assert len(visible_titles(page)) == 3
    search.fill("lodz")  # no such volume (the document title is not searched)
    assert visible_titles(page) == []
    assert page.locator("#no-match").is_visible()
    search.fill("")
    assert len(visible_titles(page)) == 4
    assert not page.locator("#no-match").is_visible()
    assert page.errors == []


def test_filter_works_from_a_plain_folder(browser, catalogue):
    context = browser.new_context()
    page = context.new_page()
    page.goto(catalogue.site.joinpath("index.html").as_uri())
    page.get_by_label("Filter by title, author or series").fill("Rosa")
    assert visible_titles(page) == ["Notes of a Journalist"]
    context.close()


def test_download_link_returns_the_epub(page, served, catalogue):
    page.goto(served)
    item = page.locator("li.volume", has_text="Volume 1, 1918")
    name = "Download How the Revolution Armed: Volume 1, 1918 as EPUB"
    link = item.get_by_role("link", name=name)
    href = link.get_attribute("href")
    expected = (catalogue.site / href).read_bytes()
    response = page.request.get(served + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/epub+zip"
    assert response.body() == expected
    with page.expect_download() as info:
        link.click()
    assert Path(info.value.path()).read_bytes() == expected
    assert info.value.suggested_filename == "how-the-revolution-armed-1918.epub"


def test_volume_page_contents_match_the_manifest(page, served):
    page.goto(served)
    page.locator("li.volume", has_text="Volume 1, 1918").get_by_role(
        "link", name="How the Revolution Armed", exact=True).click()
    page.wait_for_url("**/books/how-the-revolution-armed-1918/index.html")
    volume = load_volume(SAMPLE)
    assert page.locator(".toc .doc-title").all_inner_texts() == [d.title for d in volume.documents]
    assert page.locator(".toc .part-title").all_inner_texts() == [
        p.title for p in volume.parts if p.title]
    assert page.get_by_role("heading", level=1).inner_text().startswith("How the Revolution Armed")
    assert page.get_by_role("img", name="Cover of How the Revolution Armed: Volume 1, 1918"
                            ).evaluate("img => img.naturalWidth") > 0
    assert page.errors == []


def test_nothing_is_requested_from_elsewhere(page, served):
    page.goto(served)
    page.get_by_label("Filter by title, author or series").fill("trotsky")
    page.goto(served + "books/how-the-revolution-armed-1919/index.html")
    assert page.requests and all(url.startswith(served) for url in page.requests)


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_without_sideways_scrolling(page, served, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(served)
    page.wait_for_load_state("networkidle")
    page.evaluate("Promise.all([...document.images].map(i => i.decode()))")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot = tmp_path / f"catalog-index-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if width == 1280:
        README_SHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, README_SHOT)
    page.goto(served + "books/how-the-revolution-armed-1919/index.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"catalog-volume-{width}.png"), full_page=True)


def test_search_page_finds_volumes_across_the_catalogue(page, served):
    page.goto(served + "search.html?q=journalist")
    results = page.locator("#search-results li")
    assert results.count() == 1
    assert results.locator("a").inner_text() == "Notes of a Journalist"
    page.get_by_label("Search by title, author or series").fill("trotsky")
    assert page.locator("#search-results li").count() == 3
    assert page.get_by_role("status").inner_text() == "3 volumes match."
    page.locator("#search-results li a").first.click()
    page.wait_for_url("**/books/how-the-revolution-armed-*/index.html")
    assert page.errors == []
