"""A library built on a real Dask cluster: a scheduler and workers started on 127.0.0.1.

The processes are the ``dask scheduler`` and ``dask worker`` commands a cluster runs;
the client is ``bookmaker catalog --scheduler``, in a process of its own. One test
kills a worker during the run and checks every output is whole.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from bookmaker import cli
from tests.catalog.helpers import write_volume

pytest.importorskip("distributed", reason="Dask distributed is not installed")
pytestmark = pytest.mark.slow

DASK = Path(sys.executable).with_name("dask")
SENTENCE = ("The workers and peasants of the Red Army defend the revolution against the "
            "landlords and the foreign interventionists, and they learn as they fight. ")


def _long_text(title: str, paragraphs: int) -> str:
    body = "\n\n".join(f"{SENTENCE * 6}Paragraph {n} of {title}." for n in range(paragraphs))
    return f"{title}\n\n\n{body}\n"


def make_library(root: Path, volumes: int = 3, broken: bool = True) -> Path:
    """``volumes`` small volumes (one of them long enough for several PDF groups), and a
    volume whose manifest is broken."""
    for number in range(1, volumes + 1):
        folder = write_volume(root / "volumes" / f"volume-{number}", f'''
title = "Orders of the Year {1917 + number}"
authors = ["Leon Trotsky"]
series = "Military Writings"
series_number = {number}
''', [(None, [f"order-{n}.txt" for n in range(1, 4)])])
        for n in range(1, 4):
            paragraphs = 40 if number == 1 else 2
            (folder / "texts" / f"order-{n}.txt").write_text(
                _long_text(f"Order {n} of {1917 + number}", paragraphs), "utf-8")
    if broken:
        bad = root / "volumes" / "volume-broken"
        (bad / "texts").mkdir(parents=True)
        (bad / "volume.toml").write_text('[volume]\ntitle = "Broken\n', "utf-8")
    (root / "library.toml").write_text('''[library]
title = "Test Library"
volumes = ["volumes/*"]
formats = ["epub", "pdf"]
''', "utf-8")
    return root / "library.toml"


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two one-thread workers; yields (address, worker processes)."""
    if not DASK.exists():
        pytest.skip("the dask command is not installed")
    scheduler_file = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    processes = [subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    deadline = time.monotonic() + 60
    while not scheduler_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    address = json.loads(scheduler_file.read_text())["address"]
    workers = [subprocess.Popen(
        [str(DASK), "worker", address, "--nthreads", "1", "--nworkers", "1",
         "--no-dashboard", "--host", "127.0.0.1", "--no-nanny",
         "--local-directory", str(tmp_path / f"worker-{n}")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tmp_path)
        for n in range(2)]
    processes += workers
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(2, timeout=60)
    yield address, workers
    for process in reversed(processes):
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def run_catalog(library: Path, site: Path, address: str, *options: str):
    """``bookmaker [options] catalog`` as a process of its own; (exit code, stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "bookmaker", *options, "catalog", str(library), "-o", str(site),
         "--scheduler", address],
        capture_output=True, text=True, timeout=600, cwd=library.parent)
    return done.returncode, done.stderr


def assert_outputs_whole(site: Path, slugs: list[str]) -> None:
    import pikepdf

    for slug in slugs:
        folder = site / "books" / slug
        with zipfile.ZipFile(folder / f"{slug}.epub") as epub:
            assert epub.testzip() is None
            assert epub.read("mimetype") == b"application/epub+zip"
        with pikepdf.open(folder / f"{slug}.pdf") as pdf:
            assert len(pdf.pages) > 4
        published = [p.name for p in folder.iterdir() if not p.name.startswith(".")]
        assert not [name for name in published if name.endswith(".tmp")]


def test_a_library_builds_on_the_cluster_and_a_bad_volume_fails_alone(tmp_path, cluster):
    address, _workers = cluster
    library = make_library(tmp_path / "lib")
    site = tmp_path / "site"
    code, err = run_catalog(library, site, address, "-v")
    said = " ".join(err.split())
    assert code == 2, err  # the broken manifest's code
    assert "4 volumes (3 built, 0 reused, 1 failed)" in said
    failures = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(failures) == 1 and "volume-broken/volume.toml:2" in failures[0], err
    assert_outputs_whole(site, ["volume-1", "volume-2", "volume-3"])
    index = (site / "index.html").read_text("utf-8")
    assert all(f"Orders of the Year {year}" in index for year in (1918, 1919, 1920))
    feed = (site / "opds" / "all.xml").read_text("utf-8")
    assert feed.count("<entry>") == 3
    # The long volume's PDF groups ran as tasks of their own.
    assert list((library.parent / "volumes" / "volume-1" / ".bookmaker-cache" /
                 "pdf-jobs").glob("volume-*.pickle"))

    # Nothing changed: every volume is reused, decided where the files are.
    code, err = run_catalog(library, site, address)
    assert code == 2
    assert "4 volumes (0 built, 3 reused, 1 failed)" in " ".join(err.split())


def test_a_worker_killed_mid_build_loses_nothing(tmp_path, cluster):
    address, _workers = cluster
    library = make_library(tmp_path / "lib", volumes=4, broken=False)
    site = tmp_path / "site"
    client = subprocess.Popen(
        [sys.executable, "-m", "bookmaker", "catalog", str(library), "-o", str(site),
         "--scheduler", address],
        stderr=subprocess.PIPE, text=True, cwd=library.parent)
    from distributed import Client

    with Client(address, timeout="30s") as watcher:
        pids = watcher.run(os.getpid)  # worker address → its process
        busy = None
        deadline = time.monotonic() + 120
        while busy is None and time.monotonic() < deadline:
            busy = next((worker for worker, keys in watcher.processing().items() if keys), None)
            time.sleep(0.05)
        assert busy is not None, "no task started"
        time.sleep(0.5)  # inside a build: reading, rendering or writing
        assert watcher.processing()[busy], "the worker finished before it could be killed"
        os.kill(pids[busy], signal.SIGKILL)
    _out, err = client.communicate(timeout=600)
    assert client.returncode == 0, err
    assert "4 volumes (4 built, 0 reused)" in " ".join(err.split())
    assert_outputs_whole(site, [f"volume-{n}" for n in range(1, 5)])


def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys):
    library = make_library(tmp_path / "lib", volumes=1, broken=False)
    code = cli.main(["catalog", str(library), "-o", str(tmp_path / "site"),
                     "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert not (tmp_path / "site" / "index.html").exists()


def test_interrupting_the_client_cancels_its_tasks_and_keeps_the_site(tmp_path, cluster):
    address, _workers = cluster
    library = make_library(tmp_path / "lib", volumes=3, broken=False)
    site = tmp_path / "site"
    assert run_catalog(library, site, address)[0] == 0
    pages = ("*.html", "*.xml", "*.json")  # the site and its feeds, written only at the end
    before = {path: path.read_bytes() for kind in pages for path in site.rglob(kind)}
    later = time.time() + 5
    for text in (library.parent / "volumes").glob("*/texts/order-1.txt"):
        os.utime(text, (later, later))  # every volume must be built again
    client = subprocess.Popen(
        [sys.executable, "-m", "bookmaker", "catalog", str(library), "-o", str(site),
         "--scheduler", address],
        stderr=subprocess.PIPE, text=True, cwd=library.parent)
    from distributed import Client

    with Client(address, timeout="30s") as watcher:
        deadline = time.monotonic() + 120
        while not any(watcher.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        client.send_signal(signal.SIGINT)
        _out, err = client.communicate(timeout=120)
        assert client.returncode == 130, err
        assert "interrupted; earlier outputs were left untouched" in err
        deadline = time.monotonic() + 60  # the volumes' tasks are cancelled, not finished
        while any(watcher.processing().values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(watcher.processing().values())
    after = {path: path.read_bytes() for kind in pages for path in site.rglob(kind)}
    assert after == before
    assert_outputs_whole(site, [f"volume-{n}" for n in range(1, 4)])  # old or new, whole
