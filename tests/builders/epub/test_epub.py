"""The EPUB builder: unzip what it writes and check the content, not just that it exists."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import posixpath
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from bookmaker.builders import BuildOptions
from bookmaker.builders.epub import book as epub
from bookmaker.errors import BuildError
from bookmaker.images import read_assets, read_cover
from bookmaker.model import Block, Document, Note, Part, note_id, noteref_id
from bookmaker.readers.sanitize import ALLOWED_TAGS
from tests.factories import make_document, make_volume

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

SAFE_BODY_ELEMENTS = ALLOWED_TAGS
"""What readers may put into a document body (bookmaker.readers.sanitize)."""


# ------------------------------------------------------------------ helpers


@dataclasses.dataclass
class Book:
    """An unpacked EPUB."""

    path: Path
    files: dict[str, bytes]

    @property
    def opf_path(self) -> str:
        container = etree.fromstring(self.files["META-INF/container.xml"])
        return container.find(".//{*}rootfile").get("full-path")

    @property
    def opf(self) -> etree._Element:
        return etree.fromstring(self.files[self.opf_path])

    def resolve(self, href: str, base: str | None = None) -> str:
        base_dir = posixpath.dirname(base or self.opf_path)
        return posixpath.normpath(posixpath.join(base_dir, href))

    def manifest(self) -> dict[str, etree._Element]:
        return {item.get("id"): item for item in self.opf.iterfind("opf:manifest/opf:item", NS)}

    def spine(self) -> list[str]:
        """Paths (inside the zip) of the spine's pages, in reading order."""
        items = self.manifest()
        return [
            self.resolve(items[ref.get("idref")].get("href"))
            for ref in self.opf.iterfind("opf:spine/opf:itemref", NS)
        ]

    def xhtml(self, path: str) -> etree._Element:
        return etree.fromstring(self.files[path])

    def page_of(self, doc_id: str) -> str:
        """The spine page holding the section with id ``doc_id``."""
        for path in self.spine():
            if self.xhtml(path).find(f".//x:section[@id='{doc_id}']", NS) is not None:
                return path
        raise AssertionError(f"no page for {doc_id}")

    def nav_path(self) -> str:
        item = next(i for i in self.manifest().values() if "nav" in (i.get("properties") or ""))
        return self.resolve(item.get("href"))

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.iterfind(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def refines(self, ident: str, prop: str) -> list[str]:
        path = f"opf:metadata/opf:meta[@refines='#{ident}'][@property='{prop}']"
        return [m.text for m in self.opf.iterfind(path, NS)]


def build(volume, tmp_path: Path, name: str = "book.epub") -> Book:
    target = tmp_path / name
    result = epub.build(volume, target, BuildOptions())
    assert result.path == target
    with zipfile.ZipFile(target) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    return Book(target, files)


BREAKING = {"p", "li", "td", "th", "tr", "br", "div", "pre", "blockquote", "hr", "dt", "dd",
            "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption"}


def words(element: etree._Element) -> list[str]:
    """Words as a reader would see them: block boundaries and line breaks separate words."""
    copy = etree.fromstring(etree.tostring(element))
    for el in copy.iter():
        if isinstance(el.tag, str) and etree.QName(el).localname in BREAKING:
            el.tail = " " + (el.tail or "")
            el.text = " " + (el.text or "")
    return "".join(copy.itertext()).split()


def body_words(section: etree._Element) -> list[str]:
    """Words of a document's body as the reader sees them, note calls left out."""
    body = section.find("x:div[@class='body']", NS)
    body = etree.fromstring(etree.tostring(body))
    for call in body.xpath(".//x:a[@epub:type='noteref']", namespaces=NS):
        parent = call.getparent()
        previous = call.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + (call.tail or "")
        else:
            parent.text = (parent.text or "") + (call.tail or "")
        parent.remove(call)
    return words(body)


def matter_volume():
    """Two parts of text with a preface before and an appendix after."""
    volume = make_volume(documents=4, parts=2)
    preface = make_document("preface", "Preface to the English Edition", paragraphs=2, notes=1)
    preface.kind = "front"
    note = make_document("editors-note", "A Note on This Edition", paragraphs=1, notes=0)
    note.kind = "front"
    appendix = make_document("appendix", "Appendix: Orders of the Day", paragraphs=2, notes=0)
    appendix.kind = "back"
    volume.parts.insert(0, Part(id="front", title=None, documents=[note, preface]))
    volume.parts.append(Part(id="back", title=None, documents=[appendix]))
    return volume


# ----------------------------------------------------------- reading order


@pytest.mark.parametrize("parts", [0, 2, 3])
def test_spine_follows_the_models_document_order(tmp_path, parts):
    volume = make_volume(documents=7, parts=parts)
    book = build(volume, tmp_path)
    spine = book.spine()
    assert [posixpath.basename(p) for p in spine[:4]] == [
        "cover.xhtml", "titlepage.xhtml", "imprint.xhtml", "nav.xhtml"
    ]
    sections = []
    for path in spine[4:]:
        section = book.xhtml(path).find("x:body/x:section", NS)
        sections.append(section.get("id"))
    expected = []
    for part in volume.parts:
        if part.title:
            expected.append(part.id)
        expected += [doc.id for doc in part.documents]
    assert sections == expected


def test_front_and_back_matter_go_before_and_after_with_their_types(tmp_path):
    volume = matter_volume()
    book = build(volume, tmp_path)
    spine = book.spine()[4:]
    ids = [book.xhtml(p).find("x:body/x:section", NS).get("id") for p in spine]
    assert ids == ["editors-note", "preface", "part-1", "doc-0001", "doc-0002", "part-2",
                   "doc-0003", "doc-0004", "appendix"]
    bodies = [book.xhtml(p).find("x:body", NS).get(EPUB_TYPE) for p in spine]
    assert bodies == ["frontmatter"] * 2 + ["bodymatter"] * 6 + ["backmatter"]
    preface = book.xhtml(book.page_of("preface")).find(".//x:section[@id='preface']", NS)
    assert (preface.get(EPUB_TYPE), preface.get("role")) == ("preface", "doc-preface")
    appendix = book.xhtml(book.page_of("appendix")).find(".//x:section[@id='appendix']", NS)
    assert (appendix.get(EPUB_TYPE), appendix.get("role")) == ("appendix", "doc-appendix")
    chapter = book.xhtml(book.page_of("doc-0003")).find(".//x:section[@id='doc-0003']", NS)
    assert (chapter.get(EPUB_TYPE), chapter.get("role")) == ("chapter", "doc-chapter")
    generic = book.xhtml(book.page_of("editors-note")).find(".//x:section", NS)
    assert generic.get("role") is None and generic.get(EPUB_TYPE) is None


def test_part_pages_are_marked_as_parts(tmp_path):
    volume = make_volume(documents=4, parts=2)
    volume.parts[1].intro_html = "<p>Orders and appeals of the autumn campaign.</p>"
    book = build(volume, tmp_path)
    page = book.xhtml(book.page_of("part-2"))
    section = page.find(".//x:section[@id='part-2']", NS)
    assert section.get(EPUB_TYPE) == "part" and section.get("role") == "doc-part"
    assert section.find("x:h1", NS).text == "Part Title 2"
    assert "Orders and appeals of the autumn campaign." in " ".join(words(section))


# --------------------------------------------------------------- navigation


def _toc(book: Book) -> list[tuple[str, list[str]]]:
    nav = book.xhtml(book.nav_path()).find(".//x:nav[@epub:type='toc']", NS)
    entries = []
    for li in nav.findall("x:ol/x:li", NS):
        children = [a.text for a in li.findall("x:ol/x:li/x:a", NS)]
        entries.append((li.find("x:a", NS).text, children))
    return entries


def test_nav_nests_documents_under_their_parts(tmp_path):
    volume = make_volume(documents=5, parts=2)
    book = build(volume, tmp_path)
    assert _toc(book) == [
        (part.title, [doc.title for doc in part.documents]) for part in volume.parts
    ]
    nav_path = book.nav_path()
    nav = book.xhtml(nav_path)
    for a in nav.iterfind(".//x:nav[@epub:type='toc']//x:a", NS):
        assert book.resolve(a.get("href"), nav_path) in book.files
    assert nav.find(".//x:nav[@epub:type='toc']", NS).get("role") == "doc-toc"


def test_nav_of_a_volume_without_parts_is_flat(tmp_path):
    volume = make_volume(documents=3, parts=0)
    book = build(volume, tmp_path)
    assert _toc(book) == [(doc.title, []) for doc in volume.documents]


def test_nav_lists_front_and_back_matter_at_the_top_level(tmp_path):
    book = build(matter_volume(), tmp_path)
    titles = [title for title, _ in _toc(book)]
    assert titles == ["A Note on This Edition", "Preface to the English Edition",
                      "Part Title 1", "Part Title 2", "Appendix: Orders of the Day"]


def test_landmarks_point_at_cover_title_page_contents_and_body(tmp_path):
    book = build(make_volume(documents=2, parts=0), tmp_path)
    nav_path = book.nav_path()
    marks = book.xhtml(nav_path).findall(".//x:nav[@epub:type='landmarks']//x:a", NS)
    targets = {a.get(EPUB_TYPE): book.resolve(a.get("href"), nav_path) for a in marks}
    assert set(targets) == {"cover", "titlepage", "toc", "bodymatter"}
    assert targets["cover"].endswith("cover.xhtml")
    assert targets["toc"] == nav_path + "#toc"
    assert targets["bodymatter"] == book.page_of("doc-0001")


def test_ncx_mirrors_the_nav_with_play_order(tmp_path):
    volume = make_volume(documents=4, parts=2)
    book = build(volume, tmp_path)
    spine_toc = book.opf.find("opf:spine", NS).get("toc")
    ncx_path = book.resolve(book.manifest()[spine_toc].get("href"))
    ncx = etree.fromstring(book.files[ncx_path])
    top = ncx.findall("ncx:navMap/ncx:navPoint", NS)
    assert [p.findtext("ncx:navLabel/ncx:text", namespaces=NS) for p in top] == [
        "Part Title 1", "Part Title 2"
    ]
    assert [p.findtext("ncx:navLabel/ncx:text", namespaces=NS)
            for p in top[1].findall("ncx:navPoint", NS)] == ["Statement Number 3",
                                                            "Statement Number 4"]
    orders = [int(p.get("playOrder")) for p in ncx.iter(f"{{{NS['ncx']}}}navPoint")]
    assert orders == list(range(1, 7))
    for content in ncx.iter(f"{{{NS['ncx']}}}content"):
        assert book.resolve(content.get("src"), ncx_path) in book.files


# -------------------------------------------------------------------- notes


def test_every_noteref_reaches_its_note_and_back(tmp_path):
    volume = make_volume(documents=3, parts=0, notes=3)
    book = build(volume, tmp_path)
    for doc in volume.documents:
        page = book.xhtml(book.page_of(doc.id))
        ids = {el.get("id"): el for el in page.iter() if el.get("id")}
        calls = page.xpath(".//x:a[@epub:type='noteref']", namespaces=NS)
        assert len(calls) == sum(len(n.ref_ids) for n in doc.notes) == 3
        for call in calls:
            assert call.get("role") == "doc-noteref"
            note = ids[call.get("href").removeprefix("#")]
            assert note.tag == f"{{{NS['x']}}}li" and note.get(EPUB_TYPE) == "endnote"
            back = note.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)
            assert call.get("id") in [b.get("href").removeprefix("#") for b in back]
        notes = page.find(".//x:section[@epub:type='endnotes']", NS)
        assert notes.get("role") == "doc-endnotes"
        assert [li.get("id") for li in notes.findall("x:ol/x:li", NS)] == [n.id for n in doc.notes]


