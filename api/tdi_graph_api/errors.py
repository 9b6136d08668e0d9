"""One JSON error shape for every route: ``{"error": {"code", "message"}}``; browsers (an
``Accept`` that names ``text/html``, off ``/api/``) get the same error as an HTML page."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tdi_graph.errors import TdiError

_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    415: "unsupported_media_type",
    422: "invalid_parameter",
}

log = logging.getLogger(__name__)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def tdi_error_response(exc: TdiError, headers: dict[str, str] | None = None) -> JSONResponse:
    """A library error in the JSON error shape, with ``Retry-After`` when it says when."""
    headers = dict(headers or {})
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    return error_response(exc.status, exc.code, exc.message, headers=headers or None)


_TITLES = {  # the heading of the HTML error page
    400: "Requête incorrecte",
    404: "Page introuvable",
    405: "Méthode non permise",
    406: "Format non disponible",
    422: "Paramètre invalide",
    429: "Trop de requêtes",
    503: "Service momentanément indisponible",
}


def wants_html(request: Request) -> bool:
    """A browser asking for a page: ``Accept`` names ``text/html`` (the JSON API stays JSON)."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith("/api/")


def _answer(request: Request, response: JSONResponse) -> Response:
    """``response`` as it is, or as an HTML page for a browser (same status and headers)."""
    if not wants_html(request):
        return response
    from tdi_graph_api.templating import templates

    error = json.loads(bytes(response.body))["error"]
    headers = {k: v for k, v in response.headers.items() if k.lower() not in _BODY_HEADERS}
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "status": response.status_code,
            "title": _TITLES.get(response.status_code, f"Erreur {response.status_code}"),
            "error": error,
        },
        status_code=response.status_code,
        headers=headers,
    )


_BODY_HEADERS = {"content-length", "content-type"}


def install(app: FastAPI) -> None:
    """Map library errors, HTTP errors and validation errors to the JSON error shape (an HTML
    page for browsers)."""

    @app.exception_handler(TdiError)
    async def tdi_error(request: Request, exc: TdiError) -> Response:
        return _answer(request, tdi_error_response(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = _CODES.get(exc.status_code, "http_error")
        headers = getattr(exc, "headers", None)
        return _answer(request, error_response(exc.status_code, code, str(exc.detail), headers))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        parts = []
        for err in exc.errors():
            where = ".".join(
                str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")
            )
            parts.append(f"{where}: {err.get('msg')}")
        message = "; ".join(parts) or "invalid request"
        return _answer(request, error_response(422, "invalid_parameter", message))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        """The last net: a bug is a 500 in the error shape, its detail only in the log."""
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _answer(request, error_response(500, "internal_error", "internal error (logged)"))
