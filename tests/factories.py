"""Model objects built directly, for builder tests that should not depend on readers."""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from bookmaker.model import (
    Block,
    Document,
    Note,
    Part,
    Settings,
    Volume,
    VolumeInfo,
    note_id,
    noteref_id,
)

SEED_SENTENCES = [
    "Wholesale and frequently unjustified attacks on the military specialists drawn from the "
    "old corps of regular officers are engendering a mood of uncertainty and dismay.",
    "Every officer who wants to defend the country from the aggression of foreign imperialism "
    "is a welcome worker for our cause.",
    "The Soviet power deals severely with mutineers, and will henceforth punish traitors, but "
    "in its policy it is guided by the interests of the working people.",
    "It is perfectly clear to the Soviet power that many thousands of officers could not at "
    "once feel at home with the new regime.",
]


def make_document(doc_id: str, title: str, paragraphs: int = 6, notes: int = 2) -> Document:
    """A document shaped like an archive speech, with note calls in the body."""
    blocks = []
    note_list = []
    for i in range(paragraphs):
        text = " ".join(SEED_SENTENCES[(i + j) % len(SEED_SENTENCES)] for j in range(3))
        html = escape(text)
        if i < notes:
            key = str(i + 1)
            ref = noteref_id(doc_id, key)
            html += (
                f'<a class="noteref" role="doc-noteref" id="{ref}" '
                f'href="#{note_id(doc_id, key)}">{key}</a>'
            )
            note_list.append(
                Note(
                    key=key,
                    label=key,
                    id=note_id(doc_id, key),
                    ref_ids=(ref,),
                    html=f"<p>Note {key} to {escape(title)}: Krasnov was a Cossack general.</p>",
                    text=f"Note {key} to {title}: Krasnov was a Cossack general.",
                )
            )
        blocks.append(Block("paragraph", f"<p>{html}</p>", text))
    return Document(
        id=doc_id,
        source_path=f"texts/{doc_id}.txt",
        title=title,
        title_html=escape(title),
        source_line="From <i>Pravda</i>, March 21, 1918.",
        occasion="Speech at a meeting of the Moscow Soviet",
        date_text="December 30, 1918",
        date=dt.date(1918, 12, 30),
        blocks=blocks,
        notes=note_list,
        credits=["Transcribed for the Trotsky Internet Archive by David Walters"],
    )


def make_volume(documents: int = 4, parts: int = 2, notes: int = 2) -> Volume:
    """A volume of ``documents`` documents spread over ``parts`` titled parts (0: no parts)."""
    info = VolumeInfo(
        title="How the Revolution Armed",
        subtitle="Volume 1, 1918",
        series="The Military Writings of Leon Trotsky",
        series_number=1,
        authors=["Leon Trotsky"],
        translators=["Brian Pearce"],
        language="en",
        date="1918",
        rights="Public domain in the text; this edition CC BY-SA 4.0.",
        description="Speeches, articles and orders of the first year of the Red Army.",
        subjects=["Red Army", "Soviet Union -- History, Military"],
    )
    docs = [make_document(f"doc-{i + 1:04d}", f"Statement Number {i + 1}", notes=notes)
            for i in range(documents)]
    if parts == 0:
        part_list = [Part(id="part-1", title=None, documents=docs)]
    else:
        size = -(-documents // parts)
        part_list = [
            Part(
                id=f"part-{p + 1}",
                title=f"Part Title {p + 1}",
                documents=docs[p * size : (p + 1) * size],
            )
            for p in range(parts)
        ]
    return Volume(
        slug="test-volume",
        info=info,
        settings=Settings(),
        parts=part_list,
        source_date=dt.datetime(2006, 12, 16, tzinfo=dt.UTC),
    )


SAMPLE = Path(__file__).resolve().parent.parent / "volumes" / "how-the-revolution-armed-1918"
"""The sample volume of the repository."""


def seed_volume(folder: Path, count: int) -> Path:
    """A volume folder of ``count`` copies of the sample's statement (an archive text
    page), each titled apart: 'Statement 1', 'Statement 2'…, in texts/s001.txt…"""
    seed = SAMPLE / "texts" / "a-necessary-statement.txt"
    (folder / "texts").mkdir(parents=True)
    names = []
    for number in range(1, count + 1):
        text = seed.read_text("utf-8").replace("A Necessary Statement", f"Statement {number}")
        (folder / "texts" / f"s{number:03d}.txt").write_text(text, "utf-8")
        names.append(f'"texts/s{number:03d}.txt"')
    (folder / "volume.toml").write_text(
        '[volume]\ntitle = "Many"\nauthors = ["Leon Trotsky"]\n'
        f"documents = [{', '.join(names)}]\n", "utf-8")
    return folder

