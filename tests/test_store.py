"""Builds that prove themselves: manifests, verification, fallback, leases, cleaning, faults.

Every test writes a few quads with ``write_build`` (the full project load takes ~10 s); the CLI
tests run the real command in a subprocess and assert a one-line error without a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from tdi_graph.errors import BuildDamaged, StoreMissing, StoreWriteFailed
from tdi_graph.store import (
    build_id,
    clean,
    current_build,
    open_build,
    open_store,
    opening,
    read_manifest,
    release,
    served_build,
    up_to_date,
    write_build,
)
from tdi_graph.store import manifest as st

G1 = "https://example.org/graph/one"
G2 = "https://example.org/graph/two"
TDI = [str(Path(sys.executable).parent / "tdi-graph")]
SAMPLE = Path(__file__).parent / "fixtures" / "reference"


def quads(n: int = 20, tag: str = "a") -> list[ox.Quad]:
    out = []
    for i in range(n):
        graph = ox.NamedNode(G1 if i % 2 else G2)
        subject = ox.NamedNode(f"https://example.org/{tag}/{i}")
        out.append(ox.Quad(subject, ox.NamedNode("https://example.org/p"), ox.Literal(i), graph))
    return out


@pytest.fixture(autouse=True)
def _no_leases() -> Iterator[None]:
    """Each test starts and ends with no build leased by this process."""
    yield
    for build in list(opening._LEASES):
        release(build)


def leftovers(store_dir: Path) -> list[str]:
    """Entries of ``builds/`` that do not belong to a build with a manifest."""
    names = os.listdir(store_dir / "builds")
    complete = {n.removesuffix(".manifest.json") for n in names if n.endswith(".manifest.json")}
    return sorted(n for n in names if st._build_name(n) not in complete)


def two_builds(store_dir: Path) -> tuple[Path, Path]:
    first = write_build(store_dir, quads(10, "first"))
    second = write_build(store_dir, quads(20, "second"))
    return first, second


def one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# --- manifests ---------------------------------------------------------------------------------


def test_a_build_writes_a_manifest_beside_it(tmp_path: Path) -> None:
    source = tmp_path / "input.ttl"
    source.write_text("# an input\n")
    build = write_build(tmp_path / "store", quads(20), inputs={"input": source})
    manifest = read_manifest(build)
    assert manifest.build == build.name == build_id(tmp_path / "store")
    assert manifest.quads == 20
    assert manifest.graphs == {G1: 10, G2: 10}
    assert manifest.snapshot["sha256"] == st._sha256(st._snapshot(build))
    assert any(name.endswith(".sst") for name in manifest.files)
    assert all(
        entry["size"] >= 0 and len(entry["sha256"]) == 64 for entry in manifest.files.values()
    )
    assert set(manifest.inputs) == {"input", "code"}
    assert manifest.version and manifest.created.endswith("Z")


@pytest.mark.parametrize("in_memory", [True, False])
def test_a_good_build_opens_verified(tmp_path: Path, in_memory: bool) -> None:
    build = write_build(tmp_path, quads(20))
    opened = open_build(tmp_path, in_memory=in_memory)
    assert opened.path == build == served_build(tmp_path)
    assert len(opened.store) == 20
    assert isinstance(open_store(tmp_path, in_memory=in_memory), ox.Store)


def test_nothing_loaded_is_store_missing(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing, match="tdi-graph load"):
        open_store(tmp_path)
    assert build_id(tmp_path) is None


def test_up_to_date_compares_the_inputs(tmp_path: Path) -> None:
    source = tmp_path / "input.ttl"
    source.write_text("# one\n")
    store_dir = tmp_path / "store"
    assert up_to_date(store_dir, {"input": source}) is None
    write_build(store_dir, quads(4), inputs={"input": source})
    assert up_to_date(store_dir, {"input": source}) is not None
    source.write_text("# two\n")
    assert up_to_date(store_dir, {"input": source}) is None


# --- damage ------------------------------------------------------------------------------------


def _cut_at_line(build: Path) -> Path:
    snapshot = st._snapshot(build)
    lines = snapshot.read_bytes().splitlines(keepends=True)
    snapshot.write_bytes(b"".join(lines[:-3]))
    return snapshot


def _cut_mid_line(build: Path) -> Path:
    snapshot = st._snapshot(build)
    data = snapshot.read_bytes()
    snapshot.write_bytes(data[: len(data) // 2 + 7])
    return snapshot


def _cut_at_line_and_fix_the_checksum(build: Path) -> Path:
    """A snapshot cut at a line whose manifest was updated too: only the counts can tell."""
    snapshot = _cut_at_line(build)
    path = st._manifest_path(build)
    data = json.loads(path.read_text())
    data["snapshot"].update(size=snapshot.stat().st_size, sha256=st._sha256(snapshot))
    path.write_text(json.dumps(data))
    return snapshot


def _cut_mid_line_and_fix_the_checksum(build: Path) -> Path:
    """A snapshot cut mid-line whose manifest was updated too: the parser must tell."""
    snapshot = _cut_mid_line(build)
    path = st._manifest_path(build)
    data = json.loads(path.read_text())
    data["snapshot"].update(size=snapshot.stat().st_size, sha256=st._sha256(snapshot))
    path.write_text(json.dumps(data))
    return snapshot


def _flip_a_byte(build: Path) -> Path:
    snapshot = st._snapshot(build)
    data = bytearray(snapshot.read_bytes())
    data[len(data) // 2] ^= 0x20
    snapshot.write_bytes(bytes(data))
    return snapshot


def _largest_sst(build: Path) -> Path:
    return max(build.glob("*.sst"), key=lambda p: p.stat().st_size)


def _truncate_sst(build: Path) -> Path:
    sst = _largest_sst(build)
    with open(sst, "r+b") as out:
        out.truncate(sst.stat().st_size // 2)
    return sst


def _flip_a_byte_in_sst(build: Path) -> Path:
    sst = _largest_sst(build)
    data = bytearray(sst.read_bytes())
    data[len(data) // 3] ^= 0x01
    sst.write_bytes(bytes(data))
    return sst


def _cut_rocksdb_manifest_and_fix_the_checksums(build: Path) -> Path:
    """RocksDB opens a build whose MANIFEST file is cut as an empty store: the counts tell."""
    rocks = next(build.glob("MANIFEST-*"))
    rocks.write_bytes(rocks.read_bytes()[: rocks.stat().st_size // 2])
    path = st._manifest_path(build)
    data = json.loads(path.read_text())
    data["files"][rocks.name] = {"size": rocks.stat().st_size, "sha256": st._sha256(rocks)}
    path.write_text(json.dumps(data))
    return build


def _remove_sst(build: Path) -> Path:
    sst = _largest_sst(build)
    sst.unlink()
    return sst


def _remove_manifest(build: Path) -> Path:
    path = st._manifest_path(build)
    path.unlink()
    return path


def _corrupt_manifest(build: Path) -> Path:
    path = st._manifest_path(build)
    path.write_text(path.read_text()[:40])
    return path


def _remove_directory(build: Path) -> Path:
    shutil.rmtree(build)
    return build


IN_MEMORY_DAMAGE = [
    _cut_at_line,
    _cut_mid_line,
    _cut_at_line_and_fix_the_checksum,
    _cut_mid_line_and_fix_the_checksum,
    _flip_a_byte,
]
ANY_MODE_DAMAGE = [_truncate_sst, _remove_sst, _remove_manifest, _corrupt_manifest]
DAMAGE = [(d, True) for d in IN_MEMORY_DAMAGE + ANY_MODE_DAMAGE] + [
    (d, False)
    for d in ANY_MODE_DAMAGE
    + [_flip_a_byte_in_sst, _cut_rocksdb_manifest_and_fix_the_checksums, _remove_directory]
]
IDS = [f"{d.__name__.strip('_')}-{'memory' if m else 'disk'}" for d, m in DAMAGE]


@pytest.mark.parametrize(("damage", "in_memory"), DAMAGE, ids=IDS)
def test_a_damaged_build_is_refused_and_the_previous_one_serves(
    tmp_path: Path, damage, in_memory: bool, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = two_builds(tmp_path)
    damaged = damage(second)
    with caplog.at_level(logging.WARNING, logger="tdi_graph.store"):
        opened = open_build(tmp_path, in_memory=in_memory)
    assert opened.path == first and len(opened.store) == 10
    assert build_id(tmp_path) == first.name and served_build(tmp_path) == first
    (warning,) = [r.getMessage() for r in caplog.records]
    assert str(damaged) in warning and str(first) in warning
    assert current_build(tmp_path) in (second, None)  # the store is not rewritten by a reader


@pytest.mark.parametrize(("damage", "in_memory"), DAMAGE, ids=IDS)
def test_a_damaged_build_alone_is_a_one_line_error_naming_the_path(
    tmp_path: Path, damage, in_memory: bool
) -> None:
    build = write_build(tmp_path, quads(20))
    damaged = damage(build)
    with pytest.raises(BuildDamaged) as info:
        open_store(tmp_path, in_memory=in_memory)
    assert str(damaged) in info.value.message
    assert "\n" not in info.value.message


def test_a_reload_after_damage_serves_again(tmp_path: Path) -> None:
    build = write_build(tmp_path, quads(20))
    _truncate_sst(build)
    with pytest.raises(BuildDamaged):
        open_store(tmp_path)
    fresh = write_build(tmp_path, quads(8, "fresh"))
    assert open_build(tmp_path).path == fresh


# --- pruning and leases ------------------------------------------------------------------------


def test_pruning_keeps_the_current_and_one_previous_build(tmp_path: Path) -> None:
    first, second = two_builds(tmp_path)
    third = write_build(tmp_path, quads(5, "third"))
    assert not first.exists() and not st._snapshot(first).exists()
    assert not st._manifest_path(first).exists()
    assert second.is_dir() and current_build(tmp_path) == third
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("in_memory", [True, False])
def test_pruning_never_deletes_a_build_this_process_serves(tmp_path: Path, in_memory: bool) -> None:
    served = write_build(tmp_path, quads(10))
    store = open_store(tmp_path, in_memory=in_memory)
    for tag in "bcd":
        write_build(tmp_path, quads(5, tag))
    assert served.is_dir() and st._snapshot(served).is_file()
    assert len(store) == 10
    release(served)
    write_build(tmp_path, quads(5, "e"))
    assert not served.exists()


SERVER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tdi_graph.store import open_store
    store = open_store(Path(sys.argv[1]), in_memory=sys.argv[2] == "memory")
    print(len(store), flush=True)
    sys.stdin.readline()
    print(len(store), flush=True)
    """
)


