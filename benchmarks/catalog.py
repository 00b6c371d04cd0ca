"""``python -m benchmarks.catalog``: the catalogue's pages and feeds for thousands of volumes.

Entries are made directly as :class:`~bookmaker.catalog.collect.Entry` objects (no
EPUB is built): many authors, series, languages and subjects, a few documents a
volume. It times a cold generation of the site and feeds into an empty folder,
then a rerun with nothing changed, and counts the files each run wrote (by the
writers' own count and, independently, by comparing every file's mtime and
inode before and after). Results go to stdout and, with ``--report``, to
``benchmarks/CATALOG.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bookmaker.catalog.collect import Download, Entry, Picture
from bookmaker.catalog.opds import write_feeds
from bookmaker.catalog.site import write_site
from bookmaker.model import Document, Part, Settings, Volume, VolumeInfo

LANGUAGES = ["en", "de", "fr", "es", "it", "ru", "pt", "nl", "pl", "zh", "ja", "en-GB"]
SUBJECTS = ["History", "Military history", "Economics", "Philosophy", "Labour movement",
            "Poetry", "Letters", "Speeches", "Journalism", "Science", "Art", "Law",
            "Religion", "Education", "Medicine", "Geography", "Politics", "Memoirs"]
FIRST = ["Anna", "Boris", "Clara", "Dmitri", "Eva", "Franz", "Greta", "Hans", "Inès", "José",
         "Karl", "Lena", "Marta", "Nikolai", "Olga", "Pavel", "Rosa", "Sofia", "Tomás", "Ulla"]
LAST = ["Abramov", "Becker", "Costa", "Dubois", "Engel", "Fischer", "García", "Horvat",
        "Ivanova", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Ortiz", "Petrov",
        "Quintero", "Rossi", "Schmidt", "Tanaka", "Urbano", "Vogel", "Weber", "Yamada",
        "Zhang", "Łukasz", "Ørsted", "Müller", "Núñez", "Öberg"]


def make_entries(count: int, seed: int = 1, authors: int | None = None,
                 series: int | None = None) -> list[Entry]:
    """``count`` catalogue entries as the collector would give them, all different.

    About one author per four volumes and one series per six by default; every
    volume has one or two authors, a language, up to three subjects and three documents.
    """
    rng = random.Random(seed)
    authors = authors or max(1, count // 4)
    series = series or max(1, count // 6)
    people = [f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}"
              + (f" {i // (len(FIRST) * len(LAST)) + 1}" if i >= len(FIRST) * len(LAST) else "")
              for i in range(authors)]
    series_names = [f"Collected Works of {people[i % authors]}, Series {i + 1}"
                    for i in range(series)]
    settings = Settings()
    base = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    entries = []
    for n in range(count):
        slug = f"volume-{n + 1:05d}"
        in_series = rng.random() < 0.8
        info = VolumeInfo(
            title=f"Writings {n + 1}",
            subtitle=f"Volume {n % 12 + 1}, {1880 + n % 100}" if n % 3 else None,
            series=series_names[rng.randrange(series)] if in_series else None,
            series_number=(n % 12 + 1) if in_series else None,
            authors=rng.sample(people, 1 + (n % 5 == 0)),
            translators=[people[(n * 7) % authors]] if n % 4 == 0 else [],
            language=LANGUAGES[rng.randrange(len(LANGUAGES))],
            date=str(1880 + n % 100),
            description=("Speeches, articles and letters of a year, with the editor's notes. "
                         * (1 + n % 3)).strip(),
            subjects=rng.sample(SUBJECTS, n % 4),
            identifier=f"urn:uuid:00000000-0000-4000-8000-{n + 1:012d}",
        )
        documents = [Document(id=f"doc-{d + 1}", source_path=f"texts/doc-{d + 1}.txt",
                              title=f"Document {d + 1} of {info.title}",
                              date_text=f"January {d + 1}, {info.date}") for d in range(3)]
        volume = Volume(slug=slug, info=info, settings=settings,
                        parts=[Part(id="part-1", title=None, documents=documents)],
                        source_date=base + dt.timedelta(hours=n * 7 % (24 * 365)))
        folder = Path("books") / slug
        downloads = [
            Download("epub", folder / f"{slug}.epub", f"books/{slug}/{slug}.epub",
                     "application/epub+zip", 200_000 + n * 13, "EPUB"),
            Download("pdf", folder / f"{slug}.pdf", f"books/{slug}/{slug}.pdf",
                     "application/pdf", 900_000 + n * 17, "PDF"),
        ]
        entries.append(Entry(
            volume=volume, identifier=info.identifier or slug, downloads=downloads,
            cover=Picture(f"books/{slug}/cover.png", "image/png", 1600, 2560),
            thumbnail=Picture(f"books/{slug}/thumbnail.jpg", "image/jpeg", 400, 640)))
    return entries


def generate(site: Path, entries: list[Entry], title: str = "Benchmark Library") -> dict:
    """Write pages and feeds once; what was produced and written, and how long it took."""
    started = time.perf_counter()
    pages = write_site(site, entries, title)
    feeds = write_feeds(site, entries, title, "bookmaker")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "pages": len(pages), "feeds": len(feeds)}


def snapshot(site: Path) -> dict[Path, tuple[int, int]]:
    """Every file's (mtime in ns, inode)."""
    return {path: (path.stat().st_mtime_ns, path.stat().st_ino)
            for path in site.rglob("*") if path.is_file()}


