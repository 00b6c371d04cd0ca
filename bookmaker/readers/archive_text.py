"""Archive plain-text transcriptions → Document.

An archive text page looks like this (blank lines separate paragraphs)::

    The Military Writings of          ┐
    Leon Trotsky                      │ volume header, repeated on every page
    Volume 1, 1918                    │
    How the Revolution Armed          ┘
    A Necessary Statement               title (before or after the credit)
    Transcribed … by David Walters      credit → Document.credits
    Speech at a meeting of …            occasion (optional)
    [From Pravda, March 21, 1918.]      source line (optional)
    * * *
    Body paragraphs with [3] note markers …
    December 30, 1918                   closing date
    NOTES
    [3] Note text …
    return return / Contents / Next     navigation
    Last updated on: 16.12.2006

The reader splits the text into paragraphs once, classifies them in a few
linear passes and never rescans the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from html import escape

from bookmaker.model import Block, Document
from bookmaker.readers import DocumentSource
from bookmaker.readers.common import (
    LAST_UPDATED,
    OCCASION,
    VOLUME_LINE,
    NoteCalls,
    NoteText,
    ReadContext,
    decode_source,
    find_date,
    finish_notes,
    first_group,
    guarded,
    inline_and_text,
    is_credit,
    is_date_line,
    is_navigation,
    is_notes_heading,
    keep_blocks,
    make_block,
    settle_title,
    text_to_inline,
)
from bookmaker.readers.typography import smarten_html


@dataclass
class Para:
    """Consecutive non-blank lines, and how many blank lines follow them."""

    lines: list[str]
    gap_after: int = 0
    after_credit: bool = False
    """True when a transcriber's credit line stands before this paragraph."""

    @cached_property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines)

    @property
    def indented(self) -> bool:
        return all(line[:1] in (" ", "\t") for line in self.lines)


_NOTE_ENTRY = re.compile(r"^\s*(?:\[(\d{1,4}|\*{1,3})\]|\((\d{1,4})\)|〔(\d{1,4})〕|［(\d{1,4})］"
                         r"|(\d{1,4})[.)])\s*(.*)$")
_SEPARATOR = re.compile(r"^[\s*_=~#-]{3,}$")
_BRACKETED = re.compile(r"^\[(?!\s*(?:\d{1,4}|\*{1,3})\s*\]$)(.+)\]\.?$", re.S)
MAX_HEAD = 14
"""Paragraphs before the body: a title page never has more."""
MAX_HEAD_LINE = 250
"""A header, title, occasion or source line is shorter than this."""


def is_furniture(text: str) -> bool:
    """Separators, navigation and 'Last updated' lines: never part of a book."""
    return bool(_SEPARATOR.match(text)) or is_navigation(text) or bool(LAST_UPDATED.match(text))


def split_paragraphs(text: str) -> list[Para]:
    """Paragraphs of consecutive non-blank lines, with the blank lines after each."""
    paras: list[Para] = []
    current: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if line.strip():
            current.append(line)
        elif current:
            paras.append(Para(current, gap_after=1))
            current = []
        elif paras:
            paras[-1].gap_after += 1
    if current:
        paras.append(Para(current))
    return paras


# Note calls in the text: [1] always (group 1); (1), 〔1〕, ［1］ (groups 2-4) and a number
# glued to a word or its punctuation, rouge.1 (group 5), when the notes have that label.
# A lookahead of every character a call can start with comes first: the engine then skips
# all other positions at once instead of trying each branch there (four times faster).
_CALL = re.compile(
    r"(?=[\[(〔［\d])(?:\[(\d{1,4}|\*{1,3})\]|\((\d{1,4})\)|〔(\d{1,4})〕|［(\d{1,4})］"
    r"|(?:(?<=[^\W\d])|(?<=[^\W\d][.,;:!?»”\"’)]))(\d{1,4})(?!\w))")