@pytest.mark.parametrize("mode", ["memory", "disk"])
def test_pruning_never_deletes_a_build_another_process_serves(tmp_path: Path, mode: str) -> None:
    served = write_build(tmp_path, quads(10))
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tmp_path), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdin is not None
        assert server.stdout.readline().strip() == "10"
        for tag in "bcd":
            write_build(tmp_path, quads(5, tag))
        assert served.is_dir() and read_manifest(served).quads == 10
        server.stdin.write("\n")
        server.stdin.flush()
        assert server.stdout.readline().strip() == "10"  # still answering from its build
    finally:
        server.kill()
        server.wait()
    write_build(tmp_path, quads(5, "e"))
    assert not served.exists()


def test_the_last_good_build_is_kept_over_partial_ones(tmp_path: Path) -> None:
    good = write_build(tmp_path, quads(10))
    builds = tmp_path / "builds"
    for name in ("29990101T000000-1-1", "29990101T000000-1-2"):  # newer than any real build
        (builds / name).mkdir()
        (builds / name / "000009.sst").write_bytes(b"partial")
    (builds / "29990101T000000-1-3.nq").write_text("<a> <b> <c> .\n")
    (builds / "29990101T000000-1-4.manifest.json.tmp").write_text("{")
    new = write_build(tmp_path, quads(5, "new"))
    assert current_build(tmp_path) == new
    assert good.is_dir() and read_manifest(good).quads == 10
    assert leftovers(tmp_path) == []
    assert sorted(os.listdir(builds)) == sorted(
        f"{b.name}{suffix}" for b in (good, new) for suffix in ("", ".nq", ".manifest.json")
    )


