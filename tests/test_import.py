"""``bookmaker import``: a volume folder from a saved index page of the archive, or its address."""

from __future__ import annotations

import functools
import http.server
import threading
import tomllib
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bookmaker.cli import main

HEAD = '<html lang="{lang}"><head><meta charset="{charset}"><title>{title}</title></head><body>'
PAGE = HEAD + """
<p class="title">The Military Writings of<br>Leon Trotsky</p>
<h3>Volume 1, 1918</h3>
<h2>{doc}</h2>
<p class="from">Speech at a meeting, March 1918</p>
<p>{body} This paragraph carries the words of the speech, long enough to be read as its
text and not as a line of its head.</p>
{extra}
<p class="date">March 1918</p>
</body></html>
"""

TABLE_INDEX = HEAD + """
<p class="breadcrumbs"><a href="../../../index.htm">MIA</a> &gt;
<a href="../index.htm">Trotsky</a></p>
<p class="title">The Military Writings of<br>Leon Trotsky</p>
<h3>Volume 1, 1918</h3>
<h2>How the Revolution Armed</h2>
<p>Translated by Brian Pearce</p>
<p>Transcribed for the Trotsky Internet Archive by David Walters</p>
<table>
<tr><td>THE RED ARMY AND THE MILITARY SPECIALISTS</td></tr>
<tr><td><a href="ch01.htm">A Necessary Statement</a></td></tr>
<tr><td><a href="ch02.htm">On the Commissars</a></td></tr>
<tr><td>ON THE EASTERN FRONT</td></tr>
<tr><td><a href="ch03.htm#o1">Order No. 31</a></td></tr>
<tr><td><a href="ch03.htm#o2">Order No. 32</a></td></tr>
</table>
<p><a href="http://www.example.org/">Another site</a> · <a href="mailto:x@example.org">Mail</a>
· <a href="../../../index.htm">Archive home</a></p>
</body></html>
"""

LIST_INDEX = HEAD + """
<h1>Lenin</h1>
<h2>Collected Essays</h2>
<h3>Part One: Economics</h3>
<p class="index"><a href="ch01.htm">A Necessary Statement</a></p>
<p class="index"><a href="ch02.htm">On the Commissars</a></p>
<h3>Part Two: Politics</h3>
<p class="index"><a href="ch03.htm">Order No. 31</a></p>
</body></html>
"""

FLAT_INDEX = HEAD + """
<h2>Écrits militaires</h2>
<ul>
<li><a href="ch01.htm">Une déclaration nécessaire</a></li>
<li><a href="ch02.htm">Sur les commissaires</a></li>
<li><a href="ch03.htm">Ordre no 31</a></li>
</ul>
</body></html>
"""


def mirror(root: Path, index: str, lang: str = "en") -> Path:
    """A saved copy of the archive: index.htm, three pages, an image beside them and the
    archive's home page two folders up."""
    folder = root / "archive" / "trotsky" / "works" / "military"
    (folder / "img").mkdir(parents=True)
    (root / "archive" / "index.htm").write_text("<html><body>MIA</body></html>", "utf-8")
    Image.new("RGB", (120, 80), (90, 30, 30)).save(folder / "img" / "map.png")
    fill = {"lang": lang, "charset": "utf-8", "title": "Leon Trotsky: How the Revolution Armed"}
    (folder / "index.htm").write_text(index.format(**fill), "utf-8")
    docs = {"ch01.htm": ("A Necessary Statement", '<p><img src="img/map.png" alt="Map"></p>'),
            "ch02.htm": ("On the Commissars", ""),
            "ch03.htm": ('<a name="o1"></a>Order No. 31',
                         '<h2 id="o2">Order No. 32</h2><p>The second order of the page, with '
                         "its own words, long enough to be a paragraph of its own.</p>"
                         '<p class="date">April 1918</p>')}
    for name, (title, extra) in docs.items():
        page = PAGE.format(**{**fill, "title": "Orders"}, doc=title, body="The text.",
                           extra=extra)
        # Pages held in windows-1252 as the archive keeps them, declared as such.
        (folder / name).write_bytes(page.replace('charset="utf-8"', 'charset="windows-1252"')
                                    .replace("charset=utf-8", "charset=windows-1252")
                                    .encode("cp1252"))
    return folder


def manifest(folder: Path) -> dict:
    return tomllib.loads((folder / "volume.toml").read_text("utf-8"))


def documents(data: dict) -> list[tuple[str | None, list[str]]]:
    def path(item):
        return item if isinstance(item, str) else item["path"]

    parts = [(None, [path(d) for d in data["volume"].get("documents", [])])]
    parts += [(part["title"], [path(d) for d in part["documents"]])
              for part in data.get("part", [])]
    return [part for part in parts if part[1]]


