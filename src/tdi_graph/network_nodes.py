"""Nodes of the actor network and the helpers that read query rows: node types from the
ontology, labels, source documents, short ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.errors import DataError
from tdi_graph.namespaces import GRAPH, ID, PREFIXES, TDI, local_id

#: Node types, in the order that decides the type of a node with several classes.
NODE_TYPES = (
    "territory",
    "agreement",
    "project",
    "programme",
    "event",
    "person",
    "organisation",
    "place",
)
#: Base class of each node type (the named query ``network-classes`` expands subclasses).
BASE_TYPES = {
    PREFIXES["foaf"] + "Person": "person",
    PREFIXES["org"] + "Organization": "organisation",
    PREFIXES["org"] + "Post": "organisation",
    TDI + "ProgrammeTerritory": "territory",
    PREFIXES["schema"] + "Event": "event",
    TDI + "Agreement": "agreement",
    TDI + "Programme": "programme",
    TDI + "Project": "project",
    PREFIXES["schema"] + "Place": "place",
}

_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")


def local_name(iri: str) -> str:
    """The last segment of an IRI: ``local_name("https://w3id.org/tdi-graph/ontology#Minister")``.

    >>> local_name("https://w3id.org/tdi-graph/ontology#Minister")
    'Minister'
    """
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def source_name(graph_iri: str) -> str:
    """The source an edge cites for a named graph: the document id, or the graph's name.

    >>> source_name("https://w3id.org/tdi-graph/graph/cp-1114-premiers-contrats")
    'cp-1114-premiers-contrats'
    """
    return graph_iri[len(GRAPH) :] if graph_iri.startswith(GRAPH) else graph_iri


Row = tuple[str | None, ...]


def rows(store: ox.Store, name: str, columns: str) -> Iterator[Row]:
    """The rows of a named query as tuples of values (IRIs, literals' lexical forms, ``None``).

    ``columns`` names the SELECT variables in order; a query file that drifts is an error.
    """
    answer = queries.run(store, queries.get_query(name))
    assert isinstance(answer, ox.QuerySolutions)
    found = tuple(v.value for v in answer.variables)
    if found != tuple(columns.split()):
        raise DataError(f"query {name!r} selects {found}, the network expects {columns}")
    width = len(found)
    for row in answer:
        yield tuple(None if (term := row[i]) is None else term.value for i in range(width))


def short(value: str | None) -> str | None:
    """The short id of one of our IRIs, else ``None``.

    >>> short("https://w3id.org/tdi-graph/id/bpifrance"), short("https://schema.org/x")
    ('bpifrance', None)
    """
    return local_id(value) if value else None


def iso_date(value: str | None) -> str | None:
    """An ISO date (the first 10 characters of an ``xsd:date``), or ``None``."""
    return value[:10] if value and len(value) >= 10 and value[4] == "-" else None


@dataclass(frozen=True)
class NodeInfo:
    """What the store says of a node: its type, most specific class and label."""

    type: str
    cls: str
    label: str


def class_types(store: ox.Store) -> dict[str, str]:
    """Class IRI -> node type, from the ontology's subclass closure."""
    found: dict[str, set[str]] = defaultdict(set)
    for cls, base in rows(store, "network-classes", "class base"):
        found[cls or ""].add(BASE_TYPES[base or ""])
    return {c: min(types, key=NODE_TYPES.index) for c, types in found.items()}


def describe(store: ox.Store, node: str, classes: dict[str, str]) -> NodeInfo | None:
    """The type, class and label of one node (``None`` if it is of no node type)."""
    term = ox.NamedNode(ID + node)
    kinds = []
    for quad in store.quads_for_pattern(term, _RDF_TYPE, None, None):
        kind = classes.get(quad.object.value)
        if kind:
            kinds.append((NODE_TYPES.index(kind), quad.object.value, kind))
    if not kinds:
        return None
    _, cls, kind = min(kinds)
    return NodeInfo(kind, local_name(cls), _label(store, term) or node)


def _label(store: ox.Store, term: ox.NamedNode) -> str | None:
    """The node's ``rdfs:label``, French first, then without language, then English."""
    best: tuple[int, str] | None = None
    rank = {"fr": 0, "": 1, "en": 2}
    for quad in store.quads_for_pattern(term, _LABEL, None, None):
        literal = quad.object
        if isinstance(literal, ox.Literal):
            candidate = (rank.get(literal.language or "", 3), literal.value)
            best = candidate if best is None or candidate < best else best
    return best[1] if best else None


def documents(store: ox.Store) -> dict[str, dict[str, str]]:
    """The source documents: id -> id, title, date, printed date, publisher(s)."""
    docs: dict[str, dict[str, Any]] = {}
    columns = "doc title date printed publisher publisherLabel"
    for iri, title, date, printed, _, publisher in rows(store, "network-documents", columns):
        doc = short(iri)
        if doc is None:
            continue
        entry = docs.setdefault(doc, {"id": doc, "publishers": set()})
        for name, value in (("title", title), ("date", iso_date(date)), ("printed", printed)):
            if value and name not in entry:
                entry[name] = value
        if publisher:
            entry["publishers"].add(publisher)
    return {
        d: {
            **{k: v for k, v in e.items() if k != "publishers"},
            "publisher": " ; ".join(sorted(e["publishers"])),
        }
        for d, e in sorted(docs.items())
    }
