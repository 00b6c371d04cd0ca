"""What every reader shares: decoding, warnings, note calls, blocks and dates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html import escape, unescape
from pathlib import PurePosixPath
from typing import Protocol

from lxml import etree

from bookmaker.errors import DocumentError
from bookmaker.log import warn
from bookmaker.markup import parse_fragment
from bookmaker.model import (
    Block,
    BlockKind,
    Document,
    Note,
    TypographySettings,
    note_id,
    noteref_id,
)
from bookmaker.readers import DocumentSource, encoding
from bookmaker.readers.months import MONTHS
from bookmaker.readers.sanitize import replace_with_text  # noqa: F401 - the readers use it from here
from bookmaker.readers.typography import smarten_html

# ------------------------------------------------------------------ context


@dataclass
class ReadContext:
    """One reading of one document: its source and the warnings gathered so far."""

    source: DocumentSource
    warnings: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.source.rel_path

    def warn(self, message: str) -> None:
        """Log a warning about this document and keep it for ``Document.warnings``."""
        warn(message, self.path)
        self.warnings.append(message)

    def error(self, message: str) -> DocumentError:
        """A :class:`DocumentError` about this document, to raise."""
        return DocumentError(message, self.path)


def decode_source(data: bytes, ctx: ReadContext, declared: str | None = None) -> str:
    """The document's text, decoded as a browser would; decoding guesses become warnings."""
    notes: list[str] = []
    text, _ = encoding.decode(data, declared, ctx.path, notes, ctx.source.language)
    for note in notes:
        ctx.warn(note)
    return text


_ID = re.compile(r'\bid="([^"]+)"')


def keep_blocks(blocks: list[Block]) -> list[Block]:
    """Blocks worth keeping: those with text, rules, and those holding a note call."""
    return [b for b in blocks if b.text or b.kind == "rule" or 'class="noteref"' in b.html]


def keep_notes_consistent(document: Document) -> Document:
    """Every note's back references name a call that is really in the title or body.

    A reader may drop a block after it registered the calls in it; the note then
    keeps its text but loses the dangling reference, as a note never called does.
    """
    present = set(_ID.findall(document.title_html or ""))
    for block in document.blocks:
        present.update(_ID.findall(block.html))
    notes = []
    for note in document.notes:
        kept = tuple(ref for ref in note.ref_ids if ref in present)
        notes.append(note if kept == note.ref_ids else dataclasses.replace(note, ref_ids=kept))
    document.notes = notes
    return document


def guarded(read: Callable[[bytes, DocumentSource], Document]):
    """Wrap a reader so that library failures on hostile input become DocumentErrors.

    Bugs of our own (TypeError, KeyError…) are left to surface: the fuzz tests must see them.
    """

    def wrapper(data: bytes, source: DocumentSource) -> Document:
        try:
            return keep_notes_consistent(read(data, source))
        except DocumentError:
            raise
        except (etree.LxmlError, ValueError, RecursionError, UnicodeError) as exc:
            raise DocumentError(
                f"cannot read this document ({type(exc).__name__}: {exc}); "
                "check that the file is a well-formed transcription",
                source.rel_path,
            ) from exc

    wrapper.__doc__ = read.__doc__
    wrapper.__name__ = read.__name__
    return wrapper


# ---------------------------------------------------------------- furniture

# The archive's furniture in its languages: "last updated" lines, transcription credits
# and navigation words. (The HTML reader also knows furniture by structure: links out of
# the page with next to no text of their own.)
VOLUME_LINE = re.compile(r"^\s*(volume|vol\.|book|tome)\s+([0-9]+|[ivxlc]+)\b", re.I)
"""'Volume 1, 1918': the line under a title page's series title, in both archive readers."""

OCCASION = re.compile(
    r"^\s*(speech|report|order|address|letter|telegram|article|interview|appeal|instruction|"
    r"instructions|resolution|decree|theses|message|conversation|proclamation|draft|lecture|"
    r"reply|memorandum|concluding|opening|closing|written|published|delivered|from|at|"
    r"an?\s+(speech|address|article|report))\b",
    re.I,
)
"""A line saying what the document was and where ('Speech at a meeting in Sviyazhsk')."""

PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")
"""Where a reader took a note call out of the text, to put it back once notes are known:
private-use characters, which a source's own text never keeps (see NO_PLACEHOLDERS)."""
NO_PLACEHOLDERS = str.maketrans("", "", "\ue000\ue001")


def placeholder(index: int) -> str:
    """The mark of the ``index``-th note call taken out of the text."""
    return f"\ue000{index}\ue001"


LAST_UPDATED = re.compile(
    r"^\s*(last\s+updated|updated\s+on|derni[èe]re\s+mise\s+[àa]\s+jour|mis\s+[àa]\s+jour|"
    r"letzte\s+(aktualisierung|änderung)|zuletzt\s+(aktualisiert|geändert)|"
    r"[úu]ltima\s+(actualizaci[óo]n|modificaci[óo]n)|ultimo\s+aggiornamento|"
    r"[úu]ltima\s+atualiza[çc][ãa]o|последнее\s+обновление|обновлено|"
    r"最后更新|最後更新|更新日期|最終更新|آخر\s+تحديث)", re.I)
_CREDIT = re.compile(
    r"^(transcribed|transcription|html\s+mark-?up|mark-?up|proof-?read|scanned|"
    r"converted|prepared|copyleft|public\s+domain|transcrit|mise\s+en\s+(html|page)|"
    r"num[ée]ris|transkri|digitalisi|html-(markierung|umsetzung)|transcripci[óo]n|"
    r"digitalizaci[óo]n|marcado|транскрип|оцифров|html-разметка|разметка|"
    r"录入|校对|转录|入力|تفريغ|نسخ)",
    re.I,
)
_NAV_WORDS = {
    "return", "contents", "content", "next", "previous", "prev", "back", "top", "index", "home",
    "up", "main", "page", "chapter", "section", "archive", "table", "of", "to", "the",
    "go", "trotsky", "internet", "mia", "tia", "volume", "list", "works", "writings",
    # French, German, Spanish, Italian, Portuguese, Russian, Chinese, Japanese, Arabic
    "retour", "sommaire", "suivant", "précédent", "haut", "accueil", "des",
    "matières", "zurück", "inhalt", "inhaltsverzeichnis", "weiter", "vorherige",
    "nächste", "startseite", "übersicht", "volver", "índice", "siguiente", "anterior",
    "inicio", "indietro", "indice", "successivo", "precedente", "voltar", "próximo",
    "início", "назад", "вперёд", "вперед", "содержание", "оглавление", "главная", "далее",
    "наверх", "к", "返回", "目录", "目錄", "上一页", "下一页", "首页", "戻る", "目次", "次へ",
    "前へ", "العودة", "المحتويات", "التالي", "السابق",
}
_NAV_STRONG = _NAV_WORDS - {
    "up", "main", "page", "chapter", "section", "archive", "table", "of", "to", "the", "go",
    "trotsky", "internet", "mia", "tia", "volume", "list", "works", "writings", "des", "к"}
"""Words a line of navigation must have one of (not only 'the', 'page', 'volume')."""
_NAV_SPLIT = re.compile(r"[\s|:()\[\]<>«»/.,-]+")


# Headings the archive puts over a page's notes: the variants transcribers used in each
# language, and the word bookmaker's own catalogues (bookmaker/locale) print over notes,
# which a test keeps in this list (reading the catalogues here took each reading
# process 9 ms).
NOTES_HEADINGS = frozenset((
    "note", "notes", "footnote", "footnotes", "foot-notes", "endnotes", "end-notes",
    "notes and references", "references", "anmerkung", "anmerkungen", "fußnoten",
    "fussnoten", "noten", "nota", "notas", "notes de l'auteur", "notes du traducteur",
    "note del traduttore", "przypisy", "poznámky", "jegyzetek", "σημειώσεις", "notlar",
    "editor's notes", "editors' notes", "editor's note", "editorial notes",
    "notes de l'éditeur", "notes de la rédaction", "anmerkungen der redaktion",
    "notas del editor", "примечания редакции", "编者注", "編者注",
    "примечание", "примечания", "примітки", "бележки", "napomene", "注", "註", "注释",
    "注釋", "註釋", "注解", "脚注", "각주", "주", "ملاحظات", "الهوامش", "هوامش", "حواشی",
    "یادداشت‌ها", "پانویس", "הערות", "टिप्पणियाँ", "टिप्पणी",
))


