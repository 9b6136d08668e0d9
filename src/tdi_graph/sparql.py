"""SPARQL queries for the endpoint: checks, formats, negotiation, and killable worker processes.

This module knows nothing of HTTP. The API parses the protocol into a :class:`QueryRequest`;
:class:`WorkerPool` answers it with an :class:`Answer` (a media type and bytes or a file to stream).

Why worker processes forked from the server (measured on the 2-core build machine, shared with
other jobs, on the project's store of 461 k quads; pyoxigraph and oxigraph 0.5.13):

* pyoxigraph cannot interrupt ``Store.query``: a thread cannot stop it; only killing the process
  that runs it frees the CPU.
* ``oxigraph serve-read-only --timeout-s 2`` is no time limit for us: a streaming cross product
  came back as a ``200`` cut off after 3.5 s (119 MB, the client cannot tell it is truncated);
  ``ORDER BY`` or ``COUNT(*)`` over a cross product got no answer in 15 s and kept the CPU busy
  (one ``COUNT`` was still running after 10 minutes).
* Workers opening the on-disk build read-only start at once but evaluate slower than the
  in-memory store: 1.9x, 3.5x and 6-9x on the three queries of ``bench.sparql`` (NOTES.md: 3-10x).
* Workers forked from the process that holds the in-memory store share it copy-on-write (no
  second copy: reading it in takes 2-7 s and ~300 MB). Forking the zygote and 2 workers takes
  30-50 ms, replacing a killed worker ~10 ms; a runaway query is answered 503 at the limit
  + 20-50 ms and its CPU is free at once (``python -m bench.sparql`` prints these figures).

So a "zygote" is forked once from the server when the pool starts (before any request is served,
so no other thread holds a lock) and forks the ``settings.query_workers`` workers, and a fresh one
whenever a worker is killed. A query past ``settings.query_timeout`` gets a 503 and its worker is
killed. Answers are written by pyoxigraph's own serializers, first in a line format (TSV for
solutions, N-Triples for graphs) whose lines are counted as they are written, so the row cap stops a
runaway result early, then converted to the negotiated format. Small answers come back inline,
larger ones as the descriptor of an unlinked temporary file that the server streams: the server
never holds a large result in memory, and the worker is free as soon as the file is written.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import os
import pickle
import queue
import re
import select
import signal
import socket
import stat
import struct
import sys
import tempfile
import threading
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from tdi_graph.errors import (
    BadRequest,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    TdiError,
    TooManyResults,
)
from tdi_graph.namespaces import PREFIXES
from tdi_graph.results import term_value

INLINE_MAX = 256 * 1024  # answers up to this size travel inside the worker's reply
CHUNK = 64 * 1024
MESSAGE_MAX = 300  # characters of a parser message (its list of expected tokens can be huge)


class NotAcceptable(TdiError):
    status = 406
    code = "not_acceptable"


class UnsupportedMediaType(TdiError):
    status = 415
    code = "unsupported_media_type"


class Busy(TdiError):
    """Every worker stayed busy for the whole time limit."""

    status = 503
    code = "busy"


# --- formats and content negotiation -----------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """One serialization of query results: ``solutions`` (SELECT, ASK) or ``graph`` ones."""

    name: str
    media_type: str
    kind: str
    also: tuple[str, ...] = ()  # other media types that select it in ``Accept``
    names: tuple[str, ...] = ()  # values of the ``format=`` parameter

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/")
        return self.media_type + ("; charset=utf-8" if text else "")


# fmt: off
FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", "solutions", ("application/json",),
           ("json", "srj")),
    Format("xml", "application/sparql-results+xml", "solutions", ("application/xml", "text/xml"),
           ("xml", "srx")),
    Format("csv", "text/csv", "solutions", (), ("csv",)),
    Format("tsv", "text/tab-separated-values", "solutions", (), ("tsv",)),
    Format("turtle", "text/turtle", "graph", ("application/x-turtle",), ("turtle", "ttl")),
    Format("ntriples", "application/n-triples", "graph", ("text/plain",),
           ("ntriples", "n-triples", "nt")),
    Format("rdfxml", "application/rdf+xml", "graph", ("application/xml", "text/xml"),
           ("rdfxml", "rdf", "xml")),
    Format("jsonld", "application/ld+json", "graph", ("application/json",),
           ("jsonld", "json-ld", "json")),
    Format("trig", "application/trig", "graph", (), ("trig",)),
    Format("nquads", "application/n-quads", "graph", (), ("nquads", "n-quads", "nq")),
)
# fmt: on
_RESULTS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_RDF = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


def formats(kind: str) -> list[Format]:
    """The formats of one kind (``solutions`` or ``graph``), in order of preference."""
    return [f for f in FORMATS if f.kind == kind]


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their q-values; no header means ``*/*``.

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('text/csv', 0.5), ('application/sparql-results+json', 1.0)]
    """
    ranges: list[tuple[str, float]] = []
    for part in (header or "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        media = "*/*" if media == "*" else media.lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges or [("*/*", 1.0)]


def quality(ranges: list[tuple[str, float]], media_type: str, *, exact: bool = False) -> float:
    """The q-value the most specific matching range gives ``media_type`` (0 if none matches)."""
    best, rank = 0.0, -1
    wildcard = media_type.split("/")[0] + "/*"
    for media, q in ranges:
        specificity = {media_type: 2, wildcard: 1, "*/*": 0}.get(media, -1)
        if specificity < 0 or (exact and specificity < 2):
            continue
        if specificity > rank or (specificity == rank and q > best):
            best, rank = q, specificity
    return best


def negotiate(kind: str, accept: str | None = None, override: str | None = None) -> Format:
    """The format to answer in: ``override`` (a ``format=`` value) or the best for ``Accept``.

    >>> negotiate("solutions", "text/csv;q=0.9, application/sparql-results+xml").name
    'xml'
    >>> negotiate("graph", None).name
    'turtle'
    """
    candidates = formats(kind)
    if override:
        key = override.strip().lower()
        for f in candidates:
            if key in f.names or key == f.media_type or key in f.also:
                return f
        if any(key in f.names or key == f.media_type for f in FORMATS):
            raise NotAcceptable(
                f"format {override!r} cannot express the results of this query; "
                f"use one of {', '.join(f.names[0] for f in candidates)}"
            )
        raise BadRequest(
            f"unknown format {override!r}: use one of {', '.join(f.names[0] for f in FORMATS)}"
        )
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for f in candidates:  # wildcards select a format by its own media type, not its aliases
        q = max([quality(ranges, f.media_type)] + [quality(ranges, m, exact=True) for m in f.also])
        if q > best_q:
            best, best_q = f, q
    if best is None:
        raise NotAcceptable(
            f"none of the media types in Accept: {accept} can express the results of this "
            f"query; available: {', '.join(f.media_type for f in candidates)}"
        )
    return best


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
        result.serialize(out, format=_RESULTS[fmt.name])
    elif isinstance(result, ox.QuerySolutions):
        tsv = ox.QueryResultsFormat.TSV
        if fmt.name == "tsv":
            result.serialize(_LineCounter(out, max_rows + 1, max_rows), format=tsv)
            return
        with _spool() as lines:
            result.serialize(_LineCounter(lines, max_rows + 1, max_rows), format=tsv)
            lines.seek(0)
            ox.parse_query_results(lines, format=tsv).serialize(out, format=_RESULTS[fmt.name])
    else:
        nt = ox.RdfFormat.N_TRIPLES
        if fmt.name == "ntriples":
            ox.serialize(result, _LineCounter(out, max_rows, max_rows), format=nt)
            return
        with _spool() as lines:
            ox.serialize(result, _LineCounter(lines, max_rows, max_rows), format=nt)
            lines.seek(0)
            quads = ox.parse(lines, format=nt)
            rdf = _RDF[fmt.name]
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


# --- messages between processes -----------------------------------------------------------------


def _send(sock: socket.socket, message: object, fd: int | None = None) -> None:
    """One length-prefixed pickle; a file descriptor rides with its first bytes."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    frame = struct.pack("!I", len(data)) + data
    if fd is None:
        sock.sendall(frame)
        return
    sent = socket.send_fds(sock, [frame[:4]], [fd])
    sock.sendall(frame[sent:])


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    parts, missing = [], n
    while missing:
        chunk = sock.recv(min(missing, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        missing -= len(chunk)
    return b"".join(parts)


def _recv(sock: socket.socket) -> tuple[Any, list[int]]:
    """The next message and the descriptors sent with it; ``(None, [])`` at end of stream."""
    head, fds, _flags, _addr = socket.recv_fds(sock, 4, 1)
    if not head:
        return None, []
    try:
        head += _recv_exact(sock, 4 - len(head))
        (size,) = struct.unpack("!I", head)
        return pickle.loads(_recv_exact(sock, size)), fds
    except EOFError:
        for fd in fds:
            os.close(fd)
        return None, []


# --- the zygote and its workers (child processes) ---------------------------------------------


def _neutralise_inherited_fds(keep: set[int]) -> None:
    """Point inherited sockets and pipes at /dev/null, so the server's connections close."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        fds = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd <= 2 or fd in keep or fd == devnull:
            continue
        with contextlib.suppress(OSError):
            mode = os.fstat(fd).st_mode
            if stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode):
                os.dup2(devnull, fd)
    os.close(devnull)