@dataclass(frozen=True)
class CallPattern:
    """The note calls of one document's text: :data:`_CALL`'s matches whose number is a
    label of the document's notes (any ``[n]`` is a call).

    Why not a pattern of the labels themselves: compiling one per document took a quarter
    of the time a document is read in. A match of another number is no call and is
    skipped; no call can begin inside it (each form begins after a letter or a bracket),
    so the calls found are the same.
    """

    numbers: frozenset[str]

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        for match in _CALL.finditer(text):
            if match.group(1) is not None or first_group(match) in self.numbers:
                yield match


def call_pattern(labels: list[str]) -> CallPattern:
    """The note calls of a document whose notes have ``labels``."""
    return CallPattern(frozenset(label for label in labels if label.isdigit()))


@guarded
def read(data: bytes, source: DocumentSource) -> Document:
    """Read an archive plain-text transcription."""
    ctx = ReadContext(source)
    text = decode_source(data, ctx)
    paras = split_paragraphs(text)
    credits: list[str] = []
    for para in paras:
        if is_credit(para.text):
            credits.append(para.text)
        para.after_credit = bool(credits)
    paras = [p for p in paras if not is_credit(p.text)]
    paras = _drop_trailing_furniture(paras)
    paras, note_texts = _split_notes(paras, ctx)
    head, body = _split_head(paras)
    header_end, title_at = _find_title(head)
    calls = NoteCalls(source.doc_id, (n.key for n in note_texts))
    smart = source.typography

    marker = call_pattern([n.label for n in note_texts])

    def inline(raw: str) -> str:
        return text_to_inline(raw, calls, marker, smart, source.language)

    def inline_block(raw: str) -> tuple[str, str]:
        return inline_and_text(raw, calls, marker, smart, source.language)

    title_html = occasion = source_line = None
    extra: list[Para] = []
    if title_at is not None:
        # An overriding title replaces this one: its note calls must not be counted.
        title_html = None if source.title else inline(head[title_at].text)
        for para in head[title_at + 1 :]:
            raw = para.text
            bracketed = _BRACKETED.match(raw)
            if bracketed and source_line is None:
                source_line = inline(bracketed.group(1).strip())
            elif occasion is None and source_line is None and not extra and _is_occasion(raw):
                occasion = inline(raw)
            elif not is_furniture(raw):
                extra.append(para)
    body = [p for p in extra + body if not (is_navigation(p.text) or LAST_UPDATED.match(p.text))]
    body, source_line = _take_trailing_source(body, source_line, inline)
    body, date_text, date = _take_closing_date(body)
    blocks = [_block(p, inline_block) for p in body]
    title, title_html = settle_title(ctx, title_html)
    notes = finish_notes(ctx, calls, note_texts)
    return Document(
        id=source.doc_id,
        source_path=source.rel_path,
        title=title,
        title_html=title_html,
        occasion=occasion,
        source_line=source_line,
        date_text=date_text,
        date=date,
        blocks=keep_blocks(blocks),
        notes=notes,
        credits=credits,
        warnings=ctx.warnings,
    )


def _drop_trailing_furniture(paras: list[Para]) -> list[Para]:
    end = len(paras)
    while end and is_furniture(paras[end - 1].text):
        end -= 1
    start = 0
    while start < end and is_furniture(paras[start].text):
        start += 1
    return paras[start:end]


def _split_notes(paras: list[Para], ctx: ReadContext) -> tuple[list[Para], list[NoteText]]:
    """Cut the closing NOTES section off and parse its entries."""
    heading = None
    for i in range(len(paras) - 1, -1, -1):
        if is_notes_heading(paras[i].text):
            heading = i
            break
    if heading is None or heading == 0:
        return paras, []
    notes: list[tuple[str, list[str]]] = []
    for para in paras[heading + 1 :]:
        if is_furniture(para.text):
            continue
        pending: list[str] = []
        for line in para.lines:
            entry = _NOTE_ENTRY.match(line)
            if entry:
                if pending and notes:
                    notes[-1][1].append(" ".join(pending))
                pending = []
                notes.append((first_group(entry), []))
                rest = entry.group(entry.re.groups).strip()
                pending = [rest] if rest else []
            else:
                pending.append(line.strip())
        if pending:
            if not notes:  # never dropped: kept as a note of its own
                ctx.warn(f"a note without a number ('{' '.join(pending)[:40]}') kept as note *")
                notes.append(("*", []))
            notes[-1][1].append(" ".join(pending))
    texts = []
    for label, paragraphs in notes:
        source = ctx.source
        html = "".join(
            f"<p>{smarten_html(escape(p, quote=False), source.typography, source.language)}</p>"
            for p in paragraphs)
        texts.append(NoteText(label=label, html=html))
    return paras[:heading], texts


