"""The on-disk Oxigraph store: atomic builds that prove themselves, and opening one for serving.

Layout of the store directory::

    STORE/current  -> builds/<id>        (a symlink, swapped atomically)
    STORE/builds/<id>/                   (one RocksDB store per successful load)
    STORE/builds/<id>.nq                 (its N-Quads snapshot, for fast in-memory serving)
    STORE/builds/<id>.manifest.json      (what was written: counts, checksums, inputs)

A load writes the RocksDB store and the snapshot, then the manifest (renamed into place: a build
without one is incomplete), and only then swaps ``current``: a failed or killed load never
touches the build that serves, and the next load (or serve) deletes what it left behind.

Opening a build verifies it against its manifest (file sizes, the snapshot's SHA-256, the
number of quads in each graph). A damaged build is refused with a one-line error naming the
path, and the newest good build serves instead if there is one.

A server holds a shared ``flock`` on the manifest of the build it serves (its query workers
inherit it); a load deletes an old build only when it can take that lock exclusively, so a
build in use is never deleted, in either store mode.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from tdi_graph import __version__
from tdi_graph.errors import BuildDamaged, DataError, StoreMissing, StoreWriteFailed

log = logging.getLogger(__name__)

KEEP_BUILDS = 2  # the current build and the newest previous good one (plus any in use)
MANIFEST_FORMAT = 1
_MANIFEST = ".manifest.json"
_SNAPSHOT = ".nq"
# RocksDB files that do not hold data and may change without harm (its info log, its lock).
_UNCHECKED = ("LOG", "LOCK")


# --- paths -------------------------------------------------------------------------------------


def _snapshot(build: Path) -> Path:
    return build.with_name(build.name + _SNAPSHOT)


def _manifest_path(build: Path) -> Path:
    return build.with_name(build.name + _MANIFEST)


def _build_name(entry: str) -> str:
    """The build an entry of ``builds/`` belongs to: ``<id>``, ``<id>.nq``, ``<id>.manifest...``."""
    for suffix in (_MANIFEST + ".tmp", _MANIFEST, _SNAPSHOT):
        if entry.endswith(suffix):
            return entry[: -len(suffix)]
    return entry


def current_build(store_dir: Path) -> Path | None:
    """The directory of the build that ``current`` names, or ``None`` if nothing was loaded."""
    link = store_dir / "current"
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if target.is_dir() else None


def loaded(store_dir: Path) -> bool:
    """Whether a load ever completed here (even if its build was damaged since)."""
    return (store_dir / "current").is_symlink() or bool(_complete_builds(store_dir))


def _current_target(store_dir: Path) -> Path | None:
    """Where ``current`` points, whether or not that build still exists."""
    link = store_dir / "current"
    try:
        return (store_dir / os.readlink(link)).resolve() if link.is_symlink() else None
    except OSError:
        return None


def _complete_builds(store_dir: Path) -> list[Path]:
    """Builds with a manifest, newest first."""
    builds = store_dir / "builds"
    try:
        names = os.listdir(builds)
    except OSError:
        return []
    done = sorted((n[: -len(_MANIFEST)] for n in names if n.endswith(_MANIFEST)), reverse=True)
    return [builds / n for n in done]


# --- manifests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    """What a build holds, written when it is complete and checked whenever it is opened."""

    build: str
    created: str
    version: str
    quads: int
    graphs: dict[str, int]  # graph IRI ("" for the default graph) -> quads
    snapshot: dict[str, Any]  # name, size, sha256
    files: dict[str, dict[str, Any]]  # RocksDB file name -> size, sha256
    inputs: dict[str, str]  # input name -> sha256 (with "code": the package's sources)

    def to_json(self) -> str:
        data = {"format": MANIFEST_FORMAT, **self.__dict__}
        return json.dumps(data, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"not a format-{MANIFEST_FORMAT} manifest")
        fields = cls.__dataclass_fields__
        missing = [name for name in fields if name not in data]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        return cls(**{name: data[name] for name in fields})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _code_digest() -> str:
    """One hash over the package's Python sources: a code change is a change of input."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def input_hashes(inputs: Mapping[str, Path]) -> dict[str, str]:
    """SHA-256 of each input file by name, plus ``code`` (the package's own sources)."""
    hashes = {}
    for name, path in sorted(inputs.items()):
        try:
            hashes[name] = _sha256(path)
        except OSError as exc:
            raise DataError(f"{path}: {exc.strerror or exc}") from None
    hashes["code"] = _code_digest()
    return hashes


