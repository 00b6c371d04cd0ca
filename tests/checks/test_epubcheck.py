"""EPUBCheck on the books the EPUB builder makes: zero errors and zero warnings.

The books are checked in one batched EPUBCheck run (one JVM start) shared by the
module; a deliberately broken book proves that the run really reports problems.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bookmaker.builders import BuildOptions
from bookmaker.builders.epub import book as epub
from bookmaker.checks import epubcheck
from bookmaker.checks.messages import Message, format_messages
from bookmaker.errors import ToolMissingError
from bookmaker.model import Block, Note, Part, note_id, noteref_id
from tests.factories import make_document, make_volume

SAMPLE = Path(__file__).resolve().parents[2] / "volumes" / "how-the-revolution-armed-1918"


def kitchen_sink_volume(root: Path):
    """Front and back matter, archive note labels, a note in a title, rich blocks, parts,
    images (one found, one missing) and a link to an anchor the book lacks."""
    (root / "texts").mkdir(parents=True)
    Image.new("RGB", (60, 40), (120, 20, 20)).save(root / "texts" / "map.png", "PNG")
    volume = make_volume(documents=4, parts=2, notes=2)
    volume.root = str(root)
    preface = make_document("preface", "Preface", paragraphs=2, notes=1)
    preface.kind = "front"
    appendix = make_document("appendix", "Appendix", paragraphs=1, notes=0)
    appendix.kind = "back"
    volume.parts.insert(0, Part(id="front", title=None, documents=[preface]))
    volume.parts.append(Part(id="back", title=None, documents=[appendix]))
    doc = volume.documents[1]
    doc.title = "Orders & Appeals: “Arise” <1918>"
    doc.title_html = "Orders &amp; Appeals: “Arise” &lt;1918&gt;"
    ref = noteref_id(doc.id, "star")
    doc.title_html += (f'<a class="noteref" role="doc-noteref" id="{ref}" '
                       f'href="#{note_id(doc.id, "star")}">*</a>')
    doc.notes.append(Note("star", "*", note_id(doc.id, "star"), (ref,), "<p>A title note.</p>"))
    doc.notes.append(Note("99", "99", note_id(doc.id, "99"), (), "<p>Never called.</p>"))
    doc.blocks += [
        Block("heading", "<h3>Order No. 1</h3>", "Order No. 1"),
        Block("quote", "<blockquote><p>To all <i>soldiers</i>.</p></blockquote>", "To all."),
        Block("list", "<ol><li>one</li><li>two</li></ol>", "one two"),
        Block("table", "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>", "a b"),
        Block("rule", "<hr/>", ""),
        Block("preformatted", "<pre>1  2</pre>", "1 2"),
        Block("paragraph", '<p><span class="smallcaps">Trotsky</span></p>', "Trotsky"),
        Block("paragraph", '<p><img src="map.png" alt="Map of the fronts"/></p>', ""),
        Block("paragraph", '<p><img src="missing.png" alt=""/> See <a href="#n7">7</a>.</p>',
              "See 7."),
    ]
    volume.parts[1].intro_html = "<p>Orders of the autumn.</p>"
    return volume


def _break(book: Path, target: Path) -> Path:
    """A copy of ``book`` whose first document links to an id that does not exist."""
    source = zipfile.ZipFile(book)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as broken:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("doc-0001.xhtml"):
                data = data.replace(b"<div class=\"body\">",
                                    b"<div class=\"body\"><p><a href=\"#nowhere\">x</a></p>")
            broken.writestr(info, data)
    target.write_bytes(out.getvalue())
    return target


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """Every book of the module built and checked in one EPUBCheck run."""
    folder = tmp_path_factory.mktemp("epubcheck")
    volumes = {
        "flat-no-notes": make_volume(documents=3, parts=0, notes=0),
        "flat-notes": make_volume(documents=3, parts=0, notes=3),
        "two-parts-notes": make_volume(documents=5, parts=2, notes=2),
        "two-parts-no-notes": make_volume(documents=4, parts=2, notes=0),
        "kitchen-sink": kitchen_sink_volume(folder / "kitchen-sink"),
        "large-300": make_volume(documents=300, parts=12, notes=3),
        "right-to-left": make_volume(documents=2, parts=1, notes=1),
    }
    german = volumes["flat-notes"]
    german.info = german.info.model_copy(update={"language": "de"})
    rtl = volumes["right-to-left"]
    rtl.info = rtl.info.model_copy(update={"language": "ar"})
    books = {}
    for name, volume in volumes.items():
        books[name] = folder / f"{name}.epub"
        epub.build(volume, books[name], BuildOptions())
    books["broken"] = _break(books["flat-notes"], folder / "broken.epub")
    books["not-a-zip"] = folder / "not-a-zip.epub"
    books["not-a-zip"].write_bytes(b"plain text, not an EPUB")
    # The pipeline checks its temporary file before renaming it: not a .epub name.
    books["temp-name"] = folder / ".two-parts-notes.epub.x1y2.tmp"
    books["temp-name"].write_bytes(books["two-parts-notes"].read_bytes())
    results = epubcheck.run_epubcheck(list(books.values()))
    return {name: results[path] for name, path in books.items()}


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    ["flat-no-notes", "flat-notes", "two-parts-notes", "two-parts-no-notes", "kitchen-sink",
     "large-300", "right-to-left"],
)
def test_factory_books_pass_epubcheck_without_warnings(checked, name):
    messages = checked[name]
    assert messages == [], format_messages(messages, name)


@pytest.mark.slow
def test_a_file_that_is_not_a_zip_is_fatal(checked):
    assert "fatal" in {m.severity for m in checked["not-a-zip"]}
    assert any(m.code.startswith("PKG-") for m in checked["not-a-zip"])


@pytest.mark.slow
def test_a_book_under_a_temporary_name_is_checked_as_an_epub(checked):
    assert checked["temp-name"] == []


@pytest.mark.slow
def test_a_broken_book_is_reported(checked):
    messages = checked["broken"]
    assert [m.code for m in messages if m.severity == "error"] == ["RSC-012"]
    assert messages[0].file.endswith("doc-0001.xhtml") and messages[0].line is not None


@pytest.mark.slow
def test_the_sample_volume_passes_epubcheck(tmp_path):
    from bookmaker.errors import DocumentError
    from bookmaker.pipeline import load_volume

    try:
        volume = load_volume(SAMPLE)
    except DocumentError as exc:
        if "not written yet" in str(exc):
            pytest.skip(f"a reader the sample needs is not written yet: {exc}")
        raise
    book = tmp_path / "sample.epub"
    epub.build(volume, book, BuildOptions())
    # One book: this also exercises the one-JVM-per-book path.
    messages = epubcheck.check_epub(book)
    assert messages == [], format_messages(messages, "sample")


# ----------------------------------------------------------- without Java


def test_missing_java_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setattr(epubcheck.shutil, "which", lambda name: None)
    with pytest.raises(ToolMissingError, match="apt-get install default-jre-headless"):
        epubcheck.run_epubcheck([tmp_path / "a.epub"])


def test_no_books_needs_no_java(monkeypatch):
    monkeypatch.setattr(epubcheck.shutil, "which", lambda name: None)
    assert epubcheck.run_epubcheck([]) == {}


def test_the_bundled_jar_is_found():
    jar = epubcheck.find_jar()
    assert jar.name == "epubcheck.jar" and jar.stat().st_size > 100_000
    assert epubcheck.BATCH_SOURCE.is_file()


def test_json_report_becomes_one_message_per_location():
    report = {
        "messages": [
            {
                "ID": "RSC-017",
                "severity": "WARNING",
                "message": "Warning while parsing file: deprecated role",
                "locations": [
                    {"path": "EPUB/text/a.xhtml", "line": 28, "column": 88},
                    {"path": "EPUB/text/b.xhtml", "line": -1, "column": -1},
                ],
            },
            {"ID": "PKG-010", "severity": "ERROR", "message": "Spaces in file name",
             "suggestion": "Rename the file", "locations": []},
        ]
    }
    assert epubcheck.parse_report(report) == [
        Message("RSC-017", "warning", "EPUB/text/a.xhtml", 28,
                "Warning while parsing file: deprecated role", 88),
        Message("RSC-017", "warning", "EPUB/text/b.xhtml", None,
                "Warning while parsing file: deprecated role", None),
        Message("PKG-010", "error", None, None, "Spaces in file name (Rename the file)"),
    ]


def test_a_missing_report_is_a_fatal_message(tmp_path):
    messages = epubcheck._read_report(tmp_path / "a.epub", tmp_path / "none.json",
                                      "Error: Could not find or load main class\n")
    assert [(m.code, m.severity) for m in messages] == [("EPUBCHECK", "fatal")]
    assert "Could not find or load main class" in messages[0].text


def test_a_missing_file_is_fatal_without_running_java(monkeypatch, tmp_path):
    def no_run(*args, **kwargs):
        raise AssertionError("EPUBCheck should not run")

    monkeypatch.setattr(epubcheck, "_run", no_run)
    result = epubcheck.run_epubcheck([tmp_path / "gone.epub"])
    assert [(m.code, m.severity, m.text) for m in result[tmp_path / "gone.epub"]] == [
        ("EPUBCHECK", "fatal", "no such file")
    ]
