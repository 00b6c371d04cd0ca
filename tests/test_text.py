"""Word counts for spaced and unspaced scripts."""

from __future__ import annotations

from bookmaker.model import Block, Document
from bookmaker.text import count_words, words

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


def test_no_character_below_the_first_unspaced_one_is_unspaced():
    """count_words and words skip their patterns for a text whose largest character is
    below these bounds: nothing below them may be a character those patterns find."""
    from bookmaker.text import _FIRST_IDEOGRAPH, _FIRST_UNSPACED, _any_unspaced, _ideograph

    assert _any_unspaced().search("".join(map(chr, range(ord(_FIRST_UNSPACED))))) is None
    assert _any_unspaced().match(_FIRST_UNSPACED)
    assert _ideograph().search("".join(map(chr, range(ord(_FIRST_IDEOGRAPH))))) is None
    assert _ideograph().match(_FIRST_IDEOGRAPH)
    assert count_words("ກກກ abc") == 4 and words("革命 army") == ["革", "命", "army"]
