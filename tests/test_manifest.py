"""The volume manifest: valid shapes, and every class of bad manifest with its exact error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bookmaker.errors import ManifestError
from bookmaker.manifest import load_manifest

SUPPORTED = {".txt", ".htm", ".html", ".md"}
SAMPLE = Path(__file__).resolve().parent.parent / "volumes" / "how-the-revolution-armed-1918"

HEADER = """\
[volume]
title = "How the Revolution Armed"
subtitle = "Volume 1, 1918"
series = "The Military Writings of Leon Trotsky"
series_number = 1
authors = ["Leon Trotsky"]
translators = ["Brian Pearce"]
language = "en"
date = "1918"
"""


def make_volume(tmp_path: Path, manifest: str, files=("texts/a.txt", "texts/b.htm")) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in files:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("A Title\n\nSome text.\n", "utf-8")
    (tmp_path / "volume.toml").write_text(manifest, "utf-8")
    return tmp_path


def error_of(folder: Path) -> ManifestError:
    with pytest.raises(ManifestError) as info:
        load_manifest(folder, SUPPORTED)
    return info.value


def test_sample_volume_manifest():
    manifest = load_manifest(SAMPLE, SUPPORTED)
    assert manifest.info.title == "How the Revolution Armed"
    assert manifest.info.series_number == 1
    assert manifest.slug == "how-the-revolution-armed-1918"
    assert [part.title for part in manifest.parts] == [
        None,
        "The Red Army and the Military Specialists",
    ]
    assert [doc.rel_path for doc in manifest.documents] == [
        "texts/editors-note.md",
        "texts/a-necessary-statement.txt",
    ]
    assert [doc.kind for doc in manifest.documents] == ["front", "text"]


def test_flat_list(tmp_path):
    folder = make_volume(tmp_path, HEADER + 'documents = ["texts/a.txt", "texts/b.htm"]\n')
    manifest = load_manifest(folder / "volume.toml", SUPPORTED)
    assert [doc.rel_path for doc in manifest.documents] == ["texts/a.txt", "texts/b.htm"]
    assert manifest.parts[0].title is None
    assert manifest.info.translators == ["Brian Pearce"]


def test_parts_with_override(tmp_path):
    text = HEADER + """
[[part]]
title = "Organizing the Red Army"
documents = ["texts/c.htm", { path = "texts/d.md", title = "Override title" }]