def _is_prose(para: Para) -> bool:
    text = para.text
    return len(text) > MAX_HEAD_LINE or (len(text) > 100 and text[-1:] in ".!?:;\u201d\"'")


def _split_head(paras: list[Para]) -> tuple[list[Para], list[Para]]:
    """Title-page paragraphs, and the body after them (separators in the head dropped)."""
    limit = min(len(paras), MAX_HEAD)
    for i in range(limit):
        if _SEPARATOR.match(paras[i].text):
            head = [p for p in paras[:i] if not is_furniture(p.text)]
            if not any(_is_prose(p) for p in head):
                return head, paras[i + 1 :]
            break
    end = 0
    while end < limit and not _is_prose(paras[end]) and not _SEPARATOR.match(paras[end].text):
        end += 1
    if end == len(paras) and end > 1:
        end = min(end, 1)  # a text without prose: its first line is the title
    return [p for p in paras[:end] if not is_furniture(p.text)], paras[end:]


def _find_title(head: list[Para]) -> tuple[int, int | None]:
    """Where the volume header ends and which head paragraph is the title."""
    candidates = [
        i for i, p in enumerate(head)
        if not _BRACKETED.match(p.text) and len(p.text) <= MAX_HEAD_LINE
    ]
    if not candidates:
        return 0, None
    header_end = _header_end(head, candidates)
    if header_end:
        rest = [c for c in candidates if c >= header_end]
        return header_end, rest[0] if rest else candidates[-1]
    # No visible header: the credit line separates header and title when the title follows
    # it; otherwise the title is the last line that is not an occasion.
    after = [c for c in candidates if head[c].after_credit]
    before = [c for c in candidates if not head[c].after_credit]
    if after and before:
        return after[0], after[0]
    plain = [c for c in candidates if not _is_occasion(head[c].text)]
    title = plain[-1] if plain else candidates[0]
    return title, title


def _header_end(head: list[Para], candidates: list[int]) -> int:
    """End of the volume header: a double blank line after it (as on archive pages) or a
    volume line ('Volume 1, 1918') and the volume title after it; 0 if none is seen."""
    for i in candidates[:-1]:
        if head[i].gap_after >= 2:
            later = [c for c in candidates if c > i]
            header_like = i >= 1 or VOLUME_LINE.match(head[i].text)
            if header_like or not _is_occasion(head[later[0]].text):
                return i + 1
            break
    for i in candidates:
        if VOLUME_LINE.match(head[i].text):
            later = [c for c in candidates if c > i]
            if len(later) >= 2 and not _is_occasion(head[later[0]].text):
                return later[0] + 1  # the volume's own title follows its number
            return i + 1
    return 0


def _is_occasion(text: str) -> bool:
    return len(text) <= MAX_HEAD_LINE and bool(OCCASION.match(text))


def _take_trailing_source(body: list[Para], source_line, inline):
    if body and source_line is None:
        match = _BRACKETED.match(body[-1].text)
        if match and len(body[-1].text) <= MAX_HEAD_LINE:
            return body[:-1], inline(match.group(1).strip())
    return body, source_line


def _take_closing_date(body: list[Para]):
    for back in (1, 2):
        if len(body) > back and is_date_line(body[-back].text):
            text = body[-back].text
            found = find_date(text)
            date = found[1] if found else None
            return body[:-back] + body[len(body) - back + 1 :], text, date
    return body, None, None


def _block(para: Para, inline_block) -> Block:
    if _SEPARATOR.match(para.text):
        return make_block("rule", '<hr class="section-break"/>')
    html, text = inline_block(para.text)
    if para.indented and len(para.lines) > 0:
        return make_block("quote", f"<blockquote><p>{html}</p></blockquote>", text)
    return make_block("paragraph", f"<p>{html}</p>", text)
