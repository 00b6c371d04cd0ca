"""The EPUB cover image: the volume's own, or one drawn from its metadata.

The drawn cover is 1600×2560 pixels (the 1:1.6 ratio ebook shops ask for), set
in EB Garamond, the book face, or in the face the PDF sets the title's script in
(Amiri, Noto Serif CJK…; Pillow shapes and orders right-to-left text through
Raqm). It depends only on the metadata, so it is the same image on every build.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import textwrap
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from bookmaker import __version__
from bookmaker.cache import Cache
from bookmaker.errors import BuildError, ToolMissingError
from bookmaker.labels import labels_for, series_number
from bookmaker.model import Asset, Volume, VolumeInfo
from bookmaker.scripts import BOOK_FACE_SCRIPTS, dominant_script

WIDTH, HEIGHT = 1600, 2560
DRAWN_FILE_NAME = "images/cover.png"
PAPER = (244, 239, 228)
INK = (34, 30, 28)
ACCENT = (139, 26, 26)
"""A deep red band for the series line."""

# The cover is drawn in palette indices, not colours: 0-127 run from the accent to the
# paper (the series band and its letters), 128-255 from the ink to the paper (the page
# and the title's letters). Anti-aliased letters blend between the index they are drawn
# in and the one under them as they would between the colours, and the PNG holds a byte
# a pixel instead of three: a third of the time to compress (which was most of drawing
# the cover), and half the file.
BAND, ON_BAND, ON_PAGE, PAGE = 0, 127, 128, 255


def _palette() -> list[int]:
    def ramp(start: tuple[int, ...], end: tuple[int, ...]) -> list[int]:
        return [round(a + (b - a) * step / 127) for step in range(128)
                for a, b in zip(start, end, strict=True)]

    return ramp(ACCENT, PAPER) + ramp(INK, PAPER)


@dataclass(frozen=True)
class CoverImage:
    """A cover ready to go into the book."""

    data: bytes
    media_type: str
    file_name: str
    """Name inside the book, e.g. 'images/cover.png'."""
    width: int
    height: int
    generated: bool
    """True when bookmaker drew it."""


def cover_for(volume: Volume, cache: Cache | None = None) -> CoverImage:
    """The volume's own cover image when the manifest names one, else a drawn one.

    A drawn cover is kept in ``cache``: drawing and compressing it takes most of a
    second, more than the rest of a small EPUB.
    """
    if volume.cover is not None:
        return own_cover(volume.cover)
    return drawn_cover(volume.info, cache)


def start_drawing(info: VolumeInfo, cache: Cache | None) -> Future:
    """:func:`drawn_cover` in a thread of its own, started now (its PNG compression lets
    go of the GIL); the future gives the :class:`CoverImage`."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="bookmaker-cover")
    future = pool.submit(drawn_cover, info, cache)
    pool.shutdown(wait=False)
    return future


def drawn_cover(info: VolumeInfo, cache: Cache | None = None) -> CoverImage:
    """The cover bookmaker draws for ``info``, from ``cache`` when drawn before."""
    if cache is None:
        return draw_cover(info)
    key = hashlib.sha256(repr((__version__, info.title, info.subtitle, info.series,
                               info.series_number, info.authors, info.language)
                              ).encode()).hexdigest()[:24]
    data = cache.get(f"cover-{key}.png")
    if data is not None:
        return CoverImage(data, "image/png", DRAWN_FILE_NAME, WIDTH, HEIGHT, True)
    cover = draw_cover(info)
    cache.put(f"cover-{key}.png", cover.data)
    return cover


def own_cover(asset: Asset) -> CoverImage:
    """The publisher's cover image (JPEG or PNG), as the pipeline read it."""
    data, relative = asset.data, asset.path
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
    except (OSError, ValueError) as exc:
        raise BuildError(
            f"cover image cannot be read: {exc}; give a JPEG or PNG", relative
        ) from None
    if kind == "JPEG":
        return CoverImage(data, "image/jpeg", "images/cover.jpg", width, height, False)
    if kind == "PNG":
        return CoverImage(data, "image/png", "images/cover.png", width, height, False)
    raise BuildError(f"cover image is {kind}; convert it to JPEG or PNG", relative)


FaceFile = tuple[str, int]
"""A font file and its index in a collection (.ttc)."""


