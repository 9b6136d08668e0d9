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

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import orjson
import pyoxigraph as ox

from tdi_graph.errors import (
    BadRequest,
    EngineError,
    EngineTimeout,
    EngineUnavailable,
    QuerySyntaxError,
)
from tdi_graph.namespaces import GRAPH
from tdi_graph.rdftypes import Term
from tdi_graph.sparql import MESSAGE_MAX, query_form
from tdi_graph.sparql_lexer import tokens

if TYPE_CHECKING:
    from tdi_graph.settings import Settings

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
_PREFIX_NAME = re.compile(r"(?:[^\W\d_][\w.-]*)?")


# --- HTTP: credentials and errors ---------------------------------------------------------------


def engine_auth(settings: Settings) -> httpx.Auth | None:
    """The credentials of the settings as an ``httpx`` auth (digest or basic), or ``None``."""
    if not settings.sparql_user or settings.sparql_password is None:
        return None
    password = settings.sparql_password.get_secret_value()
    if settings.sparql_auth == "digest":
        return httpx.DigestAuth(settings.sparql_user, password)
    return httpx.BasicAuth(settings.sparql_user, password)


def safe_url(url: str) -> str:
    """The URL without user info, query string nor fragment (what a message may show).

    >>> safe_url("http://dba:secret@127.0.0.1:8890/sparql-graph-crud-auth?graph-uri=x")
    'http://127.0.0.1:8890/sparql-graph-crud-auth'
    """
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _secrets(auth: httpx.Auth | None) -> list[str]:
    """The secret strings an auth holds, to scrub them from any message."""
    found = []
    for name in ("_password", "password"):
        value = getattr(auth, name, None)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str) and value:
            found.append(value)
    header = getattr(auth, "_auth_header", None)
    if isinstance(header, str):
        found.append(header)
    return found


def scrub(text: str, auth: httpx.Auth | None) -> str:
    """``text`` with every secret of ``auth`` replaced by ``***``."""
    for secret in _secrets(auth):
        text = text.replace(secret, "***")
    return text


@contextmanager
def http_errors(url: str, auth: httpx.Auth | None = None) -> Iterator[None]:
    """Map ``httpx`` transport errors to the project's errors (503 down, 504 slow)."""
    where = safe_url(url)
    try:
        yield
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise EngineUnavailable(
            scrub(f"the SPARQL engine at {where} does not answer ({type(exc).__name__})", auth)
        ) from None
    except httpx.TimeoutException as exc:
        raise EngineTimeout(
            f"the SPARQL engine at {where} did not answer in time ({type(exc).__name__}): "
            "make the query more selective or raise TDI_QUERY_TIMEOUT"
        ) from None
    except httpx.TransportError as exc:
        raise EngineUnavailable(
            scrub(f"the SPARQL engine at {where} failed: {type(exc).__name__}", auth)
        ) from None


def check_response(response: httpx.Response, auth: httpx.Auth | None = None) -> None:
    """Raise the project's error for an engine's non-2xx answer (never echoing credentials)."""
    if response.is_success:
        return
    where = safe_url(str(response.request.url))
    if response.status_code in (401, 403):
        raise EngineError(
            f"the SPARQL engine at {where} refused the credentials ({response.status_code}): "
            "check TDI_SPARQL_USER and TDI_SPARQL_PASSWORD"
        )
    body = scrub(" ".join(response.text.split()), auth)
    if len(body) > MESSAGE_MAX:
        body = body[:MESSAGE_MAX] + "…"
    if response.status_code == 400:
        raise QuerySyntaxError(f"the SPARQL engine refused the query: {body}")
    raise EngineError(f"the SPARQL engine at {where} answered {response.status_code}: {body}")


# --- binding parameters and prefixes ------------------------------------------------------------


def _values_block(substitutions: Mapping[ox.Variable, Term]) -> str:
    """``VALUES (?a ?b) { (<x> "y") }`` from pyoxigraph's serialisation of each term."""
    names, terms = [], []
    for variable, term in substitutions.items():
        if not isinstance(variable, ox.Variable):
            raise BadRequest(f"{variable!r} is not a variable")
        if isinstance(term, ox.BlankNode) or not isinstance(
            term, ox.NamedNode | ox.Literal | ox.Triple
        ):
            raise BadRequest(f"?{variable.value} cannot be bound to {term!r} (IRI or literal only)")
        names.append(str(variable))
        terms.append(str(term))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}\n"


def _tokens(query: str) -> Iterator[tuple[str, str, int]]:
    """Keywords and curly braces outside comments, strings, IRIs and names: (kind, text, end),
    kind ``word`` or ``brace`` (from the endpoint's linear lexer)."""
    for kind, text, end in tokens(query):
        if kind == "word":
            yield kind, text, end
        elif text in "{}":
            yield "brace", text, end


