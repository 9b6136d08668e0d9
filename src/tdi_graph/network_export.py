"""Exports of the actor network: GraphML and GEXF (Gephi), Cytoscape.js JSON, PNG and SVG.

GraphML and GEXF carry every attribute as a plain string, number or boolean (lists are
joined with ``;``, nothing is ``None``) so that Gephi, Cytoscape and networkx read them back.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy as np
import orjson

from tdi_graph import __version__
from tdi_graph.errors import BadRequest
from tdi_graph.namespaces import ID
from tdi_graph.network_metrics import METRICS, SEED, simple_graph
from tdi_graph.network_nodes import NODE_TYPES
from tdi_graph.network_sources import flat_sources, source_list

FORMATS = ("json", "graphml", "gexf", "png", "svg")
MEDIA_TYPES = {
    "json": "application/json",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "png": "image/png",
    "svg": "image/svg+xml",
}
#: Node colours by type, shared by the drawings and the interactive page.
TYPE_COLOURS = {
    "person": "#e4572e",
    "organisation": "#1f5fbf",
    "territory": "#2a9d4b",
    "agreement": "#f2a541",
    "programme": "#8e44ad",
    "event": "#17a2b8",
    "project": "#c2185b",
    "place": "#8d99ae",
}
#: Largest network the drawings lay out (the layout is quadratic in the number of nodes).
DRAW_MAX_NODES = 2000
_GRAPH_SCALARS = ("name", "betweenness_method", "focus", "depth", "projection")


def _scalar(value: Any) -> str | int | float | bool | None:
    """A GraphML/GEXF-safe value: lists joined with ``;``, ``None`` stays ``None`` (dropped)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(str(v) for v in value)
    return str(value)