def _doc_with_notes(doc_id: str) -> Document:
    """Archive numbering: notes 31 and 32 in the body, '*' called twice, 33 never called."""
    blocks, notes = [], []
    spec = [("31", "31", 1), ("32", "32", 1), ("star", "*", 2), ("33", "33", 0)]
    text = []
    for key, label, calls in spec:
        refs = tuple(noteref_id(doc_id, key, n + 1) for n in range(calls))
        for ref in refs:
            blocks.append(Block(
                "paragraph",
                f'<p>Call of {key}.<a class="noteref" role="doc-noteref" id="{ref}" '
                f'href="#{note_id(doc_id, key)}">{label}</a></p>',
                f"Call of {key}.",
            ))
            text.append(f"Call of {key}.")
        notes.append(Note(key, label, note_id(doc_id, key), refs,
                          f"<p>Text of note {label}.</p><p>Second paragraph.</p>"))
    return Document(id=doc_id, source_path="texts/x.txt", title="Orders", title_html="Orders",
                    blocks=blocks, notes=notes)


def test_archive_note_labels_are_kept_and_every_call_has_a_backlink(tmp_path):
    volume = make_volume(documents=1, parts=0)
    volume.parts[0].documents = [_doc_with_notes("orders")]
    book = build(volume, tmp_path)
    page = book.xhtml(book.page_of("orders"))
    items = page.findall(".//x:section[@epub:type='endnotes']/x:ol/x:li", NS)
    labels = [li.find("x:p/*[@class='note-label']", NS).text for li in items]
    assert labels == ["31", "32", "*", "33"]
    assert [li.get("value") for li in items] == ["31", "32", None, "33"]
    # The label starts the note's first paragraph, so a pop-up reads "31 Text of note 31."
    assert " ".join(words(items[0].find("x:p", NS))) == "31 Text of note 31."
    star_backlinks = items[2].xpath(".//x:a[@role='doc-backlink']/@href", namespaces=NS)
    assert star_backlinks == ["#orders-noteref-star", "#orders-noteref-star-2"]
    # An uncalled note has a label but no backlink that would lead nowhere.
    assert items[3].xpath(".//x:a[@role='doc-backlink']", namespaces=NS) == []
    assert items[3].find("x:p/x:span[@class='note-label']", NS).text == "33"


