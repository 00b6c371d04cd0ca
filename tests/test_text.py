"""Word counts for spaced and unspaced scripts."""

from __future__ import annotations

from bookmaker.model import Block, Document
from bookmaker.text import count_words

CHINESE = "我们必须坚持马克思主义的基本原理，同时根据实际情况加以发展。"


def test_english_sentence_counts_like_split():
    sentence = "The workers of the world, having nothing to lose but their chains, unite!"
    assert count_words(sentence) == len(sentence.split())
    assert count_words("") == 0
    assert count_words("  \n\t ") == 0


def test_chinese_paragraph_counts_characters():
    paragraph = (CHINESE * 40)[:1000]
    assert len(paragraph) == 1000
    assert count_words(paragraph) >= 900


def test_japanese_and_thai_count_characters_and_mixed_text_adds_up():
    assert count_words("ひらがなカタカナ漢字") == 10
    assert count_words("ภาษาไทย") == 7
    assert count_words("Lenin 列宁 wrote 写") == 2 + 2 + 1


def test_document_words_uses_count_words():
    doc = Document(id="d", source_path="d.txt", title="T", title_html="T",
                   blocks=[Block(kind="paragraph", html=CHINESE, text=CHINESE)])
    assert doc.words == count_words(CHINESE)


def test_quick_count_splits_where_the_word_pattern_does():
    """Text without unspaced scripts is counted by str.split: its spaces must be the
    pattern's, for every code point."""
    import re
    import sys

    from bookmaker.text import _word

    space = re.compile(r"\s")
    differ = [c for c in range(sys.maxunicode + 1)
              if bool(space.match(chr(c))) != chr(c).isspace()]
    assert differ == []
    mixed = "a\u00a0b\u2009c\u3000d\x1ce, Войска —  «εἰρήνη»\u200bz"
    assert count_words(mixed) == sum(1 for _ in _word().finditer(mixed)) == 8
    assert count_words("红军 and 赤軍") == 5
