"""Exports of the actor network: GraphML and GEXF (Gephi) by networkx's own writers,
Cytoscape.js JSON, and the PNG / SVG drawings of :mod:`tdi_graph.network_drawing`.

GraphML and GEXF are written from :func:`flat_copy`, whose attributes are all plain strings,
numbers or booleans (lists joined with ``;``, the sources JSON-encoded, nothing ``None``,
one numeric type per attribute) so that Gephi, Cytoscape and networkx read them back.
"""

from __future__ import annotations

import io
from typing import Any

import networkx as nx
import orjson

from tdi_graph import __version__
from tdi_graph.errors import BadRequest
from tdi_graph.namespaces import ID
from tdi_graph.network_drawing import colours, draw
from tdi_graph.network_options import FORMATS, METRICS
from tdi_graph.network_sources import first_excerpt, flat_sources

_GRAPH_SCALARS = ("name", "betweenness_method", "focus", "depth", "projection")
#: Edge attributes the exports rewrite as the edge's sources.
_PROVENANCE = ("sources", "evidence", "citations", "curation_only", "reason")


def _scalar(value: Any) -> str | int | float | bool | None:
    """A GraphML/GEXF-safe value: lists joined with ``;``, ``None`` stays ``None`` (dropped)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(str(v) for v in value)
    return str(value)


def _flat(data: dict[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        name: flat
        for name, value in data.items()
        if name not in skip and (flat := _scalar(value)) is not None
    }


def _one_numeric_type(rows: list[dict[str, Any]]) -> None:
    """Make each attribute that mixes int and float values all float (the writers declare
    an attribute's type once), in place."""
    floats = {n for row in rows for n, v in row.items() if isinstance(v, float)}
    for row in rows:
        for name in floats & row.keys():
            if isinstance(row[name], int) and not isinstance(row[name], bool):
                row[name] = float(row[name])


def flat_copy(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose attributes are all strings, numbers or booleans.

    Nodes get their ``iri``; edges get a unique key (``e0``, ``e1``...), the networkx key of
    the edge as ``edge_key``, the relation as ``label``, a ``weight`` and their sources
    (``sources`` JSON-encoded, ``documents``, ``excerpt``, ``curation_only``, ``reason``).
    """
    nodes = [(n, {**_flat(d), "iri": ID + n}) for n, d in graph.nodes(data=True)]
    edges = []
    for i, (u, v, key, data) in enumerate(graph.edges(keys=True, data=True)):
        attrs = _flat(data, skip=_PROVENANCE)
        attrs.update(flat_sources(data))
        attrs.update(edge_key=str(key), label=data["relation"], weight=1.0)
        edges.append((u, v, f"e{i}", attrs))
    _one_numeric_type([a for _, a in nodes])
    _one_numeric_type([a for *_, a in edges])
    out = nx.MultiDiGraph()
    out.graph.update(_flat({k: graph.graph.get(k) for k in _GRAPH_SCALARS}))
    out.graph["generated_by"] = f"tdi-graph {__version__}"
    out.add_nodes_from(nodes)
    out.add_edges_from(edges)
    return out


def to_graphml(graph: nx.MultiDiGraph) -> bytes:
    """GraphML (networkx's writer) with typed keys: ``label``, ``type``, ``class``, metrics,
    ``relation``, the sources; edge ids are unique, the networkx key is ``edge_key``."""
    text = "\n".join(nx.generate_graphml(flat_copy(graph), edge_id_from_attribute=None))
    return text.encode("utf-8")


def to_gexf(graph: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 (Gephi's format, networkx's writer): node labels and colours (by type),
    edge labels (the relation) and weights; every other attribute declared."""
    flat = flat_copy(graph)
    palette = colours(graph)
    for _, data in flat.nodes(data=True):
        r, g, b = _rgb(palette.get(str(data.get("type")), "#888888"))
        data["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}}
    for *_, key, data in flat.edges(keys=True, data=True):
        data["id"] = key
    buffer = io.BytesIO()
    nx.write_gexf(flat, buffer, version="1.2draft")
    return buffer.getvalue()


def _rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` -> (r, g, b)."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def to_cytoscape(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Cytoscape.js JSON (``elements.nodes`` / ``elements.edges``), plus the source documents.

    In an edge's ``data``, ``source`` and ``target`` are node ids (Cytoscape's names); the
    edge's ``sources`` are in the API's ``source`` shape (one per document and excerpt, or
    the cited graph with its ``reason``), ``documents`` are their ids, ``excerpt`` the first.
    """
    nodes = []
    for node, data in graph.nodes(data=True):
        item = {"id": node, **data, "iri": ID + node, "href": f"/id/{node}"}
        nodes.append({"data": item})
    edges = []
    cited: set[str] = set()
    docs = graph.graph.get("documents", {})
    graphs = graph.graph.get("cited_graphs", {})
    for u, v, key, data in graph.edges(keys=True, data=True):
        item = {k: value for k, value in data.items() if k not in _PROVENANCE}
        item.update(
            sources=list(data.get("citations", ())),
            documents=list(data["sources"]),
            excerpt=first_excerpt(data),
            curation_only=bool(data.get("curation_only")),
        )
        if data.get("reason"):
            item["reason"] = data["reason"]
        edges.append({"data": {"id": f"{u}|{v}|{key}", **item, "source": u, "target": v}})
        cited.update(data["sources"])
    meta = {k: graph.graph[k] for k in _GRAPH_SCALARS if graph.graph.get(k) is not None}
    meta.update(
        node_count=graph.number_of_nodes(),
        edge_count=graph.number_of_edges(),
        metrics=list(METRICS) + ["community"],
        type_colours=colours(graph),
        node_types=graph.graph.get("node_types", {}),
        relations=graph.graph.get("relations", {}),
    )
    return {
        "format_version": "1.0",
        "generated_by": f"tdi-graph {__version__}",
        "target_cytoscapejs_version": "~3",
        "data": meta,
        "documents": {d: docs[d] for d in sorted(cited) if d in docs},
        "cited_graphs": {g: graphs[g] for g in sorted(cited) if g in graphs},
        "elements": {"nodes": nodes, "edges": edges},
    }


def to_json(graph: nx.MultiDiGraph) -> bytes:
    """:func:`to_cytoscape` serialised."""
    return orjson.dumps(to_cytoscape(graph))


def export(graph: nx.MultiDiGraph, fmt: str, *, metric: str = "degree") -> bytes:
    """The network in one of ``FORMATS``."""
    if fmt == "json":
        return to_json(graph)
    if fmt == "graphml":
        return to_graphml(graph)
    if fmt == "gexf":
        return to_gexf(graph)
    if fmt in ("png", "svg"):
        return draw(graph, fmt, metric=metric)
    raise BadRequest(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
