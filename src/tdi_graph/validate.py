"""Checks of the curated data: SHACL shapes, and that every excerpt occurs in its document."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from tdi_graph.beside import Beside
from tdi_graph.errors import DataError, ValidationFailed
from tdi_graph.namespaces import ID, PREFIXES, TDI
from tdi_graph.rdftypes import Term, value_of

if TYPE_CHECKING:
    import rdflib  # imported by SHACL validation only: the server imports this module too

EXCERPT = ox.NamedNode(TDI + "excerpt")
DERIVED_FROM = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
IDENTIFIER = ox.NamedNode(PREFIXES["dct"] + "identifier")
SOURCE_FILE = ox.NamedNode(TDI + "sourceFile")
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")

# An ill-typed literal ("2019-13-45"^^xsd:date) is a SHACL violation, reported with its node and
# property; rdflib's own warning about it (with a traceback) is not for the reader.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

_MARKUP = re.compile(r"\*+|\\(?=[_*])|<sup>|</sup>")
_SUPERSCRIPT = re.compile(r"\^\{([^{}]*)\}")  # LaTeX-style 9^{ème} -> 9ème
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Whitespace-normalised text without Markdown emphasis, for excerpt matching.

    >>> normalise("la  **Banque des\\nTerritoires**")
    'la Banque des Territoires'
    >>> normalise("la 1<sup>ère</sup> et la 9^{ème}")
    'la 1ère et la 9ème'
    """
    return _SPACE.sub(" ", _SUPERSCRIPT.sub(r"\1", _MARKUP.sub("", text))).strip()


