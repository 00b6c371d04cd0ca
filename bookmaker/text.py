"""Text measures shared by the readers, builders and checks (no I/O): words, lines."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

# Scripts written without spaces between words: each character counts as one word unit.
_UNSPACED = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK extensions B-G
)
# Compiled at first use: the ranges up to U+3134F make each of these patterns take some
# 2.5 ms to compile, at every start of the command; an ASCII text needs none of them.
@functools.cache
def _word() -> re.Pattern[str]:
    return re.compile(rf"[{_UNSPACED}]|[^\s{_UNSPACED}]+")


@functools.cache
def _any_unspaced() -> re.Pattern[str]:
    return re.compile(rf"[{_UNSPACED}]")


def count_words(text: str) -> int:
    """Words in ``text``: runs between spaces, but each CJK ideograph, kana or Thai, Lao,
    Khmer or Myanmar character counts as one (those scripts put no spaces between words)."""
    if text.isascii() or _any_unspaced().search(text) is None:  # isascii: a flag, O(1)
        # Runs between spaces alone: str.split's spaces are the pattern's \s (a test
        # checks every code point), and it counts four times faster.
        return len(text.split())
    return sum(1 for _ in _word().finditer(text))


def word_starts(text: str) -> list[int]:
    """Offsets in ``text`` where each word (as :func:`count_words` counts them) begins."""
    return [match.start() for match in _word().finditer(text)]


_SMALL_WORDS = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to",
                "with"}


def title_case(text: str) -> str:
    """'THE RED ARMY AND ITS TASKS' → 'The Red Army and Its Tasks'."""
    words = text.lower().split()
    return " ".join(w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


HYPHENATION_MARKS = ("\u2010", "\u00ad")
"""What WeasyPrint adds at a hyphenated line end (hyphenate-character, soft hyphen)."""

_PLAIN_WORD = re.compile(r"\w+(?:['’]\w+)*")
# Han and kana are written without spaces, and a line may break between any two of them:
# each counts as a word of its own, so that where the lines broke does not matter.
@functools.cache
def _ideograph() -> re.Pattern[str]:
    return re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                      "\U00020000-\U0003134f]")


def join_lines(lines: Iterable[str]) -> str:
    """Join lines into one string: hyphenated breaks closed up, other breaks made spaces."""
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out.endswith(HYPHENATION_MARKS):
            out = out[:-1] + line
        elif out.endswith(("-", "\u2014", "/")) or not out:
            out += line
        else:
            out += " " + line
    return out


def words(text: str) -> list[str]:
    """Lower-case words of ``text``, punctuation dropped (typographic apostrophes kept)."""
    if not text.isascii() and _ideograph().search(text):
        text = _ideograph().sub(r" \g<0> ", text)
    return [w.lower().replace("’", "'") for w in _PLAIN_WORD.findall(text)]
