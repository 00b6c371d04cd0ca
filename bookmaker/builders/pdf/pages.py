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

from bookmaker.builders.pdf.boxes import page_box
from bookmaker.text import HYPHENATION_MARKS, count_words

_JOINING_ENDS = ("-", "\u2013", "\u2014", "/")
"""A line ending in one of these runs on into the next without a space."""

Start = tuple[str, int]
"""(key, words before): where a page's first text is."""


def page_starts(document) -> list[Start | None]:
    """For every page of a laid-out WeasyPrint ``document``: where its text begins in the
    volume (None for a page without keyed text: a blank, the title page, the contents)."""
    from weasyprint.formatting_structure import boxes

    # Per key: the words laid out so far and the last text box, whose end says whether
    # the next one goes on with its word; not the whole text (a long paragraph would be
    # copied again at every line).
    laid_out: dict[str, tuple[int, str]] = {}
    starts: list[Start | None] = []
    for page in document.pages:
        first: Start | None = None
        for child in page_box(page).children:
            if isinstance(child, boxes.MarginBox | boxes.FootnoteAreaBox):
                continue
            for key, base, text, new_line in _texts(child, boxes, None, 0):
                words, last = laid_out.get(key, (0, ""))
                before = words - _goes_on(last, text, new_line)
                if first is None:
                    first = (key, base + before)
                laid_out[key] = (before + count_words(text), text)
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


def _goes_on(last: str, text: str, new_line: bool) -> bool:
    """Whether ``text`` goes on with the last word of ``last`` (the text box before it):
    a word cut by a line's hyphenation mark, or by an inline element."""
    return bool(last) and (count_words(_join(last, text, new_line))
                           < count_words(last) + count_words(text))
