"""Collecting volumes: building into the site, reusing fresh outputs, reading the EPUB back."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest
from PIL import Image

from bookmaker import pipeline
from bookmaker.builders import BuildOptions
from bookmaker.catalog import build_catalog
from bookmaker.catalog.collect import read_epub_facts
from bookmaker.errors import BookmakerError, BuildError, ManifestError
from tests.catalog.helpers import fake_epub, generated_volumes, png_bytes


@pytest.fixture
def volumes(tmp_path) -> list[Path]:
    return generated_volumes(tmp_path / "volumes")


def catalogue(volumes, site, builder, **kwargs):
    """The catalogue, built with ``builder`` standing in for the render step."""
    return build_catalog(volumes, site, **kwargs)


def test_builds_each_volume_into_its_folder(volumes, tmp_path, fake_builder):
    site = tmp_path / "site"
    report = catalogue(volumes, site, fake_builder)
    assert fake_builder.calls == [
        ("how-the-revolution-armed-1919", ("epub", "pdf")),
        ("how-the-revolution-armed-1920", ("epub", "pdf")),
        ("notes-of-a-journalist", ("epub", "pdf")),
    ]
    entry = report.entries[0]
    assert [d.href for d in entry.downloads] == [
        "books/how-the-revolution-armed-1919/how-the-revolution-armed-1919.epub",
        "books/how-the-revolution-armed-1919/how-the-revolution-armed-1919.pdf",
    ]
    assert [d.media_type for d in entry.downloads] == ["application/epub+zip", "application/pdf"]
    assert entry.downloads[1].size == (site / entry.downloads[1].href).stat().st_size
    assert entry.identifier == "urn:uuid:fake-how-the-revolution-armed-1919"
    assert report.built == {slug: ["epub", "pdf"] for slug, _ in fake_builder.calls}


def test_fresh_outputs_are_reused(volumes, tmp_path, fake_builder):
    site = tmp_path / "site"
    catalogue(volumes, site, fake_builder)
    fake_builder.calls.clear()
    report = catalogue(volumes, site, fake_builder)
    assert fake_builder.calls == []
    assert report.built == {e.slug: [] for e in report.entries}
    assert report.entries[0].reused == ["epub", "pdf"]


def test_a_touched_document_rebuilds_only_its_volume(volumes, tmp_path, fake_builder):
    site = tmp_path / "site"
    catalogue(volumes, site, fake_builder)
    fake_builder.calls.clear()
    later = time.time() + 5
    os.utime(volumes[1] / "texts" / "wrangel.txt", (later, later))
    catalogue(volumes, site, fake_builder)
    assert fake_builder.calls == [("how-the-revolution-armed-1920", ("epub", "pdf"))]


def test_a_touched_manifest_rebuilds(volumes, tmp_path, fake_builder):
    site = tmp_path / "site"
    catalogue(volumes, site, fake_builder)
    fake_builder.calls.clear()
    later = time.time() + 5
    os.utime(volumes[2] / "volume.toml", (later, later))
    catalogue(volumes, site, fake_builder)
    assert fake_builder.calls == [("notes-of-a-journalist", ("epub", "pdf"))]


def test_another_version_or_split_setting_rebuilds(volumes, tmp_path, fake_builder,
                                                   monkeypatch):
    import bookmaker

    site = tmp_path / "site"
    catalogue(volumes[:1], site, fake_builder)
    monkeypatch.setattr(bookmaker, "__version__", "0.0.1")
    fake_builder.calls.clear()
    catalogue(volumes[:1], site, fake_builder)
    assert len(fake_builder.calls) == 1
    fake_builder.calls.clear()
    report = catalogue(volumes[:1], site, fake_builder, options=BuildOptions(split=True))
    assert len(fake_builder.calls) == 1
    assert [d.label for d in report.entries[0].document_pdfs] == [
        doc.title for doc in report.entries[0].volume.documents]


def test_a_missing_output_is_put_back_without_a_build(volumes, tmp_path, fake_builder):
    site = tmp_path / "site"
    catalogue(volumes[:1], site, fake_builder)
    pdf = site / "books" / volumes[0].name / f"{volumes[0].name}.pdf"
    kept = pdf.read_bytes()
    pdf.unlink()
    fake_builder.calls.clear()
    report = catalogue(volumes[:1], site, fake_builder)
    assert fake_builder.calls == []
    assert pdf.read_bytes() == kept
    assert report.entries[0].reused == ["epub", "pdf"]


def test_outputs_are_readable_by_a_web_server(volumes, tmp_path, monkeypatch):
    import bookmaker.pipeline
    from bookmaker.pipeline import Output

    def private_builder(volume, formats, out_dir, options=None, check=None):
        made = {}
        for fmt in formats:
            target = Path(out_dir) / f"{volume.slug}.{fmt}"
            fake_epub(target, "urn:x:1", png_bytes()) if fmt == "epub" else target.write_bytes(b"x")
            target.chmod(0o600)  # as the pipeline's temporary files are
            made[fmt] = Output(fmt, target)
        return made

    monkeypatch.setattr(bookmaker.pipeline, "render", private_builder)
    site = tmp_path / "site"
    report = catalogue(volumes[:1], site, private_builder)
    for download in report.entries[0].downloads:
        assert download.path.stat().st_mode & stat.S_IROTH


def test_cover_and_thumbnail_come_from_the_epub(volumes, tmp_path, fake_builder):
    report = catalogue(volumes[:1], tmp_path / "site", fake_builder)
    entry = report.entries[0]
    assert entry.cover.href.endswith("/cover.png")
    assert (entry.cover.width, entry.cover.height) == (160, 256)
    with Image.open(tmp_path / "site" / entry.thumbnail.href) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (entry.thumbnail.width, entry.thumbnail.height)
        assert thumb.getpixel((10, 10))[0] > 120  # the red of the cover survived


def test_read_epub_facts_uses_the_unique_identifier(tmp_path):
    epub = tmp_path / "a.epub"
    fake_epub(epub, "urn:uuid:1234", png_bytes((10, 16)))
    facts = read_epub_facts(epub)
    assert facts.identifier == "urn:uuid:1234"  # not the first dc:identifier (isbn:0000)
    assert facts.cover_type == "image/png"
    assert facts.cover.startswith(b"\x89PNG")


def test_epub_without_cover_gives_no_cover(tmp_path):
    epub = tmp_path / "a.epub"
    fake_epub(epub, "urn:uuid:1234")
    facts = read_epub_facts(epub)
    assert (facts.identifier, facts.cover) == ("urn:uuid:1234", None)


def test_damaged_epub_is_a_build_error(tmp_path):
    epub = tmp_path / "a.epub"
    epub.write_bytes(b"not a zip")
    with pytest.raises(BuildError, match="cannot read the built EPUB"):
        read_epub_facts(epub)


def test_two_volumes_with_one_slug_are_refused(volumes, tmp_path, fake_builder):
    twin = tmp_path / "elsewhere" / volumes[0].name
    twin.parent.mkdir()
    twin.symlink_to(volumes[0], target_is_directory=True)
    with pytest.raises(ManifestError, match="share the folder name"):
        catalogue([volumes[0], twin], tmp_path / "site", fake_builder)


def test_no_volumes_is_an_error(tmp_path, fake_builder):
    with pytest.raises(BookmakerError, match="at least one volume"):
        catalogue([], tmp_path / "site", fake_builder)


def test_unknown_format_is_refused_before_building(volumes, tmp_path):
    with pytest.raises(BookmakerError, match="unknown format 'mobi'"):
        build_catalog(volumes, tmp_path / "site", formats=["epub", "mobi"])
    assert not (tmp_path / "site" / "books").exists()


def test_loading_uses_the_pipeline(volumes, tmp_path, fake_builder):
    report = catalogue(volumes, tmp_path / "site", fake_builder)
    expected = pipeline.load_volume(volumes[0])
    assert [d.title for d in report.entries[0].volume.documents] == [
        d.title for d in expected.documents]
    assert [p.title for p in report.entries[0].volume.parts] == [
        "On the Eastern Front", "On the Southern Front"]


def test_pdf_only_catalogue_uses_the_builders_identifier(volumes, tmp_path, fake_builder):
    from bookmaker.model import book_identifier

    report = catalogue(volumes, tmp_path / "site", fake_builder, formats=["pdf"])
    assert [d.format for d in report.entries[1].downloads] == ["pdf"]
    assert report.entries[0].identifier == "urn:uuid:6f1b6c1e-0c41-4d3c-9a57-2f1f3f6e1919"
    assert report.entries[1].identifier == book_identifier(report.entries[1].volume)
    assert report.entries[1].identifier.startswith("urn:uuid:")
    assert report.entries[1].cover is None


def test_a_missing_split_pdf_is_put_back(volumes, tmp_path, fake_builder):
    site = tmp_path / "site"
    split = BuildOptions(split=True)
    catalogue(volumes[:1], site, fake_builder, options=split)
    offprint = site / "books" / volumes[0].name / f"{volumes[0].name}-kazan.pdf"
    offprint.unlink()
    fake_builder.calls.clear()
    report = catalogue(volumes[:1], site, fake_builder, options=split)
    assert fake_builder.calls == []
    assert offprint.is_file()
    assert len(report.entries[0].document_pdfs) == 3
