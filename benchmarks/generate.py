"""Benchmark volumes made from the seed document's text.

Each generated document is about 1,000 words of the seed's sentences, reshuffled so
that every document differs, laid out as an archive plain-text page (volume header,
title, transcriber credit, ``* * *``, body, closing date, NOTES) with ``[n]`` note
markers numbered through the volume as the archive numbers them. The same documents
are also written as Markdown (``# Title``, body with pandoc footnotes ``[^n]``, date)
so that pandoc converts exactly the same text.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_CANDIDATES = (
    REPO / "volumes/how-the-revolution-armed-1918/texts/a-necessary-statement.txt",
    Path("/work/shared/seeds/a-necessary-statement.txt"),
)

WORDS_PER_DOCUMENT = 1000
NOTES_PER_DOCUMENT = 3
DOCUMENTS_PER_PART = 10
FIRST_DATE = dt.date(1918, 1, 3)

HEADER = "The Military Writings of\nLeon Trotsky\n\nVolume 1, 1918\n\nHow the Revolution Armed\n"
CREDIT = "Transcribed and HTML markup for the Trotsky Internet Archive by David Walters"
FOOTER = "return return\n\nLast updated on: 16.12.2006\n"

# Three word lists of ten: index i < 1000 picks one of each, so titles are distinct.
_LEADS = ("On", "Concerning", "Once More on", "Against Neglect of", "In Defence of",
          "A Word on", "Towards", "After", "Questions of", "Notes on")
_SUBJECTS = ("Discipline", "Supply", "Organisation", "Training", "Morale", "Mobilisation",
             "Command", "Reserves", "Commissars", "Specialists")
_PLACES = ("Eastern Front", "Southern Front", "Volga Flotilla", "Petrograd Garrison",
           "Ural Divisions", "Northern Army", "Kazan Detachments", "Moscow Reserve",
           "Don Regiments", "Caspian Flotilla")
_NOTE_TEXTS = (
    "Krasnov, P.N. (1869-1947): a general of the old army who led the Don Cossack "
    "counter-revolution in 1918 and later emigrated.",
    "Dutov, A.I. (1879-1921): ataman of the Orenburg Cossacks, who rose against the Soviet "
    "power at the end of 1917.",
    "The Supreme Military Council was set up in March 1918 to direct the work of the "
    "military departments and the organisation of the army.",
    "The order was published in Izvestiya of the All-Russia Central Executive Committee.",
    "The Czechoslovak Corps, formed of prisoners of war, rose against the Soviet power along "
    "the Trans-Siberian Railway in May 1918.",
    "The Fifth All-Russia Congress of Soviets met in Moscow in July 1918.",
)

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u2018\u201c])")


@dataclass(frozen=True)
class GeneratedDocument:
    """One benchmark document, as written in both formats."""

    number: int
    """1-based position in the volume."""
    title: str
    date: dt.date
    text_path: Path
    """The archive plain-text file."""
    markdown_path: Path
    """The same document as Markdown, for pandoc."""
    words: int


@dataclass(frozen=True)
class GeneratedVolume:
    """A benchmark volume folder and its Markdown twin."""

    root: Path
    """The volume folder (with volume.toml and texts/)."""
    markdown_dir: Path
    """One .md per document, in order, plus metadata.yaml."""
    documents: list[GeneratedDocument]

    @property
    def markdown_files(self) -> list[Path]:
        return [doc.markdown_path for doc in self.documents]

    @property
    def metadata_file(self) -> Path:
        return self.markdown_dir / "metadata.yaml"


def find_seed() -> Path:
    """The seed document: the sample volume's copy, else the shared one."""
    for path in SEED_CANDIDATES:
        if path.is_file():
            return path
    looked = ", ".join(map(str, SEED_CANDIDATES))
    raise FileNotFoundError(f"no seed document found; looked in {looked}")


def seed_sentences(seed: Path) -> list[str]:
    """The sentences of the seed's body (between ``* * *`` and the closing date)."""
    text = seed.read_text("utf-8")
    body = text.split("* * *", 1)[1]
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    prose = [" ".join(p.split()) for p in paragraphs if len(p) > 100]
    return [s for p in prose for s in _SENTENCE_END.split(p)]