def test_a_table_index_gives_parts_metadata_pages_and_images(tmp_path, capsys):
    source = mirror(tmp_path, TABLE_INDEX)
    out = tmp_path / "volume"
    assert main(["import", str(source / "index.htm"), "-o", str(out)]) == 0
    data = manifest(out)
    info = data["volume"]
    assert info["title"] == "How the Revolution Armed"
    assert info["subtitle"] == "Volume 1, 1918"
    assert info["series"] == "The Military Writings of Leon Trotsky"
    assert info["series_number"] == 1
    assert info["authors"] == ["Leon Trotsky"]
    assert info["translators"] == ["Brian Pearce"]
    assert info["date"] == "1918" and info["language"] == "en"
    assert documents(data) == [
        ("The Red Army and the Military Specialists", ["texts/ch01.htm", "texts/ch02.htm"]),
        # Two anchors into one page: two documents, each from its own heading.
        ("On the Eastern Front", ["texts/ch03.htm#o1", "texts/ch03.htm#o2"]),
    ]
    for name in ("ch01.htm", "ch02.htm", "ch03.htm"):  # byte for byte
        assert (out / "texts" / name).read_bytes() == (source / name).read_bytes()
    assert (out / "images" / "img" / "map.png").read_bytes() == (
        source / "img" / "map.png").read_bytes()
    said = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert "4 documents in 2 part(s), 1 images" in said
    assert "outside the volume's folder" in said and "not a page" in said
    # And it builds, EPUBCheck-clean, with no manual step.
    assert main(["build", str(out), "-o", str(tmp_path / "dist"), "--check"]) == 0
    with zipfile.ZipFile(tmp_path / "dist" / "volume.epub") as book:  # the map is in it
        assert any(name.startswith("EPUB/images/map-") for name in book.namelist())


def test_p_index_links_under_headings(tmp_path):
    source = mirror(tmp_path, LIST_INDEX)
    out = tmp_path / "volume"
    assert main(["import", str(source), "-o", str(out)]) == 0
    data = manifest(out)
    assert data["volume"]["title"] == "Collected Essays"
    assert documents(data) == [("Part One: Economics", ["texts/ch01.htm", "texts/ch02.htm"]),
                               ("Part Two: Politics", ["texts/ch03.htm"])]


def test_a_flat_list_in_french(tmp_path):
    source = mirror(tmp_path, FLAT_INDEX, lang="fr")
    out = tmp_path / "volume"
    assert main(["import", str(source / "index.htm"), "-o", str(out)]) == 0
    data = manifest(out)
    assert data["volume"]["title"] == "Écrits militaires"
    assert data["volume"]["language"] == "fr"
    assert documents(data) == [(None, ["texts/ch01.htm", "texts/ch02.htm", "texts/ch03.htm"])]


def test_importing_again_keeps_the_users_edits_unless_forced(tmp_path, capsys):
    source = mirror(tmp_path, FLAT_INDEX)
    out = tmp_path / "volume"
    assert main(["import", str(source), "-o", str(out)]) == 0
    edited = (out / "volume.toml").read_text("utf-8").replace("Écrits", "Mes écrits")
    (out / "volume.toml").write_text(edited, "utf-8")
    assert main(["import", str(source), "-o", str(out)]) != 0
    assert "--force" in capsys.readouterr().err
    assert (out / "volume.toml").read_text("utf-8") == edited
    assert main(["import", str(source), "-o", str(out), "--force"]) == 0
    assert "Mes écrits" not in (out / "volume.toml").read_text("utf-8")


def test_an_index_without_pages_is_one_clear_error(tmp_path, capsys):
    page = tmp_path / "index.htm"
    page.write_text("<html><body><p>Nothing here.</p></body></html>", "utf-8")
    assert main(["import", str(page), "-o", str(tmp_path / "v")]) == 3
    err = capsys.readouterr().err
    assert "no pages of a volume" in err and "Traceback" not in err


class _Quiet(http.server.SimpleHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def log_message(self, *args) -> None:  # the test reads what was asked, not the log
        pass

    def do_GET(self):  # noqa: N802 - the standard library's name
        _Quiet.seen.append((self.path, self.headers.get("User-Agent", "")))
        super().do_GET()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "site"
    source = mirror(root, TABLE_INDEX)
    (root / "archive" / "robots.txt").write_text(
        "User-agent: *\nDisallow: /trotsky/works/military/ch02.htm\n", "utf-8")
    handler = functools.partial(_Quiet, directory=str(root / "archive"))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Quiet.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}/trotsky/works/military/index.htm", source
    httpd.shutdown()


def test_importing_from_the_web_is_polite_cached_and_bounded(server, tmp_path, monkeypatch,
                                                             capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    address, source = server
    out = tmp_path / "volume"
    assert main(["import", address, "-o", str(out), "--delay", "0"]) == 0
    asked = [path for path, _agent in _Quiet.seen]
    assert all(agent.startswith("bookmaker/") for _path, agent in _Quiet.seen)
    assert "/robots.txt" in asked
    assert not any(path.endswith("ch02.htm") for path in asked)  # robots.txt said no
    assert not any(path in ("/index.htm", "/") for path in asked)  # never outside the folder
    data = manifest(out)
    sources = [item["source"] for part in data["part"] for item in part["documents"]]
    assert sources == [address.replace("index.htm", "ch01.htm"),
                       address.replace("index.htm", "ch03.htm#o1"),
                       address.replace("index.htm", "ch03.htm#o2")]
    assert "robots.txt" in capsys.readouterr().err
    # A second import asks the archive nothing: everything comes from the cache.
    _Quiet.seen = []
    assert main(["import", address, "-o", str(out), "--force", "--delay", "0"]) == 0
    assert _Quiet.seen == []
    assert (out / "texts" / "ch01.htm").read_bytes() == (source / "ch01.htm").read_bytes()
