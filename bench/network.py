"""Benchmark of the actor network: build (store -> networkx, with metrics) and exports.

Runs on the seed graph (the project's data, loaded in memory) and on a synthetic graph
shaped like ours (persons, posts, signature acts, agreements, events, commitments,
projects, territories with their EPCIs, communes) of about 100 000 network nodes.

    .venv/bin/python -m bench.network [--nodes 100000] [--skip-seed] [--skip-metrics]

Drawings (PNG, SVG) are timed on the seed graph only: they lay out at most 2 000 nodes.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox

from tdi_graph import network, network_metrics
from tdi_graph.load import collect_curated, collect_reference
from tdi_graph.testing.network import Synthetic, ontology_quads


def _timed(what: str, func: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = func()
    print(f"  {what:<42} {time.perf_counter() - started:>8.2f} s")
    return result


def run(label: str, store: ox.Store, formats: tuple[str, ...], metrics: bool = True) -> None:
    """Build the network of ``store``, export it, compute its metrics; print each step's time.

    Exports come first, without metrics (the attributes a build with metrics adds cost
    little to write); each metric is then timed on its own.
    """
    print(f"{label}: {len(store):,} quads")
    started = time.perf_counter()
    graph = _timed("build (queries + graph)", lambda: network.build(store, metrics=False))
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    print(f"  {'network':<42} {nodes:>8,} nodes {edges:,} edges")
    for fmt in formats:
        data = _timed(f"export {fmt}", lambda fmt=fmt: network.export(graph, fmt))
        print(f"  {'':<42} {len(data) / 1e6:>8.2f} MB")
    print(f"  {'build + exports':<42} {time.perf_counter() - started:>8.2f} s")
    if not metrics:
        return
    simple = _timed("metrics: simple weighted graph", lambda: network_metrics.simple_graph(graph))
    _timed("metrics: PageRank (numpy)", lambda: network_metrics.pagerank(simple))
    mode = (
        "exact"
        if nodes <= network_metrics.EXACT_BETWEENNESS_MAX
        else (f"{network_metrics.BETWEENNESS_SAMPLES} sampled sources")
    )
    _timed(f"metrics: betweenness ({mode})", lambda: network_metrics.betweenness(simple))
    _timed("metrics: Louvain communities (networkx)", lambda: network_metrics.communities(simple))


def main() -> None:
    """Entry point: seed graph, then the synthetic graph."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--skip-metrics", action="store_true", help="on the synthetic graph")
    args = parser.parse_args()
    if not args.skip_seed:
        store = ox.Store()
        started = time.perf_counter()
        graphs = {**collect_curated(), **collect_reference()}
        store.bulk_extend(q for quads in graphs.values() for q in quads)
        print(f"seed store loaded in memory in {time.perf_counter() - started:.1f} s")
        run("seed graph", store, network.FORMATS)
        print()
    store = ox.Store()
    synthetic = Synthetic(args.nodes)
    _timed(
        "synthetic store (generate + load)",
        lambda: (store.bulk_extend(ontology_quads()), store.bulk_extend(synthetic.quads())),
    )
    run(
        f"synthetic graph (~{args.nodes:,} nodes)",
        store,
        ("json", "graphml", "gexf"),
        metrics=not args.skip_metrics,
    )


if __name__ == "__main__":
    main()
