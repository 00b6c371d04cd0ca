"""The book face: find the installed font package and declare it to WeasyPrint.

Faces come from OFL font packages on PyPI (``fontpkg-eb-garamond`` …), which ship
variable TTFs. WeasyPrint 70 ignores weight ranges in ``@font-face``, so the face
is declared once per weight the stylesheet uses, all pointing at the same file.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass, field, replace
from pathlib import Path

from bookmaker.atomic import write_atomically
from bookmaker.builders.pdf.instances import (
    Location,
    choose_instancer,
    content_hash,
    instance_key,
    write_instance,
)
from bookmaker.cache import user_cache_folder
from bookmaker.log import warn
from bookmaker.scripts import BOOK_FACE_SCRIPTS

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
    script_faces: tuple[ScriptFace, ...] = ()
    """Faces for the other scripts the book prints, in the order CSS tries them."""
    leading: bool = False
    """Whether the first script face leads the stack (a Chinese or Arabic book), so that
    its punctuation and figures, not the Latin face's, set the text."""

    @property
    def folders(self) -> list[Path]:
        """Folders the fetcher must allow for this face."""
        paths = [*self.files.values(), *self.static.values()]
        paths += [path for script in self.script_faces for path in script.files.values()]
        return sorted({path.parent for path in paths})

    @property
    def postscript_prefix(self) -> str:
        """Start of the font names in the PDF ('EBGaramond'), for checks."""
        return self.family.replace(" ", "")

    @property
    def postscript_prefixes(self) -> tuple[str, ...]:
        """The book face's and every script face's prefix: fonts the PDF may embed."""
        return (self.postscript_prefix,
                *(script.family.replace(" ", "") for script in self.script_faces))


@dataclass(frozen=True)
class ScriptFace:
    """A face for one script the book face does not cover (Arabic, Han, Devanagari…)."""

    script: str
    """The script, as :func:`bookmaker.scripts.char_script` names it."""
    family: str
    """CSS family name, e.g. 'Amiri' or 'Noto Serif CJK SC'."""
    files: dict[tuple[str, int], Path] = field(default_factory=dict)
    """Packaged files by (style, weight), declared with @font-face; empty for a system
    face, which WeasyPrint finds through fontconfig by its family name."""
    coverage_file: Path | None = None
    """The upright file, for the glyph coverage check."""
    coverage_index: int = 0
    """Its index inside a font collection (.ttc)."""


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
            rules.append(_font_face_rule(face.family, path, style, weight))
    for script in face.script_faces:
        for (style, weight), path in sorted(script.files.items()):
            rules.append(_font_face_rule(script.family, path, style, weight))
    families = [f'"{face.family}"'] + [f'"{script.family}"' for script in face.script_faces]
    if face.leading and len(families) > 1:
        families.insert(0, families.pop(1))
    rules.append(f"html {{ font-family: {', '.join(families)}, {FALLBACK_STACK}; }}")
    return "\n".join(rules) + "\n"


def _font_face_rule(family: str, path: Path, style: str, weight: int) -> str:
    return (f'@font-face {{\n  font-family: "{family}";\n  src: url({path.resolve().as_uri()!s});\n'
            f"  font-style: {style};\n  font-weight: {weight};\n}}")


def missing_characters(face: BookFace, text: str) -> list[str]:
    """Characters of ``text`` the upright font lacks (spaces and controls aside)."""
    covered = set(font_coverage(face.files["normal"]))
    for script in face.script_faces:
        if script.coverage_file is not None:
            covered |= font_coverage(script.coverage_file, script.coverage_index)
    wanted = {char for char in set(text) if not char.isspace() and ord(char) >= 0x20}
    # Soft hyphens and zero-width marks are never drawn.
    ignorable = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}
    return sorted(char for char in wanted - ignorable if ord(char) not in covered)


