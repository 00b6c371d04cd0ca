"""Longer, coverage-guided fuzzing of the readers with atheris (optional).

    pip install atheris
    python tests/fuzz/atheris_readers.py -max_total_time=600

Every reader must return a Document or raise bookmaker's DocumentError; anything
else is a crash atheris reports with the input that caused it. The hypothesis
tests in tests/readers/test_fuzz.py run the same property in every test run.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    from bookmaker.errors import DocumentError
    from bookmaker.readers import READERS, DocumentSource

READ = sorted({entry.name: entry.read for entry in READERS.values()}.items())
SOURCE = DocumentSource(rel_path="fuzz", doc_id="fuzz")


def one_input(data: bytes) -> None:
    if not data:
        return
    _, read = READ[data[0] % len(READ)]
    with contextlib.suppress(DocumentError):
        read(data[1:], SOURCE)


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
