"""``bookmaker import``: a volume folder from the archive's own index page.

The index is read the way the archive writes them: a title block (``p.title``, the
headings before the first link, ``<title>``), then the contents as links — in
tables, lists or ``p.index`` paragraphs — with part headings between them (``h3``
to ``h5``, table rows without a link, lines in capitals, turned into title case).
Links to anchors in a page (``ch04.htm#o1``) name the page once. Links that leave
the index's folder (the archive's home page, other sites) are ignored and counted.

The pages, and the images they use, are copied byte for byte under ``texts/`` and
``images/``, each at its path in the index's folder (:mod:`bookmaker.images` finds a
page's ``src`` under ``images/`` when it is not beside the page), and
``volume.toml`` lists them in parts with each page's address as its ``source``.

Fetching from the web is polite and bounded (:class:`Fetcher`): one request at a
time with a delay, a User-Agent naming bookmaker, ``robots.txt`` honoured, only
addresses under the index's own folder, a size limit, and every answer cached on
disk, so that importing again makes no request.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import time
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import html as lxml_html

from bookmaker import __version__
from bookmaker.errors import BookmakerError, DocumentError
from bookmaker.readers.archive_html import CREDIT_LABELS
from bookmaker.readers.encoding import decode, sniff_html_charset
from bookmaker.text import title_case

USER_AGENT = f"bookmaker/{__version__} (+https://pypi.org/project/bookmaker/)"
MAX_BYTES = 20 * 1024 * 1024
"""Largest page or image fetched."""
DELAY = 1.0
"""Seconds between two requests to the archive."""
PAGE_SUFFIXES = (".htm", ".html", ".txt", ".md")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
_VOLUME = re.compile(r"\b(?:volume|vol\.|book|tome|band|том|tomo)\s*(\d+)\b", re.I)
_TRANSLATED = re.compile(r"\btranslat\w*(?:\s+by)?\s*:?\s*(.+)", re.I)


class ImportFailure(BookmakerError):
    """A source that cannot be imported."""

    exit_code = 3


@dataclass
class Found:
    """What the index held, and what was left out and why."""

    title: str = ""
    subtitle: str | None = None
    series: str | None = None
    series_number: int | None = None
    authors: list[str] = field(default_factory=list)
    translators: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    source: str | None = None
    language: str = "en"
    date: str | None = None
    parts: list[tuple[str | None, list[tuple[str, str]]]] = field(default_factory=list)
    """(part title or None, [(page address, link text)]) in order."""
    images: list[str] = field(default_factory=list)
    ignored: dict[str, int] = field(default_factory=dict)
    """Why links were left out → how many."""

    def ignore(self, why: str) -> None:
        self.ignored[why] = self.ignored.get(why, 0) + 1

    @property
    def pages(self) -> list[str]:
        """Each page once, without its anchor."""
        return list(dict.fromkeys(urldefrag(address)[0] for _title, docs in self.parts
                                  for address, _text in docs))


class Fetcher:
    """Reads addresses under ``base`` (a folder URL or a ``file:`` folder) politely."""

    def __init__(self, base: str, cache: Path | None = None, delay: float = DELAY) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.cache = cache
        self.delay = delay
        self.requests = 0
        self._last = 0.0
        self._robots: urllib.robotparser.RobotFileParser | None = None

    def inside(self, address: str) -> bool:
        """Whether ``address`` is under the index's own folder."""
        return address.startswith(self.base)

    def get(self, address: str) -> bytes:
        if not self.inside(address):
            raise ImportFailure(f"{address} is outside the index's folder; not read")
        if address.startswith("file:"):
            path = Path(urllib.request.url2pathname(urlsplit(address).path))
            if not path.is_file():
                raise ImportFailure("no such file", str(path))
            if path.stat().st_size > MAX_BYTES:
                raise ImportFailure(f"larger than {MAX_BYTES // 2**20} MiB; not read", str(path))
            return path.read_bytes()
        if not self._allowed(address):
            raise ImportFailure(f"{address}: robots.txt asks robots not to read it")
        return self._cached_fetch(address)

    def _cached_fetch(self, address: str) -> bytes:
        cached = self._cached(address)
        if cached is not None and cached.is_file():
            return cached.read_bytes()
        data = self._fetch(address)
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(data)
        return data

    def _cached(self, address: str) -> Path | None:
        if self.cache is None:
            return None
        return self.cache / hashlib.sha256(address.encode()).hexdigest()[:32]

    def _allowed(self, address: str) -> bool:
        if self._robots is None:
            parts = urlsplit(address)
            self._robots = urllib.robotparser.RobotFileParser()
            try:
                data = self._cached_fetch(f"{parts.scheme}://{parts.netloc}/robots.txt")
                self._robots.parse(data.decode("utf-8", "replace").splitlines())
            except ImportFailure:
                self._robots.parse([])  # no robots.txt: everything may be read
        return self._robots.can_fetch(USER_AGENT, address)

    def _fetch(self, address: str) -> bytes:
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        request = urllib.request.Request(address, headers={"User-Agent": USER_AGENT})
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                data = response.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ImportFailure(f"{address}: {getattr(exc, 'reason', exc)}") from None
        finally:
            self._last = time.monotonic()
        if len(data) > MAX_BYTES:
            raise ImportFailure(f"{address} is larger than {MAX_BYTES // 2**20} MiB; not read")
        return data