def run(count: int, work: Path) -> dict:
    entries = make_entries(count)
    site = work / "site"
    if site.exists():
        shutil.rmtree(site)
    cold = generate(site, entries)
    before = snapshot(site)
    time.sleep(0.01)  # a rewrite would show as a later mtime
    warm = generate(site, entries)
    after = snapshot(site)
    changed = sorted(p for p in after if before.get(p) != after[p])
    removed = sorted(set(before) - set(after))
    return {"volumes": count, "cold": cold, "warm": warm, "files": len(after),
            "bytes": sum(p.stat().st_size for p in after),
            "largest": max(p.stat().st_size for p in after  # the pages and feeds, not the
                           if p.suffix in (".html", ".xml", ".json")  # writers' records
                           and not p.name.startswith(".")),
            "search_index": (site / "search-index.js").stat().st_size,
            "rewritten": len(changed), "removed": len(removed)}


def report(result: dict) -> str:
    cold, warm = result["cold"], result["warm"]
    return f"""# Catalogue generation at scale

Measured by `python -m benchmarks.catalog --volumes {result['volumes']} --report` on the
development machine (2 cores shared with other work, Python {sys.version.split()[0]}): the
site's pages and the OPDS feeds for {result['volumes']:,} generated entries (no EPUB built;
entries made as the collector gives them, see `benchmarks/catalog.py`).

| Run | Seconds | Files rewritten |
| --- | ---: | ---: |
| Cold: empty site folder | {cold['seconds']:.1f} | {result['files']:,} (every file) |
| Rerun, nothing changed | {warm['seconds']:.1f} | {result['rewritten']} |

- Files in the site: {result['files']:,} ({cold['pages']:,} HTML pages, {cold['feeds'] - 1:,} feed
  files and the OpenSearch description; {result['bytes'] / 1024 / 1024:.0f} MB in all).
- Largest page or feed: {result['largest'] / 1024:.0f} kB (lists hold at most 50 volumes a page,
  facet lists 100 values). The whole-catalogue search index (`search-index.js`, read only by
  `search.html`) is {result['search_index'] / 1024:.0f} kB.
- Files removed by the rerun: {result['removed']}.
- "Rewritten" compares every file's mtime and inode before and after the rerun.
- The rerun still renders every page to compare its bytes; it saves the writes (and so the
  sync or upload of an unchanged site), not the rendering.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.catalog",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--volumes", type=int, default=5000)
    parser.add_argument("--work", type=Path, help="keep the site here (default: a temp folder)")
    parser.add_argument("--report", action="store_true",
                        help="write benchmarks/CATALOG.md as well")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        work = args.work or Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        result = run(args.volumes, work)
    text = report(result)
    print(text)
    if args.report:
        (Path(__file__).parent / "CATALOG.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