def _flat(data: dict[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    out = {}
    for name, value in data.items():
        if name in skip:
            continue
        flat = _scalar(value)
        if flat is not None:
            out[name] = flat
    return out


def flat_copy(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``graph`` whose attributes are all strings, numbers or booleans."""
    out = nx.MultiDiGraph()
    out.graph.update(_graph_attrs(graph))
    for node, data in graph.nodes(data=True):
        out.add_node(node, **_node_attrs(node, data))
    for u, v, key, data in graph.edges(keys=True, data=True):
        out.add_edge(u, v, key=key, **_edge_attrs(data, graph.graph))
    return out


def _graph_attrs(graph: nx.MultiDiGraph) -> dict[str, Any]:
    attrs = {k: _scalar(graph.graph[k]) for k in _GRAPH_SCALARS if graph.graph.get(k) is not None}
    attrs["generated_by"] = f"tdi-graph {__version__}"
    return attrs


def _node_attrs(node: str, data: dict[str, Any]) -> dict[str, Any]:
    attrs = _flat(data)
    attrs["iri"] = ID + node
    return attrs


_PROVENANCE = ("sources", "evidence", "curation_only", "reason")


def _edge_attrs(data: dict[str, Any], graph: dict[str, Any]) -> dict[str, Any]:
    attrs = _flat(data, skip=_PROVENANCE)
    docs, cited = graph.get("documents", {}), graph.get("cited_graphs", {})
    attrs.update(flat_sources(data, docs, cited))
    attrs.setdefault("label", data["relation"])
    attrs["weight"] = 1.0
    return attrs


def _xml_type(types: set[type], names: dict[type, str]) -> str:
    """The declared type of an attribute from the Python types of its values."""
    if types <= {bool}:
        return names[bool]
    if types <= {int}:
        return names[int]
    if types <= {int, float}:
        return names[float]
    return names[str]


def _declare(rows: list[dict[str, Any]], names: dict[type, str]) -> dict[str, str]:
    """Attribute name -> declared type, for every attribute some row has."""
    found: dict[str, set[type]] = {}
    for row in rows:
        for name, value in row.items():
            found.setdefault(name, set()).add(type(value))
    return {name: _xml_type(types, names) for name, types in found.items()}


def _text(value: Any, declared: str) -> str:
    """The lexical form of a value for its declared type (not escaped)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if declared == "double" and not isinstance(value, float):
        value = float(value)
    return str(value)


def _elements(graph: nx.MultiDiGraph) -> tuple[list, list]:
    nodes = [(node, _node_attrs(node, data)) for node, data in graph.nodes(data=True)]
    edges = [
        (u, v, key, _edge_attrs(data, graph.graph))
        for u, v, key, data in graph.edges(keys=True, data=True)
    ]
    return nodes, edges


_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def to_graphml(graph: nx.MultiDiGraph) -> bytes:
    """GraphML with typed keys: ``label``, ``type``, ``class``, metrics, ``relation``, ``sources``.

    Edge ids are unique (``e0``, ``e1``...); the networkx key of each edge is its ``edge_key`` data.
    """
    nodes, edges = _elements(graph)
    graph_attrs = _graph_attrs(graph)
    scopes = {
        "graph": _declare([graph_attrs], _GRAPHML_TYPES),
        "node": _declare([a for _, a in nodes], _GRAPHML_TYPES),
        "edge": _declare([{**a, "edge_key": k} for _, _, k, a in edges], _GRAPHML_TYPES),
    }
    ids = {}
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
    ]
    for scope, declared in scopes.items():
        for name, kind in declared.items():
            ident = ids[(scope, name)] = f"d{len(ids)}"
            out.append(
                f'  <key id="{ident}" for="{scope}" attr.name={quoteattr(name)} '
                f'attr.type="{kind}" />\n'
            )
    out.append('  <graph edgedefault="directed">\n')

    def data(scope: str, attrs: dict[str, Any], indent: str) -> None:
        for name, value in attrs.items():
            kind = scopes[scope][name]
            text = escape(_text(value, kind))
            out.append(f'{indent}<data key="{ids[(scope, name)]}">{text}</data>\n')

    data("graph", graph_attrs, "    ")
    for node, attrs in nodes:
        out.append(f"    <node id={quoteattr(node)}>\n")
        data("node", attrs, "      ")
        out.append("    </node>\n")
    for i, (u, v, key, attrs) in enumerate(edges):
        out.append(f'    <edge id="e{i}" source={quoteattr(u)} target={quoteattr(v)}>\n')
        data("edge", {**attrs, "edge_key": key}, "      ")
        out.append("    </edge>\n")
    out.append("  </graph>\n</graphml>\n")
    return "".join(out).encode("utf-8")


_GEXF_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}


def to_gexf(graph: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 (Gephi's format): node labels and colours, edge labels (the relation), weights.

    Every other attribute is a declared GEXF attribute; edge ids are unique (``e0``...).
    """
    nodes, edges = _elements(graph)
    node_decl = _declare(
        [{k: v for k, v in a.items() if k != "label"} for _, a in nodes], _GEXF_TYPES
    )
    edge_decl = _declare(
        [
            {k: v for k, v in a.items() if k not in ("label", "weight")} | {"edge_key": k_}
            for _, _, k_, a in edges
        ],
        _GEXF_TYPES,
    )
    node_ids = {name: str(i) for i, name in enumerate(node_decl)}
    edge_ids = {name: str(i) for i, name in enumerate(edge_decl)}
    name = escape(str(graph.graph.get("name", "tdi-graph")))
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n"
        '<gexf xmlns="http://www.gexf.net/1.2draft" '
        'xmlns:viz="http://www.gexf.net/1.2draft/viz" version="1.2">\n'
        f"  <meta><creator>tdi-graph {__version__}</creator>"
        f"<description>{name}</description></meta>\n"
        '  <graph defaultedgetype="directed" mode="static">\n'
    ]
    for scope, declared, ids in (("node", node_decl, node_ids), ("edge", edge_decl, edge_ids)):
        out.append(f'    <attributes class="{scope}" mode="static">\n')
        for attr, kind in declared.items():
            out.append(
                f'      <attribute id="{ids[attr]}" title={quoteattr(attr)} type="{kind}" />\n'
            )
        out.append("    </attributes>\n")

    def values(attrs: dict[str, Any], declared: dict[str, str], ids: dict[str, str]) -> None:
        out.append("        <attvalues>\n")
        for attr, value in attrs.items():
            text = quoteattr(_text(value, declared[attr]))
            out.append(f'          <attvalue for="{ids[attr]}" value={text} />\n')
        out.append("        </attvalues>\n")

    out.append("    <nodes>\n")
    for node, attrs in nodes:
        label = attrs.pop("label", node)
        out.append(f"      <node id={quoteattr(node)} label={quoteattr(str(label))}>\n")
        values(attrs, node_decl, node_ids)
        r, g, b = _rgb(TYPE_COLOURS.get(str(attrs.get("type")), "#888888"))
        out.append(f'        <viz:color r="{r}" g="{g}" b="{b}" />\n      </node>\n')
    out.append("    </nodes>\n    <edges>\n")
    for i, (u, v, key, attrs) in enumerate(edges):
        label = attrs.pop("label", attrs.get("relation", ""))
        weight = attrs.pop("weight", 1.0)
        out.append(
            f'      <edge id="e{i}" source={quoteattr(u)} target={quoteattr(v)} '
            f'label={quoteattr(str(label))} weight="{float(weight)}">\n'
        )
        values({**attrs, "edge_key": key}, edge_decl, edge_ids)
        out.append("      </edge>\n")
    out.append("    </edges>\n  </graph>\n</gexf>\n")
    return "".join(out).encode("utf-8")


def _rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` -> (r, g, b)."""
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def to_cytoscape(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Cytoscape.js JSON (``elements.nodes`` / ``elements.edges``), plus the source documents.

    In an edge's ``data``, ``source`` and ``target`` are node ids (Cytoscape's names);
    the documents an edge comes from are its ``sources``.
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
        item = {k: v for k, v in data.items() if k not in _PROVENANCE}
        evidence = data.get("evidence", ())
        item.update(
            sources=source_list(data, docs, graphs),
            documents=list(data["sources"]),
            excerpt=evidence[0][1] if evidence else None,
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
        type_colours=TYPE_COLOURS,
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


def layout(graph: nx.Graph, iterations: int = 60) -> dict[str, tuple[float, float]]:
    """Force-directed positions (Fruchterman-Reingold, numpy, seeded), in [0, 1]²."""
    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    if n == 1:
        return {nodes[0]: (0.5, 0.5)}
    index = {node: i for i, node in enumerate(nodes)}
    edges = np.array([(index[u], index[v]) for u, v in graph.edges() if u != v], dtype=np.int64)
    edges = edges.reshape(-1, 2)
    pos = np.random.default_rng(SEED).random((n, 2)).astype(np.float32)
    k = np.float32(1.0 / np.sqrt(n))
    step = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist2 = np.maximum((delta**2).sum(-1), 1e-6)
        disp = (delta * (k * k / dist2)[:, :, None]).sum(1)
        if len(edges):
            d = pos[edges[:, 0]] - pos[edges[:, 1]]
            force = d * (np.linalg.norm(d, axis=1)[:, None] / k)
            np.subtract.at(disp, edges[:, 0], force)
            np.add.at(disp, edges[:, 1], force)
        # a weak pull to the centre keeps separate components on the page
        disp -= (pos - 0.5) * (k * 0.5)
        length = np.maximum(np.linalg.norm(disp, axis=1), 1e-9)[:, None]
        pos += disp / length * np.minimum(length, step)
        step = max(step * 0.95, 0.002)
    lo, hi = pos.min(0), pos.max(0)
    span = np.where(hi - lo > 0, hi - lo, 1)
    pos = (pos - lo) / span
    return {node: (float(pos[i, 0]), float(pos[i, 1])) for i, node in enumerate(nodes)}


def draw(graph: nx.MultiDiGraph, fmt: str = "png", metric: str = "degree") -> bytes:
    """A static drawing (PNG or SVG): colour by type, size by ``metric``, a legend."""
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    n = graph.number_of_nodes()
    if n > DRAW_MAX_NODES:
        raise BadRequest(
            f"{n} nodes is too many to draw (at most {DRAW_MAX_NODES}): "
            "use focus, type or relation filters"
        )
    if metric not in (*METRICS, "community"):
        raise BadRequest(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
    simple = simple_graph(graph)
    pos = layout(simple)
    fig = Figure(figsize=(12, 9), dpi=100)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.93))
    ax.set_axis_off()
    segments = [(pos[u], pos[v]) for u, v in simple.edges()]
    ax.add_collection(LineCollection(segments, colors="#b8bfcc", linewidths=0.6, zorder=1))
    values = {node: float(data.get(metric, 0) or 0) for node, data in graph.nodes(data=True)}
    top = max(values.values(), default=0) or 1.0
    present = []
    for kind in NODE_TYPES:
        members = [node for node, data in graph.nodes(data=True) if data["type"] == kind]
        if not members:
            continue
        present.append(kind)
        ax.scatter(
            [pos[m][0] for m in members],
            [pos[m][1] for m in members],
            s=[30 + 370 * values[m] / top for m in members],
            c=TYPE_COLOURS[kind],
            edgecolors="white",
            linewidths=0.6,
            zorder=2,
        )
    shown = sorted(graph.nodes, key=lambda node: -values[node])[: n if n <= 60 else 30]
    for node in shown:
        x, y = pos[node]
        label = str(graph.nodes[node].get("label", node))
        ax.annotate(
            label[:40], (x, y), xytext=(4, 4), textcoords="offset points", fontsize=7, zorder=3
        )
    handles = [
        Line2D([], [], marker="o", linestyle="", color=TYPE_COLOURS[k], markersize=8, label=k)
        for k in present
    ]
    ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True, title="type")
    ax.set_xlim(-0.05, 1.1)
    ax.set_ylim(-0.05, 1.05)
    title = f"tdi-graph - {n} nodes, {graph.number_of_edges()} edges, size by {metric}"
    if graph.graph.get("focus"):
        title += f" - around {graph.graph['focus']} (depth {graph.graph.get('depth')})"
    fig.suptitle(title, fontsize=11)
    buffer = io.BytesIO()
    import matplotlib

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "tdi-graph"}):
        fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()


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
