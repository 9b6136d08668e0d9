"""HTTP caching of an immutable build: ``X-Build``, ``ETag``, ``304`` and ``Cache-Control``.

A build never changes under a running server (a new load is served after a restart), so every
``GET`` answer is a function of the URL, the negotiation headers and the build. This pure ASGI
middleware therefore:

* adds ``X-Build: <build id>`` to every response (errors and ``304`` included), so that a
  client or a replica can tell which build answered;
* gives each successful ``GET``/``HEAD`` answer ``ETag: "<build id>-<variant>"`` (the variant is
  a CRC-32 of the ``Accept``, ``Accept-Language``, ``Accept-Encoding`` and ``Cookie`` headers:
  the page language may come from a cookie, gzip changes the bytes, and two representations of
  one URL never share a tag) and ``Cache-Control: public, max-age=60`` unless the route set its own;
* answers ``304 Not Modified`` to a ``GET``/``HEAD`` whose ``If-None-Match`` names that tag,
  before the app computes anything.

``/static`` keeps Starlette's own file ``ETag``; ``POST`` answers get ``X-Build`` only.
"""

from __future__ import annotations

import zlib
from typing import Any

Scope = dict[str, Any]
Receive = Any
Send = Any

MAX_AGE = 60  # seconds a client or proxy may reuse an answer without asking again
_VARIANT_HEADERS = (b"accept", b"accept-language", b"accept-encoding", b"cookie")
_CACHEABLE = (b"GET", b"HEAD")


def etag(build: str, headers: list[tuple[bytes, bytes]]) -> str:
    """The entity tag of an answer of ``build`` negotiated with ``headers`` (quoted)."""
    variant = b"\0".join(v for n, v in headers if n in _VARIANT_HEADERS)
    return f'"{build}-{zlib.crc32(variant):08x}"'


def _matches(if_none_match: bytes, tag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2) of an ``If-None-Match`` value with ``tag``."""
    wanted = if_none_match.decode("latin-1").strip()
    if wanted == "*":
        return True
    return any(t.strip().removeprefix("W/") == tag for t in wanted.split(","))


class BuildCaching:
    """``X-Build`` everywhere; ``ETag``, ``Cache-Control`` and ``304`` on ``GET``/``HEAD``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._build: str | None = None

    def build(self, scope: Scope) -> str | None:
        """The id of the build the app serves (read once, from its services)."""
        if self._build is None:
            from tdi_graph.store import build_id

            services = getattr(getattr(scope.get("app"), "state", None), "services", None)
            if services is not None:
                # over a remote engine (TDI_SPARQL_URL) there is no immutable build to name
                remote = bool(services.settings.sparql_url)
                self._build = "" if remote else (build_id(services.store_dir) or "")
        return self._build or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        build = self.build(scope)
        if build is None:
            await self.app(scope, receive, send)
            return
        x_build = (b"x-build", build.encode())
        headers = scope.get("headers", [])
        path = scope.get("path", "")
        cacheable = scope.get("method", "").encode() in _CACHEABLE and not path.startswith(
            "/static/"
        )
        tag = etag(build, headers) if cacheable else ""
        if cacheable:
            for name, value in headers:
                if name == b"if-none-match" and _matches(value, tag):
                    await _not_modified(send, tag, x_build)
                    return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                out = list(message.get("headers", ()))
                present = {name.lower() for name, _ in out}
                out.append(x_build)
                if cacheable and message["status"] == 200:
                    if b"etag" not in present:
                        out.append((b"etag", tag.encode()))
                    if b"cache-control" not in present:
                        out.append((b"cache-control", f"public, max-age={MAX_AGE}".encode()))
                message = {**message, "headers": out}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _not_modified(send: Send, tag: str, x_build: tuple[bytes, bytes]) -> None:
    headers = [
        (b"etag", tag.encode()),
        (b"cache-control", f"public, max-age={MAX_AGE}".encode()),
        x_build,
    ]
    await send({"type": "http.response.start", "status": 304, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
