"""SPARQL queries for the endpoint: reading and checking a query, evaluating it, its answer.

This module knows nothing of HTTP. The API parses the protocol into a :class:`QueryRequest`;
:class:`~tdi_graph.workers.WorkerPool` answers it with an :class:`Answer` (a media type and bytes
or a file to stream). Formats and content negotiation are in :mod:`tdi_graph.sparql_formats`.

:func:`evaluate` runs inside killable worker processes forked from the server, so that a query
past the time limit can be stopped: :mod:`tdi_graph.workers` explains why and how (with the
measurements behind the design). Answers are written by pyoxigraph's own serializers, first in a
line format (TSV for solutions, N-Triples for graphs) whose lines are counted as they are written,
so the row cap stops a runaway result early, then converted to the negotiated format.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Any

import pyoxigraph as ox

from tdi_graph.errors import BadRequest, QueryRefused, QuerySyntaxError, TooManyResults
from tdi_graph.namespaces import PREFIXES
from tdi_graph.results import term_value
from tdi_graph.sparql_formats import Format, negotiate

INLINE_MAX = 256 * 1024  # answers up to this size travel inside the worker's reply
CHUNK = 64 * 1024
MESSAGE_MAX = 300  # characters of a parser message (its list of expected tokens can be huge)

# pyoxigraph's serializers for the formats of :mod:`tdi_graph.sparql_formats`, by name
RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


# --- reading a query without evaluating it ------------------------------------------------------

_SKIP = "|".join(
    (
        r"\#[^\n\r]*",  # comment
        r"'''(?:[^'\\]|\\.|'(?!''))*'''",
        r'"""(?:[^"\\]|\\.|"(?!""))*"""',
        r"'(?:[^'\\\n\r]|\\.)*'",
        r'"(?:[^"\\\n\r]|\\.)*"',
        r"<[^<>\"{}|^`\\\x00-\x20]*>",  # IRI
        r"[?$]\w+",  # variable
        r"_:\w[\w.-]*",  # blank node
        r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*",  # language tag
        r"(?:[^\W\d_][\w.-]*)?:(?:[\w:%.-]*[\w:%-])?",  # prefixed name
        r"\d[\w.]*(?:[eE][+-]?\d+)?",  # number
    )
)
_TOKEN = re.compile(rf"(?P<skip>{_SKIP})|(?P<word>[^\W\d_]\w*)|(?P<brace>[{{}}])", re.DOTALL)
FORMS = {"SELECT": "solutions", "ASK": "solutions", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)


def _tokens(query: str) -> Iterator[tuple[str, str, int]]:
    """Keywords and braces outside comments, strings, IRIs and names: (kind, text, end)."""
    for match in _TOKEN.finditer(query):
        if match.lastgroup == "word":
            yield "word", match.group().upper(), match.end()
        elif match.lastgroup == "brace":
            yield "brace", match.group(), match.end()


@lru_cache(maxsize=512)
def keywords(query: str) -> tuple[str, ...]:
    """The keywords of a query, upper-cased, ignoring strings, IRIs, names and comments.

    >>> keywords('SELECT ?service WHERE { ?s ex:service "SERVICE" } # SERVICE')
    ('SELECT', 'WHERE')
    """
    return tuple(text for kind, text, _ in _tokens(query) if kind == "word")


def query_form(query: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, ``UPDATE`` or ``None`` if unclear."""
    for word in keywords(query):
        if word in FORMS:
            return word
        if word in UPDATE_WORDS:
            return "UPDATE"
    return None


def check(query: str, *, allow_service: bool = False) -> str | None:
    """Refuse updates and (unless allowed) ``SERVICE``; return the query form."""
    if not query.strip():
        raise BadRequest("the query is empty")
    words = keywords(query)
    form = query_form(query)
    if form == "UPDATE":
        raise QueryRefused("SPARQL Update is not allowed: this endpoint is read-only")
    if "SERVICE" in words and not allow_service:
        raise QueryRefused(
            "SERVICE (federated query) is disabled on this endpoint (setting TDI_ALLOW_SERVICE)"
        )
    return form


def result_kind(form: str | None) -> str | None:
    """``solutions`` or ``graph`` for a query form."""
    return FORMS.get(form or "")


def with_values(query: str, values: dict[str, ox.Term]) -> str:
    """The query with its parameters bound by a ``VALUES`` block, for people to read and edit.

    Named queries run with ``substitutions=``; this is the same binding as text. The block goes
    first in the ``WHERE`` group, where the planner starts from it as it does from substitutions,
    unless the query binds the variable itself (``... AS ?name``): then it trails the query. A
    query that already has a trailing ``VALUES`` comes back unchanged.

    >>> with_values("SELECT ?x WHERE { ?x ?p ?o }", {"p": ox.NamedNode("http://e/p")})
    'SELECT ?x WHERE {\\n  VALUES (?p) { (<http://e/p>) }\\n ?x ?p ?o }'
    """
    if not values:
        return query
    tokens = list(_tokens(query))
    depth, brace, form, after_where, template = 0, None, None, False, False
    for kind, text, end in tokens:
        if kind == "brace":
            if text == "{" and depth == 0 and brace is None and form is not None:
                # for CONSTRUCT, the group after WHERE and the template (not CONSTRUCT WHERE {})
                if form != "CONSTRUCT" or (after_where and template):
                    brace = end
                template = template or not after_where
            depth += 1 if text == "{" else -1
        elif depth == 0 and text == "VALUES" and brace is not None:
            return query
        elif form is None and text in FORMS:
            form = text
        elif text == "WHERE":
            after_where = True
    clause = "VALUES ({}) {{ ({}) }}".format(
        " ".join(f"?{name}" for name in values), " ".join(str(term) for term in values.values())
    )
    rebound = any(re.search(rf"\bAS\s+[?$]{re.escape(n)}\b", query, re.I) for n in values)
    if brace is None or rebound:
        return f"{query.rstrip()}\n{clause}\n"
    return f"{query[:brace]}\n  {clause}\n{query[brace:]}"


def graph_names(values: list[str], parameter: str) -> tuple[str, ...]:
    """Check the IRIs of ``default-graph-uri`` / ``named-graph-uri`` values."""
    out = []
    for value in values:
        try:
            node = ox.NamedNode(value.strip())
        except ValueError:
            raise BadRequest(f"{parameter}: {value!r} is not an absolute IRI") from None
        if ":" not in node.value:
            raise BadRequest(f"{parameter}: {value!r} is not an absolute IRI")
        out.append(node.value)
    return tuple(out)


# --- evaluation (in a worker) -------------------------------------------------------------------


@dataclass(frozen=True)
class QueryRequest:
    """A query to evaluate and how to answer it; it travels to a worker, so it is picklable.

    With no ``default_graphs`` nor ``named_graphs`` the default graph is the union of all named
    graphs, unless the query has its own ``FROM``. ``rows=(limit, offset)`` asks for a page of
    plain values (the JSON API) instead of a serialization; ``max_rows`` caps serializations.
    """

    query: str
    accept: str | None = None
    format: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    substitutions: tuple[tuple[str, Any], ...] = ()
    max_rows: int = 100_000
    allow_service: bool = False
    rows: tuple[int, int] | None = None


@dataclass
class Answer:
    """An answer: its content type and bytes, a file or descriptor to stream, or plain ``data``."""

    content_type: str = ""
    body: bytes = b""
    file: IO[bytes] | None = None
    fd: int | None = None
    size: int = 0
    data: dict[str, Any] | None = None

    def chunks(self) -> Iterator[bytes]:
        """The body, in chunks; the file or descriptor is closed at the end."""
        try:
            if self.fd is not None:
                offset = 0
                while chunk := os.pread(self.fd, CHUNK, offset):
                    offset += len(chunk)
                    yield chunk
            elif self.file is not None:
                self.file.seek(0)
                while chunk := self.file.read(CHUNK):
                    yield chunk
            else:
                yield self.body
        finally:
            self.close()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class _LineCounter(io.RawIOBase):
    """A writable file that counts lines and stops the serializer past ``limit``."""

    def __init__(self, target: IO[bytes], limit: int, max_rows: int) -> None:
        super().__init__()
        self.target, self.limit, self.max_rows, self.lines = target, limit, max_rows, 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.lines += chunk.count(b"\n")
        if self.lines > self.limit:
            raise TooManyResults(
                f"the answer has more than {self.max_rows:,} rows (TDI_MAX_RESULT_ROWS): "
                "add a LIMIT or make the query more selective"
            )
        self.target.write(chunk)
        return len(chunk)


def _spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=INLINE_MAX)  # type: ignore[return-value]