def test_a_note_call_in_the_title_is_kept_and_marked(tmp_path):
    volume = make_volume(documents=1, parts=0, notes=1)
    doc = volume.documents[0]
    ref = noteref_id(doc.id, "t")
    doc.title_html = (f'Statement Number 1<a class="noteref" role="doc-noteref" id="{ref}" '
                      f'href="#{note_id(doc.id, "t")}">*</a>')
    doc.notes.append(Note("t", "*", note_id(doc.id, "t"), (ref,), "<p>Written in the train.</p>"))
    book = build(volume, tmp_path)
    heading = book.xhtml(book.page_of(doc.id)).find(".//x:h1", NS)
    call = heading.find("x:a", NS)
    assert call.get(EPUB_TYPE) == "noteref" and call.get("href") == f"#{note_id(doc.id, 't')}"
    assert heading.text == "Statement Number 1"


def test_ids_are_unique_in_every_page(tmp_path):
    book = build(matter_volume(), tmp_path)
    for path in book.spine():
        ids = [el.get("id") for el in book.xhtml(path).iter() if el.get("id")]
        assert len(ids) == len(set(ids)), path


# ----------------------------------------------------------------- content


def test_every_page_has_lang_and_xml_lang(tmp_path):
    volume = make_volume(documents=2, parts=1)
    volume.info = volume.info.model_copy(update={"language": "de"})
    book = build(volume, tmp_path)
    pages = [p for p in book.files if p.endswith(".xhtml")]
    assert len(pages) == 4 + 1 + 2
    for path in pages:
        root = book.xhtml(path)
        assert root.get("lang") == "de" and root.get(XML_LANG) == "de", path
    assert book.opf.findtext("opf:metadata/dc:language", namespaces=NS) == "de"


