"""Views of the actor network: filters, projections researchers use, ego networks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

import networkx as nx

from tdi_graph.errors import BadRequest, NotFound
from tdi_graph.network_options import ACTOR_TYPES, MAX_DEPTH, PROJECTIONS


def check_names(values: Iterable[str], known: Iterable[str], what: str) -> tuple[str, ...]:
    """``values`` if each is ``known``; else :class:`BadRequest` naming the unknown ones."""
    values = tuple(values)
    allowed = tuple(known)
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise BadRequest(
            f"unknown {what} {', '.join(map(repr, unknown))}; expected one of {', '.join(allowed)}"
        )
    return values


def _subgraph(
    graph: nx.MultiDiGraph, nodes: Iterable[str], edges: Iterable[tuple]
) -> nx.MultiDiGraph:
    out = nx.MultiDiGraph()
    out.graph.update(graph.graph)
    out.graph.pop("metrics", None)
    out.add_nodes_from((n, dict(graph.nodes[n])) for n in nodes)
    out.add_edges_from((u, v, k, dict(d)) for u, v, k, d in edges if u in out and v in out)
    return out


def filter_graph(
    graph: nx.MultiDiGraph,
    *,
    types: Iterable[str] = (),
    relations: Iterable[str] = (),
    since: dt.date | None = None,
    until: dt.date | None = None,
    keep: str | None = None,
) -> nx.MultiDiGraph:
    """The nodes of some ``types`` and the edges of some ``relations`` dated within the range.

    Names are checked against the graph's ``node_types`` and ``relations`` (the presentation
    the network was read with); a graph made by hand without them is not checked.

    An edge's date is the fact's date, else its source document's; edges with no date
    (register and reference data) are timeless and always kept. When relations or dates
    filter edges out, the nodes left without any edge go too (except ``keep``).
    """
    types = check_names(types, graph.graph.get("node_types", types), "type")
    relations = check_names(relations, graph.graph.get("relations", relations), "relation")
    if since and until and since > until:
        raise BadRequest(f"since ({since}) is after until ({until})")
    lo, hi = since.isoformat() if since else "", until.isoformat() if until else ""

    def edge_ok(data: dict) -> bool:
        if relations and data["relation"] not in relations:
            return False
        date = data.get("date")
        return not date or ((not lo or date >= lo) and (not hi or date <= hi))

    nodes = [n for n, d in graph.nodes(data=True) if not types or d["type"] in types]
    edges = [(u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True) if edge_ok(d)]
    out = _subgraph(graph, nodes, edges)
    if relations or since or until:
        out.remove_nodes_from([n for n in list(out) if out.degree(n) == 0 and n != keep])
    return out


def actors_projection(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Actor-actor network: co-signature edges, and co-participation in the same event."""
    actors = [n for n, d in graph.nodes(data=True) if d["type"] in ACTOR_TYPES]
    edges = [
        (u, v, k, d)
        for u, v, k, d in graph.edges(keys=True, data=True)
        if d["relation"] == "co-signed-with"
    ]
    out = _subgraph(graph, actors, edges)
    attendees: dict[str, set[str]] = defaultdict(set)
    sources: dict[str, set[str]] = defaultdict(set)
    evidence: dict[str, dict[tuple[str, str], None]] = defaultdict(dict)
    cited: dict[str, dict[tuple[str, str | None], dict]] = defaultdict(dict)
    dates: dict[str, str] = {}
    for u, event, data in graph.edges(data=True):
        if data["relation"] == "participated-in" and u in out:
            attendees[event].add(u)
            sources[event].update(data["sources"])
            evidence[event].update(dict.fromkeys(data.get("evidence", ())))
            for c in data.get("citations", ()):
                cited[event].setdefault((c["id"], c["excerpt"]), c)
            if data.get("date"):
                dates[event] = min(dates.get(event, data["date"]), data["date"])
    pairs: dict[tuple[str, str], dict] = {}
    for event, people in attendees.items():
        for a, b in combinations(sorted(people), 2):
            pair = pairs.setdefault(
                (a, b),
                {"events": set(), "sources": set(), "dates": set(), "evidence": {}, "cited": {}},
            )
            pair["events"].add(event)
            pair["sources"].update(sources[event])
            pair["evidence"].update(evidence[event])
            pair["cited"].update(cited[event])
            if event in dates:
                pair["dates"].add(dates[event])
    for (a, b), pair in pairs.items():
        attrs = {
            "relation": "co-participated-with",
            "sources": tuple(sorted(pair["sources"])),
            "event": tuple(sorted(pair["events"])),
            "derived": True,
            "evidence": tuple(pair["evidence"]),
            "citations": tuple(pair["cited"].values()),
            "curation_only": False,
        }
        if pair["dates"]:
            attrs["date"] = min(pair["dates"])
        out.add_edge(a, b, key="co-participated-with", **attrs)
    out.remove_nodes_from([n for n in list(out) if out.degree(n) == 0])
    return out


def _relation_subgraph(
    graph: nx.MultiDiGraph, relations: set[str], sources: set[str], targets: set[str]
) -> nx.MultiDiGraph:
    """The edges of ``relations`` from a node typed in ``sources`` to one typed in ``targets``."""
    edges = [
        (u, v, k, d)
        for u, v, k, d in graph.edges(keys=True, data=True)
        if d["relation"] in relations
        and graph.nodes[u]["type"] in sources
        and graph.nodes[v]["type"] in targets
    ]
    nodes = {n for u, v, _, _ in edges for n in (u, v)}
    return _subgraph(graph, nodes, edges)


def agreements_projection(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Actor-agreement bipartite network (``signed`` and ``party-to``); ``bipartite`` 0/1."""
    out = _relation_subgraph(graph, {"signed", "party-to"}, set(ACTOR_TYPES), {"agreement"})
    for _, data in out.nodes(data=True):
        data["bipartite"] = 1 if data["type"] == "agreement" else 0
    return out


def hierarchy_projection(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Organisation hierarchy: ``subsidiary-of`` and ``part-of`` links between organisations."""
    organisations = {"organisation"}
    return _relation_subgraph(graph, {"subsidiary-of", "part-of"}, organisations, organisations)


def project(graph: nx.MultiDiGraph, projection: str) -> nx.MultiDiGraph:
    """One of the ``PROJECTIONS`` of the network (``full`` returns ``graph`` itself)."""
    check_names([projection], PROJECTIONS, "projection")
    if projection == "actors":
        return actors_projection(graph)
    if projection == "agreements":
        return agreements_projection(graph)
    if projection == "hierarchy":
        return hierarchy_projection(graph)
    return graph


def ego(graph: nx.MultiDiGraph, focus: str, depth: int = 2) -> nx.MultiDiGraph:
    """The nodes within ``depth`` links of ``focus`` (either direction) and the edges among them."""
    if focus not in graph:
        raise NotFound(f"{focus!r} is not a node of the network")
    if not 0 <= depth <= MAX_DEPTH:
        raise BadRequest(f"depth must be between 0 and {MAX_DEPTH}, not {depth}")
    seen = {focus}
    frontier = {focus}
    for _ in range(depth):
        nxt: set[str] = set()
        for node in frontier:
            nxt.update(graph.successors(node))
            nxt.update(graph.predecessors(node))
        frontier = nxt - seen
        seen |= frontier
        if not frontier:
            break
    out = graph.subgraph(seen).copy()
    out.graph["focus"] = focus
    out.graph["depth"] = depth
    return out