def _font(size: int, weight: int = 400, italic: bool = False,
          face: FaceFile | None = None) -> ImageFont.FreeTypeFont:
    try:
        if face is not None:
            return ImageFont.truetype(face[0], size, index=face[1])
        import fontpkg

        path = fontpkg.path("EB Garamond", style="italic" if italic else "normal")
        font = ImageFont.truetype(str(path), size)
    except Exception:  # any missing or broken font falls back to Pillow's own face
        return ImageFont.load_default(size)
    # A static face has no weight axis: it keeps its one weight.
    with contextlib.suppress(OSError, AttributeError):
        font.set_variation_by_axes([weight])
    return font


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font, fill) -> int:
    """Draw ``text`` centred at ``y`` and return the y below it."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((WIDTH - (right - left)) / 2 - left, y - top), text, font=font, fill=fill)
    return y + (bottom - top)


def _wrapped(draw, y: int, text: str, font, fill, width: int, gap: int) -> int:
    for line in textwrap.wrap(text, width=width) or [""]:
        y = _centered(draw, y, line, font, fill) + gap
    return y


def draw_cover(info: VolumeInfo) -> CoverImage:
    """A typographic cover: series band, title, subtitle and author."""
    number_line = None
    if info.series and info.series_number is not None:
        number_line = labels_for(info.language)["number"] % {
            "number": series_number(info.series_number)}
    return _draw(info.title, info.subtitle, info.series, number_line, tuple(info.authors),
                 cover_faces(info, number_line))


def cover_faces(info: VolumeInfo, number_line: str | None = None) -> tuple:
    """The faces of the series band, the title, the subtitle and the authors' line, each
    for its own script: a Chinese title under a Latin author's name is set in a Chinese
    face, not as boxes in the book face."""

    def face(*texts: str | None) -> FaceFile | None:
        text = " ".join(t for t in texts if t)
        return _cover_face(dominant_script(text), info.language) if text else None

    return (face(info.series, number_line), face(info.title), face(info.subtitle),
            face(*info.authors))


def _cover_face(script: str, language: str) -> FaceFile | None:
    """The file of the face for a title in ``script``; None for the book face's scripts
    or when no face is installed (the PDF build then says what to install)."""
    if script in BOOK_FACE_SCRIPTS:  # known before the PDF's font module is imported
        return None
    from bookmaker.builders.pdf.fonts import script_face

    try:
        found = script_face(script, language)
    except ToolMissingError:
        return None
    if found is None or found.coverage_file is None:
        return None
    return str(found.coverage_file), found.coverage_index


def _wide(text: str) -> int:
    """2 for a text in Han or kana, which are square (a line holds half as many of them
    as of Latin letters), else 1."""
    return 2 if any(unicodedata.east_asian_width(c) in "WF" for c in text) else 1


@functools.lru_cache(maxsize=8)
def _draw(title: str, subtitle: str | None, series: str | None, number_line: str | None,
          authors: tuple[str, ...], faces: tuple) -> CoverImage:
    # Cached: tests build many books.
    series_face, title_face, subtitle_face, authors_face = faces
    image = Image.new("L", (WIDTH, HEIGHT), PAGE)
    draw = ImageDraw.Draw(image)

    if series:
        lines = textwrap.wrap(series.upper(), width=42 // _wide(series))
        if number_line:
            lines.append(number_line)
        band = 180 + 90 * len(lines)
        draw.rectangle((0, 0, WIDTH, band), fill=BAND)
        y = 130
        for line in lines:
            y = _centered(draw, y, line, _font(58, 500, face=series_face), ON_BAND) + 34
    else:
        draw.rectangle((0, 0, WIDTH, 120), fill=BAND)

    y = _wrapped(draw, 820, title, _font(150, 600, face=title_face), ON_PAGE,
                 width=16 // _wide(title), gap=50)
    if subtitle:
        y = _wrapped(draw, y + 70, subtitle, _font(84, italic=True, face=subtitle_face),
                     ON_PAGE, width=28 // _wide(subtitle), gap=30)

    draw.line((WIDTH / 2 - 160, 2040, WIDTH / 2 + 160, 2040), fill=BAND, width=5)
    if authors:
        names = ", ".join(authors)
        _wrapped(draw, 2130, names, _font(96, 500, face=authors_face), ON_PAGE,
                 width=26 // _wide(names), gap=30)

    image.putpalette(_palette())  # the indices become the colours: a palette image
    buffer = io.BytesIO()
    # zlib's default level: optimize=True costs twice the time for 2% fewer bytes.
    image.save(buffer, format="PNG")
    return CoverImage(buffer.getvalue(), "image/png", DRAWN_FILE_NAME, WIDTH, HEIGHT, True)