def _rocksdb_files(build: Path, *, checksums: bool) -> dict[str, dict[str, Any]]:
    files = {}
    for name in sorted(os.listdir(build)):
        path = build / name
        if name.startswith(_UNCHECKED) or not path.is_file():
            continue
        entry: dict[str, Any] = {"size": path.stat().st_size}
        if checksums:
            entry["sha256"] = _sha256(path)
        files[name] = entry
    return files


def _counts(store: ox.Store) -> tuple[int, dict[str, int]]:
    graphs = graph_sizes(store)
    default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if default:
        graphs[""] = default
    return sum(graphs.values()), graphs


def read_manifest(build: Path) -> Manifest:
    """The manifest of ``build``; :class:`BuildDamaged` if it is missing or unreadable."""
    path = _manifest_path(build)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildDamaged(
            f"{path}: no manifest (an interrupted load or an older tdi-graph): run `tdi-graph load`"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildDamaged(f"{path}: unreadable manifest: {_reason(exc)}") from None
    try:
        return Manifest.from_json(text)
    except (ValueError, TypeError) as exc:
        raise BuildDamaged(f"{path}: corrupt manifest: {_reason(exc)}") from None


# --- writing -----------------------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    """One line saying why, from an ``OSError`` (or anything pyoxigraph raises)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


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
    quads: Iterable[ox.Quad],
    *,
    inputs: Mapping[str, Path] | None = None,
    files: Mapping[str, Path] | None = None,
) -> Path:
    """Bulk-load ``quads`` into a new build, then make it current. Returns the build directory.

    ``inputs`` (name -> file) are hashed into the manifest, for :func:`up_to_date`; ``files``
    (relative path in the build -> file) are copied into the build before it becomes current
    (the documents' texts, :mod:`tdi_graph.texts`). If anything
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
            manifest = _write(build, quads, hashes)
            for name, source in (files or {}).items():
                target = build / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            _publish(store_dir, build, manifest)
        except BaseException as exc:
            _remove(build)
            if isinstance(exc, OSError):
                where = exc.filename or build
                raise StoreWriteFailed(f"{where}: cannot write the build: {_reason(exc)}") from None
            raise
        _prune(store_dir, keep=build)
        return build


def _write(build: Path, quads: Iterable[ox.Quad], inputs: dict[str, str]) -> Manifest:
    store = ox.Store(str(build))
    snapshot = _snapshot(build)
    try:
        store.bulk_extend(quads)
        store.flush()
        store.optimize()
        total, graphs = _counts(store)
        store.dump(str(snapshot), format=ox.RdfFormat.N_QUADS)
    finally:
        del store  # closes RocksDB (even on failure, before the build is deleted)
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


# --- opening -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedBuild:
    """A verified build opened for serving (``store`` is what :func:`open_store` returns)."""

    store: ox.Store
    path: Path
    manifest: Manifest
    in_memory: bool

    @property
    def build_id(self) -> str:
        return self.manifest.build


_LEASES: dict[Path, int] = {}  # build -> descriptor holding a shared flock on its manifest
_SERVED: dict[Path, OpenedBuild] = {}  # store directory -> the build this process opened


def _lease(build: Path) -> bool:
    """Hold a shared lock on the build's manifest for the life of the process (and its forks),
    so that no load deletes it. ``False`` if the build is gone or being deleted."""
    if build in _LEASES:
        return True
    path = _manifest_path(build)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise BuildDamaged(f"{path}: unreadable manifest: {_reason(exc)}") from None
    fcntl.flock(fd, fcntl.LOCK_SH)  # waits while a load deletes this build
    try:
        same = os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        same = False
    if not same:
        os.close(fd)
        return False
    _LEASES[build] = fd
    return True


def release(build: Path) -> None:
    """Let loads delete ``build`` again (this process no longer serves it)."""
    fd = _LEASES.pop(build, None)
    if fd is not None:
        os.close(fd)
    for store_dir, opened in list(_SERVED.items()):
        if opened.path == build:
            del _SERVED[store_dir]


def verify(build: Path, *, in_memory: bool = True) -> OpenedBuild:
    """Open ``build`` and check it against its manifest; :class:`BuildDamaged` if it differs.

    Always the RocksDB files' names and sizes; in memory, the snapshot's size and SHA-256; on
    disk, the RocksDB files' SHA-256; then the number of quads in each graph once opened.
    """
    try:
        return _verify(build, in_memory=in_memory)
    except OSError as exc:  # unreadable files (permissions, I/O errors)
        where = exc.filename or build
        raise BuildDamaged(f"{where}: cannot read: {_reason(exc)}") from None


def _verify(build: Path, *, in_memory: bool) -> OpenedBuild:
    manifest = read_manifest(build)
    if not build.is_dir():
        raise BuildDamaged(f"{build}: the build directory is missing")
    found = _rocksdb_files(build, checksums=False)
    for name, entry in manifest.files.items():
        size = found.get(name, {}).get("size")
        if size is None:
            raise BuildDamaged(f"{build / name}: missing (the manifest lists it)")
        if size != entry["size"]:
            raise BuildDamaged(
                f"{build / name}: {size:,} bytes, the manifest says {entry['size']:,} (truncated?)"
            )
    extra = sorted(set(found) - set(manifest.files))
    if extra:
        raise BuildDamaged(f"{build / extra[0]}: not in the manifest")
    if not in_memory:  # the files that will serve: their checksums too (~0.2 s for 64 MB)
        for name, entry in manifest.files.items():
            if _sha256(build / name) != entry.get("sha256"):
                raise BuildDamaged(f"{build / name}: SHA-256 differs from the manifest (corrupt)")
    if in_memory:
        store = _load_snapshot(build, manifest)
        where = _snapshot(build)
    else:
        try:
            store = ox.Store.read_only(str(build))
        except (OSError, RuntimeError) as exc:  # RocksDB reports corruption as RuntimeError
            raise BuildDamaged(f"{build}: cannot open: {_reason(exc)}") from None
        where = build
    try:
        total, graphs = _counts(store)
    except (OSError, RuntimeError) as exc:
        raise BuildDamaged(f"{where}: cannot read: {_reason(exc)}") from None
    if graphs != manifest.graphs or total != manifest.quads:
        diff = sorted(set(graphs.items()) ^ set(manifest.graphs.items()))
        graph = diff[0][0] if diff else ""
        raise BuildDamaged(
            f"{where}: graph <{graph}> holds {graphs.get(graph, 0):,} quads, "
            f"the manifest says {manifest.graphs.get(graph, 0):,} (data missing)"
        )
    return OpenedBuild(store, build, manifest, in_memory)


def _load_snapshot(build: Path, manifest: Manifest) -> ox.Store:
    snapshot = _snapshot(build)
    try:
        size = snapshot.stat().st_size
    except FileNotFoundError:
        raise BuildDamaged(f"{snapshot}: the snapshot is missing") from None
    expected = manifest.snapshot.get("size")
    if size != expected:
        raise BuildDamaged(
            f"{snapshot}: {size:,} bytes, the manifest says {expected:,} (truncated?)"
        )
    try:
        if _sha256(snapshot) != manifest.snapshot.get("sha256"):
            raise BuildDamaged(f"{snapshot}: SHA-256 differs from the manifest (corrupt)")
        memory = ox.Store()
        memory.bulk_load(path=str(snapshot), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise BuildDamaged(f"{snapshot}:{exc.lineno}: corrupt snapshot: {exc.msg}") from None
    except OSError as exc:
        raise BuildDamaged(f"{snapshot}: cannot read: {_reason(exc)}") from None
    return memory


def open_build(store_dir: Path, *, in_memory: bool = True) -> OpenedBuild:
    """Open and verify the current build, or else the newest good one (logged as a warning).

    :class:`StoreMissing` if nothing was ever loaded; :class:`BuildDamaged` (naming the path)
    if no build passes its checks. Incomplete builds left by killed loads are cleaned first.
    """
    if not loaded(store_dir):
        raise StoreMissing(f"no store at {store_dir}: run `tdi-graph load` first")
    clean(store_dir)
    current = _current_target(store_dir)
    candidates = [current] if current is not None else []
    candidates += [b for b in _complete_builds(store_dir) if b != current]
    refused: list[str] = []
    for build in candidates:
        fresh = build not in _LEASES  # else an earlier open of this process still uses it
        try:
            if not _lease(build):
                read_manifest(build)  # raises: no manifest
                raise BuildDamaged(f"{_manifest_path(build)}: deleted while opening it")
            opened = verify(build, in_memory=in_memory)
        except BuildDamaged as exc:
            if fresh:
                release(build)
            refused.append(exc.message)
            continue
        if refused:
            log.warning("refused %s; serving the previous good build %s", refused[0], build)
        _SERVED[store_dir.resolve()] = opened
        return opened
    if not refused:
        raise StoreMissing(f"no store at {store_dir}: run `tdi-graph load` first")
    others = len(refused) - 1
    tail = f" (and {others} other build(s) refused)" if others else " (no other good build)"
    raise BuildDamaged(refused[0] + tail)


def open_store(store_dir: Path, *, in_memory: bool = True) -> ox.Store:
    """Open the current build, verified; with ``in_memory`` copy it into an in-memory store.

    See :func:`open_build` for what happens when it is damaged.
    """
    return open_build(store_dir, in_memory=in_memory).store


def served_build(store_dir: Path) -> Path | None:
    """The build this process opened from ``store_dir`` (else the current one)."""
    opened = _SERVED.get(store_dir.resolve())
    return opened.path if opened else current_build(store_dir)


def build_id(store_dir: Path) -> str | None:
    """The id of the build this process serves from ``store_dir`` (else of the current build),
    for ``ETag`` / ``X-Build`` headers; ``None`` if there is none with a manifest."""
    opened = _SERVED.get(store_dir.resolve())
    if opened is not None:
        return opened.build_id
    build = current_build(store_dir)
    if build is None:
        return None
    try:
        return read_manifest(build).build
    except BuildDamaged:
        return None


def up_to_date(store_dir: Path, inputs: Mapping[str, Path]) -> Manifest | None:
    """The current build's manifest if it was built from exactly these inputs (and this code),
    with every file of the size it lists; else ``None``."""
    build = current_build(store_dir)
    if build is None:
        return None
    try:
        manifest = read_manifest(build)
    except BuildDamaged:
        return None
    if manifest.inputs != input_hashes(inputs):
        return None
    found = _rocksdb_files(build, checksums=False)
    sizes = {name: entry["size"] for name, entry in manifest.files.items()}
    snapshot = _snapshot(build)
    if {n: e["size"] for n, e in found.items()} != sizes or not snapshot.is_file():
        return None
    return manifest if snapshot.stat().st_size == manifest.snapshot["size"] else None


def graph_sizes(store: ox.Store) -> dict[str, int]:
    """Number of quads in each named graph, by graph IRI."""
    rows = store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    )
    return {row["g"].value: int(row["n"].value) for row in rows}
