"""A build's files and its manifest: where they live, what they hold, how they are hashed.

See :mod:`tdi_graph.store` for the layout of the store directory.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from tdi_graph.errors import BuildDamaged, DataError

KEEP_BUILDS = 2  # the current build and the newest previous good one (plus any in use)
MANIFEST_FORMAT = 1
_MANIFEST = ".manifest.json"
_SNAPSHOT = ".nq"
_DERIVED = ".derived"  # the read model computed from it (tdi_graph.derived)
# RocksDB files that do not hold data and may change without harm (its info log, its lock).
_UNCHECKED = ("LOG", "LOCK")


# --- paths -------------------------------------------------------------------------------------


def _snapshot(build: Path) -> Path:
    return build.with_name(build.name + _SNAPSHOT)


def _manifest_path(build: Path) -> Path:
    return build.with_name(build.name + _MANIFEST)


def derived_path(build: Path) -> Path:
    """Where the read model computed from ``build`` is kept (:mod:`tdi_graph.derived`)."""
    return build.with_name(build.name + _DERIVED)


def _build_name(entry: str) -> str:
    """The build an entry of ``builds/`` belongs to: ``<id>``, ``<id>.nq``, ``<id>.manifest...``,
    ``<id>.derived`` (and its temporary files, ``<id>.derived.<pid>.tmp``)."""
    if _DERIVED + "." in entry:
        return entry[: entry.index(_DERIVED + ".")]
    for suffix in (_MANIFEST + ".tmp", _MANIFEST, _SNAPSHOT, _DERIVED):
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


def code_digest() -> str:
    """One hash over the package's Python sources: a code change is a change of input."""
    package = Path(__file__).parent.parent
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
    hashes["code"] = code_digest()
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


def _reason(exc: BaseException) -> str:
    """One line saying why, from an ``OSError`` (or anything pyoxigraph raises)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


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
    assert isinstance(rows, ox.QuerySolutions)
    return {row["g"].value: int(row["n"].value) for row in rows}
