"""Where each edge of the actor network comes from: its documents and their excerpts, or,
for an edge that rests only on curated data, the reason it stands.

An edge quotes the evidence (``tdi:evidence [prov:wasDerivedFrom doc; tdi:excerpt "..."]``)
of the resources that state it, in the named graph that states it: the post for
``holds-post-in``, the signature act for ``signed``, the commitment for ``committed``, the
subject of the triple for the simple links. When those carry none, the evidence of the
edge's two ends in that graph stands in. A graph that is not a document (the register of
entities, the curation notes, a reference dataset) is described in
``ontology/presentation.ttl``; a curation note about the resource and property (its
``rdfs:comment``, else its ``rdfs:label``) is a more precise reason than the graph's.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from tdi_graph.namespaces import ID
from tdi_graph.network_nodes import rows
from tdi_graph.view import Document, Registry, graph_name, local_id

#: A resource stating an edge: (source graph name, resource IRI, predicate IRI or None).
Carrier = tuple[str, str, str | None]
#: The key of a curation note by the note itself (a fact the curation graph states).
_SELF = "self"


@dataclass(frozen=True)
class CitedGraph:
    """A named graph that is not a document, as an edge cites it."""

    id: str
    title: str
    reason: str
    kind: str  # "curation" (register, editorial notes) or "reference" (a reference dataset)


@dataclass
class Provenance:
    """Excerpts by graph and resource, curation notes by resource, the non-document graphs."""

    evidence: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    notes: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)
    graphs: dict[str, CitedGraph] = field(default_factory=dict)

    def excerpts(self, graph: str, subjects: Iterable[str]) -> list[tuple[str, str]]:
        """(document id, excerpt) pairs the ``subjects`` carry in ``graph``, in order, once."""
        found: list[tuple[str, str]] = []
        for subject in subjects:
            for pair in self.evidence.get((graph, subject), ()):
                if pair not in found:
                    found.append(pair)
        return found

    def reason(self, carriers: Iterable[Carrier], graphs: Iterable[str]) -> str | None:
        """Why an edge with no excerpt stands: a curation note on its resource and property,
        else the note that is itself the resource stating it, else the description of the
        graphs it rests on. (A note on the resource alone, a typo say, is no reason.)"""
        carriers = list(carriers)
        for key in [(iri, p) for _, iri, p in carriers if p] + [(i, _SELF) for _, i, _ in carriers]:
            if self.notes.get(key):
                return self.notes[key][0]
        reasons = [self.graphs[g].reason for g in sorted(graphs) if g in self.graphs]
        return " ".join(dict.fromkeys(reasons)) or None


def read_provenance(store: ox.Store) -> Provenance:
    """The excerpts, curation notes and cited graphs of ``store``."""
    found = Provenance()
    evidence: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for g, subject, doc, excerpt in rows(store, "network-evidence", "g subject doc excerpt"):
        pair = (local_id(doc) or doc or "", excerpt or "")
        key = (graph_name(g or ""), subject or "")
        if pair not in evidence[key]:
            evidence[key].append(pair)
    found.evidence = dict(evidence)
    notes: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    columns = "g statement about property comment label"
    for _, statement, about, prop, comment, label in rows(store, "network-curation", columns):
        text = comment or label
        for note in ((about or "", prop), (statement or "", _SELF)):
            if text and note[1] and text not in notes[note]:
                notes[note].append(text)
    found.notes = dict(notes)
    columns = "graph label comment dataset datasetLabel"
    for graph, label, comment, _, dataset_label in rows(store, "network-graphs", columns):
        name = graph_name(graph or "")
        kind = "reference" if name.startswith("reference/") else "curation"
        title = dataset_label or label or name
        reason = comment or title
        if kind == "reference" and dataset_label:
            reason = f"{reason} Jeu de données : {dataset_label}."
        found.graphs[name] = CitedGraph(name, title, reason, kind)
    return found


def edge_provenance(
    prov: Provenance, registry: Registry, edge: Any, documents: dict[str, Document]
) -> dict[str, Any]:
    """The provenance of an edge (``edge.u``, ``edge.v``, ``edge.sources``, ``edge.carriers``):
    ``evidence``, the (document, excerpt) pairs it quotes; ``citations``, its sources in the
    read model's :class:`~tdi_graph.view.Source` shape (one per document and excerpt, then
    one per cited graph that is not a document, with its ``reason``); ``curation_only``;
    and, when it quotes no document, its ``reason``."""
    sources = set(edge.sources)
    by_graph: dict[str, list[str]] = defaultdict(list)
    for graph, iri, _ in edge.carriers:
        by_graph[graph].append(iri)
    evidence: list[tuple[str, str]] = []
    for graph in sorted(sources):
        if graph not in documents:
            continue
        pairs = prov.excerpts(graph, by_graph.get(graph, ()))
        if not pairs:
            pairs = prov.excerpts(graph, (ID + edge.u, ID + edge.v))
        evidence += [p for p in pairs if p not in evidence]
    attrs: dict[str, Any] = {"evidence": tuple(evidence)}
    kinds = {prov.graphs[g].kind if g in prov.graphs else "curation" for g in sources}
    attrs["curation_only"] = not (sources & documents.keys()) and kinds == {"curation"}
    if not evidence:
        attrs["reason"] = prov.reason(edge.carriers, sources) or "no document states this link"
    attrs["citations"] = citations(registry, prov, sources, evidence, attrs.get("reason"))
    return attrs


def citations(
    registry: Registry,
    prov: Provenance,
    sources: Iterable[str],
    evidence: Iterable[tuple[str, str]],
    reason: str | None = None,
) -> tuple[dict[str, Any], ...]:
    """The sources of an edge in the read model's ``Source`` shape (``id``, ``title``,
    ``publisher``, ``date`` as printed, ``issued``, ``excerpt``): one per quoted excerpt,
    one per document quoted by none, one per cited graph (with its ``reason``)."""
    out: list[dict[str, Any]] = [dict(registry.source(ID + doc, text)) for doc, text in evidence]
    quoted = {doc for doc, _ in evidence}
    for name in sorted(sources):
        if name in quoted:
            continue
        if ID + name in registry.documents:
            out.append(dict(registry.source(ID + name)))
            continue
        graph = prov.graphs.get(name)
        out.append(
            {
                "id": name,
                "title": graph.title if graph else name,
                "publisher": None,
                "date": None,
                "issued": None,
                "excerpt": None,
                "reason": graph.reason if graph else reason,
            }
        )
    return tuple(out)


def flat_sources(data: dict[str, Any]) -> dict[str, str | bool]:
    """The provenance of an edge as GraphML/GEXF attributes: ``sources`` (its citations,
    JSON-encoded), ``documents`` (ids, ``;``-joined), ``excerpt`` (the first one),
    ``curation_only`` and ``reason``."""
    cited = list(data.get("citations", ()))
    attrs: dict[str, str | bool] = {
        "sources": json.dumps(cited, ensure_ascii=False),
        "documents": ";".join(data["sources"]),
        "curation_only": bool(data.get("curation_only")),
    }
    if excerpt := first_excerpt(data):
        attrs["excerpt"] = excerpt
    if data.get("reason"):
        attrs["reason"] = data["reason"]
    return attrs


def first_excerpt(data: dict[str, Any]) -> str | None:
    """The first excerpt an edge quotes (as the read model cleans it), or ``None``."""
    return next((c["excerpt"] for c in data.get("citations", ()) if c.get("excerpt")), None)


def cited_graphs(prov: Provenance) -> dict[str, dict[str, str]]:
    """The non-document graphs as plain dicts (the network graph's ``cited_graphs``)."""
    return {
        name: {"id": g.id, "title": g.title, "reason": g.reason, "kind": g.kind}
        for name, g in sorted(prov.graphs.items())
    }
