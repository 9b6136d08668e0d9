"""The options a view of the actor network takes: its formats, projections, metrics, depth.

Plain constants, in a module that imports nothing heavy: the API declares its parameters with
them when it starts, and networkx (and numpy) are only imported by the first network answer
(:mod:`tdi_graph.network` and the modules it joins define and use the rest).
"""

from __future__ import annotations

#: What :func:`tdi_graph.network.export` writes, and the media type of each.
FORMATS = ("json", "graphml", "gexf", "png", "svg")
MEDIA_TYPES = {
    "json": "application/json",
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "png": "image/png",
    "svg": "image/svg+xml",
}
#: Node metrics, in the order reports print them.
METRICS = ("degree", "weighted_degree", "betweenness", "pagerank")
#: The node types that are actors (the ``actors`` projection, the rankings).
ACTOR_TYPES = ("person", "organisation")
#: Projections: ``full`` (everything), ``actors`` (actor-actor: co-signature and
#: co-participation), ``agreements`` (actor-agreement bipartite), ``hierarchy`` (organisations).
PROJECTIONS = ("full", "actors", "agreements", "hierarchy")
#: The most links from the focus of an ego network.
MAX_DEPTH = 5
