"""Publish a build to any SPARQL 1.1 engine with the Graph Store HTTP Protocol, then check it.

Every named graph of the build (sources, curation, ontology, shapes, vocabularies, reference) is
sent as N-Triples with one ``PUT ?graph=IRI`` (which replaces the graph: re-running never
duplicates), followed by ``POST``s (which add) when a graph is larger than ``chunk`` triples.
Triples that share a blank node always travel in the same request: an engine scopes blank node
labels to one request, so splitting them would break the node in two. Graphs of the project
that the engine holds but the build no longer has are deleted. Then the triple count of each
graph is asked of the engine with a SPARQL ``COUNT``; :class:`~tdi_graph.errors.PublishFailed`
names every graph whose count differs.

Engines differ only by settings: the Graph Store URL and the name of its graph parameter
(Oxigraph: ``/store?graph=``; Virtuoso: ``/sparql-graph-crud-auth?graph-uri=`` with digest
authentication).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
import pyoxigraph as ox

from tdi_graph.errors import PublishFailed
from tdi_graph.namespaces import GRAPH
from tdi_graph.remote import RemoteStore, check_response, engine_auth, http_errors, safe_url
from tdi_graph.store import graph_sizes

if TYPE_CHECKING:
    from tdi_graph.settings import Settings

NT = "application/n-triples"


def default_gsp_url(query_url: str) -> str:
    """The Graph Store URL beside a query URL: its last path segment replaced by ``store``.

    >>> default_gsp_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/store'
    """
    head, _, _ = query_url.rstrip("/").rpartition("/")
    return head + "/store"


@dataclass(frozen=True)
class Target:
    """Where to publish: the engine's query and Graph Store endpoints, and how to reach them."""

    query_url: str
    gsp_url: str
    graph_param: str = "graph"
    auth: httpx.Auth | None = field(default=None, repr=False)
    timeout: float = 600.0

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        to: str | None = None,
        gsp_url: str | None = None,
        graph_param: str | None = None,
    ) -> Target:
        """The target of the settings, with the command line's options taking precedence."""
        query_url = to or settings.sparql_url
        if not query_url:
            raise PublishFailed("no engine to publish to: give --to URL (or TDI_SPARQL_URL)")
        return cls(
            query_url=query_url,
            gsp_url=gsp_url or settings.gsp_url or default_gsp_url(query_url),
            graph_param=graph_param or settings.gsp_graph_param,
            auth=engine_auth(settings),
            timeout=settings.publish_timeout,
        )


def graph_chunks(store: ox.Store, graph: ox.NamedNode, size: int) -> Iterator[list[ox.Triple]]:
    """The triples of ``graph`` in lists of about ``size``; a blank node's triples stay together.

    Triples without blank nodes go first; the others are grouped by connected blank nodes, and
    a group is never split (one larger than ``size`` travels alone).
    """
    size = max(1, size)
    plain: list[ox.Triple] = []
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    linked: list[tuple[ox.Triple, str]] = []
    for quad in store.quads_for_pattern(None, None, None, graph):
        triple = quad.triple
        blanks = [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        if not blanks:
            plain.append(triple)
            if len(plain) >= size:
                yield plain
                plain = []
            continue
        for b in blanks:
            parent.setdefault(b, b)
        if len(blanks) == 2:
            a, b = find(blanks[0]), find(blanks[1])
            if a != b:
                parent[b] = a
        linked.append((triple, blanks[0]))
    groups: dict[str, list[ox.Triple]] = {}
    for triple, blank in linked:
        groups.setdefault(find(blank), []).append(triple)
    chunk = plain
    for group in groups.values():
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


@dataclass
class PublishReport:
    """What a publish sent, what the engine holds after it, and how long it took."""

    target: str
    sent: dict[str, int] = field(default_factory=dict)  # graph IRI -> triples in the build
    found: dict[str, int] = field(default_factory=dict)  # graph IRI -> triples on the engine
    requests: dict[str, int] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def differing(self) -> list[str]:
        return [g for g, n in self.sent.items() if self.found.get(g) != n]

    def lines(self) -> list[str]:
        out = [f"published to {self.target}"]
        for g, n in self.sent.items():
            name = g.removeprefix(GRAPH)
            found = self.found.get(g)
            mark = "ok" if found == n else f"ENGINE HAS {found}"
            out.append(f"{name:<40} {n:>9,} triples {self.requests.get(g, 0):>3} req  {mark}")
        out += [f"deleted stale graph {g.removeprefix(GRAPH)}" for g in self.deleted]
        out += [f"{step:<40} {s:>9.2f} s" for step, s in self.seconds.items()]
        return out


def _send(
    client: httpx.Client, target: Target, method: str, graph: str, body: bytes | None
) -> None:
    headers = {"Content-Type": NT} if body is not None else {}
    with http_errors(target.gsp_url, target.auth):
        response = client.request(
            method,
            target.gsp_url,
            params={target.graph_param: graph},
            content=body,
            headers=headers,
        )
    check_response(response, target.auth)


def remote_counts(engine: RemoteStore, graphs: list[str]) -> dict[str, int]:
    """The triple count of each graph on the engine, one SPARQL ``COUNT`` per graph."""
    out = {}
    for g in graphs:
        rows = engine.query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            substitutions={ox.Variable("g"): ox.NamedNode(g)},
            named_graphs=[ox.NamedNode(g)],
        )
        out[g] = sum(int(row["n"].value) for row in rows)  # type: ignore[union-attr,misc]
    return out


def publish(store: ox.Store, target: Target, *, chunk: int = 200_000) -> PublishReport:
    """Send every named graph of ``store`` to ``target``, then check each graph's count."""
    report = PublishReport(target=safe_url(target.gsp_url))
    report.sent = graph_sizes(store)
    engine = RemoteStore(target.query_url, timeout=target.timeout, auth=target.auth)
    t0 = time.perf_counter()
    with httpx.Client(timeout=httpx.Timeout(target.timeout), auth=target.auth) as client:
        for g in report.sent:
            method = "PUT"
            for triples in graph_chunks(store, ox.NamedNode(g), chunk):
                body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
                _send(client, target, method, g, body)
                report.requests[g] = report.requests.get(g, 0) + 1
                method = "POST"
        report.seconds["send graphs (Graph Store Protocol)"] = time.perf_counter() - t0
        with engine:
            stale = [g for g in engine.graphs if g not in report.sent]
            for g in stale:
                _send(client, target, "DELETE", g, None)
                report.deleted.append(g)
            t0 = time.perf_counter()
            report.found = remote_counts(engine, list(report.sent))
            report.seconds["check counts (SPARQL COUNT)"] = time.perf_counter() - t0
    if report.differing:
        details = ", ".join(
            f"{g.removeprefix(GRAPH)} (build {report.sent[g]:,}, engine {report.found.get(g)})"
            for g in report.differing
        )
        raise PublishFailed(f"the engine does not hold what was sent: {details}")
    return report
