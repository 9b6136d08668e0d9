"""Transport manners of every route: ``HEAD`` wherever ``GET`` is served, gzip for large
answers.

* :class:`HeadAsGet`: FastAPI routes declared with ``GET`` answer ``405`` to ``HEAD``. This pure
  ASGI middleware runs a ``HEAD`` request as the ``GET`` it stands for and sends the headers
  only (``Content-Length`` included), so ``curl -I`` and link checkers see what a ``GET`` gets.
* Starlette's ``GZipMiddleware`` compresses answers of :data:`GZIP_MIN_BYTES` or more for
  clients that send ``Accept-Encoding: gzip``; a streamed answer is compressed chunk by chunk
  (still streamed), and the SPARQL limits count the uncompressed bytes, before it.
"""

from __future__ import annotations

from typing import Any

from starlette.middleware.gzip import GZipMiddleware

GZIP_MIN_BYTES = 1024

Scope = dict[str, Any]


class HeadAsGet:
    """Answer ``HEAD`` as ``GET`` without the body."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def install(app: Any) -> None:
    """``?format=csv`` innermost, then gzip, ``HEAD`` outermost (it sees the final headers)."""
    from tdi_graph_api.csvformat import CsvFormat

    app.add_middleware(CsvFormat)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)
    app.add_middleware(HeadAsGet)
