"""Markdown with a small YAML front matter block → Document (editors' prefaces, notes).

::

    ---
    title: A Note on This Edition
    date: 2026-11-27
    occasion: Written for this edition
    source: From the editors
    kind: front            # front, back or text
    ---
    Body in CommonMark, with footnotes[^1].

    [^1]: Which become the document's notes, numbered 1, 2, 3 in order of use.

Rendering is markdown-it-py with its footnote plugin; raw HTML is allowed by the
parser and then sanitized like any archive page, block by block.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from html import escape

import yaml
from lxml import etree
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from bookmaker.markup import escape_text, inner_html, to_xhtml_block
from bookmaker.model import Block, Document
from bookmaker.readers import DocumentSource
from bookmaker.readers.common import (
    NO_PLACEHOLDERS,
    PLACEHOLDER,
    NoteCalls,
    NoteText,
    ReadContext,
    decode_source,
    finish_notes,
    guarded,
    keep_blocks,
    make_block,
    parse_date,
    placeholder,
    replace_with_text,
    settle_title,
)
from bookmaker.readers.sanitize import sanitize_fragment
from bookmaker.readers.typography import smarten_html

FRONT_MATTER_KEYS = {"title", "date", "occasion", "source", "kind", "credits", "part"}
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
_FOOTNOTE_HREF = re.compile(r"^#fn(\d+)$")
_MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]
_BLOCK_KINDS = {
    "p": "paragraph", "blockquote": "quote", "ul": "list", "ol": "list", "dl": "list",
    "table": "table", "pre": "preformatted", "hr": "rule", "h1": "heading", "h2": "heading",
    "h3": "heading", "h4": "heading", "h5": "heading", "h6": "heading",
}


def _markdown() -> MarkdownIt:
    # maxNesting bounds how deep quotes and lists may nest, so hostile input stays shallow.
    md = MarkdownIt("commonmark", {"html": True, "maxNesting": 20})
    return md.use(footnote_plugin).enable("table")


@guarded
def read(data: bytes, source: DocumentSource) -> Document:
    """Read a Markdown document with optional YAML front matter."""
    ctx = ReadContext(source)
    text = decode_source(data, ctx).translate(NO_PLACEHOLDERS)
    meta, body = _split_front_matter(text, ctx)
    md = _markdown()
    root = _parse_html(md.render(body))
    labels = _replace_footnote_refs(root)
    note_texts = _footnotes(root, ctx)
    calls = NoteCalls(source.doc_id, (n.key for n in note_texts))
    blocks, h1 = _blocks(root, ctx, calls, labels)
    title_html = None
    if isinstance(meta.get("title"), str) and meta["title"].strip() and not source.title:
        title_html = _inline_markdown(md, meta["title"], ctx)
    elif h1 is not None and not source.title:
        title_html = h1
    title, title_html = settle_title(ctx, title_html)
    notes = finish_notes(ctx, calls, note_texts)
    date_text, date = _date(meta.get("date"), source.language)
    kind = meta.get("kind", "text")
    if kind not in ("text", "front", "back"):
        ctx.warn(f"front matter kind '{kind}' is not front, back or text; using text")
        kind = "text"
    if not blocks:
        raise ctx.error("no body text found; write the text below the front matter")
    return Document(
        id=source.doc_id,
        source_path=source.rel_path,
        title=title,
        title_html=title_html,
        occasion=_optional_inline(md, meta.get("occasion"), ctx),
        source_line=_source_line(md, meta.get("source"), ctx),
        date_text=date_text,
        date=date,
        part_heading=meta["part"] if isinstance(meta.get("part"), str) else None,
        blocks=blocks,
        notes=notes,
        credits=_credits(meta.get("credits")),
        warnings=ctx.warnings,
        kind=kind,
    )


# ---------------------------------------------------------------- front matter


def _split_front_matter(text: str, ctx: ReadContext) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    first_end = text.find("\n")
    if first_end < 0 or text[:first_end].strip() != "---":
        return {}, text
    end = _FRONT_MATTER_END.search(text, first_end + 1)
    if end is None:
        ctx.warn("front matter is not closed by a '---' line; read as text")
        return {}, text
    raw = text[first_end + 1 : end.start()]
    try:
        meta = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        raise ctx.error(
            f"front matter is not valid YAML: {exc}; fix the block between '---'"
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        ctx.warn("front matter is not a table of 'key: value' lines; ignored")
        meta = {}
    unknown = sorted(str(k) for k in meta if k not in FRONT_MATTER_KEYS)
    if unknown:
        ctx.warn(f"unknown front matter keys ignored: {', '.join(unknown)}")
    return meta, text[end.end() :]


def _date(value: object, language: str) -> tuple[str | None, dt.date | None]:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        if language.split("-")[0] == "en":
            return f"{_MONTH_NAMES[value.month - 1]} {value.day}, {value.year}", value
        return value.isoformat(), value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value), None
    if isinstance(value, str) and value.strip():
        return value.strip(), parse_date(value)
    return None, None


def _credits(value: object) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [item.strip() for item in value if isinstance(item, str) and item.strip()]
    return []


def _inline_markdown(md: MarkdownIt, text: str, ctx: ReadContext) -> str:
    html = sanitize_fragment(md.renderInline(text), ctx.path, ctx.warnings).strip()
    return smarten_html(html, ctx.source.typography, ctx.source.language)


def _optional_inline(md: MarkdownIt, value: object, ctx: ReadContext) -> str | None:
    if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    return _inline_markdown(md, value, ctx) or None


def _source_line(md: MarkdownIt, value: object, ctx: ReadContext) -> str | None:
    """The source line without the brackets archive sources put around it."""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("[") and value.endswith("]"):
            value = value[1:-1]
    return _optional_inline(md, value, ctx)


# ------------------------------------------------------------------- body


def _parse_html(html: str) -> etree._Element:
    if not html.strip():
        return lxml_html.Element("div")
    return lxml_html.fragment_fromstring(html, create_parent="div")


def _replace_footnote_refs(root: etree._Element) -> list[str]:
    """Swap ``sup.footnote-ref`` for placeholders; return their labels ('1', '2'…)."""
    labels: list[str] = []
    for sup in list(root.iter("sup")):
        if "footnote-ref" not in (sup.get("class") or "").split():
            continue
        link = sup.find("a")
        match = _FOOTNOTE_HREF.match(link.get("href") or "") if link is not None else None
        if match is None:
            continue
        mark = placeholder(len(labels))
        labels.append(match.group(1))
        replace_with_text(sup, mark)
    return labels


def _footnotes(root: etree._Element, ctx: ReadContext) -> list[NoteText]:
    texts: list[NoteText] = []
    for section in list(root.iter("section")):
        if "footnotes" not in (section.get("class") or "").split():
            continue
        for number, item in enumerate(section.iter("li"), start=1):
            for backref in list(item.iter("a")):
                if "footnote-backref" in (backref.get("class") or "").split():
                    replace_with_text(backref, "")
            inner = inner_html(item)
            html = sanitize_fragment(inner, ctx.path, ctx.warnings).strip()
            html = smarten_html(html, ctx.source.typography, ctx.source.language)
            html = PLACEHOLDER.sub("", html)
            if html and not html.startswith("<"):
                html = f"<p>{html}</p>"
            texts.append(NoteText(label=str(number), html=html))
        _remove(section)
    for hr in list(root.iter("hr")):
        if "footnotes-sep" in (hr.get("class") or "").split():
            _remove(hr)
    return texts


def _blocks(
    root: etree._Element, ctx: ReadContext, calls: NoteCalls, labels: list[str]
) -> tuple[list[Block], str | None]:
    """The body blocks, and the inline HTML of a leading ``h1`` (the title) if any."""

    def fill(html: str) -> str:
        def call(match: re.Match[str]) -> str:
            index = int(match.group(1))
            return calls.call(labels[index]) if index < len(labels) else ""

        html = smarten_html(html, ctx.source.typography, ctx.source.language)
        return PLACEHOLDER.sub(call, html)

    blocks: list[Block] = []
    h1: str | None = None
    loose = root.text or ""
    for child in root:
        if not isinstance(child.tag, str):
            loose += child.tail or ""
            continue
        tag = child.tag.lower()
        if loose.strip():
            blocks.append(_paragraph(fill(sanitize_fragment(escape(loose, quote=False)))))
        loose = child.tail or ""
        if tag == "h1" and h1 is None and not blocks:
            h1 = fill(_inner(child, ctx))
            continue
        blocks += keep_blocks(_block(tag, child, ctx, fill))
    if loose.strip():
        blocks.append(_paragraph(fill(sanitize_fragment(escape(loose, quote=False)))))
    return blocks, h1


def _block(tag: str, el: etree._Element, ctx: ReadContext, fill) -> list[Block]:
    kind = _BLOCK_KINDS.get(tag)
    if kind == "rule":
        return [make_block("rule", "<hr/>")]
    if kind == "paragraph":
        return [_paragraph(fill(_inner(el, ctx)))]
    if kind == "heading":
        level = max(2, min(6, int(tag[1]) + (1 if tag == "h1" else 0)))
        return [make_block("heading", f"<h{level}>{fill(_inner(el, ctx))}</h{level}>")]
    clone = copy.deepcopy(el)
    clone.tail = None
    html = sanitize_fragment(lxml_html.tostring(clone, encoding="unicode"), ctx.path,
                             ctx.warnings).strip()
    if not html:
        return []
    html = fill(html)
    if kind is not None:
        return [make_block(kind, html)]
    return _split_raw(html)


def _split_raw(html: str) -> list[Block]:
    """The sanitized content of a raw HTML block (div…): block elements kept, loose inline
    content gathered into paragraphs."""
    root = etree.fromstring(f"<div>{html}</div>")
    blocks: list[Block] = []
    inline: list[str] = [escape_text(root.text or "")]
    for child in root:
        kind = _BLOCK_KINDS.get(child.tag)
        if kind is None:
            inline.append(to_xhtml_block(child))
            continue
        if "".join(inline).strip():
            blocks.append(_paragraph("".join(inline).strip()))
        tail = child.tail
        child.tail = None
        if kind == "heading":
            kind = "paragraph"
            child.tag = "p"
        blocks.append(make_block(kind, to_xhtml_block(child)))
        inline = [escape_text(tail or "")]
    if "".join(inline).strip():
        blocks.append(_paragraph("".join(inline).strip()))
    return blocks


def _paragraph(inline: str) -> Block:
    return make_block("paragraph", f"<p>{inline}</p>")


def _inner(el: etree._Element, ctx: ReadContext) -> str:
    raw = inner_html(el)
    return sanitize_fragment(raw, ctx.path, ctx.warnings).strip()


def _remove(el: etree._Element) -> None:
    replace_with_text(el, "")