@dataclass
class Report:
    """The outcome of a validation: problems found, by check."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.problems.values())

    def lines(self) -> list[str]:
        out = [f"{name}: {n}" for name, n in self.counts.items()]
        for check, problems in self.problems.items():
            out += [f"[{check}] {p}" for p in problems]
        out.append(
            "OK" if self.ok else f"FAILED: {sum(map(len, self.problems.values()))} problem(s)"
        )
        return out


def _to_rdflib(quads: list[ox.Quad]) -> rdflib.Graph:
    import rdflib

    graph = rdflib.Graph()
    data = ox.serialize(
        [ox.Triple(q.subject, q.predicate, q.object) for q in quads], format=ox.RdfFormat.N_TRIPLES
    )
    graph.parse(data=data, format="nt")
    return graph


def shacl_problems(curated: dict[str, list[ox.Quad]]) -> list[str]:
    """SHACL violations of the curated data against ``ontology/shapes.ttl``."""
    import pyshacl
    import rdflib

    shapes = _to_rdflib(curated["shapes"])
    data = _to_rdflib([q for name, qs in curated.items() if name != "shapes" for q in qs])
    conforms, results, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True, advanced=True
    )
    if conforms:
        return []
    sh = rdflib.Namespace(PREFIXES["sh"])
    problems = []
    for result in results.subjects(rdflib.RDF.type, sh.ValidationResult):
        if results.value(result, sh.resultSeverity) != sh.Violation:
            continue
        focus = results.value(result, sh.focusNode)
        path = results.value(result, sh.resultPath)
        message = results.value(result, sh.resultMessage)
        problems.append(f"{focus} {path or ''}: {message}")
    return sorted(problems)


def example_problems(ontology_quads: list[ox.Quad], shapes: list[ox.Quad], path: Path) -> list[str]:
    """SHACL violations of one example file (``ontology/examples/*``) with the ontology."""
    example = [ox.Quad(t.subject, t.predicate, t.object) for t in ox.parse(path=str(path))]
    return shacl_problems({"shapes": shapes, "ontology": ontology_quads, "example": example})


def documents(curated: dict[str, list[ox.Quad]]) -> dict[str, str]:
    """Document IRI -> the file name of its text among the sources (``tdi:sourceFile``)."""
    return {
        value_of(q.subject): value_of(q.object)
        for qs in curated.values()
        for q in qs
        if q.predicate == SOURCE_FILE
    }


def evidence_problems(
    curated: dict[str, list[ox.Quad]], sources_dir: Path
) -> tuple[list[str], int]:
    """Excerpts that do not occur (whitespace-normalised) in the document they cite."""
    doc_files = documents(curated)
    texts: dict[str, str] = {}
    derived: dict[tuple[str, Term], list[str]] = {}
    excerpts: list[tuple[str, Term, str]] = []
    for name, quads in curated.items():
        for q in quads:
            if q.predicate == DERIVED_FROM:
                derived.setdefault((name, q.subject), []).append(value_of(q.object))
            elif q.predicate == EXCERPT:
                excerpts.append((name, q.subject, value_of(q.object)))
    problems = []
    for name, node, excerpt in excerpts:
        docs = derived.get((name, node))
        if not docs:
            problems.append(f"graph {name}: excerpt {excerpt!r} cites no document")
            continue
        for doc in docs:
            if doc not in doc_files:
                problems.append(f"graph {name}: excerpt cites {doc}, which has no tdi:sourceFile")
                continue
            if doc not in texts:
                path = sources_dir / doc_files[doc]
                if not path.is_file():
                    problems.append(f"{path}: source file missing (cited by graph {name})")
                    texts[doc] = ""
                    continue
                texts[doc] = normalise(path.read_text(encoding="utf-8"))
            if texts[doc] and normalise(excerpt) not in texts[doc]:
                problems.append(f"graph {name}: excerpt not in {doc_files[doc]}: {excerpt!r}")
    return sorted(set(problems)), len(excerpts)


def dangling_problems(
    curated: dict[str, list[ox.Quad]], reference: dict[str, list[ox.Quad]]
) -> list[str]:
    """Entity IRIs (``id:``) used in the curated data but typed nowhere (curated or reference)."""
    typed = {
        value_of(q.subject)
        for graphs in (curated, reference)
        for qs in graphs.values()
        for q in qs
        if q.predicate == RDF_TYPE
    }
    problems = set()
    for name, quads in curated.items():
        for q in quads:
            for term in (q.subject, q.object):
                if (
                    isinstance(term, ox.NamedNode)
                    and term.value.startswith(ID)
                    and term.value not in typed
                ):
                    problems.add(f"graph {name}: {term.value} is used but defined nowhere")
    return sorted(problems)


class ShaclBeside(Beside[list[str]]):
    """SHACL validation of curated Turtle files in another process, while the caller goes on.

    pyshacl is pure Python: in a process of its own it takes a second core, so a load validates
    while it writes the store instead of before. ``files`` are ``(graph name, path)``: the child
    (spawned: no state of this process is shared) parses them again (a few ms); the caller
    parsed them first, so a syntax error is its own. :meth:`result` gives the violations.
    """

    def __init__(self, files: list[tuple[str, Path]]) -> None:
        super().__init__("SHACL validation failed", _shacl_files, files, start="spawn")


def _shacl_files(files: list[tuple[str, Path]]) -> list[str]:
    curated: dict[str, list[ox.Quad]] = {}
    for graph, path in files:
        try:
            triples = ox.parse(path=str(path))
            curated[graph] = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        except (OSError, SyntaxError) as exc:
            raise DataError(f"{path}: {exc}") from None
    return shacl_problems(curated)


def validate(
    curated: dict[str, list[ox.Quad]],
    sources_dir: Path | None = None,
    reference: dict[str, list[ox.Quad]] | None = None,
    shacl: list[str] | None = None,
) -> Report:
    """Run every check; evidence checks need ``sources_dir``, link checks need ``reference``.

    ``shacl``: the SHACL violations when they were found already (:class:`ShaclBeside`).
    """
    report = Report()
    report.problems["shacl"] = shacl_problems(curated) if shacl is None else shacl
    report.counts["quads checked"] = sum(len(qs) for qs in curated.values())
    if reference is not None:
        report.problems["links"] = dangling_problems(curated, reference)
    if sources_dir is not None:
        report.problems["evidence"], report.counts["excerpts checked"] = evidence_problems(
            curated, sources_dir
        )
    return report


def check_curated(
    curated: dict[str, list[ox.Quad]],
    sources_dir: Path | None = None,
    reference: dict[str, list[ox.Quad]] | None = None,
    shacl: list[str] | None = None,
) -> None:
    """Raise :class:`ValidationFailed` with the report if any check fails."""
    report = validate(curated, sources_dir, reference, shacl)
    if not report.ok:
        raise ValidationFailed("\n".join(report.lines()))
