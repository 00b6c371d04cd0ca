"""Whole-or-nothing writes: the mode of a file made normally, nothing left on failure."""

from __future__ import annotations

import os
import stat

import pytest

from bookmaker.atomic import replacing, temp_beside, write_atomically


def test_written_whole_with_the_umask_mode(tmp_path):
    target = tmp_path / "book.epub"
    target.write_bytes(b"old")
    old = os.umask(0o027)
    try:
        write_atomically(target, b"new bytes")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"new bytes"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["book.epub"]


def test_failure_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "book.pdf"
    target.write_bytes(b"good")
    with pytest.raises(RuntimeError), replacing(target) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["book.pdf"]
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "missing" / "x.pdf", b"data")


def test_temporaries_are_hidden_and_distinct(tmp_path):
    names = {temp_beside(tmp_path / "entry.pickle") for _ in range(50)}
    assert len(names) == 50
    assert all(name.name.startswith(".entry.pickle.") and name.name.endswith(".tmp")
               for name in names)