EDITOR_HEADING = re.compile(r"editor|éditeur|rédaction|redaktion|редакц|编者|編者", re.I)


def is_editor_heading(text: str) -> bool:
    """A heading over the editors' notes, kept apart from the author's."""
    return is_notes_heading(text) and bool(EDITOR_HEADING.search(text))


def is_notes_heading(text: str) -> bool:
    """True for the heading over a page's notes, in any of the archive's languages:
    'Notes', 'Anmerkungen:', 'Примечания', '注释', 'الهوامش'."""
    words = " ".join(text.split()).strip(" :：.-—*[]").lower().replace("’", "'")
    return words in NOTES_HEADINGS


def is_navigation(text: str) -> bool:
    """A line of page navigation ('return return', 'Contents | Next')."""
    if len(text) > 80:
        return False
    words = [w.lower() for w in _NAV_SPLIT.split(text) if w]
    return bool(words) and all(w in _NAV_WORDS for w in words) and any(
        w in _NAV_STRONG for w in words)


def is_credit(text: str) -> bool:
    """A transcriber's credit line ('Transcribed … by David Walters', 'Transcription :
    …', 'Оцифровка: …')."""
    if len(text) >= 400 or not _CREDIT.match(text.strip()):
        return False
    lower = text.lower()
    return (" by " in lower or "archive" in lower or "marxists.org" in lower
            or ":" in text[:40] or "：" in text[:40] or len(text) < 200)


# -------------------------------------------------------------------- notes


def noteref_html(doc_id: str, key: str, label: str, occurrence: int) -> str:
    """A note call exactly as :mod:`bookmaker.model` documents it."""
    return (
        f'<a class="noteref" role="doc-noteref" id="{escape(noteref_id(doc_id, key, occurrence))}"'
        f' href="#{escape(note_id(doc_id, key))}">{escape(label, quote=False)}</a>'
    )


def note_key(label: str) -> str:
    """A document-scoped key for a printed label, safe inside an XML id."""
    key = re.sub(r"[^A-Za-z0-9_.-]+", "-", label.strip()).strip("-")
    if not key:
        key = "star" * max(1, label.count("*")) if "*" in label else "x"
    return key


UNRESOLVED_CALL = "noteref-unresolved"
"""Class of a call kept as superscript text because its note text is missing."""


class NoteCalls:
    """The note calls of one document: numbered occurrences and calls without a text."""

    def __init__(self, doc_id: str, known_keys: Iterable[str]) -> None:
        self.doc_id = doc_id
        self.known = set(known_keys)
        self.refs: dict[str, list[str]] = {}
        self.missing: dict[str, None] = {}

    def call(self, label: str, key: str | None = None) -> str:
        """Markup for a call of the note printed as ``label`` (``key``: an editor's note,
        whose numbers may repeat the author's).

        A call whose note text is missing stays as superscript text without a link.
        """
        key = key or note_key(label)
        if key not in self.known:
            self.missing.setdefault(label, None)
            return f'<sup class="{UNRESOLVED_CALL}">{escape(label, quote=False)}</sup>'
        refs = self.refs.setdefault(key, [])
        refs.append(noteref_id(self.doc_id, key, len(refs) + 1))
        return noteref_html(self.doc_id, key, label, len(refs))


@dataclass
class NoteText:
    """A note text found in a source, before it is matched with its calls."""

    label: str
    html: str
    """XHTML blocks (``<p>…</p>``) without the label."""
    own_key: str | None = None
    """An editor's note's key (:func:`editor_key`), apart from the author's notes."""

    @property
    def key(self) -> str:
        return self.own_key or note_key(self.label)


def editor_key(label: str) -> str:
    """The key of an editor's note: its numbers may repeat the author's."""
    return "ed" + note_key(label)


def finish_notes(ctx: ReadContext, calls: NoteCalls, texts: list[NoteText]) -> list[Note]:
    """Model notes from the texts found, warning about calls and texts that do not meet."""
    for label in calls.missing:
        ctx.warn(f"note [{label}] is called but its text is missing; kept as plain superscript")
    notes: list[Note] = []
    seen: set[str] = set()
    for text in texts:
        key = text.key
        if key in seen:  # never dropped: kept as a note of its own
            n = 2
            while f"{key}-{n}" in seen:
                n += 1
            key = f"{key}-{n}"
            ctx.warn(f"note [{text.label}] appears twice; the second is kept as a note of "
                     "its own")
        seen.add(key)
        refs = tuple(calls.refs.get(key, ()))
        if not refs:
            ctx.warn(f"note [{text.label}] is never called in the text; kept at the end")
        html = text.html or "<p></p>"
        notes.append(
            Note(
                key=key,
                label=text.label,
                id=note_id(ctx.source.doc_id, key),
                ref_ids=refs,
                html=html,
                text=plain_text(html),
            )
        )
    return notes


