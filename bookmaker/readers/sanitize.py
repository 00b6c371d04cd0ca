"""HTML from sources → the safe XHTML subset the model allows.

``nh3`` (the Rust ``ammonia`` sanitizer) removes everything outside an explicit
allow-list: scripts, styles, event handlers, frames, forms, SVG, remote images.
``lxml`` then re-serializes the result as well-formed XML (``<br/>``, quoted
attributes, characters rather than named entities), so every block can go into
an EPUB's XHTML as it is.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from lxml import etree
from lxml import html as lxml_html

from bookmaker.log import warn
from bookmaker.markup import inner_xhtml
from bookmaker.readers.encoding import strip_non_xml

ALLOWED_TAGS = frozenset({
    "p", "blockquote", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "pre", "code", "hr", "br",
    "em", "strong", "i", "b", "u", "s", "small", "sup", "sub", "span", "abbr", "cite", "q",
    "a", "img",
})
"""Elements kept; any other element is unwrapped (its text kept) or, for code, dropped."""

_GLOBAL_ATTRIBUTES = {"class", "id", "title", "lang", "role"}
ALLOWED_ATTRIBUTES = {
    "*": _GLOBAL_ATTRIBUTES,
    "a": _GLOBAL_ATTRIBUTES | {"href"},
    "img": _GLOBAL_ATTRIBUTES | {"src", "alt"},
    "td": _GLOBAL_ATTRIBUTES | {"colspan", "rowspan"},
    "th": _GLOBAL_ATTRIBUTES | {"colspan", "rowspan"},
}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# Elements whose content is code or furniture, dropped with their content.
_DROP_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "form", "svg", "math", "template",
    "noscript", "textarea", "select", "button", "title", "head", "link", "meta", "applet",
    "audio", "video", "canvas", "frameset", "frame", "noframes",
}
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
REMOTE_IMAGE = "image on the web, not fetched"


def is_local_image(src: str) -> bool:
    """True for a relative path (``../images/map.png`` too: whether it stays inside the
    volume is decided against the document's own file, by :mod:`bookmaker.images`)."""
    src = src.strip()
    if not src or src.startswith(("/", "\\", "~")) or "\\" in src:
        return False
    parts = urlsplit(src)
    return not (parts.scheme or parts.netloc)


def is_allowed_link(href: str) -> bool:
    """True for fragment-only links and http, https and mailto URLs."""
    href = href.strip()
    if href.startswith("#"):
        return len(href) > 1
    scheme = urlsplit(href).scheme.lower()
    return scheme in LINK_SCHEMES


def sanitize_fragment(
    html: str, path: str | None = None, warnings: list[str] | None = None
) -> str:
    """The safe XHTML subset of an HTML fragment, as a well-formed XHTML fragment string.

    Dropped remote images are logged against ``path`` and added to ``warnings``.
    """
    dropped: list[str] = []

    def keep_attribute(tag: str, name: str, value: str) -> str | None:
        if tag == "img" and name == "src":
            if is_local_image(value):
                return value
            dropped.append(value)
            return None
        if tag == "a" and name == "href":
            return value if is_allowed_link(value) else None
        if name == "id" and not _ID.match(value):
            return None
        return value

    cleaned = nh3.clean(
        strip_non_xml(html),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=_DROP_WITH_CONTENT - set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=keep_attribute,
        url_schemes=set(LINK_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    for src in dropped:
        message = f"{REMOTE_IMAGE}: {src[:80]}"
        warn(message, path)
        if warnings is not None:
            warnings.append(message)
    return to_xhtml_fragment(cleaned)


def to_xhtml_fragment(html: str) -> str:
    """Re-serialize sanitized HTML as well-formed XHTML (no entities, empty elements closed)."""
    if not html.strip():
        return html.strip()
    container = lxml_html.fragment_fromstring(html, create_parent="div")
    for img in list(container.iter("img")):
        if not img.get("src"):
            replace_with_text(img)
    return inner_xhtml(container)


def replace_with_text(element: etree._Element, text: str = "") -> None:
    """Remove ``element`` from its tree, leaving ``text`` and its tail text in its place."""
    parent = element.getparent()
    if parent is None:
        return
    joined = text + (element.tail or "")
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(element)
