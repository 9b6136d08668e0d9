"""Serving the app with uvicorn under limits: request head size, slow heads, connections.

uvicorn's ``h11_max_incomplete_event_size`` only applies to the h11 parser, and the faster
httptools parser (installed, and uvicorn's choice) has no limit of its own: eight unterminated
50 MB headers grew the server by 400 MB, and 60 slowloris connections were never closed. So
:class:`LimitedHttpTools` counts the bytes of each request's line and headers and answers 431
past ``max_header_bytes``, and closes a connection whose head is not complete within
:data:`HEAD_SECONDS` (idle keep-alive connections close after ``keep_alive_seconds``, and
``max_connections`` caps them all: uvicorn answers 503 beyond).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from tdi_graph.settings import Settings

HEAD_SECONDS = 10.0  # a request line and its headers arrive within this
POLL_SECONDS = 0.2  # how often the supervisor of several server processes looks at them


class LimitedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a cap on the request head and a time limit on it."""

    max_head = 64 * 1024
    head_seconds = HEAD_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes = self._raw_bytes = 0
        self._in_head = True
        self._head_timer: asyncio.TimerHandle | None = self.loop.call_later(
            self.head_seconds, self._slow_head
        )

    def data_received(self, data: bytes) -> None:
        in_head_before = self._in_head
        super().data_received(data)
        if in_head_before and self._in_head and not self.transport.is_closing():
            # an unfinished head (httptools holds an unterminated header to itself)
            self._raw_bytes += len(data)
            if self._raw_bytes > self.max_head:
                self._refuse(431, "Request header fields too large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._in_head:
            self._in_head, self._head_bytes, self._raw_bytes = True, 0, 0
            self._cancel_timer()
            self._head_timer = self.loop.call_later(self.head_seconds, self._slow_head)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._count(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        super().on_header(name, value)
        self._count(len(name) + len(value))

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._cancel_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        super().connection_lost(exc)

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_head:
            self._refuse(431, "Request header fields too large")

    def _cancel_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _slow_head(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            self._refuse(408, "Request timeout")

    def _refuse(self, status: int, reason: str) -> None:
        if self.transport.is_closing():
            return
        body = f'{{"error": {{"code": "http_error", "message": "{reason}"}}}}'.encode()
        self.transport.write(
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
            + body
        )
        self.transport.close()
        self._in_head = False


def protocol(settings: Settings) -> type[LimitedHttpTools]:
    """The protocol class with the limits of ``settings``."""
    return type(
        "Limited",
        (LimitedHttpTools,),
        {"max_head": settings.max_header_bytes, "head_seconds": HEAD_SECONDS},
    )


def config(app: Any, settings: Settings, host: str, port: int, **options: Any) -> uvicorn.Config:
    """A uvicorn configuration serving ``app`` with the limits of ``settings``; uvicorn's own
    chatter stays at warnings, the access log shows unless ``settings.access_log`` is off."""
    result = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol(settings),
        access_log=settings.access_log,
        **settings.server_options(),
        **({"log_level": "warning"} | options),
    )
    if settings.access_log:  # configured by uvicorn.Config above: lower the access logger only
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    return result


def run(
    app: Any, settings: Settings, host: str, port: int, sockets: list[Any] | None = None
) -> None:
    """Serve ``app`` until interrupted (``tdi-graph serve``), on ``sockets`` if given (bound
    already, so that a port clash is reported before anything says "serving").

    With ``settings.processes() > 1`` and bound ``sockets``, that many server processes are
    forked from this one, which has loaded the store already: they share it copy-on-write and
    accept on the same sockets, each starting its own SPARQL workers in its lifespan.
    """
    processes = settings.processes()
    if processes <= 1 or not sockets:
        uvicorn.Server(config(app, settings, host, port)).run(sockets=sockets)
        return
    _supervise(
        lambda: uvicorn.Server(config(app, settings, host, port)).run(sockets=sockets), processes
    )


SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _supervise(serve: Any, processes: int) -> None:
    """Fork ``processes`` children running ``serve()``; replace one that dies; on SIGINT or
    SIGTERM stop them all and return once they have ended."""
    children: set[int] = set()
    started: dict[int, float] = {}
    stopping = False

    def fork() -> None:
        # SIGINT/SIGTERM are blocked across the fork: one that arrived in the child before it
        # reset its handlers would run the parent's ``stop`` there and the child would live on
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        pid = os.fork()
        if pid == 0:  # the child: default signal handling (a pending stop ends it), then serve
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
            code = 0
            try:
                serve()
            except BaseException:  # noqa: BLE001 - a child never returns into the parent's code
                code = 1
            os._exit(code)
        children.add(pid)
        started[pid] = time.monotonic()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    def terminate(signalled: set[int]) -> None:
        """SIGTERM to every child not yet told: the loop does it, so that a child forked while
        the handler ran is told too."""
        for pid in children - signalled:
            signalled.add(pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {sig: signal.signal(sig, stop) for sig in SIGNALS}
    signalled: set[int] = set()
    try:
        for _ in range(processes):
            fork()
        while children:
            if stopping:
                terminate(signalled)
            time.sleep(POLL_SECONDS)  # only our children: the process may have others
            for pid in list(children):
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    continue
                children.discard(pid)
                if not stopping:
                    if time.monotonic() - started.pop(pid, 0.0) < 1.0:
                        time.sleep(1.0)  # one that dies at once: no busy crash loop
                    fork()  # a server process died: a fresh one from the loaded store
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