# ------------------------------------------------------------------- blocks

_SPACE = re.compile(r"[ \t\n\r\f]+")  # not \s: keep no-break spaces


_BREAKING = ("p", "br", "li", "dt", "dd", "td", "th", "tr", "h2", "h3", "h4", "h5", "h6",
             "blockquote", "pre", "caption")


def plain_text(html: str) -> str:
    """The text of an XHTML fragment with note calls removed and spaces collapsed."""
    root = parse_fragment(html)
    for el in root.iter(*_BREAKING):
        el.tail = " " + (el.tail or "")
    for call in root.iter("a", "sup"):
        if {"noteref", UNRESOLVED_CALL} & set((call.get("class") or "").split()):
            call.text = ""
            for child in call:
                child.text = child.tail = ""
    return _SPACE.sub(" ", "".join(root.itertext())).strip()


def make_block(kind: BlockKind, html: str, text: str | None = None) -> Block:
    """A block from one well-formed XHTML element; its plain text is derived here, unless
    the caller knows it (``text``, exactly what :func:`plain_text` would give)."""
    return Block(kind=kind, html=html, text=plain_text(html) if text is None else text)


def first_group(match: re.Match[str]) -> str:
    """The first group of ``match`` that took part: the label of a pattern with one
    group per way of writing it ([1], (1), 〔1〕…)."""
    return next(group for group in match.groups() if group is not None)


class CallFinder(Protocol):
    """What finds a text's note markers: a compiled pattern, or one that also checks them."""

    def finditer(self, string: str) -> Iterator[re.Match[str]]: ...


def text_to_inline(
    text: str,
    calls: NoteCalls | None,
    marker: CallFinder | None,
    typography: TypographySettings | None = None,
    language: str = "en",
) -> str:
    """Inline XHTML from plain ``text`` in ``language``: escaped, made typographic (when
    ``typography`` is given), with its note markers (``marker``'s first group that took
    part is the label) turned into calls.

    Typography runs before the calls are inserted, on one run of text: markers such as
    ``[3]`` are untouched by it, and a text without tags is much faster to process.
    """
    return inline_and_text(text, calls, marker, typography, language)[0]


def inline_and_text(
    text: str,
    calls: NoteCalls | None,
    marker: CallFinder | None,
    typography: TypographySettings | None = None,
    language: str = "en",
) -> tuple[str, str]:
    """:func:`text_to_inline`'s XHTML and its plain text, the calls left out, as
    :func:`plain_text` gives it, without parsing the XHTML again (which took a quarter of
    the time a plain-text document is read in)."""
    html = escape(text, quote=False)
    if typography is not None:
        html = smarten_html(html, typography, language)
    out: list[str] = []
    words: list[str] = []
    last = 0
    for match in marker.finditer(html) if calls is not None and marker is not None else ():
        words.append(html[last : match.start()])
        out.append(html[last : match.start()])
        out.append(calls.call(first_group(match)))
        last = match.end()
    words.append(html[last:])
    out.append(html[last:])
    inline, escaped = "".join(out), "".join(words)
    if "<" in escaped:  # markup the typography made (it makes none): parse it
        return inline, plain_text(f"<span>{inline}</span>")
    return inline, _SPACE.sub(" ", unescape(escaped)).strip()


def strip_noterefs(inline_html: str) -> str:
    """Plain text of inline HTML, note calls removed (for titles)."""
    return plain_text(inline_html)


# -------------------------------------------------------------------- dates

_DATE_LANGUAGES = (
    "en", "fr", "de", "es", "it", "pt", "ru", "uk", "pl", "cs", "el", "tr", "nl", "sv",
    "da", "nb", "fi", "hu", "ro", "ca", "bg", "sr", "sk",
)
"""The archive's languages whose month names (Babel's CLDR data) dates may use; Croatian
is left out, its month names (listopad = October) clash with Polish and Czech ones."""