def test_body_text_is_the_models_word_for_word(tmp_path):
    volume = matter_volume()
    book = build(volume, tmp_path)
    for doc in volume.documents:
        section = book.xhtml(book.page_of(doc.id)).find(f".//x:section[@id='{doc.id}']", NS)
        assert body_words(section) == " ".join(b.text for b in doc.blocks).split()


def test_document_page_carries_title_lines_date_and_notes(tmp_path):
    volume = make_volume(documents=1, parts=0, notes=1)
    book = build(volume, tmp_path)
    section = book.xhtml(book.page_of("doc-0001")).find(".//x:section[@id='doc-0001']", NS)
    header = section.find("x:header", NS)
    assert header.find("x:h1", NS).text == "Statement Number 1"
    occasion = " ".join(words(header.find("x:p[@class='occasion']", NS)))
    assert occasion == "Speech at a meeting of the Moscow Soviet"
    source = " ".join(words(header.find("x:p[@class='source']", NS)))
    assert source == "From Pravda, March 21, 1918."
    date = section.find("x:p[@class='date']/x:time", NS)
    assert (date.get("datetime"), date.text) == ("1918-12-30", "December 30, 1918")
    children = [c.get("class") for c in section]
    assert children == [None, "body", "date", "notes"]


def test_rich_blocks_keep_only_the_sanitized_elements(tmp_path):
    volume = make_volume(documents=1, parts=0, notes=1)
    doc = volume.documents[0]
    doc.blocks += [
        Block("heading", "<h3>Order No. 1</h3>", "Order No. 1"),
        Block("quote", "<blockquote><p>To all <i>soldiers</i>.</p></blockquote>",
              "To all soldiers."),
        Block("list", "<ul><li>one</li><li>two</li></ul>", "one two"),
        Block("table", "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>", "a b"),
        Block("verse", '<p class="verse">Arise<br/>ye workers</p>', "Arise ye workers"),
        Block("rule", "<hr/>", ""),
        Block("preformatted", "<pre>1  2</pre>", "1 2"),
        Block("paragraph", '<p><span class="smallcaps">Trotsky</span></p>', "Trotsky"),
    ]
    book = build(volume, tmp_path)
    section = book.xhtml(book.page_of(doc.id)).find(f".//x:section[@id='{doc.id}']", NS)
    body = section.find("x:div[@class='body']", NS)
    tags = {etree.QName(el).localname for el in body.iter() if el is not body}
    assert tags <= SAFE_BODY_ELEMENTS
    assert {"h3", "blockquote", "table", "hr", "pre", "span"} <= tags
    assert body_words(section) == " ".join(b.text for b in doc.blocks).split()


def test_imprint_gathers_source_credits_rights_date_and_version(tmp_path):
    from bookmaker import __version__

    volume = make_volume(documents=2, parts=0)
    volume.info = volume.info.model_copy(update={
        "source": "How the Revolution Armed, vol. 1 (London: New Park, 1979).",
        "editors": ["Jane Editor"],
    })
    volume.documents[1].credits = ["Proofread by Einde O'Callaghan"]
    book = build(volume, tmp_path)
    imprint = next(p for p in book.spine() if p.endswith("imprint.xhtml"))
    text = " ".join(words(book.xhtml(imprint)))
    assert "Source: How the Revolution Armed, vol. 1 (London: New Park, 1979)." in text
    assert "translated by Brian Pearce" in text
    assert "Editor: Jane Editor." in text
    assert "Transcribed for the Trotsky Internet Archive by David Walters" in text
    assert "Proofread by Einde O'Callaghan" in text
    assert "Public domain in the text; this edition CC BY-SA 4.0." in text
    assert f"bookmaker {__version__} on December 16, 2006." in text


def test_title_page_names_title_subtitle_author_translator_series(tmp_path):
    book = build(make_volume(documents=1, parts=0), tmp_path)
    page = book.xhtml(next(p for p in book.spine() if p.endswith("titlepage.xhtml")))
    section = page.find(".//x:section[@epub:type='titlepage']", NS)
    assert section.find("x:h1", NS).text == "How the Revolution Armed"
    lines = [" ".join(words(p)) for p in section.findall("x:p", NS)]
    assert lines == ["The Military Writings of Leon Trotsky No. 1", "Volume 1, 1918",
                     "Leon Trotsky", "Translated by Brian Pearce"]


# -------------------------------------------------------------------- cover


def test_generated_cover_is_a_real_page_and_the_cover_image(tmp_path):
    book = build(make_volume(documents=1, parts=0), tmp_path)
    items = book.manifest()
    covers = [i for i in items.values() if i.get("properties") == "cover-image"]
    assert len(covers) == 1
    image_path = book.resolve(covers[0].get("href"))
    with Image.open(io.BytesIO(book.files[image_path])) as image:
        assert image.size == (1600, 2560) and image.format == "PNG"
    cover_page = book.spine()[0]
    img = book.xhtml(cover_page).find(".//x:img", NS)
    assert book.resolve(img.get("src"), cover_page) == image_path
    assert img.get("role") == "doc-cover"
    assert "How the Revolution Armed" in img.get("alt")
    cover_meta = book.opf.find("opf:metadata/opf:meta[@name='cover']", NS)
    assert cover_meta.get("content") == covers[0].get("id")