def _where_brace(query: str) -> int:
    """Offset just after the ``{`` that opens the outermost ``WHERE`` group of ``query``.

    That is the first ``{`` after a ``WHERE`` outside any group; with no ``WHERE`` keyword, the
    first group (the second for ``CONSTRUCT {template} {pattern}``).
    """
    depth, form, where = 0, None, False
    top: list[int] = []  # ends of the top-level "{"
    for kind, text, end in _tokens(query):
        if kind == "brace":
            if text == "{":
                if depth == 0:
                    if where:
                        return end
                    top.append(end)
                depth += 1
            else:
                depth -= 1
        elif depth == 0 and form is None and text in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            form = text
        elif depth == 0 and text == "WHERE":
            if form == "CONSTRUCT" and not top:
                raise BadRequest("CONSTRUCT WHERE { } (short form) cannot take parameters")
            where = True
    if where or not top or (form == "CONSTRUCT" and len(top) < 2):
        raise BadRequest("the query has no WHERE group to bind parameters in")
    return top[1] if form == "CONSTRUCT" else top[0]


def bind(
    query: str,
    substitutions: Mapping[ox.Variable, Term] | None = None,
    prefixes: Mapping[str, str] | None = None,
    base_iri: str | None = None,
) -> str:
    """The query text with its parameters bound and shared prefixes declared.

    >>> print(bind("SELECT ?x WHERE { ?x ?p ?o }", {ox.Variable("o"): ox.Literal('a"}')}))
    SELECT ?x WHERE {VALUES (?o) { ("a\\"}") }
     ?x ?p ?o }
    >>> print(bind("ASK { ?s ?p ?o }", prefixes={"ex": "http://example.org/"}), end="")
    PREFIX ex: <http://example.org/>
    ASK { ?s ?p ?o }
    """
    if substitutions:
        at = _where_brace(query)
        query = query[:at] + _values_block(substitutions) + query[at:]
    head = []
    if base_iri is not None:
        head.append(f"BASE {ox.NamedNode(base_iri)}\n")
    for name, namespace in (prefixes or {}).items():
        if not _PREFIX_NAME.fullmatch(name):
            raise BadRequest(f"{name!r} is not a prefix name")
        head.append(f"PREFIX {name}: {ox.NamedNode(namespace)}\n")
    return "".join(head) + query


def _graph_names(graphs: Any) -> list[str]:
    if graphs is None:
        return []
    if isinstance(graphs, ox.NamedNode | ox.DefaultGraph):
        graphs = [graphs]
    names = []
    for g in graphs:
        if isinstance(g, ox.DefaultGraph):
            raise BadRequest("the default graph cannot be named in a protocol dataset")
        names.append(g.value if isinstance(g, ox.NamedNode) else str(g))
    return names


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
            dataset["default-graph-uri"] = _graph_names(default_graph)
            dataset["named-graph-uri"] = _graph_names(named_graphs)
        elif use_default_graph_as_union and not _has_from(text):
            dataset["default-graph-uri"] = list(self.graphs)
            dataset["named-graph-uri"] = list(self.graphs)
        elif not _has_from(text):
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
            content = _relabel_blank_nodes(content)
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


_BLANK_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def _relabel_blank_nodes(content: bytes) -> bytes:
    """SPARQL JSON results with every blank node label made valid for pyoxigraph.

    Virtuoso labels blank nodes ``nodeID://b10006``, which is no blank node label; the same
    label gets the same new one within the answer.
    """
    answer = orjson.loads(content)
    labels: dict[str, str] = {}
    for row in answer.get("results", {}).get("bindings", []):
        for cell in row.values():
            if cell.get("type") == "bnode" and not _BLANK_ID.fullmatch(cell["value"]):
                cell["value"] = labels.setdefault(cell["value"], f"r{len(labels)}")
    return orjson.dumps(answer)


def _has_from(query: str) -> bool:
    """Whether the query names its own dataset (``FROM`` / ``FROM NAMED``)."""
    depth = 0
    for kind, text, _ in _tokens(query):
        if kind == "brace":
            depth += 1 if text == "{" else -1
        elif depth == 0 and text == "FROM":
            return True
    return False


def open_query_store(settings: Settings, store_dir: Path | None = None) -> ox.Store | RemoteStore:
    """The store that answers queries: the engine at ``TDI_SPARQL_URL`` when it is set, else the
    embedded build at ``store_dir`` (default ``TDI_STORE``), in memory if the settings say so."""
    if settings.sparql_url:
        return RemoteStore(
            settings.sparql_url, timeout=settings.query_timeout, auth=engine_auth(settings)
        )
    from tdi_graph.store import open_store

    return open_store(store_dir or settings.store, in_memory=settings.store_in_memory)