_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATE_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일号]")
_DATE_CJK_MY = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def babel_months() -> dict[str, int]:
    """The month table made from Babel's CLDR data (slow: it loads every language's
    data); :data:`bookmaker.readers.months.MONTHS` is this table, generated."""
    from babel.dates import get_month_names

    table = {"sept": 9}
    for language in _DATE_LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names = get_month_names(width, context=context, locale=language)
                for number, name in names.items():
                    key = name.rstrip(".").casefold()
                    if len(key) >= 3:
                        table.setdefault(key, number)
    return table


def _months() -> dict[str, int]:
    """Lower-cased month name or abbreviation (no trailing dot) → month number."""
    return MONTHS


@functools.cache
def _date_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """``(month day year, day month year, month year)``, compiled at first use."""
    names = sorted(_months(), key=len, reverse=True)
    month = "(" + "|".join(re.escape(name) for name in names) + r")\.?"
    year = r"(\d{4})(?:\s*(?:г\.|года|р\.|року|yılı))?"
    mdy = re.compile(rf"\b{month}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
    dmy = re.compile(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th|er|\.|º|°)?\s+(?:de\s+|di\s+)?{month},?\s+"
        rf"(?:de\s+|del\s+)?{year}",
        re.I,
    )
    my = re.compile(rf"\b{month},?\s+(?:de\s+|del\s+)?{year}", re.I)
    return mdy, dmy, my


MAX_DATE_LINE = 80
"""A closing date line is short; longer lines are prose that happens to hold a date."""


def find_date(text: str) -> tuple[str, dt.date | None] | None:
    """The date a short line holds: ``(matched text, date or None)``, or None if it holds none.

    A month and year, or a year alone, give a date text but no date.
    """
    if len(text) > MAX_DATE_LINE * 4:
        return None
    match = _DATE_ISO.search(text)
    if match:
        return match.group(0), _safe_date(*(int(g) for g in match.groups()))
    match = _DATE_CJK.search(text)
    if match:
        return match.group(0), _safe_date(*(int(g) for g in match.groups()))
    mdy, dmy, my = _date_patterns()
    months = _months()
    match = mdy.search(text)
    if match:
        month, day, year = match.groups()
        return match.group(0), _safe_date(int(year), months[month.casefold()], int(day))
    match = dmy.search(text)
    if match:
        day, month, year = match.groups()
        return match.group(0), _safe_date(int(year), months[month.casefold()], int(day))
    match = my.search(text) or _DATE_CJK_MY.search(text)
    if match:
        return match.group(0), None
    return None


def parse_date(text: str) -> dt.date | None:
    """A full date from text such as 'December 30, 1918', '30 December 1918' or ISO."""
    found = find_date(text)
    return found[1] if found else None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_DATE_LINE_REST = re.compile(r"^(?:[\s,.;:()\[\]\u2019'-]|[^\W\d_])*$")


def is_date_line(text: str) -> bool:
    """True for a short line that is a date, perhaps with a place ('Moscow, March 1918')."""
    text = text.strip()
    if not text or len(text) > MAX_DATE_LINE:
        return False
    found = find_date(text)
    if found is None:
        return bool(re.fullmatch(r"\(?\s*(1[5-9]\d\d|20\d\d)\s*\)?\.?", text))
    rest = text.replace(found[0], " ", 1)
    return len(rest.split()) <= 3 and bool(_DATE_LINE_REST.match(rest))


# -------------------------------------------------------------------- titles


def title_from_stem(rel_path: str) -> str:
    """'texts/a-necessary_statement.txt' → 'A necessary statement'."""
    stem = PurePosixPath(rel_path.replace("\\", "/")).stem
    words = re.sub(r"[-_.]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Untitled"


def settle_title(ctx: ReadContext, title_html: str | None) -> tuple[str, str]:
    """The document's ``(title, title_html)``: the manifest's override, the found one, or the
    file name with a warning."""
    if ctx.source.title:
        title = ctx.source.title.strip()
        return title, escape(title, quote=False)
    if title_html:
        title = strip_noterefs(title_html)
        if title:
            return title, title_html
    ctx.warn("no title found; using the file name")
    title = title_from_stem(ctx.path)
    return title, escape(title, quote=False)
