"""The book's hyphenation patterns, parsed once per machine.

WeasyPrint hyphenates with Pyphen, which parses a language's pattern file the first
time a process hyphenates in it: 0.12 s for English, paid by every render worker
and by every warm build. The parsed patterns derive from the installed file alone,
so they are kept pickled in the user's cache (as the book face's static instances
are) and put in Pyphen's own cache, ``pyphen.hdcache``, before the first render.
Any trouble with the kept copy only means Pyphen parses the file as it would.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import sys
from pathlib import Path

from bookmaker.atomic import write_atomically
from bookmaker.cache import user_cache_folder


def preload_patterns(language: str | None) -> None:
    """Put ``language``'s parsed patterns in Pyphen's cache, from the user's cache if kept."""
    import pyphen

    name = pyphen.language_fallback(language) if language else None
    if name is None:
        return
    source = pyphen.LANGUAGES[name]  # the key Pyphen itself caches under
    folder = user_cache_folder("hyphenation")
    if source in pyphen.hdcache or folder is None:
        return
    try:
        kept = folder / f"{name}-{_key(Path(str(source)), pyphen)}.pickle"
    except OSError:  # not a plain file (a zipped install): Pyphen reads it as usual
        return
    try:
        patterns = pickle.loads(kept.read_bytes())
        if isinstance(patterns, pyphen.HyphDict):
            pyphen.hdcache[source] = patterns
            return
    except Exception:  # noqa: BLE001 - missing, partial or from another version: parse
        pass
    patterns = pyphen.HyphDict(source)
    pyphen.hdcache[source] = patterns
    with contextlib.suppress(OSError):  # not kept: parsed again next time
        write_atomically(kept, pickle.dumps(patterns, pickle.HIGHEST_PROTOCOL))


def _key(source: Path, pyphen) -> str:
    """What the parsed patterns depend on: the file, Pyphen's version and Python's."""
    stat = source.stat()
    version = getattr(pyphen, "__version__", getattr(pyphen, "VERSION", ""))
    made_of = f"{source}:{stat.st_size}:{stat.st_mtime_ns}:{version}:{sys.version_info[:2]}"
    return hashlib.sha256(made_of.encode()).hexdigest()[:24]
