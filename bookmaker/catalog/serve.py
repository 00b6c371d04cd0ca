"""Preview a catalogue site on this machine only (127.0.0.1) with the standard library."""

from __future__ import annotations

import functools
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bookmaker.catalog.opds import OPDS2_TYPE, OPDS_DIR, atom_type_of
from bookmaker.errors import BookmakerError
from bookmaker.log import LOGGER

HOST = "127.0.0.1"
"""Never another interface: the preview is for the person building the site."""


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves files under the site folder with the media types reading apps expect."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".epub": "application/epub+zip",
        ".pdf": "application/pdf",
        ".html": "text/html; charset=utf-8",
        ".css": "text/css; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".json": "application/json",
    }

    def guess_type(self, path):
        name = str(path).replace("\\", "/")
        if f"/{OPDS_DIR}/" in name:
            if name.endswith(".xml"):
                return atom_type_of(name.rsplit("/", 1)[-1])
            if name.endswith(".json"):
                return OPDS2_TYPE
        return super().guess_type(path)

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")  # a preview: always show the newest build
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        LOGGER.debug("serve: " + format, *args)


def make_server(site: str | Path, port: int = 0, handler: type[SiteHandler] = SiteHandler,
                require_index: bool = True) -> ThreadingHTTPServer:
    """A server rooted at ``site`` on 127.0.0.1 (port 0 picks a free port); not started.

    ``handler``: a :class:`SiteHandler` subclass (``bookmaker watch`` adds its own page);
    ``require_index``: refuse a folder without ``index.html`` (a catalogue's).
    """
    root = Path(site)
    if require_index and not (root / "index.html").is_file():
        raise BookmakerError(
            "no catalogue here (index.html missing); make one with 'bookmaker catalog'", root)
    factory = functools.partial(handler, directory=str(root.resolve()))
    try:
        return ThreadingHTTPServer((HOST, port), factory)
    except OSError as exc:
        raise BookmakerError(
            f"cannot listen on {HOST}:{port} ({exc.strerror}); choose another port with --port"
        ) from None


def serve(site: str | Path, port: int = 8000,
          announce: Callable[[str], None] | None = None) -> None:
    """Serve ``site`` on http://127.0.0.1:PORT/ until interrupted (Ctrl-C)."""
    server = make_server(site, port)
    url = f"http://{HOST}:{server.server_address[1]}/"
    (announce or LOGGER.warning)(f"serving {site} at {url} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