[[part]]
title = "The Eastern Front"
documents = ["texts/e.txt"]
"""
    folder = make_volume(tmp_path, text, ("texts/c.htm", "texts/d.md", "texts/e.txt"))
    manifest = load_manifest(folder, SUPPORTED)
    assert [p.title for p in manifest.parts] == ["Organizing the Red Army", "The Eastern Front"]
    assert manifest.parts[0].documents[1].title == "Override title"
    assert manifest.parts[0].documents[1].path == (folder / "texts/d.md").resolve()


def test_toml_syntax_error_gives_line_and_column(tmp_path):
    text = HEADER.replace("series_number = 1", "series_number = = 1")
    folder = make_volume(tmp_path, text + 'documents = ["texts/a.txt"]\n')
    error = error_of(folder)
    assert error.path.endswith("volume.toml")
    assert (error.line, error.column) == (5, 17)
    assert str(error).startswith(f"{error.path}:5:17: invalid TOML")


def test_unclosed_array_points_at_end_of_file(tmp_path):
    folder = make_volume(tmp_path, HEADER + 'documents = ["texts/a.txt"\n')
    error = error_of(folder)
    assert error.line == 10
    assert "Unclosed array" in error.message


def test_misspelt_key_suggests_the_right_one(tmp_path):
    folder = make_volume(tmp_path, HEADER + 'documnets = ["texts/a.txt"]\n')
    error = error_of(folder)
    assert "unknown key 'volume.documnets'" in error.message
    assert "did you mean 'documents'?" in error.message
    assert error.line == 10


def test_misspelt_table_key(tmp_path):
    folder = make_volume(tmp_path, HEADER + 'documents = ["texts/a.txt"]\n[pdf]\ntrimm = "a5"\n')
    error = error_of(folder)
    assert "unknown key 'pdf.trimm'; did you mean 'trim'?" in error.message


def test_wrong_type(tmp_path):
    text = HEADER.replace("series_number = 1", 'series_number = "one"')
    folder = make_volume(tmp_path, text + 'documents = ["texts/a.txt"]\n')
    error = error_of(folder)
    assert "'volume.series_number'" in error.message
    assert "'one'" in error.message
    assert error.line == 5


def test_bad_choice(tmp_path):
    folder = make_volume(tmp_path, HEADER + 'documents = ["texts/a.txt"]\n[pdf]\ntrim = "b5"\n')
    error = error_of(folder)
    assert "'pdf.trim' must be one of" in error.message
    assert "'b5'" in error.message


@pytest.mark.parametrize("key, value", [("font_size", "11pt; color: red"), ("bleed", "3 mm"),
                                        ("font_size", "large")])
def test_pdf_lengths_are_checked_with_the_manifest(tmp_path, key, value):
    text = HEADER + 'documents = ["texts/a.txt"]\n[pdf]\ntrim = "a5"\n' + f'{key} = "{value}"\n'
    error = error_of(make_volume(tmp_path, text))
    assert error.message == (f"'pdf.{key}': '{value}' is not a length; "
                             "write it like '11pt' or '3mm'")
    assert error.line == 13


def test_pdf_lengths_are_normalised(tmp_path):
    text = HEADER + 'documents = ["texts/a.txt"]\n[pdf]\nfont_size = " 10.5PT "\nbleed = "3mm"\n'
    manifest = load_manifest(make_volume(tmp_path, text), SUPPORTED)
    assert (manifest.settings.pdf.font_size, manifest.settings.pdf.bleed) == ("10.5pt", "3mm")


def test_missing_required_key(tmp_path):
    text = HEADER.replace('title = "How the Revolution Armed"\n', "")
    folder = make_volume(tmp_path, text + 'documents = ["texts/a.txt"]\n')
    assert "missing required key 'volume.title'" in error_of(folder).message


def test_empty_document_list(tmp_path):
    folder = make_volume(tmp_path, HEADER + "documents = []\n")
    assert "lists no documents" in error_of(folder).message


def test_empty_part(tmp_path):
    text = HEADER + '[[part]]\ntitle = "One"\ndocuments = ["texts/a.txt"]\n'
    text += '[[part]]\ntitle = "Two"\ndocuments = []\n'
    folder = make_volume(tmp_path, text)
    assert error_of(folder).message == "part 'Two' lists no documents"


def test_duplicate_document(tmp_path):
    folder = make_volume(tmp_path, HEADER + 'documents = ["texts/a.txt", "./texts/a.txt"]\n')
    message = error_of(folder).message
    assert "'./texts/a.txt' is listed twice" in message


def test_absolute_path(tmp_path):
    folder = make_volume(tmp_path, HEADER + 'documents = ["/etc/passwd"]\n')
    assert "is absolute" in error_of(folder).message


def test_dotdot_escape(tmp_path):
    (tmp_path / "outside.txt").write_text("secret", "utf-8")
    folder = make_volume(tmp_path / "vol", HEADER + 'documents = ["../outside.txt"]\n')
    assert "leaves the volume folder" in error_of(folder).message


def test_symlink_outside(tmp_path):
    (tmp_path / "outside.txt").write_text("secret", "utf-8")
    folder = make_volume(tmp_path / "vol", HEADER + 'documents = ["texts/link.txt"]\n', ())
    (folder / "texts").mkdir()
    os.symlink(tmp_path / "outside.txt", folder / "texts" / "link.txt")
    assert "outside the volume folder" in error_of(folder).message


def test_missing_document(tmp_path):
    folder = make_volume(tmp_path, HEADER + 'documents = ["texts/a.txt", "texts/nope.txt"]\n')
    error = error_of(folder)
    assert "'texts/nope.txt' not found" in error.message
    assert error.path.endswith("volume.toml")


def test_directory_instead_of_file(tmp_path):
    folder = make_volume(tmp_path, HEADER + 'documents = ["texts"]\n')
    assert "'texts' is a directory, not a file" in error_of(folder).message


def test_unsupported_type(tmp_path):
    folder = make_volume(tmp_path, HEADER + 'documents = ["texts/a.pdf"]\n', ("texts/a.pdf",))
    message = error_of(folder).message
    assert "unsupported type '.pdf'" in message
    assert ".htm" in message


def test_both_flat_and_parts(tmp_path):
    text = HEADER + 'documents = ["texts/a.txt"]\n'
    text += '[[part]]\ntitle = "X"\ndocuments = ["texts/b.htm"]\n'
    folder = make_volume(tmp_path, text)
    assert "not both" in error_of(folder).message


def test_no_manifest(tmp_path):
    error = error_of(tmp_path)
    assert "no volume.toml here" in error.message


def test_not_utf8(tmp_path):
    folder = make_volume(tmp_path, "")
    (folder / "volume.toml").write_bytes(HEADER.encode() + b'documents = ["texts/a.txt"]\n#\xff\n')
    assert "not UTF-8" in error_of(folder).message
