"""The actor network of the programme, built from the store with networkx.

Nodes are persons, organisations, programme territories, events, agreements, programmes,
projects and places; typed edges keep the documents that state them in ``sources`` and
their excerpts in ``evidence``. Node types, colours and relations are data
(``ontology/presentation.ttl``): a built graph carries them as ``graph.graph["node_types"]``
and ``graph.graph["relations"]``. ``build`` reads the network, ``view`` filters and projects
it, ``export`` writes GraphML, GEXF, Cytoscape.js JSON, PNG or SVG, ``stats_report`` ranks
the actors.

The pieces live in ``network_nodes`` and ``network_model`` (reading), ``network_sources``
(provenance), ``network_metrics``, ``network_views``, ``network_export`` (formats) and
``network_drawing``; this module is the public face.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any, NoReturn, TypedDict, Unpack

import networkx as nx
import pyoxigraph as ox
from cachetools import LRUCache

from tdi_graph import network_metrics
from tdi_graph.errors import BadRequest, NotFound
from tdi_graph.network_drawing import DRAW_MAX_NODES, colours
from tdi_graph.network_export import export, to_cytoscape
from tdi_graph.network_model import read_network
from tdi_graph.network_options import (
    ACTOR_TYPES,
    FORMATS,
    MAX_DEPTH,
    MEDIA_TYPES,
    METRICS,
    PROJECTIONS,
)
from tdi_graph.network_views import ego, filter_graph, project
from tdi_graph.view import Registry

__all__ = [
    "ACTOR_TYPES",
    "DRAW_MAX_NODES",
    "FORMATS",
    "MAX_DEPTH",
    "MEDIA_TYPES",
    "METRICS",
    "PROJECTIONS",
    "Views",
    "build",
    "colours",
    "ego",
    "export",
    "legend",
    "stats_report",
    "to_cytoscape",
    "view",
]


def build(
    store: ox.Store, *, metrics: bool = True, registry: Registry | None = None
) -> nx.MultiDiGraph:
    """The full actor network of ``store``, with node metrics unless ``metrics`` is false
    (labels, node types and documents from ``registry``, built from the store if not given)."""
    graph = read_network(store, registry)
    graph.graph["projection"] = "full"
    return network_metrics.compute(graph) if metrics else graph


def legend(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """What the network page lists: node types (in order), their colours and French labels,
    relations (in order) with their French label and description."""
    types = graph.graph.get("node_types", {})
    return {
        "types": list(types),
        "colours": colours(graph),
        "type_labels": {name: t.get("label") or name for name, t in types.items()},
        "relations": {
            name: f"{r.get('label') or name} : {r.get('description') or ''}".strip(" :")
            for name, r in graph.graph.get("relations", {}).items()
        },
    }


class ViewOptions(TypedDict, total=False):
    """The parameters of :func:`view` that choose what is seen (for :meth:`Views.export`)."""

    projection: str
    types: Iterable[str]
    relations: Iterable[str]
    since: dt.date | None
    until: dt.date | None
    focus: str | None
    depth: int


def view(
    graph: nx.MultiDiGraph,
    *,
    projection: str = "full",
    types: Iterable[str] = (),
    relations: Iterable[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    focus: str | None = None,
    depth: int = 2,
    metrics: bool = True,
) -> nx.MultiDiGraph:
    """A projection of the network, filtered, optionally cut to the ego network of ``focus``.

    Metrics are those of the projected and filtered network (recomputed when either changes
    it); the ego network keeps them, so a node's rank stays its rank in the whole view.
    With ``metrics`` false none are computed (large graphs: Louvain takes minutes at 100 000).
    """
    types, relations = tuple(types), tuple(relations)
    if focus is not None and focus not in graph:
        raise_missing(focus)
    if not 0 <= depth <= MAX_DEPTH:
        raise BadRequest(f"depth must be between 0 and {MAX_DEPTH}, not {depth}")
    out = project(graph, projection)
    out.graph["projection"] = projection
    if types or relations or since or until:
        out = filter_graph(
            out, types=types, relations=relations, since=since, until=until, keep=focus
        )
    if metrics and (out is not graph or not graph.graph.get("metrics")):
        network_metrics.compute(out)
    if focus is not None:
        if focus not in out:
            raise_missing(focus, filtered=True)
        out = ego(out, focus, depth)
    return out


def raise_missing(focus: str, filtered: bool = False) -> NoReturn:
    """Raise :class:`~tdi_graph.errors.NotFound` for a focus that is not in the network."""
    where = "this view of the network" if filtered else "the network"
    raise NotFound(f"{focus!r} is not a node of {where}")


def stats_report(graph: nx.MultiDiGraph, top: int = 10) -> str:
    """The network's size, then its top actors (persons, organisations) by each metric."""
    if not graph.graph.get("metrics"):
        network_metrics.compute(graph)
    types = Counter(data["type"] for _, data in graph.nodes(data=True))
    relations = Counter(data["relation"] for _, _, data in graph.edges(data=True))
    sources = {s for _, _, data in graph.edges(data=True) for s in data["sources"]}
    lines = [
        f"Actor network: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, "
        f"{len(sources)} sources",
        "nodes by type: " + ", ".join(f"{k} {n}" for k, n in types.most_common()),
        "edges by relation: " + ", ".join(f"{k} {n}" for k, n in relations.most_common()),
        f"betweenness: {graph.graph.get('betweenness_method', 'exact')}",
    ]
    for metric in METRICS:
        lines += ["", f"Top {top} actors by {metric.replace('_', ' ')}"]
        for rank, node in enumerate(network_metrics.top(graph, metric, top, ACTOR_TYPES), 1):
            data = graph.nodes[node]
            value = data[metric]
            shown = f"{value:d}" if isinstance(value, int) else f"{value:.4f}"
            lines.append(f"{rank:>3}. {data['label'][:48]:<48} {data['type']:<13} {shown:>10}")
    groups = Counter(data["community"] for _, data in graph.nodes(data=True))
    lines += ["", f"Communities (Louvain, seed {network_metrics.SEED}): {len(groups)}"]
    for community, size in sorted(groups.items(), key=lambda item: (-item[1], item[0]))[:top]:
        members = [
            n
            for n in network_metrics.top(graph, "pagerank", graph.number_of_nodes(), ACTOR_TYPES)
            if graph.nodes[n]["community"] == community
        ][:4]
        names = ", ".join(graph.nodes[n]["label"] for n in members) or "(no actor)"
        lines.append(f"{community:>3}. {size:>4} nodes - {names}")
    return "\n".join(lines)


