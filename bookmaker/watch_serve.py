"""The preview of ``bookmaker watch --serve``: the output folder on 127.0.0.1, with a page
listing the outputs that reloads itself after every build.

The page asks :data:`STATE_PATH` twice a second (a few bytes of JSON, with an ETag:
the build's generation) and reloads when the generation changed. No script from
elsewhere, no server push to keep open.
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

from bookmaker.catalog.serve import HOST, SiteHandler, make_server
from bookmaker.watch import Rebuild, Watcher

STATE_PATH = "/.watch/state.json"
POLL_MS = 500


def state(rebuild: Rebuild, files: dict[str, Path]) -> dict:
    """What the page polls: the latest build's generation and error, and the last good
    outputs ``files`` (still in place when the latest build failed)."""
    outputs = []
    for fmt, path in files.items():
        try:
            size = path.stat().st_size
        except OSError:
            continue
        outputs.append({"format": fmt, "name": path.name, "size": size})
    return {"generation": rebuild.generation, "error": rebuild.error, "outputs": outputs,
            "seconds": round(rebuild.seconds, 3)}


def page(rebuild: Rebuild, files: dict[str, Path], title: str) -> str:
    """The listing page after the latest build."""
    items = "".join(
        f'<li><a href="{quote(item["name"])}">{html.escape(item["name"])}</a> '
        f'({item["format"]}, {item["size"] / 1024:.0f} kB)</li>'
        for item in state(rebuild, files)["outputs"])
    error = (f'<p class="error">error: {html.escape(rebuild.error)}</p>'
             if rebuild.error else "")
    when = f"build {rebuild.generation}, {rebuild.seconds:.2f} s"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 2rem; }}
.error {{ color: #a00; font-family: monospace; white-space: pre-wrap; }}
.when {{ color: #666; }}</style></head>
<body><h1>{html.escape(title)}</h1>
{error}<ul>{items}</ul>
<p class="when">{html.escape(when)}; this page reloads after every build.</p>
<script>
const seen = {rebuild.generation};
async function poll() {{
  try {{
    const answer = await fetch("{STATE_PATH}", {{cache: "no-store"}});
    const now = await answer.json();
    if (now.generation !== seen) {{ location.reload(); return; }}
  }} catch (e) {{ /* the watcher stopped or restarts: try again */ }}
  setTimeout(poll, {POLL_MS});
}}
setTimeout(poll, {POLL_MS});
</script></body></html>
"""


class PreviewHandler(SiteHandler):
    """The output folder, the listing page at ``/`` and the state at :data:`STATE_PATH`."""

    watcher: Watcher

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == STATE_PATH:
            self._send_state()
        elif path in ("/", "/index.html") and not (Path(self.directory) / "index.html").is_file():
            title = f"{self.watcher.resident.root.name}: bookmaker watch"
            page_html = page(self.watcher.last, dict(self.watcher.resident.outputs), title)
            self._send(page_html.encode(), "text/html; charset=utf-8")
        else:
            super().do_GET()

    def _send_state(self) -> None:
        rebuild = self.watcher.last
        tag = f'"{rebuild.generation}"'
        if self.headers.get("If-None-Match") == tag:
            self.send_response(304)
            self.send_header("ETag", tag)
            self.end_headers()
            return
        body = state(rebuild, dict(self.watcher.resident.outputs))
        self._send(json.dumps(body).encode(), "application/json", tag)

    def _send(self, body: bytes, media_type: str, tag: str | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        if tag:
            self.send_header("ETag", tag)
        self.end_headers()
        self.wfile.write(body)


@dataclass
class Preview:
    """A running preview server."""

    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def start_preview(watcher: Watcher, port: int = 0) -> Preview:
    """Serve ``watcher``'s output folder on 127.0.0.1:PORT (0: a free port) in a thread."""
    out = watcher.resident.out_dir
    out.mkdir(parents=True, exist_ok=True)
    handler = type("BoundPreviewHandler", (PreviewHandler,), {"watcher": watcher})
    server = make_server(out, port, handler=handler, require_index=False)
    thread = threading.Thread(target=server.serve_forever, name="bookmaker-preview", daemon=True)
    thread.start()
    return Preview(server, thread)