def test_drawn_cover_is_a_palette_image_in_the_cover_colours():
    """Drawn in palette indices: every pixel is the paper, the ink, the accent or a blend
    of paper with one of them (anti-aliased letters), as an RGB drawing would be."""
    from bookmaker.builders.epub import cover

    info = make_volume(documents=1, parts=0).info
    drawn = cover.draw_cover(info)
    with Image.open(io.BytesIO(drawn.data)) as image:
        assert image.mode == "P" and image.size == (1600, 2560)
        rgb = image.convert("RGB")
    colours = {colour for _, colour in rgb.getcolors(maxcolors=256)}
    assert {cover.PAPER, cover.INK, cover.ACCENT} <= colours
    assert len(colours) > 20  # the letters' edges are blended, not jagged

    def between(colour, a, b) -> bool:
        return all(min(x, y) - 1 <= c <= max(x, y) + 1
                   for c, x, y in zip(colour, a, b, strict=True))

    assert all(between(c, cover.PAPER, cover.INK) or between(c, cover.PAPER, cover.ACCENT)
               for c in colours)
    assert rgb.getpixel((800, 20)) == cover.ACCENT  # the series band
    assert rgb.getpixel((20, 1500)) == cover.PAPER
    assert len(drawn.data) < 100_000


def test_drawn_cover_sets_each_line_in_a_face_for_its_script():
    """A Chinese title under a Latin author's name: the title in a face that has its
    characters (it was drawn as boxes in the book face), the name in the book face."""
    from pathlib import Path

    from bookmaker.builders.epub import cover
    from bookmaker.builders.pdf.fonts import font_coverage

    info = make_volume(documents=1, parts=0).info.model_copy(
        update={"title": "必要的声明", "language": "zh", "authors": ["Leon Trotsky"]})
    series_face, title_face, subtitle_face, authors_face = cover.cover_faces(info)
    if title_face is None:
        pytest.skip("no face for Han is installed (apt-get install fonts-noto-cjk)")
    assert set(map(ord, info.title)) <= font_coverage(Path(title_face[0]), title_face[1])
    assert authors_face is None  # the book face, EB Garamond
    assert cover.cover_faces(info.model_copy(update={"authors": ["托洛茨基"]}))[3] == title_face


def test_the_volumes_own_cover_is_used(tmp_path):
    root = tmp_path / "vol"
    (root / "images").mkdir(parents=True)
    Image.new("RGB", (800, 1280), (10, 120, 30)).save(root / "images" / "front.jpg", "JPEG")
    volume = make_volume(documents=1, parts=0)
    volume.info = volume.info.model_copy(update={"cover": "images/front.jpg"})
    # The pipeline reads the cover into the model; the builder opens no file of the volume.
    volume.cover = read_cover(root, "images/front.jpg", root / "volume.toml")
    book = build(volume, tmp_path)
    cover = next(i for i in book.manifest().values() if i.get("properties") == "cover-image")
    assert cover.get("media-type") == "image/jpeg"
    original = (root / "images" / "front.jpg").read_bytes()
    assert book.files[book.resolve(cover.get("href"))] == original


def test_a_cover_that_is_not_jpeg_or_png_is_refused(tmp_path):
    root = tmp_path / "vol"
    root.mkdir()
    Image.new("RGB", (80, 128)).save(root / "front.gif", "GIF")
    volume = make_volume(documents=1, parts=0)
    volume.info = volume.info.model_copy(update={"cover": "front.gif"})
    volume.cover = read_cover(root, "front.gif", root / "volume.toml")
    with pytest.raises(BuildError, match="JPEG or PNG"):
        epub.build(volume, tmp_path / "x.epub", BuildOptions())


# ----------------------------------------------------------------- metadata


def test_package_metadata(tmp_path):
    volume = make_volume(documents=2, parts=0)
    book = build(volume, tmp_path)
    md = book.opf.find("opf:metadata", NS)
    titles = {t.get("id"): t.text for t in md.findall("dc:title", NS)}
    assert titles == {"title": "How the Revolution Armed", "subtitle": "Volume 1, 1918"}
    assert book.refines("subtitle", "title-type") == ["subtitle"]
    assert book.refines("title", "title-type") == ["main"]
    creators = md.findall("dc:creator", NS)
    assert [c.text for c in creators] == ["Leon Trotsky"]
    assert book.refines(creators[0].get("id"), "role") == ["aut"]
    assert book.refines(creators[0].get("id"), "file-as") == ["Trotsky, Leon"]
    translator = md.find("dc:contributor", NS)
    assert translator.text == "Brian Pearce"
    assert book.refines(translator.get("id"), "role") == ["trl"]
    role_meta = md.find(f"opf:meta[@refines='#{translator.get('id')}'][@property='role']", NS)
    assert role_meta.get("scheme") == "marc:relators"
    assert md.findtext("dc:date", namespaces=NS) == "1918"
    assert [s.text for s in md.findall("dc:subject", NS)] == volume.info.subjects
    assert md.findtext("dc:rights", namespaces=NS) == volume.info.rights
    assert md.findtext("dc:description", namespaces=NS) == volume.info.description
    assert book.meta("dcterms:modified") == ["2006-12-16T00:00:00Z"]