@functools.lru_cache(maxsize=32)
def font_coverage(path: Path, index: int = 0) -> frozenset[int]:
    """The code points a font file maps (its best cmap), kept in the user's cache by the
    font's content: fontTools takes 25 ms to read a cmap, on every build."""
    folder = user_cache_folder("fonts")
    kept = None
    if folder is not None:
        kept = folder / "coverage" / f"{content_hash(path, folder / 'hashes')}-{index}.txt"
        with contextlib.suppress(OSError, ValueError):
            return frozenset(int(code, 16) for code in kept.read_text("ascii").split())
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=index) as font:
        covered = frozenset(font.getBestCmap() or {})
    if kept is not None:
        with contextlib.suppress(OSError):  # not kept: read again next time
            kept.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(kept, " ".join(f"{code:x}" for code in sorted(covered)).encode())
    return covered


def warn_missing_characters(face: BookFace, text: str) -> list[str]:
    """Warn, naming them, about characters another font will have to draw."""
    missing = missing_characters(face, text)
    if missing:
        shown = ", ".join(f"'{char}' (U+{ord(char):04X})" for char in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        names = " and ".join([face.family, *(script.family for script in face.script_faces)])
        warn(f"the book faces ({names}) have no glyph for {shown}{more}; they may print as "
             "boxes: install a face for them (see the README's Languages) or replace them")
    return missing


REGULAR: Location = {"wght": 400}
"""Where the static instances are pinned: the text weight; other axes at their default."""


def plan_static_fonts(face: BookFace, folder: Path) -> BookFace:
    """``face`` with static regular-weight instances, named in ``folder``.

    Why: WeasyPrint turns a variable font into a static one each time it writes a
    PDF, which costs about half a second per face; the sectioned book writes one
    PDF per group, so it is given static instances instead. They derive from the
    font's bytes alone, so they are made once per machine (whole fonts: WeasyPrint
    subsets what it embeds) and kept in the user's cache, as fontconfig keeps its
    own; other weights (bold) keep the variable font. The files are named by a hash
    of what makes them: the font's content (not its path, so that a new virtual
    environment with the same font package finds them), the pins and the instancer
    (:mod:`.instances`); :func:`make_static_font` makes those missing.
    """
    static: dict[str, Path] = {}
    for style, source in sorted(face.files.items()):
        font_hash = content_hash(source, folder / "hashes")
        key = instance_key(font_hash, REGULAR, choose_instancer(source, REGULAR))
        static[style] = folder / f"{face.slug}-{style}-400-{key}.ttf"
    return replace(face, static=static)


def make_static_font(source: Path, target: Path) -> Path:
    """Pin the variable font ``source`` at weight 400 and save it at ``target``: with
    HarfBuzz's subsetter where it can, else with fontTools (:mod:`.instances`)."""
    return write_instance(source, target, REGULAR)


# ------------------------------------------------------------ faces per script

PACKAGED_SCRIPT_FACES = {"Arabic": "amiri"}
"""Script → PyPI font package (fontpkg) with a book-quality face for it."""

# Script → fontconfig family, and the Debian package that installs it.
SYSTEM_SCRIPT_FACES = {
    "Devanagari": ("Noto Serif Devanagari", "fonts-noto-core"),
    "Hebrew": ("Noto Serif Hebrew", "fonts-noto-core"),
    "Thai": ("Noto Serif Thai", "fonts-noto-core"),
    "Bengali": ("Noto Serif Bengali", "fonts-noto-core"),
    "Tamil": ("Noto Serif Tamil", "fonts-noto-core"),
    "Armenian": ("Noto Serif Armenian", "fonts-noto-core"),
    "Georgian": ("Noto Serif Georgian", "fonts-noto-core"),
}
NASTALIQ = ("Noto Nastaliq Urdu", "fonts-noto-extra")

# Noto Serif CJK's regional variants: the glyph forms a language's readers expect.
CJK_VARIANTS = {"zh-hant": "TC", "zh-tw": "TC", "zh-hk": "HK", "zh-mo": "HK", "ja": "JP",
                "ko": "KR", "zh": "SC"}
CJK_SCRIPTS = {"Han", "Kana", "Hangul", "Japanese"}
LEADING_SCRIPTS = CJK_SCRIPTS | {"Arabic", "Hebrew", "Devanagari", "Thai"}


def cjk_variant(language: str) -> str:
    """'SC', 'TC', 'HK', 'JP' or 'KR' for a BCP 47 tag (Simplified Chinese by default)."""
    tag = language.lower().replace("_", "-")
    for prefix in sorted(CJK_VARIANTS, key=len, reverse=True):
        if tag == prefix or tag.startswith(prefix + "-"):
            return CJK_VARIANTS[prefix]
    return "SC"


def with_script_faces(face: BookFace, scripts: list[str], language: str) -> BookFace:
    """``face`` with a face for every other script among ``scripts`` (most used first).

    Raises :class:`ToolMissingError` when Chinese, Japanese or Korean text has no face:
    WeasyPrint would print boxes and still write the file.
    """
    added: list[ScriptFace] = []
    for script in scripts:
        if script in BOOK_FACE_SCRIPTS or any(s.script == script for s in added):
            continue
        if script in CJK_SCRIPTS and any(s.script in CJK_SCRIPTS for s in added):
            continue
        found = script_face(script, language)
        if found is not None:
            added.append(found)
    leading = bool(added) and scripts[0] in LEADING_SCRIPTS
    return replace(face, script_faces=tuple(added), leading=leading)


def script_face(script: str, language: str) -> ScriptFace | None:
    """The face bookmaker sets ``script`` in for ``language``; None (with a warning) when
    none is installed. Raises :class:`ToolMissingError` for Chinese, Japanese or Korean."""
    from bookmaker.errors import ToolMissingError

    if script in CJK_SCRIPTS:
        family = f"Noto Serif CJK {cjk_variant(language)}"
        found = system_face(script, family)
        if found is None:
            raise ToolMissingError(
                f"no face for the book's {script} text: {family} is not installed; "
                "install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk)")
        return found
    if script == "Arabic":
        urdu = language.lower().split("-")[0] == "ur"
        found = system_face(script, NASTALIQ[0]) if urdu else None
        if urdu and found is None:
            warn(f"no nastaliq face for Urdu ({NASTALIQ[0]}, Debian's {NASTALIQ[1]}); "
                 "set in naskh (Amiri)")
        return found or packaged_face(script, PACKAGED_SCRIPT_FACES[script])
    if script in SYSTEM_SCRIPT_FACES:
        family, package = SYSTEM_SCRIPT_FACES[script]
        found = system_face(script, family)
        if found is None:
            warn(f"no face for the book's {script} text: install {family} "
                 f"(Debian's {package}); it will print as boxes")
        return found
    return None


def packaged_face(script: str, slug: str) -> ScriptFace | None:
    """A script face from its PyPI font package, every style and weight it has."""
    try:
        import fontpkg

        family = fontpkg.family(slug)
    except Exception:  # not installed: the coverage check then names what is missing
        warn(f"the {script} face '{slug}' is not installed: pip install fontpkg-{slug}")
        return None
    files: dict[tuple[str, int], Path] = {}
    for font_file in family.files:
        weight = 700 if "bold" in font_file.path.stem.lower() else 400
        files.setdefault((font_file.style, weight), font_file.path)
    upright = files.get(("normal", 400))
    return ScriptFace(script, family.name, files, upright)


def system_face(script: str, family: str) -> ScriptFace | None:
    """A face fontconfig knows by ``family`` (its upright file for coverage), or None."""
    import shutil
    import subprocess

    if shutil.which("fc-match") is None:
        return None
    result = subprocess.run(
        ["fc-match", "--format=%{family}\n%{file}\n%{index}", f"{family}:style=Regular"],
        capture_output=True, text=True, timeout=30, check=False)
    lines = result.stdout.splitlines()
    if len(lines) < 3 or family not in lines[0].split(","):
        return None  # fontconfig answered with a substitute
    return ScriptFace(script, family, {}, Path(lines[1]), int(lines[2] or 0))
