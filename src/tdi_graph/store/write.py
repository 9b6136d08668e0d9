"""Writing builds: one load at a time, atomic publication, cleaning and pruning old builds."""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from tdi_graph import __version__
from tdi_graph.beside import Beside
from tdi_graph.errors import DataError, StoreWriteFailed
from tdi_graph.store.manifest import (
    _DERIVED,
    _MANIFEST,
    KEEP_BUILDS,
    Manifest,
    _build_name,
    _complete_builds,
    _counts,
    _current_target,
    _manifest_path,
    _reason,
    _rocksdb_files,
    _sha256,
    _snapshot,
    input_hashes,
)

log = logging.getLogger(__name__)

Derive = Callable[[ox.Store, Path], object]


@contextmanager
def _exclusive(store_dir: Path) -> Iterator[None]:
    """The store's load lock (loads run one at a time); :class:`DataError` if it is taken."""
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        lock = open(store_dir / ".lock", "a")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise StoreWriteFailed(f"{store_dir}: cannot write the store: {_reason(exc)}") from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise DataError(f"{store_dir}: another load is running") from exc
        yield


def write_build(
    store_dir: Path,
    quads: Sequence[ox.Quad],
    *,
    inputs: Mapping[str, Path] | None = None,
    files: Mapping[str, Path] | None = None,
    derive: Derive | None = None,
    ready: Callable[[], object] | None = None,
    steps: dict[str, float] | None = None,
) -> Path:
    """Bulk-load ``quads`` into a new build, then make it current. Returns the build directory.

    ``inputs`` (name -> file) are hashed into the manifest, for :func:`up_to_date`; ``files``
    (relative path in the build -> file) are copied into the build before it becomes current
    (the documents' texts, :mod:`tdi_graph.texts`); ``derive(store, build)`` keeps beside the
    build what is computed from it (:mod:`tdi_graph.derived`): it runs in a forked process on
    an in-memory store of ``quads`` while they are written (:func:`_derive_beside`), and
    the manifest is written once it is done; ``ready()`` is called last, before the build
    becomes current (an exception there abandons it: a validation running beside the write).
    ``steps``, if given, receives the seconds of the bulk load, of the derivation beside it and
    of the wait for the derivation once the store is written. If anything
    fails before the swap, the new build is deleted and ``current`` is untouched; a disk that is
    full or read-only is a :class:`StoreWriteFailed` naming the path.
    """
    hashes = input_hashes(inputs or {})
    with _exclusive(store_dir):
        _clean(store_dir)
        builds = store_dir / "builds"
        build = builds / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
        try:
            builds.mkdir(parents=True, exist_ok=True)
            manifest = _write(build, quads, hashes, derive, steps)
            for name, source in (files or {}).items():
                target = build / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            if ready is not None:
                ready()
            _publish(store_dir, build, manifest)
        except BaseException as exc:
            _remove(build)
            if isinstance(exc, OSError):
                where = exc.filename or build
                raise StoreWriteFailed(f"{where}: cannot write the build: {_reason(exc)}") from None
            raise
        _prune(store_dir, keep=build)
        return build


def _write(
    build: Path,
    quads: Sequence[ox.Quad],
    inputs: dict[str, str],
    derive: Derive | None = None,
    steps: dict[str, float] | None = None,
) -> Manifest:
    # forked before RocksDB opens: the child inherits none of its threads
    beside = _derive_beside(derive, quads, build) if derive is not None else None
    started = time.perf_counter()
    try:
        store = ox.Store(str(build))
        snapshot = _snapshot(build)
        try:
            with open(snapshot, "wb") as out:
                store.bulk_extend(_copied(quads, out))
            store.flush()
            store.optimize()
            total, graphs = _counts(store)
        finally:
            del store  # closes RocksDB (even on failure, before the build is deleted)
        written = time.perf_counter()
        derived = beside.result() if beside is not None else None
        if steps is not None:
            steps["write store (bulk load)"] = written - started
            if derived is not None:
                steps["read model, beside the write"] = derived
                steps["waiting for the read model"] = time.perf_counter() - written
    finally:
        if beside is not None:
            beside.cancel()
    return Manifest(
        build=build.name,
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        version=__version__,
        quads=total,
        graphs=graphs,
        snapshot={
            "name": snapshot.name,
            "size": snapshot.stat().st_size,
            "sha256": _sha256(snapshot),
        },
        files=_rocksdb_files(build, checksums=True),
        inputs=inputs,
    )