def _die_with_parent(parent: int) -> None:
    """Linux: get SIGKILL when the zygote dies (it is single-threaded, so this is reliable)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(0)


def _child(main: Any, *args: Any) -> None:
    """Run ``main`` in a forked child and never return into the parent's code."""
    code = 1
    try:
        main(*args)
        code = 0
    except BaseException:  # the child must not unwind into the server's stack
        traceback.print_exc()
    finally:
        os._exit(code)


def _zygote(control: socket.socket, source: ox.Store | Path) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    _neutralise_inherited_fds({control.fileno()})
    gc.freeze()
    me = os.getpid()
    while True:
        message, fds = _recv(control)
        if message is None:
            return
        for fd in fds:
            pid = os.fork()
            if pid == 0:
                _child(_worker, fd, control, source, me)
            os.close(fd)
            _send(control, pid)


def _worker(fd: int, control: socket.socket, source: ox.Store | Path, zygote: int) -> None:
    control.close()
    _die_with_parent(zygote)
    store = source if isinstance(source, ox.Store) else ox.Store.read_only(str(source))
    sock = socket.socket(fileno=fd)
    while True:
        request, _ = _recv(sock)
        if request is None:
            return
        answer: Answer | None = None
        send_fd = None
        try:
            answer = evaluate(store, request)
            reply: tuple[Any, ...] = ("ok", answer.content_type, answer.size, None, answer.data)
            if answer.file is not None and answer.size <= INLINE_MAX:
                answer.file.seek(0)
                reply = ("ok", answer.content_type, answer.size, answer.file.read(), None)
            elif answer.file is not None:
                send_fd = answer.file.fileno()  # rolls a spooled file over to disk
                answer.file.flush()
        except TdiError as exc:
            reply = ("error", exc)
        except Exception as exc:  # a bug: reported as a 500, never as the client's fault
            reply = ("error", TdiError(f"query evaluation failed: {type(exc).__name__}: {exc}"))
        _send(sock, reply, send_fd)
        if answer is not None:
            answer.close()