def _dataset(request: QueryRequest) -> dict[str, Any]:
    if request.default_graphs or request.named_graphs:
        return {
            "default_graph": [ox.NamedNode(g) for g in request.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in request.named_graphs],
        }
    if "FROM" in keywords(request.query):
        return {}
    return {"use_default_graph_as_union": True}


def evaluate(store: ox.Store, request: QueryRequest) -> Answer:
    """Evaluate ``request`` on ``store`` and serialize the answer (runs inside a worker)."""
    check(request.query, allow_service=request.allow_service)
    try:
        result = store.query(
            request.query,
            base_iri=request.base_iri,
            substitutions={ox.Variable(k): v for k, v in request.substitutions} or None,
            **_dataset(request),
        )
    except SyntaxError as exc:
        message = str(exc)  # "error at LINE:COLUMN: expected ..."
        if len(message) > MESSAGE_MAX:
            message = message[:MESSAGE_MAX] + "…"
        raise QuerySyntaxError(f"syntax {message}") from None
    if request.rows is not None:
        return Answer(data=_page(result, *request.rows))
    kind = "graph" if isinstance(result, ox.QueryTriples) else "solutions"
    fmt = negotiate(kind, request.accept, request.format)
    out = _spool()
    _serialize(result, fmt, out, request.max_rows)
    return Answer(content_type=fmt.content_type, file=out, size=out.tell())


