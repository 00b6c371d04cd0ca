"""Hostile HTML: nothing is fetched, nothing outside the volume is read, no script survives.

A local HTTP server on 127.0.0.1 must receive zero requests while a volume full of
remote references is read and built; a secret file outside the volume must not be
opened and must not appear in any output.
"""

from __future__ import annotations

import http.server
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from bookmaker.builders import BuildOptions
from bookmaker.pipeline import load_volume, render

SECRET = "SECRET-MARKER-7f3a"


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        _CountingHandler.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        return None


@pytest.fixture
def server():
    _CountingHandler.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def hostile_page(base: str, secret_path: Path) -> str:
    return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<title>Hostile</title>
<link rel="stylesheet" href="{base}/site.css">
<link rel="stylesheet" href="file://{secret_path}">
<style>@import url("{base}/import.css"); body {{ background: url({base}/bg.png) }}</style>
<script src="{base}/tracker.js"></script>
<script>document.write("{SECRET}-script")</script>
</head>
<body onload="steal()">
<p class="title">An Order to the Troops</p>
<p class="fst" onclick="steal()" style="background: url({base}/inline.png)">The first
paragraph of the order, with <a href="javascript:alert(1)">a bad link</a> and
<a href="https://www.marxists.org/archive/trotsky/">a web link</a>.</p>
<iframe src="{base}/frame.html"></iframe>
<object data="{base}/object.swf"></object>
<embed src="{base}/embed.swf">
<form action="{base}/post"><input name="q" value="{SECRET}-form"></form>
<svg><script>alert(1)</script><image href="{base}/svg.png"/></svg>
<img src="{base}/remote.png" alt="remote">
<img src="file://{secret_path}" alt="local file">
<img src="../../{secret_path.name}" alt="escape">
<p>The second paragraph stays.<img src="http://127.0.0.1:1/x.png" onerror="steal()"></p>
<p class="footer">Marxists Internet Archive</p>
</body></html>
"""


@pytest.fixture
def hostile_volume(tmp_path, server):
    secret = tmp_path / "secret.html"
    secret.write_text(f"<p>{SECRET}</p>", "utf-8")
    folder = tmp_path / "lib" / "hostile"
    (folder / "texts").mkdir(parents=True)
    (folder / "texts" / "order.htm").write_bytes(
        hostile_page(server, secret).encode("iso-8859-1")
    )
    (folder / "volume.toml").write_text(
        '[volume]\ntitle = "Hostile"\nauthors = ["Nobody"]\ndocuments = ["texts/order.htm"]\n',
        "utf-8",
    )
    return folder, secret


def test_hostile_html_reaches_no_output(hostile_volume, tmp_path):
    folder, secret = hostile_volume
    opened: list[str] = []

    def audit(event, args):
        if event == "open" and args and isinstance(args[0], str | bytes | Path):
            opened.append(str(args[0]))

    sys.addaudithook(audit)  # hooks cannot be removed; the list is only read here
    volume = load_volume(folder)
    doc = volume.documents[0]
    assert doc.title == "An Order to the Troops"
    body = doc.body_html
    for bad in ("script", "onclick", "onload", "onerror", "javascript:", "iframe", "object",
                "embed", "form", "input", "svg", "127.0.0.1", "file:", SECRET, "steal"):
        assert bad not in body, bad
    assert "The second paragraph stays." in body
    assert "Marxists Internet Archive" not in body

    out = tmp_path / "out"
    report = render(volume, ["epub", "pdf"], out, BuildOptions(jobs=1))
    assert str(secret) not in opened
    epub = report["epub"].path
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert SECRET.encode() not in data, name
            assert b"127.0.0.1" not in data, name
            if name.endswith(".xhtml"):
                assert b"<script" not in data and b"javascript:" not in data, name
    pdf_text = "".join(page.extract_text() for page in PdfReader(report["pdf"].path).pages)
    assert SECRET not in pdf_text
    assert "The second paragraph stays." in pdf_text


def test_no_request_leaves_the_process(hostile_volume, tmp_path):
    folder, _ = hostile_volume
    volume = load_volume(folder)
    render(volume, ["epub", "pdf"], tmp_path / "out", BuildOptions(jobs=1))
    assert _CountingHandler.requests == []
