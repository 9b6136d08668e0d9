"""The SPARQL 1.1 endpoint: the Protocol's query operation, service description and UI.

``GET /sparql?query=``, ``POST`` as ``application/x-www-form-urlencoded`` or
``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri``; results by ``Accept``
(or ``format=`` for links). With no query: the service description, or the query UI for browsers.
Evaluation happens in the killable workers of :mod:`tdi_graph.workers`; the answers without a
query are in :mod:`tdi_graph_api.sparql_pages`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response, StreamingResponse
from fastapi.routing import APIRoute

from tdi_graph.conneg import (
    FORMAT_PARAMETERS,
    FORMATS,
    UnsupportedMediaType,
    parse_accept,
    quality,
    requested,
)
from tdi_graph.errors import BadRequest, QueryRefused, TdiError
from tdi_graph.settings import Settings
from tdi_graph.sparql import (
    Answer,
    QueryRequest,
    graph_names,
)
from tdi_graph.workers import WorkerPool
from tdi_graph_api import forms, sparql_pages
from tdi_graph_api.deps import services_of
from tdi_graph_api.errors import error_response, tdi_error_response


class DirectRoute(APIRoute):
    """A route documented like any other whose endpoint takes the :class:`Request` and returns
    the :class:`Response`, called directly: without FastAPI's parameter solving and exit stacks
    (in process, 0.09 ms of the 0.46 ms of CPU that a point lookup cost the server). The
    endpoints answer their own errors (:func:`_errors`); anything else reaches the app's
    handler for unexpected errors, as from any route."""

    async def handle(self, scope: Any, receive: Any, send: Any) -> None:
        if self.methods and scope["method"] not in self.methods:
            await super().handle(scope, receive, send)  # FastAPI's 405
            return
        response = await self.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)


router = APIRouter(tags=["sparql"], route_class=DirectRoute)

BODY_SECONDS = 30  # a POSTed query arrives within this
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "SPARQL Update is not allowed: this endpoint is read-only"


class PayloadTooLarge(TdiError):
    status = 413
    code = "payload_too_large"


class RequestTimeout(TdiError):
    status = 408
    code = "request_timeout"


# --- the worker pool of an app (owned by the app's services, tdi_graph_api.deps) ---------------


def start_pool(app: FastAPI) -> WorkerPool:
    """Start (or share) the app's worker pool; each call needs one :func:`stop_pool`."""
    return services_of(app).start_pool()


def stop_pool(app: FastAPI) -> None:
    """Stop the app's worker pool when its last user stops."""
    services_of(app).stop_pool()


def get_pool(app: FastAPI) -> WorkerPool:
    """The app's worker pool, started now if the app runs without its lifespan."""
    return services_of(app).pool()


async def run_query(app: FastAPI, request: QueryRequest, client: str | None = None) -> Answer:
    """Evaluate ``request`` in a worker without blocking the event loop; ``client`` (an
    address) counts against the per-client cap. 429/503 with ``Retry-After`` when too busy."""
    return await get_pool(app).answer(request, client)


# --- the protocol ------------------------------------------------------------------------------


def _params(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise BadRequest(f"the {name!r} parameter is given {len(values)} times: give it once")
    return values[0] if values else None


def _format(params: dict[str, list[str]]) -> str | None:
    """The ``format`` / ``output`` / ``results`` values, which must agree (SPARQLWrapper sends
    ``format=tsv&format=text/tab-separated-values&output=tsv&results=tsv``)."""
    return requested([v for name in FORMAT_PARAMETERS for v in params.get(name, [])])


def _endpoint(request: Request) -> str:
    """The endpoint's public IRI, from the settings: never the request's ``Host`` header."""
    return _settings(request).endpoint()


async def _body(request: Request) -> bytes:
    limit = _settings(request).max_query_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body is larger than {limit:,} bytes")
    data = bytearray()
    try:
        async with asyncio.timeout(BODY_SECONDS):
            async for chunk in request.stream():
                data += chunk
                if len(data) > limit:
                    raise PayloadTooLarge(f"the request body is larger than {limit:,} bytes")
    except TimeoutError:
        raise RequestTimeout(
            f"the request body took more than {BODY_SECONDS} s to arrive"
        ) from None
    return bytes(data)


async def _url_pairs(request: Request) -> list[tuple[str, str]]:
    try:
        text = request.scope.get("query_string", b"").decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest("the URL's query string is not ASCII (percent-encode it)") from None
    return await forms.pairs(text)


def _settings(request: Request) -> Settings:
    settings: Settings = services_of(request.app).settings
    return settings


def _media(header: str | None) -> tuple[str, dict[str, str]]:
    media, *params = (p.strip() for p in (header or "").split(";"))
    options = {}
    for param in params:
        key, _, value = param.partition("=")
        options[key.strip().lower()] = value.strip().strip('"')
    return media.lower(), options


def _utf8(options: dict[str, str], media: str) -> None:
    charset = options.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"{media} must be sent in UTF-8, not {charset}")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the request body is not UTF-8 (byte {exc.start})") from None


def _errors(call: Callable[..., Any]) -> Callable[..., Any]:
    """Answer library errors in the JSON error shape (CORS is Starlette's middleware, on
    ``/sparql`` and ``/api/*``: :mod:`tdi_graph_api.security`)."""

    async def wrapper(request: Request) -> Response:
        try:
            response: Response = await call(request)
        except TdiError as exc:
            return tdi_error_response(exc)
        return response

    wrapper.__name__, wrapper.__doc__ = call.__name__, call.__doc__
    return wrapper


