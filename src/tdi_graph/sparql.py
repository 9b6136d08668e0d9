"""SPARQL queries for the endpoint: reading and checking a query, evaluating it, its answer.

This module knows nothing of HTTP. The API parses the protocol into a :class:`QueryRequest`;
:class:`~tdi_graph.workers.WorkerPool` answers it with an :class:`Answer` (a media type and bytes
or a file to stream). Formats and content negotiation are in :mod:`tdi_graph.conneg`.

:func:`evaluate` runs inside killable worker processes forked from the server, so that a query
past the time limit can be stopped: :mod:`tdi_graph.workers` explains why and how (with the
measurements behind the design). Answers are written by pyoxigraph's own serializers, first in a
line format (TSV for solutions, N-Triples for graphs) whose lines are counted as they are written,
so the row cap stops a runaway result early, then converted to the negotiated format.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import pyoxigraph as ox

from tdi_graph.conneg import negotiate
from tdi_graph.errors import (
    BadRequest,
    OutOfMemory,
    QueryRefused,
    QuerySyntaxError,
    QueryTooComplex,
    ServiceRefused,
    TdiError,
)
from tdi_graph.namespaces import PREFIXES
from tdi_graph.rdftypes import Term
from tdi_graph.results import term_value
from tdi_graph.sandbox import DENIED
from tdi_graph.sparql_lexer import _KIND, _TOKEN, FORMS, Reading, _where, lex, tokens
from tdi_graph.sparql_output import serialize, spool

CHUNK = 64 * 1024
MESSAGE_MAX = 300  # characters of a parser message (its list of expected tokens can be huge)

# --- reading a query without evaluating it ------------------------------------------------------

SERVICE_REFUSED = (
    "SERVICE (federated query) is disabled on this endpoint: it makes no outside calls "
    "(setting TDI_ALLOW_SERVICE)"
)
MAX_DEPTH = 64
#: patterns side by side in one group, and operators in all (see :class:`Reading`); pyoxigraph
#: 0.5.13 crashes from about 8 000 triple patterns in a group and 2 600 BINDs or MINUSes in a
#: row (a stack overflow), and its join planner is cubic: 100 patterns in a group take 1 s to
#: plan, 300 more than 15 s. ``bench/flat_chains.py`` measures it; the named queries reach 17
#: and 65.
MAX_PATTERNS = 128
MAX_OPERATORS = 500


def keywords(query: str) -> tuple[str, ...]:
    """The keywords of a query, upper-cased, ignoring strings, IRIs, names and comments.

    >>> keywords('SELECT ?service WHERE { ?s ex:service "SERVICE" } # SERVICE')
    ('SELECT', 'WHERE')
    """
    return lex(query).words


def query_form(query: str) -> str | None:
    """``SELECT``, ``ASK``, ``CONSTRUCT``, ``DESCRIBE``, ``UPDATE`` or ``None`` if unclear."""
    return lex(query).form


def check(
    query: str,
    *,
    allow_service: bool = False,
    max_depth: int = MAX_DEPTH,
    max_patterns: int = MAX_PATTERNS,
    max_operators: int = MAX_OPERATORS,
) -> str | None:
    """Refuse updates, (unless allowed) ``SERVICE``, nesting deeper than ``max_depth``, more
    than ``max_patterns`` patterns in one group and more than ``max_operators`` operators;
    return the query form. One linear pass of :func:`tdi_graph.sparql_lexer.lex`."""
    return _checked(query, allow_service, max_depth, max_patterns, max_operators).form


def _checked(
    query: str, allow_service: bool, max_depth: int, max_patterns: int, max_operators: int
) -> Reading:
    if not query.strip():
        raise BadRequest("the query is empty")
    reading = lex(query, max_depth)
    if reading.form == "UPDATE":
        raise QueryRefused("SPARQL Update is not allowed: this endpoint is read-only")
    if "SERVICE" in reading.words and not allow_service:
        raise ServiceRefused(SERVICE_REFUSED)
    if reading.widest > max_patterns:
        raise QueryTooComplex(
            f"the query has {reading.widest:,} triple patterns, path steps and groups side by "
            f"side in one group, more than {max_patterns:,} (TDI_MAX_QUERY_PATTERNS): "
            "split the group or the query"
        )
    if reading.operators > max_operators:
        raise QueryTooComplex(
            f"the query has {reading.operators:,} patterns and operators (groups, OPTIONAL, "
            "UNION, MINUS, FILTER, BIND, path steps, logical and arithmetic operators), more "
            f"than {max_operators:,} (TDI_MAX_QUERY_OPERATORS): split the query"
        )
    return reading


def result_kind(form: str | None) -> str | None:
    """``solutions`` or ``graph`` for a query form."""
    return FORMS.get(form or "")


def with_values(query: str, values: dict[str, Term]) -> str:
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
    depth, brace, form, after_where, template = 0, None, None, False, False
    for kind, text, end in tokens(query):
        if kind in ("open", "close"):
            if text not in "{}":
                continue
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


def unknown_prefix(query: str) -> str | None:
    """The message for the first prefixed name whose prefix is neither declared by a PREFIX
    line nor one of the project's, or ``None``. Called on a syntax error: pyoxigraph's own
    message for it is a list of character classes, and sometimes points elsewhere.

    >>> unknown_prefix("SELECT * {\\n  ?x a foaf:Person, foo:Bar }")
    'préfixe inconnu `foo:` (ligne 2, colonne 21) : déclarez-le par une ligne PREFIX'
    >>> unknown_prefix("PREFIX foo: <http://e/> SELECT * { ?x a foo:Bar }") is None
    True
    """
    declared, previous = set(PREFIXES), ""
    for match in _TOKEN.finditer(query):
        kind = _KIND[match.lastgroup or ""]
        if kind in ("space", "comment"):
            continue
        run = match.group()
        if kind == "name" and ":" in run:
            prefix = run.split(":", 1)[0]
            if previous == "PREFIX":
                declared.add(prefix)
            elif prefix not in declared:
                where = _where(query, match.start()).split(":")
                return (
                    f"préfixe inconnu `{prefix}:` (ligne {where[0]}, colonne {where[1]}) : "
                    "déclarez-le par une ligne PREFIX"
                )
        previous = run.upper() if kind == "name" else ""
    return None


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
    max_bytes: int = 256 * 1024 * 1024
    max_depth: int = MAX_DEPTH
    max_patterns: int = MAX_PATTERNS
    max_operators: int = MAX_OPERATORS


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


def _dataset(request: QueryRequest, words: tuple[str, ...]) -> dict[str, Any]:
    if request.default_graphs or request.named_graphs:
        return {
            "default_graph": [ox.NamedNode(g) for g in request.default_graphs],
            "named_graphs": [ox.NamedNode(g) for g in request.named_graphs],
        }
    if "FROM" in words:
        return {}
    return {"use_default_graph_as_union": True}


def evaluate(store: ox.Store, request: QueryRequest) -> Answer:
    """Check, evaluate and serialize ``request`` on ``store`` (runs inside a worker).

    The checks (read-only, SERVICE, depth, size, an acceptable format) come before the parser sees
    the query. In a worker without network (:mod:`tdi_graph.sandbox`), a SERVICE call that got
    past them fails for want of a socket, and is answered as the refusal it is.
    """
    reading = _checked(
        request.query,
        request.allow_service,
        request.max_depth,
        request.max_patterns,
        request.max_operators,
    )
    kind = result_kind(reading.form)
    if kind is not None and request.rows is None:
        negotiate(kind, request.accept, request.format)  # a 406 before any evaluation
    try:
        return _evaluate(store, request, reading.words)
    except OSError as exc:
        if any(m in str(exc) for m in DENIED):  # a worker without network
            raise ServiceRefused(SERVICE_REFUSED) from None
        raise TdiError(f"the query could not be evaluated: {type(exc).__name__}") from None
    except RuntimeError as exc:  # pyoxigraph's evaluation errors (an unbound SERVICE name...)
        message = str(exc)[:MESSAGE_MAX]
        if "service" in message.lower() and not request.allow_service:
            raise ServiceRefused(SERVICE_REFUSED) from None
        raise BadRequest(f"the query could not be evaluated: {message}") from None
    except MemoryError:
        raise OutOfMemory(
            "the query needed more memory than a query may use (TDI_QUERY_MEMORY_MB): "
            "make it more selective"
        ) from None


def _evaluate(store: ox.Store, request: QueryRequest, words: tuple[str, ...]) -> Answer:
    try:
        result = store.query(
            request.query,
            base_iri=request.base_iri,
            substitutions={ox.Variable(k): v for k, v in request.substitutions} or None,
            prefixes=PREFIXES,
            **_dataset(request, words),
        )
    except SyntaxError as exc:
        message = str(exc)  # "error at LINE:COLUMN: expected ..."
        unknown = unknown_prefix(request.query)
        if unknown is not None:
            raise QuerySyntaxError(unknown) from None
        if len(message) > MESSAGE_MAX:
            message = message[:MESSAGE_MAX] + "…"
        raise QuerySyntaxError(f"syntax {message}") from None
    if request.rows is not None:
        return Answer(data=_page(result, *request.rows))
    kind = "graph" if isinstance(result, ox.QueryTriples) else "solutions"
    fmt = negotiate(kind, request.accept, request.format)
    out = spool()
    serialize(result, fmt, out, request.max_rows, request.max_bytes)
    return Answer(content_type=fmt.content_type, file=out, size=out.tell())


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