def test_series_for_epub3_and_calibre(tmp_path):
    volume = make_volume(documents=1, parts=0)
    volume.info = volume.info.model_copy(update={"series_number": 2.5})
    book = build(volume, tmp_path)
    assert book.meta("belongs-to-collection") == ["The Military Writings of Leon Trotsky"]
    assert book.refines("series", "collection-type") == ["series"]
    assert book.refines("series", "group-position") == ["2.5"]
    md = book.opf.find("opf:metadata", NS)
    assert md.find("opf:meta[@name='calibre:series']", NS).get("content") == volume.info.series
    assert md.find("opf:meta[@name='calibre:series_index']", NS).get("content") == "2.5"


def test_accessibility_metadata(tmp_path):
    book = build(make_volume(documents=1, parts=0), tmp_path)
    assert book.meta("schema:accessModeSufficient") == ["textual"]
    assert set(book.meta("schema:accessibilityFeature")) == {
        "structuralNavigation", "tableOfContents", "readingOrder", "alternativeText"
    }
    assert book.meta("schema:accessibilityHazard") == ["none"]
    assert book.meta("schema:accessibilitySummary")[0].startswith("Reflowable text")


def test_identifier_is_stable_and_derived_from_slug_and_title(tmp_path):
    first = build(make_volume(documents=1, parts=0), tmp_path, "a.epub")
    again = build(make_volume(documents=3, parts=1), tmp_path, "b.epub")
    other = make_volume(documents=1, parts=0)
    other.slug = "another-volume"
    third = build(other, tmp_path, "c.epub")

    def ident(book):
        uid = book.opf.get("unique-identifier")
        return book.opf.find(f"opf:metadata/dc:identifier[@id='{uid}']", NS).text

    assert ident(first) == ident(again)
    assert ident(first).startswith("urn:uuid:")
    assert ident(third) != ident(first)
    given = make_volume(documents=1, parts=0)
    given.info = given.info.model_copy(update={"identifier": "urn:isbn:9780902030000"})
    assert ident(build(given, tmp_path, "d.epub")) == "urn:isbn:9780902030000"


# ---------------------------------------------------------- reproducibility


def test_two_builds_are_byte_identical(tmp_path):
    one = build(matter_volume(), tmp_path, "one.epub")
    two = build(matter_volume(), tmp_path, "two.epub")
    assert one.path.read_bytes() == two.path.read_bytes()