@router.head("/sparql", include_in_schema=False)
@router.api_route(
    "/sparql",
    methods=["GET"],
    summary="SPARQL 1.1 query (GET), service description or query UI",
    response_class=Response,
    responses={
        200: {
            "description": "Query results, negotiated by Accept or `format=`",
            "content": {f.media_type: {} for f in FORMATS} | {"text/html": {}},
        },
        400: {"description": "Missing, repeated or malformed parameter; syntax error"},
        406: {"description": "No acceptable media type for this query"},
        503: {"description": "The query ran past the time limit and was stopped"},
    },
)
@_errors
async def sparql_get(request: Request) -> Response:
    """Run `query` (with optional `default-graph-uri`, `named-graph-uri`, `format`); with no
    query, the SPARQL service description (Turtle etc.) or, for browsers, the query UI."""
    params = _params(await _url_pairs(request))
    if "update" in params:
        raise QueryRefused(READ_ONLY + " (and updates are never sent with GET)")
    query = _one(params, "query")
    accept = request.headers.get("accept")
    if query is None:
        if _wants_html(accept):
            return sparql_pages.ui(request)
        return sparql_pages.service_description(request, _format(params))
    if _wants_html(accept):
        return sparql_pages.ui(request, query)
    return await _run(request, query, params)


@router.post(
    "/sparql",
    summary="SPARQL 1.1 query (POST)",
    response_class=Response,
    openapi_extra={
        "requestBody": {
            "content": {
                FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}}}},
                DIRECT: {"schema": {"type": "string"}},
            }
        }
    },
)
@_errors
async def sparql_post(request: Request) -> Response:
    """A query as `application/x-www-form-urlencoded` (`query=`, dataset parameters) or as
    `application/sparql-query` (dataset parameters in the URL). Updates are refused."""
    url_pairs = await _url_pairs(request)
    url = _params(url_pairs)
    header = request.headers.get("content-type")
    media, options = _media(header)
    if not header:
        raise UnsupportedMediaType(f"a POST needs a Content-Type: {FORM} or {DIRECT}")
    if media == UPDATE or "update" in url:
        raise QueryRefused(READ_ONLY)
    if media == FORM:
        _utf8(options, media)
        text = _decode(await _body(request))
        params = _params(url_pairs + await forms.pairs(text))
        if "update" in params:
            raise QueryRefused(READ_ONLY)
        query = _one(params, "query")
        if query is None:
            raise BadRequest("the form has no 'query' parameter")
        return await _run(request, query, params)
    if media == DIRECT:
        _utf8(options, media)
        if "query" in url:
            raise BadRequest("a query is in both the URL and the body: send it once")
        return await _run(request, _decode(await _body(request)), url)
    raise UnsupportedMediaType(
        f"a SPARQL query is POSTed as {FORM} or {DIRECT}, not {media or header}"
    )


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other(request: Request) -> Response:
    """Any other method: 405 (the query operation is GET or POST)."""
    return error_response(
        405,
        "method_not_allowed",
        f"{request.method} is not a SPARQL query operation: use GET or POST",
        headers={"Allow": "GET, HEAD, POST, OPTIONS"},
    )


@router.options("/sparql", include_in_schema=False)
async def sparql_options(request: Request) -> Response:
    """OPTIONS without CORS headers (a preflight is answered by the CORS middleware)."""
    return Response(status_code=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})


async def _run(request: Request, query: str, params: dict[str, list[str]]) -> Response:
    """Evaluate in a worker, which reads the query (linear lexer) before its parser does: the
    event loop only checks sizes here."""
    settings = _settings(request)
    if len(query) > settings.max_query_bytes:
        raise PayloadTooLarge(f"the query is larger than {settings.max_query_bytes:,} bytes")
    if not query.strip():
        raise BadRequest("the query is empty")
    accept, fmt = request.headers.get("accept"), _format(params)
    answer = await run_query(
        request.app,
        QueryRequest(
            query,
            accept=accept,
            format=fmt,
            default_graphs=graph_names(params.get("default-graph-uri", []), "default-graph-uri"),
            named_graphs=graph_names(params.get("named-graph-uri", []), "named-graph-uri"),
            base_iri=_endpoint(request),
            max_rows=settings.max_result_rows,
            allow_service=settings.allow_service,
            max_bytes=settings.max_answer_bytes,
            max_depth=settings.max_query_depth,
            max_patterns=settings.max_query_patterns,
            max_operators=settings.max_query_operators,
        ),
        client=request.client.host if request.client else None,
    )
    headers = {"Vary": "Accept", "Content-Length": str(answer.size)}
    if answer.fd is None:
        return Response(answer.body, media_type=answer.content_type, headers={"Vary": "Accept"})
    return StreamingResponse(answer.chunks(), media_type=answer.content_type, headers=headers)


def _wants_html(accept: str | None) -> bool:
    """A browser: ``text/html`` named explicitly, and not below any format we serve."""
    ranges = parse_accept(accept)
    html = quality(ranges, "text/html", exact=True)
    return html > 0 and all(html >= quality(ranges, f.media_type, exact=True) for f in FORMATS)