def test_a_store_from_an_older_version_is_not_deleted_but_refused(tmp_path: Path) -> None:
    build = write_build(tmp_path, quads(10))
    st._manifest_path(build).unlink()
    assert clean(tmp_path) == []
    assert build.is_dir()
    with pytest.raises(BuildDamaged, match="no manifest"):
        open_store(tmp_path)


# --- killed loads ------------------------------------------------------------------------------

KILLED_LOAD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import pyoxigraph as ox
    from tdi_graph.store import write as store

    store_dir, phase, marker = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    graph = ox.NamedNode("https://example.org/graph/big")
    p = ox.NamedNode("https://example.org/p")

    def quads():
        for i in range(200_000 if phase == "bulk" else 30_000):
            if i == 10_000 and phase == "bulk":
                marker.touch()
            if i > 10_000 and phase == "bulk":
                time.sleep(0.001)
            yield ox.Quad(ox.NamedNode(f"https://example.org/s/{i}"), p, ox.Literal(i), graph)

    if phase == "publish":
        def stuck(*args):
            marker.touch()
            time.sleep(120)
        store._publish = stuck
    store.write_build(store_dir, quads())
    """
)


def _killed_load(store_dir: Path, phase: str, tmp_path: Path) -> None:
    """Run a load in a subprocess and SIGKILL it once it reached ``phase``."""
    marker = tmp_path / f"reached-{phase}"
    load = subprocess.Popen([sys.executable, "-c", KILLED_LOAD, str(store_dir), phase, str(marker)])
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert load.poll() is None, "the load ended before it was killed"
            assert time.monotonic() < deadline, f"the load never reached {phase}"
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        load.send_signal(signal.SIGKILL)
        load.wait()
    assert load.returncode == -signal.SIGKILL


@pytest.mark.parametrize("phase", ["bulk", "publish"])
@pytest.mark.parametrize("next_run", ["load", "serve"])
def test_a_killed_load_leaves_nothing_at_the_next_run(
    tmp_path: Path, phase: str, next_run: str
) -> None:
    store_dir = tmp_path / "store"
    good = write_build(store_dir, quads(10))
    _killed_load(store_dir, phase, tmp_path)
    left = leftovers(store_dir)
    assert left, "the kill left nothing to clean: the test did not test anything"
    if phase == "publish":
        assert any(name.endswith(".nq") for name in left)
    assert current_build(store_dir) == good
    if next_run == "load":
        new = write_build(store_dir, quads(5, "next"))
        assert current_build(store_dir) == new and good.is_dir()
    else:
        assert open_build(store_dir).path == good
    assert leftovers(store_dir) == []


# --- full disk, read-only directory ------------------------------------------------------------


@contextmanager
def _mounted(args: list[str], target: Path) -> Iterator[Path]:
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount {args} here: {done.stderr.strip() or done.returncode}")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (needs root, else the test is skipped)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    with _mounted(["-t", "tmpfs", "-o", "size=2m", "tmpfs"], tmp_path / "disk") as disk:
        yield disk


def big_quads(n: int = 40_000) -> Iterator[ox.Quad]:
    graph = ox.NamedNode(G1)
    for i in range(n):
        text = f"{i} " + "x" * 200
        yield ox.Quad(
            ox.NamedNode(f"https://example.org/{i}"), ox.NamedNode(G2), ox.Literal(text), graph
        )


def test_a_full_disk_is_a_one_line_error_and_the_old_build_serves(small_disk: Path) -> None:
    store_dir = small_disk / "store"
    good = write_build(store_dir, quads(10))
    with pytest.raises(StoreWriteFailed) as info:
        write_build(store_dir, big_quads())
    message = info.value.message
    assert str(store_dir) in message and "No space left on device" in message
    assert "\n" not in message
    assert current_build(store_dir) == good and leftovers(store_dir) == []
    assert len(open_store(store_dir)) == 10


@contextmanager
def read_only(directory: Path) -> Iterator[Path]:
    """``directory`` made read-only: a read-only bind mount as root, else ``chmod``."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [directory, *directory.rglob("*")] if p.is_dir()}
        for path in modes:
            path.chmod(0o555)
        try:
            yield directory
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    with _mounted(["--bind", str(directory)], directory):
        done = subprocess.run(
            ["mount", "-o", "remount,ro,bind", str(directory)], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only: {done.stderr.strip()}")
        yield directory


def test_a_read_only_store_cannot_be_loaded_but_serves(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    good = write_build(store_dir, quads(10))
    with read_only(store_dir):
        with pytest.raises(StoreWriteFailed) as info:
            write_build(store_dir, quads(5, "new"))
        assert str(store_dir) in info.value.message and "\n" not in info.value.message
        for in_memory in (True, False):
            opened = open_build(store_dir, in_memory=in_memory)
            assert opened.path == good and len(opened.store) == 10
            release(good)


# --- the command line --------------------------------------------------------------------------


def tdi(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The command line; a ``load`` converts the reference sample (what is tested here is how
    the build is written, and the sample's 10k quads fill the 2 MB disk as the real data does)."""
    env = {**os.environ, "TDI_STORE_IN_MEMORY": "true", "TDI_REFERENCE_DIR": str(SAMPLE)}
    return subprocess.run([*TDI, *args], capture_output=True, text=True, timeout=timeout, env=env)


@pytest.mark.parametrize(
    ("verb", "damage"),
    [
        ("serve", _cut_mid_line),
        ("serve", _truncate_sst),
        ("serve", _remove_manifest),
        ("query", _truncate_sst),  # `query` opens the disk build
        ("query", _remove_sst),
    ],
)
def test_cli_refuses_a_damaged_build_in_one_line(tmp_path: Path, verb: str, damage) -> None:
    damaged = damage(write_build(tmp_path, quads(10)))
    args = ["--port", "1"] if verb == "serve" else ["api-names"]
    done = tdi(verb, *args, "--store", str(tmp_path))
    assert done.returncode == 1
    assert str(damaged) in one_line(done.stderr)


def test_cli_serve_falls_back_to_the_previous_build_and_says_which(tmp_path: Path) -> None:
    first, second = two_builds(tmp_path)
    _truncate_sst(second)
    server = subprocess.Popen(
        [*TDI, "serve", "--store", str(tmp_path), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stderr is not None
        line = server.stderr.readline()
        assert "refused" in line and str(second) in line and str(first) in line
    finally:
        server.kill()
        server.wait()


def test_cli_load_on_a_full_disk_is_one_line(small_disk: Path) -> None:
    done = tdi("load", "--no-validate", "--store", str(small_disk / "store"))
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert str(small_disk) in line and "No space left on device" in line
    assert leftovers(small_disk / "store") == []


def test_cli_load_into_a_read_only_directory_is_one_line(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    store_dir.mkdir()
    with read_only(store_dir):
        done = tdi("load", "--no-validate", "--store", str(store_dir))
    assert done.returncode == 1
    assert str(store_dir) in one_line(done.stderr)


def test_cli_load_check_says_whether_the_build_is_current(tmp_path: Path) -> None:
    done = tdi("load", "--check", "--store", str(tmp_path))
    assert done.returncode == 3 and "tdi-graph load" in done.stdout


# --- a running server --------------------------------------------------------------------------


@pytest.mark.parametrize("in_memory", [True, False])
def test_loads_never_disturb_a_running_server(tmp_path: Path, in_memory: bool) -> None:
    """The app (its query workers reading the disk build, or the in-memory copy) keeps
    answering through three loads; with a damaged current build it serves the previous one."""
    from fastapi.testclient import TestClient
    from tdi_graph_api.app import create_app

    from tdi_graph.settings import Settings

    first, second = two_builds(tmp_path)
    _truncate_sst(second)
    settings = Settings(
        store=tmp_path, store_in_memory=in_memory, query_workers=1, query_timeout=10.0
    )
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    with TestClient(create_app(store_dir=tmp_path, settings=settings)) as client:

        def answer() -> str:
            got = client.get("/sparql", params={"query": count}, headers={"Accept": "text/csv"})
            assert got.status_code == 200, got.text
            return got.text.split()[-1]

        assert answer() == "10"  # the first build: the second is damaged
        for tag in "cde":
            write_build(tmp_path, quads(5, tag))
        assert first.is_dir() and answer() == "10"
    release(first)
