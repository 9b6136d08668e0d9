"""Static drawings of the actor network (PNG, SVG): a seeded force-directed layout, nodes
coloured by type (the colours of ``ontology/presentation.ttl``) and sized by a metric."""

from __future__ import annotations

import io

import networkx as nx
import numpy as np

from tdi_graph.errors import BadRequest
from tdi_graph.network_metrics import METRICS, SEED, simple_graph

#: Largest network the drawings lay out (the layout is quadratic in the number of nodes).
DRAW_MAX_NODES = 2000
_DEFAULT_COLOUR = "#888888"


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


def colours(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Node type -> colour, in order of precedence, from the graph's ``node_types``; types of
    a graph made by hand without them are grey."""
    table = {name: t["colour"] for name, t in graph.graph.get("node_types", {}).items()}
    for _, data in graph.nodes(data=True):
        table.setdefault(data["type"], _DEFAULT_COLOUR)
    return table


def draw(graph: nx.MultiDiGraph, fmt: str = "png", metric: str = "degree") -> bytes:
    """A static drawing (PNG or SVG): colour by type, size by ``metric``, a legend."""
    import matplotlib
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
    palette = colours(graph)
    present = []
    for kind, colour in palette.items():
        members = [node for node, data in graph.nodes(data=True) if data["type"] == kind]
        if not members:
            continue
        present.append(kind)
        ax.scatter(
            [pos[m][0] for m in members],
            [pos[m][1] for m in members],
            s=[30 + 370 * values[m] / top for m in members],
            c=colour,
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
        Line2D([], [], marker="o", linestyle="", color=palette[k], markersize=8, label=k)
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
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "tdi-graph"}):
        fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    return buffer.getvalue()
