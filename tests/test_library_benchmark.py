"""``python -m benchmarks.library`` end to end on a tiny library (2 volumes, EPUB)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="Dask distributed is not installed")
pytestmark = pytest.mark.slow


def test_library_benchmark_smoke(tmp_path, monkeypatch):
    if not Path(sys.executable).with_name("dask").exists():
        pytest.skip("the dask command is not installed")
    from benchmarks import library

    monkeypatch.setattr(library, "REPORT", tmp_path / "LIBRARY.md")
    assert library.main(["--volumes", "2", "--documents", "1", "--words", "100",
                         "--formats", "epub", "--configs", "local,dask-1", "--large", "3",
                         "--trivial", "20", "--work", str(tmp_path / "work"),
                         "--report"]) == 0
    results = json.loads((tmp_path / "work" / "results.json").read_text())
    case = results["cases"]["epub"]
    assert case["local"]["cold"]["statuses"] == {"built": 2}
    assert case["dask-1"]["rerun"]["statuses"] == {"unchanged": 2}
    assert case["dask-1"]["cold_stream"]["volume_tasks"] == 2
    assert results["large"]["dask-1"]["statuses"] == {"unchanged": 3}
    text = (tmp_path / "LIBRARY.md").read_text()
    assert "| dask-1 |" in text and library.HAND in text
