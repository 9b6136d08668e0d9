"""Dumps of the whole dataset (``tdi-graph dump``), for download and citation.

A dump is a folder named after the version and the build::

    tdi-graph-<version>-<build>/
      tdi-graph.nq.gz        every named graph, N-Quads
      tdi-graph.trig.gz      the same, TriG (prefixes declared)
      tdi-graph.jsonld.gz    the same, JSON-LD: one node object per graph, CURIEs of the
                             published context (embedded, and in context.jsonld)
      graphs/<name>.ttl.gz   one Turtle file per named graph
      tables/<name>.csv      flat tables a spreadsheet opens (the ``dump-*`` named queries)
      context.jsonld         the JSON-LD context (as served at /context.jsonld)
      CHANGELOG.md           what changed in the data, release by release (data/CHANGELOG.md)
      manifest.json          version, build, date, quads per graph, every file's size and SHA-256
      SHA256SUMS             the checksums, in the format ``sha256sum -c`` reads

Everything is written into a temporary folder that is renamed at the end: a failed dump
leaves no half-written folder behind.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import orjson
import pyoxigraph as ox

from tdi_graph import __version__, queries
from tdi_graph.namespaces import PREFIXES
from tdi_graph.resources import data_dir
from tdi_graph.store import graph_sizes
from tdi_graph.view import graph_name
from tdi_graph.view.linked_data import jsonld, jsonld_context

#: the tables of a dump: file name -> named query
TABLES = {
    "signatures": "dump-signatures",
    "commitments": "dump-commitments",
    "actors": "dump-actors",
    "events": "dump-events",
    "territories": "dump-territories",
    "facts": "dump-facts",
}
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Dump:
    """A written dump: its folder and its manifest."""

    path: Path
    manifest: dict[str, Any]


def sha256(path: Path) -> str:
    """The SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def dump_name(build: str | None) -> str:
    """The folder name of the dump of ``build`` (``tdi-graph-0.2.0-<build>``)."""
    return f"tdi-graph-{__version__}" + (f"-{build}" if build else "")


def _graphs(store: ox.Store) -> list[ox.NamedNode]:
    return sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value
    )


def _write_rdf(store: ox.Store, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode | None) -> None:
    with gzip.open(path, "wb", compresslevel=6) as out:
        if graph is None:
            store.dump(
                cast(IO[bytes], out),
                format=fmt,
                prefixes=PREFIXES if fmt is ox.RdfFormat.TRIG else None,
            )
        else:
            store.dump(cast(IO[bytes], out), format=fmt, from_graph=graph, prefixes=PREFIXES)


def _write_jsonld(store: ox.Store, path: Path, graphs: Iterable[ox.NamedNode]) -> None:
    """Compact JSON-LD with named graphs: ``{"@context", "@graph": [{"@id": g, "@graph"}]}``."""
    context = jsonld_context()["@context"]
    with gzip.open(path, "wb", compresslevel=6) as out:
        out.write(b'{"@context":' + orjson.dumps(context) + b',"@graph":[')
        for number, graph in enumerate(graphs):
            triples = (q.triple for q in store.quads_for_pattern(None, None, None, graph))
            nodes = jsonld(triples, context)["@graph"]
            out.write(
                (b"," if number else b"") + orjson.dumps({"@id": graph.value, "@graph": nodes})
            )
        out.write(b"]}")


def _write_table(store: ox.Store, path: Path, name: str) -> int:
    """Write the named query ``name`` as CSV; returns its number of rows."""
    answer = queries.run(store, queries.get_query(name), {})
    assert isinstance(answer, ox.QuerySolutions)
    data = answer.serialize(format=ox.QueryResultsFormat.CSV)
    path.write_bytes(data or b"")
    return max(data.count(b"\r\n") - 1, 0) if data else 0


def dump(store: ox.Store, out_dir: Path, build: str | None = None) -> Dump:
    """Write the dump of ``store`` under ``out_dir``; returns it (replaces an older copy)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / dump_name(build)
    work = out_dir / f".{final.name}.{os.getpid()}.tmp"
    shutil.rmtree(work, ignore_errors=True)
    (work / "graphs").mkdir(parents=True)
    (work / "tables").mkdir()
    try:
        graphs = _graphs(store)
        _write_rdf(store, work / "tdi-graph.nq.gz", ox.RdfFormat.N_QUADS, None)
        _write_rdf(store, work / "tdi-graph.trig.gz", ox.RdfFormat.TRIG, None)
        _write_jsonld(store, work / "tdi-graph.jsonld.gz", graphs)
        files = {}
        for graph in graphs:
            name = graph_name(graph.value)
            target = work / "graphs" / f"{name.replace('/', '--')}.ttl.gz"
            _write_rdf(store, target, ox.RdfFormat.TURTLE, graph)
            files[target.relative_to(work).as_posix()] = graph.value
        rows = {t: _write_table(store, work / "tables" / f"{t}.csv", q) for t, q in TABLES.items()}
        changelog = data_dir() / "CHANGELOG.md"
        if changelog.is_file():
            shutil.copyfile(changelog, work / "CHANGELOG.md")
        (work / "context.jsonld").write_bytes(
            orjson.dumps(jsonld_context(), option=orjson.OPT_INDENT_2)
        )
        manifest = _manifest(store, work, build, files, rows)
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        (work / CHECKSUMS).write_text(
            "".join(f"{f['sha256']}  {f['path']}\n" for f in manifest["files"])
        )
        if final.exists():
            shutil.rmtree(final)
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Dump(final, manifest)


def _manifest(
    store: ox.Store, work: Path, build: str | None, graphs: dict[str, str], rows: dict[str, int]
) -> dict[str, Any]:
    sizes = graph_sizes(store)
    listed = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    return {
        "title": "tdi-graph: the Territoires d'industrie knowledge graph",
        "version": __version__,
        "build": build,
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "quads": sum(sizes.values()),
        "graphs": [{"graph": g, "quads": n} for g, n in sorted(sizes.items())],
        "tables": [{"table": t, "rows": n} for t, n in rows.items()],
        "licence": "Licence Ouverte 2.0 (Etalab); code MIT",
        "files": [
            {
                "path": rel,
                "bytes": (work / rel).stat().st_size,
                "sha256": sha256(work / rel),
                **({"graph": graphs[rel]} if rel in graphs else {}),
            }
            for rel in listed
        ],
    }


def verify(path: Path) -> list[str]:
    """The files of the dump at ``path`` whose checksum or size differs from its manifest."""
    manifest = json.loads((path / MANIFEST).read_text())
    return [
        f["path"]
        for f in manifest["files"]
        if not (path / f["path"]).is_file()
        or (path / f["path"]).stat().st_size != f["bytes"]
        or sha256(path / f["path"]) != f["sha256"]
    ]


def latest(out_dir: Path) -> Path | None:
    """The newest complete dump under ``out_dir`` (one with a manifest), or ``None``."""
    if not out_dir.is_dir():
        return None
    found = [p for p in out_dir.iterdir() if p.is_dir() and (p / MANIFEST).is_file()]
    return max(found, key=lambda p: (p / MANIFEST).stat().st_mtime) if found else None


def read_quads(path: Path) -> ox.Store:
    """An in-memory store loaded from a dump's N-Quads (to check that it round-trips)."""
    store = ox.Store()
    with gzip.open(path / "tdi-graph.nq.gz", "rb") as handle:
        store.bulk_load(io.BufferedReader(handle), format=ox.RdfFormat.N_QUADS)
    return store
