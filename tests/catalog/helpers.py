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


Doc = str | tuple[str, str]
"""A document: its file name under texts/, or (file name, title set in the manifest)."""


def _item(doc: Doc) -> str:
    if isinstance(doc, str):
        return f'"texts/{doc}"'
    return f'{{ path = "texts/{doc[0]}", title = "{doc[1]}" }}'


def write_volume(folder: Path, volume_table: str, parts: list[tuple[str | None, list[Doc]]],
                 texts: dict[str, Path] | None = None) -> Path:
    """A volume folder: ``texts/<name>`` copies and a manifest with the given parts.

    A part with title None lists its documents in ``[volume] documents``.
    """
    (folder / "texts").mkdir(parents=True)
    for _, docs in parts:
        for doc in docs:
            name = doc if isinstance(doc, str) else doc[0]
            shutil.copyfile((texts or {}).get(name, SAMPLE_TEXT), folder / "texts" / name)
    lines = ["[volume]", volume_table.strip()]
    flat = [docs for title, docs in parts if title is None]
    if flat:
        lines.append("documents = [" + ", ".join(_item(d) for d in flat[0]) + "]")
    for title, docs in parts:
        if title is not None:
            lines += ["", "[[part]]", f'title = "{title}"',
                      "documents = [" + ", ".join(_item(d) for d in docs) + "]"]
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
''', [("On the Eastern Front", [("eastern-front.txt", "The Eastern Front Is Decisive"),
                                ("kazan.txt", "After the Taking of Kazan")]),
      ("On the Southern Front", [("southern-front.txt", "Order No. 65 to the Southern Front")])])
    third = write_volume(root / "how-the-revolution-armed-1920", '''
title = "How the Revolution Armed"
subtitle = "Volume 3, 1920"
series = "The Military Writings of Leon Trotsky"
series_number = 3
authors = ["Leon Trotsky"]
date = "1920"
description = "The third volume: the war with Poland and the end of Wrangel."
''', [(None, [("poland.txt", "The Polish Front"), ("wrangel.txt", "Wrangel")])])
    other = write_volume(root / "notes-of-a-journalist", '''
title = "Notes of a Journalist"
series = "Collected Journalism"
series_number = 1
authors = ["Rosa Example"]
language = "de"
date = "1905"
description = "Dispatches from a year of strikes, written for a newspaper that no longer exists."
''', [(None, [("dispatch.txt", "A Dispatch from Łódź")])])
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
    """Stands in for ``pipeline.render`` (the building, not the deciding): writes small
    outputs and counts what it built."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    def __call__(self, volume, formats, out_dir, options=None, check=None):
        from bookmaker.pipeline import Output

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.calls.append((volume.slug, tuple(formats)))
        made = {}
        for fmt in formats:
            target = out / f"{volume.slug}.{fmt}"
            if fmt == "epub":
                fake_epub(target, f"urn:uuid:fake-{volume.slug}", png_bytes())
            else:
                target.write_bytes(b"%PDF-1.7\n% fake " + volume.slug.encode() + b"\n%%EOF\n")
            made[fmt] = Output(fmt, target)
            if fmt == "pdf" and options is not None and options.split:
                for doc in volume.documents:
                    extra = out / f"{volume.slug}-{doc.id}.pdf"
                    extra.write_bytes(b"%PDF-1.7\n%%EOF\n")
                    made[fmt].extra.append(extra)
        return made


# ------------------------------------------------------------------ page checks


def page_problems(html: str) -> list[str]:
    """Parse errors and accessibility slips in one page; empty when the page is sound."""
    from lxml import html as lxml_html
    from tinyhtml5.parser import HTMLParser

    parser = HTMLParser()
    parser.parse(html)
    problems = [f"parse error {code} at {pos} {data or ''}" for pos, code, data in parser.errors]
    if not html.startswith("<!DOCTYPE html>"):
        problems.append("no HTML5 doctype")
    tree = lxml_html.document_fromstring(html)
    if not tree.get("lang"):
        problems.append("<html> has no lang")
    ids = tree.xpath("//@id")
    problems += [f"duplicate id {i}" for i in sorted({i for i in ids if ids.count(i) > 1})]
    for landmark in ("header", "main", "footer"):
        if len(tree.xpath(f"//{landmark}")) != 1:
            problems.append(f"not exactly one <{landmark}>")
    if len(tree.xpath("//h1")) != 1:
        problems.append("not exactly one <h1>")
    levels = [int(h.tag[1]) for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    problems += [f"heading jumps from h{a} to h{b}"
                 for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    problems += ["<img> without alt: " + img.get("src") for img in tree.xpath("//img[not(@alt)]")]
    for ref in tree.xpath("//@for | //@aria-labelledby | //@aria-describedby"):
        problems += [f"reference to missing id {i}" for i in ref.split() if i not in ids]
    for control in tree.xpath("//input[not(@type='hidden')]"):
        if not tree.xpath("//label[@for=$id]", id=control.get("id") or "") \
                and not control.get("aria-label"):
            problems.append(f"input {control.get('id')} has no label")
    for url in tree.xpath("//@src | //@href | //@action"):
        if url.startswith(("http:", "https:", "//")):
            problems.append(f"external URL {url}")
    for link in tree.xpath("//a[not(normalize-space())][not(.//img[@alt])]"):
        problems.append(f"link without text: {link.get('href')}")
    return problems


# ---------------------------------------------------------------- OPDS schemas

SCHEMAS = Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas"
"""The OPDS 2.0 and Readium schemas; CI puts shared/ beside the clone."""
ATOM = "http://www.w3.org/2005/Atom"
OPDS_NS = {"atom": ATOM, "dc": "http://purl.org/dc/terms/",
           "opds": "http://opds-spec.org/2010/catalog"}


def opds2_validator():
    """A Draft 7 validator of the OPDS 2.0 feed schema, references resolved offline."""
    import json
    import re

    import pytest
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    if not (SCHEMAS / "opds2" / "feed.schema.json").is_file():
        pytest.skip(f"OPDS 2.0 schemas not found at {SCHEMAS.resolve()}")
    resources = []
    for path in sorted(SCHEMAS.rglob("*.schema.json")):
        # ECMA-262 named groups '(?<name>' are '(?P<name>' in Python's re.
        text = re.sub(r"\(\?<(?![=!])", "(?P<", path.read_text(encoding="utf-8"))
        schema = json.loads(text)
        resources.append((schema["$id"], Resource.from_contents(schema, DRAFT7)))
    registry = Registry().with_resources(resources)
    feed = registry.contents("https://drafts.opds.io/schema/feed.schema.json")
    return Draft7Validator(feed, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER)


def epub_identifier(epub: Path) -> str:
    """The package's unique identifier, read independently of the code under test."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(epub) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_name = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(archive.read(opf_name))
    uid = opf.get("unique-identifier")
    return opf.find(f".//{{http://purl.org/dc/elements/1.1/}}identifier[@id='{uid}']").text
