"""A SPARQL 1.1 engine over HTTP behind the same façade as the embedded store.

:class:`RemoteStore` answers ``.query()`` like :class:`pyoxigraph.Store` does, with the same result
types (``QuerySolutions``, ``QueryBoolean``, ``QueryTriples``), so the code that reads the graph
does not know where the graph lives. Parameters (``substitutions=``) are bound with a ``VALUES``
block put at the top of the outermost ``WHERE``, written from pyoxigraph's own serialisation of
each term: a value never becomes SPARQL syntax. Shared prefixes become ``PREFIX`` lines.

The union default graph (``use_default_graph_as_union=True``, what the named queries use) is asked
for with the SPARQL Protocol's own dataset parameters: every graph of the project is given as a
``default-graph-uri`` and as a ``named-graph-uri``. So the answer is the same on any engine,
whatever it takes its default graph to be (Virtuoso's is every graph it holds, system graphs
included; Oxigraph's is the real default graph) and ``GRAPH ?g`` only sees the project's graphs.

A slow engine raises :class:`~tdi_graph.errors.EngineTimeout` (504), an engine that does not
answer :class:`~tdi_graph.errors.EngineUnavailable` (503); the time limit is a client timeout.
Credentials come from the settings and never appear in a message.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pyoxigraph as ox

from tdi_graph.errors import BadRequest, EngineError, TdiError
from tdi_graph.namespaces import GRAPH
from tdi_graph.rdftypes import Term
from tdi_graph.remote_http import check_response, engine_auth, http_errors, safe_url, scrub
from tdi_graph.remote_text import bind, graph_names, has_from, relabel_blank_nodes
from tdi_graph.sparql import Answer, QueryRequest, evaluate, query_form
from tdi_graph.sparql_output import INLINE_MAX
from tdi_graph.workers import WorkerPool

if TYPE_CHECKING:
    from tdi_graph.settings import Settings

__all__ = [
    "EnginePool",
    "RemoteStore",
    "bind",
    "check_response",
    "engine_auth",
    "http_errors",
    "open_query_store",
    "safe_url",
    "scrub",
]

SOLUTIONS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8"
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
}
RDF_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}

# --- the store ----------------------------------------------------------------------------------


class RemoteStore:
    """A SPARQL 1.1 query endpoint with the query interface of :class:`pyoxigraph.Store`.

    ``graphs`` are the graphs that make the union default graph; by default every graph of the
    engine whose IRI starts with ``graph_prefix`` (the project's), found at the first union query.
    """

    def __init__(
        self,
        query_url: str,
        timeout: float = 10.0,
        auth: httpx.Auth | None = None,
        *,
        graphs: Iterable[str] | None = None,
        graph_prefix: str = GRAPH,
        client: httpx.Client | None = None,
    ) -> None:
        self.query_url = query_url
        self.timeout = timeout
        self.auth = auth
        self.graph_prefix = graph_prefix
        self._graphs = None if graphs is None else tuple(graphs)
        self._client = client or httpx.Client(timeout=httpx.Timeout(timeout), auth=auth)

    def __repr__(self) -> str:
        return f"RemoteStore({safe_url(self.query_url)!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the dataset

    @property
    def graphs(self) -> tuple[str, ...]:
        """The project's graphs on the engine (asked once, then remembered)."""
        if self._graphs is None:
            answer = self._post(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", SOLUTIONS_ACCEPT, {}
            )
            rows = self._solutions(answer)
            found = sorted(
                row[0].value
                for row in rows  # type: ignore[union-attr]
                if row[0] is not None and row[0].value.startswith(self.graph_prefix)
            )
            self._graphs = tuple(found)
        return self._graphs

    def refresh(self) -> None:
        """Forget the graphs found, e.g. after a publish added one."""
        self._graphs = None

    # -- queries

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Any = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate a SPARQL query on the engine; the same arguments and answers as pyoxigraph."""
        text = bind(query, substitutions, prefixes, base_iri)
        form = query_form(text)
        if form == "UPDATE":
            raise BadRequest("RemoteStore.query runs queries, not updates")
        dataset: dict[str, list[str]] = {}
        if default_graph is not None or named_graphs is not None:
            dataset["default-graph-uri"] = graph_names(default_graph)
            dataset["named-graph-uri"] = graph_names(named_graphs)
        elif use_default_graph_as_union and not has_from(text):
            dataset["default-graph-uri"] = list(self.graphs)
            dataset["named-graph-uri"] = list(self.graphs)
        elif not has_from(text):
            dataset["named-graph-uri"] = list(self.graphs)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self._triples(self._post(text, GRAPH_ACCEPT, dataset))
        return self._solutions(self._post(text, SOLUTIONS_ACCEPT, dataset))

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object: Term | None,
        graph_name: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern (``None`` matches anything), from the project's graphs."""
        fixed = {
            ox.Variable(name): term
            for name, term in (("s", subject), ("p", predicate), ("o", object), ("g", graph_name))
            if term is not None
        }
        pattern = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        answer = self.query(pattern, substitutions=fixed)
        for row in answer:  # type: ignore[union-attr]
            yield ox.Quad(row["s"], row["p"], row["o"], row["g"])

    # -- HTTP

    def _post(self, text: str, accept: str, dataset: dict[str, list[str]]) -> httpx.Response:
        data: dict[str, Any] = {"query": text, **{k: v for k, v in dataset.items() if v}}
        with http_errors(self.query_url, self.auth):
            response = self._client.post(self.query_url, data=data, headers={"Accept": accept})
        check_response(response, self.auth)
        return response

    @staticmethod
    def _media_type(response: httpx.Response) -> str:
        return response.headers.get("content-type", "").split(";")[0].strip().lower()

    def _solutions(self, response: httpx.Response) -> ox.QuerySolutions | ox.QueryBoolean:
        fmt = RESULT_TYPES.get(self._media_type(response))
        if fmt is None:
            raise EngineError(f"the SPARQL engine answered {self._media_type(response)!r}")
        content = response.content
        if fmt == ox.QueryResultsFormat.JSON and b'"bnode"' in content:
            content = relabel_blank_nodes(content)
        try:
            return ox.parse_query_results(content, format=fmt)
        except SyntaxError as exc:
            raise EngineError(f"the SPARQL engine's answer does not parse: {exc}") from None

    def _triples(self, response: httpx.Response) -> ox.QueryTriples:
        fmt = RDF_TYPES.get(self._media_type(response))
        if fmt is None:
            raise EngineError(f"the SPARQL engine answered {self._media_type(response)!r}")
        # a real QueryTriples, as the embedded store gives: the triples go through a small store
        scratch = ox.Store()
        try:
            scratch.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object)
                for q in ox.parse(response.content, format=fmt)
            )
        except SyntaxError as exc:
            raise EngineError(f"the SPARQL engine's answer does not parse: {exc}") from None
        answer = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
        assert isinstance(answer, ox.QueryTriples)
        return answer


