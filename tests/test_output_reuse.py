"""A build with nothing changed copies the kept output; any change builds again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bookmaker import loading as pipeline
from bookmaker import outputs
from bookmaker.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "volumes" / "how-the-revolution-armed-1918"


@pytest.fixture
def volume(tmp_path) -> Path:
    folder = tmp_path / "vol"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns(".bookmaker-cache"))
    return folder


def build(capsys, *args) -> tuple[int, str]:
    code = main(["build", *[str(a) for a in args], "-f", "epub"])
    return code, capsys.readouterr().err


def no_reading(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("the volume was read again")

    monkeypatch.setattr(pipeline, "load_volume", refuse)


def test_unchanged_build_copies_the_kept_output(capsys, monkeypatch, volume, tmp_path):
    out = tmp_path / "out"
    code, err = build(capsys, volume, "-o", out)
    assert code == 0, err
    first = (out / "vol.epub").read_bytes()
    (out / "vol.epub").write_bytes(b"damaged")

    no_reading(monkeypatch)
    code, err = build(capsys, volume, "-o", out)
    assert code == 0, err
    assert "vol.epub" in err and "unchanged" in err
    assert (out / "vol.epub").read_bytes() == first
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_an_edit_builds_again(capsys, volume, tmp_path):
    out = tmp_path / "out"
    assert build(capsys, volume, "-o", out)[0] == 0
    text = volume / "texts" / "a-necessary-statement.txt"
    text.write_text(text.read_text("utf-8").replace("specialists", "zebras", 1), "utf-8")
    code, err = build(capsys, volume, "-o", out)
    assert code == 0, err
    assert "unchanged" not in err
    import zipfile

    with zipfile.ZipFile(out / "vol.epub") as epub:
        assert any(b"zebras" in epub.read(name) for name in epub.namelist())


def test_a_new_template_or_option_builds_again(capsys, volume, tmp_path):
    out = tmp_path / "out"
    assert build(capsys, volume, "-o", out)[0] == 0
    (volume / "templates").mkdir()
    (volume / "templates" / "unused.txt").write_text("a new file in the volume", "utf-8")
    assert "unchanged" not in build(capsys, volume, "-o", out)[1]
    assert "unchanged" in build(capsys, volume, "-o", out)[1]
    assert "unchanged" not in build(capsys, volume, "-o", out, "--allow-remote")[1]


def test_warnings_are_said_again_and_strict_still_fails(capsys, volume, tmp_path):
    out = tmp_path / "out"
    (volume / "texts" / "untitled.md").write_text("Only a paragraph, no title.\n", "utf-8")
    manifest = volume / "volume.toml"
    manifest.write_text(manifest.read_text("utf-8").replace(
        '"texts/a-necessary-statement.txt"',
        '"texts/a-necessary-statement.txt", "texts/untitled.md"', 1), "utf-8")
    code, first = build(capsys, volume, "-o", out)
    assert code == 0 and "untitled.md" in first
    code = main(["--strict", "build", str(volume), "-o", str(out), "-f", "epub"])
    again = capsys.readouterr().err
    assert code != 0
    assert "unchanged" in again and "untitled.md" in again


def test_output_folder_inside_the_volume(capsys, monkeypatch, volume):
    assert build(capsys, volume, "-o", volume / "dist")[0] == 0
    assert "unchanged" in build(capsys, volume, "-o", volume / "dist")[1]
    # Written into the volume folder itself, the output is an input: never reused.
    assert build(capsys, volume, "-o", volume)[0] == 0
    assert "unchanged" not in build(capsys, volume, "-o", volume)[1]


def test_no_cache_keeps_nothing(capsys, volume, tmp_path):
    assert build(capsys, volume, "-o", tmp_path / "out", "--no-cache")[0] == 0
    assert not (volume / ".bookmaker-cache").exists()
    assert "unchanged" not in build(capsys, volume, "-o", tmp_path / "out", "--no-cache")[1]


def test_old_entries_are_pruned(volume, tmp_path):
    cache = tmp_path / "cache"
    made = tmp_path / "made.epub"
    made.write_bytes(b"epub")
    for number in range(4):
        outputs.keep(cache, "epub", f"key{number}", [made], None, [])
    kept = sorted(path.name for path in (cache / "outputs").iterdir())
    assert kept == [f"epub-key{n}" for n in range(4)][-outputs.KEEP_PER_FORMAT:]
    assert outputs.find(cache, "epub", "key3").files == ["made.epub"]
    assert outputs.find(cache, "epub", "key0") is None