# ------------------------------------------------------------------ reading


def _text(element) -> str:
    return " ".join(element.text_content().split())


def _parse(data: bytes, address: str):
    try:
        text, _ = decode(data, sniff_html_charset(data), address)
    except DocumentError as exc:
        raise ImportFailure(exc.message, address) from None
    root = lxml_html.document_fromstring(text)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")  # a line break separates words
    return root


def _title_case(text: str) -> str:
    """A line in capitals in title case; any other line as it is."""
    return title_case(text) if text.isupper() and sum(c.isalpha() for c in text) > 3 else text


def read_index(data: bytes, address: str, fetcher: Fetcher) -> Found:
    """The volume an index page describes: its metadata and its contents in parts."""
    root = _parse(data, address)
    found = Found(language=(root.get("lang") or root.get("xml:lang") or "en").split("_")[0])
    body = root.find("body") if root.find("body") is not None else root
    title_el = root.find(".//title")
    page_title = _text(title_el) if title_el is not None else ""
    heading_texts: list[str] = []
    current: list[tuple[str, str]] = []
    part_title: str | None = None
    seen: set[tuple[str, str]] = set()
    fragments: dict[str, list[str]] = {}
    started = False  # the first link to a page ends the title block
    title_seen = False
    pending_part: str | None = None

    def close_part() -> None:
        nonlocal current
        if current:
            found.parts.append((part_title, current))
        current = []

    for el in body.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in ("script", "style"):
            continue
        classes = set((el.get("class") or "").lower().split())
        if not started:
            text = _text(el)
            if tag in ("h1", "h2") or "title" in classes:
                if text:
                    heading_texts.append(text)
                    title_seen = True
            elif tag in ("h3", "h4", "h5") or (tag in ("p", "td") and _is_part_line(text)
                                              and el.find(".//a[@href]") is None):
                # After the title, a heading that is no volume line names the first part.
                if text and title_seen and not _VOLUME.search(text):
                    pending_part = text
                elif text:
                    heading_texts.append(text)
            elif tag == "p" and (CREDIT_LABELS.search(text) or _TRANSLATED.search(text)):
                _read_credit(text, found)
        else:
            if tag in ("h2", "h3", "h4", "h5") or (
                    tag in ("p", "td", "th") and el.find(".//a[@href]") is None
                    and _is_part_line(_text(el))):
                text = _text(el)
                if text and not CREDIT_LABELS.search(text):
                    close_part()
                    part_title = _title_case(text)
                continue
        if tag != "a" or not el.get("href"):
            continue
        target, fragment = urldefrag(urljoin(address, el.get("href")))
        kind = _link_kind(target, address, fetcher)
        if kind != "page":
            if kind:
                found.ignore(kind)
            continue
        key = (target, fragment)
        if key in seen:
            continue
        seen.add(key)
        if fragment:
            fragments.setdefault(target, []).append(fragment)
            target = f"{target}#{fragment}"
        if not started and pending_part:
            part_title = _title_case(pending_part)
        started = True
        current.append((target, _text(el)))
    close_part()
    _read_title_block(heading_texts, page_title, found)
    # Several anchors into one page: each starts a document of its own; one anchor (or
    # one to a page listed whole as well) names the page once.
    whole = {urldefrag(a)[0] for _t, docs in found.parts for a, _x in docs if "#" not in a}
    split = {page for page, names in fragments.items()
             if len(set(names)) > 1 and page not in whole}
    listed: set[str] = set()
    parts = []
    for title, docs in found.parts:
        kept = []
        for target, text in docs:
            page = urldefrag(target)[0]
            entry = target if page in split else page
            if entry not in listed:
                listed.add(entry)
                kept.append((entry, text))
        if kept:
            parts.append((title, kept))
    found.parts = parts
    return found