# --- the pool (in the server) -----------------------------------------------------------------


@dataclass(eq=False)
class _Handle:
    pid: int
    sock: socket.socket


class WorkerPool:
    """``size`` processes that evaluate queries; one past ``timeout`` seconds is killed.

    ``source`` is the in-memory store to share with the workers, or the directory of an on-disk
    build that each worker opens read-only. Thread-safe: :meth:`run` blocks its calling thread.
    """

    def __init__(self, source: ox.Store | Path, size: int = 2, timeout: float = 10.0) -> None:
        self.source, self.size, self.timeout = source, max(1, size), timeout
        self._idle: queue.Queue[_Handle] = queue.Queue()
        self._all: set[_Handle] = set()
        self._lock = threading.Lock()
        self._control: socket.socket | None = None
        self._zygote_pid = 0
        self.closed = False

    def start(self) -> None:
        """Fork the zygote and the workers (call it while the server is idle)."""
        with self._lock:
            if self._control is not None:
                return
            self._start_zygote()
        for _ in range(self.size):
            self._idle.put(self._spawn())

    def _start_zygote(self) -> None:
        parent, child = socket.socketpair()
        sys.stdout.flush()
        sys.stderr.flush()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # "fork with threads" (3.12+)
            pid = os.fork()
        if pid == 0:
            parent.close()
            _child(_zygote, child, self.source)
        child.close()
        self._control, self._zygote_pid = parent, pid

    def _spawn(self) -> _Handle:
        """A new worker, forked by the zygote."""
        ours, theirs = socket.socketpair()
        with self._lock:
            if self._control is None or self.closed:
                raise TdiError("the SPARQL worker pool is closed")
            try:
                _send(self._control, "fork", theirs.fileno())
                pid, _ = _recv(self._control)
            except OSError:
                pid = None
            if pid is None:  # the zygote died: start another one
                self._reap_zygote()
                self._start_zygote()
                _send(self._control, "fork", theirs.fileno())
                pid, _ = _recv(self._control)
            theirs.close()
            handle = _Handle(int(pid), ours)
            self._all.add(handle)
        return handle

    def _kill(self, handle: _Handle) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(handle.pid, signal.SIGKILL)
        handle.sock.close()
        with self._lock:
            self._all.discard(handle)

    def _replace(self, handle: _Handle) -> None:
        self._kill(handle)
        if not self.closed:
            self._idle.put(self._spawn())

    def run(self, request: QueryRequest) -> Answer:
        """Evaluate ``request`` in a worker; :class:`QueryTimeout` if it runs too long."""
        if self._control is None:
            self.start()
        for attempt in (1, 2):
            try:
                handle = self._idle.get(timeout=self.timeout)
            except queue.Empty:
                raise Busy(
                    f"all {self.size} query workers stayed busy for {self.timeout:g} s: "
                    "try again in a moment"
                ) from None
            try:
                _send(handle.sock, request)
            except OSError:  # the worker died while idle: retry once on a fresh one
                self._replace(handle)
                if attempt == 2:
                    raise TdiError("the query workers keep dying") from None
                continue
            return self._await(handle)
        raise AssertionError("unreachable")

    def _await(self, handle: _Handle) -> Answer:
        poller = select.poll()
        poller.register(handle.sock, select.POLLIN)
        if not poller.poll(self.timeout * 1000):
            self._replace(handle)
            raise QueryTimeout(
                f"the query ran for more than {self.timeout:g} s and was stopped: make it more "
                "selective (specific patterns first, a LIMIT) or raise TDI_QUERY_TIMEOUT"
            )
        try:
            reply, fds = _recv(handle.sock)
        except BaseException:
            self._replace(handle)
            raise
        if reply is None:
            self._replace(handle)
            raise TdiError("the query worker died (out of memory?) before answering")
        self._idle.put(handle)
        if reply[0] == "error":
            for fd in fds:
                os.close(fd)
            raise reply[1]
        _, content_type, size, body, data = reply
        if fds:
            return Answer(content_type, fd=fds[0], size=size)
        return Answer(content_type, body=body or b"", size=size, data=data)

    def _reap_zygote(self) -> None:
        if self._control is not None:
            self._control.close()
            self._control = None
        if self._zygote_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._zygote_pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._zygote_pid, 0)
            self._zygote_pid = 0

    def close(self) -> None:
        """Kill the workers and the zygote."""
        self.closed = True
        for handle in list(self._all):
            self._kill(handle)
        with self._lock:
            self._reap_zygote()

    def pids(self) -> list[int]:
        """Process ids of the live workers (for tests and benchmarks)."""
        return sorted(h.pid for h in self._all)

    def __enter__(self) -> WorkerPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
