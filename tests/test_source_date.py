"""The build date: from git when the sources are committed, else their files, and git
asked only where a repository can be."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess

import pytest

from bookmaker import loading, outputs
from bookmaker.reproducible import may_be_in_git

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for name in ("GIT_DIR", "GIT_WORK_TREE"):
        monkeypatch.delenv(name, raising=False)


def test_outside_a_repository_git_is_never_run(tmp_path, monkeypatch):
    source = tmp_path / "volume" / "a.txt"
    source.parent.mkdir()
    source.write_text("text")
    os.utime(source, (1_000_000_000, 1_000_000_000))

    def no_git(*args, **kwargs):
        raise AssertionError(f"git was run: {args}")

    monkeypatch.setattr(subprocess, "run", no_git)
    if any((parent / ".git").exists() for parent in tmp_path.parents):
        pytest.skip("the temporary folder lies inside a git work tree")
    assert not may_be_in_git(source.parent)
    assert loading.source_date([source]) == dt.datetime.fromtimestamp(1_000_000_000, dt.UTC)
    assert outputs._git_state(source.parent) == ""


@needs_git
def test_committed_sources_are_dated_by_their_commit(tmp_path):
    volume = tmp_path / "volume"
    volume.mkdir()
    source = volume / "a.txt"
    source.write_text("text")
    env = {**os.environ, "GIT_AUTHOR_DATE": "2001-09-09T01:46:40+00:00",
           "GIT_COMMITTER_DATE": "2001-09-09T01:46:40+00:00", "GIT_AUTHOR_NAME": "a",
           "GIT_AUTHOR_EMAIL": "a@b", "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@b"}
    for command in (["init", "-q"], ["add", "a.txt"], ["commit", "-q", "-m", "a"]):
        subprocess.run(["git", *command], cwd=volume, check=True, env=env)
    assert may_be_in_git(volume)
    assert loading.source_date([source]) == dt.datetime(2001, 9, 9, 1, 46, 40, tzinfo=dt.UTC)
    source.write_text("changed")  # a local change: the files' date, not the commit's
    os.utime(source, (1_100_000_000, 1_100_000_000))
    assert loading.source_date([source]) == dt.datetime.fromtimestamp(1_100_000_000, dt.UTC)