def _is_part_line(text: str) -> bool:
    """A line in capitals (a part heading the index typed as text)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 3 and text.isupper() and len(text) < 120


def _link_kind(target: str, index: str, fetcher: Fetcher) -> str | None:
    """'page' for a page of the volume, else why the link is left out (None: not a link
    worth counting, such as an anchor in the index itself)."""
    if target == urldefrag(index)[0]:
        return None
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https", "file"):
        return "not a page (mail, script)"
    if not fetcher.inside(target):
        return "outside the volume's folder (the archive's other pages, other sites)"
    name = posixpath.basename(parts.path).lower()
    if name in ("index.htm", "index.html", "") or not name.endswith(PAGE_SUFFIXES):
        if name.endswith(IMAGE_SUFFIXES + (".pdf", ".epub", ".zip")):
            return "a file, not a page"
        return "an index of its own"
    return "page"


def _read_credit(text: str, found: Found) -> None:
    translated = _TRANSLATED.search(text)
    if translated and not found.translators:
        names = re.split(r",\s*|\s+and\s+", translated.group(1).strip(" ."))
        found.translators = [name for name in names if name][:4]
    elif CREDIT_LABELS.search(text):
        found.credits.append(text)


def _read_title_block(headings: list[str], page_title: str, found: Found) -> None:
    """Title, subtitle (the volume line), series and author from the index's headings."""
    volume_lines = [text for text in headings if _VOLUME.search(text)]
    others = [text for text in headings if text not in volume_lines]
    if volume_lines:
        found.subtitle = volume_lines[0]
        found.series_number = int(_VOLUME.search(volume_lines[0]).group(1))
    author, _, rest = page_title.partition(":")
    if rest.strip() and len(author.split()) <= 5:
        found.authors = [author.strip()]
    # The title is the longest remaining heading; one naming the author is the series line.
    candidates = [t for t in others if not (found.authors and t.endswith(found.authors[0]))]
    series = [t for t in others if found.authors and t.endswith(found.authors[0])
              and t != found.authors[0]]
    found.title = max(candidates, key=len) if candidates else (rest.strip() or page_title
                                                                or "Untitled")
    if series:
        found.series = series[0]
    year = _YEAR.search(" ".join(headings + [page_title]))
    found.date = year.group(1) if year else None


def page_images(data: bytes, address: str, fetcher: Fetcher) -> list[str]:
    """The addresses of the images a page shows that lie in the index's folder."""
    root = _parse(data, address)
    found = []
    for img in root.iter("img"):
        target = urljoin(address, img.get("src") or "")
        if target.startswith(("http", "file")) and fetcher.inside(target):
            found.append(urldefrag(target)[0])
    return list(dict.fromkeys(found))


# ------------------------------------------------------------------ writing


@dataclass
class ImportReport:
    folder: Path
    found: Found
    documents: int
    images: int
    requests: int
    skipped_images: int = 0


