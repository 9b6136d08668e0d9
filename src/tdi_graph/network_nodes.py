"""Nodes of the actor network and the helpers that read query rows: the presentation of the
network (node types, colours and relations, from ``ontology/presentation.ttl``), labels,
source documents, short ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from tdi_graph import queries
from tdi_graph.errors import DataError
from tdi_graph.namespaces import GRAPH, ID, PREFIXES, local_id

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


@dataclass(frozen=True)
class Presentation:
    """How the network presents the model (``ontology/presentation.ttl``).

    ``node_types`` and ``relations`` are name -> description, in order (precedence for
    node types, listing order for relations); ``classes`` maps every class with a node
    type to (precedence, type); ``links`` maps a predicate to (relation, reversed?).
    """

    node_types: dict[str, dict[str, Any]]
    relations: dict[str, dict[str, Any]]
    classes: dict[str, tuple[int, str]]
    links: dict[str, tuple[str, bool]]

    def link(self, predicate: str | None) -> tuple[str, bool]:
        """The relation a predicate expresses and whether its edge runs object -> subject."""
        try:
            return self.links[predicate or ""]
        except KeyError:
            raise DataError(
                f"ontology/presentation.ttl gives no network relation for {predicate}"
            ) from None

    def colours(self) -> dict[str, str]:
        """Node type -> colour."""
        return {name: t["colour"] for name, t in self.node_types.items()}


def read_presentation(store: ox.Store) -> Presentation:
    """The node types, relations and predicate links the ontology's presentation graph gives."""
    node_types = {
        name or "": {"label": label, "label_en": label_en, "colour": colour or "#888888"}
        for name, label, label_en, colour, _ in rows(
            store, "network-node-types", "type label labelEn colour precedence"
        )
    }
    relations = {}
    columns = "relation label labelEn inverse inverseEn comment commentEn derived order"
    for name, label, label_en, inverse, inverse_en, comment, comment_en, derived, _ in rows(
        store, "network-relations", columns
    ):
        relations[name or ""] = {
            "label": label,
            "label_en": label_en,
            "inverse_label": inverse,
            "inverse_label_en": inverse_en,
            "description": comment,
            "description_en": comment_en,
            "derived": derived == "true",
        }
    classes: dict[str, tuple[int, str]] = {}
    for cls, kind, precedence in rows(store, "network-classes", "class type precedence"):
        found = (int(precedence or 99), kind or "")
        classes[cls or ""] = min(found, classes.get(cls or "", found))
    links = {
        predicate or "": (relation or "", direction == "inverse")
        for predicate, relation, direction in rows(
            store, "network-links", "predicate relation direction"
        )
    }
    if not node_types or not relations:
        raise DataError("the store holds no network presentation (ontology/presentation.ttl)")
    return Presentation(node_types, relations, classes, links)


def describe(store: ox.Store, node: str, presentation: Presentation) -> NodeInfo | None:
    """The type, class and label of one node (``None`` if it is of no node type)."""
    term = ox.NamedNode(ID + node)
    kinds = []
    for quad in store.quads_for_pattern(term, _RDF_TYPE, None, None):
        found = presentation.classes.get(quad.object.value)
        if found:
            kinds.append((found[0], quad.object.value, found[1]))
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
