"""library.toml: validated like volume.toml, globs of volume folders in order."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookmaker import cli
from bookmaker.catalog.library import find_library, load_library
from bookmaker.errors import ManifestError
from tests.catalog.helpers import generated_volumes, write_volume


def library(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "library.toml").write_text(text, "utf-8")
    return root / "library.toml"


@pytest.fixture
def shelves(tmp_path) -> Path:
    """volumes/ with three generated volumes, trotsky/ with one more, and a stray folder."""
    generated_volumes(tmp_path / "volumes")
    write_volume(tmp_path / "trotsky" / "1918", 'title = "How the Revolution Armed"',
                 [(None, ["a.txt"])])
    (tmp_path / "volumes" / "not-a-volume").mkdir()
    return tmp_path


def test_globs_give_the_volumes_in_order_once_each(shelves):
    found = load_library(library(shelves, '''[library]
title = "Marxists Internet Archive — Ebooks"
base_url = "https://example.org/ebooks/"
volumes = ["trotsky/*/", "volumes/*", "volumes/notes-*"]
formats = ["epub"]
scheduler = "tcp://127.0.0.1:8786"
'''))
    assert [path.relative_to(shelves).as_posix() for path in found.volumes] == [
        "trotsky/1918", "volumes/how-the-revolution-armed-1919",
        "volumes/how-the-revolution-armed-1920", "volumes/notes-of-a-journalist"]
    assert (found.title, found.base_url, found.formats, found.scheduler) == (
        "Marxists Internet Archive — Ebooks", "https://example.org/ebooks/", ["epub"],
        "tcp://127.0.0.1:8786")


def test_a_misspelt_key_names_its_line_and_the_key_meant(shelves):
    with pytest.raises(ManifestError) as info:
        load_library(library(shelves, '[library]\ntitle = "X"\nvolumes = ["volumes/*"]\n'
                                      'formts = ["epub"]\n'))
    assert info.value.line == 4
    assert "unknown key 'library.formts'; did you mean 'formats'?" in info.value.message


@pytest.mark.parametrize("line, problem, at", [
    ('volumes = ["nowhere/*"]', "'nowhere/*' matches no volume folder", 3),
    ('volumes = ["/srv/volumes/*"]', "must be a glob inside the library's folder", 3),
    ('volumes = []', "'library.volumes': list should have at least 1 item", 3),
    ('volumes = ["volumes/*"]\nformats = ["mobi"]', "'library.formats[0]' must be one of", 4),
])
def test_bad_libraries_are_one_error_with_a_line(shelves, line, problem, at):
    with pytest.raises(ManifestError) as info:
        load_library(library(shelves, f'[library]\ntitle = "X"\n{line}\n'))
    assert problem in info.value.message
    assert info.value.line == at


def test_a_folder_holding_a_library_is_found_and_a_volume_folder_is_not(shelves):
    path = library(shelves, '[library]\nvolumes = ["volumes/*"]\n')
    assert find_library(shelves) == path
    assert find_library(path) == path
    assert find_library(shelves / "volumes" / "notes-of-a-journalist") is None


def test_catalog_builds_a_library_with_its_own_title_and_formats(shelves, fake_builder, capsys):
    library(shelves, '[library]\ntitle = "Shelf of Orders"\nvolumes = ["volumes/*"]\n'
                     'formats = ["epub"]\n')
    site = shelves / "site"
    assert cli.main(["catalog", str(shelves), "-o", str(site)]) == 0
    assert "3 volumes (3 built, 0 reused)" in " ".join(capsys.readouterr().err.split())
    assert [formats for _slug, formats in fake_builder.calls] == [("epub",)] * 3
    assert "<title>Shelf of Orders</title>" in (site / "index.html").read_text("utf-8")
    assert not list(site.rglob("*.pdf"))
    # Nothing changed: nothing is built, and the volumes are not read again.
    assert cli.main(["catalog", str(shelves / "library.toml"), "-o", str(site)]) == 0
    assert "3 volumes (0 built, 3 reused)" in " ".join(capsys.readouterr().err.split())
    assert len(fake_builder.calls) == 3
