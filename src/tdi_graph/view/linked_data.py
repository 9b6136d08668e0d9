"""A resource as linked data: its statements (a concise bounded description and the
statements about it), and triples as compact JSON-LD with the project's shared prefixes.

pyoxigraph 0.5's JSON-LD serializer writes expanded JSON-LD (it ignores ``prefixes=``): the
compact form served at ``/id`` and in the dumps is written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from tdi_graph.namespaces import PREFIXES
from tdi_graph.rdftypes import Term, value_of
from tdi_graph.view.ids import curie
from tdi_graph.view.rows import select

RDF_TYPE = PREFIXES["rdf"] + "type"
XSD_STRING = PREFIXES["xsd"] + "string"
INCOMING_LIMIT = 1000  # as queries/api-entity-incoming.rq


def statements(store: ox.Store, iri: str) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """The resource's concise bounded description (blank nodes two levels down), and the
    statements of other resources about it: ``(outgoing, incoming)``, without repeats.

    What the named queries ``api-entity`` and ``api-entity-incoming`` select. The embedded
    store is read from its indexes directly (in the order the queries give, a statement in two
    graphs counting twice towards the 1,000 incoming ones): no query to plan, no solution to
    build. A remote engine gets the two queries: a blank node does not outlive its answer
    there, so it cannot be looked up in a second request.
    """
    subject = ox.NamedNode(iri)
    out: dict[ox.Triple, None] = {}
    incoming: dict[ox.Triple, None] = {}
    if isinstance(store, ox.Store):
        _scan(store, subject, out, incoming)
    else:
        for row in select(store, "api-entity", entity=iri):
            out[ox.Triple(subject, row["p"], row["o"])] = None
            if row["p2"] is not None:
                out[ox.Triple(row["o"], row["p2"], row["o2"])] = None
            if row["p3"] is not None:
                out[ox.Triple(row["o2"], row["p3"], row["o3"])] = None
        for row in select(store, "api-entity-incoming", entity=iri):
            incoming[ox.Triple(row["s"], row["p"], subject)] = None
    # the resource's own statements first, then each blank node's, grouped (readable Turtle)
    first = sorted(out, key=lambda t: (t.subject != subject, str(t.subject), t.predicate.value))
    return first, sorted(incoming, key=lambda t: (str(t.subject), t.predicate.value))


def _scan(
    store: ox.Store,
    subject: ox.NamedNode,
    out: dict[ox.Triple, None],
    incoming: dict[ox.Triple, None],
) -> None:
    """:func:`statements` from the embedded store's indexes."""
    scan = store.quads_for_pattern
    for quad in scan(subject, None, None, None):
        out[quad.triple] = None
        if isinstance(o := quad.object, ox.BlankNode):
            for quad2 in scan(o, None, None, None):
                out[quad2.triple] = None
                if isinstance(o2 := quad2.object, ox.BlankNode):
                    out.update((q.triple, None) for q in scan(o2, None, None, None))
    count = 0
    for quad in scan(None, None, subject, None):
        if isinstance(quad.subject, ox.NamedNode) and quad.predicate.value != RDF_TYPE:
            incoming[quad.triple] = None
            count += 1
            if count == INCOMING_LIMIT:
                break


def jsonld(triples: Iterable[ox.Triple], context: str | dict[str, Any]) -> dict[str, Any]:
    """``triples`` as compact JSON-LD: one node per subject, CURIEs of the shared prefixes
    (``context`` is the published context's URL, or the context itself)."""
    nodes: dict[str, dict[str, Any]] = {}
    for t in triples:
        key = _node_id(t.subject)
        node = nodes.setdefault(key, {"@id": key})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("@type", []).append(curie(t.object.value))
        else:
            node.setdefault(curie(t.predicate.value), []).append(_jsonld_value(t.object))
    return {"@context": context, "@graph": list(nodes.values())}


def context_iri(base_url: str) -> str:
    """The published context's IRI: under the base (``TDI_BASE_URL``), never the server's host;
    ``{base}context.jsonld`` resolves to ``GET /context.jsonld``."""
    return base_url.rstrip("/") + "/context.jsonld"


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context of the project: its shared prefixes."""
    return {"@context": dict(PREFIXES)}


def _node_id(term: Term) -> str:
    return "_:" + term.value if isinstance(term, ox.BlankNode) else curie(value_of(term))


def _jsonld_value(term: Term) -> dict[str, Any]:
    if not isinstance(term, ox.Literal):
        return {"@id": _node_id(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return {"@value": term.value}
    return {"@value": term.value, "@type": curie(term.datatype.value)}