class Views:
    """The network of one store, built once, and its exports, each computed once per set of
    parameters (the store does not change under it; a new build is a new ``Views``).

    The key of an export is its normalised parameters: names sorted and deduplicated, the
    drawing metric only for PNG and SVG. At most ``size`` exports are kept (LRU).
    """

    def __init__(self, store: ox.Store, size: int = 64, registry: Registry | None = None) -> None:
        self.store = store
        self.registry = registry
        self.exports: LRUCache[tuple[Any, ...], bytes] = LRUCache(maxsize=max(size, 1))
        self._graph: nx.MultiDiGraph | None = None
        self._lock = threading.Lock()
        self.computed = 0  # exports computed (not served from the cache), for tests

    def graph(self) -> nx.MultiDiGraph:
        """The full network with its metrics (built on first use)."""
        with self._lock:
            if self._graph is None:
                self._graph = build(self.store, registry=self.registry)
            return self._graph

    def export(self, fmt: str, *, metric: str = "degree", **options: Unpack[ViewOptions]) -> bytes:
        """:func:`export` of :func:`view` (``options`` are its parameters), from the cache when
        these parameters were seen."""
        options["types"] = tuple(sorted(set(options.get("types", ()))))
        options["relations"] = tuple(sorted(set(options.get("relations", ()))))
        drawn = metric if fmt in ("png", "svg") else ""
        key = (fmt, drawn, *sorted(options.items()))
        with self._lock:
            found = self.exports.get(key)
        if found is not None:
            return found
        data = export(view(self.graph(), **options), fmt, metric=metric)
        with self._lock:
            self.exports[key] = data
            self.computed += 1
        return data
