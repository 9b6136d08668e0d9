"""Collect the project's RDF (ontology, curated data, reference data) and build the store."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from tdi_graph import derived, reference
from tdi_graph.errors import DataError
from tdi_graph.gctools import gc_paused
from tdi_graph.literals import check_files as check_literals
from tdi_graph.namespaces import graph_iri
from tdi_graph.resources import data_dir, ontology_dir, project_root
from tdi_graph.settings import get_settings
from tdi_graph.store import write_build
from tdi_graph.texts import collect as collect_texts


@dataclass(frozen=True)
class GraphFile:
    """One Turtle file and the named graph it is loaded into."""

    graph: str
    path: Path
    kind: str  # ontology | shapes | vocabulary | document | entities | curation


def curated_files(ontology: Path | None = None, data: Path | None = None) -> list[GraphFile]:
    """Every hand-written Turtle file of the project, with its named graph."""
    ontology = ontology or ontology_dir()
    data = data or data_dir()
    files = [
        GraphFile("ontology", ontology / "tdi.ttl", "ontology"),
        GraphFile("shapes", ontology / "shapes.ttl", "shapes"),
        GraphFile("ontology/presentation", ontology / "presentation.ttl", "ontology"),
    ]
    files += [
        GraphFile(f"vocabulary/{p.stem}", p, "vocabulary")
        for p in sorted((ontology / "vocabularies").glob("*.ttl"))
    ]
    files.append(GraphFile("entities", data / "entities.ttl", "entities"))
    files += [GraphFile(p.stem, p, "document") for p in sorted((data / "sources").glob("*.ttl"))]
    files.append(GraphFile("curation", data / "curation.ttl", "curation"))
    return files


def input_files(
    ontology: Path | None = None, data: Path | None = None, sources: Path | None = None
) -> dict[str, Path]:
    """Every file a load reads, by a stable name (hashed into the build's manifest): the
    curated files, the reference files and the documents' texts."""
    files = {f"{gf.kind}/{gf.path.name}": gf.path for gf in curated_files(ontology, data)}
    ref = (data or data_dir()) / "reference"
    files |= {f"reference/{p.name}": p for p in sorted(ref.glob("*")) if p.is_file()}
    seeds = sources or default_sources()
    if seeds is not None and seeds.is_dir():
        files |= {f"sources/{p.name}": p for p in sorted(seeds.glob("*.txt")) if p.is_file()}
    return files


def default_sources() -> Path | None:
    """The source documents' directory: the ``sources_dir`` setting, else ``../shared/seeds``
    beside the project (``None`` when neither is known)."""
    configured = get_settings().sources_dir
    if configured is not None:
        return configured
    root = project_root()
    return root.parent / "shared" / "seeds" if root is not None else None


def parse_file(graph_file: GraphFile) -> list[ox.Quad]:
    """Parse one Turtle file into quads of its named graph; a syntax error names file and line."""
    graph = graph_iri(graph_file.graph)
    try:
        triples = list(ox.parse(path=str(graph_file.path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise DataError(f"{graph_file.path}:{exc.lineno}:{exc.offset}: {exc.msg}") from None
    except OSError as exc:
        raise DataError(f"{graph_file.path}: {exc.strerror or exc}") from None
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]


@dataclass
class LoadReport:
    """What a load put in the store and how long each step took."""

    graphs: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    build: Path | None = None

    @property
    def total(self) -> int:
        return sum(self.graphs.values())

    def lines(self) -> list[str]:
        out = [f"{name:<40} {n:>9,} quads" for name, n in sorted(self.graphs.items())]
        out.append(f"{'total':<40} {self.total:>9,} quads")
        out += [f"{step:<40} {s * 1000:>9.0f} ms" for step, s in self.seconds.items()]
        return out


def collect_curated(files: Iterable[GraphFile] | None = None) -> dict[str, list[ox.Quad]]:
    """Parse every curated file; graph name -> quads."""
    return {gf.graph: parse_file(gf) for gf in (files or curated_files())}


def collect_reference(
    ref_dir: Path | None = None, cache: Path | None = None
) -> dict[str, list[ox.Quad]]:
    """Convert the reference CSV files into quads, graph name -> quads.

    ``ref_dir`` defaults to the ``reference_dir`` setting, else ``data/reference``. With
    ``cache`` (a folder), the conversion is kept there as N-Quads under the content hash of its
    inputs and of the converter's code, and read back (Rust's parser) while they are unchanged.
    """
    ref_dir = ref_dir or get_settings().reference_dir or data_dir() / "reference"
    key = _reference_key(ref_dir) if cache is not None else ""
    if cache is not None:
        found = _cached_reference(cache, key)
        if found is not None:
            return found
    out: dict[str, list[ox.Quad]] = {}
    for name, triples in reference.reference_graphs(ref_dir).items():
        g = graph_iri(name)
        out[name] = [ox.Quad(t.subject, t.predicate, t.object, g) for t in triples]
    if cache is not None:
        _keep_reference(cache, key, out)
    return out


REFERENCE_CACHE_FORMAT = 2  # the .json beside the quads: [[graph name, number of quads], ...]


def _reference_key(ref_dir: Path) -> str:
    """The content hash of the reference inputs, the converter's code, pyoxigraph's version and
    the cache's format."""
    digest = hashlib.sha256(reference.inputs_digest(ref_dir).encode())
    for path in sorted(Path(reference.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(f"{ox.__version__}\0{REFERENCE_CACHE_FORMAT}".encode())
    return digest.hexdigest()[:32]


def _cached_reference(cache: Path, key: str) -> dict[str, list[ox.Quad]] | None:
    """The kept conversion, or ``None`` if there is none or it does not match its sizes.

    The quads were written graph after graph, so each graph is a slice of the parsed list: the
    sizes must add up to the quads parsed, and each slice must begin and end in its graph.
    """
    sizes_file, quads_file = cache / f"{key}.json", cache / f"{key}.nq"
    try:
        sizes = [(str(name), int(n)) for name, n in json.loads(sizes_file.read_text())]
        with gc_paused():  # ~460 000 quads, no cycles
            quads = list(ox.parse(path=str(quads_file), format=ox.RdfFormat.N_QUADS))
    except (OSError, ValueError, TypeError, SyntaxError):
        return None  # no cache, or a damaged one: convert again
    if sum(n for _, n in sizes) != len(quads):
        return None
    out: dict[str, list[ox.Quad]] = {}
    start = 0
    for name, n in sizes:
        part = quads[start : start + n]
        start += n
        iri = graph_iri(name)
        if part and (part[0].graph_name != iri or part[-1].graph_name != iri):
            return None
        out[name] = part
    return out


def _keep_reference(cache: Path, key: str, graphs: dict[str, list[ox.Quad]]) -> None:
    """Write the conversion under ``key`` (renamed into place), dropping older ones."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob("*"):
            if old.stem != key:
                old.unlink(missing_ok=True)
        part = cache / f"{key}.nq.part"
        ox.serialize(
            (q for qs in graphs.values() for q in qs),
            output=str(part),
            format=ox.RdfFormat.N_QUADS,
        )
        os.replace(part, cache / f"{key}.nq")  # the quads first: sizes mark a complete entry
        sizes = [[name, len(quads)] for name, quads in graphs.items()]
        (cache / f"{key}.json.part").write_text(json.dumps(sizes))
        os.replace(cache / f"{key}.json.part", cache / f"{key}.json")
    except OSError:
        pass  # a cache that cannot be written only costs the next load the conversion


def load(
    store_dir: Path,
    *,
    validate: bool = True,
    ontology: Path | None = None,
    data: Path | None = None,
    reference: Path | None = None,
    sources: Path | None = None,
) -> LoadReport:
    """Validate everything, then build a new store and make it current (atomic), with the read
    model computed from it kept beside it (:mod:`tdi_graph.derived`). SHACL runs in a process
    of its own while the store is written; the build becomes current only once every check
    passed (with ``sources``, the excerpts too). Without ``validate``, ill-typed literals of the
    curated files are still refused (:mod:`tdi_graph.literals`).

    ``ontology`` and ``data`` default to the project's directories, ``reference`` to
    ``data/reference`` (else the ``reference_dir`` setting): tests point them elsewhere. The
    documents' texts are copied into the build from ``sources`` (default: the ``sources_dir``
    setting, else ``../shared/seeds`` beside the project), when it exists.
    """
    report = LoadReport()
    t0 = time.perf_counter()
    files = curated_files(ontology, data)
    curated = collect_curated(files)
    report.seconds["parse curated Turtle"] = time.perf_counter() - t0
    if not validate:  # SHACL finds them otherwise, with every other violation
        t0 = time.perf_counter()
        check_literals((gf.path, curated[gf.graph]) for gf in files)
        report.seconds["check literals"] = time.perf_counter() - t0

    shacl = None
    if validate:  # SHACL, the slowest check, runs in its own process while the store is written
        from tdi_graph.validate import ShaclBeside

        shacl = ShaclBeside([(gf.graph, gf.path) for gf in files])
    try:
        t0 = time.perf_counter()
        ref = collect_reference(
            reference or (data / "reference" if data else None), cache=store_dir / "cache"
        )
        report.seconds["convert reference CSV"] = time.perf_counter() - t0
        graphs = {**curated, **ref}
        report.graphs = {name: len(quads) for name, quads in graphs.items()}
        sources = sources or default_sources()
        steps: dict[str, float] = {}

        def checked() -> None:  # the last step before the build becomes current
            if shacl is None:
                return
            from tdi_graph.validate import check_curated

            started = time.perf_counter()
            evidence = sources if sources is not None and sources.is_dir() else None
            check_curated(curated, evidence, reference=ref, shacl=shacl.result())
            steps["validate (waiting for SHACL, other checks)"] = time.perf_counter() - started

        report.build = write_build(
            store_dir,
            [q for quads in graphs.values() for q in quads],
            inputs=input_files(ontology, data, sources),
            files=collect_texts(curated, sources),
            derive=derived.derive,
            ready=checked,
            steps=steps,
        )
    finally:
        if shacl is not None:
            shacl.cancel()
    report.seconds |= steps
    return report
