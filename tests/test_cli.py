"""The command line: what a user sees, and the exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bookmaker.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "volumes" / "how-the-revolution-armed-1918"
FURNITURE = [
    "Military Writings", "Transcribed", "David Walters", "return return", "Last updated", "* * *"
]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(err: str, starts: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "no error printed"
    assert lines[-1].startswith(f"error: {starts}"), lines[-1]
    assert "Traceback" not in err


def test_inspect_json_on_sample(capsys):
    code, out, err = run(capsys, "inspect", SAMPLE, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["volume"]["title"] == "How the Revolution Armed"
    assert report["volume"]["series_number"] == 1
    titles = [doc["title"] for doc in report["documents"]]
    assert titles == ["A Note on This Edition", "A Necessary Statement"]
    seed = report["documents"][1]
    assert seed["date"] == "1918-12-30"
    assert seed["part"] == "The Red Army and the Military Specialists"
    assert seed["paragraphs"] == 6
    assert 530 <= seed["words"] <= 545
    assert seed["notes"] == 0
    assert seed["credits"] == [
        "Transcribed and HTML markup for the Trotsky Internet Archive by David Walters"
    ]
    editors_note = report["documents"][0]
    assert editors_note["kind"] == "front"
    assert editors_note["notes"] == 1


def test_inspect_body_has_no_furniture():
    from bookmaker.pipeline import load_volume

    volume = load_volume(SAMPLE)
    seed = volume.documents[1]
    body = seed.body_html
    for word in FURNITURE:
        assert word not in body, word
    assert seed.blocks[0].text.startswith("Wholesale and frequently unjustified attacks")
    assert seed.blocks[-1].text.endswith("in the service of the Soviets.")
    # smart punctuation: the archive's apostrophes are already curly and stay so
    assert "workers’ and peasants’ blood" in body


def test_inspect_table(capsys):
    code, out, _ = run(capsys, "inspect", SAMPLE)
    assert code == 0
    assert "A Necessary Statement" in out
    assert "How the Revolution Armed" in out


def test_manifest_error_is_one_line(tmp_path, capsys):
    folder = tmp_path / "vol"
    shutil.copytree(SAMPLE, folder)
    manifest = folder / "volume.toml"
    manifest.write_text(manifest.read_text().replace("front =", "frnot ="), "utf-8")
    code, _, err = run(capsys, "build", folder, "-o", tmp_path / "out")
    assert code == 2
    assert_one_line_error(err, f"{manifest}:")
    assert "unknown key 'volume.frnot'; did you mean 'front'?" in err
    assert not (tmp_path / "out").exists()


def test_missing_volume(tmp_path, capsys):
    code, _, err = run(capsys, "inspect", tmp_path / "nowhere")
    assert code == 2
    assert_one_line_error(err, f"{tmp_path / 'nowhere'}: no such volume folder")


def test_unknown_format(tmp_path, capsys):
    code, _, err = run(capsys, "build", SAMPLE, "-f", "mobi", "-o", tmp_path)
    assert code == 4
    assert_one_line_error(err, "unknown format 'mobi'")


def test_usage_error_is_one_line(capsys):
    code, _, err = run(capsys, "build")
    assert code == 2
    assert_one_line_error(err, "Missing argument")


def test_new_scaffolds_a_volume_that_reads(tmp_path, capsys):
    folder = tmp_path / "my-volume"
    code, _, err = run(capsys, "new", folder)
    assert code == 0, err
    assert (folder / "volume.toml").is_file()
    code, out, err = run(capsys, "inspect", folder, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["volume"]["title"] == "My Volume"
    assert [d["title"] for d in report["documents"]] == ["Introduction", "The First Document"]
    code, _, err = run(capsys, "new", folder)
    assert code == 1
    assert_one_line_error(err, f"{folder / 'volume.toml'}: a volume already exists")


def test_document_error_names_the_file(tmp_path, capsys):
    folder = tmp_path / "vol"
    shutil.copytree(SAMPLE, folder)
    (folder / "texts" / "a-necessary-statement.txt").write_bytes(b"")
    code, _, err = run(capsys, "inspect", folder)
    assert code == 3
    assert_one_line_error(err, "texts/a-necessary-statement.txt: ")
    assert "empty" in err


def test_debug_shows_traceback(tmp_path):
    with pytest.raises(Exception) as info:
        main(["--debug", "inspect", str(tmp_path / "nowhere")])
    assert "no such volume folder" in str(info.value)


def test_progress_bars_count_documents_read_and_rendered(tmp_path, monkeypatch, capsys):
    # On a terminal, the build shows documents read / total and documents rendered
    # into the PDF / total; elsewhere (as under pytest) it shows none.
    import io

    from rich.console import Console

    from benchmarks.generate import generate_volume
    from bookmaker import cli

    volume = generate_volume(tmp_path, 12, words=300)
    terminal = io.StringIO()
    monkeypatch.setattr(cli, "stderr", Console(file=terminal, force_terminal=True, width=100))
    code, _, _ = run(capsys, "build", volume.root, "-f", "pdf", "-o", tmp_path / "out",
                     "--cache-dir", tmp_path / "cache", "--jobs", "2")
    assert code == 0
    shown = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", terminal.getvalue())  # colours, cursor

    def counts(bar: str) -> list[int]:
        return [int(done) for done in re.findall(rf"{bar}[ ━╸╺]+(\d+)/12 ", shown)]

    assert counts("read")[-1] == 12
    rendered = counts("PDF documents")
    # Counted as the groups come back: from fewer than 12 up to 12.
    assert rendered[0] < 12 and rendered[-1] == 12


def test_inspect_flags_the_guesses_it_made(tmp_path, capsys):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "orders.htm").write_text(
        "<html><head><title>Leon Trotsky: An Order</title></head><body>"
        "<p>The long text of the order, read to the soldiers of the Fifth Army, with no "
        "heading of its own on the page and no date at its end.</p>"
        '<h3>Notes</h3><p>1. A note that nothing calls.</p></body></html>', "utf-8")
    (tmp_path / "volume.toml").write_text(
        '[volume]\ntitle = "V"\nauthors = ["A"]\ndocuments = ["texts/orders.htm"]\n', "utf-8")
    code, out, err = run(capsys, "inspect", str(tmp_path), "--json")
    assert code == 0, err
    guesses = json.loads(out)["documents"][0]["guesses"]
    assert guesses == ["title taken from the page's <title>", "no date found",
                       "note 1 kept without a call"]
