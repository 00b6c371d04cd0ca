"""The sanitizer keeps the safe XHTML subset and nothing else."""

from __future__ import annotations

import pytest
from lxml import etree

from bookmaker.readers.sanitize import is_local_image, sanitize_fragment


def clean(html: str) -> str:
    out = sanitize_fragment(html)
    etree.fromstring(f"<div>{out}</div>")  # always well-formed XHTML
    return out


@pytest.mark.parametrize(
    ("hostile", "gone"),
    [
        ('<p>a<script>alert("x")</script></p>', "alert"),
        ("<p>a<style>p { color: red }</style></p>", "color"),
        ('<p onclick="steal()">a</p>', "steal"),
        ('<p><a href="javascript:alert(1)">a</a></p>', "javascript"),
        ('<p><a href="vbscript:x">a</a></p>', "vbscript"),
        ('<p><a href="data:text/html,x">a</a></p>', "data:"),
        ('<iframe src="https://evil.example/"></iframe><p>a</p>', "evil"),
        ('<object data="x.swf">obj</object><p>a</p>', "swf"),
        ('<embed src="x.swf"><p>a</p>', "swf"),
        ('<form action="https://evil.example/"><input name="q"></form><p>a</p>', "evil"),
        ('<svg onload="alert(1)"><circle r="1"/></svg><p>a</p>', "svg"),
        ('<link rel="stylesheet" href="https://evil.example/x.css"><p>a</p>', "evil"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example"><p>a</p>', "evil"),
        ('<p style="background:url(https://evil.example)">a</p>', "evil"),
        ('<img src="https://evil.example/pixel.gif" alt="x"><p>a</p>', "evil"),
        ('<img src="file:///etc/passwd"><p>a</p>', "passwd"),
        ('<img src="/etc/passwd"><p>a</p>', "passwd"),
        ('<img src="data:image/png;base64,AAAA"><p>a</p>', "base64"),
        ('<img src="javascript:alert(1)"><p>a</p>', "javascript"),
        ("<p>a<!-- a comment --></p>", "comment"),
        ('<p><a href="../index.htm">up</a></p>', "index.htm"),
    ],
)
def test_hostile_constructs_are_removed(hostile, gone):
    out = clean(hostile)
    assert gone not in out
    assert "a" in out


def test_remote_image_warning():
    warnings: list[str] = []
    out = sanitize_fragment('<p>x<img src="http://example.com/a.png"></p>', "t.htm", warnings)
    assert out == "<p>x</p>"
    assert warnings == ["image on the web, not fetched: http://example.com/a.png"]


def test_safe_subset_is_kept_and_serialized_as_xhtml():
    html = (
        '<h2 id="s1" class="c">Head</h2><p lang="ru" title="t">a<br>b &amp; c<sup>1</sup>'
        '<em>e</em><a href="#n1">n</a><a href="https://www.marxists.org/">m</a>'
        '<a href="mailto:a@b.org">mail</a><img src="images/a.png" alt="A"></p><hr>'
        '<table><tr><td colspan="2">x</td></tr></table><ul><li>i</li></ul>'
        "<blockquote><p>q</p></blockquote><pre><code>c</code></pre>"
    )
    out = clean(html)
    assert '<h2 id="s1" class="c">Head</h2>' in out
    assert '<p lang="ru" title="t">a<br/>b &amp; c<sup>1</sup><em>e</em>' in out
    assert '<a href="#n1">n</a><a href="https://www.marxists.org/">m</a>' in out
    assert '<a href="mailto:a@b.org">mail</a><img src="images/a.png" alt="A"/>' in out
    assert "<hr/>" in out
    assert '<td colspan="2">x</td>' in out
    assert "<blockquote><p>q</p></blockquote><pre><code>c</code></pre>" in out


def test_named_entities_become_characters():
    assert clean("<p>&rsquo;&eacute;&nbsp;&mdash;</p>") == "<p>\u2019\u00e9\u00a0\u2014</p>"


def test_unknown_elements_are_unwrapped_and_bad_ids_dropped():
    assert clean('<div><font color="red">kept</font><center>too</center></div>') == "kepttoo"
    assert clean('<p id="1 bad">x</p>') == "<p>x</p>"


def test_deep_nesting_does_not_crash():
    # libxml2 stops nesting at a few hundred levels (text deeper down is lost): no crash.
    out = clean("<span>" * 10_000 + "x" + "</span>" * 10_000)
    assert out.count("<span>") < 10_000
    assert clean("<span>" * 100 + "x" + "</span>" * 100).count("x") == 1


@pytest.mark.parametrize(
    ("src", "local"),
    [
        ("images/a.png", True),
        ("a.png", True),
        ("http://x/a.png", False),
        ("//x/a.png", False),
        ("/a.png", False),
        ("../images/a.png", True),  # bookmaker.images decides if it leaves the volume
        ("C:\\a.png", False),
        ("", False),
    ],
)
def test_is_local_image(src, local):
    assert is_local_image(src) is local
