"""Outputs are replaced only by a whole, checked book: failures never touch a good earlier one."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from bookmaker.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "volumes" / "how-the-revolution-armed-1918"
SLUG = "how-the-revolution-armed-1918"


def cli(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bookmaker", *map(str, args)],
        capture_output=True, text=True, timeout=300,
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def good_output(tmp_path_factory):
    out = tmp_path_factory.mktemp("good")
    result = cli("build", SAMPLE, "-o", out, "--no-cache")
    assert result.returncode == 0, result.stderr
    return out


def fresh_copy(good_output: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(good_output, out)
    return out


def assert_full_disk_refused(code: int, err: str, out: Path, before: bytes) -> None:
    assert code == 7
    assert err.strip().splitlines()[-1] == (
        f"error: {out / (SLUG + '.epub')}: cannot write output: No space left on device"
    )
    assert (out / f"{SLUG}.epub").read_bytes() == before
    assert leftovers(out) == []


def test_full_disk_leaves_the_old_output(good_output, tmp_path, monkeypatch, capsys):
    out = fresh_copy(good_output, tmp_path)
    before = (out / f"{SLUG}.epub").read_bytes()
    from bookmaker.builders.epub import book as epub

    def full_disk(volume, target, options):
        target.write_bytes(b"PK half a book")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(epub, "build", full_disk)
    code = main(["build", str(SAMPLE), "-f", "epub", "-o", str(out), "--no-cache"])
    assert_full_disk_refused(code, capsys.readouterr().err, out, before)


def test_full_disk_while_copying_a_kept_output(good_output, tmp_path, monkeypatch, capsys):
    out = fresh_copy(good_output, tmp_path)
    before = (out / f"{SLUG}.epub").read_bytes()
    cache = tmp_path / "cache"
    assert main(["build", str(SAMPLE), "-f", "epub", "-o", str(tmp_path / "x"),
                 "--cache-dir", str(cache)]) == 0
    from bookmaker import outputs

    def full_disk(source, target):
        Path(target).write_bytes(b"PK half a book")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs.shutil, "copyfile", full_disk)
    code = main(["build", str(SAMPLE), "-f", "epub", "-o", str(out), "--cache-dir", str(cache)])
    assert_full_disk_refused(code, capsys.readouterr().err, out, before)


def test_failed_check_leaves_the_old_output(good_output, tmp_path, monkeypatch, capsys):
    out = fresh_copy(good_output, tmp_path)
    before = (out / f"{SLUG}.epub").read_bytes()
    from bookmaker.checks import epubcheck
    from bookmaker.checks.messages import Message

    def one_error(paths):
        return {p: [Message("RSC-005", "ERROR", "OEBPS/x.xhtml", 3, "invented")] for p in paths}

    monkeypatch.setattr(epubcheck, "run_epubcheck", one_error)
    code = main(["build", str(SAMPLE), "-f", "epub", "--check", "-o", str(out), "--no-cache"])
    err = capsys.readouterr().err
    assert code == 5
    assert "EPUBCheck reported 1 message(s); output not written" in err.splitlines()[-1]
    assert (out / f"{SLUG}.epub").read_bytes() == before
    assert leftovers(out) == []


def test_output_folder_that_is_a_file(tmp_path, capsys):
    blocker = tmp_path / "dist"
    blocker.write_text("not a folder")
    code = main(["build", str(SAMPLE), "-f", "epub", "-o", str(blocker)])
    err = capsys.readouterr().err
    assert code == 7
    assert err.strip() == f"error: {blocker}: cannot create output folder: File exists"


def test_interrupted_build_leaves_the_old_output(tmp_path):
    # A book of 30 documents: its build lasts long enough to be interrupted (in the
    # group workers) on a loaded machine; the sample's took a second, and was missed.
    from tests.factories import seed_volume

    volume = seed_volume(tmp_path / "many", 30)
    out = tmp_path / "out"
    assert cli("build", volume, "-f", "pdf", "-o", out, "--no-cache").returncode == 0
    before = (out / "many.pdf").read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-m", "bookmaker", "build", str(volume), "-f", "pdf", "-o", str(out),
         "--no-cache"],  # a build, not a copy of the kept output
        stderr=subprocess.PIPE, text=True,
    )
    # Wait until the temporary output exists, i.e. the PDF builder is at work.
    deadline = time.monotonic() + 60
    while not leftovers(out) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    if process.returncode in (0, -signal.SIGTERM):
        pytest.skip("the build finished before it could be interrupted")
    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == (
        "error: interrupted; earlier outputs were left untouched"
    )
    assert "Traceback" not in err
    assert (out / "many.pdf").read_bytes() == before
    assert leftovers(out) == []


def test_two_builds_at_once_into_one_folder(tmp_path):
    out = tmp_path / "out"
    env = dict(os.environ)
    # One empty cache shared by both: both build, and both write to it.
    command = [sys.executable, "-m", "bookmaker", "build", str(SAMPLE), "-o", str(out),
               "--cache-dir", str(tmp_path / "cache")]
    first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    second = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    assert first.wait(timeout=300) == 0, first.stderr.read()
    assert second.wait(timeout=300) == 0, second.stderr.read()
    assert leftovers(out) == []
    with zipfile.ZipFile(out / f"{SLUG}.epub") as archive:
        assert archive.testzip() is None
        assert archive.namelist()[0] == "mimetype"
    assert len(PdfReader(out / f"{SLUG}.pdf").pages) > 4
