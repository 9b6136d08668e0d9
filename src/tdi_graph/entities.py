"""One entity as the API shows it: the description of an entity from what the graph says
about it (relations with their sources, attributes, the documents that mention it). Labels,
types, ids, sources and the statements themselves come from the read model, :mod:`tdi_graph.view`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from tdi_graph.namespaces import PREFIXES
from tdi_graph.rdftypes import Term, value_of
from tdi_graph.results import term_value
from tdi_graph.view import Registry, Source, curie, graph_name, pick_label
from tdi_graph.view.linked_data import statements

RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"
EVIDENCE = PREFIXES["tdi"] + "evidence"
DESCRIPTIONS = (
    PREFIXES["dct"] + "description",
    PREFIXES["skos"] + "definition",
    PREFIXES["rdfs"] + "comment",
)
SAME_AS = (PREFIXES["owl"] + "sameAs", PREFIXES["skos"] + "exactMatch")


# --- one entity ----------------------------------------------------------------------------


def _literal(term: ox.Literal) -> Any:
    return term_value(term)


__all__ = [
    "Registry",
    "describe",
    "entity",
    "statement_sources",
]


def _nested(node: Term, children: dict[Term, list[tuple[str, Term]]]) -> dict[str, Any]:
    """A blank node's statements as a dict of CURIE -> value (nested blank nodes inside)."""
    out: dict[str, Any] = {}
    for p, o in children.get(node, ()):
        key = "@type" if p == RDF_TYPE else curie(p)
        if isinstance(o, ox.BlankNode):
            item: Any = _nested(o, children)
        elif isinstance(o, ox.NamedNode):
            item = curie(o.value)
        elif isinstance(o, ox.Literal):
            item = _literal(o)
        else:
            item = value_of(o)
        _add(out, key, item)
    return out


def _add(mapping: dict[str, Any], key: str, item: Any) -> None:
    """Add ``item`` under ``key``: a scalar for one value, a list for several."""
    if key not in mapping:
        mapping[key] = item
    elif isinstance(mapping[key], list):
        if item not in mapping[key]:
            mapping[key].append(item)
    elif mapping[key] != item:
        mapping[key] = [mapping[key], item]


def describe(store: ox.Store, registry: Registry, iri: str) -> dict[str, Any]:
    """The API description of the entity ``iri``: labels, relations, attributes, sources."""
    found = statements(store, iri)
    outgoing: list[Any] = found[0]  # triples (the stubs type their terms loosely)
    incoming: list[Any] = found[1]
    children: dict[Term, list[tuple[str, Term]]] = defaultdict(list)
    for t in outgoing:
        if isinstance(t.subject, ox.BlankNode):
            children[t.subject].append((t.predicate.value, t.object))
    labels: dict[str, str] = {}
    descriptions: list[tuple[str, str]] = []
    same_as: list[str] = []
    classes: list[str] = []
    relations: list[dict[str, Any]] = []
    attributes: dict[str, Any] = {}
    for t in outgoing:
        if t.subject.value != iri or isinstance(t.subject, ox.BlankNode):
            continue
        p, o = t.predicate.value, t.object
        if p == RDFS_LABEL and isinstance(o, ox.Literal):
            labels.setdefault(o.language or "@none", o.value)
        elif p in DESCRIPTIONS and isinstance(o, ox.Literal):
            descriptions.append((o.value, o.language or ""))
        elif p == RDF_TYPE:
            classes.append(o.value)
        elif p in SAME_AS:
            same_as.append(o.value)
        elif p == EVIDENCE:
            continue
        elif isinstance(o, ox.NamedNode) and registry.knows(o.value):
            relations.append(_relation(store, registry, (iri, p, o.value), "out"))
        elif isinstance(o, ox.BlankNode):
            _add(attributes, curie(p), _nested(o, children))
        else:
            _add(attributes, curie(p), o.value if isinstance(o, ox.NamedNode) else _literal(o))
    relations += [
        _relation(store, registry, (t.subject.value, t.predicate.value, iri), "in")
        for t in incoming
    ]
    relations.sort(key=lambda r: (r["direction"] == "in", r["label"], r["target"]["label"]))
    ref: dict[str, Any] = dict(registry.ref(iri) or {})
    answer: dict[str, Any] = {
        **ref,
        "iri": iri,
        "labels": labels,
        "description": pick_label(descriptions),
        "same_as": sorted(set(same_as)),
        "classes": registry.refs(classes),
        "relations": relations,
        "attributes": attributes,
        "sources": registry.sources(iri),
        "mentioned_in": registry.mentioned_in(iri),
    }
    if iri in registry.described_by:
        answer["describes"] = registry.refs(s for s in registry.described_by[iri] if s != iri)
    return answer


def entity(store: ox.Store, registry: Registry, iri: str) -> dict[str, Any]:
    """The API answer for one entity: :func:`describe`, with the posts held by persons and
    organisations (``roles``)."""
    from tdi_graph import facts

    answer = describe(store, registry, iri)
    if answer["type"] in ("person", "organisation"):
        answer["roles"] = facts.roles(store, registry, iri)
    elif answer["type"] == "place" and (where := facts.commune(store, registry, iri)):
        answer["commune"] = where
    elif answer["type"] == "document" and iri in registry.documents:
        answer["document"] = registry.documents[iri]
    return answer


def _relation(
    store: ox.Store, registry: Registry, triple: tuple[str, str, str], direction: str
) -> dict[str, Any]:
    subject, predicate, obj = triple
    sources, graphs = statement_sources(store, registry, subject, predicate, obj)
    return {
        "predicate": curie(predicate),
        "label": registry.label(predicate),
        "direction": direction,
        "target": registry.ref(obj if direction == "out" else subject),
        "sources": sources,
        "graphs": graphs,
    }


def statement_sources(
    store: ox.Store, registry: Registry, subject: str, predicate: str, obj: str
) -> tuple[list[Source], list[str]]:
    """The sources of one statement, and the names of the graphs that state it.

    A source document states the triple in its own graph; its excerpts are the evidence it
    gives of the subject (else of the object) there. A document whose graph states the triple
    without evidence of either end is still a source, with no excerpt. Statements of the
    ``entities``, ``curation`` or reference graphs have no source document: ``graphs`` says
    where they come from.
    """
    graphs: list[str] = []
    for quad in store.quads_for_pattern(
        ox.NamedNode(subject), ox.NamedNode(predicate), ox.NamedNode(obj), None
    ):
        if isinstance(quad.graph_name, ox.NamedNode):
            name = graph_name(quad.graph_name.value)
            if name not in graphs:
                graphs.append(name)
    sources: list[Source] = []
    for name in graphs:
        document = next((d for d in registry.documents.values() if d["id"] == name), None)
        if document is None:
            continue
        found = [s for s in registry.evidence.get(subject, ()) if s["id"] == name] or [
            s for s in registry.evidence.get(obj, ()) if s["id"] == name
        ]
        sources += found or [registry.source(document["iri"])]
    sources.sort(key=lambda s: (s["issued"] or "9999", s["id"], s["excerpt"] or ""))
    return sources, sorted(graphs)
