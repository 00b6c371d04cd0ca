"""Archive HTML pages (HTML 4 with the archive's classes) → Document.

The page is parsed with ``lxml.html`` (which repairs malformed markup), then
flattened, without recursion, into a list of block elements in reading order:

* head: the volume header (``p.title``, h1–h4 before the title), an optional part
  heading, the title, ``p.from``/``span.context`` (occasion or source) and the
  ``p.information`` block of ``span.info`` label/value pairs;
* body: ``p``, ``p.fst``, ``p.indent*``, ``p.quote``/``p.quoteb`` (blockquotes),
  lists, tables, ``p.date`` (the closing date);
* notes: ``p.endnote`` entries (or paragraphs after a "Notes" heading);
* furniture, dropped: ``p.footer``, ``p.next``, ``p.updat``, breadcrumbs,
  navigation links, scripts and styles.

Note markers (``<sup class="anote"><a href="#n3" name="f3">[3]</a></sup>``) are
replaced by placeholders before sanitizing and typography, then by note calls.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from html import escape

from lxml import etree
from lxml import html as lxml_html

from bookmaker.markup import inner_html
from bookmaker.model import Block, Document
from bookmaker.readers import DocumentSource
from bookmaker.readers.common import (
    LAST_UPDATED,
    NO_PLACEHOLDERS,
    OCCASION,
    PLACEHOLDER,
    VOLUME_LINE,
    NoteCalls,
    NoteText,
    ReadContext,
    decode_source,
    editor_key,
    find_date,
    finish_notes,
    first_group,
    guarded,
    is_credit,
    is_date_line,
    is_editor_heading,
    is_navigation,
    is_notes_heading,
    make_block,
    note_key,
    placeholder,
    replace_with_text,
    settle_title,
)
from bookmaker.readers.encoding import sniff_html_charset
from bookmaker.readers.sanitize import sanitize_fragment
from bookmaker.readers.typography import smarten_html

FURNITURE_CLASSES = {
    "footer", "next", "updat", "updated", "breadcrumb", "breadcrumbs", "toc", "navigation",
    "nav", "back", "link", "links", "index", "prevnext", "return", "skip",
}
DROPPED_TAGS = {
    "head", "title", "script", "style", "link", "meta", "noscript", "iframe", "object", "embed",
    "form", "svg", "math", "template", "button", "input", "select", "textarea", "frameset",
    "frame", "noframes", "map", "area", "applet", "audio", "video", "canvas", "nav", "base",
}
BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "dl", "table", "pre",
    "hr", "address", "figure",
}
# Void elements libxml2 may wrongly give children (everything after an <embed>): dropped,
# but what the parser put inside them is read.
VOID_TAGS = {"embed", "input", "link", "meta", "base", "area", "param", "source", "track",
             "keygen", "wbr"}
CONTAINER_TAGS = {"html", "body", "div", "center", "section", "article", "main", "header"}
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
CREDIT_LABELS = re.compile(r"transcri|mark-?up|proof|scann|html|copyleft|ocr", re.I)

SHORT_HEAD_LINE = 120
"""A plain paragraph shorter than this, followed by a heading, is part of the head."""

_LABEL = r"(\d{1,4}|\*{1,3}|[a-z])"
# A label as the archive wraps it: [1], (1), 〔1〕, ［1］, 【1】.
_WRAPPED = "|".join(rf"{re.escape(a)}\s*{_LABEL}\s*{re.escape(b)}"
                    for a, b in ("[]", "()", "〔〕", "［］", "【】"))
_MARKER_TEXT = re.compile(rf"^\s*(?:{_WRAPPED}|{_LABEL})\s*$")
_BRACKET_MARKER_TEXT = re.compile(rf"^\s*(?:{_WRAPPED}|(\d{{1,4}}))\s*$")
_ENTRY_START = re.compile(rf"^\s*(?:{_WRAPPED}|(\d{{1,4}})[.)]\s|(\d{{1,4}})[.)](?=\S))\s*")
_ENTRY_LINK_TEXT = re.compile(rf"^\s*(?:{_WRAPPED}|(\d{{1,4}}|\*{{1,3}})[.)]?)\s*$")
# CJK texts write calls inline in brackets, not as superscripts: 红军〔1〕。
_INLINE_CALL = re.compile(r"[〔［【](\d{1,3})[〕］】]")
NOTES_CONTAINER_CLASSES = {"footnotes", "endnotes", "notes", "footnote"}
_PART_LINE = re.compile(r"^\s*(part|section|book|chapter)\b|^\s*[IVXLC]+\.\s", re.I)
_C1_REF = re.compile(r"&#(1[2-5]\d);|&#x([89][0-9a-fA-F]);")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_TITLE_ELEMENT = re.compile(r"^(?:[^:]{1,60}:\s+)?(.+?)(?:\s*\(\d{4}\))?\s*$")


@dataclass
class Marker:
    """A note marker found in the page: the printed label and the anchor it points to."""

    label: str
    target: str | None
    editor: bool = False
    """An editor's note call (``sup.ednote``), numbered apart from the author's."""


@dataclass
class Page:
    """What the flattening pass found, in reading order."""

    blocks: list[etree._Element] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    page_title: str | None = None


@guarded
def read(data: bytes, source: DocumentSource) -> Document:
    """Read an archive HTML page."""
    ctx = ReadContext(source)
    text = decode_source(data, ctx, sniff_html_charset(data))
    page = _parse(text, ctx)
    return _Builder(ctx, page).document()


# ------------------------------------------------------------------ parsing


def _parse(text: str, ctx: ReadContext) -> Page:
    text = _XML_DECLARATION.sub("", text).translate(NO_PLACEHOLDERS)
    # Numeric references to 128–159 mean windows-1252 characters, as in browsers.
    text = _C1_REF.sub(_c1_char, text)
    if not text.strip():
        raise ctx.error("document is empty; give the file some text or remove it")
    root = lxml_html.document_fromstring(text)
    page = Page()
    title_el = root.find(".//title")
    if title_el is not None and title_el.text_content().strip():
        page.page_title = title_el.text_content().strip()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")  # so that text_content() sees a word break
    _unwrap_layout_tables(root)
    mark_note_entries(root)
    if ctx.source.fragment and not _cut_fragment(root, ctx.source.fragment):
        ctx.warn(f"no anchor '#{ctx.source.fragment}' in the page; the whole page is read")
    _replace_markers(root, page)
    page.blocks = _flatten(root)
    return page


def _c1_char(match: re.Match[str]) -> str:
    code = int(match.group(1)) if match.group(1) else int(match.group(2), 16)
    char = bytes([code]).decode("cp1252", errors="ignore")
    return escape(char, quote=False) if char else ""


def _classes(el: etree._Element) -> set[str]:
    return {c.lower() for c in (el.get("class") or "").split()}


def _replace_markers(root: etree._Element, page: Page) -> None:
    """Swap note markers for placeholder characters that survive sanitizing and typography."""
    found: list[tuple[etree._Element, Marker]] = []
    for el in root.iter("sup", "a"):
        if _in_endnote(el):
            continue
        label = _marker_label(el)
        if label is None:
            continue
        link = el if el.tag == "a" else el.find(".//a")
        href = (link.get("href") or "") if link is not None else ""
        target = href[1:] if href.startswith("#") else None
        editor = any("ednote" in _classes(e) for e in (el, *el.iterancestors("sup"),
                                                         *el.iter("sup")))
        found.append((el, Marker(label, target, editor)))
    for el, marker in found:
        index = len(page.markers)
        page.markers.append(marker)
        replace_with_text(el, placeholder(index))
    _replace_inline_calls(root, page)


def _replace_inline_calls(root: etree._Element, page: Page) -> None:
    """〔1〕 in running text is a call when a note entry of the page starts with it."""
    labels = set()
    for entry in root.iter("p", "li", "div"):
        if "endnote" in _classes(entry):
            match = _INLINE_CALL.match((entry.text or "").strip())
            if match:
                labels.add(match.group(1))
    if not labels:
        return

    def swap(text: str | None) -> str | None:
        if not text:
            return text

        def one(match: re.Match[str]) -> str:
            if match.group(1) not in labels:
                return match.group(0)
            page.markers.append(Marker(match.group(1), None))
            return placeholder(len(page.markers) - 1)

        return _INLINE_CALL.sub(one, text)

    for el in root.iter():
        if (not isinstance(el.tag, str) or _in_endnote(el) or "endnote" in _classes(el)
                or el.tag in ("script", "style")):
            continue
        el.text = swap(el.text)
        if el.tail and not _in_endnote(el.getparent() if el.getparent() is not None else el):
            el.tail = swap(el.tail)


_LAYOUT_CONTENT = ".//h1 | .//h2 | .//h3 | .//h4 | .//h5 | .//h6 | .//blockquote"
LAYOUT_PARAGRAPH = 200
"""A cell holding a paragraph this long (or a heading) is page layout, not data."""


def _is_layout_cell(cell: etree._Element) -> bool:
    return bool(cell.xpath(_LAYOUT_CONTENT)) or any(
        len(p.text_content()) > LAYOUT_PARAGRAPH for p in cell.iter("p"))


def _unwrap_layout_tables(root: etree._Element) -> None:
    """Older pages hold their whole text in a layout ``<table>``: a table whose cells hold
    paragraphs or headings is read as the blocks inside it, its cells as containers. A
    table of data (cells of words and numbers) stays a table."""
    for table in list(root.iter("table")):
        if table.getparent() is None or not any(
                _is_layout_cell(cell) for cell in table.iter("td", "th")):
            continue
        for el in _layout_parts(table):
            el.tag = "div"
            el.attrib.clear()


def _layout_parts(table: etree._Element) -> list[etree._Element]:
    """The table and its own rows and cells (not those of tables nested in its cells)."""
    found = [table]
    stack = list(table)
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str) or el.tag == "table":
            continue
        if el.tag in ("tbody", "thead", "tfoot", "tr", "td", "th"):
            found.append(el)
            stack.extend(el)
    return found


def _cut_fragment(root: etree._Element, fragment: str) -> bool:
    """Keep only the document that starts at ``fragment``: from the heading holding (or
    following) the anchor to the next heading of its level or above, and the page's notes
    that it calls. False when the page has no such anchor."""
    found = root.xpath("//*[@id=$f or @name=$f]", f=fragment)
    if not found:
        return False
    anchor = found[0]
    heading = anchor if anchor.tag in HEADING_TAGS else next(
        (a for a in anchor.iterancestors() if a.tag in HEADING_TAGS), None)
    if heading is None:
        following = anchor.xpath("following::*[self::h1 or self::h2 or self::h3 or self::h4 "
                                 "or self::h5 or self::h6][1]")
        heading = following[0] if following else anchor
    parent = heading.getparent()
    siblings = list(parent)
    start = siblings.index(heading)
    level = int(heading.tag[1]) if heading.tag in HEADING_TAGS else 6

    def ends(el) -> bool:  # the next document's heading, or the page's notes
        if not isinstance(el.tag, str):
            return False
        if el.tag in HEADING_TAGS:
            return int(el.tag[1]) <= level or is_notes_heading(el.text_content())
        return bool(_entries_in(el))

    end = next((i for i in range(start + 1, len(siblings)) if ends(siblings[i])),
               len(siblings))
    kept = siblings[start:end]
    targets = _link_targets(kept)

    def is_note_of_this(el) -> bool:
        if not isinstance(el.tag, str):
            return False
        if el.tag in HEADING_TAGS and is_notes_heading(el.text_content()):
            return True
        entries = _entries_in(el)
        if not entries:
            return False
        for entry in entries:  # the page's shared notes: only those this document calls
            anchor_name = entry_label(entry, remove=False)[1]
            if anchor_name and anchor_name not in targets:
                entry.getparent().remove(entry)
        return True

    notes = [el for el in siblings[end:] if is_note_of_this(el)]
    for el in siblings:
        if el not in kept and el not in notes:
            parent.remove(el)
    # Around them, the rest of the page (other documents, the volume's header) goes too,
    # but not its notes.
    for ancestor in parent.iterancestors():
        if ancestor.tag == "html":
            break
        for el in list(ancestor):
            if el is not parent and not is_note_of_this(el):
                ancestor.remove(el)
        parent = ancestor
    return True


_SEPARATORS = re.compile(r"[\s|·•:>»«<()\[\]/.,–—-]+")


def _is_link_line(el: etree._Element, text: str) -> bool:
    """Navigation, by structure and in any language: a short line of links to other pages
    with next to nothing of its own between them ('Retour | Sommaire', '« Назад')."""
    links = [a for a in el.iter("a") if (a.get("href") or "")
             and not (a.get("href") or "").startswith("#")]
    if not links or len(text) > 200:
        return False
    own = text
    for link in links:
        own = own.replace(" ".join(link.text_content().split()), " ", 1)
    return len(_SEPARATORS.sub("", own)) <= 2


def _add_classes(el: etree._Element, *names: str) -> None:
    el.set("class", " ".join([*(el.get("class") or "").split(), *names]))


def _link_targets(elements) -> set[str]:
    """The anchors that links in ``elements`` (and their descendants) point to."""
    return {(a.get("href") or "")[1:] for el in elements for a in el.iter("a")
            if (a.get("href") or "").startswith("#")}


def _entries_in(el: etree._Element) -> list[etree._Element]:
    """The note entries :func:`mark_note_entries` marked in ``el`` (itself included)."""
    return [e for e in el.iter() if isinstance(e.tag, str) and "endnote" in _classes(e)]


def _in_notes_container(el: etree._Element, tags=("div", "section")) -> bool:
    return any(_classes(a) & NOTES_CONTAINER_CLASSES for a in el.iterancestors(*tags))


def mark_note_entries(root: etree._Element) -> None:
    """Give the class ``endnote`` to every note entry of the page, found by structure, not
    by words: the blocks of a ``div.footnotes`` (or endnotes, notes), the labelled blocks
    after a notes heading in any language, and any block that begins with a label whose
    anchor a link of the page points to."""
    targets = _link_targets([root])
    after_heading = editors = False
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in HEADING_TAGS:
            after_heading = is_notes_heading(el.text_content())
            editors = is_editor_heading(el.text_content())
            continue
        if tag == "ol" and (after_heading or _classes(el) & NOTES_CONTAINER_CLASSES
                            or _in_notes_container(el)):
            _list_to_entries(el)
            continue
        if tag not in ("p", "li", "div") or "endnote" in _classes(el):
            continue
        in_container = _in_notes_container(el, ("div", "section", "ol", "ul", "aside"))
        if tag == "div" and (len(el.findall("p")) or _classes(el) & NOTES_CONTAINER_CLASSES):
            continue  # a wrapper: its paragraphs are the entries
        label, anchor = entry_label(el, remove=False)
        if in_container or (label is not None and (after_heading or anchor in targets)):
            _add_classes(el, "endnote", *(["ednote"] if editors and after_heading else []))


def _list_to_entries(ol: etree._Element) -> None:
    """A numbered list of notes becomes paragraphs labelled by their numbers."""
    try:
        number = int(ol.get("start") or 1)
    except ValueError:
        number = 1
    ol.tag = "div"
    for item in ol.findall("li"):
        value = item.get("value") or ""
        number = int(value) if value.isdigit() else number
        item.tag = "p"
        item.set("data-label", str(number))
        _add_classes(item, "endnote")
        number += 1


def entry_label(el: etree._Element, remove: bool = True) -> tuple[str | None, str | None]:
    """The printed label at the start of a note entry and its anchor (``name`` or ``id``
    of a leading link or empty anchor, else of the entry): ``<a name="n1" href="#f1">1.</a>``,
    ``<a name="n1"></a><a href="#f1">[1]</a>``, ``<sup>1</sup>``, ``(1) …``, ``〔1〕…``."""
    if el.get("data-label"):  # an item of a numbered list of notes
        return el.get("data-label"), el.get("id")
    anchor = None
    empty: list[etree._Element] = []  # empty anchors before the label, dropped with it
    if not (el.text or "").strip():
        for child in el:
            if not isinstance(child.tag, str):
                break
            text = child.text_content()
            if child.tag == "a" and not text.strip():
                anchor = anchor or child.get("name") or child.get("id")
                if (child.tail or "").strip():
                    break
                empty.append(child)
                continue
            if child.tag in ("a", "sup", "span", "b", "strong"):
                match = _ENTRY_LINK_TEXT.match(text)
                if match:
                    inner = child.find(".//a[@name]") if child.tag != "a" else None
                    anchor = (child.get("name") or child.get("id") or anchor
                              or (inner.get("name") if inner is not None else None)
                              or el.get("id"))
                    if remove:
                        for element in [*empty, child]:
                            replace_with_text(element, "")
                    return first_group(match), anchor
            break
    match = _ENTRY_START.match(el.text or "")
    if match:
        anchor_el = el.find(".//a[@name]")
        anchor = anchor or (anchor_el.get("name") if anchor_el is not None else el.get("id"))
        if remove:
            el.text = (el.text or "")[match.end():]
        return first_group(match), anchor
    return None, anchor


def _marker_label(el: etree._Element) -> str | None:
    """The label of a note call: ``<sup>`` with a note class, a link or a wrapped label;
    a link to an anchor reading ``[1]``, ``1``, or holding such a ``<sup>``."""
    text = el.text_content()
    if el.tag == "sup":
        match = _MARKER_TEXT.match(text)
        if not match:
            return None
        if el.getparent() is not None and el.getparent().tag == "a":
            return None  # the link around it is the call
        is_note = _classes(el) & {"anote", "ednote", "note", "fnote"}
        link = el.find(".//a")
        wrapped = not text.strip()[:1].isalnum()  # (1), [1], 〔1〕: a call, not an exponent
        if is_note or wrapped or (link is not None
                                  and (link.get("href") or "").startswith("#")):
            return first_group(match)
        return None
    if el.getparent() is not None and el.getparent().tag == "sup":
        return None
    if not (el.get("href") or "").startswith("#"):
        return None
    match = (_MARKER_TEXT if el.find(".//sup") is not None else _BRACKET_MARKER_TEXT).match(text)
    return first_group(match) if match else None


def _in_endnote(el: etree._Element) -> bool:
    for ancestor in el.iterancestors("p", "div", "li"):
        if "endnote" in _classes(ancestor) or "endnotes" in _classes(ancestor):
            return True
    return False


def _is_dropped(el: etree._Element, tag: str) -> bool:
    return tag in DROPPED_TAGS or bool(_classes(el) & FURNITURE_CLASSES)


def _flatten(root: etree._Element) -> list[etree._Element]:
    """Block elements in reading order; loose text in containers becomes ``p`` elements.

    Iterative, so a page nested thousands of levels deep cannot exhaust the stack.
    """
    blocks: list[etree._Element] = []
    loose: etree._Element | None = None
    stack: list[object] = [root]
    sequence: list[object]
    breaks = 0

    def close_loose() -> None:
        nonlocal loose
        if loose is not None and (loose.text_content().strip() or len(loose)):
            blocks.append(loose)
        loose = None

    def add_loose(item: object) -> None:
        nonlocal loose
        if loose is None:
            if isinstance(item, str) and not item.strip():
                return
            loose = lxml_html.Element("p")
        if isinstance(item, str):
            if len(loose):
                loose[-1].tail = (loose[-1].tail or "") + item
            else:
                loose.text = (loose.text or "") + item
        else:
            clone = copy.deepcopy(item)
            clone.tail = None
            loose.append(clone)

    while stack:
        node = stack.pop()
        if node is None:
            close_loose()
            continue
        if isinstance(node, str):
            if node.strip():
                breaks = 0
            add_loose(node)
            continue
        el = node
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in VOID_TAGS:
            sequence = []
            for child in el:
                sequence.append(child)
                if child.tail:
                    sequence.append(child.tail)
            stack.extend(reversed(sequence))
            continue
        if _is_dropped(el, tag):
            continue
        if tag in BLOCK_TAGS:
            close_loose()
            blocks.append(el)
            continue
        if tag in CONTAINER_TAGS:
            sequence = [None]
            if el.text:
                sequence.append(el.text)
            for child in el:
                sequence.append(child)
                if child.tail:
                    sequence.append(child.tail)
            sequence.append(None)
            stack.extend(reversed(sequence))
            continue
        if tag == "br":
            breaks += 1
            if breaks >= 2:
                close_loose()
                continue
        else:
            breaks = 0
        add_loose(el)
    close_loose()
    return blocks


# ----------------------------------------------------------------- building


def _text_of(el: etree._Element) -> str:
    return " ".join(el.text_content().split())


def _heading_level(el: etree._Element) -> int | None:
    if el.tag in HEADING_TAGS:
        return int(el.tag[1])
    if el.tag == "p" and _classes(el) & {"title", "subtitle"}:
        return 5
    return None


class _Builder:
    """Turns the flattened page into a Document in a few ordered steps."""

    def __init__(self, ctx: ReadContext, page: Page) -> None:
        self.ctx = ctx
        self.page = page
        self.metadata: dict[str, str] = {}
        self.credits: list[str] = []
        self.note_texts: list[NoteText] = []
        self.anchor_labels: dict[str, str] = {}
        self.editor_anchors: set[str] = set()
        self.calls: NoteCalls | None = None

    def document(self) -> Document:
        head, body, notes = self._split(self.page.blocks)
        self._read_notes(notes)
        self.calls = NoteCalls(self.ctx.source.doc_id, (n.key for n in self.note_texts))
        title_html, part_heading, occasion, source_line, head_date = self._read_head(head)
        blocks, date_text = self._read_body(body)
        date_text = date_text or head_date
        found = find_date(date_text) if date_text else None
        guesses = [] if title_html or self.ctx.source.title else [
            "title taken from the page's <title>"]
        title, title_html = settle_title(self.ctx, title_html or self._page_title())
        notes_list = finish_notes(self.ctx, self.calls, self.note_texts)
        if not blocks:
            raise self.ctx.error("no body text found in the page; check it is an archive text")
        return Document(
            id=self.ctx.source.doc_id,
            source_path=self.ctx.path,
            title=title,
            title_html=title_html,
            occasion=occasion,
            source_line=source_line,
            date_text=date_text,
            date=found[1] if found else None,
            part_heading=part_heading,
            blocks=blocks,
            notes=notes_list,
            metadata=self.metadata,
            credits=self.credits,
            warnings=self.ctx.warnings,
            guesses=guesses,
        )

    # -- splitting

    def _split(self, blocks: list[etree._Element]):
        """Head (before the first body paragraph), body, and notes."""
        kept = [el for el in blocks if not self._is_furniture(el)]
        start = next(
            (i for i, el in enumerate(kept) if self._is_body_start(el, kept[i + 1 : i + 4])),
            len(kept),
        )
        head, rest = kept[:start], kept[start:]
        body: list[etree._Element] = []
        notes: list[etree._Element] = []
        in_notes = False
        for el in rest:
            if "endnote" in _classes(el):
                notes.append(el)
                continue
            if _heading_level(el) is not None and is_notes_heading(_text_of(el)):
                in_notes = True
                continue
            (notes if in_notes and el.tag == "p" else body).append(el)
        return head, body, notes

    def _is_furniture(self, el: etree._Element) -> bool:
        text = _text_of(el)
        if el.tag == "hr":
            return False
        if not text and el.tag == "p" and el.find(".//img") is None:
            return True
        if LAST_UPDATED.match(text) or is_navigation(text) or _is_link_line(el, text):
            return True
        if is_credit(text) and "information" not in _classes(el):
            self.credits.append(text)
            return True
        return False

    def _is_body_start(self, el: etree._Element, following: list[etree._Element]) -> bool:
        """The first body paragraph; a short plain ``p`` just before the title (an author
        line, a part name) still belongs to the head."""
        classes = _classes(el)
        if el.tag != "p" or _heading_level(el) is not None:
            return el.tag in {"blockquote", "ul", "ol", "table", "pre", "dl"}
        if classes & {"information", "from", "title", "subtitle", "date", "endnote"}:
            return False
        if len(_text_of(el)) < SHORT_HEAD_LINE:
            for later in following:
                level = _heading_level(later)
                if level is not None and is_notes_heading(_text_of(later)):
                    break  # the notes follow the body; they do not make it a head line
                if level is not None and level <= 4:
                    return False
                if len(_text_of(later)) >= SHORT_HEAD_LINE:
                    break
        return True

    # -- notes

    def _read_notes(self, elements: list[etree._Element]) -> None:
        for el in elements:
            label, anchor = entry_label(el)
            if label is None and not self.note_texts:
                # Never dropped: kept as a note of its own, under a label no entry has.
                label = next(mark for mark in ("*", "**", "***", "†", "‡")
                             if mark not in {n.label for n in self.note_texts})
                self.ctx.warn(f"a note without a number ('{_text_of(el)[:40]}') kept as "
                              f"note {label}")
            if label is None:
                self.note_texts[-1].html += self._note_paragraph(el)
                continue
            editor = "ednote" in _classes(el)
            if anchor:
                self.anchor_labels[anchor] = label
                if editor:
                    self.editor_anchors.add(anchor)
            self.note_texts.append(NoteText(label=label, html=self._note_paragraph(el),
                                            own_key=editor_key(label) if editor else None))

    def _note_paragraph(self, el: etree._Element) -> str:
        inline = self._inline(el, calls=False)
        return f"<p>{inline.strip()}</p>" if inline.strip() else ""

    # -- head

    def _read_head(self, head: list[etree._Element]):
        headings: list[etree._Element] = []
        occasion = source_line = head_date = None
        rules: list[int] = []
        for el in head:
            classes = _classes(el)
            if "information" in classes:
                self._read_information(el)
            elif "from" in classes or el.find(".//span[@class='context']") is not None:
                text = _text_of(el)
                if text.lower().startswith(("from ", "[from ")) and source_line is None:
                    source_line = self._inline(el, strip_brackets=True)
                elif occasion is None:
                    occasion = self._inline(el)
            elif "date" in classes:
                head_date = head_date or _text_of(el)
            elif el.tag == "hr":
                rules.append(len(headings))
            elif _heading_level(el) is not None:
                headings.append(el)
        # Title: the last heading before the body that is not a date, volume or occasion line.
        title_at = None
        for i in range(len(headings) - 1, -1, -1):
            text = _text_of(headings[i])
            if not text or VOLUME_LINE.match(text):
                continue
            if is_date_line(text) and head_date is None and title_at is None:
                head_date = text.strip("() ")
                continue
            if OCCASION.match(text) and title_at is None and i > 0:
                occasion = occasion or self._inline(headings[i])
                continue
            title_at = i
            break
        if title_at is None:
            return None, None, occasion, source_line, head_date
        part_heading = None
        last_rule = max((r for r in rules if r <= title_at), default=None)
        before = headings[last_rule:title_at] if last_rule is not None else []
        if before:
            part_heading = " ".join(_text_of(el) for el in before)
        elif title_at > 0 and _PART_LINE.match(_text_of(headings[title_at - 1])):
            part_heading = _text_of(headings[title_at - 1])
        # An overriding title replaces this one: its note calls must not be counted.
        title_html = None if self.ctx.source.title else self._inline(
            headings[title_at], line_breaks=False
        )
        return title_html, part_heading, occasion, source_line, head_date

    def _read_information(self, el: etree._Element) -> None:
        """``<span class="info">Label:</span> value<br>`` pairs → metadata and credits."""
        label: str | None = None
        value: list[str] = []

        def flush() -> None:
            if label is None:
                return
            text = " ".join("".join(value).split())
            if not text:
                return
            if CREDIT_LABELS.search(label):
                self.credits.append(f"{label}: {text}")
            else:
                self.metadata[label] = text

        value.append("")
        for child in el:
            if child.tag == "span" and "info" in _classes(child):
                flush()
                label = child.text_content().strip().rstrip(":").strip()
                value = [child.tail or ""]
            elif child.tag == "br":
                flush()
                label, value = None, [child.tail or ""]
            else:
                value.append(child.text_content() + (child.tail or ""))
        flush()

    def _page_title(self) -> str | None:
        if not self.page.page_title:
            return None
        match = _TITLE_ELEMENT.match(" ".join(self.page.page_title.split()))
        return escape(match.group(1), quote=False) if match else None

    # -- body

    def _read_body(self, body: list[etree._Element]) -> tuple[list[Block], str | None]:
        blocks: list[Block] = []
        date_text = None
        for el in body:
            classes = _classes(el)
            if "date" in classes and date_text is None:
                date_text = _text_of(el)
                continue
            block = self._block(el, classes)
            if block is not None and (block.text or block.kind in ("rule", "figure")
                                      or 'class="noteref"' in block.html
                                      or "<img" in block.html):
                blocks.append(block)
        while blocks and blocks[-1].kind == "rule":
            blocks.pop()
        last = blocks[-1] if blocks else None
        if date_text is None and last and last.kind == "paragraph" and is_date_line(last.text):
            date_text = blocks.pop().text
        return blocks, date_text

    def _block(self, el: etree._Element, classes: set[str]) -> Block | None:
        tag = el.tag
        if tag == "hr":
            return make_block("rule", '<hr class="section-break"/>')
        if tag == "p" or tag == "address":
            inline = self._inline(el)
            if classes & {"quote", "quoteb", "blockquote"}:
                return make_block("quote", f"<blockquote><p>{inline}</p></blockquote>")
            if any(c.startswith("indent") for c in classes):
                return make_block("paragraph", f'<p class="indent">{inline}</p>')
            return make_block("paragraph", f"<p>{inline}</p>")
        if tag in HEADING_TAGS:
            level = max(2, min(6, int(tag[1]) + 1))
            return make_block("heading", f"<h{level}>{self._inline(el)}</h{level}>")
        kind = {"blockquote": "quote", "ul": "list", "ol": "list", "dl": "list",
                "table": "table", "pre": "preformatted", "figure": "figure"}[tag]
        html = self._outer(el)
        if not html:
            return None
        if kind == "quote" and not html.startswith("<blockquote"):
            html = f"<blockquote>{html}</blockquote>"
        if kind == "figure":
            kind, html = "paragraph", f"<p>{html}</p>"
        return make_block(kind, html)

    # -- inline conversion

    def _inline(
        self,
        el: etree._Element,
        calls: bool = True,
        line_breaks: bool = True,
        strip_brackets: bool = False,
    ) -> str:
        """The content of ``el`` as safe, typographic inline XHTML with note calls."""
        clone = copy.deepcopy(el)
        clone.tail = None
        if not line_breaks:
            for br in list(clone.iter("br")):
                replace_with_text(br, " ")
        for node in clone.iter():
            node.attrib.pop("id", None)
        raw = inner_html(clone)
        html = sanitize_fragment(raw, self.ctx.path, self.ctx.warnings).strip()
        if strip_brackets and html.startswith("[") and html.endswith("]"):
            html = html[1:-1].strip()
        html = smarten_html(html, self.ctx.source.typography, self.ctx.source.language)
        return self._calls(html, calls)

    def _outer(self, el: etree._Element) -> str:
        clone = copy.deepcopy(el)
        clone.tail = None
        for node in clone.iter():
            node.attrib.pop("id", None)
        html = sanitize_fragment(lxml_html.tostring(clone, encoding="unicode"), self.ctx.path,
                                 self.ctx.warnings).strip()
        html = smarten_html(html, self.ctx.source.typography, self.ctx.source.language)
        return self._calls(html, True)

    def _calls(self, html: str, calls: bool) -> str:
        def replace(match: re.Match[str]) -> str:
            index = int(match.group(1))
            if not calls or self.calls is None or index >= len(self.page.markers):
                return ""
            marker = self.page.markers[index]
            label = marker.label
            if marker.editor or marker.target in self.editor_anchors:
                return self.calls.call(label, editor_key(label))
            if note_key(label) not in self.calls.known and marker.target in self.anchor_labels:
                label = self.anchor_labels[marker.target]
            return self.calls.call(label)

        return PLACEHOLDER.sub(replace, html)
