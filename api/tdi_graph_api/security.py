"""Security headers on every response, and a cap on the headers the app reads itself.

A pure ASGI middleware (no per-request task or body copy, unlike ``BaseHTTPMiddleware``):

* ``Content-Security-Policy``: scripts only from this origin (the pages have no inline script;
  their configuration travels in ``<script type="application/json">`` blocks, which are data);
  inline styles are allowed because Leaflet, Cytoscape and YASGUI set element styles. No
  framing (``frame-ancestors 'none'``), no plugins, forms and ``<base>`` only to this origin.
  ``/docs`` is Swagger UI from ``static/vendor`` with no inline script: the same policy.
* ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy``.
* An ``Accept`` (or other negotiation) header longer than :data:`MAX_ACCEPT` bytes is a 431, and
  its value is never echoed back.
"""

from __future__ import annotations

import json
from typing import Any

Scope = dict[str, Any]
Receive = Any
Send = Any

MAX_ACCEPT = 4096  # bytes of an Accept / Accept-Language / Content-Type header
_CHECKED = {b"accept", b"accept-language", b"accept-encoding", b"content-type"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Add the security headers to every HTTP response; refuse oversized negotiation headers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name in _CHECKED and len(value) > MAX_ACCEPT:
                await _too_large(send, name.decode("latin-1"))
                return
        extra = [*HEADERS, (b"content-security-policy", CSP.encode())]

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in extra if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _too_large(send: Send, header: str) -> None:
    body = json.dumps(
        {
            "error": {
                "code": "header_too_large",
                "message": f"the {header} header is longer than {MAX_ACCEPT} bytes",
            }
        }
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *HEADERS,
        (b"content-security-policy", CSP.encode()),
    ]
    await send({"type": "http.response.start", "status": 431, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def install(app: Any) -> None:
    """Security headers on every response, and CORS (any origin, no credentials) on
    ``/sparql`` and ``/api/*``: the two middlewares of the app."""
    app.add_middleware(PathCORS, cors=CORS_OPTIONS)
    app.add_middleware(SecurityHeaders)


CORS_PATHS = ("/sparql", "/api/")
CORS_OPTIONS: dict[str, Any] = {
    "allow_origins": ["*"],
    "allow_methods": ["GET", "HEAD", "POST", "OPTIONS"],
    "allow_headers": ["Accept", "Content-Type"],
    "max_age": 86400,
}


class PathCORS:
    """Starlette's ``CORSMiddleware``, on the public data paths only (not the HTML pages)."""

    def __init__(self, app: Any, cors: dict[str, Any]) -> None:
        from starlette.middleware.cors import CORSMiddleware

        self.app, self.cors = app, CORSMiddleware(app, **cors)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == "/sparql" or path.startswith(CORS_PATHS[1])):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
