"""The on-disk Oxigraph store: atomic builds, and opening it for serving.

Layout of the store directory::

    STORE/current  -> builds/<stamp>   (a symlink, swapped atomically)
    STORE/builds/<stamp>/              (one RocksDB store per successful load)
    STORE/builds/<stamp>.nq            (its N-Quads snapshot, for fast in-memory serving)

A load writes a new build and only then swaps ``current``: a failed load never touches
the store that is serving.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from tdi_graph.errors import DataError, StoreMissing

KEEP_BUILDS = 2


def current_build(store_dir: Path) -> Path | None:
    """The directory of the build that serves, or ``None`` if nothing was loaded yet."""
    link = store_dir / "current"
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


@contextmanager
def _exclusive(store_dir: Path) -> Iterator[None]:
    store_dir.mkdir(parents=True, exist_ok=True)
    with open(store_dir / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise DataError(f"{store_dir}: another load is running") from exc
        yield


def write_build(store_dir: Path, quads: Iterable[ox.Quad]) -> Path:
    """Bulk-load ``quads`` into a new build, then make it current. Returns the build directory.

    If anything fails before the swap, the new build is deleted and ``current`` is untouched.
    """
    with _exclusive(store_dir):
        builds = store_dir / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        build = builds / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
        try:
            store = ox.Store(str(build))
            store.bulk_extend(quads)
            store.flush()
            store.optimize()
            store.dump(str(_snapshot(build)), format=ox.RdfFormat.N_QUADS)
            del store
            tmp_link = store_dir / f".current-{os.getpid()}"
            if tmp_link.is_symlink():
                tmp_link.unlink()
            tmp_link.symlink_to(build.relative_to(store_dir))
            os.replace(tmp_link, store_dir / "current")
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            _snapshot(build).unlink(missing_ok=True)
            raise
        _prune(builds, keep=build)
        return build


def _snapshot(build: Path) -> Path:
    return build.with_name(build.name + ".nq")


def _prune(builds: Path, keep: Path) -> None:
    """Delete old builds, keeping the newest few (a running server may still read one)."""
    olds = sorted((p for p in builds.iterdir() if p.is_dir() and p != keep), reverse=True)
    for old in olds[KEEP_BUILDS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
        _snapshot(old).unlink(missing_ok=True)


def open_store(store_dir: Path, *, in_memory: bool = True) -> ox.Store:
    """Open the current build read-only; with ``in_memory`` copy it into an in-memory store."""
    build = current_build(store_dir)
    if build is None:
        raise StoreMissing(f"no store at {store_dir}: run `tdi-graph load` first")
    if not in_memory:
        return ox.Store.read_only(str(build))
    memory = ox.Store()
    snapshot = _snapshot(build)
    if snapshot.is_file():
        memory.bulk_load(path=str(snapshot), format=ox.RdfFormat.N_QUADS)
    else:
        memory.bulk_extend(ox.Store.read_only(str(build)).quads_for_pattern(None, None, None, None))
    return memory


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """Number of quads in each named graph, by graph IRI."""
    rows = store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    )
    return {row["g"].value: int(row["n"].value) for row in rows}
