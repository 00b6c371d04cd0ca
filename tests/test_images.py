"""Images: one rule for every builder, figures for lone images, a warning for each one lost."""

from __future__ import annotations

import shutil
import subprocess
import zipfile

import pytest
from PIL import Image

from bookmaker.cli import main
from bookmaker.images import resolve_images
from bookmaker.model import Block, Document

PAGE = """<html><head><title>Images</title></head><body>
<h2>A Page With Images</h2>
<p>This paragraph is the body of the speech, long enough that it is read as the text and
not as a line of the page's head.</p>
<p><img src="../images/map.png" alt="Map of the Eastern Front"></p>
<center><img src="portrait.jpg" alt="Portrait of Trotsky"><br>Trotsky in 1918</center>
<p>An inline <img src="icon.png" alt="star"> image in the text.</p>
<p><img src="missing.png" alt="A missing picture"></p>
<p><img src="../../outside.png" alt="Outside"></p>
<p><img src="http://example.org/remote.png" alt="Remote"></p>
<p>The last paragraph of the page.</p>
</body></html>
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("images")
    volume = root / "v"
    (volume / "texts").mkdir(parents=True)
    (volume / "images").mkdir()
    Image.new("RGB", (300, 200), (120, 40, 40)).save(volume / "images" / "map.png")
    Image.new("RGB", (200, 300), (40, 40, 120)).save(volume / "texts" / "portrait.jpg")
    Image.new("RGB", (20, 20), (0, 0, 0)).save(volume / "texts" / "icon.png")
    Image.new("RGB", (20, 20), (0, 0, 0)).save(root / "outside.png")
    (volume / "texts" / "page.htm").write_text(PAGE, "utf-8")
    (volume / "volume.toml").write_text(
        '[volume]\ntitle = "Images"\nauthors = ["A"]\ndocuments = ["texts/page.htm"]\n', "utf-8")
    out = root / "out"
    return volume, out, main(["build", str(volume), "-o", str(out), "--no-cache", "--check"])


def test_images_beside_the_page_and_elsewhere_in_the_volume_reach_the_epub(built):
    _volume, out, status = built
    assert status == 0  # EPUBCheck has nothing to say
    with zipfile.ZipFile(out / "v.epub") as book:
        names = book.namelist()
        page = book.read("EPUB/text/page.xhtml").decode()
    for stem in ("map", "portrait", "icon"):
        assert any(name.startswith(f"EPUB/images/{stem}-") for name in names), stem
    assert not any("outside" in name or "remote" in name for name in names)
    # Alone in their paragraphs: figures, captioned by the page's caption or the alt text.
    assert '<figcaption>Map of the Eastern Front</figcaption>' in page
    assert '<figcaption>Trotsky in 1918</figcaption>' in page
    assert page.count("<figure") == 2
    assert 'An inline <img src="../images/icon-' in page


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="poppler-utils is not installed")
def test_the_pdf_has_the_same_images(built):
    _volume, out, _status = built
    listing = subprocess.run(["pdfimages", "-list", str(out / "v.pdf")], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    sizes = sorted((int(line.split()[3]), int(line.split()[4])) for line in listing)
    assert sizes == [(20, 20), (200, 300), (300, 200)]


def test_each_lost_image_is_named_with_what_is_wrong(tmp_path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "here.png").write_bytes(b"png")
    doc = Document(id="d", source_path="texts/d.htm", title="D", blocks=[
        Block("paragraph", '<p>Text <img src="gone.png" alt="Gone"/> and '
                           '<img src="../../up.png"/> and <img src="here.png"/>.</p>', "Text")])
    warnings = resolve_images(doc, tmp_path)
    assert warnings == ["missing image texts/gone.png: gone.png ('Gone')",
                        "image outside the volume: ../../up.png"]
    # The alt text of a lost image stays in the text; the kept one is volume-relative.
    assert doc.blocks[0].html == '<p>Text Gone and  and <img src="texts/here.png"/>.</p>'
