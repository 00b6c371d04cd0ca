"""Rendering one HTML document of a volume with WeasyPrint: the pieces every PDF shares.

:class:`Renderer` holds what all renders of a volume share (face, restricted
fetcher, font configuration, stylesheets); the whole book (:mod:`.book`), its
groups (:mod:`.parallel.sections`), the folio calibration (:mod:`.folios`) and
offprints all lay out and write through it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bookmaker.builders.pdf.context import BookContext
from bookmaker.builders.pdf.fonts import BookFace, find_face, font_face_css
from bookmaker.builders.pdf.framestack import roomy_stack
from bookmaker.builders.pdf.hyphenation import preload_patterns
from bookmaker.errors import BuildError
from bookmaker.log import LOGGER, warn
from bookmaker.model import PdfSettings, Volume
from bookmaker.reproducible import epoch_while
from bookmaker.scripts import text_direction

if TYPE_CHECKING:  # WeasyPrint is imported when the first renderer is made
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    from bookmaker.builders.pdf.fetcher import RestrictedFetcher


@dataclass(frozen=True)
class Trim:
    """A trim size and the margins that suit it (inner = gutter)."""

    width: str
    height: str
    top: str
    bottom: str
    inner: str
    outer: str


TRIMS: dict[str, Trim] = {
    "a5": Trim("148mm", "210mm", "16mm", "20mm", "19mm", "14mm"),
    "royal": Trim("156mm", "234mm", "18mm", "23mm", "21mm", "16mm"),
    "us-trade": Trim("6in", "9in", "0.7in", "0.85in", "0.8in", "0.6in"),
    "a4": Trim("210mm", "297mm", "24mm", "30mm", "32mm", "36mm"),
    "letter": Trim("8.5in", "11in", "0.95in", "1.15in", "1.25in", "1.4in"),
}
"""Trim presets. A4 and Letter keep wide margins so that lines stay readable."""


def import_weasyprint() -> None:
    """Import WeasyPrint, on Linux without the library searches its import makes.

    Why: WeasyPrint opens Pango, HarfBuzz and the rest under each platform's names in
    turn, and cffi answers every name that is not a file name with
    ``ctypes.util.find_library``, which runs ``ldconfig`` and ``gcc``: twenty-odd runs,
    0.2 s of each process's import (a tenth of a warm build). On Linux the loader finds
    the sonames WeasyPrint also tries (``libpango-1.0.so.0``…), so the search is
    skipped; should the import fail without it, it is made again as WeasyPrint does it.
    """
    import sys

    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint  # noqa: F401
        return
    import ctypes.util
    import io
    from contextlib import redirect_stdout

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with redirect_stdout(io.StringIO()):  # WeasyPrint prints advice when it fails
            import weasyprint  # noqa: F401
        return
    except OSError:
        for name in [name for name in sys.modules if name.split(".")[0] == "weasyprint"]:
            del sys.modules[name]
    finally:
        ctypes.util.find_library = search
    import weasyprint  # noqa: F401, F811 - with the searches, as it would be


@dataclass
class Renderer:
    """What every render of one volume shares: face, fetcher, fonts and stylesheets."""

    volume: Volume
    face: BookFace | None
    fetcher: RestrictedFetcher
    font_config: FontConfiguration
    stylesheets: list[CSS]
    parsed: dict[str, CSS] = field(default_factory=dict)
    """Extra stylesheets parsed by :meth:`css`, by their text."""
    memo: dict[str, Any] = field(default_factory=dict)
    """What renders of this volume work out once (a long document's units), by name."""

    @classmethod
    def for_volume(cls, volume: Volume, allow_remote: bool = False,
                   face: BookFace | None = None, find: bool = True) -> Renderer:
        """The renderer of ``volume``; ``face`` replaces the face its settings name
        (``find=False``: the one given, even None, which was looked for already)."""
        if face is None and find:
            face = find_face(volume.settings.pdf.font)
        import_weasyprint()
        preload_patterns(volume.info.language)
        fetcher = make_fetcher(volume, face, allow_remote)
        font_config = _font_config()
        stylesheets = load_stylesheets(volume, volume.settings.pdf, face, fetcher, font_config)
        return cls(volume, face, fetcher, font_config, stylesheets)

    @classmethod
    def kept_for(cls, kept: dict | None, volume: Volume, allow_remote: bool,
                 face: BookFace | None) -> Renderer:
        """:meth:`for_volume` with ``face`` as found; or, for a caller that builds the volume
        again and again (``bookmaker watch``), the renderer an earlier build kept in ``kept``
        when it would load the same stylesheets, fonts and fetcher: only the volume is new."""
        if kept is None:
            return cls.for_volume(volume, allow_remote, face, find=False)
        key = _renderer_key(volume, allow_remote, face)
        held = kept.get("pdf")
        if held is not None and held[0] == key:
            renderer = replace(held[1], volume=volume)
            renderer.fetcher.refused.clear()  # said by the build that met them
            return renderer
        renderer = cls.for_volume(volume, allow_remote, face, find=False)
        kept["pdf"] = (key, renderer)
        return renderer

    def lay_out(self, template: str, context: BookContext):
        """Lay out a template of the volume with its context."""
        return self.lay_out_html(render_html(self.volume, template, context))

    def lay_out_html(self, html: str, extra: list | None = None):
        """Lay out ``html`` with the volume's stylesheets (and ``extra`` ones after them)."""
        return lay_out(html, self.volume, self.fetcher, self.stylesheets + (extra or []),
                       self.font_config)

    def css(self, text: str):
        """``text`` as a WeasyPrint stylesheet for this renderer, parsed once."""
        if text not in self.parsed:
            from weasyprint import CSS

            self.parsed[text] = CSS(string=text, font_config=self.font_config)
        return self.parsed[text]

    @roomy_stack
    def write_bytes(self, document) -> bytes:
        """The PDF of a laid-out document, fonts dated from the volume (reproducible)."""
        with weasyprint_warnings(), font_timestamps(self.volume):
            return document.write_pdf()


def _renderer_key(volume: Volume, allow_remote: bool, face: BookFace | None) -> tuple:
    """Everything a renderer loads: the stylesheets (every file they may import), the
    face, the fetcher's folders, the language's hyphenation."""
    from bookmaker.templating import styles_dir

    settings = volume.settings.pdf
    root = Path(volume.root).resolve()
    files = []
    for folder in (root / "styles", styles_dir() / settings.style, styles_dir() / "default"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.is_file():
                stat = path.stat()
                files.append((str(path), stat.st_size, stat.st_mtime_ns))
    return (str(root), allow_remote, settings.style, font_face_css(face), page_css(settings),
            volume.info.language, tuple(face.folders) if face else (), tuple(files))


def volume_text(volume: Volume) -> str:
    """All the text the book prints from the model, for the glyph coverage check."""
    info = volume.info
    parts = [info.full_title, info.series or "", " ".join(info.authors), info.source or "",
             info.rights or ""]
    parts += [part.title or "" for part in volume.parts]
    for doc in volume.documents:
        parts += [doc.title, doc.occasion or "", doc.source_line or "", doc.date_text or ""]
        parts += [block.text for block in doc.blocks]
        parts += [note.text for note in doc.notes]
    return "\n".join(parts)


def make_fetcher(volume: Volume, face: BookFace | None, allow_remote: bool = False):
    """The restricted fetcher: the documents' images from the model; the volume's own
    styles and templates, ours, and the font folders from the disk."""
    from bookmaker.builders.pdf.fetcher import RestrictedFetcher
    from bookmaker.templating import TEMPLATES_DIR, styles_dir

    root = Path(volume.root).resolve()
    roots = [root / "styles", root / "templates", styles_dir(), TEMPLATES_DIR]
    if face is not None:
        roots += face.folders
    assets = {root / path: asset for path, asset in volume.assets.items()}
    return RestrictedFetcher(roots, allow_remote=allow_remote, assets=assets)


def page_css(settings: PdfSettings) -> str:
    """The stylesheet made from the settings: page size and margins, bleed, type size."""
    trim = TRIMS[settings.trim]
    font_size = settings.font_size  # a CSS length: the model checked it
    inner, outer = trim.inner, trim.outer
    if settings.screen:
        inner = outer = f"calc(({trim.inner} + {trim.outer}) / 2)"
    css = [
        "@page {",
        f"  size: {trim.width} {trim.height};",
        f"  margin: {trim.top} {outer} {trim.bottom} {inner};",
    ]
    if settings.bleed:
        css += [f"  bleed: {settings.bleed};", "  marks: crop;"]
    css += [
        "}",
        f"@page :left {{ margin-left: {outer}; margin-right: {inner}; }}",
        f"@page :right {{ margin-left: {inner}; margin-right: {outer}; }}",
        f"html {{ font-size: {font_size}; }}",
    ]
    return "\n".join(css) + "\n"


RTL_CSS = """
html { direction: rtl; }
/* The recto of a right-to-left book is the left-hand page (WeasyPrint starts such a
   book on a left page): its heads change sides; folios stay outside, as :left and
   :right place them, and margins stay inner at the spine. No italic in these scripts. */
@page :left { @top-center { content: string(doctitle, first-except); font-style: normal;
                            font-variant-caps: normal; } }
@page :right { @top-center { content: string(booktitle); font-variant-caps: normal; } }
@page { @top-left { letter-spacing: 0; } @top-right { letter-spacing: 0; } }
.document, .part, .front-matter > .title-page, .front-matter > .contents,
.front-matter > .document { break-before: recto; }
.screen .document, .screen .part, .openings-page .document,
.screen .front-matter > *, .screen .front-matter > .document { break-before: page; }
/* Contents: titles from the right, leaders running left to the folio column. */
.toc li { text-align: right; }
.toc-doc { padding-left: 2em; padding-right: 1.2em; }
.toc-folio { right: auto; left: 0; }
/* Note numbers hang in the right margin of their notes. */
.note { padding-left: 0; padding-right: 1.8em; }
.note-label { float: right; margin-left: 0; margin-right: -1.8em; text-align: left; }
"""
"""Print rules of a book written right to left (Arabic, Farsi, Urdu, Hebrew)."""


def direction_css(language: str) -> str:
    """The right-to-left rules for a book in ``language``, '' for a left-to-right one."""
    return RTL_CSS if text_direction(language) == "rtl" else ""


def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def load_stylesheets(volume: Volume, settings: PdfSettings, face, fetcher, font_config) -> list:
    """The theme's print.css, then the face and the settings (which win).

    ``@font-face`` rules only take effect through the same ``font_config`` the
    render uses.
    """
    from weasyprint import CSS

    from bookmaker.templating import find_style_file

    root = Path(volume.root).resolve()
    try:
        print_css = find_style_file("print.css", root, settings.style)
    except FileNotFoundError:
        raise BuildError(
            f"no print.css in the style '{settings.style}' nor in the default style; "
            "reinstall bookmaker or add styles/print.css to the volume"
        ) from None
    with weasyprint_warnings():
        return [
            CSS(filename=str(print_css), url_fetcher=fetcher, font_config=font_config),
            CSS(string=font_face_css(face), url_fetcher=fetcher, font_config=font_config,
                base_url=root.as_uri() + "/"),
            CSS(string=page_css(settings) + direction_css(volume.info.language),
                url_fetcher=fetcher, font_config=font_config),
        ]


def render_html(volume: Volume, template: str, context: BookContext) -> str:
    """The book (or an offprint) as one HTML string."""
    from bookmaker.templating import make_environment

    env = make_environment("pdf", Path(volume.root), volume.settings.pdf.style)
    return env.get_template(template).render(book=context)


@roomy_stack
def lay_out(html: str, volume: Volume, fetcher, stylesheets: list, font_config):
    """Lay out the pages (WeasyPrint ``render``); nothing is written yet."""
    from weasyprint import HTML

    base_url = Path(volume.root).resolve().as_uri() + "/"
    with weasyprint_warnings():
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=stylesheets, font_config=font_config
        )


def font_timestamps(volume: Volume):
    """Make fontTools date the subset fonts from the volume, not the clock."""
    return epoch_while(volume.source_date)


class weasyprint_warnings:
    """Pass WeasyPrint's log on as ours while it renders.

    Its errors (an unusable image, a stylesheet it cannot read) become our warnings,
    except refusals our fetcher has already reported; its warnings (CSS it ignores)
    are shown with ``-v``. WeasyPrint's logger stops propagating meanwhile, so that
    nothing is printed twice.
    """

    def __enter__(self):
        self.logger = logging.getLogger("weasyprint")
        self.handler = _Forward()
        self.propagate = self.logger.propagate
        self.logger.addHandler(self.handler)
        self.logger.propagate = False
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self.propagate


class _Forward(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.levelno >= logging.ERROR:
            if "RefusedURL" not in text:
                warn(f"PDF: WeasyPrint: {text}")
        else:
            LOGGER.info("WeasyPrint: %s", text)