def import_volume(source: str, folder: Path, force: bool = False, delay: float = DELAY,
                  cache: Path | None = None) -> ImportReport:
    """Import the volume whose index page is ``source`` (a path or an http(s) address)
    into ``folder``; an existing ``volume.toml`` is kept unless ``force``."""
    address = _address(source)
    folder = Path(folder)
    manifest = folder / "volume.toml"
    if manifest.exists() and not force:
        raise ImportFailure("a volume.toml is already here (your edits are kept); "
                           "use --force to import over it", str(manifest))
    base = address.rsplit("/", 1)[0] + "/"
    fetcher = Fetcher(base, cache if not address.startswith("file:") else None, delay)
    index = fetcher.get(address)
    found = read_index(index, address, fetcher)
    if not found.pages:
        raise ImportFailure("no pages of a volume linked from this index; is it a volume's "
                           "table of contents?", source)
    written: list[tuple[str, str]] = []  # (address, path in the volume)
    images: dict[str, str] = {}
    skipped = 0
    for page in found.pages:
        try:
            data = fetcher.get(page)
        except ImportFailure as exc:  # said, counted, and left out of the manifest
            found.ignore(f"could not be read ({exc.message})")
            continue
        relative = "texts/" + page[len(base):]
        _write(folder / relative, data)
        written.append((page, relative))
        for image in page_images(data, page, fetcher):
            if image in images:
                continue
            try:
                images[image] = "images/" + image[len(base):]
                _write(folder / images[image], fetcher.get(image))
            except ImportFailure:
                del images[image]
                skipped += 1
    found.images = list(images)
    kept = dict(written)
    for address in [a for _title, docs in found.parts for a, _t in docs]:
        page, fragment = urldefrag(address)
        if fragment and page in kept:
            written.append((address, f"{kept[page]}#{fragment}"))
    kept = dict(written)
    found.parts = [(title, [(a, t) for a, t in docs if a in kept]) for title, docs in found.parts]
    found.parts = [(title, docs) for title, docs in found.parts if docs]
    if not kept:
        raise ImportFailure("none of the index's pages could be read", source)
    manifest.write_text(manifest_text(found, dict(written), source), "utf-8")
    documents = sum(len(docs) for _title, docs in found.parts)
    return ImportReport(folder, found, documents, len(images), fetcher.requests, skipped)


def _address(source: str) -> str:
    if re.match(r"^https?://", source):
        return source
    path = Path(source).resolve()
    if path.is_dir():
        path = next((path / name for name in ("index.htm", "index.html")
                     if (path / name).is_file()), path / "index.htm")
    if not path.is_file():
        raise ImportFailure("no such index page", source)
    return path.as_uri()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".part")
    temp.write_bytes(data)
    temp.replace(path)


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def manifest_text(found: Found, paths: dict[str, str], source: str) -> str:
    """``volume.toml`` for what the index held."""
    lines = [f"# Imported by bookmaker {__version__} from {source}",
             "# Check the metadata and the parts; `bookmaker inspect .` shows what was read.",
             "", "[volume]", f"title = {_toml(found.title)}"]
    if found.subtitle:
        lines.append(f"subtitle = {_toml(found.subtitle)}")
    if found.series:
        lines.append(f"series = {_toml(found.series)}")
        if found.series_number is not None:
            lines.append(f"series_number = {found.series_number}")
    if found.authors:
        lines.append("authors = [" + ", ".join(_toml(a) for a in found.authors) + "]")
    if found.translators:
        lines.append("translators = [" + ", ".join(_toml(t) for t in found.translators) + "]")
    lines.append(f"language = {_toml(found.language)}")
    if found.date:
        lines.append(f"date = {_toml(found.date)}")
    lines.append(f"source = {_toml(source if '://' in source else Path(source).name)}")

    def entry(address: str, text: str) -> str:
        return (f"{{ path = {_toml(paths[address])}, source = {_toml(address)} }}"
                if address.startswith("http") else _toml(paths[address]))

    untitled = [docs for title, docs in found.parts if title is None]
    titled = [(title, docs) for title, docs in found.parts if title is not None]
    if untitled and not titled:
        lines.append("documents = [")
        lines += [f"  {entry(a, t)}," for docs in untitled for a, t in docs]
        lines.append("]")
    else:
        if untitled:  # documents before the first part heading: front matter
            lines.append("front = [")
            lines += [f"  {entry(a, t)}," for docs in untitled for a, t in docs]
            lines.append("]")
        for title, docs in titled:
            lines += ["", "[[part]]", f"title = {_toml(title)}", "documents = ["]
            lines += [f"  {entry(a, t)}," for a, t in docs]
            lines.append("]")
    return "\n".join(lines) + "\n"
