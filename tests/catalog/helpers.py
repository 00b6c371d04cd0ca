"""Helpers for catalogue tests: volume folders written on the fly and a fake builder."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "volumes" / "how-the-revolution-armed-1918"
SAMPLE_TEXT = SAMPLE / "texts" / "a-necessary-statement.txt"


def write_volume(folder: Path, volume_table: str, parts: list[tuple[str | None, list[str]]],
                 texts: dict[str, Path] | None = None) -> Path:
    """A volume folder: ``texts/<name>`` copies and a manifest with the given parts.

    A part with title None lists its documents in ``[volume] documents``.
    """
    (folder / "texts").mkdir(parents=True)
    names = {name for _, docs in parts for name in docs}
    for name in names:
        source = (texts or {}).get(name, SAMPLE_TEXT)
        shutil.copyfile(source, folder / "texts" / name)
    lines = ["[volume]", volume_table.strip()]
    flat = [docs for title, docs in parts if title is None]
    if flat:
        lines.append("documents = [" + ", ".join(f'"texts/{n}"' for n in flat[0]) + "]")
    for title, docs in parts:
        if title is not None:
            lines += ["", "[[part]]", f'title = "{title}"',
                      "documents = [" + ", ".join(f'"texts/{n}"' for n in docs) + "]"]
    (folder / "volume.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def generated_volumes(root: Path) -> list[Path]:
    """Volumes 2 and 3 of the sample's series, and one volume of another series."""
    second = write_volume(root / "how-the-revolution-armed-1919", '''
title = "How the Revolution Armed"
subtitle = "Volume 2, 1919"
series = "The Military Writings of Leon Trotsky"
series_number = 2
authors = ["Leon Trotsky"]
translators = ["Brian Pearce"]
date = "1919"
description = "The second volume: the civil war on every front, the year of Kolchak and Denikin."
identifier = "urn:uuid:6f1b6c1e-0c41-4d3c-9a57-2f1f3f6e1919"
''', [("On the Eastern Front", ["eastern-front.txt", "kazan.txt"]),
      ("On the Southern Front", ["southern-front.txt"])])
    third = write_volume(root / "how-the-revolution-armed-1920", '''
title = "How the Revolution Armed"
subtitle = "Volume 3, 1920"
series = "The Military Writings of Leon Trotsky"
series_number = 3
authors = ["Leon Trotsky"]
date = "1920"
description = "The third volume: the war with Poland and the end of Wrangel."
''', [(None, ["poland.txt", "wrangel.txt"])])
    other = write_volume(root / "notes-of-a-journalist", '''
title = "Notes of a Journalist"
series = "Collected Journalism"
series_number = 1
authors = ["Rosa Example"]
language = "de"
date = "1905"
description = "Dispatches from a year of strikes, written for a newspaper that no longer exists."
''', [(None, ["dispatch.txt"])])
    return [second, third, other]


# ----------------------------------------------------------------- fake builds


def png_bytes(size=(160, 256), colour=(139, 26, 26)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def fake_epub(path: Path, identifier: str, cover: bytes | None = None) -> None:
    """A minimal EPUB zip with an OPF naming its identifier and a cover-image item."""
    opf = f'''<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="pub-id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="other">isbn:0000</dc:identifier>
    <dc:identifier id="pub-id">{identifier}</dc:identifier>
    <dc:title>Fake</dc:title>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    {'<item id="c" href="images/cover.png" media-type="image/png" properties="cover-image"/>'
     if cover else ''}
  </manifest>
  <spine><itemref idref="nav"/></spine>
</package>'''
    container = '''<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf"
   media-type="application/oebps-package+xml"/></rootfiles>
</container>'''
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", container)
        archive.writestr("OEBPS/content.opf", opf)
        if cover:
            archive.writestr("OEBPS/images/cover.png", cover)


class FakeBuilder:
    """Stands in for ``pipeline.build``: writes small outputs and counts what it built."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def __call__(self, volume, formats, out_dir, options=None):
        out = Path(out_dir)
        self.calls.append((volume.slug, tuple(formats)))
        for fmt in formats:
            target = out / f"{volume.slug}.{fmt}"
            if fmt == "epub":
                fake_epub(target, f"urn:uuid:fake-{volume.slug}", png_bytes())
            else:
                target.write_bytes(b"%PDF-1.7\n% fake " + volume.slug.encode() + b"\n%%EOF\n")
                if options is not None and options.split:
                    for doc in volume.documents:
                        (out / f"{volume.slug}-{doc.id}.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
