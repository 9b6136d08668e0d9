"""Static drawings of the actor network (PNG, SVG): a seeded force-directed layout, nodes
coloured by type (the colours of ``ontology/presentation.ttl``) and sized by a metric."""

from __future__ import annotations

import io
from typing import Any

import networkx as nx
import numpy as np

from tdi_graph.errors import BadRequest
from tdi_graph.network_metrics import SEED, simple_graph
from tdi_graph.network_options import METRICS

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


#: The metrics as a legend names them.
METRIC_NAMES = {
    "degree": "degré",
    "weighted_degree": "degré pondéré",
    "betweenness": "intermédiarité",
    "pagerank": "PageRank",
    "community": "communauté",
}
_OFFSETS = ((5, 4), (5, -11), (-5, 4), (-5, -11), (0, 9), (0, -15))  # points, tried in turn
LABEL_SIZE = 9


def type_names(graph: nx.MultiDiGraph) -> dict[str, str]:
    """Node type -> its (French) label from the graph's ``node_types``, else the type's name."""
    types = graph.graph.get("node_types", {})
    return {name: str(types.get(name, {}).get("label") or name) for name in colours(graph)}


def _place_labels(
    ax: Any, renderer: Any, items: list[tuple[str, tuple[float, float]]], reserved: list
) -> list:
    """Write each label next to its node at the first offset where its box overlaps neither an
    already written label nor the legend; a label that finds no room is left out (the most
    important come first). Returns the boxes written, in display units."""
    placed: list[Any] = []
    frame = ax.get_window_extent(renderer)
    for text, (x, y) in items:
        taken = placed + reserved
        for dx, dy in _OFFSETS:
            label = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha="left" if dx >= 0 else "right",
                fontsize=LABEL_SIZE,
                zorder=3,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
            )
            box = label.get_window_extent(renderer).expanded(1.02, 1.05)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
            if inside and box.y1 <= frame.y1 and not any(box.overlaps(o) for o in taken):
                placed.append(box)
                break
            label.remove()
    return placed


def draw(graph: nx.MultiDiGraph, fmt: str = "png", metric: str = "degree") -> bytes:
    """A static drawing (PNG or SVG) for publication: colour by type, size by ``metric``,
    labels that do not overlap, a legend and a title in French."""
    return _figure(graph, metric)[0](fmt)


def _figure(graph: nx.MultiDiGraph, metric: str) -> tuple[Any, list]:
    """The drawing's saver (format -> bytes) and the boxes of its labels."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
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
    # nodes with no link in this view say nothing about the network: left out, and counted
    isolated = [
        node for node in graph if graph.degree(node) == 0 and node != graph.graph.get("focus")
    ]
    graph = graph.subgraph([node for node in graph if node not in set(isolated)])
    n = graph.number_of_nodes()
    simple = simple_graph(graph)
    pos = layout(simple, iterations=150)
    fig = Figure(figsize=(14, 10), dpi=150)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.93))
    ax.set_axis_off()
    segments = [(pos[u], pos[v]) for u, v in simple.edges()]
    ax.add_collection(LineCollection(segments, colors="#b8bfcc", linewidths=0.6, zorder=1))
    values = {node: float(data.get(metric, 0) or 0) for node, data in graph.nodes(data=True)}
    top = max(values.values(), default=0) or 1.0
    palette = colours(graph)
    names = type_names(graph)
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
    handles = [
        Line2D([], [], marker="o", linestyle="", color=palette[k], markersize=8, label=names[k])
        for k in present
    ]
    legend = ax.legend(
        handles=handles, loc="lower left", fontsize=9, frameon=True, title="Type de nœud"
    )
    ax.set_xlim(-0.05, 1.12)
    ax.set_ylim(-0.05, 1.05)
    renderer = canvas.get_renderer()
    order = sorted(graph.nodes, key=lambda node: (-values[node], node))
    items = []
    for node in order:
        label = str(graph.nodes[node].get("label", node))
        items.append((label if len(label) <= 40 else label[:38] + "…", pos[node]))
    boxes = _place_labels(ax, renderer, items, reserved=[legend.get_window_extent(renderer)])
    title = (
        f"Réseau tdi-graph : {n} nœuds, {graph.number_of_edges()} liens, "
        f"taille selon {METRIC_NAMES.get(metric, metric)}"
    )
    if graph.graph.get("focus"):
        focus = graph.graph["focus"]
        label = graph.nodes[focus].get("label", focus) if focus in graph else focus
        title += f", autour de {label} (profondeur {graph.graph.get('depth')})"
    if isolated:
        title += f" ; {len(isolated)} nœuds sans lien omis"
    fig.suptitle(title, fontsize=12)

    def save(fmt: str) -> bytes:
        buffer = io.BytesIO()
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "tdi-graph"}):
            fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        return buffer.getvalue()

    return save, boxes