class EnginePool(WorkerPool):
    """``/sparql`` and the named queries over a remote engine: the worker pool's admission
    (per-client cap, running plus waiting, 429/503) with each query checked (read-only,
    SERVICE, depth, format) then passed on to the engine from a thread, whose client timeout
    is the time limit (504), instead of evaluated in a forked worker."""

    def __init__(self, store: RemoteStore, **options: Any) -> None:
        super().__init__(ox.Store(), **options)
        self.store = store
        # one thread per admitted query: none waits for a thread
        self._threads = ThreadPoolExecutor(self.size + self.waiting, thread_name_prefix="engine")

    def start(self) -> None:
        """Nothing to fork: the engine does the work."""

    async def _evaluate(self, request: QueryRequest) -> Answer:
        return await asyncio.get_running_loop().run_in_executor(self._threads, self.run, request)

    def run(self, request: QueryRequest) -> Answer:
        try:
            answer = evaluate(self.store, request)  # type: ignore[arg-type]
        except TdiError:
            raise
        except Exception as exc:  # a bug: a 500 naming it, never a trace
            raise TdiError(f"query evaluation failed: {type(exc).__name__}") from None
        if answer.file is None:
            return answer
        # as a worker's answer reaches the router: bytes when small, else a descriptor to stream
        file, answer.file = answer.file, None
        if answer.size <= INLINE_MAX:
            file.seek(0)
            answer.body = file.read()
        else:
            file.flush()
            answer.fd = os.dup(file.fileno())  # rolls a spooled file over to disk
        file.close()
        return answer

    def close(self) -> None:
        self.closed = True
        self._threads.shutdown(wait=False, cancel_futures=True)


def open_query_store(settings: Settings, store_dir: Path | None = None) -> ox.Store | RemoteStore:
    """The store that answers queries: the engine at ``TDI_SPARQL_URL`` when it is set, else the
    embedded build at ``store_dir`` (default ``TDI_STORE``), in memory if the settings say so."""
    if settings.sparql_url:
        return RemoteStore(
            settings.sparql_url, timeout=settings.query_timeout, auth=engine_auth(settings)
        )
    from tdi_graph.store import open_store

    return open_store(store_dir or settings.store, in_memory=settings.store_in_memory)