def _derive_beside(derive: Derive, quads: Sequence[ox.Quad], build: Path) -> Beside[float]:
    """``derive`` run in a forked process on an in-memory store of ``quads`` (shared with this
    one copy-on-write): the read model of the real graph took 9.1 s read back from the RocksDB
    store after the 6.8 s write; from memory it takes ~4 s plus ~1.2 s to fill, on the second
    core while this one writes. Its seconds are the answer."""
    return Beside(
        "the read model could not be computed", _fill_and_derive, derive, quads, build, start="fork"
    )


def _fill_and_derive(derive: Derive, quads: Sequence[ox.Quad], build: Path) -> float:
    started = time.perf_counter()
    memory = ox.Store()
    memory.bulk_extend(quads)
    derive(memory, build)
    return time.perf_counter() - started


SNAPSHOT_CHUNK = 100_000
"""Quads serialized to the snapshot at a time, as they stream into the store."""


def _copied(quads: Iterable[ox.Quad], out: IO[bytes]) -> Iterator[ox.Quad]:
    """``quads``, each chunk also written to ``out`` as N-Quads: the build's snapshot.

    Serializing the quads as they stream by costs ~0.2 s for the real graph, where dumping the
    filled RocksDB store took ~3.5 s. A quad given twice is written twice (the store keeps one):
    the snapshot is the same dataset, and loading it keeps one too.
    """
    batch: list[ox.Quad] = []
    for quad in quads:
        batch.append(quad)
        if len(batch) == SNAPSHOT_CHUNK:
            ox.serialize(batch, output=out, format=ox.RdfFormat.N_QUADS)
            yield from batch
            batch = []
    ox.serialize(batch, output=out, format=ox.RdfFormat.N_QUADS)
    yield from batch


def _publish(store_dir: Path, build: Path, manifest: Manifest) -> None:
    """Write the manifest (the build is complete from then on), then swap ``current``."""
    path = _manifest_path(build)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        out.write(manifest.to_json())
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    tmp_link = store_dir / f".current-{os.getpid()}"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    tmp_link.symlink_to(build.relative_to(store_dir))
    os.replace(tmp_link, store_dir / "current")


def _remove(build: Path) -> None:
    """Delete every file of a build, its manifest first (so that a half-deleted one is
    incomplete, and cleaned by the next run)."""
    for path in (_manifest_path(build), build.with_name(build.name + _MANIFEST + ".tmp")):
        with suppress(OSError):
            path.unlink(missing_ok=True)
    shutil.rmtree(build, ignore_errors=True)
    with suppress(OSError):
        _snapshot(build).unlink(missing_ok=True)
    for derived in build.parent.glob(build.name + _DERIVED + "*"):
        with suppress(OSError):
            derived.unlink(missing_ok=True)


def _clean(store_dir: Path) -> list[str]:
    """Delete incomplete builds (no manifest: a failed or killed load). Needs the load lock.

    ``current`` is never deleted, even without a manifest (a store from an older tdi-graph).
    """
    builds = store_dir / "builds"
    try:
        names = os.listdir(builds)
    except OSError:
        names = []
    current = _current_target(store_dir)
    complete = {n[: -len(_MANIFEST)] for n in names if n.endswith(_MANIFEST)}
    removed = sorted({_build_name(n) for n in names} - complete - {current and current.name})
    for name in removed:
        _remove(builds / name)
        log.info("removed the incomplete build %s", builds / name)
    for link in store_dir.glob(".current-*"):
        link.unlink(missing_ok=True)
    return removed


def clean(store_dir: Path) -> list[str]:
    """Delete what failed or killed loads left behind, unless a load runs or the store is
    read-only (then nothing is done). Returns the names of the builds deleted."""
    try:
        with _exclusive(store_dir):
            return _clean(store_dir)
    except (DataError, StoreWriteFailed, OSError):
        return []


def _prune(store_dir: Path, keep: Path) -> None:
    """Delete old complete builds beyond :data:`KEEP_BUILDS`, except those a server uses."""
    olds = [b for b in _complete_builds(store_dir) if b != keep]
    for old in olds[KEEP_BUILDS - 1 :]:
        try:
            fd = os.open(_manifest_path(old), os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("kept %s: a server is using it", old)
            os.close(fd)
            continue
        try:
            _remove(old)
        finally:
            os.close(fd)
