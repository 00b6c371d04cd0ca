"""The sectioned book (groups rendered apart, in parallel, cached) equals one render."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from bookmaker.builders import BuildOptions
from bookmaker.builders.pdf import book as pdf
from bookmaker.builders.pdf.parallel import sections as pdf_sections
from bookmaker.builders.pdf.render import Renderer
from bookmaker.model import Block, Part
from bookmaker.pipeline import load_volume
from tests.factories import make_document, make_volume, seed_volume

SAMPLE = Path(__file__).resolve().parents[3] / "volumes" / "how-the-revolution-armed-1918"


@pytest.fixture
def small_groups(monkeypatch):
    """Groups of a few documents, so that a small volume makes several."""
    monkeypatch.setattr(pdf_sections, "GROUP_WORDS", 400)


def page_words(path: Path) -> list[list[str]]:
    """Each page's words, sorted: the stamped folio is drawn after the head, not beside it."""
    return [sorted(page.extract_text().split()) for page in PdfReader(path).pages]


def page_lines(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def outline(path: Path) -> list:
    reader = PdfReader(path)

    def walk(items):
        out = []
        for item in items:
            if isinstance(item, list):
                out.append(walk(item))
            else:
                out.append((item.title, reader.get_destination_page_number(item)))
        return out

    return walk(reader.outline)


def build_both(volume, tmp_path: Path) -> tuple[Path, Path, int]:
    whole, sectioned = tmp_path / "whole.pdf", tmp_path / "sectioned.pdf"
    pdf.build(volume, whole, BuildOptions(jobs=1))
    assert pdf.use_sections(volume, BuildOptions(jobs=2, cache_dir=tmp_path / "cache"))
    result = pdf.build(volume, sectioned, BuildOptions(jobs=2, cache_dir=tmp_path / "cache"))
    return whole, sectioned, result.pages


def assert_same_book(whole: Path, sectioned: Path) -> None:
    a, b = PdfReader(whole), PdfReader(sectioned)
    assert len(a.pages) == len(b.pages)
    assert page_words(whole) == page_words(sectioned)
    assert outline(whole) == outline(sectioned)
    assert list(a.page_labels) == list(b.page_labels)
    assert a.metadata.title == b.metadata.title
    assert a.metadata.author == b.metadata.author
    assert a.metadata.creation_date == b.metadata.creation_date
    assert a.metadata.modification_date == b.metadata.modification_date


@pytest.mark.slow
def test_same_book_as_one_render(tmp_path, small_groups):
    volume = make_volume(documents=12, parts=2, notes=2)
    groups = pdf_sections.make_groups(volume, pdf.book_context(volume, None))
    assert len(groups) >= 4
    whole, sectioned, pages = build_both(volume, tmp_path)
    assert pages == len(PdfReader(sectioned).pages)
    assert_same_book(whole, sectioned)
    # The body's first page is folio 1 and the contents give the right folios.
    labels = list(PdfReader(sectioned).page_labels)
    body = labels.index("1")
    lines = page_lines(sectioned)
    assert "Statement Number 1" in lines[body + 2]  # part page, blank verso, then the opening
    contents = " ".join(lines[:body])
    for title in ("Statement Number 1", "Statement Number 7"):
        opening = next(i for i, page in enumerate(lines) if i >= body and f"{title}\n" in page)
        assert re.search(rf"{title} [. ]+{labels[opening]}\b", " ".join(contents.split()))


def test_front_matter_rendered_in_a_worker_says_its_warnings(tmp_path, small_groups, caplog):
    # With workers, the front matter renders in one of them while this process
    # assembles the body: what it warns of must still be said, once, here.
    volume = make_volume(documents=8, parts=2, notes=1)
    preface = make_document("preface", "A Preface")
    preface.kind = "front"
    preface.blocks.append(Block("figure", '<figure><img src="https://example.org/p.png"></figure>'))
    volume.parts.insert(0, Part(id="front", title=None, documents=[preface]))
    with caplog.at_level(logging.WARNING, logger="bookmaker"):
        result = pdf.build(volume, tmp_path / "b.pdf",
                           BuildOptions(jobs=2, cache_dir=tmp_path / "cache"))
    assert sum("https://example.org/p.png" in m for m in caplog.messages) == 1
    lines = page_lines(tmp_path / "b.pdf")
    assert result.pages == len(lines)
    labels = list(PdfReader(tmp_path / "b.pdf").page_labels)
    body = labels.index("1")
    preface_page = next(i for i, page in enumerate(lines) if "A Preface\n" in page)
    assert preface_page < body  # the preface is front matter, before folio 1
    assert re.search(r"A Preface [. ]+[ivx]+\b", " ".join(" ".join(lines[:body]).split()))


@pytest.mark.slow
def test_sample_volume_same_book(tmp_path, small_groups):
    volume = load_volume(SAMPLE)
    whole, sectioned, _ = build_both(volume, tmp_path)
    assert_same_book(whole, sectioned)


@pytest.mark.slow
def test_cache_renders_only_what_changed(tmp_path, small_groups, monkeypatch):
    volume = make_volume(documents=12, parts=2, notes=1)
    cache = tmp_path / "cache"
    options = BuildOptions(jobs=1, cache_dir=cache)
    rendered: list[list[str]] = []
    real = pdf_sections.render_group

    def counting(renderer, html, document_ids):
        rendered.append(document_ids)
        return real(renderer, html, document_ids)

    monkeypatch.setattr(pdf_sections, "render_group", counting)
    first = pdf.build(volume, tmp_path / "a.pdf", options)
    cold = len(rendered)
    assert cold >= 4

    rendered.clear()
    pdf.build(volume, tmp_path / "b.pdf", options)
    assert rendered == []
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()

    # Edit one document (which moves the build date on): only its group is laid out
    # again, not the front matter, and the edit and the new date are in the book.
    doc = volume.documents[5]
    doc.blocks[0] = Block("paragraph", "<p>Zebras appeared at the front.</p>",
                          "Zebras appeared at the front.")
    volume.source_date += dt.timedelta(hours=5)
    layouts: list[str] = []
    real_lay_out = Renderer.lay_out_html

    def counting_layouts(self, html, extra=None):
        layouts.append(html)
        return real_lay_out(self, html, extra)

    monkeypatch.setattr(Renderer, "lay_out_html", counting_layouts)
    rendered.clear()
    second = pdf.build(volume, tmp_path / "c.pdf", options)
    assert len(rendered) == 1 and doc.id in rendered[0]
    assert len(layouts) == 1
    assert second.pages == first.pages
    assert "Zebras appeared at the front." in " ".join(page_lines(tmp_path / "c.pdf"))
    dated = PdfReader(tmp_path / "c.pdf").metadata.creation_date
    assert dated == PdfReader(tmp_path / "a.pdf").metadata.creation_date + dt.timedelta(hours=5)

    # A style change touches every group.
    volume.settings.pdf.font_size = "10.5pt"
    rendered.clear()
    pdf.build(volume, tmp_path / "d.pdf", options)
    assert len(rendered) == cold


def test_contents_folios_stamped_into_the_early_front_matter(tmp_path, small_groups,
                                                              monkeypatch):
    # The front matter is rendered once, with placeholders, beside the groups; its
    # contents then give the real folios, as a render with the numbers would.
    from bookmaker.builders.pdf.parallel import contents as pdf_contents

    volume = make_volume(documents=12, parts=2, notes=1)
    assert pdf_contents.can_stamp(volume)
    fronts: list[str] = []
    real = pdf_sections.render_front

    def counting(renderer, html):
        fronts.append(html)
        return real(renderer, html)

    monkeypatch.setattr(pdf_sections, "render_front", counting)
    whole, sectioned = tmp_path / "whole.pdf", tmp_path / "sectioned.pdf"
    pdf.build(volume, whole, BuildOptions(jobs=1))
    fronts.clear()
    pdf.build(volume, sectioned, BuildOptions(jobs=1, cache_dir=tmp_path / "cache"))
    assert len(fronts) == 1 and pdf_contents.PLACEHOLDER in fronts[0]
    assert_same_book(whole, sectioned)
    assert page_lines(whole)[:6] == page_lines(sectioned)[:6]  # the text in its order


def test_contents_rendered_with_numbers_when_placeholders_are_not_found(tmp_path,
                                                                       small_groups,
                                                                       monkeypatch):
    from bookmaker.builders.pdf.parallel import contents as pdf_contents

    volume = make_volume(documents=12, parts=2, notes=1)
    monkeypatch.setattr(pdf_contents, "stamp_contents", lambda *args: None)
    whole, sectioned, _ = build_both(volume, tmp_path)
    assert_same_book(whole, sectioned)


def test_own_print_templates_are_not_stamped(tmp_path):
    from bookmaker.builders.pdf.parallel import contents as pdf_contents

    volume = make_volume(documents=2, parts=1, notes=0)
    volume.root = tmp_path
    assert pdf_contents.can_stamp(volume)
    (tmp_path / "templates" / "pdf").mkdir(parents=True)
    assert not pdf_contents.can_stamp(volume)


def test_groups_cut_at_parts_and_keep_order(small_groups):
    volume = make_volume(documents=12, parts=3, notes=0)
    groups = pdf_sections.make_groups(volume, pdf.book_context(volume, None))
    ids = [doc_id for group in groups for doc_id in group.document_ids]
    assert ids == [doc.id for doc in volume.documents]
    starts = [group.parts[0].title for group in groups]
    assert starts.count("Part Title 2") == 1 and starts.count("Part Title 3") == 1


def test_body_layout_blank_versos():
    group = pdf_sections.RenderedGroup
    layout = pdf_sections.body_layout([group(b"", ["none"] * 3, {}), group(b"", ["none"] * 2, {}),
                                       group(b"", ["none"] * 1, {})])
    # 3 pages (1-3), blank 4, then 5-6, then 7: every group opens on an odd page.
    assert layout.first_page == [1, 5, 7]
    assert layout.blank_after == [True, False, False]
    assert layout.total == 7


def test_single_render_when_sections_would_differ():
    volume = make_volume(documents=4, parts=0)
    volume.settings.pdf.openings = "page"
    assert not pdf_sections.can_render_in_sections(volume)
    volume.settings.pdf.openings = "recto"
    volume.settings.pdf.notes = "footnotes"
    assert not pdf_sections.can_render_in_sections(volume)


def test_workers_started_while_reading(tmp_path):
    """A first build of a book of several groups gets a worker per core while the
    documents are read; a rebuild one worker; a small book, a watcher or one core none."""
    from bookmaker.manifest import load_manifest

    manifest = load_manifest(seed_volume(tmp_path / "vol", 16))
    cache = tmp_path / "cache"
    first = pdf_sections.start_workers_while_reading(manifest, BuildOptions(jobs=2,
                                                                            cache_dir=cache))
    assert first is not None and first.count == 2
    first.close()
    (cache / "pdf").mkdir(parents=True)
    (cache / "pdf" / "0123.pdf").write_bytes(b"%PDF-")  # a group rendered before
    again = pdf_sections.start_workers_while_reading(manifest, BuildOptions(jobs=2,
                                                                            cache_dir=cache))
    assert again is not None and again.count == 1
    again.close()
    for options in (BuildOptions(jobs=1, cache_dir=cache),
                    BuildOptions(jobs=2, cache_dir=cache, kept={})):
        assert pdf_sections.start_workers_while_reading(manifest, options) is None
    sample = load_manifest(SAMPLE)  # one document: rendered here, whole
    assert pdf_sections.start_workers_while_reading(sample, BuildOptions(jobs=2)) is None


REBUILD = """
import sys
from pathlib import Path
from bookmaker.builders import BuildOptions
from bookmaker.pipeline import BuildRequest, build
folder, out = Path(sys.argv[1]), Path(sys.argv[2])
report = build(folder, BuildRequest(out, formats=("pdf",), options=BuildOptions(jobs=2)))
print(report.outputs["pdf"].pages, "weasyprint" in sys.modules)
"""


def test_rebuild_after_an_edit_renders_in_the_worker_started_early(tmp_path):
    """After a one-word edit the changed group is rendered by the worker started while
    the documents were read: the building process never imports WeasyPrint, and the
    book has the edit and as many pages as before."""
    import subprocess
    import sys

    folder = seed_volume(tmp_path / "vol", 16)
    out = tmp_path / "out"

    def build() -> tuple[int, bool]:
        done = subprocess.run([sys.executable, "-c", REBUILD, str(folder), str(out)],
                              capture_output=True, text=True, check=True)
        pages, imported = done.stdout.split()
        return int(pages), imported == "True"

    cold_pages, _ = build()
    text = folder / "texts" / "s004.txt"
    text.write_text(text.read_text("utf-8").replace("Soviet power", "Soviet powerzebra", 1),
                    "utf-8")
    pages, imported = build()
    assert not imported
    assert pages == cold_pages
    words = " ".join(page_lines(out / "vol.pdf"))
    assert "powerzebra" in words


READERS_RENDER = """
import sys
from pathlib import Path
from bookmaker import loading
from bookmaker.builders import BuildOptions
from bookmaker.builders.pdf import workers
from bookmaker.pipeline import BuildRequest, build
loading.PARALLEL_READ_MIN = 4
started = []
real = workers.start_pool
workers.start_pool = lambda jobs: started.append(jobs) or real(jobs)
folder, out = Path(sys.argv[1]), Path(sys.argv[2])
report = build(folder, BuildRequest(out, formats=("pdf",), options=BuildOptions(jobs=2)))
print(report.outputs["pdf"].pages, len(started))
"""


def test_first_build_renders_in_the_reading_workers(tmp_path):
    """A first build that reads in worker processes renders in the same processes once
    they have read: no render worker is started, and the book has every document."""
    import subprocess
    import sys

    folder = seed_volume(tmp_path / "vol", 16)
    done = subprocess.run([sys.executable, "-c", READERS_RENDER, str(folder), str(tmp_path)],
                          capture_output=True, text=True, check=True)
    pages, pools = map(int, done.stdout.split())
    assert pools == 0
    text = " ".join(page_lines(tmp_path / "vol.pdf"))
    assert all(f"Statement {n}" in text for n in range(1, 17))
    assert pages == len(page_lines(tmp_path / "vol.pdf"))


def test_rebuild_after_an_edit_is_the_cold_build_byte_for_byte(tmp_path, small_groups):
    """Repeatable: the book an edit's rebuild assembles from cached groups and the one
    re-rendered group is, byte for byte, the book a build from nothing makes."""
    volume = make_volume(documents=12, parts=2, notes=1)
    warm = BuildOptions(jobs=1, cache_dir=tmp_path / "cache")
    pdf.build(volume, tmp_path / "first.pdf", warm)
    volume.documents[7].blocks[0] = Block("paragraph", "<p>Zebras crossed the river.</p>",
                                          "Zebras crossed the river.")
    pdf.build(volume, tmp_path / "rebuilt.pdf", warm)
    pdf.build(volume, tmp_path / "cold.pdf", BuildOptions(jobs=1, cache_dir=tmp_path / "new"))
    assert (tmp_path / "rebuilt.pdf").read_bytes() == (tmp_path / "cold.pdf").read_bytes()
    assert "Zebras crossed the river." in " ".join(page_lines(tmp_path / "rebuilt.pdf"))
