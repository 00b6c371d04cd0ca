"""calibre, a real reading system's library, reads our EPUB (runs where calibre is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bookmaker.builders import BuildOptions
from bookmaker.pipeline import load_volume, render

SAMPLE = Path(__file__).resolve().parents[3] / "volumes" / "how-the-revolution-armed-1918"

pytestmark = pytest.mark.skipif(
    shutil.which("ebook-meta") is None or shutil.which("ebook-convert") is None,
    reason="calibre is not installed (apt-get install calibre)",
)


@pytest.fixture(scope="module")
def sample_epub(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("calibre")
    report = render(load_volume(SAMPLE), ["epub"], out, BuildOptions())
    return report["epub"].path


def test_ebook_meta_reads_title_authors_series_language(sample_epub):
    result = subprocess.run(["ebook-meta", str(sample_epub)], capture_output=True, text=True,
                            timeout=120, check=True)
    fields = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    assert fields["Title"].startswith("How the Revolution Armed")
    assert fields["Author(s)"].startswith("Leon Trotsky")
    assert fields["Series"] == "The Military Writings of Leon Trotsky #1"
    assert fields["Languages"] == "eng"


@pytest.mark.slow
def test_ebook_convert_to_azw3(sample_epub, tmp_path):
    target = tmp_path / "book.azw3"
    result = subprocess.run(["ebook-convert", str(sample_epub), str(target)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert target.stat().st_size > 10_000
