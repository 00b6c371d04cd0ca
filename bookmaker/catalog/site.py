"""The static HTML pages: an index of all volumes and one page per volume.

Pages link each other and their files by relative URLs, so the site works from
any web server path and from a plain folder opened in a browser. Nothing is
loaded from elsewhere: the stylesheet and the filter script are local files.
"""

from __future__ import annotations

import math
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bookmaker import __version__
from bookmaker.catalog.collect import Entry
from bookmaker.labels import labels_for, primary
from bookmaker.model import slugify
from bookmaker.templating import TEMPLATES_DIR, make_environment

ASSETS = ("site.css", "filter.js")
"""Files copied as they are from ``templates/site/`` to the site root."""

ROLE_NAMES = {
    "aut": ("Author", "Authors"),
    "trl": ("Translator", "Translators"),
    "edt": ("Editor", "Editors"),
    "ctb": ("Contributor", "Contributors"),
    "ill": ("Illustrator", "Illustrators"),
    "trc": ("Transcriber", "Transcribers"),
    "pfr": ("Proofreader", "Proofreaders"),
    "aui": ("Author of introduction", "Authors of introduction"),
}

LANGUAGE_NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "ru": "Russian", "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "sv": "Swedish",
    "zh": "Chinese", "ja": "Japanese", "el": "Greek", "tr": "Turkish", "uk": "Ukrainian",
}

SHORT_DESCRIPTION = 220
"""Characters of the description shown on the index."""


@dataclass
class SeriesGroup:
    """Volumes of one series (or of none), in series order."""

    name: str | None
    entries: list[Entry]

    @property
    def id(self) -> str:
        return series_id(self.name)


def series_id(name: str | None) -> str:
    """The HTML id of a series' section on the index (the 'other volumes' one for None)."""
    return "series-" + slugify(name or "other", "series")


def group_by_series(entries: list[Entry]) -> list[SeriesGroup]:
    """Series alphabetically, volumes by series number then title; volumes without one last."""
    groups: dict[str | None, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.volume.info.series, []).append(entry)
    names = sorted((name for name in groups if name), key=str.casefold)
    ordered = [SeriesGroup(name, _by_number(groups[name])) for name in names]
    if None in groups:
        ordered.append(SeriesGroup(None, _by_number(groups[None])))
    return ordered


def _by_number(entries: list[Entry]) -> list[Entry]:
    def key(entry: Entry):
        number = entry.volume.info.series_number
        return (math.inf if number is None else number, entry.volume.info.title.casefold())

    return sorted(entries, key=key)


# --------------------------------------------------------------------- helpers


def fold(text: str) -> str:
    """Lower case without accents, as filter.js compares (NFKD, marks removed)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_text(entry: Entry) -> str:
    """What the filter matches: title, subtitle, people and series."""
    info = entry.volume.info
    people = [person.name for person in info.all_contributors()]
    parts = [info.title, info.subtitle or "", *people, info.series or ""]
    return fold(" ".join(part for part in parts if part))


def human_size(size: int) -> str:
    """'245 kB', '1.2 MB'."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, round(size / 1024))} kB"


def shorten(text: str | None, limit: int = SHORT_DESCRIPTION) -> str:
    """The description cut at a word boundary with an ellipsis."""
    if not text:
        return ""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.—–- ")
    return cut + "…"


def language_name(tag: str) -> str:
    """'English' for 'en' or 'en-GB'; the tag itself when unknown."""
    return LANGUAGE_NAMES.get(tag.split("-")[0].lower(), tag)


def series_number(number: float | None) -> str:
    """'2' for 2.0, '2.5' for 2.5."""
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else str(number)


def credits_of(entry: Entry, labels: dict[str, str]) -> list[tuple[str, list[str]]]:
    """People grouped by role, in the volume's order: [('Authors', [...]), ...].

    English pages say 'Authors' for several; other languages get their catalogue's
    role name, which has no plural form (bookmaker/locale holds one string a role)."""
    grouped: dict[str, list[str]] = {}
    for person in entry.volume.info.all_contributors():
        grouped.setdefault(person.role, []).append(person.name)
    english = primary(entry.volume.info.language) == "en"
    result = []
    for role, names in grouped.items():
        one, many = ROLE_NAMES.get(role, (role, role))
        if not english:
            one = many = labels.get(f"role_{role}", role)
        result.append((one if len(names) == 1 else many, names))
    return result


# ---------------------------------------------------------------------- render


def _environment():
    env = make_environment("site")
    env.globals.update(
        human_size=human_size, shorten=shorten, language_name=language_name,
        series_number=series_number, credits_of=credits_of, labels_for=labels_for,
        search_text=search_text, series_id=series_id, version=__version__,
    )
    return env


def write_site(site: Path, entries: list[Entry], title: str, feeds: bool = True) -> list[Path]:
    """Write index.html, one page per volume and the assets; return the pages written."""
    env = _environment()
    groups = group_by_series(entries)
    written = []
    index = site / "index.html"
    index.write_text(env.get_template("index.html").render(
        root="", title=title, groups=groups, count=len(entries), feeds=feeds), encoding="utf-8")
    written.append(index)
    page = env.get_template("volume.html")
    for entry in entries:
        path = site / entry.page_href
        path.parent.mkdir(parents=True, exist_ok=True)
        depth = entry.page_href.count("/")
        labels = labels_for(entry.volume.info.language)
        path.write_text(page.render(root="../" * depth, title=title, entry=entry, feeds=feeds,
                                    labels=labels), encoding="utf-8")
        written.append(path)
    for name in ASSETS:
        shutil.copyfile(TEMPLATES_DIR / "site" / name, site / name)
    return written
