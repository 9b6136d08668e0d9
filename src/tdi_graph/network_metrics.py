"""Metrics of the actor network's nodes: degree, weighted degree, betweenness, PageRank, community.

Every metric is computed on the undirected simple graph underneath the multigraph: two nodes
are neighbours if any edge links them, and the pair's weight is the number of edges (facts)
between them. Results are deterministic (fixed seeds).
"""

from __future__ import annotations

import random

import networkx as nx
import numpy as np

SEED = 42
#: Above this many nodes, betweenness is estimated from a sample of source nodes.
EXACT_BETWEENNESS_MAX = 2000
BETWEENNESS_SAMPLES = 64


def simple_graph(graph: nx.Graph) -> nx.Graph:
    """The undirected simple graph of ``graph``; ``weight`` counts the edges of each pair."""
    weights: dict[tuple[str, str], float] = {}
    for u, v in graph.edges():
        if u != v:
            pair = (u, v) if u <= v else (v, u)
            weights[pair] = weights.get(pair, 0.0) + 1.0
    simple = nx.Graph()
    simple.add_nodes_from(graph)
    simple.add_weighted_edges_from((u, v, w) for (u, v), w in weights.items())
    return simple


def pagerank(simple: nx.Graph, alpha: float = 0.85, tol: float = 1e-10) -> dict[str, float]:
    """PageRank of an undirected weighted graph by power iteration (numpy, no scipy).

    Isolated nodes share their rank evenly, as in networkx. The values sum to 1.

    >>> g = nx.path_graph(["a", "b", "c"])
    >>> {k: round(v, 4) for k, v in pagerank(g).items()}
    {'a': 0.2568, 'b': 0.4865, 'c': 0.2568}
    """
    nodes = list(simple)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    m = simple.number_of_edges()
    triples = simple.edges(data="weight", default=1.0)
    heads = np.fromiter((index[u] for u, _, _ in triples), dtype=np.int64, count=m)
    tails = np.fromiter((index[v] for _, v, _ in triples), dtype=np.int64, count=m)
    weights = np.fromiter((w for _, _, w in triples), dtype=np.float64, count=m)
    src_a, dst_a = np.concatenate([heads, tails]), np.concatenate([tails, heads])
    w_a = np.concatenate([weights, weights])
    out = np.bincount(src_a, weights=w_a, minlength=n)
    dangling = out == 0
    share = np.divide(w_a, out[src_a], out=np.zeros_like(w_a), where=out[src_a] > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(1000):
        flow = np.bincount(dst_a, weights=rank[src_a] * share, minlength=n)
        new = alpha * (flow + rank[dangling].sum() / n) + (1.0 - alpha) / n
        done = np.abs(new - rank).sum() < n * tol
        rank = new
        if done:
            break
    rank /= rank.sum()
    return {node: float(rank[i]) for i, node in enumerate(nodes)}


def betweenness(simple: nx.Graph) -> dict[str, float]:
    """Normalised betweenness (as networkx computes it, endpoints excluded).

    Exact up to ``EXACT_BETWEENNESS_MAX`` nodes; above, estimated from
    ``BETWEENNESS_SAMPLES`` source nodes drawn with a fixed seed. Brandes' algorithm runs
    level by level on numpy arrays, far faster than networkx's on large graphs.
    """
    nodes = list(simple)
    n = len(nodes)
    if n < 3:
        return dict.fromkeys(nodes, 0.0)
    index = {node: i for i, node in enumerate(nodes)}
    degrees = np.fromiter((len(simple[node]) for node in nodes), dtype=np.int64, count=n)
    indptr = np.concatenate([[0], np.cumsum(degrees)])
    indices = np.fromiter(
        (index[m] for node in nodes for m in simple[node]), dtype=np.int64, count=int(indptr[-1])
    )
    if n <= EXACT_BETWEENNESS_MAX:
        sources = list(range(n))
        scale_source = scale_other = 1.0 / ((n - 1) * (n - 2))
    else:
        k = min(BETWEENNESS_SAMPLES, n)
        sources = random.Random(SEED).sample(range(n), k)
        scale_source = 1.0 / ((k - 1) * (n - 2)) if k > 1 else 0.0
        scale_other = 1.0 / (k * (n - 2))
    totals = _brandes(indptr, indices, sources)
    scale = np.full(n, scale_other)
    scale[sources] = scale_source
    totals *= scale
    return {node: float(totals[i]) for i, node in enumerate(nodes)}


def _brandes(indptr: np.ndarray, indices: np.ndarray, sources: list[int]) -> np.ndarray:
    """Brandes' dependencies summed over ``sources`` (unweighted BFS, one level at a time)."""
    n = len(indptr) - 1
    totals = np.zeros(n)
    for s in sources:
        dist = np.full(n, -1, dtype=np.int64)
        sigma = np.zeros(n)
        dist[s], sigma[s] = 0, 1.0
        frontier = np.array([s], dtype=np.int64)
        levels: list[tuple[np.ndarray, np.ndarray]] = []
        depth = 0
        while frontier.size:
            starts, counts = indptr[frontier], indptr[frontier + 1] - indptr[frontier]
            total = int(counts.sum())
            if total == 0:
                break
            offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            heads = np.repeat(frontier, counts)
            tails = indices[np.repeat(starts, counts) + offsets]
            fresh = tails[dist[tails] < 0]
            dist[fresh] = depth + 1
            on_path = dist[tails] == depth + 1
            heads, tails = heads[on_path], tails[on_path]
            sigma += np.bincount(tails, weights=sigma[heads], minlength=n)
            levels.append((heads, tails))
            frontier = np.unique(fresh)
            depth += 1
        delta = np.zeros(n)
        for heads, tails in reversed(levels):
            share = sigma[heads] / sigma[tails] * (1.0 + delta[tails])
            delta += np.bincount(heads, weights=share, minlength=n)
        delta[s] = 0.0
        totals += delta
    return totals


def communities(simple: nx.Graph) -> dict[str, int]:
    """Louvain communities (fixed seed), numbered from 0 by decreasing size."""
    if simple.number_of_edges() == 0:
        groups = [{node} for node in simple]
    else:
        groups = nx.community.louvain_communities(simple, weight="weight", seed=SEED)
    ordered = sorted(groups, key=lambda group: (-len(group), min(group)))
    return {node: i for i, group in enumerate(ordered) for node in group}


def compute(graph: nx.Graph) -> nx.Graph:
    """Set ``degree``, ``weighted_degree``, ``betweenness``, ``pagerank``, ``community`` on nodes.

    Returns ``graph`` itself, also marked with ``graph.graph["metrics"] = True``.
    """
    simple = simple_graph(graph)
    ranks = pagerank(simple)
    between = betweenness(simple)
    groups = communities(simple)
    for node, data in graph.nodes(data=True):
        data["degree"] = int(simple.degree(node))
        data["weighted_degree"] = float(simple.degree(node, weight="weight"))
        data["betweenness"] = float(between.get(node, 0.0))
        data["pagerank"] = ranks.get(node, 0.0)
        data["community"] = groups.get(node, -1)
    graph.graph["metrics"] = True
    graph.graph["betweenness_method"] = (
        "exact"
        if simple.number_of_nodes() <= EXACT_BETWEENNESS_MAX
        else f"estimated from {BETWEENNESS_SAMPLES} sampled sources"
    )
    return graph


def top(graph: nx.Graph, metric: str, n: int = 10, types: tuple[str, ...] = ()) -> list[str]:
    """The ``n`` nodes with the highest ``metric`` (ties by label), optionally of some types."""
    nodes = [
        (node, data)
        for node, data in graph.nodes(data=True)
        if not types or data.get("type") in types
    ]
    nodes.sort(key=lambda item: (-float(item[1].get(metric, 0)), item[1].get("label", item[0])))
    return [node for node, _ in nodes[:n]]