def document_title(index: int) -> str:
    """A distinct title for the document at 0-based INDEX."""
    lead = _LEADS[index % 10]
    subject = _SUBJECTS[(index // 10) % 10]
    place = _PLACES[(index // 100) % 10]
    title = f"{lead} the {subject} of the {place}"
    return title if index < 1000 else f"{title} ({index // 1000 + 1})"


def format_date(date: dt.date) -> str:
    """'December 30, 1918', as the archive writes closing dates."""
    return f"{date:%B} {date.day}, {date.year}"


def body_paragraphs(sentences: list[str], rng: random.Random, words: int) -> list[str]:
    """Paragraphs of 3 to 6 shuffled seed sentences, until WORDS words are reached."""
    paragraphs: list[str] = []
    count = 0
    pool: list[str] = []
    while count < words:
        size = rng.randint(3, 6)
        chosen = []
        for _ in range(size):
            if not pool:
                pool = sentences[:]
                rng.shuffle(pool)
            chosen.append(pool.pop())
        paragraph = " ".join(chosen)
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return paragraphs


def place_markers(paragraphs: list[str], numbers: list[int], rng: random.Random,
                  style: str) -> list[str]:
    """Put one note call per number at the end of a sentence, in order through the text.

    STYLE is 'archive' (``[12]``) or 'pandoc' (``[^12]``).
    """
    out = list(paragraphs)
    slots = sorted(rng.sample(range(len(out)), min(len(numbers), len(out))))
    for slot, number in zip(slots, numbers, strict=False):
        call = f"[{number}]" if style == "archive" else f"[^{number}]"
        sentences = _SENTENCE_END.split(out[slot])
        sentences[0] += call  # after the first sentence's full stop, as the archive does
        out[slot] = " ".join(sentences)
    return out


def archive_text(title: str, date: dt.date, paragraphs: list[str],
                 notes: list[tuple[int, str]]) -> str:
    """The document as an archive plain-text page."""
    parts = [HEADER, "", title, "", CREDIT, "", "* * *", ""]
    for paragraph in paragraphs:
        parts += [paragraph, ""]
    parts += [format_date(date), "", "NOTES", ""]
    for number, text in notes:
        parts += [f"[{number}] {text}", ""]
    parts.append(FOOTER)
    return "\n".join(parts)


def markdown_text(title: str, date: dt.date, paragraphs: list[str],
                  notes: list[tuple[int, str]]) -> str:
    """The document as Markdown with pandoc footnotes."""
    parts = [f"# {title}", ""]
    for paragraph in paragraphs:
        parts += [paragraph, ""]
    parts += [f"*{format_date(date)}*", ""]
    for number, text in notes:
        parts += [f"[^{number}]: {text}", ""]
    return "\n".join(parts)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def volume_toml(count: int, parts: list[tuple[str, list[str]]]) -> str:
    """The manifest of a generated volume."""
    lines = [
        "# Generated by `python -m benchmarks`: a benchmark volume, not a real book.",
        "",
        "[volume]",
        f'title = "Benchmark Volume of {count} Documents"',
        'subtitle = "Generated from A Necessary Statement"',
        'series = "The Military Writings of Leon Trotsky"',
        'authors = ["Leon Trotsky"]',
        'translators = ["Brian Pearce"]',
        'language = "en"',
        'date = "1918"',
        'publisher = "bookmaker benchmark"',
        "",
    ]
    for title, docs in parts:
        lines += ["[[part]]", f"title = {_toml_string(title)}", "documents = ["]
        lines += [f"    {_toml_string(doc)}," for doc in docs]
        lines += ["]", ""]
    lines += [
        "[pdf]",
        'trim = "us-trade"',
        'font = "eb-garamond"',
        'notes = "endnotes"',
        'openings = "recto"',
        "",
    ]
    return "\n".join(lines)


def metadata_yaml(count: int) -> str:
    """pandoc metadata matching the manifest's."""
    return (
        "---\n"
        f'title: "Benchmark Volume of {count} Documents"\n'
        'subtitle: "Generated from A Necessary Statement"\n'
        "author: Leon Trotsky\n"
        "lang: en\n"
        'date: "1918"\n'
        "...\n"
    )


def generate_volume(work: Path, count: int, seed: Path | None = None,
                    words: int = WORDS_PER_DOCUMENT) -> GeneratedVolume:
    """Write a COUNT-document volume under WORK/vol-COUNT (and its Markdown twin)."""
    seed = seed or find_seed()
    sentences = seed_sentences(seed)
    root = work / f"vol-{count}"
    texts = root / "texts"
    markdown_dir = work / f"md-{count}"
    texts.mkdir(parents=True, exist_ok=True)
    markdown_dir.mkdir(parents=True, exist_ok=True)

    documents: list[GeneratedDocument] = []
    parts: list[tuple[str, list[str]]] = []
    note_number = 0
    for index in range(count):
        rng = random.Random(index)
        title = document_title(index)
        date = FIRST_DATE + dt.timedelta(days=index)
        paragraphs = body_paragraphs(sentences, rng, words)
        numbers = list(range(note_number + 1, note_number + 1 + NOTES_PER_DOCUMENT))
        note_number += NOTES_PER_DOCUMENT
        notes = [(n, _NOTE_TEXTS[n % len(_NOTE_TEXTS)]) for n in numbers]
        marker_rng = random.Random(f"markers-{index}")
        text_paras = place_markers(paragraphs, numbers, marker_rng, "archive")
        marker_rng = random.Random(f"markers-{index}")
        md_paras = place_markers(paragraphs, numbers, marker_rng, "pandoc")

        stem = f"doc-{index + 1:04d}"
        text_path = texts / f"{stem}.txt"
        text_path.write_text(archive_text(title, date, text_paras, notes), "utf-8")
        md_path = markdown_dir / f"{stem}.md"
        md_path.write_text(markdown_text(title, date, md_paras, notes), "utf-8")
        documents.append(GeneratedDocument(
            index + 1, title, date, text_path, md_path, sum(len(p.split()) for p in paragraphs)
        ))
        if index % DOCUMENTS_PER_PART == 0:
            part_number = index // DOCUMENTS_PER_PART + 1
            parts.append((f"Part {part_number}: {_PLACES[(part_number - 1) % 10]}", []))
        parts[-1][1].append(f"texts/{stem}.txt")

    (root / "volume.toml").write_text(volume_toml(count, parts), "utf-8")
    (markdown_dir / "metadata.yaml").write_text(metadata_yaml(count), "utf-8")
    return GeneratedVolume(root, markdown_dir, documents)


def edit_document(path: Path, word: str) -> None:
    """Append WORD to the first body paragraph of an archive text (a one-word edit)."""
    text = path.read_text("utf-8")
    head, sep, body = text.partition("* * *\n\n")
    if not sep:
        raise ValueError(f"{path}: no '* * *' separator to find the body by")
    first, rest = body.split("\n", 1)
    path.write_text(f"{head}{sep}{first} {word}\n{rest}", "utf-8")


# ------------------------------------------------------- one gigantic document

MB = 1_000_000
WORDS_PER_NOTE = 20_000
"""One note call per so many words: a long document's endnotes, all at its end."""
TITLE = "The Collected Orders of the Eastern Front"


@dataclass
class Case:
    """One volume to build: a document of ``mb`` MB, in paragraphs or on one line."""

    mb: float
    one_line: bool = False

    @property
    def name(self) -> str:
        size = f"{self.mb:g}mb"
        return f"line-{size}" if self.one_line else f"doc-{size}"

    @property
    def label(self) -> str:
        return f"{self.mb:g} MB, one line" if self.one_line else f"{self.mb:g} MB"


def generate_large(work: Path, case: Case, seed: Path | None = None) -> tuple[Path, int, int]:
    """Write the case's volume under WORK; returns (volume folder, text bytes, body words)."""
    sentences = seed_sentences(seed or find_seed())
    target = int(case.mb * MB)
    words = target // 6  # the seed's words are some 6 bytes apart, space included
    paragraphs = body_paragraphs(sentences, random.Random(f"large-{case.name}"), words)
    numbers = list(range(1, max(1, words // WORDS_PER_NOTE) + 1))
    paragraphs = place_markers(paragraphs, numbers, random.Random("markers"), "archive")
    if case.one_line:
        paragraphs = [" ".join(paragraphs)]
    notes = [(n, _NOTE_TEXTS[n % len(_NOTE_TEXTS)]) for n in numbers]
    text = archive_text(TITLE, FIRST_DATE, paragraphs, notes)
    root = work / case.name
    (root / "texts").mkdir(parents=True, exist_ok=True)
    path = root / "texts" / "orders.txt"
    path.write_text(text, "utf-8")
    manifest = volume_toml(1, [("The Eastern Front", ["texts/orders.txt"])])
    (root / "volume.toml").write_text(manifest, "utf-8")
    return root, len(text.encode()), sum(len(p.split()) for p in paragraphs)