def _serialize(result: Any, fmt: Format, out: IO[bytes], max_rows: int) -> None:
    if isinstance(result, ox.QueryBoolean):
        result.serialize(out, format=RESULT_FORMATS[fmt.name])
    elif isinstance(result, ox.QuerySolutions):
        tsv = ox.QueryResultsFormat.TSV
        if fmt.name == "tsv":
            result.serialize(_LineCounter(out, max_rows + 1, max_rows), format=tsv)
            return
        with _spool() as lines:
            result.serialize(_LineCounter(lines, max_rows + 1, max_rows), format=tsv)
            lines.seek(0)
            parsed = ox.parse_query_results(lines, format=tsv)
            parsed.serialize(out, format=RESULT_FORMATS[fmt.name])
    else:
        nt = ox.RdfFormat.N_TRIPLES
        if fmt.name == "ntriples":
            ox.serialize(result, _LineCounter(out, max_rows, max_rows), format=nt)
            return
        with _spool() as lines:
            ox.serialize(result, _LineCounter(lines, max_rows, max_rows), format=nt)
            lines.seek(0)
            quads = ox.parse(lines, format=nt)
            rdf = RDF_FORMATS[fmt.name]
            source = quads if rdf.supports_datasets else (q.triple for q in quads)
            prefixes = PREFIXES if fmt.name in ("turtle", "trig", "rdfxml") else None
            ox.serialize(source, out, format=rdf, prefixes=prefixes)


def _plain(term: Any) -> Any:
    return str(term) if isinstance(term, ox.Triple) else term_value(term)


def _page(result: Any, limit: int, offset: int) -> dict[str, Any]:
    """Plain values of the rows ``offset..offset+limit`` and the total number of rows.

    No row cap here: the page holds at most ``limit`` rows, the rest are only counted.
    """
    if isinstance(result, ox.QueryBoolean):
        return {"variables": [], "boolean": bool(result), "items": [], "total": 0}
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
    else:
        names = ["subject", "predicate", "object"]
    items: list[dict[str, Any]] = []
    total = 0
    for row in result:
        total += 1
        if offset < total <= offset + limit:
            if isinstance(row, ox.Triple):
                values = (row.subject, row.predicate, row.object)
                items.append({n: _plain(v) for n, v in zip(names, values, strict=True)})
            else:
                items.append({n: _plain(row[n]) for n in names})
    return {"variables": names, "items": items, "total": total}
