"""The straightforward reference of ``GET /api/entities/{id}``: the entity answer as
tdi-graph computed it before its fast path (one named SPARQL query per piece: ``api-entity``,
``api-entity-incoming``, ``api-commune``), kept here to test that the fast path gives the
same answer, byte for byte."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pyoxigraph as ox

from tdi_graph import facts
from tdi_graph.entities import (
    DESCRIPTIONS,
    EVIDENCE,
    RDF_TYPE,
    RDFS_LABEL,
    SAME_AS,
    _add,
    _nested,
    statement_sources,
)
from tdi_graph.rdftypes import Term
from tdi_graph.results import term_value
from tdi_graph.view import Registry, curie, pick_label
from tdi_graph.view.rows import select


def statements(store: ox.Store, iri: str) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """``(outgoing, incoming)`` from the named queries ``api-entity`` and ``-incoming``."""
    out: dict[ox.Triple, None] = {}
    subject = ox.NamedNode(iri)
    for row in select(store, "api-entity", entity=iri):
        out[ox.Triple(subject, row["p"], row["o"])] = None
        if row["p2"] is not None:
            out[ox.Triple(row["o"], row["p2"], row["o2"])] = None
        if row["p3"] is not None:
            out[ox.Triple(row["o2"], row["p3"], row["o3"])] = None
    incoming: dict[ox.Triple, None] = {}
    for row in select(store, "api-entity-incoming", entity=iri):
        incoming[ox.Triple(row["s"], row["p"], subject)] = None
    first = sorted(out, key=lambda t: (t.subject != subject, str(t.subject), t.predicate.value))
    return first, sorted(incoming, key=lambda t: (str(t.subject), t.predicate.value))


def commune(store: ox.Store, registry: Registry, iri: str) -> dict[str, Any] | None:
    """Where a commune is, from the named query ``api-commune``."""
    rows = select(store, "api-commune", commune=iri)
    if not rows:
        return None
    territories: dict[str, Any] = {}
    for row in rows:
        territory = row.iri("territory")
        if territory and territory not in territories:
            territories[territory] = {
                "territory": registry.ref(territory),
                "phase": registry.ref(row.iri("phase")),
                "through": registry.ref(row.iri("groupement")),
                "contract": registry.ref(row.iri("contract")),
            }
    first = rows[0]
    return {
        "epci": registry.refs(e for row in rows if (e := row.iri("epci"))),
        "departement": registry.ref(first.iri("departement")),
        "region": registry.ref(first.iri("region")),
        "territories": list(territories.values()),
    }


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


def describe(store: ox.Store, registry: Registry, iri: str) -> dict[str, Any]:
    """The reference description of ``iri``."""
    outgoing, incoming = statements(store, iri)
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
            _add(attributes, curie(p), o.value if isinstance(o, ox.NamedNode) else term_value(o))
    relations += [
        _relation(store, registry, (t.subject.value, t.predicate.value, iri), "in")
        for t in incoming
    ]
    relations.sort(key=lambda r: (r["direction"] == "in", r["label"], r["target"]["label"]))
    answer: dict[str, Any] = {
        **dict(registry.ref(iri) or {}),
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
    """The reference answer for one entity."""
    answer = describe(store, registry, iri)
    if answer["type"] in ("person", "organisation"):
        answer["roles"] = facts.roles(store, registry, iri)
    elif answer["type"] == "place" and (where := commune(store, registry, iri)):
        answer["commune"] = where
    elif answer["type"] == "document" and iri in registry.documents:
        answer["document"] = registry.documents[iri]
    return answer
