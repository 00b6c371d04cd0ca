"""The preview server: 127.0.0.1 only, right media types, nothing outside the site."""

from __future__ import annotations

import http.client
import threading
import urllib.request

import pytest

from bookmaker.catalog import make_server
from bookmaker.catalog.opds import ATOM_TYPE, NAVIGATION_TYPE, OPDS2_TYPE
from bookmaker.errors import BookmakerError


@pytest.fixture
def server(site):
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def get(server, path: str):
    host, port = server.server_address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.getheader("Content-Type"), response.read()


def test_listens_on_loopback_only(server):
    assert server.server_address[0] == "127.0.0.1"


def test_serves_pages_books_and_feeds_with_their_types(server, site):
    status, kind, body = get(server, "/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert b"Notes of a Journalist" in body
    epub = "/books/notes-of-a-journalist/notes-of-a-journalist.epub"
    status, kind, body = get(server, epub)
    assert (status, kind) == (200, "application/epub+zip")
    assert body == (site / epub.lstrip("/")).read_bytes()
    assert get(server, epub.replace(".epub", ".pdf"))[1] == "application/pdf"
    assert get(server, "/opds/all.xml")[1] == ATOM_TYPE
    assert get(server, "/opds/catalog.xml")[1] == NAVIGATION_TYPE
    assert get(server, "/opds/authors.xml")[1] == NAVIGATION_TYPE
    assert get(server, "/opds/author-ann-other.xml")[1] == ATOM_TYPE
    assert get(server, "/opds/all.json")[1] == OPDS2_TYPE
    assert get(server, "/site.css")[1] == "text/css; charset=utf-8"


def test_nothing_outside_the_site_is_served(server, site):
    (site.parent / "secret.txt").write_text("outside")
    status, _, body = get(server, "/../secret.txt")
    assert status == 404 and b"outside" not in body
    status, _, body = get(server, "/%2e%2e/secret.txt")
    assert status == 404 and b"outside" not in body


def test_a_folder_without_a_catalogue_is_refused(tmp_path):
    with pytest.raises(BookmakerError, match="no catalogue here"):
        make_server(tmp_path, 0)


def test_a_busy_port_is_a_clear_error(server, site):
    with pytest.raises(BookmakerError, match="cannot listen on 127.0.0.1"):
        make_server(site, server.server_address[1])


def test_urllib_sees_the_same_bytes(server, site):
    url = f"http://127.0.0.1:{server.server_address[1]}/books/loose-leaves/thumbnail.jpg"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["Content-Type"] == "image/jpeg"
        assert response.read() == (site / "books/loose-leaves/thumbnail.jpg").read_bytes()
