"""Opening a build for serving: verified against its manifest, leased while it serves."""

from __future__ import annotations

import fcntl
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from tdi_graph.errors import BuildDamaged, StoreMissing
from tdi_graph.store.manifest import (
    Manifest,
    _complete_builds,
    _counts,
    _current_target,
    _manifest_path,
    _reason,
    _rocksdb_files,
    _sha256,
    _snapshot,
    current_build,
    loaded,
    read_manifest,
)
from tdi_graph.store.write import clean

log = logging.getLogger(__name__)


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

    Always the RocksDB files' names and sizes; in memory, the snapshot's size and SHA-256, then
    the number of quads parsed; on disk, the RocksDB files' SHA-256, then the number of quads
    in each graph once opened.
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
        return OpenedBuild(store, build, manifest, in_memory)
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
    memory = ox.Store()
    # The SHA-256 is computed in a thread while the store parses the same file (both release
    # the GIL): start-up pays for the longer of the two, not their sum.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(_sha256, snapshot)
        try:
            # lenient: no IRI or language-tag validation (~20 % of the parse). The snapshot is
            # what oxigraph wrote from valid data, byte for byte (its SHA-256 is checked); a
            # syntax error still fails, and the number of quads is checked all the same.
            memory.bulk_load(path=str(snapshot), format=ox.RdfFormat.N_QUADS, lenient=True)
            parsed: BaseException | None = None
        except (SyntaxError, OSError) as exc:
            parsed = exc
        try:
            same = digest.result() == manifest.snapshot.get("sha256")
        except OSError as exc:
            raise BuildDamaged(f"{snapshot}: cannot read: {_reason(exc)}") from None
    if not same:  # checked first: a corrupt file explains a syntax error, not the reverse
        raise BuildDamaged(f"{snapshot}: SHA-256 differs from the manifest (corrupt)")
    if isinstance(parsed, SyntaxError):
        raise BuildDamaged(f"{snapshot}:{parsed.lineno}: corrupt snapshot: {parsed.msg}")
    if isinstance(parsed, OSError):
        raise BuildDamaged(f"{snapshot}: cannot read: {_reason(parsed)}")
    # The bytes are the manifest's, so the per-graph counts (0.2 s) would only re-check the
    # parser: the total (a constant-time length) catches a parse that stopped short.
    if len(memory) != manifest.quads:
        raise BuildDamaged(
            f"{snapshot}: {len(memory):,} quads parsed, the manifest says "
            f"{manifest.quads:,} (data missing)"
        )
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
