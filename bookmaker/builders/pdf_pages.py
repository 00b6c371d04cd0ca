"""Where each laid-out page begins in the volume's text, for the EPUB's page list.

The ``pdf`` templates put ``data-pk`` keys on every block, note, heading and part
(:func:`.pdf_context.keyed`). After layout, the first text of each page is found
in WeasyPrint's boxes and told as a :class:`~bookmaker.model.PageStart` position:
the key of the element it belongs to and how many of that element's words were
laid out on the pages before. The EPUB builder puts its page-break markers there
without reading the PDF. Words are counted as :func:`bookmaker.text.count_words`
counts them, lines joined as the text has them: a line that ends in a hyphenation
mark continues its word on the next, so a page that begins inside a word gets its
marker before that word.
"""

from __future__ import annotations

from bookmaker.text import count_words

HYPHENATION_MARKS = ("\u2010", "\u00ad")
_JOINING_ENDS = ("-", "\u2013", "\u2014", "/")
"""A line ending in one of these runs on into the next without a space."""

Start = tuple[str, int]
"""(key, words before): where a page's first text is."""


def page_starts(document) -> list[Start | None]:
    """For every page of a laid-out WeasyPrint ``document``: where its text begins in the
    volume (None for a page without keyed text: a blank, the title page, the contents)."""
    from weasyprint.formatting_structure import boxes

    laid_out: dict[str, str] = {}
    starts: list[Start | None] = []
    for page in document.pages:
        first: Start | None = None
        for child in page._page_box.children:
            if isinstance(child, boxes.MarginBox | boxes.FootnoteAreaBox):
                continue
            for key, base, text, new_line in _texts(child, boxes, None, 0):
                before = laid_out.get(key, "")
                if first is None:
                    first = (key, base + _words_before(before, text, new_line))
                laid_out[key] = _join(before, text, new_line)
        starts.append(first)
    return starts


def _texts(box, boxes, key: str | None, base: int, new_line: list | None = None):
    """(key, word base, text, first on its line) for each keyed text box, in order."""
    element = box.element
    tag = box.element_tag or ""
    if element is not None and "::" not in tag:
        own = element.get("data-pk")
        if own:
            key, base = own, int(element.get("data-pw") or 0)
    elif "::" in tag:
        return  # generated content (list markers, leaders) is not the volume's text
    if isinstance(box, boxes.LineBox):
        new_line = [True]
    if isinstance(box, boxes.TextBox):
        if key is not None and box.text:
            yield key, base, box.text, bool(new_line and new_line[0])
        if new_line:
            new_line[0] = False
        return
    for child in getattr(box, "children", ()):
        yield from _texts(child, boxes, key, base, new_line)


def _join(before: str, text: str, new_line: bool) -> str:
    if not before:
        return text
    if not new_line:
        return before + text
    if before.endswith(HYPHENATION_MARKS):
        return before[:-1] + text
    if before.endswith(_JOINING_ENDS) or before.endswith(" "):
        return before + text
    return before + " " + text


def _words_before(before: str, text: str, new_line: bool) -> int:
    """Words of the element laid out before ``text``; one fewer when ``text`` goes on
    with the last of them (the page begins inside a hyphenated word)."""
    words = count_words(before)
    if words and count_words(_join(before, text, new_line)) < words + count_words(text):
        words -= 1
    return words
