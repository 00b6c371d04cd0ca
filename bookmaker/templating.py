"""The Jinja2 environment and where templates and styles are looked up.

Lookup chain, first match wins (as pelican and mkdocs themes do):

1. the volume's own ``templates/<kind>/`` folder;
2. the chosen theme's ``styles/<style>/templates/<kind>/`` folder, if it has one;
3. the built-in ``bookmaker/templates/<kind>/``.

An overriding template can extend the one it replaces through the
``builtin/`` prefix: ``{% extends "builtin/document.xhtml" %}``.
Autoescaping is on and undefined names are errors.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"


def styles_dir() -> Path:
    """The themes folder: packaged copy in a wheel, the repository's ``styles/`` otherwise."""
    packaged = PACKAGE_DIR / "_styles"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "styles"


@functools.lru_cache(maxsize=32)
def _environment(kind: str, volume_root: Path | None, style: str) -> jinja2.Environment:
    return _new_environment(kind, volume_root, style)


def make_environment(kind: str, volume_root: Path | None = None, style: str = "default"):
    """A Jinja2 environment for one builder (``kind`` is 'epub', 'pdf', …).

    Environments are kept per (kind, volume, style): compiling templates again for
    each of a book's hundreds of pieces would cost seconds. Jinja reloads a template
    whose file changed.
    """
    root = Path(volume_root).resolve() if volume_root is not None else None
    return _environment(kind, root, style)


def _new_environment(kind: str, volume_root: Path | None, style: str):
    # Imported here: a PDF render worker looks styles up with this module but renders no
    # template, and Jinja2's import took 65 ms of a rebuild's critical path.
    import jinja2

    from bookmaker.labels import join_names

    builtin = jinja2.FileSystemLoader(str(TEMPLATES_DIR / kind))
    chain: list[jinja2.BaseLoader] = []
    if volume_root is not None:
        chain.append(jinja2.FileSystemLoader(str(Path(volume_root) / "templates" / kind)))
    chain.append(jinja2.FileSystemLoader(str(styles_dir() / style / "templates" / kind)))
    chain.append(builtin)
    loader = jinja2.ChoiceLoader(
        [jinja2.PrefixLoader({"builtin": builtin}, delimiter="/"), *chain]
    )
    env = jinja2.Environment(
        loader=loader,
        bytecode_cache=_bytecode_cache(),
        autoescape=jinja2.select_autoescape(["html", "xhtml", "xml", "opf", "ncx", "htm"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # `{{ info.authors | names(lang) }}`: 'A and B', 'A et B', 'A和B'.
    env.filters["names"] = join_names
    return env


@functools.cache
def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept per user, as Python keeps ``.pyc`` files: compiling a
    book's templates costs a tenth of a second on every run. Entries are checked
    against the template's source, so an edited template is compiled again."""
    import jinja2

    from bookmaker.cache import user_cache_folder

    folder = user_cache_folder("jinja")
    return jinja2.FileSystemBytecodeCache(str(folder)) if folder is not None else None


def find_style_file(filename: str, volume_root: Path | None = None, style: str = "default") -> Path:
    """Path of a stylesheet or asset: the volume's ``styles/`` first, then the theme's.

    Falls back to the default theme when the chosen theme lacks the file.
    """
    candidates = []
    if volume_root is not None:
        candidates.append(Path(volume_root) / "styles" / filename)
    candidates.append(styles_dir() / style / filename)
    candidates.append(styles_dir() / "default" / filename)
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(filename)
