"""Read the actor network out of the store: typed nodes, typed edges, each with its sources.

The edges come from the ``queries/network-*.rq`` named queries; each row carries the named
graph that states the fact, and the graph's name is the edge's source (a document id, or
``entities`` / ``reference/...`` for the register and the reference data). Types and labels
of the nodes are read by point lookups on the store's index.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import networkx as nx
import pyoxigraph as ox

from tdi_graph.gctools import gc_paused
from tdi_graph.namespaces import ID, TDI
from tdi_graph.network_nodes import (
    NodeInfo,
    Presentation,
    describe,
    documents,
    iso_date,
    read_presentation,
    rows,
)
from tdi_graph.network_sources import (
    Carrier,
    Provenance,
    cited_graphs,
    edge_provenance,
    read_provenance,
)
from tdi_graph.rdftypes import value_of
from tdi_graph.view import Document, Registry, graph_name, local_id, local_name

_INTERCOMMUNALITY = ox.NamedNode(TDI + "intercommunality")
_COG_GRAPH = "reference/cog2026"


class _Edge:
    """One edge being collected (slots: cheap to make by the hundred thousand)."""

    __slots__ = ("u", "v", "relation", "sources", "carriers", "dates", "attrs", "sets")

    def __init__(self, u: str, v: str, relation: str) -> None:
        self.u, self.v, self.relation = u, v, relation
        self.sources: set[str] = set()
        self.carriers: set[Carrier] = set()
        self.dates: set[str] = set()
        self.attrs: dict[str, Any] = {}
        self.sets: dict[str, set[str]] = {}


class EdgeSet:
    """Edges being collected: facts stated in several graphs merge into one edge."""

    def __init__(self) -> None:
        self.edges: dict[tuple[str, str, str], _Edge] = {}

    def add(
        self,
        u: str | None,
        v: str | None,
        relation: str,
        source: str,
        *,
        key: str | None = None,
        date: str | None = None,
        many: dict[str, str | None] | None = None,
        by: Iterable[str | None] = (),
        predicate: str | None = None,
        **attrs: Any,
    ) -> None:
        """Add (or merge into) the edge ``u -relation-> v``; ``many`` values accumulate.

        ``by`` names the resources (IRIs) whose evidence in ``source`` states the edge,
        through ``predicate`` if one triple does."""
        if not u or not v or u == v:
            return
        ident = (u, v, key or relation)
        edge = self.edges.get(ident)
        if edge is None:
            edge = self.edges[ident] = _Edge(u, v, relation)
        edge.sources.add(source)
        edge.carriers.update((source, iri, predicate) for iri in by if iri)
        if date:
            edge.dates.add(date)
        for name, value in attrs.items():
            if value is not None and name not in edge.attrs:
                edge.attrs[name] = value
        if many:
            for name, value in many.items():
                if value:
                    edge.sets.setdefault(name, set()).add(value)

    def endpoints(self) -> set[str]:
        """Every node id an edge touches."""
        return {n for u, v, _ in self.edges for n in (u, v)}

    def items(self) -> Iterator[tuple[str, _Edge]]:
        """(key, edge) pairs."""
        return ((key, edge) for (_, _, key), edge in self.edges.items())


def collect_edges(store: ox.Store, presentation: Presentation) -> EdgeSet:
    """Every edge the sources state, from the ``network-*`` named queries; the predicates of
    the simple links map to relations as ``ontology/presentation.ttl`` says."""
    edges = EdgeSet()
    _posts(store, edges)
    _signatures(store, edges)
    _commitments(store, edges)
    _projects(store, edges)
    for name, columns in (
        ("network-hierarchy", "g child link parent"),
        ("network-agreements", "g agreement link other"),
        ("network-programmes", "g thing link actor"),
        ("network-places", "g thing link place"),
    ):
        for g, s, link, o in rows(store, name, columns):
            relation, backwards = presentation.link(link)
            u, v = (local_id(o), local_id(s)) if backwards else (local_id(s), local_id(o))
            edges.add(u, v, relation, graph_name(g or ""), by=(s,), predicate=link)
    for g, event, link, other, date in rows(store, "network-events", "g event link other date"):
        relation, backwards = presentation.link(link)
        u, v = (
            (local_id(other), local_id(event)) if backwards else (local_id(event), local_id(other))
        )
        edges.add(
            u, v, relation, graph_name(g or ""), date=iso_date(date), by=(event,), predicate=link
        )
    return edges


def _posts(store: ox.Store, edges: EdgeSet) -> None:
    for g, post, person, org, role, title, date in rows(
        store, "network-posts", "g post person org role title date"
    ):
        edges.add(
            local_id(person),
            local_id(org),
            "holds-post-in",
            graph_name(g or ""),
            date=iso_date(date),
            by=(post,),
            many={"role": local_name(role) if role else None, "title": title},
        )


def _signatures(store: ox.Store, edges: EdgeSet) -> None:
    acts: dict[str, dict[str, Any]] = {}
    columns = "g act agreement signatory person org date event place"
    for g, act_iri, agreement, signatory, person, org, date, event, _ in rows(
        store, "network-signatures", columns
    ):
        act = acts.setdefault(act_iri or "", {"signers": {}, "sources": set(), "iri": act_iri})
        act["agreement"], act["date"], act["event"] = (
            local_id(agreement),
            iso_date(date),
            local_id(event),
        )
        act["sources"].add(graph_name(g or ""))
        act["signers"][signatory] = (local_id(person), local_id(org))
    for act in acts.values():
        agreement, date, event = act["agreement"], act["date"], act["event"]
        by = (act["iri"],)
        signers = list(act["signers"].values())
        actors = sorted({person or org for person, org in signers if person or org})
        for source in act["sources"]:
            for person, org in signers:
                edges.add(
                    person or org,
                    agreement,
                    "signed",
                    source,
                    date=date,
                    many={"event": event},
                    by=by,
                )
                edges.add(
                    person,
                    org,
                    "signed-for",
                    source,
                    date=date,
                    many={"agreement": agreement},
                    by=by,
                )
            edges.add(agreement, event, "signed-during", source, date=date, by=by)
            for i, a in enumerate(actors):
                for b in actors[i + 1 :]:
                    edges.add(
                        a,
                        b,
                        "co-signed-with",
                        source,
                        date=date,
                        derived=True,
                        many={"agreement": agreement},
                        by=by,
                    )


def _commitments(store: ox.Store, edges: EdgeSet) -> None:
    found: dict[str, dict[str, Any]] = {}
    columns = "g commitment actor target programme amount label parent"
    for g, iri, actor, target, programme, amount, label, parent in rows(
        store, "network-commitments", columns
    ):
        c = found.setdefault(
            iri or "", {"actors": set(), "targets": set(), "programmes": set(), "sources": set()}
        )
        c["actors"].add(local_id(actor))
        c["targets"].add(local_id(target))
        c["programmes"].add(local_id(programme))
        c["sources"].add(graph_name(g or ""))
        if amount is not None:
            c["amount"] = float(amount)
        c["label"] = c.get("label") or label
        c["parent"] = c.get("parent") or local_id(parent)
    for iri, c in found.items():
        cid = local_id(iri) or iri
        targets = (c["targets"] - {None}) or (c["programmes"] - {None})
        for actor in c["actors"] - {None}:
            for target in targets:
                for source in c["sources"]:
                    edges.add(
                        actor,
                        target,
                        "committed",
                        source,
                        key=f"committed:{cid}",
                        commitment=cid,
                        commitment_label=c["label"],
                        amount=c.get("amount"),
                        part_of=c["parent"],
                        by=(iri,),
                    )


def _projects(store: ox.Store, edges: EdgeSet) -> None:
    columns = "g project link actor commitment amount"
    for g, project, link, actor, commitment, amount in rows(store, "network-projects", columns):
        source = graph_name(g or "")
        if (link or "").endswith("beneficiary"):
            edges.add(
                local_id(actor),
                local_id(project),
                "benefits-from",
                source,
                by=(project,),
                predicate=link,
            )
            continue
        cid = local_id(commitment) or ""
        edges.add(
            local_id(actor),
            local_id(project),
            "funded",
            source,
            key=f"funded:{cid}",
            commitment=cid,
            amount=None if amount is None else float(amount),
            by=(project, commitment),
        )


def _territory_edges(
    store: ox.Store, edges: EdgeSet, territories: set[str], presentation: Presentation
) -> None:
    """Regions and member groupements of the territories the sources speak of."""
    member_of, _ = presentation.link(TDI + "groupement")
    located_in, _ = presentation.link(TDI + "region")
    seen: set[str] = set()
    columns = "g territory region member memberLabel"
    for g, territory_iri, region, member, _ in rows(store, "network-territories", columns):
        territory = local_id(territory_iri)
        if territory not in territories:
            continue
        source = graph_name(g or "")
        edges.add(local_id(member), territory, member_of, source, by=(territory_iri,))
        if territory not in seen:
            seen.add(territory)
            edges.add(territory, local_id(region), located_in, source, by=(territory_iri,))


def read_network(store: ox.Store, registry: Registry | None = None) -> nx.MultiDiGraph:
    """The full actor network of the store, without metrics; node types, labels and
    documents come from the read model (``registry``, built from the store if not given)."""
    with gc_paused():
        return _read_network(store, registry or Registry.build(store))


def _read_network(store: ox.Store, registry: Registry) -> nx.MultiDiGraph:
    presentation = read_presentation(store)
    edges = collect_edges(store, presentation)
    infos: dict[str, NodeInfo | None] = {}

    def info(node: str) -> NodeInfo | None:
        if node not in infos:
            infos[node] = describe(registry, node)
        return infos[node]

    territories = {n for n in edges.endpoints() if (i := info(n)) and i.type == "territory"}
    _territory_edges(store, edges, territories, presentation)
    for node in list(edges.endpoints()):
        found = info(node)
        if found and found.cls == "Commune":
            term = ox.NamedNode(ID + node)
            for quad in store.quads_for_pattern(term, _INTERCOMMUNALITY, None, None):
                named = quad.graph_name
                source = named.value if isinstance(named, ox.NamedNode) else _COG_GRAPH
                edges.add(
                    node,
                    local_id(value_of(quad.object)),
                    presentation.link(_INTERCOMMUNALITY.value)[0],
                    graph_name(source),
                    by=(term.value,),
                    predicate=_INTERCOMMUNALITY.value,
                )
    docs = documents(registry)
    prov = read_provenance(store)
    graph = nx.MultiDiGraph(
        name="tdi-graph actor network",
        documents=docs,
        cited_graphs=cited_graphs(prov),
        node_types=presentation.node_types,
        relations=presentation.relations,
    )
    node_sources: dict[str, set[str]] = defaultdict(set)
    for key, edge in edges.items():
        a, b = info(edge.u), info(edge.v)
        if a is None or b is None:
            continue
        for node, found in ((edge.u, a), (edge.v, b)):
            if node not in graph:
                graph.add_node(
                    node,
                    label=found.label,
                    type=found.type,
                    class_label=found.class_label,
                    class_label_en=found.class_label_en,
                    **{"class": found.cls},
                )
            node_sources[node].update(edge.sources)
        graph.add_edge(edge.u, edge.v, key=key, **_edge_attrs(edge, docs, prov, registry))
    for node, data in graph.nodes(data=True):
        data["sources"] = tuple(sorted(node_sources[node]))
    return graph


def _edge_attrs(
    edge: _Edge, docs: dict[str, Document], prov: Provenance, registry: Registry
) -> dict[str, Any]:
    """The attributes of an edge: relation, sources, their excerpts (or the reason the edge
    stands without one), date (the fact's, else its sources')."""
    attrs: dict[str, Any] = {"relation": edge.relation, "sources": tuple(sorted(edge.sources))}
    attrs.update(edge_provenance(prov, registry, edge, docs))
    dates = edge.dates or {d for s in edge.sources if s in docs and (d := docs[s].get("date"))}
    if dates:
        attrs["date"] = min(dates)
    attrs.update(edge.attrs)
    for name, values in edge.sets.items():
        attrs[name] = tuple(sorted(values))
    return attrs
