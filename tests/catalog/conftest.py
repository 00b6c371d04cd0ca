"""Shared catalogue fixtures: a fake builder and the real catalogue.

The real catalogue (sample volume plus three generated ones, EPUB and split PDF)
is built once per session; tests that use it are marked slow.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bookmaker.builders import BuildOptions
from bookmaker.catalog import build_catalog
from tests.catalog.helpers import SAMPLE, FakeBuilder, generated_volumes, write_volume


@pytest.fixture
def fake_builder(monkeypatch) -> FakeBuilder:
    """Builds stand-in outputs in place of the real builders (the pipeline still decides
    what to build and reuses what it kept)."""
    import bookmaker.pipeline

    fake = FakeBuilder()
    monkeypatch.setattr(bookmaker.pipeline, "render", fake)
    return fake


@pytest.fixture
def site(tmp_path, fake_builder) -> Path:
    """A catalogue of four generated volumes made with the fake builder (fast)."""
    volumes = generated_volumes(tmp_path / "volumes")
    unseried = write_volume(tmp_path / "volumes" / "loose-leaves", '''
title = "Loose Leaves"
authors = ["Ann Other", "Bea Second"]
description = "Papers that belong to no series."
''', [(None, ["leaf.txt"])])
    site = tmp_path / "site"
    build_catalog([unseried, *reversed(volumes)], site, BuildOptions(split=True),
                  title="Test Library")
    return site


# --------------------------------------------------------------- real catalogue


def require_builders() -> None:
    from bookmaker.builders import builders

    missing = {"epub", "pdf"} - set(builders())
    if missing:
        pytest.skip(f"builders not available yet: {', '.join(sorted(missing))}")


@pytest.fixture(scope="session")
def catalogue_volumes(tmp_path_factory) -> list[Path]:
    """The sample volume and three generated ones, deliberately out of series order."""
    second, third, other = generated_volumes(tmp_path_factory.mktemp("volumes"))
    return [other, third, SAMPLE, second]


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory, catalogue_volumes):
    """The real catalogue: every volume built once (EPUB, PDF, per-document PDFs)."""
    require_builders()

    site = tmp_path_factory.mktemp("site")
    return build_catalog(catalogue_volumes, site, BuildOptions(split=True),
                         title="Test Library")


@pytest.fixture(scope="session")
def served(catalogue):
    """The real catalogue served on 127.0.0.1 by a thread; yields the base URL."""
    from bookmaker.catalog import make_server

    server = make_server(catalogue.site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