def test_archive_layout_is_fixed(tmp_path):
    book = build(make_volume(documents=2, parts=1), tmp_path)
    with zipfile.ZipFile(book.path) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    assert book.files["mimetype"] == b"application/epub+zip"
    assert infos[1].filename == "META-INF/container.xml"
    assert infos[2].filename == book.opf_path
    assert {i.date_time for i in infos} == {(2006, 12, 16, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_build_date_comes_from_source_date_epoch_when_the_volume_has_none(tmp_path, monkeypatch):
    volume = make_volume(documents=1, parts=0)
    volume.source_date = None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    book = build(volume, tmp_path)
    assert book.meta("dcterms:modified") == ["2001-09-09T01:46:40Z"]
    volume.source_date = dt.datetime(2020, 5, 1, 12, 30, 15, tzinfo=dt.UTC)
    assert build(volume, tmp_path, "b.epub").meta("dcterms:modified") == ["2020-05-01T12:30:15Z"]


# ------------------------------------------------------ errors and templates


def test_malformed_block_is_a_build_error_naming_the_document(tmp_path):
    volume = make_volume(documents=2, parts=0)
    volume.documents[1].blocks.append(Block("paragraph", "<p>unclosed <i>italic</p>", "x"))
    with pytest.raises(BuildError) as caught:
        epub.build(volume, tmp_path / "x.epub", BuildOptions())
    assert caught.value.path == "texts/doc-0002.txt"
    assert not (tmp_path / "x.epub").exists()


def test_a_volume_template_overrides_the_builtin_one(tmp_path):
    root = tmp_path / "vol"
    (root / "templates" / "epub").mkdir(parents=True)
    (root / "templates" / "epub" / "part.xhtml").write_text(
        '{% extends "builtin/part.xhtml" %}\n'
        "{% block content %}{{ super() }}<p class=\"ornament\">❧</p>{% endblock %}\n",
        encoding="utf-8",
    )
    volume = make_volume(documents=2, parts=2)
    volume.root = str(root)
    book = build(volume, tmp_path)
    page = book.xhtml(book.page_of("part-1"))
    assert page.find(".//x:p[@class='ornament']", NS).text == "❧"


def test_the_default_stylesheet_is_linked_from_every_page(tmp_path):
    book = build(make_volume(documents=1, parts=0), tmp_path)
    for path in book.spine():
        link = book.xhtml(path).find("x:head/x:link[@rel='stylesheet']", NS)
        css = book.resolve(link.get("href"), path)
        assert b"text-indent" in book.files[css]


# ------------------------------------------------------------ images, links


def _volume_with_images(tmp_path: Path):
    """Image sources in the model are relative to the volume (bookmaker.images)."""
    root = tmp_path / "vol"
    (root / "texts").mkdir(parents=True)
    (root / "images").mkdir()
    Image.new("RGB", (40, 30), (200, 0, 0)).save(root / "texts" / "fig.png", "PNG")
    Image.new("RGB", (40, 30), (0, 0, 200)).save(root / "images" / "map.jpg", "JPEG")
    (tmp_path / "secret.png").write_bytes((root / "texts" / "fig.png").read_bytes())
    volume = make_volume(documents=2, parts=0, notes=0)
    volume.root = str(root)
    return volume


def test_local_images_are_packed_once_and_relinked(tmp_path):
    volume = _volume_with_images(tmp_path)
    first, second = volume.documents
    first.blocks.append(Block("paragraph", '<p><img src="texts/fig.png" alt="A red square"/></p>',
                              ""))
    second.blocks.append(Block("paragraph", '<p><img src="texts/fig.png" alt="Again"/> and '
                                            '<img src="images/map.jpg" alt="A map"/></p>', "and"))
    volume.assets = read_assets(volume.documents, Path(volume.root))  # as the pipeline does
    book = build(volume, tmp_path)
    images = {i.get("href"): i.get("media-type") for i in book.manifest().values()
              if i.get("media-type", "").startswith("image/") and not i.get("properties")}
    assert sorted(images.values()) == ["image/jpeg", "image/png"]
    shown = []
    for doc in volume.documents:
        page = book.page_of(doc.id)
        for img in book.xhtml(page).iterfind(".//x:img", NS):
            shown.append(book.resolve(img.get("src"), page))
    assert len(shown) == 3 and shown[0] == shown[1] and set(shown) <= set(book.files)
    assert "visual" in book.meta("schema:accessMode")
    assert "alternativeText" in book.meta("schema:accessibilityFeature")


def test_images_outside_the_volume_or_missing_are_left_out_with_a_warning(tmp_path, caplog):
    volume = _volume_with_images(tmp_path)
    doc = volume.documents[0]
    doc.blocks.append(Block("paragraph", '<p>Before <img src="../../secret.png" alt="x"/> '
                                         'middle <img src="nothere.png" alt=""/>after.</p>',
                            "Before middle after."))
    with caplog.at_level("WARNING", logger="bookmaker"):
        volume.assets = read_assets(volume.documents, Path(volume.root))  # as the pipeline does
        book = build(volume, tmp_path)
    page = book.xhtml(book.page_of(doc.id))
    assert page.find(".//x:img", NS) is None
    assert body_words(page.find(".//x:section", NS))[-3:] == ["Before", "middle", "after."]
    warnings = [r.getMessage() for r in caplog.records]
    assert any("'../../secret.png'" in w and w.startswith("texts/doc-0001.txt") for w in warnings)
    assert any("'nothere.png'" in w for w in warnings)
    assert not any(name.endswith("secret.png") for name in book.files)


def test_an_image_without_alt_text_withholds_the_alternative_text_claim(tmp_path):
    volume = _volume_with_images(tmp_path)
    volume.documents[0].blocks.append(Block("paragraph", '<p><img src="texts/fig.png"/></p>', ""))
    volume.assets = read_assets(volume.documents, Path(volume.root))  # as the pipeline does
    book = build(volume, tmp_path)
    assert "alternativeText" not in book.meta("schema:accessibilityFeature")
    assert "1 image(s) lack a text alternative" in book.meta("schema:accessibilitySummary")[0]


def test_links_to_anchors_the_document_lacks_become_plain_text(tmp_path, caplog):
    volume = make_volume(documents=1, parts=0, notes=1)
    doc = volume.documents[0]
    doc.blocks.append(Block(
        "paragraph",
        '<p>See <a href="#n5">note <i>5</i></a> and <a href="#doc-0001-note-1">the note</a>.</p>',
        "See note 5 and the note.",
    ))
    with caplog.at_level("WARNING", logger="bookmaker"):
        book = build(volume, tmp_path)
    last = book.xhtml(book.page_of(doc.id)).findall(".//x:div[@class='body']/x:p", NS)[-1]
    assert [a.get("href") for a in last.iterfind("x:a", NS)] == ["#doc-0001-note-1"]
    assert " ".join(words(last)) == "See note 5 and the note."
    assert last.find("x:i", NS).text == "5"
    assert any("'#n5'" in r.getMessage() for r in caplog.records)


def test_a_volume_without_documents_is_refused(tmp_path):
    volume = make_volume(documents=0, parts=0)
    with pytest.raises(BuildError, match="no documents"):
        epub.build(volume, tmp_path / "x.epub", BuildOptions())


def test_an_untitled_document_is_named_by_its_id(tmp_path):
    volume = make_volume(documents=1, parts=0)
    doc = volume.documents[0]
    doc.title, doc.title_html = "", ""
    book = build(volume, tmp_path)
    page = book.xhtml(book.page_of(doc.id))
    assert page.findtext("x:head/x:title", namespaces=NS) == "doc-0001"
    assert page.find(".//x:h1", NS).text == "doc-0001"
    assert _toc(book) == [("doc-0001", [])]


def test_the_sample_volume_keeps_every_word_and_note(tmp_path):
    from bookmaker.pipeline import load_volume

    sample = Path(__file__).resolve().parents[3] / "volumes" / "how-the-revolution-armed-1918"
    volume = load_volume(sample)
    book = build(volume, tmp_path)
    assert [title for title, _ in _toc(book)] == [
        "A Note on This Edition", "The Red Army and the Military Specialists"
    ]
    for doc in volume.documents:
        page = book.xhtml(book.page_of(doc.id))
        section = page.find(f".//x:section[@id='{doc.id}']", NS)
        assert body_words(section) == " ".join(b.text for b in doc.blocks).split()
        calls = page.xpath(".//x:a[@epub:type='noteref']", namespaces=NS)
        assert len(calls) == sum(len(n.ref_ids) for n in doc.notes)
    statement = book.xhtml(book.page_of("a-necessary-statement"))
    assert statement.find(".//x:p[@class='date']/x:time", NS).text == "December 30, 1918"
    assert body_words(statement.find(".//x:section", NS))[:3] == ["Wholesale", "and", "frequently"]


@pytest.mark.parametrize(("language", "direction"), [
    ("ar", "rtl"), ("he-IL", "rtl"), ("ku-Arab", "rtl"), ("ku", "ltr"), ("az-Latn", "ltr"),
    ("en", "ltr"), ("ru", "ltr"),
])
def test_text_direction_follows_the_language(language, direction):
    assert epub.text_direction(language) == direction


def test_a_right_to_left_book_says_so_on_every_page_and_in_the_spine(tmp_path):
    volume = make_volume(documents=1, parts=0)
    volume.info = volume.info.model_copy(update={"language": "ar"})
    book = build(volume, tmp_path)
    assert book.opf.find("opf:spine", NS).get("page-progression-direction") == "rtl"
    for path in book.spine():
        assert book.xhtml(path).get("dir") == "rtl", path
    ltr = build(make_volume(documents=1, parts=0), tmp_path, "ltr.epub")
    assert ltr.opf.find("opf:spine", NS).get("page-progression-direction") is None
    assert ltr.xhtml(ltr.spine()[0]).get("dir") is None


def test_dropped_images_and_links_are_listed_in_the_build_result(tmp_path):
    volume = make_volume(documents=1, parts=0, notes=0)
    volume.documents[0].blocks.append(
        Block("paragraph", '<p><img src="gone.png" alt=""/><a href="#x">x</a></p>', "x"))
    result = epub.build(volume, tmp_path / "w.epub", BuildOptions())
    assert len(result.warnings) == 2
    assert all(w.startswith("texts/doc-0001.txt: ") for w in result.warnings)


def test_a_volume_stylesheet_replaces_the_default(tmp_path):
    root = tmp_path / "vol"
    (root / "styles").mkdir(parents=True)
    (root / "styles" / "epub.css").write_text("p { text-indent: 0; margin: 1em 0; }\n")
    volume = make_volume(documents=1, parts=0)
    volume.root = str(root)
    book = build(volume, tmp_path)
    css = next(i for i in book.manifest().values() if i.get("media-type") == "text/css")
    assert book.files[book.resolve(css.get("href"))] == b"p { text-indent: 0; margin: 1em 0; }\n"


def test_bookmakers_own_words_follow_the_language(tmp_path):
    volume = make_volume(documents=1, parts=0, notes=1)
    volume.info = volume.info.model_copy(update={"language": "de-AT"})
    book = build(volume, tmp_path)
    nav = book.xhtml(book.nav_path())
    assert nav.find(".//x:h1", NS).text == "Inhalt"
    notes = book.xhtml(book.page_of("doc-0001")).find(".//x:section[@epub:type='endnotes']", NS)
    assert notes.find("x:h2", NS).text == "Anmerkungen"
    imprint = next(p for p in book.spine() if p.endswith("imprint.xhtml"))
    assert "wurde am 16. Dezember 2006 mit bookmaker" in " ".join(words(book.xhtml(imprint)))
    marks = nav.findall(".//x:nav[@epub:type='landmarks']//x:a", NS)
    assert [a.text for a in marks] == ["Umschlag", "Titelseite", "Inhalt", "Textbeginn"]


def test_a_language_without_labels_falls_back_to_english(tmp_path):
    volume = make_volume(documents=1, parts=0, notes=1)
    volume.info = volume.info.model_copy(update={"language": "sw"})
    book = build(volume, tmp_path)
    assert book.xhtml(book.nav_path()).find(".//x:h1", NS).text == "Contents"


@pytest.mark.parametrize(("language", "translated", "made"), [
    ("fr", "Traduit par Brian Pearce et Anne Moreau", "fabriqué avec bookmaker"),
    ("zh", "Brian Pearce和Anne Moreau译", "本电子书由 bookmaker"),
    ("ar", "ترجمة Brian Pearce وAnne Moreau", "صُنع هذا الكتاب الإلكتروني باستخدام bookmaker"),
])
def test_title_page_and_imprint_sentences_come_from_the_catalogue(
        tmp_path, language, translated, made):
    volume = make_volume(documents=1, parts=0, notes=0)
    volume.info = volume.info.model_copy(update={
        "language": language, "translators": ["Brian Pearce", "Anne Moreau"]})
    book = build(volume, tmp_path)
    title_page = next(p for p in book.spine() if p.endswith("titlepage.xhtml"))
    translator = book.xhtml(title_page).find(".//x:p[@class='translator']", NS)
    assert translator.text == translated
    imprint = next(p for p in book.spine() if p.endswith("imprint.xhtml"))
    colophon = book.xhtml(imprint).find(".//x:p[@class='colophon']", NS)
    assert made in "".join(colophon.itertext())
    assert colophon.find("x:time", NS).get("datetime") == "2006-12-16"
