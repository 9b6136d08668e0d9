"""Peers for ``bench.serving``: the bare Python limit and rdflib-endpoint, as ASGI factories.

``BENCH_NQ`` names the N-Quads file both load (the build's snapshot).

* :func:`bare` - no framework, no isolation, no limits: parse ``?query=``, run it on an
  in-memory pyoxigraph store, answer ``QuerySolutions.serialize(format=JSON)``. Everything
  tdi-graph's ``/sparql`` adds on top of this is the cost of its framework and its safety.
* :func:`rdflib` - rdflib-endpoint's app over the same quads in an rdflib ``Dataset``.

    uvicorn --factory bench.limit:bare --workers 2 --port 8800
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox

JSON = b"application/sparql-results+json"


def _store() -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=os.environ["BENCH_NQ"], format=ox.RdfFormat.N_QUADS)
    return store


def bare() -> Any:
    """The bare ASGI callable over an in-memory store."""
    store = _store()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        query = parse_qs(scope.get("query_string", b"").decode()).get("query", [""])[0]
        try:
            result = store.query(query, use_default_graph_as_union=True)
            status, kind = 200, JSON
            if isinstance(result, ox.QuerySolutions):
                body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
            elif isinstance(result, ox.QueryBoolean):
                body = b'{"head":{},"boolean":%s}' % (b"true" if result else b"false")
            else:  # CONSTRUCT / DESCRIBE
                kind = b"application/n-triples"
                body = result.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        except (SyntaxError, ValueError, OSError) as exc:
            status, kind, body = 400, b"text/plain", str(exc).encode()
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def rdflib() -> Any:
    """rdflib-endpoint's SPARQL app over the same quads (union default graph)."""
    import rdflib as rl
    from rdflib_endpoint import SparqlEndpoint

    dataset = rl.Dataset(default_union=True)
    dataset.parse(os.environ["BENCH_NQ"], format="nquads")
    return SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=False)
