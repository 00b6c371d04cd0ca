"""The URL fetcher WeasyPrint renders with: only local files we trust, never the network.

WeasyPrint asks its fetcher for every stylesheet, font and image. This one answers
the documents' images from the model (the pipeline read them), lets through
``data:`` URLs and ``file:`` URLs inside the allowed folders (the volume's own
styles and templates, ours, the font packages), ``http(s):`` only when the build
allows remote images, and refuses everything else with a warning, so that a
document body cannot make a render read ``/etc/passwd`` or call a server.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from bookmaker.log import warn
from bookmaker.model import Asset
from bookmaker.resources import is_allowed_file


class RefusedURL(ValueError):
    """A URL the restricted fetcher will not open; WeasyPrint turns it into a skipped resource."""


class AssetResponse(URLFetcherResponse):
    """An image answered from the model. No ``path``: given a file's path, WeasyPrint
    reads the file again when it writes the PDF (``LazyLocalImage``), and the book
    must show what the pipeline read."""

    @property
    def path(self) -> None:
        return None


class RestrictedFetcher(URLFetcher):
    """A :class:`weasyprint.urls.URLFetcher` limited to ``data:`` and allowed ``file:`` URLs."""

    def __init__(self, roots: list[Path], allow_remote: bool = False,
                 assets: dict[Path, Asset] | None = None, **kwargs) -> None:
        # No redirects: a redirect is how the old default fetcher's protocol
        # check was bypassed (CVE-2025-68616).
        protocols = ("file", "data", "http", "https") if allow_remote else ("file", "data")
        if not allow_remote and "ssl_context" not in kwargs:
            # HTTPS is refused anyway: spare the default context's second of loading
            # the system's certificates. The context verifies, were it ever used.
            kwargs["ssl_context"] = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        super().__init__(allowed_protocols=protocols, allow_redirects=False, **kwargs)
        self.roots = [Path(root).resolve() for root in roots]
        self.assets = assets or {}
        """The documents' images, by absolute path: answered from the model, not the disk."""
        self.allow_remote = allow_remote
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = Path(url2pathname(unquote(urlsplit(url).path)))
            asset = self.assets.get(path)
            if asset is not None:
                return AssetResponse(url, asset.data, {"Content-Type": asset.media_type})
            if is_allowed_file(path, self.roots):
                return super().fetch(url, headers)
            reason = "it is no image of the volume, nor in the styles, templates or fonts"
        elif scheme in ("http", "https") and self.allow_remote:
            return super().fetch(url, headers)
        else:
            reason = "remote and other non-file resources are not fetched for print"
        self._refuse(url, reason)
        raise RefusedURL(f"bookmaker refused {url}")

    def _refuse(self, url: str, reason: str) -> None:
        if url not in self.refused:
            self.refused.append(url)
            shown = url if len(url) <= 120 else url[:117] + "…"
            warn(f"PDF: not loading '{shown}': {reason}")
