"""The book face: find the installed font package and declare it to WeasyPrint.

Faces come from OFL font packages on PyPI (``fontpkg-eb-garamond`` …), which ship
variable TTFs. WeasyPrint 70 ignores weight ranges in ``@font-face``, so the face
is declared once per weight the stylesheet uses, all pointing at the same file.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from bookmaker.log import warn

WEIGHTS = (400, 600, 700)
"""Weights print.css uses: text, semibold headings, bold."""

FALLBACK_STACK = "serif"


@dataclass(frozen=True)
class BookFace:
    """An installed face: its CSS family name and files by style."""

    slug: str
    """Package slug, e.g. 'eb-garamond'."""
    family: str
    """Family name as declared in CSS, e.g. 'EB Garamond'."""
    files: dict[str, Path]
    """Font file by style ('normal', 'italic')."""
    static: dict[str, Path] = field(default_factory=dict)
    """Static regular-weight instances by style (see :func:`plan_static_fonts`)."""

    @property
    def folders(self) -> list[Path]:
        """Folders the fetcher must allow for this face."""
        return sorted({path.parent for path in [*self.files.values(), *self.static.values()]})

    @property
    def postscript_prefix(self) -> str:
        """Start of the font names in the PDF ('EBGaramond'), for checks."""
        return self.family.replace(" ", "")


def find_face(slug: str) -> BookFace | None:
    """The installed book face ``slug``, or None with a warning naming what is missing."""
    try:
        import fontpkg

        family = fontpkg.family(slug)
    except ImportError:
        warn(f"the font package manager 'fontpkg' is not installed; the book face '{slug}' "
             "cannot be found and the PDF will use a system serif: pip install fontpkg")
        return None
    except Exception:  # fontpkg.FamilyNotInstalled and its relatives
        warn(f"the book face '{slug}' is not installed; the PDF will use a system serif: "
             f"pip install fontpkg-{slug}")
        return None
    files: dict[str, Path] = {}
    for font_file in family.files:
        if font_file.path.is_file():
            files.setdefault(font_file.style, font_file.path)
    if "normal" not in files:
        warn(f"the font package for '{slug}' has no upright font file; "
             "the PDF will use a system serif; reinstall it")
        return None
    if "italic" not in files:
        warn(f"the book face '{family.name}' has no italic; WeasyPrint will slant the upright")
    return BookFace(slug=slug, family=family.name, files=files)


def font_face_css(face: BookFace | None) -> str:
    """``@font-face`` rules for ``face``, and the face set on ``html``."""
    if face is None:
        return f"html {{ font-family: {FALLBACK_STACK}; }}\n"
    rules = []
    for style, variable in sorted(face.files.items()):
        for weight in WEIGHTS:
            path = face.static.get(style, variable) if weight == 400 else variable
            rules.append(
                "@font-face {\n"
                f'  font-family: "{face.family}";\n'
                f"  src: url({path.resolve().as_uri()!s});\n"
                f"  font-style: {style};\n"
                f"  font-weight: {weight};\n"
                "}"
            )
    rules.append(f'html {{ font-family: "{face.family}", {FALLBACK_STACK}; }}')
    return "\n".join(rules) + "\n"


def missing_characters(face: BookFace, text: str) -> list[str]:
    """Characters of ``text`` the upright font lacks (spaces and controls aside)."""
    from fontTools.ttLib import TTFont

    with TTFont(face.files["normal"], lazy=True) as font:
        covered = set(font.getBestCmap() or {})
    wanted = {char for char in set(text) if not char.isspace() and ord(char) >= 0x20}
    # Soft hyphens and zero-width marks are never drawn.
    ignorable = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
    return sorted(char for char in wanted - ignorable if ord(char) not in covered)


def warn_missing_characters(face: BookFace, text: str) -> list[str]:
    """Warn, naming them, about characters another font will have to draw."""
    missing = missing_characters(face, text)
    if missing:
        shown = ", ".join(f"'{char}' (U+{ord(char):04X})" for char in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        warn(f"the book face {face.family} has no glyph for {shown}{more}; another font "
             "will draw them: choose another face or replace the characters")
    return missing


def plan_static_fonts(face: BookFace, folder: Path) -> BookFace:
    """``face`` with static regular-weight instances, named in ``folder``.

    Why: WeasyPrint turns a variable font into a static one each time it writes a
    PDF, which costs about half a second per face; the sectioned book writes one
    PDF per group, so it is given static instances instead. They derive from the
    installed font file alone, so they are made once per machine (whole fonts:
    WeasyPrint subsets what it embeds) and kept in the user's cache, as fontconfig
    keeps its own; other weights (bold) keep the variable font. The files are named
    by a hash of what makes them; :func:`make_static_font` makes those missing.
    """
    from fontTools import version

    static: dict[str, Path] = {}
    for style, source in sorted(face.files.items()):
        stat = source.stat()
        key = hashlib.sha256(
            f"{source}:{stat.st_size}:{stat.st_mtime_ns}:{version}".encode()
        ).hexdigest()[:24]
        static[style] = folder / f"{face.slug}-{style}-400-{key}.ttf"
    return replace(face, static=static)


def make_static_font(source: Path, target: Path) -> Path:
    """Pin the variable font ``source`` at weight 400 and save it at ``target``."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(source)
    if "fvar" in font:
        font = instancer.instantiateVariableFont(font, {"wght": 400}, static=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(temp)
    os.replace(temp, target)  # concurrent builds: whole files only
    return target
